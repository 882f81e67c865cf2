"""Figures of notebook 04 (the binary-addition RNN). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style


def plot_accuracy_curves(curves: dict, examples_per_epoch: int, axes=None):
    """Exact-sum accuracy against training examples seen, for ``{label: nnlib History}``.

    Two panels, held-out pairs (the History's validation set) on the left and training pairs on
    the right, so that two curves both at 100 % never hide each other; one colour and marker
    per network in both. Each recorded epoch has seen ``examples_per_epoch`` more examples
    (the number of training pairs: the last minibatch of an epoch may be smaller).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, constrained_layout=True)
    markers = ("o", "s", "^", "D")
    for panel, (ax, split) in enumerate(zip(axes, ("held-out", "training"))):
        for k, (label, history) in enumerate(curves.items()):
            seen = np.asarray(history.epochs) * examples_per_epoch
            values = history.val_metric if split == "held-out" else history.train_metric
            ax.plot(seen, 100 * np.asarray(values), color=style.cycle(k)["color"],
                    linestyle=style.cycle(k)["linestyle"], marker=markers[k % len(markers)],
                    markersize=9 if k else 5, markerfacecolor="none" if k else None,
                    label=label)
        ax.axhline(100, **style.line("threshold"), lw=1, zorder=0)
        ax.set_ylim(-3, 105)
        ax.set_xlabel("training examples seen")
        ax.set_title(f"{split} pairs")
    axes[0].set_ylabel("exact sums (%)")
    axes[0].text(0.98, 0.03, "100 %: every sum exact (dash-dot)", transform=axes[0].transAxes,
                 ha="right", va="bottom", color=style.color("threshold"))
    axes[1].legend(loc="lower right")
    return axes


