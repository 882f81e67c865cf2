"""Figures for notebook 03: the two moons, decision boundaries and training curves.

Presentation layer: imports matplotlib; nothing in nnlib's core imports it back.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.mlp import MLP, layer_forward

CLASS_COLORS = (style.color("class0"), style.color("class1"))
PROBABILITY_LABEL = "model's probability of class 1"
# Ways of starting the weights have no concept of their own in the style: each takes one entry
# of the categorical cycle that no data split uses (blue, vermillion and green are train,
# validation and test), with a marker, so that colour is never the only cue.
INIT_STYLES = {"normal": dict(style.cycle(3), marker="o"),
               "he": dict(style.cycle(4), marker="s"),
               "glorot": dict(style.cycle(5), marker="^"),
               "glorot_sigmoid": dict(style.cycle(6), marker="D")}


def init_style(init: str) -> dict:
    """``ax.plot`` settings (colour, dashes, marker) of a way of starting the weights."""
    return dict(INIT_STYLES[init])


def probability_colorbar(figure, axes, label: str = PROBABILITY_LABEL):
    """One colour bar for the shading of ``plot_decision_boundary`` (0 to 1), labelled."""
    mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1),
                                     cmap=style.cmap("diverging"))
    bar = figure.colorbar(mappable, ax=axes, shrink=0.8, label=label)
    bar.set_ticks([0, 0.5, 1])
    return bar


def _loss_axis(ax, *series) -> None:
    # A log axis only where the values span more than a decade.
    values = np.concatenate([np.asarray(v, float).ravel() for v in series])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and values.max() / values.min() > 10:
        ax.set_yscale("log")


def plot_moons(X, y, ax=None, title: str = "", marker: str = "o", size: float = 12,
               label_suffix: str = ""):
    """Scatter the points of each class in its own colour; returns the axes.

    X : ndarray (N, 2); y : ndarray (N,) or (N, 1) of 0/1 labels.
    """
    ax = ax or plt.gca()
    labels = np.asarray(y).reshape(-1)
    for cls in (0, 1):
        points = X[labels == cls]
        ax.scatter(points[:, 0], points[:, 1], s=size, marker=marker, c=CLASS_COLORS[cls],
                   edgecolors=style.color("paper"), linewidths=0.3,
                   label=f"class {cls}{label_suffix}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def grid_limits(X, margin: float = 0.5) -> tuple[float, float, float, float]:
    """The plotting window around the points: (x_min, x_max, y_min, y_max)."""
    return (X[:, 0].min() - margin, X[:, 0].max() + margin,
            X[:, 1].min() - margin, X[:, 1].max() + margin)


def describe_mlp(model: MLP) -> str:
    """One line for a status or a title: the layer sizes, activations and parameter count,
    e.g. "MLP 2-8-1, hidden activation relu, sigmoid output, 33 parameters"."""
    sizes = [model.architecture[0]["input_dim"]] + [s["output_dim"] for s in model.architecture]
    hidden = sorted({s["activation"] for s in model.architecture[:-1]})
    output = "sigmoid output" if sizes[-1] == 1 else f"softmax output ({sizes[-1]} classes)"
    return (f"MLP {'-'.join(map(str, sizes))}, hidden activation {'/'.join(hidden) or 'none'}, "
            f"{output}, {model.num_params} parameters")


def plot_decision_boundary(model: MLP, X, y, ax=None, title: str = "", resolution: int = 150,
                           limits=None, show_points: bool = True):
    """Shade the plane by the model's probability of class 1 and draw the 0.5 contour.

    Parameters
    ----------
    model : nnlib.mlp.MLP
    X : ndarray (N, 2); y : ndarray (N,) labels, drawn on top when ``show_points``
    resolution : grid points per axis
    limits : (x_min, x_max, y_min, y_max), default from ``grid_limits(X)``
    """
    ax = ax or plt.gca()
    x_min, x_max, y_min, y_max = limits or grid_limits(X)
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    probability = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, probability, levels=np.linspace(0, 1, 11), cmap=style.cmap("diverging"),
                alpha=0.35,
                vmin=0, vmax=1)
    if probability.min() < 0.5 < probability.max():
        ax.contour(xx, yy, probability, levels=[0.5], colors=style.color("ink"), linewidths=1.2)
    if show_points:
        plot_moons(X, y, ax=ax, size=8)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_boundary_snapshots(architecture, snapshots: dict, X, y, columns: int = 4,
                            panel_size: float = 2.0, accuracies: dict | None = None,
                            limits=None):
    """A grid of decision boundaries, one panel per snapshot ``{epoch: params}``, over the
    points (X, y) the titles' accuracies are measured on, with a labelled colour bar.

    ``accuracies``, if given, maps an epoch to the accuracy on (X, y) shown in the panel title.
    Returns the figure.
    """
    epochs = sorted(snapshots)
    rows = -(-len(epochs) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(panel_size * columns + 0.9,
                                                         panel_size * rows * 0.85),
                                constrained_layout=True, squeeze=False)
    limits = limits or grid_limits(X)
    for ax, epoch in zip(axes.flat, epochs):
        title = f"epoch {epoch}"
        if accuracies and epoch in accuracies:
            title += f": {100 * accuracies[epoch]:.0f} %"
        model = MLP.from_params(snapshots[epoch], architecture=architecture)
        plot_decision_boundary(model, X, y, ax=ax, title=title, resolution=100, limits=limits)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[len(epochs):]:
        ax.set_visible(False)
    probability_colorbar(figure, axes)
    return figure


def plot_history(history, axes=None, title_suffix: str = "", label: str = ""):
    """Two panels: cross-entropy (log scale) and accuracy, train and validation, against the
    epoch, from a ``nnlib.train.History`` (metric "accuracy")."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    ax_loss, ax_accuracy = axes
    prefix = f"{label} " if label else ""
    _loss_axis(ax_loss, history.train_loss,
               history.val_loss if history.val_loss is not None else [])
    ax_loss.plot(history.epochs, history.train_loss, label=f"{prefix}train",
                     color=None if label else style.color("train"), ls=style.linestyle("train"))
    ax_accuracy.plot(history.epochs, 100 * history.train_metric, label=f"{prefix}train",
                     color=None if label else style.color("train"), ls=style.linestyle("train"))
    if history.val_loss is not None:
        ax_loss.plot(history.epochs, history.val_loss, label=f"{prefix}validation",
                         color=None if label else style.color("validation"),
                         ls=style.linestyle("validation"))
        ax_accuracy.plot(history.epochs, 100 * history.val_metric, label=f"{prefix}validation",
                         color=None if label else style.color("validation"),
                         ls=style.linestyle("validation"))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean cross-entropy (nats)")
    ax_loss.set_title("Loss" + title_suffix)
    ax_accuracy.axhline(95, **style.line("threshold"), lw=0.8, zorder=0)
    ax_accuracy.set_xlabel("epoch")
    ax_accuracy.set_ylabel("accuracy (%)")
    ax_accuracy.set_title("Accuracy" + title_suffix)
    for ax in axes:
        ax.legend(fontsize=style.SMALL_FONT_SIZE)
    return axes


