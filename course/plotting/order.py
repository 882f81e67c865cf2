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
            ha="right", va="bottom", fontsize=8, color=BASELINE["color"])
    ax.set_xlabel("training examples seen")
    ax.set_ylabel("cross-entropy (nats per bit)")
    ax.set_ylim(0, 0.8)
    ax.set_title(title)
    ax.legend(loc="center right", fontsize=8)
    return ax


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
        ax.bar(positions + (k - (len(accuracies) - 1) / 2) * width, 100 * np.asarray(accuracy),
               width, label=label, color=list(ORDER_COLOURS.values())[k % 3], alpha=0.85)
    ax.step(np.r_[positions - 0.5, positions[-1] + 0.5], 100 * np.r_[bound, bound[-1]],
            where="post", **style.line("bound"), lw=1.2, label=bound_label)
    ax.set_xticks(positions, [f"{i}" for i in positions])
    ax.set_xlabel("bit position i (worth 2^i); MSB-first reads right to left here")
    ax.set_ylabel("bits right (%)")
    ax.set_ylim(40, 116)
    ax.set_yticks(range(40, 101, 10))
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize=8, ncol=3)
    return ax


def plot_bound(carry_probability, entropy, ax=None,
               title: str = "What an MSB-first reader cannot know"):
    """P(carry into bit i) and the entropy H(p_i) (nats) against the position i."""
    ax = ax or plt.gca()
    positions = np.arange(len(carry_probability))
    ax.plot(positions, carry_probability, "o-", label="p_i = P(carry into bit i)")
    ax.plot(positions, entropy, "s-", label="H(p_i), nats")
    ax.axhline(0.5, color=style.color("guide"), lw=0.8, zorder=0)
    ax.axhline(np.log(2), **style.line("baseline"), lw=0.8, zorder=0)
    for level, text in ((0.5, "1/2: a fair coin"), (np.log(2), "ln 2 nats")):
        ax.text(0.99, level, text, transform=ax.get_yaxis_transform(), ha="right",
                va="bottom", fontsize=8, color=style.color("baseline"))
    ax.set_xticks(positions)
    ax.set_xlabel("bit position i (worth 2^i)")
    ax.set_ylabel("probability, or nats")
    ax.set_ylim(-0.03, 0.75)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return ax


# ----------------------------------------------------------------------------------------
# Sweeps

def plot_sweep(groups: list[dict], x: str | None = None, metrics: list[str] | None = None,
               references: dict | None = None, titles: dict | None = None):
    """One panel per metric: mean ± std against parameter ``x``, a line per other combination.

    Parameters
    ----------
    groups : from ``sweep_table``.
    x : the parameter on the x axis (default: the last one).
    metrics : the metrics to draw (default: all).
    references : {metric: [(value, label), ...]}, optional horizontal lines (e.g. a bound).
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
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4),
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
            label = ", ".join(f"{name}={value}" for name, value in zip(others, key)) or metric
            colour = ORDER_COLOURS.get(str(key[0]) if key else "", style.cycle(k)["color"])
            ax.errorbar(positions, [g["mean"][metric] for g in members],
                        yerr=[g["std"][metric] for g in members], marker="o", capsize=3,
                        color=colour, label=label)
        for value, label in (references or {}).get(metric, []):
            ax.axhline(value, **style.line("bound"), lw=1, label=label)
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        ax.set_xlim(-0.4, len(xs) - 0.6)
        ax.set_xlabel(x)
        ax.set_title((titles or {}).get(metric, metric), fontsize=10)
        ax.legend(fontsize=8)
    return figure