def plot_unrolled(T: int = 4, truncate: int | None = None, backward: bool = True, ax=None):
    """The RNN unrolled over ``T`` steps with backpropagation through time.

    Forward arrows (black): x_t -> h_t -> z_t -> L_t and h_(t-1) -> h_t, the same U, W, V at
    every step. Backward arrows (the "gradient" concept, dashed): each loss term's gradient
    down into its h_t, and dL/dh_(t-1) from step t back into step t-1. With ``truncate=k``
    (``nnlib.rnn.rnn_backward``'s windows of k steps) the backward arrows from a window's first
    step into the previous window are cut: a boundary line and a cross mark where they would
    be. ``backward=False``: the forward pass only.
    """
    from course.plotting.diagrams import arrow, box

    dx = 2.2
    if ax is None:
        _, ax = plt.subplots(figsize=(min(9.0, 2.0 + 1.75 * T), 4.4), constrained_layout=True)
    for t in range(T):
        x = dx * t
        box(ax, x, 0, f"$x_{{{t}}}$")
        box(ax, x, 1.5, f"$h_{{{t}}}$", face="cell")
        box(ax, x, 3.0, f"$z_{{{t}}}$")
        ax.text(x, 4.15, f"$L_{{{t}}}$", ha="center", va="center", fontsize=11)
        arrow(ax, (x - 0.2, 0.3), (x - 0.2, 1.2), shrink=2)
        arrow(ax, (x - 0.2, 1.8), (x - 0.2, 2.7), shrink=2)
        arrow(ax, (x - 0.2, 3.3), (x - 0.2, 3.95), shrink=2)
        ax.text(x - 0.3, 0.75, "U", ha="right", va="center", fontsize=10)
        ax.text(x - 0.3, 2.25, "V", ha="right", va="center", fontsize=10)
        if backward:  # the loss term's own gradient, down into h_t
            arrow(ax, (x + 0.2, 3.95), (x + 0.2, 1.8), "gradient", shrink=2)
        arrow(ax, (x - dx + 0.45 if t else x - 1.5, 1.5), (x - 0.45, 1.5), shrink=2)
        if t:
            ax.text(x - dx / 2, 1.62, "W", ha="center", fontsize=10, zorder=3,
                    bbox=dict(boxstyle="square,pad=0.1", fc=style.color("paper"), lw=0))
            if not backward:
                continue
            cut = truncate is not None and t % truncate == 0
            if cut:
                ax.axvline(x - dx / 2, **style.line("threshold"), lw=1)
                ax.plot(x - dx / 2, 0.9, marker="x", markersize=10, mew=2,
                        color=style.color("gradient"))
            else:
                arrow(ax, (x - 0.45, 1.25), (x - dx + 0.45, 1.25), "gradient", rad=-0.35,
                      shrink=2)
                ax.text(x - dx / 2, 0.62, rf"$\partial L/\partial h_{{{t - 1}}}$",
                        ha="center", fontsize=9, color=style.color("gradient"))
    ax.text(-1.5, 1.72, "$h_{-1} = 0$", fontsize=9)
    ax.set_xlim(-1.6, dx * (T - 1) + 0.8)
    ax.set_ylim(-0.9, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    note = ("the forward pass" if not backward else
            "full BPTT: every step's gradient reaches back to the first step" if truncate is None
            else f"truncated BPTT, windows of {truncate} steps: nothing crosses a window's start")
    ax.set_title(f"The RNN unrolled over {T} steps, the same U, W, V at every step\n{note}",
                 fontsize=style.SMALL_FONT_SIZE + 1)
    if backward:
        ax.plot([], [], color=style.color("forward"), label="forward")
        ax.plot([], [], color=style.color("gradient"), ls=style.linestyle("gradient"),
                label="gradient, flowing back")
        ax.legend(loc="lower left", ncol=2, frameon=False)
    return ax


def plot_hidden_and_carry(hidden, carry, a_bits, b_bits, sum_bits, unit_order=None,
                          axes=None, title: str = "", current_step: int | None = None,
                          value_range=None, true_bits=None):
    """Heat map of the hidden state over time (left) beside the carry and the bits (right).

    Parameters
    ----------
    hidden : ndarray, shape (T, H), hidden states of one example, time along the x axis.
    carry : ndarray, shape (T,), the true carry out of each position.
    a_bits, b_bits, sum_bits : ndarrays, shape (T,), the inputs and the predicted sum bits.
    true_bits : ndarray, shape (T,), optional, the true sum bits (a row of their own).
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
        _, axes = plt.subplots(1, 2, figsize=(9, 4.2), constrained_layout=True,
                               gridspec_kw={"width_ratios": [3, 2]})
    ax_hidden, ax_bits = axes
    low, high = value_range or ((-1, 1) if np.nanmin(hidden) < 0 else (0, 1))
    image = ax_hidden.imshow(hidden[:, order].T, aspect="auto", cmap=style.cmap("diverging"),
                             vmin=low, vmax=high)
    every = max(1, -(-H // 16))                   # at most 16 unit labels, at 9 pt
    ax_hidden.set_yticks(range(0, H, every), [f"h{k}" for k in order[::every]],
                         fontsize=style.SMALL_FONT_SIZE)
    ax_hidden.set_xticks(range(T))
    ax_hidden.set_xlabel("time step t (bit position, least significant first)")
    ax_hidden.set_title(title or "Hidden state h_t")
    ax_hidden.figure.colorbar(image, ax=ax_hidden, fraction=0.04, pad=0.02,
                              label="value of the hidden unit")
    names = ["a", "b", "carry out of t", "predicted sum"]
    rows = [a_bits, b_bits, carry, sum_bits]
    if true_bits is not None:
        names.insert(3, "true sum")
        rows.insert(3, true_bits)
    rows = np.stack(rows)
    ax_bits.imshow(rows, aspect="auto", cmap=style.cmap("ink"), vmin=0, vmax=1.6)
    for (r, t), value in np.ndenumerate(rows):
        ax_bits.text(t, r, str(int(value)), ha="center", va="center",
                     color=style.color("paper") if value else style.color("ink"), fontsize=10)
    ax_bits.set_yticks(range(len(names)), names)
    ax_bits.set_xticks(range(T))
    ax_bits.set_xlabel("time step t (least significant bit first)")
    ax_bits.set_title("Inputs, carry and output")
    if current_step is not None:
        for ax, height in ((ax_hidden, H), (ax_bits, len(names))):
            ax.add_patch(plt.Rectangle((current_step - 0.5, -0.5), 1, height, fill=False,
                                       edgecolor=style.color("highlight"), lw=2.5))
    return axes


def plot_carry_tracking(correlations, hidden_values, carry, unit: int, axes=None,
                        strong: float | None = None, cut: float | None = None):
    """Left: each unit's correlation with the carry. Right: the best unit's values by carry.

    Parameters
    ----------
    correlations : ndarray, shape (H,)
    hidden_values : ndarray, shape (M,), the chosen unit's value at M (example, step) pairs.
    carry : ndarray, shape (M,), the carry at the same pairs.
    unit : int, the chosen unit.
    strong : float, optional: the |correlation| the text counts units above (threshold lines
        at +strong and -strong).
    cut : float, optional: the chosen unit's threshold for predicting the carry (a threshold
        line on the right).
    """
    correlations = np.asarray(correlations)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    ax_corr, ax_hist = axes
    colors = [style.color("highlight") if k == unit else style.color("muted")
              for k in range(len(correlations))]
    ax_corr.bar(range(len(correlations)), correlations, color=colors)
    ax_corr.axhline(0, color=style.color("guide"), lw=0.8)
    if strong is not None:
        for level in (strong, -strong):
            ax_corr.axhline(level, **style.line("threshold"), lw=1)
        ax_corr.text(len(correlations) - 0.5, strong + 0.03, f"|correlation| = {strong:g}",
                     ha="right", va="bottom", color=style.color("threshold"))
    ax_corr.set_ylim(-1.05, 1.05)
    ax_corr.set_xticks(range(len(correlations)))
    ax_corr.set_xlabel("hidden unit")
    ax_corr.set_ylabel("correlation with the carry")
    ax_corr.set_title("Which units track the carry?")
    bins = np.linspace(np.min(hidden_values), np.max(hidden_values), 41)
    for value, color in ((0, style.color("class0")), (1, style.color("class1"))):
        ax_hist.hist(hidden_values[carry == value], bins=bins, color=color, alpha=0.6,
                     label=f"carry = {value}")
    ax_hist.set_yscale("log")
    if cut is not None:
        ax_hist.axvline(cut, **style.line("threshold"), lw=1.2, label="the threshold")
    ax_hist.set_xlabel(f"value of unit h{unit}")
    ax_hist.set_ylabel("time steps (log scale)")
    ax_hist.set_title(f"Values of unit h{unit}, by carry")
    ax_hist.legend()
    return axes


def plot_length_generalisation(widths, accuracies: dict, ax=None):
    """Exact-sum accuracy against the number of bits, one line per ``{label: accuracies}``."""
    ax = ax or plt.gca()
    styles = [("o", "-", 6), ("s", "--", 11), ("^", ":", 6), ("d", "-.", 6)]
    for k, ((label, values), (marker, line, size)) in enumerate(zip(accuracies.items(),
                                                                      styles * 4)):
        # Hollow, larger markers for the second line, so two lines at 100 % both stay visible.
        ax.plot(widths, 100 * np.asarray(values), marker=marker, linestyle=line, label=label,
                markersize=size, markerfacecolor="none" if k == 1 else None,
                lw=2.5 if k == 1 else 1.5, zorder=3 - k % 2)
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_ylim(-3, 103)
    ax.set_xlabel("bits of the sum (time steps)")
    ax.set_ylabel("exact sums (%)")
    ax.set_title("Trained on 8 bits, tested on longer numbers")
    ax.legend(loc="center right")   # away from the lines at 0 % and 100 %
    return ax


def plot_jacobian_norms(lags, norms: dict, ax=None):
    """Median spectral norm of dh_T/dh_{T-k} against k (log scale), ``{label: values}``."""
    ax = ax or plt.gca()
    for k, (label, values) in enumerate(norms.items()):
        ax.semilogy(lags, values, **style.cycle(k), marker=("o", "s")[k % 2], label=label)
    ax.axhline(1, **style.line("threshold"), lw=1, label="norm 1: grows above, shrinks below")
    ax.set_xlabel("k, steps back in time")
    ax.set_ylabel("median ||dh_T / dh_(T-k)||  (log)")
    ax.set_title("How much of a change k steps back reaches h_T")
    ax.legend()
    return ax


def plot_lag_task(lags, train_accuracy, held_accuracy, ax=None):
    """Accuracy on the remember-the-first-bit task against the lag.

    ``train_accuracy`` and ``held_accuracy`` have shape (L, R): L lags, R runs each. Each run's
    held-out accuracy is a dot; the lines join the means over the runs.
    """
    ax = ax or plt.gca()
    held, train = np.asarray(held_accuracy), np.asarray(train_accuracy)
    positions = np.asarray(lags, dtype=float)     # a true numeric axis: lags 4, 8, 16, ...
    spread = 0.012 * (positions.max() - positions.min() or 1)
    for run in range(held.shape[1]):
        ax.scatter(positions + spread * (run - (held.shape[1] - 1) / 2), 100 * held[:, run],
                   color=style.color("validation"), marker=style.marker("validation"), alpha=0.6,
                   s=28, label="held-out, one run" if run == 0 else None)
    ax.plot(positions, 100 * held.mean(axis=1), color=style.color("validation"), ls="-",
            label="held-out, mean of the runs")
    ax.plot(positions, 100 * train.mean(axis=1), color=style.color("train"), ls="--",
            label="training, mean of the runs")
    ax.axhline(50, **style.line("baseline"), lw=1, label="a coin flip")
    ax.set_xticks(positions, [str(lag) for lag in lags])
    ax.set_ylim(35, 105)
    ax.set_xlabel("lag: steps between the bit and the question")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Remember the first bit: the plain RNN fails as the lag grows")
    ax.legend(loc="lower left")
    return ax


def plot_clipping(runs: dict, axes=None):
    """Gradient norm (left, log) and minibatch loss (right) per step, ``{label: (norms,
    losses)}``; ln 2, the loss of a coin flip, as a dotted line on the right.

    Each label must name its run's concept ("no clipping" -> "unclipped", "clip_norm = 1" ->
    "clipped", ``style.concept_of``), which gives its colour and line style."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    for label, (norms, losses) in runs.items():
        concept = style.concept_of(label)
        if concept not in ("clipped", "unclipped"):
            raise ValueError(f"a run's label must say whether it is clipped, got {label!r}")
        axes[0].semilogy(norms, lw=0.8, **style.line(concept, markers=False), label=label)
        axes[1].plot(losses, lw=0.8, **style.line(concept, markers=False), label=label)
    axes[1].axhline(np.log(2), **style.line("baseline"), lw=0.8, label="ln 2 (a coin flip)")
    axes[0].set_xlabel("update")
    axes[0].set_ylabel("gradient norm before clipping (log)")
    axes[0].set_title("Global gradient norm")
    axes[1].set_xlabel("update")
    axes[1].set_ylabel("minibatch loss (nats)")
    axes[1].set_title("Loss")
    for ax in axes:
        ax.legend()
    return axes


