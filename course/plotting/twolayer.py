"""Figures of notebook 02: the network as a diagram, loss curves, predictions against targets."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.activations import sigmoid

SPACING = 1.5  # horizontal distance between layers, in units of the vertical distance
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]  # one per member of an ordered series


def plot_network(layer_sizes, params: dict | None = None, ax=None,
                 layer_names=("input", "hidden\nsigmoid", "output\nsigmoid"),
                 input_labels=None, output_labels=None):
    """Draw a fully connected network as circles joined by lines; returns the axes.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. (D, H, C)
    params : dict, optional
        ``W1`` (D, H), ``W2`` (H, C), ...: when given, each line's width shows the weight's
        size and its colour the sign (red positive, blue negative: the course's one sign
        convention, the ends of ``style.cmap("diverging")``).
    ax : matplotlib axes, optional
    layer_names : one label per layer, written under it
    input_labels, output_labels : sequences of str, optional, written beside the end units
    """
    ax = ax or plt.gca()
    sizes = [int(s) for s in layer_sizes]
    tallest = max(sizes)
    # Units of each layer centred on y = 0, top to bottom.
    positions = [[(SPACING * column, (size - 1) / 2 - row) for row in range(size)]
                 for column, size in enumerate(sizes)]
    weights = [None] * (len(sizes) - 1)
    if params is not None:
        weights = [np.asarray(params[f"W{i + 1}"]) for i in range(len(sizes) - 1)]
    largest = max((np.abs(W).max() for W in weights if W is not None), default=1.0) or 1.0
    for i, W in enumerate(weights):
        for a, (x0, y0) in enumerate(positions[i]):
            for b, (x1, y1) in enumerate(positions[i + 1]):
                if W is None:
                    color, width = style.color("muted"), 1.2
                else:
                    color = style.color("positive") if W[a, b] >= 0 else style.color("negative")
                    width = 0.4 + 3.6 * abs(W[a, b]) / largest
                ax.plot([x0, x1], [y0, y1], color=color, lw=width, zorder=1, alpha=0.8)
    for column, layer in enumerate(positions):
        for x, y in layer:
            ax.add_patch(plt.Circle((x, y), 0.16, facecolor=style.color("paper"),
                                    edgecolor=style.color("ink"),
                                    lw=1.5, zorder=2))
        name = layer_names[column] if column < len(layer_names) else ""
        units = f"{sizes[column]} unit" + ("s" if sizes[column] != 1 else "")
        ax.text(SPACING * column, -(tallest - 1) / 2 - 0.5, f"{name}\n{units}",
                ha="center", va="top", fontsize=9)
    for labels, column, side in ((input_labels, 0, -1), (output_labels, len(sizes) - 1, 1)):
        for text, (x, y) in zip(labels or (), positions[column]):
            ax.text(x + side * 0.25, y, text, ha="right" if side < 0 else "left",
                    va="center", fontsize=9)
    if params is not None:
        ax.plot([], [], color=style.color("positive"), lw=2, label="positive weight")
        ax.plot([], [], color=style.color("negative"), lw=2, label="negative weight")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.02), ncol=2, frameon=False)
    ax.set_xlim(-0.9, SPACING * (len(sizes) - 1) + 0.9)
    ax.set_ylim(-(tallest - 1) / 2 - 1.35, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_loss_curves(histories, labels=None, ax=None, ylabel: str = "training loss",
                     title: str = "Training loss", ordered: bool = False):
    """Loss against epoch on a log scale, for one or several runs.

    Each run is an ``nnlib.train.History`` (its ``epochs`` and ``train_loss``) or a 1-D array
    of losses, one per epoch from epoch 0 (a hand-written loop's record). With ``ordered``
    the runs are values of one ordered quantity (learning rates, sizes), small to large: they
    get the sequential colours and a marker each, so that runs lying on each other still show.
    """
    ax = ax or plt.gca()
    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    labels = labels or [None] * len(histories)
    colours = style.sequence(len(histories))
    for k, (history, label) in enumerate(zip(histories, labels)):
        if hasattr(history, "train_loss"):
            epochs, losses = history.epochs, history.train_loss
        else:
            losses = np.asarray(history, dtype=float)
            epochs = np.arange(len(losses))
        if ordered:
            # Markers at staggered places, so that coinciding runs show each marker.
            every = max(1, len(losses) // 8)
            settings = {"color": colours[k], "marker": MARKERS[k % len(MARKERS)],
                        "markevery": (k * every // len(histories), every)}
        elif len(histories) == 1:
            settings = style.line("train", markers=False)
        else:
            settings = style.cycle(k)
        ax.semilogy(epochs, losses, label=label, **settings)
    ax.set_xlabel("epoch (full batch: one step each)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if any(labels):
        ax.legend()
    ax.grid(True, which="major", color=style.color("shade"))
    return ax


def plot_predictions(y, y_hat, ax=None, example_labels=None, title: str = "Predictions",
                     ylabel: str = "value"):
    """Targets and predictions side by side as bars, one pair per example (single output)."""
    ax = ax or plt.gca()
    y = np.asarray(y, dtype=float).ravel()
    y_hat = np.asarray(y_hat, dtype=float).ravel()
    index = np.arange(len(y))
    ax.bar(index - 0.2, y, width=0.4, label="target", color=style.color("muted"))
    ax.bar(index + 0.2, y_hat, width=0.4, label="prediction", color=style.color("mlp"))
    ax.set_xticks(index, example_labels or [f"example {i + 1}" for i in index])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    # Bars start at zero (or below): a cut axis would exaggerate the gaps.
    low = min(0.0, y.min(), y_hat.min())
    ax.set_ylim(low, low + 1.25 * (max(y.max(), y_hat.max()) - low))  # room for the legend
    ax.legend(loc="upper center", ncol=2)
    return ax


def plot_xor_units(model, ax_row, grid: int = 101):
    """What each unit of a TwoLayerNet trained on XOR (inputs x1, x2 and a constant 1) draws.

    One panel per hidden unit, then one for the output: the unit's value over the square
    0 <= x1, x2 <= 1 (the constant input fixed at 1), the four XOR points marked by target.

    Parameters
    ----------
    model : nnlib.twolayer.TwoLayerNet with input_size 3
    ax_row : sequence of H + 1 matplotlib axes
    """
    u = np.linspace(0.0, 1.0, grid)
    x1, x2 = np.meshgrid(u, u)
    X = np.column_stack([x1.ravel(), x2.ravel(), np.ones(x1.size)])
    hidden = sigmoid(X @ model.params["W1"] + model.params.get("b1", 0.0))
    output = model.predict(X)[:, 0]
    panels = [(hidden[:, j], f"hidden unit {j + 1}") for j in range(hidden.shape[1])]
    panels.append((output, "output"))
    image = None
    for ax, (values, title) in zip(ax_row, panels):
        image = ax.contourf(x1, x2, values.reshape(x1.shape), levels=np.linspace(0, 1, 11),
                            cmap=style.cmap("diverging"), vmin=0, vmax=1)
        ax.contour(x1, x2, values.reshape(x1.shape), levels=[0.5], colors=style.color("ink"),
                   linewidths=1)
        for (a, b), target in (((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)):
            ax.plot(a, b, **style.class_marker(target, 9), clip_on=False, zorder=5)
        ax.set_title(title, pad=10)
        ax.set_xlabel("x1")
        ax.set_xticks([0, 0.5, 1])
        ax.set_yticks([0, 0.5, 1])
        ax.xaxis.set_major_formatter("{x:g}")
        ax.yaxis.set_major_formatter("{x:g}")
        if ax is not ax_row[0]:
            ax.tick_params(labelleft=False)
        ax.set_aspect("equal")
    ax_row[0].set_ylabel("x2")
    return image


def plot_score_plane(model, X_max, students, new_student, ax=None, grid: int = 121,
                     study_max: float = 5.0, sleep_max: float = 10.0):
    """The learned score over (hours studied, hours slept), with the training students and the
    new student's two scalings marked.

    Parameters
    ----------
    model : a TwoLayerNet trained on inputs divided by ``X_max`` and scores divided by 100
    X_max : array_like, shape (2,), the training set's column maxima
    students : array_like, shape (N, 2), the training students' hours
    new_student : array_like, shape (2,), hours of the new student
    """
    ax = ax or plt.gca()
    study, sleep = np.meshgrid(np.linspace(0, study_max, grid), np.linspace(0, sleep_max, grid))
    hours = np.column_stack([study.ravel(), sleep.ravel()])
    score = 100 * model.predict(hours / np.asarray(X_max))[:, 0].reshape(study.shape)
    image = ax.contourf(study, sleep, score, levels=20, cmap=style.cmap("sequential"))
    lines = ax.contour(study, sleep, score, levels=8, colors=style.color("paper"), linewidths=0.6)
    ax.clabel(lines, fmt="%.0f", fontsize=9)
    students = np.asarray(students, dtype=float)
    new_student = np.asarray(new_student, dtype=float)
    ax.plot(students[:, 0], students[:, 1], "o", ms=8, mfc=style.color("paper"),
            mec=style.color("ink"),
            label="training students")
    ax.plot(*new_student, "*", ms=15, mfc=style.color("paper"), mec=style.color("ink"),
            label=f"new student {new_student[0]:g} h, {new_student[1]:g} h")
    # The own-max scaling [4, 8] / 8 = [0.5, 1.0] is read by the network as this student:
    as_read = new_student / new_student.max() * np.asarray(X_max)
    ax.plot(*as_read, "X", ms=12, mfc=style.color("error"), mec=style.color("ink"),
            label=f"what own-max scaling asks ({as_read[0]:g} h, {as_read[1]:g} h)")
    ax.set_xlabel("hours studied")
    ax.set_ylabel("hours slept")
    ax.legend(loc="lower right")
    return image


def plot_seed_spread(scores, ax=None, labels=("training scaling (right)",
                                                 "own-max scaling (wrong)")):
    """The prediction for the new student from each seed: one row per seed, the two scalings'
    predictions joined by a line (filled circle: training scaling; open square: own-max).

    Parameters
    ----------
    scores : array, shape (S, 2): per seed, the score with each scaling
    """
    ax = ax or plt.gca()
    scores = np.asarray(scores, dtype=float)
    seeds = np.arange(len(scores))
    for seed, (right, wrong) in zip(seeds, scores):
        ax.plot([right, wrong], [seed, seed], color=style.color("muted"), lw=1.2, zorder=1)
    for row, (label, marker, filled) in enumerate(zip(labels, ("o", "s"), (True, False))):
        colour = style.cycle(row)["color"]
        ax.plot(scores[:, row], seeds, marker, ms=8, mec=colour,
                mfc=colour if filled else style.color("paper"), ls="none", label=label, zorder=2)
    ax.set_yticks(seeds)
    ax.set_ylim(len(scores) - 0.4, -0.6)
    ax.set_ylabel("seed")
    ax.set_xlabel("predicted score for 4 h of study, 8 h of sleep")
    ax.set_title("One network per seed, both scalings of the new student")
    ax.grid(True, axis="x", color=style.color("shade"))
    return ax


def plot_hidden_sizes(sizes, losses, solved, ax_pair):
    """Final loss (log, every seed a point, the median a line) and the share of seeds that
    solved the task, against the hidden size.

    Parameters
    ----------
    sizes : sequence of K ints
    losses : array, shape (K, S): final loss per size and seed
    solved : array, shape (K, S) of bool
    ax_pair : two matplotlib axes
    """
    sizes = np.asarray(sizes)
    losses = np.asarray(losses, dtype=float)
    ax_loss, ax_solved = ax_pair
    colour = style.color("mlp")
    for k, size in enumerate(sizes):
        ax_loss.semilogy(np.full(losses.shape[1], size), losses[k], "o", mfc="none", mec=colour,
                         ms=6)
    ax_loss.semilogy(sizes, np.median(losses, axis=1), color=colour, marker="_", ms=14,
                     label="median over seeds")
    ax_loss.set_xscale("log", base=2)
    ax_loss.set_xticks(sizes, [str(s) for s in sizes])
    ax_loss.set_xlabel("hidden units H")
    ax_loss.set_ylabel("final loss")
    ax_loss.set_title("Final loss, every seed")
    ax_loss.legend(loc="upper right")
    share = np.mean(solved, axis=1)
    bars = ax_solved.bar(np.arange(len(sizes)), 100 * share, color=colour)
    counts = np.sum(solved, axis=1)
    ax_solved.bar_label(bars, labels=[f"{c} of {solved.shape[1]}" for c in counts], padding=2)
    ax_solved.set_xticks(np.arange(len(sizes)), [str(s) for s in sizes])
    ax_solved.set_ylim(0, 115)
    ax_solved.set_xlabel("hidden units H")
    ax_solved.set_ylabel("seeds that solved XOR (%)")
    ax_solved.set_title("Solved")
    return ax_pair
