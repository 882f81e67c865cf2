"""Figures for notebook 03: the two moons, decision boundaries and training curves.

Presentation layer: imports matplotlib; nothing in nnlib's core imports it back.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.mlp import MLP, layer_forward

CLASS_COLORS = (style.color("class0"), style.color("class1"))


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
    probability = model.predict_proba(grid)[:, 0].reshape(xx.shape)
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
                            panel_size: float = 2.6, accuracies: dict | None = None):
    """A grid of decision boundaries, one panel per snapshot ``{epoch: params}``.

    ``accuracies``, if given, maps an epoch to a validation accuracy shown in the panel title.
    Returns the figure.
    """
    epochs = sorted(snapshots)
    rows = -(-len(epochs) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(panel_size * columns,
                                                         panel_size * rows * 0.8),
                                constrained_layout=True, squeeze=False)
    limits = grid_limits(X)
    for ax, epoch in zip(axes.flat, epochs):
        title = f"epoch {epoch}"
        if accuracies and epoch in accuracies:
            title += f" · val. {100 * accuracies[epoch]:.0f}%"
        plot_decision_boundary(MLP.from_params(architecture, snapshots[epoch]), X, y, ax=ax,
                               title=title, resolution=100, limits=limits)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(epochs):]:
        ax.set_visible(False)
    return figure


def plot_history(history, axes=None, title_suffix: str = "", label: str = ""):
    """Two panels: cross-entropy (log scale) and accuracy, train and validation, against the
    epoch, from a ``nnlib.train.History`` (metric "accuracy")."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    ax_loss, ax_accuracy = axes
    prefix = f"{label} " if label else ""
    ax_loss.semilogy(history.epochs, history.train_loss, label=f"{prefix}train",
                     color=None if label else style.color("train"), ls=style.linestyle("train"))
    ax_accuracy.plot(history.epochs, 100 * history.train_metric, label=f"{prefix}train",
                     color=None if label else style.color("train"), ls=style.linestyle("train"))
    if history.val_loss is not None:
        ax_loss.semilogy(history.epochs, history.val_loss, label=f"{prefix}validation",
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
        ax.legend(fontsize=8)
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
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    spread = {label: layer_spread(model, X, y) for label, model in models.items()}
    for label, (z_std, grad_rms) in spread.items():
        layers = np.arange(1, len(z_std) + 1)
        axes[0].semilogy(layers, z_std, marker="o", label=label)
        axes[1].semilogy(layers, grad_rms, marker="o", label=label)
    axes[0].set_ylabel("std of Z over points and units")
    axes[0].set_title("Signal: spread of each layer's pre-activation")
    axes[1].set_ylabel("RMS of dL/dW")
    axes[1].set_title("Gradient: size of each layer's weight gradient")
    for ax in axes:
        ax.set_xlabel("layer (5 = output)")
        ax.set_xticks(layers)
        ax.legend(fontsize=8)
    return spread