def layer_spread(model, X, y) -> tuple[np.ndarray, np.ndarray]:
    """At the model's current parameters: the standard deviation of each layer's
    pre-activation Z over the examples and units of ``X`` (N, D), and the root mean square of
    each layer's weight gradient on (X, y). Two arrays of shape (L,)."""
    A, z_std = np.asarray(X, dtype=float), []
    for index, spec in enumerate(model.architecture, start=1):
        W, b = model.params[f"W{index}"], model.params[f"b{index}"]
        if index < len(model.architecture):
            A, (_, _, Z) = layer_forward(A, W, b, spec["activation"])
        else:
            Z = A @ W + b
        z_std.append(float(np.std(Z)))
    _, grads = model.loss_and_grads(X, y)
    grad_rms = [float(np.sqrt(np.mean(grads[f"W{index}"] ** 2)))
                for index in range(1, len(model.architecture) + 1)]
    return np.array(z_std), np.array(grad_rms)


def plot_layer_spread(models: dict, X, y, axes=None) -> dict:
    """Two panels, one line per model of ``models`` ({label: MLP}): the spread of each layer's
    pre-activation and the size of each layer's weight gradient (``layer_spread``), against the
    layer. Returns {label: (z_std, grad_rms)}."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    spread = {label: layer_spread(model, X, y) for label, model in models.items()}
    for label, (z_std, grad_rms) in spread.items():
        layers = np.arange(1, len(z_std) + 1)
        look = init_style(models[label].init)
        axes[0].semilogy(layers, z_std, label=label, **look)
        axes[1].semilogy(layers, grad_rms, label=label, **look)
    axes[0].set_ylabel("std of Z over points and units")
    axes[0].set_title("Signal: spread of Z per layer")
    axes[1].set_ylabel("RMS of dL/dW")
    axes[1].set_title("Gradient: size of dW per layer")
    for ax in axes:
        ax.set_xlabel("layer (5 = output)")
        ax.set_xticks(layers)
        ax.legend(fontsize=style.SMALL_FONT_SIZE)
    return spread


def hidden_activations(model, X) -> list[np.ndarray]:
    """The hidden layers' outputs A (N, H_l) at the model's parameters, layer by layer."""
    A, outputs = np.asarray(X, dtype=float), []
    for index, spec in enumerate(model.architecture[:-1], start=1):
        A, _ = layer_forward(A, model.params[f"W{index}"], model.params[f"b{index}"],
                             spec["activation"])
        outputs.append(A)
    return outputs


def plot_activation_histograms(models: dict, X, bins: int = 40):
    """One row per model ({label: MLP}), one column per hidden layer: the histogram of the
    layer's outputs over the points of ``X`` and its units. Returns the figure."""
    layers = len(next(iter(models.values())).architecture) - 1
    figure, axes = plt.subplots(len(models), layers, figsize=(9, 1.6 * len(models) + 0.6),
                                constrained_layout=True, squeeze=False, sharey="row")
    for row, (label, model) in enumerate(models.items()):
        look = init_style(model.init)
        low = -1.0 if model.architecture[0]["activation"] == "tanh" else 0.0
        for column, A in enumerate(hidden_activations(model, X)):
            ax = axes[row, column]
            ax.hist(A.ravel(), bins=np.linspace(low, 1.0, bins + 1), color=look["color"],
                    density=True)
            ax.set_xlim(low, 1.0)
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"hidden layer {column + 1}")
            if row == len(models) - 1:
                ax.set_xlabel("activation A")
        axes[row, 0].set_ylabel(label, fontsize=style.SMALL_FONT_SIZE)
    return figure


