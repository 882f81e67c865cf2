"""Figures of notebook 07: the lag sweep, learning curves, gradient flow, the forget gate,
clipping. Each function draws on the axes it is given (or new ones) and returns them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

COLORS = {"rnn": style.color("rnn"), "lstm": style.color("lstm"), "gru": style.color("gru")}
LABELS = {"rnn": "plain RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
CELL_SHIFTS = {"rnn": -0.13, "lstm": 0.0, "gru": 0.13}   # log-x offsets of the families


def _axes(ax, figsize=(7, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def _seed_x(T: float, cell: str, seed: int, seeds: int) -> float:
    """Where a run's dot goes on the log lag axis: its family's offset, then one small step
    per seed, so that seeds with equal values sit side by side rather than on one another."""
    spread = 0.035 * (seed - (seeds - 1) / 2)
    return T * np.exp(CELL_SHIFTS[cell] + spread)


def plot_lag_sweep(runs: list[dict], budget: int, solved_mse: float, baseline: float,
                   axes=None, bars: dict | None = None):
    """Left: updates needed to reach ``solved_mse`` against the lag T (one dot per seed, side
    by side; the line through the medians; runs that never got there sit on the budget line,
    hollow). Right: the best validation MSE each run reached, with the baseline of predicting 1
    and any further ``bars`` ({label: value}, grey dotted)."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(style.MAX_WIDTH, 3.8), constrained_layout=True)
    lags = sorted({run["T"] for run in runs})
    cells = [cell for cell in ("rnn", "lstm", "gru") if any(run["cell"] == cell for run in runs)]
    seeds = 1 + max(run["seed"] for run in runs)
    for cell in cells:
        color, marker = COLORS[cell], style.marker(cell)
        medians = []
        for T in lags:
            mine = sorted((run for run in runs if run["cell"] == cell and run["T"] == T),
                          key=lambda run: run["seed"])
            if not mine:
                continue
            for run in mine:
                x = _seed_x(T, cell, run["seed"], seeds)
                if run["solved_at"] is None:
                    axes[0].scatter([x], [budget], facecolors="none", edgecolors=color, s=30,
                                    marker=marker)
                else:
                    axes[0].scatter([x], [run["solved_at"]], color=color, s=22, marker=marker)
                axes[1].scatter([x], [min(run["val_mse"])], color=color, s=22, marker=marker)
            all_steps = [run["solved_at"] if run["solved_at"] is not None else np.inf
                         for run in mine]
            medians.append((T, np.median(all_steps)))
        finite = [(T, m) for T, m in medians if np.isfinite(m)]
        if finite:
            axes[0].plot(*zip(*finite), color=color, label=LABELS[cell])
    axes[0].axhline(budget, **style.line("threshold"), lw=1)
    axes[0].text(0.02, budget * 1.03, f"budget: {budget} updates (hollow: not solved)",
                 color=style.color("threshold"), va="bottom", ha="left",
                 transform=axes[0].get_yaxis_transform())
    axes[0].set(xscale="log", xlabel="sequence length T", ylim=(0, budget * 1.15),
                ylabel=f"updates to validation MSE < {solved_mse:g}",
                title="How long each network needs to learn")
    axes[1].axhline(baseline, **style.line("baseline"), lw=1, label=f"predict 1: {baseline:.3f}")
    for label, value in (bars or {}).items():
        axes[1].axhline(value, color=style.color("baseline"), ls=(0, (1, 3)), lw=1.2,
                        label=f"{label}: {value:.3f}")
    axes[1].axhline(solved_mse, **style.line("threshold"), lw=1, label=f"solved: {solved_mse:g}")
    axes[1].set(xscale="log", yscale="log", xlabel="sequence length T",
                ylabel="best validation MSE", title="How far each network gets")
    for ax in axes:
        ax.set_xticks(lags, [str(T) for T in lags])
        ax.minorticks_off()
    axes[0].legend(loc="center left")
    axes[1].legend(loc="center left")
    return axes


def plot_validation_curves(curves: dict, baseline: float, solved_mse: float, ax=None,
                           title: str = "", bars: dict | None = None):
    """Validation MSE against updates for each ``{label: (steps, val_mse, cell)}``, with the
    baseline of predicting 1, the solved threshold and any further ``bars`` ({label: value})."""
    ax = _axes(ax)
    for label, (steps, val_mse, cell) in curves.items():
        ax.plot(steps, val_mse, color=COLORS.get(cell), label=label)
    ax.axhline(baseline, **style.line("baseline"), lw=1, label=f"predict 1: {baseline:.3f}")
    for name, value in (bars or {}).items():
        ax.axhline(value, color=style.color("baseline"), ls=(0, (1, 3)), lw=1.2,
                   label=f"{name}: {value:.3f}")
    ax.axhline(solved_mse, **style.line("threshold"), lw=1, label=f"solved: {solved_mse:g}")
    ax.set(yscale="log", xlabel="updates", ylabel="validation MSE", title=title)
    ax.legend()
    return ax


