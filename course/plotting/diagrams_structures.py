"""Diagrams of structures: the shift-reduce parser's stack and buffer per transition, a batch of
trees coloured by height level (height batching), and the Hopfield energy of stored, mixture
and random states (measured with nnlib.hopfield on a small network).

Each function returns a new Figure (through pyplot: a notebook cell ends with ``plt.show()``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from course.plotting.diagrams import box, canvas
from course.plotting.tree import tree_layout
from nnlib.hopfield import energy, hebbian_weights
from nnlib.treedata import height, leaves, to_string, transitions

EXAMPLE_TREE = (("the", "cat"), ("sat", ("on", "mats")))


def _label(tree) -> str:
    return tree if isinstance(tree, str) else to_string(tree)


def shift_reduce_states(tree):
    """The parser's states: [(move, stack, buffer)], the first with move "start", then one per
    transition of ``nnlib.treedata.transitions(tree)``; stack bottom first, buffer next first."""
    buffer, stack = list(leaves(tree)), []
    states = [("start", [], list(buffer))]
    for move in transitions(tree):
        if move == "S":
            stack.append(buffer.pop(0))
        else:
            right = stack.pop()
            stack.append((stack.pop(), right))
        states.append(("SHIFT" if move == "S" else "REDUCE", list(stack), list(buffer)))
    return states


def shift_reduce(tree=EXAMPLE_TREE):
    """One row per transition: the move, the stack (top at the right, each entry a subtree)
    and the buffer (the next token at the left)."""
    states = shift_reduce_states(tree)
    rows = len(states)
    width = 8.8
    figure, ax = canvas(width, 0.42 * rows + 1.0, (0, 21.6), (-rows + 0.3, 1.4),
                        "Shift-reduce: SHIFT moves a token to the stack, REDUCE composes the "
                        "top two")
    ax.set_aspect("auto")
    ax.text(0.2, 0.9, "step", fontsize=10, weight="bold")
    ax.text(1.6, 0.9, "move", fontsize=10, weight="bold")
    ax.text(4.0, 0.9, "stack (top at the right)", fontsize=10, weight="bold")
    ax.text(14.6, 0.9, "buffer (next token first)", fontsize=10, weight="bold")
    ax.axvline(14.3, color=style.color("muted"), lw=1)
    for row, (move, stack, buffer) in enumerate(states):
        y = -row
        ax.text(0.5, y, str(row), ha="center", va="center", fontsize=10)
        ax.text(1.6, y, move, va="center", fontsize=10,
                color=style.color("tree") if move == "REDUCE" else style.color("ink"))
        x = 14.1
        for k, item in enumerate(reversed(stack)):  # from the top, drawn right to left
            text = _label(item)
            item_width = 0.24 * len(text) + 0.5
            box(ax, x - item_width / 2, y, text, width=item_width, height=0.7,
                face="cell" if k == 0 else "paper", fontsize=9)
            x -= item_width + 0.15
        x = 14.6
        for text in buffer:
            item_width = 0.24 * len(text) + 0.5
            box(ax, x + item_width / 2, y, text, width=item_width, height=0.7, fontsize=9)
            x += item_width + 0.15
    return figure


def node_heights(tree) -> list[int]:
    """The height of every node of ``tree`` in ``course.plotting.tree.tree_layout`` order
    (leaves 0, a pair 1 + the larger of its children's)."""
    return [y for _, y, _, _ in tree_layout(tree)]


def height_batching(trees=(EXAMPLE_TREE, ((("a", "b"), "c"), "d"), ("x", "y"))):
    """A batch of trees side by side, every composition coloured by its height: all nodes of
    one height, across the batch, are computed together in one matrix product."""
    levels = max(height(tree) for tree in trees)
    colours = style.sequence(levels)
    offsets = np.cumsum([0] + [len(leaves(tree)) + 0.8 for tree in trees])
    figure, ax = plt.subplots(figsize=(8.8, 3.6), layout="constrained")
    counts = [0] * levels
    for tree, offset in zip(trees, offsets):
        nodes = tree_layout(tree)
        for x, y, label, children in nodes:
            for child in children:
                cx, cy = nodes[child][0], nodes[child][1]
                ax.plot([offset + x, offset + cx], [y, cy], color=style.color("muted"), ls="-",
                        lw=1.2, zorder=1)
            if children:
                counts[y - 1] += 1
                ax.scatter([offset + x], [y], s=260, color=colours[y - 1], zorder=2,
                           edgecolor=style.color("ink"), lw=0.8, marker="o")
                ax.text(offset + x, y, str(y), ha="center", va="center", fontsize=9, zorder=3,
                        color=style.color("paper") if y - 1 < levels / 2 else style.color("ink"))
            else:
                ax.text(offset + x, y, label, ha="center", va="top", fontsize=10,
                        bbox={"boxstyle": "round,pad=0.25", "fc": style.color("cell"),
                              "ec": style.color("muted")})
    for level, count in enumerate(counts, start=1):
        ax.text(offsets[-1] - 0.4, level, f"step {level}: {count} node{'s' * (count != 1)} "
                "in one product", va="center", fontsize=9, color=style.color("ink"))
    ax.set_xlim(-0.7, offsets[-1] + 4.2)
    ax.set_ylim(-0.8, levels + 0.6)
    ax.set_yticks(range(levels + 1))
    ax.set_ylabel("height")
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.set_title(f"Height batching: {len(trees)} trees, {levels} steps (one per height), "
                 "not one per node")
    return figure


def hopfield_energies(num_units: int = 100, num_patterns: int = 5, num_random: int = 60, *,
                      rng=None) -> dict:
    """Energy per unit, E/N, of the stored patterns, of the mixture states sign(ξa + ξb + ξc)
    of every three patterns, and of random states, in a Hebbian network (nnlib.hopfield)."""
    rng = np.random.default_rng(0) if rng is None else rng
    patterns = rng.choice([-1.0, 1.0], size=(num_patterns, num_units))
    W = hebbian_weights(patterns)
    triples = [(a, b, c) for a in range(num_patterns) for b in range(a + 1, num_patterns)
               for c in range(b + 1, num_patterns)]
    mixtures = np.sign(np.array([patterns[list(t)].sum(axis=0) for t in triples]))
    random = rng.choice([-1.0, 1.0], size=(num_random, num_units))
    return {"stored patterns": energy(W, patterns) / num_units,
            "mixture states": energy(W, mixtures) / num_units,
            "random states": energy(W, random) / num_units}


def hopfield_energy(num_units: int = 100, num_patterns: int = 5, *, rng=None):
    """A strip of energies per unit: the stored patterns lie lowest, the mixtures of three
    patterns (spurious minima) above them, random states near zero."""
    energies = hopfield_energies(num_units, num_patterns, rng=rng)
    figure, ax = plt.subplots(figsize=(8.0, 3.0), layout="constrained")
    concepts = {"stored patterns": "hopfield", "mixture states": "ink",
                "random states": "baseline"}
    jitter = np.random.default_rng(1)
    for row, (name, values) in enumerate(energies.items()):
        concept = concepts[name]
        ax.scatter(values, row + jitter.uniform(-0.15, 0.15, len(values)), s=30,
                   color=style.color(concept), marker="osD"[row], alpha=0.8,
                   edgecolor=style.color("ink"), lw=0.4)
        mean = round(float(np.mean(values)), 2) + 0.0  # + 0.0: no "-0.00"
        ax.text(values.max() + 0.02, row, f"mean {mean:.2f}", va="center", fontsize=9)
    ax.set_yticks(range(len(energies)), list(energies))
    ax.set_ylim(len(energies) - 0.5, -0.5)
    ax.axvline(0, color=style.color("guide"), lw=0.8, zorder=0)
    ax.set_xlabel("energy per unit $E/N$, $E = -\\frac{1}{2} s^\\top W s$")
    ax.set_title(f"Hopfield energy: N = {num_units} units, P = {num_patterns} stored patterns")
    return figure


__all__ = ["height_batching", "hopfield_energies", "hopfield_energy", "node_heights",
           "shift_reduce", "shift_reduce_states"]