def plot_epochs_to_target(reached: dict, seeds, target: str = "95 % validation accuracy",
                          ax=None):
    """One row per setting ({name: [epochs per seed, None if not reached]}): each seed's count
    as its own marker, offset vertically so that equal counts stay visible, and a bar at the
    mean when every seed got there. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.55 * len(reached) + 1.2), constrained_layout=True)
    markers = style.CYCLE_MARKERS
    offsets = np.linspace(-0.22, 0.22, len(seeds)) if len(seeds) > 1 else [0.0]
    for row, (name, counts) in enumerate(reached.items()):
        for k, (seed, count) in enumerate(zip(seeds, counts)):
            if count is not None:
                ax.scatter([count], [row + offsets[k]], marker=markers[k % len(markers)],
                           s=30, color=style.color("ink"), zorder=3,
                           label=f"seed {seed}" if row == 0 else None)
        if None not in counts:
            ax.scatter([np.mean(counts)], [row], marker="|", s=500,
                       color=style.color("muted"), zorder=2,
                       label="mean" if row == 0 else None)
    ax.set_yticks(range(len(reached)), list(reached))
    ax.set_xscale("log")
    ax.minorticks_off()
    ticks = [t for t in (2, 3, 5, 10, 20, 50, 100, 200) if t <= 2 * max(
        [c for cs in reached.values() for c in cs if c is not None] or [2])]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel(f"epochs to {target} (log scale)")
    ax.invert_yaxis()
    ax.legend(fontsize=style.SMALL_FONT_SIZE, loc="lower right")
    return ax


def plot_learning_rates(histories: dict, epochs: int, axes=None):
    """Training loss and validation accuracy against the epoch for each learning rate
    ({rate: History}), coloured in order of the rate, with log 2 (a constant 1/2) dotted."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    rates = sorted(histories)
    colours = style.sequence(len(rates))
    losses = []
    for k, rate in enumerate(rates):
        run = histories[rate]
        keep = run.epochs <= epochs
        # Hollow markers growing with the rate: curves that coincide (a dead network and one
        # still on its plateau) stay visible one inside the other.
        look = dict(color=colours[k], marker=style.CYCLE_MARKERS[k], markevery=2,
                    ms=4 + 1.5 * k, fillstyle="none", markeredgewidth=1.3,
                    linestyle=style.CYCLE_LINESTYLES[k], lw=1.4)
        axes[0].plot(run.epochs[keep], run.train_loss[keep], label=f"lr {rate:g}", **look)
        axes[1].plot(run.epochs[keep], 100 * run.val_metric[keep], label=f"lr {rate:g}", **look)
        losses.append(run.train_loss[keep])
    _loss_axis(axes[0], *losses)
    axes[0].axhline(np.log(2), **style.line("baseline"), lw=0.9)
    axes[0].set_ylabel("training loss (nats)")
    axes[0].set_title("Loss (dotted: log 2)")
    axes[1].axhline(95, **style.line("threshold"), lw=0.9)
    axes[1].set_ylabel("validation accuracy (%)")
    axes[1].set_title("Validation accuracy (dash-dot: 95 %)")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.legend(fontsize=style.SMALL_FONT_SIZE)
    return axes


