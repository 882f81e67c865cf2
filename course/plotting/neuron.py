"""Figures of notebook 01. Presentation layer: imports matplotlib, nothing imports it back."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.activations import sigmoid, sigmoid_slope


def plot_sigmoid(ax=None, z_range: float = 8.0):
    """Draw the sigmoid and its slope against the weighted sum z on one axes; returns the axes."""
    ax = ax or plt.gca()
    z = np.linspace(-z_range, z_range, 401)
    out = sigmoid(z)
    ax.plot(z, out, label="sigmoid(z)")
    ax.plot(z, sigmoid_slope(out), label="slope = out (1 - out)")
    ax.axhline(0.5, color=style.color("guide"), lw=0.8, zorder=0)
    ax.axvline(0.0, color=style.color("guide"), lw=0.8, zorder=0)
    ax.set_xlabel("z (weighted sum of the inputs)")
    ax.set_ylabel("value")
    ax.set_title("The sigmoid squashes; its slope is largest at z = 0")
    ax.legend(loc="center right")
    return ax


def plot_neuron_history(history, weights, axes=None, title_suffix: str = ""):
    """Two panels: mean |error| (log-log) and each weight, against the epoch.

    Parameters
    ----------
    history : nnlib.train.History
        From ``fit`` with ``metric=nnlib.neuron.mean_abs_error``, so that ``train_metric`` is
        the mean |y - y_hat| at each recorded epoch.
    weights : array_like, shape (K, D)
        The weights at the same K recorded epochs.
    axes : pair of matplotlib axes, optional (a new 1 x 2 figure otherwise)
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    ax_error, ax_weights = axes
    epochs = np.asarray(history.epochs)
    weights = np.asarray(weights)
    # Epoch 0 cannot sit on a log axis; shift by one so the first record shows.
    ax_error.loglog(epochs + 1, history.train_metric, **style.line("train", markers=False))
    ax_error.set_xlabel("epoch + 1 (one epoch = one full-batch step)")
    ax_error.set_ylabel("mean |y - y_hat|")
    ax_error.set_title("Error over training" + title_suffix)
    ax_error.grid(True, which="major", color=style.color("shade"))
    for i in range(weights.shape[1]):
        ax_weights.semilogx(epochs + 1, weights[:, i], label=f"w{i + 1}")
    ax_weights.axhline(0.0, color=style.color("guide"), lw=0.8, zorder=0)
    ax_weights.set_xlabel("epoch + 1")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("The three weights" + title_suffix)
    ax_weights.legend()
    return axes
