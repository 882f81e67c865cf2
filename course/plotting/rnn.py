"""Figures of notebook 04 (the binary-addition RNN). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style


def plot_accuracy_curves(curves: dict, examples_per_epoch: int, ax=None,
                         title: str = "Exact sums: training pairs and held-out pairs"):
    """Exact-sum accuracy against training examples seen, for ``{label: nnlib History}``.

    Held-out pairs (the History's validation set) as solid lines, training pairs dashed in
    the same colour; each recorded epoch has seen ``examples_per_epoch`` more examples (the
    number of training pairs: the last minibatch of an epoch may be smaller than the others).
    """
    ax = ax or plt.gca()
    for k, (label, history) in enumerate(curves.items()):
        seen = np.asarray(history.epochs) * examples_per_epoch
        ax.plot(seen, 100 * history.val_metric, marker=".", color=style.cycle(k)["color"],
                ls="-", label=f"{label}: held-out pairs")
        ax.plot(seen, 100 * history.train_metric, ls="--",
                color=style.cycle(k)["color"], alpha=0.7,
                label=f"{label}: training pairs")
    ax.axhline(100, color=style.color("guide"), lw=0.8, zorder=0)
    ax.set_xlabel("training examples seen (epochs x training pairs)")
    ax.set_ylabel("exact sums (%)")
    ax.set_ylim(-3, 103)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_unrolled(T: int = 4, ax=None):
    """The recurrent network unrolled over ``T`` time steps: x_t -> h_t -> z_t, h_{t-1} -> h_t.

    The same U, W, V (and b, c) at every step; the loss adds one term per step.
    """
    ax = ax or plt.gca()
    box = dict(boxstyle="round,pad=0.35", fc=style.color("paper"), ec=style.color("ink"))
    for t in range(T):
        x = 2.2 * t
        ax.text(x, 0, f"$x_{t}$", ha="center", va="center", bbox=box, fontsize=12)
        ax.text(x, 1.5, f"$h_{t}$", ha="center", va="center", fontsize=12,
                bbox=dict(box, fc=style.color("cell")))
        ax.text(x, 3.0, f"$z_{t}$", ha="center", va="center", bbox=box, fontsize=12)
        ax.text(x, 4.2, f"$L_{t}$", ha="center", va="center", fontsize=11, color=style.color("ink"))
        for y0, y1, label in ((0.3, 1.2, "U"), (1.8, 2.7, "V")):
            ax.annotate("", (x, y1), (x, y0), arrowprops=dict(arrowstyle="->", lw=1.4))
            ax.text(x + 0.15, (y0 + y1) / 2, label, fontsize=10, va="center")
        ax.annotate("", (x, 4.0), (x, 3.3), arrowprops=dict(arrowstyle="->",
                                                            color=style.color("ink")))
        start = x - 2.2 + 0.35 if t else x - 1.45
        ax.annotate("", (x - 0.35, 1.5), (start, 1.5),
                    arrowprops=dict(arrowstyle="->", lw=1.4, color=style.color("rnn")))
        ax.text(x - 1.1 + (0.35 if not t else 0), 1.62, "W" if t else "$h_{-1}=0$",
                fontsize=9, ha="center", color=style.color("rnn"))
    ax.text(2.2 * (T - 1) + 0.9, 1.5, "...", fontsize=14, va="center")
    ax.set_xlim(-1.7, 2.2 * (T - 1) + 1.4)
    ax.set_ylim(-0.6, 4.6)
    ax.axis("off")
    ax.set_title("Unrolled in time: one network per step, the same weights U, W, V everywhere",
                 fontsize=10)
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
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True,
                               gridspec_kw={"width_ratios": [3, 2]})
    ax_hidden, ax_bits = axes
    low, high = value_range or ((-1, 1) if np.nanmin(hidden) < 0 else (0, 1))
    image = ax_hidden.imshow(hidden[:, order].T, aspect="auto", cmap=style.cmap("diverging"),
                             vmin=low, vmax=high)
    ax_hidden.set_yticks(range(H), [f"h{k}" for k in order], fontsize=7)
    ax_hidden.set_xticks(range(T))
    ax_hidden.set_xlabel("time step t (bit position, least significant first)")
    ax_hidden.set_title(title or "Hidden state h_t")
    ax_hidden.figure.colorbar(image, ax=ax_hidden, fraction=0.04, pad=0.02)
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
    colors = [style.color("highlight") if k == unit else style.color("muted")
              for k in range(len(correlations))]
    ax_corr.bar(range(len(correlations)), correlations, color=colors)
    ax_corr.axhline(0, color=style.color("guide"), lw=0.8)
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
    for label, values in norms.items():
        ax.semilogy(lags, values, marker="o", label=label)
    ax.axhline(1, color=style.color("muted"), lw=0.8, ls=":")
    ax.set_xlabel("k, steps back in time")
    ax.set_ylabel("median ||dh_T / dh_(T-k)||  (log)")
    ax.set_title("How much of a change k steps back reaches h_T")
    ax.legend(fontsize=8)
    return ax


def plot_lag_task(lags, train_accuracy, held_accuracy, ax=None):
    """Accuracy on the remember-the-first-bit task against the lag.

    ``train_accuracy`` and ``held_accuracy`` have shape (L, R): L lags, R runs each. Each run's
    held-out accuracy is a dot; the lines join the means over the runs.
    """
    ax = ax or plt.gca()
    held, train = np.asarray(held_accuracy), np.asarray(train_accuracy)
    positions = np.arange(len(lags))
    for run in range(held.shape[1]):
        ax.scatter(positions + 0.08 * (run - (held.shape[1] - 1) / 2), 100 * held[:, run],
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
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_clipping(runs: dict, axes=None):
    """Gradient norm (left, log) and minibatch loss (right) per step, ``{label: (norms,
    losses)}``; ln 2, the loss of a coin flip, as a dotted line on the right."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4), constrained_layout=True)
    for k, (label, (norms, losses)) in enumerate(runs.items()):
        axes[0].semilogy(norms, lw=0.8, **style.series(label, k, markers=False), label=label)
        axes[1].plot(losses, lw=0.8, **style.series(label, k, markers=False), label=label)
    axes[1].axhline(np.log(2), **style.line("baseline"), lw=0.8, label="ln 2 (a coin flip)")
    axes[0].set_xlabel("update")
    axes[0].set_ylabel("gradient norm before clipping (log)")
    axes[0].set_title("Global gradient norm")
    axes[1].set_xlabel("update")
    axes[1].set_ylabel("minibatch loss (nats)")
    axes[1].set_title("Loss")
    for ax in axes:
        ax.legend(fontsize=8)
    return axes
