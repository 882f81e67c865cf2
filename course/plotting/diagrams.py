"""Diagrams of the machines the course teaches, drawn with matplotlib patches and arrows only:
the backprop circuit, BPTT on the unrolled RNN, the bidirectional RNN, the LSTM cell, the
character language model and one attention head.

Each function returns a new Figure (made through pyplot, so a notebook cell ends with
``plt.show()`` as usual). Numbers written on a diagram are computed by nnlib, never typed in.
The trees, height batching and the Hopfield energy picture are in
``course.plotting.diagrams_structures``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from course.plotting import style
from nnlib.activations import sigmoid_backward, sigmoid_forward
from nnlib.formatting import fmt
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax

FONT = 11


def canvas(width: float, height: float, xlim, ylim, title: str = ""):
    """A new figure with one axes, equal scales, no frame: the drawing surface."""
    figure, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return figure, ax


def box(ax, x, y, text, width=0.9, height=0.55, face="paper", fontsize=FONT):
    """A rounded box centred at (x, y) with ``text``; ``face`` is a style concept."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.12",
                                fc=style.color(face), ec=style.color("ink"), lw=1.2, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def node(ax, x, y, text, radius=0.28, face="paper", fontsize=FONT + 2):
    """A circle centred at (x, y): a gate (×, +, σ) of a circuit."""
    ax.add_patch(Circle((x, y), radius, fc=style.color(face), ec=style.color("ink"), lw=1.2,
                        zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def arrow(ax, start, end, concept="forward", rad=0.0, lw=1.4, shrink=14):
    """An arrow from ``start`` to ``end`` in a concept's colour and line style."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13,
                                 connectionstyle=f"arc3,rad={rad}", color=style.color(concept),
                                 linestyle=style.linestyle(concept), lw=lw, shrinkA=shrink,
                                 shrinkB=shrink, zorder=1))


def _key(ax, x, y, entries):
    """A small legend drawn as text: ``entries`` are (concept, words)."""
    for k, (concept, words) in enumerate(entries):
        ax.plot([x, x + 0.6], [y - 0.4 * k] * 2, color=style.color(concept),
                ls=style.linestyle(concept), lw=1.6)
        ax.text(x + 0.75, y - 0.4 * k, words, va="center", fontsize=style.SMALL_FONT_SIZE)


# ------------------------------------------------------------------------------------------
# The circuit (CS231n's picture)

def sigmoid_neuron_values(w=(2.0, -3.0, -3.0), x=(-1.0, -2.0)) -> dict:
    """Forward values and gradients of f(w, x) = σ(w0 x0 + w1 x1 + w2), from nnlib's affine and
    sigmoid layers. Returns {name: (value, gradient)} for w0, x0, w1, x1, w2, the products p0
    and p1, their sum s, z = s + w2 and f (whose gradient is 1)."""
    X, W, b = np.array([x[:2]], float), np.array([[w[0]], [w[1]]], float), np.array([w[2]], float)
    z, affine_cache = affine_forward(X, W, b)
    f, sigmoid_cache = sigmoid_forward(z)
    dz = sigmoid_backward(np.ones_like(f), sigmoid_cache)
    dX, dW, db = affine_backward(dz, affine_cache)
    dz = float(dz[0, 0])  # an addition passes its gradient on unchanged
    return {"w0": (W[0, 0], dW[0, 0]), "x0": (X[0, 0], dX[0, 0]),
            "w1": (W[1, 0], dW[1, 0]), "x1": (X[0, 1], dX[0, 1]), "w2": (b[0], db[0]),
            "p0": (W[0, 0] * X[0, 0], dz), "p1": (W[1, 0] * X[0, 1], dz),
            "s": (z[0, 0] - b[0], dz), "z": (z[0, 0], dz), "f": (f[0, 0], 1.0)}


def backprop_circuit(w=(2.0, -3.0, -3.0), x=(-1.0, -2.0)):
    """The circuit of one sigmoid neuron with every wire's forward value above it (black) and
    the gradient of f below it (red), as in CS231n's notes."""
    values = sigmoid_neuron_values(w, x)
    figure, ax = canvas(9.0, 4.4, (-0.8, 11.2), (-0.9, 4.9),
                        r"$f(w, x) = \sigma(w_0 x_0 + w_1 x_1 + w_2)$: values above the wires, "
                        r"gradients $\partial f / \partial \cdot$ below")
    inputs = {"w0": 4.2, "x0": 3.2, "w1": 2.0, "x1": 1.0, "w2": -0.2}
    gates = {"p0": (2.6, 3.7, "×"), "p1": (2.6, 1.5, "×"), "s": (4.9, 2.6, "+"),
             "z": (7.0, 1.6, "+"), "f": (9.0, 1.6, r"$\sigma$")}
    for name, y in inputs.items():
        ax.text(-0.1, y, f"${name[0]}_{name[1]}$", ha="right", va="center", fontsize=FONT + 1)
    for name, (gx, gy, text) in gates.items():
        node(ax, gx, gy, text)
    wires = [("w0", "p0"), ("x0", "p0"), ("w1", "p1"), ("x1", "p1"), ("p0", "s"), ("p1", "s"),
             ("s", "z"), ("w2", "z"), ("z", "f"), ("f", None)]
    for source, target in wires:
        start = (0.0, inputs[source]) if source in inputs else gates[source][:2]
        end = gates[target][:2] if target else (10.6, gates["f"][1])
        arrow(ax, start, end, shrink=0 if source in inputs else 12)
        value, gradient = values[source]
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if source in inputs:  # write near the input's end, where wires are apart
            mx, my = start[0] + 0.55, start[1] + (end[1] - start[1]) * 0.55 / (end[0] - start[0])
        ax.text(mx, my + 0.1, fmt(value, 2), ha="center", va="bottom", fontsize=10,
                color=style.color("forward"))
        ax.text(mx, my - 0.12, fmt(gradient, 2), ha="center", va="top", fontsize=10,
                color=style.color("gradient"))
    ax.text(10.7, gates["f"][1], "$f$", va="center", fontsize=FONT + 1)
    _key(ax, 6.4, 4.5, [("forward", "forward value"),
                        ("gradient", r"gradient $\partial f/\partial$ wire")])
    return figure


# ------------------------------------------------------------------------------------------
# Unrolled recurrent networks

def _unrolled(ax, steps, bottom, top, hidden_face="cell", dx=2.2):
    """x_t at y = 0, h_t at y = 1.5, the output at y = 3 for each step; forward arrows."""
    for t in range(steps):
        x = dx * t
        box(ax, x, 0, bottom(t))
        box(ax, x, 1.5, f"$h_{t}$", face=hidden_face)
        box(ax, x, 3.0, top(t))
        arrow(ax, (x, 0.3), (x, 1.2), shrink=2)
        arrow(ax, (x, 1.8), (x, 2.7), shrink=2)
        arrow(ax, (x - dx + 0.45 if t else x - 1.6, 1.5), (x - 0.45, 1.5), shrink=2)
    ax.text(-1.65, 1.72, "$h_{-1} = 0$", fontsize=9)


def bptt_unrolled(steps: int = 4):
    """The RNN unrolled over ``steps`` steps: forward arrows (black) and the gradient flowing
    back through time (red dashed) from every loss term."""
    dx = 2.2
    figure, ax = canvas(8.8, 4.6, (-1.9, dx * (steps - 1) + 1.3), (-0.7, 4.6),
                        "Backpropagation through time: one network per step, the same U, W, V")
    _unrolled(ax, steps, lambda t: f"$x_{t}$", lambda t: f"$L_{t}$")
    for t in range(steps):
        x = dx * t
        arrow(ax, (x + 0.3, 2.75), (x + 0.3, 1.8), "gradient", shrink=2)
        ax.text(x + 0.38, 2.25, rf"$\partial L_{t}/\partial h_{t}$", fontsize=9,
                color=style.color("gradient"))
        if t:
            arrow(ax, (x - 0.45, 1.3), (x - dx + 0.45, 1.3), "gradient", rad=-0.35, shrink=2)
            ax.text(x - dx / 2, 0.62, rf"$\partial L/\partial h_{t - 1}$", ha="center",
                    fontsize=9, color=style.color("gradient"))
        for y, name in ((0.75, "U"), (2.25, "V")):
            ax.text(x - 0.1, y, name, ha="right", va="center", fontsize=10)
        ax.text(x - dx / 2, 1.62, "W" if t else "", ha="center", fontsize=10)
    ax.text(-1.8, 4.3, r"$L = L_0 + L_1 + \dots$; each $h_t$ gets its own loss term's "
            "gradient plus the one coming back from later steps", fontsize=9)
    _key(ax, -1.8, -0.45, [("gradient", "gradient, flowing back in time")])
    return figure


def birnn_unrolled(steps: int = 4):
    """The bidirectional RNN: a left-to-right chain and a right-to-left chain over the same
    inputs, both read by each step's output."""
    dx = 2.2
    figure, ax = canvas(8.8, 4.8, (-1.6, dx * (steps - 1) + 1.6), (-1.3, 4.4),
                        "Bidirectional RNN: every output sees the whole sequence")
    for t in range(steps):
        x = dx * t
        box(ax, x, 0, f"$x_{t}$")
        box(ax, x, 1.3, rf"$\overrightarrow{{h}}_{t}$", face="cell")
        box(ax, x, 2.5, rf"$\overleftarrow{{h}}_{t}$", face="cell")
        box(ax, x, 3.9, rf"$\hat y_{t}$")
        arrow(ax, (x - 0.15, 0.3), (x - 0.15, 1.0), shrink=2)
        arrow(ax, (x + 0.55, 0.2), (x + 0.5, 2.25), rad=0.25, shrink=2)
        arrow(ax, (x - 0.45, 1.45), (x - 0.3, 3.6), rad=-0.35, shrink=2)
        arrow(ax, (x + 0.1, 2.8), (x + 0.1, 3.6), shrink=2)
        if t:
            arrow(ax, (x - dx + 0.45, 1.3), (x - 0.45, 1.3), "lsb", shrink=2)
            arrow(ax, (x - 0.45, 2.5), (x - dx + 0.45, 2.5), "msb", shrink=2)
    _key(ax, -1.5, -0.7, [("lsb", "left to right"), ("msb", "right to left")])
    ax.text(dx * (steps - 1) + 1.5, 0.0, "inputs", ha="right", va="center", fontsize=9)
    return figure


def char_lm_unrolled(text: str = "hello"):
    """The character language model unrolled over ``text``: each step reads one character and
    gives a softmax over the next one; the targets are the text shifted by one."""
    steps = len(text) - 1
    dx = 1.9
    figure, ax = canvas(8.8, 4.9, (-1.9, dx * (steps - 1) + 1.2), (-0.7, 5.0),
                        f"Character language model on “{text}”: predict the next character")
    _unrolled(ax, steps, lambda t: f"“{text[t]}”", lambda t: "softmax", dx=dx)
    for t in range(steps):
        x = dx * t
        arrow(ax, (x, 3.3), (x, 4.0), shrink=2)
        box(ax, x, 4.3, f"target “{text[t + 1]}”", width=1.6, fontsize=9)
    ax.text(-1.8, -0.55, r"loss: $-\log p(\mathrm{target})$ at each step, averaged over the "
            "steps", fontsize=9)
    return figure


# ------------------------------------------------------------------------------------------
# The LSTM cell (Olah's picture)

def lstm_cell():
    """The LSTM cell: the cell state along the top, changed only by the forget gate's × and
    the input's +; the four layers (σ, σ, tanh, σ) read [h_{t-1}, x_t]; the output gate
    multiplies tanh(c_t) into h_t."""
    figure, ax = canvas(8.8, 5.2, (-1.6, 11.6), (-1.6, 6.0),
                        "LSTM cell: the cell state runs along the top")
    ax.add_patch(FancyBboxPatch((0, 0), 10, 5, boxstyle="round,pad=0,rounding_size=0.4",
                                fc=style.color("shade"), ec=style.color("muted"), lw=1.2))
    top, bus = 4.3, 0.55
    ax.plot([-1.2, 11.2], [top, top], color=style.color("ink"), ls="-", lw=3, zorder=1)
    arrow(ax, (10.6, top), (11.4, top), shrink=0, lw=3)
    ax.text(-1.3, top + 0.25, "$c_{t-1}$", ha="left", va="bottom", fontsize=FONT)
    ax.text(11.3, top + 0.25, "$c_t$", ha="right", va="bottom", fontsize=FONT)
    ax.plot([-1.2, 7.4], [bus, bus], color=style.color("ink"), ls="-", lw=1.4, zorder=1)
    ax.text(-1.3, bus + 0.2, "$h_{t-1}$", ha="left", va="bottom", fontsize=FONT)
    arrow(ax, (1.0, -1.4), (1.0, bus), shrink=0)
    ax.text(1.15, -1.35, "$x_t$", va="bottom", fontsize=FONT)
    gates = [(2.0, r"$\sigma$", "$f_t$", "forget gate"),
             (3.6, r"$\sigma$", "$i_t$", "input gate"),
             (5.0, "tanh", r"$\tilde c_t$", "candidate"),
             (7.4, r"$\sigma$", "$o_t$", "output gate")]
    for gx, layer, name, words in gates:
        arrow(ax, (gx, bus), (gx, 1.25), shrink=0)
        box(ax, gx, 1.55, layer, width=0.95, face="cell")
        ax.text(gx + 0.55, 2.1, name, fontsize=FONT)
        ax.text(gx, 0.2, words, ha="center", va="top", fontsize=9)
    node(ax, 2.0, top, "×")
    node(ax, 5.0, top, "+")
    node(ax, 5.0, 3.0, "×")
    node(ax, 8.6, 1.55, "×")
    ax.add_patch(FancyBboxPatch((8.1, 2.75), 1.0, 0.5, boxstyle="round,pad=0,rounding_size=0.25",
                                fc=style.color("paper"), ec=style.color("ink"), lw=1.2,
                                zorder=2))
    ax.text(8.6, 3.0, "tanh", ha="center", va="center", fontsize=FONT - 1, zorder=3)
    arrow(ax, (2.0, 1.85), (2.0, top), shrink=12)
    arrow(ax, (3.6, 1.85), (5.0, 3.0), rad=-0.3, shrink=12)
    arrow(ax, (5.0, 1.85), (5.0, 3.0), shrink=12)
    arrow(ax, (5.0, 3.0), (5.0, top), shrink=12)
    arrow(ax, (8.6, top), (8.6, 3.25), shrink=1)
    arrow(ax, (8.6, 2.75), (8.6, 1.55), shrink=10)
    arrow(ax, (7.4, 1.85), (8.6, 1.55), rad=-0.3, shrink=12)
    ax.plot([8.9, 9.6, 9.6], [1.55, 1.55, bus], color=style.color("ink"), ls="-", lw=1.4)
    arrow(ax, (9.6, bus), (11.4, bus), shrink=0)
    arrow(ax, (9.6, 1.55), (9.6, 5.8), shrink=0)
    ax.text(11.3, bus + 0.2, "$h_t$", ha="right", va="bottom", fontsize=FONT)
    ax.text(9.75, 5.6, "$h_t$ (output)", va="top", fontsize=9)
    ax.text(0.2, 5.35, r"$c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$,   "
            r"$h_t = o_t \odot \tanh(c_t)$", fontsize=FONT)
    return figure


# ------------------------------------------------------------------------------------------
# Attention

def attention_weights(tokens, *, rng=None, key_size: int = 4):
    """Queries, keys, values and softmax weights of one head over random embeddings of
    ``tokens`` (seeded: the same picture every time). Returns (Q, K, V, weights (T, T))."""
    rng = np.random.default_rng(0) if rng is None else rng
    X = rng.normal(size=(len(tokens), key_size))
    Wq, Wk, Wv = (rng.normal(size=(key_size, key_size)) for _ in range(3))
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    weights = softmax(Q @ K.T / np.sqrt(key_size))
    return Q, K, V, weights


def attention_head(tokens=("the", "cat", "sat", "down"), *, rng=None):
    """One attention head: each token's query is compared with every key, the softmax of the
    scaled scores weighs the values. Left: the computation; right: the weights, written."""
    _, _, _, weights = attention_weights(tokens, rng=rng)
    figure, (ax, ax_weights) = plt.subplots(1, 2, figsize=(8.8, 3.9), layout="constrained",
                                            gridspec_kw={"width_ratios": [1.25, 1]})
    ax.set_xlim(-0.3, 6.3)
    ax.set_ylim(-0.4, 5.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One attention head")
    box(ax, 0.6, 0.2, r"tokens $x_j$", width=1.4)
    for k, (x, name, words) in enumerate(((1.0, "$Q = X W_Q$", "queries"),
                                          (3.0, "$K = X W_K$", "keys"),
                                          (5.0, "$V = X W_V$", "values"))):
        box(ax, x, 1.6, name, width=1.7, face="cell", fontsize=10)
        ax.text(x, 2.0, words, ha="center", va="bottom", fontsize=9)
        arrow(ax, (0.6, 0.5), (x, 1.3), shrink=2)
    box(ax, 2.0, 3.0, r"$QK^\top/\sqrt{d}$", width=1.7, fontsize=10)
    arrow(ax, (1.0, 1.9), (1.8, 2.7), shrink=2)
    arrow(ax, (3.0, 1.9), (2.2, 2.7), shrink=2)
    box(ax, 2.0, 4.1, "softmax (each row)", width=2.4, fontsize=10)
    arrow(ax, (2.0, 3.3), (2.0, 3.8), shrink=2)
    box(ax, 4.8, 4.9, r"$z_i = \sum_j a_{ij} v_j$", width=2.0, fontsize=10)
    arrow(ax, (3.2, 4.2), (3.8, 4.8), shrink=2)
    arrow(ax, (5.0, 1.9), (5.0, 4.6), shrink=2)
    ax.text(2.0, 4.55, "weights $a_{ij}$", ha="center", fontsize=9)
    image = ax_weights.imshow(weights, cmap=style.cmap("sequential"), vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(weights):
        ax_weights.text(j, i, fmt(value, 2), ha="center", va="center", fontsize=9,
                        color=style.color("paper") if value < 0.5 else style.color("ink"))
    ax_weights.set_xticks(range(len(tokens)), tokens)
    ax_weights.set_yticks(range(len(tokens)), tokens)
    ax_weights.set_xlabel("key (attended to)")
    ax_weights.set_ylabel("query (attending)")
    ax_weights.set_title("softmax weights $a_{ij}$ (rows sum to 1)")
    figure.colorbar(image, ax=ax_weights, shrink=0.8, label="weight")
    return figure


__all__ = ["attention_head", "attention_weights", "backprop_circuit", "birnn_unrolled",
           "bptt_unrolled", "char_lm_unrolled", "lstm_cell", "sigmoid_neuron_values"]
