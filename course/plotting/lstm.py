"""Figures of notebook 07: the lag sweep, learning curves, gradient flow, the forget gate,
clipping. Each function draws on the axes it is given (or new ones) and returns them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

COLORS = {"rnn": style.color("rnn"), "lstm": style.color("lstm")}
LABELS = {"rnn": "plain RNN (tanh)", "lstm": "LSTM"}


def _axes(ax, figsize=(7, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def plot_lag_sweep(runs: list[dict], budget: int, solved_mse: float, baseline: float,
                   axes=None):
    """Left: updates needed to reach ``solved_mse`` against the lag T (one dot per seed, the
    line through the medians; runs that never got there sit on the budget line, hollow).
    Right: the best validation MSE each run reached, with the baseline of predicting 1."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    lags = sorted({run["T"] for run in runs})
    for cell, shift in (("rnn", 0.96), ("lstm", 1.04)):
        color = COLORS[cell]
        medians = []
        for T in lags:
            mine = [run for run in runs if run["cell"] == cell and run["T"] == T]
            solved = [run["solved_at"] for run in mine if run["solved_at"] is not None]
            failed = len(mine) - len(solved)
            axes[0].scatter([T * shift] * len(solved), solved, color=color, s=18, alpha=0.8,
                            marker=style.marker(cell))
            if failed:
                axes[0].scatter([T * shift] * failed, [budget] * failed, facecolors="none",
                                edgecolors=color, s=40, marker=style.marker(cell))
            all_steps = [run["solved_at"] if run["solved_at"] is not None else np.inf
                         for run in mine]
            medians.append(np.median(all_steps))
            best = [min(run["val_mse"]) for run in mine]
            axes[1].scatter([T * shift] * len(best), best, color=color, s=18, alpha=0.8,
                            marker=style.marker(cell))
        finite = [(T, m) for T, m in zip(lags, medians) if np.isfinite(m)]
        if finite:
            axes[0].plot(*zip(*finite), color=color, label=LABELS[cell])
    axes[0].axhline(budget, **style.line("threshold"), lw=1)
    axes[0].text(lags[-1], budget * 1.03, f"budget: {budget} updates (hollow: not solved)",
                 fontsize=8, color=style.color("threshold"), va="bottom", ha="right")
    axes[0].set(xscale="log", xlabel="sequence length T", ylim=(0, budget * 1.15),
                ylabel=f"updates to validation MSE < {solved_mse:g}",
                title="How long each network needs to learn")
    axes[1].axhline(baseline, **style.line("baseline"), lw=1, label=f"predict 1: {baseline:.3f}")
    axes[1].axhline(solved_mse, **style.line("threshold"), lw=1, label=f"solved: {solved_mse:g}")
    axes[1].set(xscale="log", yscale="log", xlabel="sequence length T",
                ylabel="best validation MSE", title="How far each network gets")
    for ax in axes:
        ax.set_xticks(lags, [str(T) for T in lags])
        ax.minorticks_off()
    axes[0].legend(loc="center left", fontsize=8)
    axes[1].legend(loc="upper left", fontsize=8)
    return axes


def plot_validation_curves(curves: dict, baseline: float, solved_mse: float, ax=None,
                           title: str = ""):
    """Validation MSE against updates for each ``{label: (steps, val_mse, cell)}``."""
    ax = _axes(ax)
    for label, (steps, val_mse, cell) in curves.items():
        ax.plot(steps, val_mse, color=COLORS.get(cell), label=label)
    ax.axhline(baseline, **style.line("baseline"), lw=1, label=f"predict 1: {baseline:.3f}")
    ax.axhline(solved_mse, **style.line("threshold"), lw=1, label=f"solved: {solved_mse:g}")
    ax.set(yscale="log", xlabel="updates", ylabel="validation MSE", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_gradient_norms(norms: dict, ax=None, title: str = ""):
    """||dL/dh_t|| against t for each ``{label: (norms (T,), cell, linestyle)}``, log scale."""
    ax = _axes(ax)
    for label, (values, cell, style) in norms.items():
        ax.plot(np.arange(len(values)), values, color=COLORS.get(cell), ls=style, label=label)
    ax.set(yscale="log", xlabel="time step t", ylabel="||dL/dh_t||", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_forget_gate(forget, cell_state, markers, ax=None, title: str = "",
                     highlight: int | None = None):
    """The forget gate of every unit over one sequence (image, units x steps) with the marked
    steps drawn as lines; beside it the cell states of the same units, unit ``highlight`` (if
    given) in thick black."""
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    image = ax[0].imshow(forget.T, aspect="auto", cmap=style.cmap("sequential"), vmin=0, vmax=1,
                         interpolation="nearest")
    plt.colorbar(image, ax=ax[0], label="forget gate f")
    ax[1].plot(cell_state, lw=1, alpha=0.6 if highlight is not None else 1.0)
    if highlight is not None:
        ax[1].plot(cell_state[:, highlight], color=style.color("highlight"), lw=2.5,
                   label=f"unit {highlight}")
        ax[1].legend(fontsize=8, loc="best")
    for step in markers:
        for axis in ax:
            axis.axvline(step, color=style.color("highlight"), lw=1, ls="--")
    ax[0].set(xlabel="time step t", ylabel="unit", title=title or "Forget gate f_t")
    ax[1].set(xlabel="time step t", ylabel="c_t", title="Cell states c_t (dashed: marked steps)")
    return ax


def plot_clipping(histories: dict, baseline: float | None = None, axes=None):
    """Training loss and gradient norm per update for each ``{label: History}`` whose metric
    is the gradient norm (log scales); ``baseline``, if given, is drawn on the loss panel."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    for k, (label, history) in enumerate(histories.items()):
        axes[0].plot(history.steps, history.train_loss, marker=".",
                     **style.series(label, k, markers=False), label=label)
        axes[1].plot(history.steps, history.train_metric, marker=".",
                     **style.series(label, k, markers=False), label=label)
    if baseline is not None:
        axes[0].axhline(baseline, **style.line("baseline"), lw=1,
                        label=f"predict 1: {baseline:.3f}")
    axes[0].set(yscale="log", xlabel="update", ylabel="training MSE",
                title="Training loss: it explodes without clipping")
    axes[1].set(yscale="log", xlabel="update", ylabel="gradient norm (before clipping)",
                title="Global gradient norm")
    for ax in axes:
        ax.legend(fontsize=8)
    return axes
