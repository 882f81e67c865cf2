"""Figures of notebook 10: learning curves against the counting baselines, the truncation
curve, the table as bars, and the next-character distribution at a temperature. Each function
draws on the axes it is given (or new ones) and returns them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

# This chapter's series, each the course style's colour and marker for its concept.
COLORS = {"lstm": style.color("lstm"), "rnn": style.color("rnn"), "count": style.color("ngram"),
          "uniform": style.color("baseline"), "live": style.color("validation"),
          "sample": style.color("char_lm")}
MARKERS = {"lstm": style.marker("lstm"), "rnn": style.marker("rnn"),
           "count": style.marker("ngram"), "live": style.marker("validation")}
LABELS = {"lstm": "LSTM", "rnn": "plain RNN", "1": "unigram", "2": "bigram", "3": "trigram"}


def _axes(ax, figsize=(7.5, 3.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def plot_learning_curves(curves: dict, baselines: dict, ax=None, title: str = ""):
    """Validation bits per character against updates for each network in ``curves``
    (``{cell: (updates, bits)}``), with a dashed line for each counting model in
    ``baselines`` (``{name: bits}``), labelled over the line at 55 % of the width."""
    ax = _axes(ax)
    for cell, (updates, bits) in curves.items():
        ax.plot(updates, bits, color=COLORS[cell], marker=MARKERS[cell], markersize=4,
                label=LABELS[cell])
        ax.annotate(LABELS[cell], (updates[-1], bits[-1]), xytext=(4, 0),
                    textcoords="offset points", color=COLORS[cell], va="center", fontsize=9)
    right = max(updates[-1] for updates, _ in curves.values())
    for name, bits in baselines.items():
        color = COLORS["uniform"] if name == "uniform" else COLORS["count"]
        ax.axhline(bits, color=color, linestyle="--", linewidth=1)
        # labelled at 55 % of the way, where neither curve passes near the counting models' lines
        ax.text(right * 0.55, bits, f"{name} {bits:.2f}", color=color, ha="center",
                va="bottom", fontsize=9)
    ax.set_xlabel("updates (32 windows of 128 characters each)")
    ax.set_ylabel("validation bits per character")
    ax.set_title(title)
    return ax


def plot_truncation(runs: list[dict], reference: dict, live: tuple | None = None, ax=None,
                    title: str = ""):
    """Final validation bits per character against the truncation length k (log axis), one
    marker per run of the shipped sweep; ``reference`` lines (``{name: bits}``) dashed; the
    live run (``(k, bits)``) as a separate marker (and a legend, only then: one series needs
    none)."""
    ax = _axes(ax, figsize=(7, 3.6))
    ks = [run["truncate"] for run in runs]
    finals = [run["validation"][-1] for run in runs]
    ax.plot(ks, finals, color=COLORS["lstm"], marker=MARKERS["lstm"], label="shipped sweep")
    for k, bits, run in zip(ks, finals, runs):
        text = f"{bits:.2f}" + (" (full)" if run.get("full") else "")
        ax.annotate(text, (k, bits), xytext=(0, 7), textcoords="offset points",
                    ha="right" if k == ks[-1] else "center", fontsize=9, color=COLORS["lstm"])
    for name, bits in reference.items():
        ax.axhline(bits, color=COLORS["count"], linestyle="--", linewidth=1)
        ax.text(ks[0], bits, f" {name} {bits:.2f}", color=COLORS["count"], va="bottom",
                fontsize=9)
    if live is not None:
        ax.plot([live[0]], [live[1]], linestyle="none", marker=MARKERS["live"],
                color=COLORS["live"], label="live run (fewer updates)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("truncation length k (steps the gradient travels back)")
    ax.set_ylabel("validation bits per character")
    if live is not None:
        ax.legend(loc="upper left", fontsize=9)
    ax.set_title(title)
    return ax


def plot_bits_table(rows: list[tuple[str, str, float]], ax=None, title: str = ""):
    """Horizontal bars from zero: ``rows`` of (name, kind, test bits per character), kind one
    of "uniform", "count", "rnn", "lstm"; the value printed at each bar's end."""
    ax = _axes(ax, figsize=(7, 3.2))
    names = [name for name, _, _ in rows]
    values = [bits for _, _, bits in rows]
    colors = [COLORS[kind] for _, kind, _ in rows]
    positions = np.arange(len(rows))[::-1]
    ax.barh(positions, values, color=colors)
    for y, bits in zip(positions, values):
        ax.text(bits, y, f" {bits:.2f}", va="center", fontsize=9)
    ax.set_yticks(positions, names)
    ax.set_xlim(0, max(values) * 1.15)
    ax.set_xlabel("test bits per character (lower is better)")
    ax.set_title(title)
    return ax


def plot_next_character(probabilities: np.ndarray, chars: str, top: int = 12, ax=None,
                        title: str = ""):
    """Bars of the ``top`` likeliest next characters (printable names for space and newline)."""
    ax = _axes(ax, figsize=(7, 2.8))
    order = np.argsort(-probabilities, kind="stable")[:top]
    names = [{" ": "space", "\n": "newline"}.get(chars[i], chars[i]) for i in order]
    ax.bar(np.arange(len(order)), probabilities[order], color=COLORS["sample"])
    ax.set_xticks(np.arange(len(order)), names, fontsize=9)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title)
    return ax
