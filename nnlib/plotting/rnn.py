"""Figures of notebook 04 (the binary-addition RNN). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_accuracy_curves(curves: dict, ax=None, title: str = "Exact-sum accuracy on the "
                         "128 x 128 held-out pairs"):
    """Accuracy against training examples seen, one line per ``{label: AdditionHistory}``."""
    ax = ax or plt.gca()
    for label, history in curves.items():
        ax.plot(history.examples_seen, 100 * history.accuracy, marker=".", label=label)
    ax.axhline(100, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("training examples seen")
    ax.set_ylabel("exact sums (%)")
    ax.set_ylim(-3, 103)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_hidden_and_carry(hidden, carry, a_bits, b_bits, sum_bits, unit_order=None,
                          axes=None, title: str = "", current_step: int | None = None,
                          value_range=None):
    """Heat map of the hidden state over time (left) beside the carry and the bits (right).

    Parameters
    ----------
    hidden : ndarray, shape (T, H), hidden states of one example, time along the x axis.
    carry : ndarray, shape (T,), the true carry out of each position.
    a_bits, b_bits, sum_bits : ndarrays, shape (T,), the inputs and the predicted sum bits.
    unit_order : sequence of int, optional, the order in which to stack the units (rows).
    axes : pair of axes, optional.
    current_step : int, optional, draw a frame around this time step.
    value_range : (low, high), optional, colour scale; (-1, 1) if any value is negative,
        else (0, 1). NaN entries (steps not yet taken) stay blank.
    """
    hidden = np.asarray(hidden)
    T, H = hidden.shape
    order = np.arange(H) if unit_order is None else np.asarray(unit_order)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True,
                               gridspec_kw={"width_ratios": [3, 2]})
    ax_hidden, ax_bits = axes
    low, high = value_range or ((-1, 1) if np.nanmin(hidden) < 0 else (0, 1))
    image = ax_hidden.imshow(hidden[:, order].T, aspect="auto", cmap="RdBu_r", vmin=low,
                             vmax=high)
    ax_hidden.set_yticks(range(H), [f"h{k}" for k in order], fontsize=7)
    ax_hidden.set_xticks(range(T))
    ax_hidden.set_xlabel("time step t (bit position, least significant first)")
    ax_hidden.set_title(title or "Hidden state h_t")
    ax_hidden.figure.colorbar(image, ax=ax_hidden, fraction=0.04, pad=0.02)
    rows = np.stack([a_bits, b_bits, carry, sum_bits])
    ax_bits.imshow(rows, aspect="auto", cmap="Greys", vmin=0, vmax=1.6)
    for (r, t), value in np.ndenumerate(rows):
        ax_bits.text(t, r, str(int(value)), ha="center", va="center",
                     color="white" if value else "black", fontsize=10)
    ax_bits.set_yticks(range(4), ["a", "b", "carry out", "predicted sum"])
    ax_bits.set_xticks(range(T))
    ax_bits.set_xlabel("time step t")
    ax_bits.set_title("Inputs, carry and output")
    if current_step is not None:
        for ax, height in ((ax_hidden, H), (ax_bits, 4)):
            ax.add_patch(plt.Rectangle((current_step - 0.5, -0.5), 1, height, fill=False,
                                       edgecolor="orange", lw=2.5))
    return axes


def plot_carry_tracking(correlations, hidden_values, carry, unit: int, axes=None):
    """Left: each unit's correlation with the carry. Right: the best unit's values by carry.

    Parameters
    ----------
    correlations : ndarray, shape (H,)
    hidden_values : ndarray, shape (M,), the chosen unit's value at M (example, step) pairs.
    carry : ndarray, shape (M,), the carry at the same pairs.
    unit : int, the chosen unit.
    """
    correlations = np.asarray(correlations)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    ax_corr, ax_hist = axes
    colors = ["tab:orange" if k == unit else "tab:blue" for k in range(len(correlations))]
    ax_corr.bar(range(len(correlations)), correlations, color=colors)
    ax_corr.axhline(0, color="0.5", lw=0.8)
    ax_corr.set_ylim(-1.05, 1.05)
    ax_corr.set_xticks(range(len(correlations)))
    ax_corr.set_xlabel("hidden unit")
    ax_corr.set_ylabel("correlation with the carry")
    ax_corr.set_title("Which units track the carry?")
    bins = np.linspace(np.min(hidden_values), np.max(hidden_values), 41)
    for value, color in ((0, "tab:blue"), (1, "tab:red")):
        ax_hist.hist(hidden_values[carry == value], bins=bins, color=color, alpha=0.6,
                     label=f"carry = {value}")
    ax_hist.set_yscale("log")
    ax_hist.set_xlabel(f"value of unit h{unit}")
    ax_hist.set_ylabel("time steps (log scale)")
    ax_hist.set_title(f"Values of unit h{unit}, by carry")
    ax_hist.legend()
    return axes


def plot_length_generalisation(widths, accuracies: dict, ax=None):
    """Exact-sum accuracy against the number of bits, one line per ``{label: accuracies}``."""
    ax = ax or plt.gca()
    styles = [("o", "-"), ("s", "--"), ("^", ":"), ("d", "-.")]
    for (label, values), (marker, line) in zip(accuracies.items(), styles * 4):
        ax.plot(widths, 100 * np.asarray(values), marker=marker, linestyle=line, label=label,
                markersize=8 if marker == "s" else 6)
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_ylim(-3, 103)
    ax.set_xlabel("bits of the sum (time steps)")
    ax.set_ylabel("exact sums (%)")
    ax.set_title("Trained on 8 bits, tested on longer numbers")
    ax.legend(loc="lower left")
    return ax