def plot_gradient_norms(norms: dict, ax=None, title: str = ""):
    """||dL/dh_t|| against t for each ``{label: (norms (T,), cell, linestyle)}``, log scale."""
    ax = _axes(ax)
    for label, (values, cell, style) in norms.items():
        ax.plot(np.arange(len(values)), values, color=COLORS.get(cell), ls=style, label=label)
    ax.set(yscale="log", xlabel="time step t", ylabel="||dL/dh_t||", title=title)
    ax.legend()
    return ax


def plot_forget_gate(forget, cell_state, markers, ax=None, title: str = "",
                     highlight: int | None = None):
    """The forget gate of every unit over one sequence (image, units x steps) with the marked
    steps drawn as lines; beside it the cell states of the same units, unit ``highlight`` (if
    given) in thick black."""
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(style.MAX_WIDTH, 3.6), constrained_layout=True)
    image = ax[0].imshow(forget.T, aspect="auto", cmap=style.cmap("sequential"), vmin=0, vmax=1,
                         interpolation="nearest")
    plt.colorbar(image, ax=ax[0], label="forget gate f")
    ax[1].plot(cell_state, lw=1, alpha=0.6 if highlight is not None else 1.0)
    if highlight is not None:
        ax[1].plot(cell_state[:, highlight], color=style.color("highlight"), lw=2.5,
                   label=f"unit {highlight}")
        ax[1].legend(loc="best")
    for step in markers:
        for axis in ax:
            axis.axvline(step, color=style.color("highlight"), lw=1, ls="--")
    ax[0].set(xlabel="time step t", ylabel="unit", title=title or "Forget gate f_t")
    ax[1].set(xlabel="time step t", ylabel="c_t", title="Cell states c_t (dashed: marked steps)")
    return ax


def plot_clipping(histories: dict, baseline: float | None = None, axes=None,
                  clip_norms: dict | None = None):
    """Training loss and gradient norm per update for each ``{label: History}`` whose metric
    is the gradient norm (log scales); ``baseline``, if given, is drawn on the loss panel, and
    each ``clip_norms`` entry ({label: threshold}) as a threshold line on the norm panel."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(style.MAX_WIDTH, 3.6), constrained_layout=True)
    clipped = 0
    for k, (label, history) in enumerate(histories.items()):
        settings = style.series(label, k, markers=False)
        if style.concept_of(label) == "clipped":   # several thresholds: one colour, two dashes
            settings.update(linestyle=("-", ":")[clipped % 2], lw=(1.0, 2.2)[clipped % 2])
            clipped += 1
        for ax, values in ((axes[0], history.train_loss), (axes[1], history.train_metric)):
            ax.plot(history.steps, values, **settings, label=label)
    if baseline is not None:
        axes[0].axhline(baseline, **style.line("baseline"), lw=1,
                        label=f"predict 1: {baseline:.3f}")
    for label, value in (clip_norms or {}).items():
        axes[1].axhline(value, **style.line("threshold"), lw=1)
        axes[1].text(0.99, value, label, va="bottom", ha="right", color=style.color("threshold"),
                     transform=axes[1].get_yaxis_transform())
    axes[0].set(yscale="log", xlabel="update", ylabel="training MSE",
                title="Training loss: it explodes without clipping")
    axes[1].set(yscale="log", xlabel="update", ylabel="gradient norm (before clipping)",
                title="Global gradient norm")
    for ax in axes:
        ax.legend()
    return axes


def plot_gru_runs(runs: list[dict], solved_mse: float, baseline: float, ax=None,
                  title: str = ""):
    """Validation MSE against updates of several runs ``[{"cell", "steps", "val_mse",
    "label"}]``, each in its family's colour and marker."""
    ax = _axes(ax)
    for run in runs:
        ax.plot(run["steps"], run["val_mse"], color=COLORS[run["cell"]],
                marker=style.marker(run["cell"]), markersize=3, label=run["label"])
    ax.axhline(baseline, **style.line("baseline"), lw=1, label=f"predict 1: {baseline:.3f}")
    ax.axhline(solved_mse, **style.line("threshold"), lw=1, label=f"solved: {solved_mse:g}")
    ax.set(yscale="log", xlabel="updates", ylabel="validation MSE", title=title)
    ax.legend()
    return ax
