"""Figures of notebook 02: the network as a diagram, loss curves, predictions against targets."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

SPACING = 1.5  # horizontal distance between layers, in units of the vertical distance


def plot_network(layer_sizes, params: dict | None = None, ax=None,
                 layer_names=("input", "hidden\nsigmoid", "output\nsigmoid"),
                 input_labels=None, output_labels=None):
    """Draw a fully connected network as circles joined by lines; returns the axes.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. (D, H, C)
    params : dict, optional
        ``W1`` (D, H), ``W2`` (H, C), ...: when given, each line's width shows the weight's
        size and its colour the sign (blue positive, red negative).
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
                    color, width = "0.55", 1.2
                else:
                    color = "tab:blue" if W[a, b] >= 0 else "tab:red"
                    width = 0.4 + 3.6 * abs(W[a, b]) / largest
                ax.plot([x0, x1], [y0, y1], color=color, lw=width, zorder=1, alpha=0.8)
    for column, layer in enumerate(positions):
        for x, y in layer:
            ax.add_patch(plt.Circle((x, y), 0.16, facecolor="white", edgecolor="0.2",
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
        ax.plot([], [], color="tab:blue", lw=2, label="positive weight")
        ax.plot([], [], color="tab:red", lw=2, label="negative weight")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.02), ncol=2, fontsize=8,
                  frameon=False)
    ax.set_xlim(-0.9, SPACING * (len(sizes) - 1) + 0.9)
    ax.set_ylim(-(tallest - 1) / 2 - 1.35, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_loss_curves(histories, labels=None, ax=None, ylabel: str = "training loss",
                     title: str = "Training loss"):
    """Loss against iteration on a log scale for one or several ``TrainingHistory`` objects."""
    ax = ax or plt.gca()
    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    labels = labels or [None] * len(histories)
    for history, label in zip(histories, labels):
        ax.semilogy(history.steps, history.loss, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if any(labels):
        ax.legend()
    ax.grid(True, which="major", color="0.9")
    return ax


def plot_predictions(y, y_hat, ax=None, example_labels=None, title: str = "Predictions",
                     ylabel: str = "value"):
    """Targets and predictions side by side as bars, one pair per example (single output)."""
    ax = ax or plt.gca()
    y = np.asarray(y, dtype=float).ravel()
    y_hat = np.asarray(y_hat, dtype=float).ravel()
    index = np.arange(len(y))
    ax.bar(index - 0.2, y, width=0.4, label="target", color="0.7")
    ax.bar(index + 0.2, y_hat, width=0.4, label="prediction", color="tab:orange")
    ax.set_xticks(index, example_labels or [f"example {i + 1}" for i in index])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    low = min(0.0, y.min(), y_hat.min())
    ax.set_ylim(low, low + 1.25 * (max(y.max(), y_hat.max()) - low))  # room for the legend
    ax.legend(loc="upper center", ncol=2)
    return ax