def plot_cross_validation(record: dict, ax=None):
    """The mean held-out loss of K-fold cross-validation against the epoch, one line per
    weight decay at the chosen learning rate (from ``course.moons``' record), the chosen
    epoch marked. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.4), constrained_layout=True)
    chosen = record["chosen"]
    runs = [r for r in record["results"] if r["learning_rate"] == chosen["learning_rate"]]
    runs.sort(key=lambda r: r["weight_decay"])
    colours = style.sequence(len(runs))
    for k, run in enumerate(runs):
        ax.plot(run["epochs"], run["val_loss"], color=colours[k],
                linestyle=style.CYCLE_LINESTYLES[k], marker=style.CYCLE_MARKERS[k],
                markevery=5, ms=4, label=f"weight decay {run['weight_decay']:g}")
    ax.plot([chosen["epochs"]], [chosen["val_loss"]], marker="*", ms=14, linestyle="none",
            color=style.color("ink"), label="chosen: lowest mean held-out loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean held-out cross-entropy (nats)")
    ax.set_title(f"{record['folds']}-fold cross-validation, Adam, learning rate "
                 f"{chosen['learning_rate']:g}")
    ax.legend(fontsize=style.SMALL_FONT_SIZE)
    return ax


def plot_against_bayes(model, posterior, X, y, ax=None, resolution: int = 200,
                       limits=None, title: str = ""):
    """The model's decision boundary (solid, the MLP's colour) and the Bayes boundary (black
    dashed: the bound), with the region where they disagree shaded, over points (X, y).

    ``posterior(grid) -> (M,)`` is the Bayes posterior P(class 1 | x). Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.6), constrained_layout=True)
    x_min, x_max, y_min, y_max = limits or grid_limits(X, margin=0.3)
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    mlp = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    bayes = np.asarray(posterior(grid)).reshape(xx.shape)
    disagree = ((mlp > 0.5) != (bayes > 0.5)).astype(float)
    ax.contourf(xx, yy, disagree, levels=[0.5, 1.5], colors=[style.color("muted")], alpha=0.35)
    labels = np.asarray(y).reshape(-1)
    for cls in (0, 1):
        ax.scatter(X[labels == cls, 0], X[labels == cls, 1], s=3, c=CLASS_COLORS[cls],
                   alpha=0.35, linewidths=0, label=f"class {cls}")
    ax.contour(xx, yy, bayes, levels=[0.5], colors=style.color("bound"), linestyles="--",
               linewidths=1.8)
    ax.contour(xx, yy, mlp, levels=[0.5], colors=style.color("mlp"), linestyles="-",
               linewidths=1.6)
    handles = [mpl.lines.Line2D([], [], **style.line("bound", markers=False), lw=1.8,
                                label="Bayes boundary"),
               mpl.lines.Line2D([], [], color=style.color("mlp"), lw=1.6, label="MLP boundary"),
               mpl.patches.Patch(color=style.color("muted"), alpha=0.35,
                                 label="they disagree")]
    ax.legend(handles=handles, fontsize=style.SMALL_FONT_SIZE, loc="lower left")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax
