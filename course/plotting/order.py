"""Figures of notebook 05 (bit order), and the sweep figure of ``tools/sweep.py``.

Presentation layer: imports matplotlib. The sweep statistics that ``plot_sweep`` draws
(``sweep_table``) live in the core module ``course.sweeps``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.formatting import fmt
from course.sweeps import sort_key

ORDER_COLOURS = {"lsb": style.color("lsb"), "msb": style.color("msb"),
                 "birnn": style.color("birnn")}
OTHER_COLOURS = style.CYCLE_COLORS
# For plot_order_losses, whose argument unpacking shadows the module name `style`:
BOUND, BASELINE, MUTED = style.line("bound"), style.line("baseline"), style.color("muted")
SMALL = style.SMALL_FONT_SIZE


def _thousands(ax) -> None:
    """Ticks of 'training examples seen' in thousands ('50k'), so that they do not collide."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 1000:g}k"))


# ----------------------------------------------------------------------------------------
# The experiment

def plot_order_losses(curves: dict, bound: float | None = None, published: dict | None = None,
                      ax=None, title: str = "Training loss, nats per bit"):
    """Loss against training examples seen.

    Parameters
    ----------
    curves : {label: (examples_seen, loss)} or {label: (examples_seen, loss, style)} of arrays,
        shape (K,), our runs (solid lines; ``style`` a dict of matplotlib line settings).
    bound : float, optional, the lowest mean cross-entropy a left-to-right MSB-first reader can
        reach (dashed line).
    published : {label: (examples_seen, loss)}, optional, a source's logged losses (markers).
    """
    ax = ax or plt.gca()
    colours = iter([*ORDER_COLOURS.values(), *OTHER_COLOURS])
    for label, (seen, loss, *style) in curves.items():
        settings = {"lw": 1.2, **(style[0] if style else {})}
        settings.setdefault("color", next(colours))
        ax.plot(seen, loss, label=label, **settings)
    if published:
        for (label, (seen, loss)), marker in zip(published.items(), "os^v"):
            ax.plot(seen, loss, marker=marker, ls=":", color=MUTED, ms=4, label=label)
    if bound is not None:
        ax.axhline(bound, **BOUND, lw=1,
                   label=f"MSB-first bound {fmt(bound, 4)} nats")
    ax.axhline(np.log(2), **BASELINE, lw=0.8, zorder=0)
    ax.text(0.99, np.log(2), "ln 2: a coin flip", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=SMALL, color=BASELINE["color"])
    ax.set_xlabel("training examples seen")
    _thousands(ax)
    ax.set_ylabel("cross-entropy (nats per bit)")
    ax.set_ylim(0, 0.8)
    ax.set_title(title)
    ax.legend(loc="center right", fontsize=SMALL)
    return ax


def plot_loss_excess(curves: dict, bound: float, ax=None,
                     title: str = "MSB-first: loss minus the bound"):
    """How far above the bound a loss stays, on a log axis (the excess spans decades).

    Parameters
    ----------
    curves : {label: (examples_seen, loss, style)} as for ``plot_order_losses``; only the
        positive part of ``loss - bound`` can be drawn on the log axis (a loss at or below the
        bound is left out and counted in the returned dict).
    bound : float, the bound the excess is measured from (nats per bit).

    Returns
    -------
    dict {label: number of records at or below the bound}
    """
    ax = ax or plt.gca()
    hidden = {}
    for label, (seen, loss, *settings) in curves.items():
        excess = np.asarray(loss, dtype=float) - bound
        above = excess > 0
        hidden[label] = int(np.sum(~above))
        ax.plot(np.asarray(seen)[above], excess[above], label=label,
                **{"lw": 1.2, "marker": "o", "ms": 3, **(settings[0] if settings else {})})
    ax.set_yscale("log")
    ax.set_xlabel("training examples seen")
    _thousands(ax)
    ax.set_ylabel("loss minus bound (nats per bit)")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=style.SMALL_FONT_SIZE)
    return hidden


