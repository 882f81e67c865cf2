"""Figures of notebook 11: softmax saturation against the key size, learning curves of the
transformer and the LSTM against training time, and the attention maps of every head. Each
function draws on the axes it is given (or new ones) and returns them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

# This chapter's series, each the course style's colour and marker for its concept (the LSTM
# keeps chapter 10's colour); the two scalings of the scores are two entries of the style's
# ordered sequence.
_ORDERED = style.sequence(2)
COLORS = {"transformer": style.color("transformer"), "lstm": style.color("lstm"),
          "unscaled": _ORDERED[0], "scaled": _ORDERED[1], "uniform": style.color("baseline")}
MARKERS = {"transformer": style.marker("transformer"), "lstm": style.marker("lstm"),
           "unscaled": "s", "scaled": "^"}
LABELS = {"transformer": "transformer", "lstm": "LSTM (chapter 10)",
          "unscaled": r"$\beta = 1$", "scaled": r"$\beta = 1/\sqrt{d}$"}
ATTENTION_MAP = style.cmap("ink")


def _axes(ax, figsize=(7.5, 3.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def plot_saturation(dims, top_weight: dict, uniform, ax=None):
    """The mean largest softmax weight of a row against the key size d, one line per scaling
    (``top_weight = {"unscaled": values, "scaled": values}``), and ``uniform`` (1 / keys)."""
    ax = _axes(ax)
    for name, values in top_weight.items():
        ax.plot(dims, values, color=COLORS[name], marker=MARKERS[name], label=LABELS[name])
        ax.annotate(LABELS[name], (dims[-1], values[-1]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=COLORS[name])
    ax.axhline(uniform, color=COLORS["uniform"], linestyle=":", linewidth=1)
    ax.annotate("uniform", (dims[0], uniform), xytext=(0, 4), textcoords="offset points",
                color=COLORS["uniform"])
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("key size $d$")
    ax.set_ylabel("mean largest weight of a row")
    return ax


def plot_time_curves(curves: dict, ax=None):
    """Held-out bits per character against training CPU seconds, ``{model: (seconds, bits)}``."""
    ax = _axes(ax)
    for name, (seconds, bits) in curves.items():
        ax.plot(seconds, bits, color=COLORS[name], marker=MARKERS[name], markersize=4)
        ax.annotate(LABELS[name], (seconds[-1], bits[-1]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=COLORS[name])
    ax.set_xlabel("training time (CPU seconds, one core)")
    ax.set_ylabel("validation bits per character")
    return ax


def plot_attention_maps(maps: np.ndarray, text: str, axes=None):
    """Every head's attention on one passage: ``maps`` (layers, heads, T, T), rows the
    attending position, columns the attended; ``text`` labels both axes."""
    layers, heads, T, _ = maps.shape
    if axes is None:
        width = min(style.MAX_WIDTH, 2.6 * heads)  # the course's widest figure at most
        figure, axes = plt.subplots(layers, heads, figsize=(width, width / heads * 1.05 * layers),
                                    squeeze=False)
        # fixed margins: a constrained layout over hundreds of tick labels is slow
        figure.subplots_adjust(left=0.06, right=0.99, bottom=0.1, top=0.94, wspace=0.1,
                               hspace=0.25)
    labels = [repr(c)[1:-1] for c in text]
    for layer in range(layers):
        for head in range(heads):
            ax = axes[layer, head]
            ax.imshow(maps[layer, head], cmap=ATTENTION_MAP, vmin=0, vmax=1)
            ax.set_title(f"layer {layer}, head {head}", fontsize=10)
            ax.set_xticks(range(T))
            ax.set_yticks(range(T))
            # characters on the outer axes only: the panels share both axes
            ax.set_xticklabels(labels if layer == layers - 1 else [],
                               fontsize=style.SMALL_FONT_SIZE, family="monospace")
            ax.set_yticklabels(labels if head == 0 else [], fontsize=style.SMALL_FONT_SIZE,
                               family="monospace")
    return axes
