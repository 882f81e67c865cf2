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
    """Two panels: mean |error| (log-log, with the predicted t^(-1/2) line) and each weight,
    against the epoch.

    Parameters
    ----------
    history : nnlib.train.History
        From ``fit`` with ``metric=nnlib.neuron.mean_abs_error``, so that ``train_metric`` is
        the mean |y - y_hat| at each recorded epoch.
    weights : array_like, shape (K, D)
        The weights at the same K recorded epochs.
    axes : pair of matplotlib axes, optional (a new 1 x 2 figure otherwise)

    Notes
    -----
    Epoch 0 has no place on a log axis and is left out; every other record is drawn at its own
    epoch (shifting all epochs by one would bend the first decade of a sparse record into a
    kink that is not in the data). The reference line c t^(-1/2) passes through the last record.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    ax_error, ax_weights = axes
    epochs = np.asarray(history.epochs)
    errors = np.asarray(history.train_metric)
    weights = np.asarray(weights)
    shown = epochs > 0
    ax_error.loglog(epochs[shown], errors[shown], label="measured",
                    **style.line("train", markers=False))
    if shown.sum() >= 2:
        t = epochs[shown]
        reference = errors[shown][-1] * np.sqrt(t[-1] / t)
        ax_error.loglog(t, reference, label=r"$\propto t^{-1/2}$ (predicted)",
                        **style.line("bound"))
        ax_error.legend(loc="lower left")
    ax_error.set_xlabel("epoch t (one epoch = one full-batch step)")
    ax_error.set_ylabel("mean |y - y_hat|")
    ax_error.set_title("Error over training" + title_suffix)
    ax_error.grid(True, which="major", color=style.color("shade"))
    for i in range(weights.shape[1]):
        ax_weights.semilogx(epochs[shown], weights[shown, i], label=f"w{i + 1}",
                            **style.cycle(i))
    ax_weights.axhline(0.0, color=style.color("guide"), lw=0.8, zorder=0)
    ax_weights.set_xlabel("epoch t")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("The three weights" + title_suffix)
    if shown.any():
        style.label_lines(ax_weights)
    return axes


def plot_learning_rates(rates, errors, reached, stall: int, threshold: float = 0.01):
    """Two panels for the learning-rate experiment of notebook 01; returns the figure.

    Left: mean |error| against learning rate x epochs (log-log) for every rate, from
    rate x epochs = 1 (earlier records of the small rates would stretch the axis and squeeze
    the rest), in the sequential colours of an ordered quantity, with markers. Right: the two
    largest rates against the epoch itself (linear, every epoch marked, up to just after the
    largest rate reaches the target), where its stall and lurch show, the stall's end marked.

    Parameters
    ----------
    rates : sequence of K floats, increasing
    errors : array, shape (T, K): mean |error| before each of the first T epochs, per rate
    reached : sequence of K ints: the epoch each rate first reached ``threshold``
    stall : int, the epoch the largest rate leaves its plateau
    """
    rates = np.asarray(rates, dtype=float)
    colours = style.sequence(len(rates))
    markers = ["o", "s", "^", "D", "v", "P"]
    figure, (ax_all, ax_big) = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True,
                                            gridspec_kw={"width_ratios": [1.25, 1]})
    for k, rate in enumerate(rates):
        t = np.arange(1, reached[k] + 1)
        keep = rate * t >= 1
        x, e = rate * t[keep], errors[1:reached[k] + 1, k][keep]
        # Markers at about 12 evenly spaced places on the log axis.
        marks = np.unique(np.geomspace(1, len(x), 12).astype(int) - 1)
        ax_all.loglog(x, e, color=colours[k], marker=markers[k % len(markers)],
                      markevery=list(marks), lw=1.4 if k else 3.0, label=f"η = {rate:g}")
    ax_all.axhline(threshold, **style.line("threshold"), lw=1.0)
    ax_all.text(1.1, threshold * 0.9, f"target {threshold:g}", va="top",
                color=style.color("threshold"))
    ax_all.set_xlabel("learning rate x epochs, η t")
    ax_all.set_ylabel("mean |y - y_hat|")
    # The last record of a large rate can lie far below the target: the axis stops just under
    # the target, so that one point does not squeeze every curve into the top of the panel.
    ax_all.set_ylim(threshold / 2, 0.8)
    ax_all.set_title("Only η t matters, up to η = 10")
    ax_all.legend(loc="lower left", bbox_to_anchor=(0.0, 0.1))
    last = len(rates) - 1
    window = reached[last] + 4  # up to just past the largest rate's arrival, every epoch marked
    for k in (last - 1, last):
        t = np.arange(min(reached[k] + 1, window))
        ax_big.plot(t, errors[:len(t), k], color=colours[k], marker=markers[k % len(markers)],
                    ms=4, label=f"η = {rates[k]:g}")
    ax_big.axhline(threshold, **style.line("threshold"), lw=1.0)
    ax_big.axvline(stall, color=style.color("muted"), lw=0.8, zorder=0)
    ax_big.annotate(f"η = {rates[last]:g} leaves the\nplateau at epoch {stall}",
                    (stall, 0.45), xytext=(stall * 0.2, 0.3),
                    arrowprops={"arrowstyle": "->", "color": style.color("ink")})
    ax_big.set_xlabel("epoch t")
    ax_big.set_ylabel("mean |y - y_hat|")
    ax_big.set_ylim(0, 0.65)
    ax_big.set_xlim(-1, window)
    ax_big.set_title("The two largest rates, step by step")
    ax_big.legend(loc="upper left", ncol=2)
    return figure