def plot_per_bit_accuracy(accuracies: dict, bound, ax=None,
                          title: str = "Accuracy per bit position (all held-out pairs)",
                          bound_label: str = "MSB-first bound 1 - p_i"):
    """Per-position accuracy, positions by their weight 2**i, with the MSB-first bound.

    Parameters
    ----------
    accuracies : {label: ndarray of shape (T,)}, fractions, index i = the bit worth 2**i.
    bound : array_like, shape (T,), the best accuracy of an MSB-first reader at each position.
    bound_label : legend entry of the dashed bound line.
    """
    ax = ax or plt.gca()
    bound = np.asarray(bound)
    positions = np.arange(len(bound))
    width = 0.8 / max(len(accuracies), 1)
    for k, (label, accuracy) in enumerate(accuracies.items()):
        concept = style.concept_of(label)
        colour = ORDER_COLOURS.get(concept, list(ORDER_COLOURS.values())[k % 3])
        ax.bar(positions + (k - (len(accuracies) - 1) / 2) * width, 100 * np.asarray(accuracy),
               width, label=label, color=colour, alpha=0.85)
    ax.step(np.r_[positions - 0.5, positions[-1] + 0.5], 100 * np.r_[bound, bound[-1]],
            where="post", **style.line("bound"), lw=1.2, label=bound_label)
    ax.set_xticks(positions, [f"{i}" for i in positions])
    ax.set_xlabel("bit position i (worth 2^i)")
    ax.axhline(50, **BASELINE, lw=0.8, zorder=0, label="a coin flip (50 %)")
    ax.set_ylabel("bits right (%)")
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize=style.SMALL_FONT_SIZE, ncol=2)
    return ax


def plot_accuracy_gap(accuracy, rule, ax=None,
                      title: str = "MSB-first minus the rule"):
    """Per position, the network's accuracy minus the rule's on the same pairs, in points
    (bars from 0), so that a shortfall of a fraction of a point shows.

    Parameters
    ----------
    accuracy, rule : array_like, shape (T,), fractions, index i = the bit worth 2**i.
    """
    ax = ax or plt.gca()
    gap = 100 * (np.asarray(accuracy) - np.asarray(rule))
    positions = np.arange(len(gap))
    ax.bar(positions, gap, 0.7, color=ORDER_COLOURS["msb"], alpha=0.85)
    ax.axhline(0, **BOUND, lw=1, label="the rule (no carry)")
    ax.set_xticks(positions)
    ax.set_xlabel("bit position i")
    ax.set_ylabel("points")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=style.SMALL_FONT_SIZE)
    return ax


def plot_bound(carry_probability, entropy, ax=None,
               title: str = "What an MSB-first reader cannot know"):
    """P(carry into bit i) and the entropy H(p_i) (nats) against the position i."""
    ax = ax or plt.gca()
    positions = np.arange(len(carry_probability))
    ax.plot(positions, carry_probability, "o-", label="p_i = P(carry into bit i)")
    ax.plot(positions, entropy, "s-", label="H(p_i), nats")
    ax.axhline(0.5, color=style.color("guide"), lw=0.8, zorder=0, label="1/2: a fair coin")
    ax.axhline(np.log(2), **style.line("baseline"), lw=0.8, zorder=0, label="ln 2 nats")
    ax.set_xticks(positions)
    ax.set_xlabel("bit position i (worth 2^i)")
    ax.set_ylabel("probability, or nats")
    ax.set_ylim(-0.03, 0.75)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=style.SMALL_FONT_SIZE)
    return ax


# ----------------------------------------------------------------------------------------
# Sweeps

# How a parameter and its values read in a figure (tools/sweep.py passes other names as is).
PARAMETER_NAMES = {"bit_order": "order", "hidden_size": "hidden units", "seed": "seed",
                   "epochs": "epochs", "learning_rate": "step", "batch_size": "batch size",
                   "n_bits": "bits", "held_out": "held-out share"}
VALUE_NAMES = {"lsb": "LSB-first", "msb": "MSB-first"}


def _shown(name: str, value) -> str:
    return VALUE_NAMES.get(str(value), f"{PARAMETER_NAMES.get(name, name)} {value}")


