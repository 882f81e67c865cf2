"""Figures the notebooks draw. Presentation layer: imports matplotlib, nothing imports it back."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope


def plot_sigmoid(ax=None, x_range: float = 8.0):
    """Draw the sigmoid and its slope on one axes; returns the axes."""
    ax = ax or plt.gca()
    x = np.linspace(-x_range, x_range, 401)
    out = sigmoid(x)
    ax.plot(x, out, label="sigmoid(x)")
    ax.plot(x, sigmoid_slope(out), label="slope = out (1 - out)")
    ax.axhline(0.5, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("x (weighted sum of inputs)")
    ax.set_title("The sigmoid squashes; its slope is largest at 0")
    ax.legend(loc="center right")
    return ax


def plot_neuron_history(history, axes=None, title_suffix: str = ""):
    """Two panels: mean |error| (log scale) and each weight, against the iteration.

    Parameters
    ----------
    history : nnlib.neuron.NeuronHistory
    axes : pair of matplotlib axes, optional (a new 1 x 2 figure otherwise)
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    ax_error, ax_weights = axes
    steps = history.steps
    # Iteration 0 cannot sit on a log axis; shift by one so the first record shows.
    ax_error.loglog(steps + 1, history.mean_abs_error)
    ax_error.set_xlabel("iteration + 1")
    ax_error.set_ylabel("mean |y - y_hat|")
    ax_error.set_title("Error over training" + title_suffix)
    for i in range(history.weights.shape[1]):
        ax_weights.semilogx(steps + 1, history.weights[:, i], label=f"w{i + 1}")
    ax_weights.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax_weights.set_xlabel("iteration + 1")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("The three weights" + title_suffix)
    ax_weights.legend()
    return axes
