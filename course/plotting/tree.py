"""Figures of notebook 09 (tree networks). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.data import leaves

METHOD_STYLE = {"recursion": (style.color("muted"), "o"), "stack": (style.cycle(0)["color"], "s"),
                "height": (style.cycle(1)["color"], "^")}


def tree_layout(tree):
    """Positions of every node: leaves at x = 0, 1, ... left to right, a pair above its children
    at their mean x and at its own height. Returns a list of (x, y, label, children) where
    ``children`` are indices into the list (empty for a leaf) and the root is last."""
    nodes: list = []
    counter = [0]

    def place(node):
        if isinstance(node, str):
            nodes.append((float(counter[0]), 0, node, ()))
            counter[0] += 1
            return len(nodes) - 1
        left, right = place(node[0]), place(node[1])
        x = (nodes[left][0] + nodes[right][0]) / 2
        nodes.append((x, 1 + max(nodes[left][1], nodes[right][1]), "", (left, right)))
        return len(nodes) - 1

    place(tree)
    return nodes


def draw_tree(tree, ax=None, title: str = "", order: bool = True, fontsize: int = 10):
    """Draw a binary tree: tokens along the bottom, each composition as a dot above its children.

    ``order``: number the compositions in the order the shift-reduce stack performs them
    (post-order, the order of the R transitions).
    """
    ax = ax or plt.gca()
    nodes = tree_layout(tree)
    step = 0
    for x, y, label, children in nodes:
        for child in children:
            cx, cy = nodes[child][0], nodes[child][1]
            ax.plot([x, cx], [y, cy], color=style.color("muted"), lw=1.2, zorder=1)
        if children:
            step += 1
            ax.scatter([x], [y], s=230, color=style.color("tree"), zorder=2,
                       edgecolor=style.color("ink"), lw=0.6)
            if order:
                ax.text(x, y, str(step), ha="center", va="center", fontsize=9, zorder=3)
        else:
            ax.text(x, y, label, ha="center", va="top", fontsize=fontsize, zorder=3,
                    bbox={"boxstyle": "round,pad=0.25", "fc": style.color("cell"),
                          "ec": style.color("muted")})
    top = max(y for _, y, _, _ in nodes)
    ax.set_xlim(-0.7, len(leaves(tree)) - 0.3)
    ax.set_ylim(-0.9, top + 0.6)
    ax.set_yticks(range(top + 1))
    ax.set_ylabel("height")
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"{len(leaves(tree))} tokens, {top} levels")
    return ax


def plot_accuracy_by_depth(depths, accuracies: dict, train_depths, ax=None,
                           chance=None, ranges: dict | None = None,
                           this_run: dict | None = None):
    """Test accuracy against nesting depth, one line per model; trained depths shaded.

    ``chance``: the accuracy of always answering the most frequent value, one number or one
    per depth (drawn as the grey dotted baseline).
    ``ranges``: optional {label: (low, high)} arrays drawn as a band (e.g. over seeds);
    ``this_run``: optional {label: accuracies} of one run, drawn as crosses in the same colour.
    """
    ax = ax or plt.gca()
    depths = np.asarray(depths)
    ax.axvspan(min(train_depths) - 0.5, max(train_depths) + 0.5, color=style.color("shade"),
               zorder=0,
               label="depths seen in training")
    for (label, values), marker in zip(accuracies.items(), "o^sDv"):
        line, = ax.plot(depths, 100 * np.asarray(values), label=label,
                        **style.series(label, list(accuracies).index(label), marker))
        if ranges and label in ranges:
            low, high = ranges[label]
            ax.fill_between(depths, 100 * np.asarray(low), 100 * np.asarray(high),
                            color=line.get_color(), alpha=0.15, lw=0)
        if this_run and label in this_run:
            ax.plot(depths, 100 * np.asarray(this_run[label]), "x", ms=8,
                    color=line.get_color())
    if this_run:
        ax.plot([], [], "x", color=style.color("muted"), label="this notebook's run")
    if chance is not None:
        chance = np.broadcast_to(np.asarray(chance, dtype=float), depths.shape)
        ax.plot(depths, 100 * chance, **style.line("baseline"), lw=1.5,
                label="most frequent value at that depth")
    ax.set_xticks(depths)
    ax.set_xlabel("nesting depth of the expression")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 102)
    # Below the axes: inside, any corner would hide a model's band.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    return ax


MODEL_CONCEPTS = {"tree": "tree", "LSTM": "lstm", "RNN": "rnn"}


def plot_training(histories: dict, ax=None):
    """Training (solid) and validation (dashed) accuracy against epochs, one colour per model
    family (``histories``: {"tree" | "LSTM" | "RNN": nnlib.train.History})."""
    ax = ax or plt.gca()
    for label, history in histories.items():
        colour = style.color(MODEL_CONCEPTS[label])
        marker = style.MARKERS[MODEL_CONCEPTS[label]]
        ax.plot(history.epochs, 100 * history.train_metric, "-", marker=marker, ms=4,
                color=colour, label=f"{label}, training")
        ax.plot(history.epochs, 100 * history.val_metric, "--", marker=marker, ms=4,
                mfc="none", color=colour, label=f"{label}, validation")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    return ax


def plot_speedup(record: dict, axes=None, pass_: str = "forward+backward"):
    """Speed-up over recursion against batch size, one panel per hidden size, one line per
    batched method, from the benchmark's JSON record; recursion (1x) as the grey baseline."""
    sizes = record["settings"]["hidden_sizes"]
    if axes is None:
        _, axes = plt.subplots(1, len(sizes), figsize=(8.5, 3.6), constrained_layout=True,
                               sharey=True)
    batch_sizes = record["settings"]["batch_sizes"]
    for ax, H in zip(axes, sizes):
        ax.axhline(1, **style.line("baseline"), lw=1.5, label="recursion (1x)")
        for method in ("stack", "height"):
            rows = sorted((r["batch_size"], r["speedup_over_recursion"])
                          for r in record["results"] if r["hidden_size"] == H
                          and r["method"] == method and r["pass"] == pass_)
            color, marker = METHOD_STYLE[method]
            ax.plot(*zip(*rows), marker=marker, color=color, label=method)
        ax.set_xscale("log", base=2)
        ax.set_xticks(batch_sizes, [str(size) for size in batch_sizes])
        ax.minorticks_off()
        ax.set_xlabel("batch size B (trees)")
        ax.set_title(f"H = {H}, {pass_.replace('+', ' + ')}")
        ax.grid(True, color=style.color("shade"))
    axes[0].set_ylabel("speed-up over recursion (x)")
    axes[0].legend(loc="upper left")
    return axes