def plot_sweep(groups: list[dict], x: str | None = None, metrics: list[str] | None = None,
               references: dict | None = None, titles: dict | None = None):
    """One panel per metric: mean ± std against parameter ``x``, a line per other combination.

    Parameters
    ----------
    groups : from ``sweep_table``.
    x : the parameter on the x axis (default: the last one).
    metrics : the metrics to draw (default: all).
    references : {metric: [(value, label), ...]}, optional horizontal lines (e.g. a bound),
        drawn black dashed *under* the series, which keep their markers on top.
    titles : {metric: str}, optional panel titles.

    Returns
    -------
    matplotlib Figure
    """
    metrics = list(metrics or groups[0]["mean"])
    names = list(groups[0]["parameters"])
    x = x or names[-1]
    others = [name for name in names if name != x]
    xs = sorted({g["parameters"][x] for g in groups}, key=sort_key)
    width = min(3.0 * len(metrics), style.MAX_WIDTH)
    figure, axes = plt.subplots(1, len(metrics), figsize=(width, 3.4),
                                constrained_layout=True, squeeze=False)
    lines: dict[tuple, list[dict]] = {}
    for group in groups:
        lines.setdefault(tuple(group["parameters"][name] for name in others), []).append(group)
    for ax, metric in zip(axes[0], metrics):
        for k, (key, members) in enumerate(sorted(lines.items(),
                                                  key=lambda item: [sort_key(v)
                                                                    for v in item[0]])):
            members = sorted(members, key=lambda g: sort_key(g["parameters"][x]))
            positions = [xs.index(g["parameters"][x]) for g in members]
            label = ", ".join(_shown(name, value) for name, value in zip(others, key)) or metric
            concept = str(key[0]) if key and str(key[0]) in ORDER_COLOURS else None
            settings = (style.line(concept) if concept else
                        {**style.cycle(k), "marker": style.CYCLE_MARKERS[k % 7]})
            ax.errorbar(positions, [g["mean"][metric] for g in members],
                        yerr=[g["std"][metric] for g in members], capsize=3, zorder=3,
                        label=label, **settings)
        for value, label in (references or {}).get(metric, []):
            ax.axhline(value, **style.line("bound"), lw=1, zorder=2, label=label)
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        ax.set_xlim(-0.4, len(xs) - 0.6)
        ax.set_xlabel(PARAMETER_NAMES.get(x, x))
        ax.set_title((titles or {}).get(metric, metric), fontsize=style.FONT_SIZE)
        ax.legend(fontsize=style.SMALL_FONT_SIZE)
    return figure


# ----------------------------------------------------------------------------------------
# Delayed output

def plot_delay(delays, bound_exact, trained_exact, bound_bits, trained_bits, live=None,
               axes=None):
    """Exact sums and bits right against the delay of the output, trained and the bound.

    Parameters
    ----------
    delays : array_like of int, shape (K,)
    bound_exact, trained_exact : array_like, shape (K,), percentages of exact sums: the best
        reader that answers ``delay`` steps late, and the trained network
    bound_bits, trained_bits : array_like, shape (K,), percentages of bits right
    live : (delay, exact %, bits %), optional, the point retrained in the notebook (an open
        marker on the trained line)
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8.6, 3.4), constrained_layout=True)
    delays = np.asarray(delays)
    panels = ((bound_exact, trained_exact, "exact sums (%)", 1),
              (bound_bits, trained_bits, "bits right (%)", 2))
    for ax, (bound, trained, ylabel, column) in zip(axes, panels):
        ax.plot(delays, bound, **style.line("bound"), marker="o", ms=7, mfc="none", mew=1.2,
                lw=1.2, zorder=4, label="bound: best reader answering that late")
        ax.plot(delays, trained, **style.line("msb"), lw=1.6, zorder=3,
                label="MSB-first RNN, trained, held-out pairs")
        if live is not None:
            ax.plot([live[0]], [live[column]], ls="none", marker="o", ms=10, mfc="none",
                    mec=style.color("highlight"), mew=1.4, zorder=4, label="retrained here")
        ax.axhline(100, **style.line("threshold", markers=False), lw=0.8, zorder=0,
                   label="100 %")
        ax.set_xticks(delays)
        ax.set_xlabel("delay of the output (steps)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 105)
    axes[0].set_title("Whole sums right")
    axes[1].set_title("Bits right")
    axes[1].legend(loc="lower right", fontsize=style.SMALL_FONT_SIZE)
    return axes