def plot_truncation(runs: list[dict], live: dict | None = None, axes=None):
    """The adder trained with truncated BPTT (``course.rnn.truncation_run`` records).

    Left: held-out exact sums after each epoch, the mean over the seeds for each window
    ``truncate`` (colours in order of the window, ``style.sequence``). Right: each seed's first
    epoch with every held-out sum exact against the window, on a numeric axis (a run that never
    got there is drawn above the last epoch, as an open marker). ``live``: one run recomputed
    in the notebook, ringed in black on the right.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    ax_curve, ax_first = axes
    windows = sorted({run["truncate"] for run in runs})
    colours = style.sequence(len(windows))
    last_epoch = max(max(run["epochs"]) for run in runs)
    markers = ("o", "s", "^", "D", "v", "P", "X")
    for j, (colour, k) in enumerate(zip(colours, windows)):
        group = [run for run in runs if run["truncate"] == k]
        epochs = np.asarray(group[0]["epochs"])
        mean = 100 * np.mean([run["held_out"] for run in group], axis=0)
        # Hollow markers, larger for smaller k: curves that coincide at 100 % stay visible.
        ax_curve.plot(epochs, mean, color=colour, marker=markers[j % len(markers)],
                      markersize=11 - 1.5 * j, markerfacecolor="none", lw=1.5,
                      label=f"k = {k}" + (" (full BPTT)" if k >= 8 else ""))
        for j, run in enumerate(group):
            first = run["first_perfect"]
            y = first if first is not None else last_epoch + 2
            x = k + 0.12 * (j - (len(group) - 1) / 2)
            ax_first.plot(x, y, marker="o", markersize=7, linestyle="none", color=colour,
                          markerfacecolor=colour if first is not None else "none")
    ax_curve.axhline(100, **style.line("threshold"), lw=1)
    ax_curve.set_xlabel("epoch")
    ax_curve.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax_curve.set_ylabel("held-out exact sums (%), mean of the seeds")
    ax_curve.set_ylim(-3, 105)
    ax_curve.set_title("Training with BPTT cut into windows of k steps")
    ax_curve.legend(loc="lower right")
    if live is not None and live.get("first_perfect") is not None:
        ax_first.plot(live["truncate"], live["first_perfect"], marker="o", markersize=13,
                      markerfacecolor="none", markeredgecolor=style.color("highlight"),
                      linestyle="none", label="rerun in this notebook")
        ax_first.legend(loc="center right")
    ax_first.axhline(last_epoch, **style.line("bound"), lw=1)
    ax_first.text(max(windows), last_epoch - 0.3, "last epoch", ha="right", va="top")
    ax_first.text(max(windows), last_epoch + 2, "open: not within the epochs", ha="right",
                  va="center")
    ax_first.set_xticks(windows, [str(k) for k in windows])
    ax_first.set_xlabel("window k (steps the gradient may travel back)")
    ax_first.set_ylabel("first epoch with every\nheld-out sum exact")
    ax_first.set_ylim(0, last_epoch + 3.5)
    ax_first.set_title("One dot per seed")
    return axes
