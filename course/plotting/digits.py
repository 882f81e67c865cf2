"""Figures for notebook 06: XOR's lines and surfaces, digit images, the confusion matrix and the
first layer's weights.

Presentation layer: imports matplotlib; nothing in nnlib's core imports it back. Every function
draws into axes it is given (or the current ones) and returns them; the caller shows the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style
from nnlib.activations import sigmoid
from course.digits import XOR_X, XOR_Y, xor_forward
from nnlib.data.digits import IMAGE_SHAPE

CLASS_COLORS = (style.color("class0"), style.color("class1"))


def plot_xor_points(ax, X=XOR_X, y=XOR_Y, size: float = 90):
    """The four XOR points in the course's convention: XOR = 1 a filled red circle, XOR = 0 an
    open blue square."""
    for label in (0, 1):
        points = X[np.asarray(y) == label]
        ax.scatter(points[:, 0], points[:, 1], s=size, **style.class_scatter(label),
                   zorder=3, label=f"XOR = {label}")
    return ax


def plot_line_errors(errors: np.ndarray, angles: np.ndarray, offsets: np.ndarray, ax=None):
    """Heat map of misclassified points for every (angle, offset) line; returns the axes."""
    ax = ax or plt.gca()
    image = ax.imshow(errors.T, origin="lower", aspect="auto", cmap=style.cmap("sequential"),
                      extent=(np.degrees(angles[0]), np.degrees(angles[-1]), offsets[0],
                              offsets[-1]), vmin=0, vmax=errors.max())
    colorbar = ax.figure.colorbar(image, ax=ax, ticks=range(int(errors.max()) + 1))
    colorbar.set_label("points misclassified")
    ax.set_xlabel("angle of the line's normal (degrees)")
    ax.set_ylabel("offset c")
    ax.set_title(f"every line: at least {errors.min()} of 4 points wrong")
    return ax


def plot_some_lines(lines, ax=None, limits=(-0.5, 1.5)):
    """A few lines ``(angle, offset)`` through the XOR square, each labelled with its errors."""
    ax = ax or plt.gca()
    plot_xor_points(ax)
    grid = np.linspace(*limits, 2)
    for index, (angle, offset, errors) in enumerate(lines):
        normal = np.array([np.cos(angle), np.sin(angle)])
        style_ = {"lw": 1.4, **style.cycle(index + 2),
                 "label": f"{np.degrees(angle):.0f}°, c = {offset:g}: {errors} wrong"}
        if abs(normal[1]) > 1e-9:
            ax.plot(grid, (offset - normal[0] * grid) / normal[1], **style_)
        else:
            ax.plot([offset / normal[0]] * 2, limits, **style_)
    ax.set_xlim(*limits)
    ax.set_ylim(*limits)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("a few of the lines")
    ax.legend(fontsize=style.SMALL_FONT_SIZE, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return ax


def _single(params: dict, index: int) -> dict:
    return {key: value[index:index + 1] for key, value in params.items()}


def plot_xor_surface(params: dict, index: int = 0, ax=None, title: str = "",
                     limits=(-0.5, 1.5), resolution: int = 121):
    """P(XOR = 1) of stacked network ``index`` over the plane, and each hidden unit's line
    (where its pre-activation is 0); returns the axes."""
    ax = ax or plt.gca()
    net = _single(params, index)
    grid = np.linspace(*limits, resolution)
    xx, yy = np.meshgrid(grid, grid)
    _, logits = xor_forward(net, np.column_stack([xx.ravel(), yy.ravel()]))
    probability = sigmoid(logits[0, :, 0]).reshape(xx.shape)
    filled = ax.contourf(xx, yy, probability, levels=np.linspace(0, 1, 11),
                         cmap=style.cmap("diverging"), alpha=0.75)
    ax.figure.colorbar(filled, ax=ax, shrink=0.8, label="P(XOR = 1)")
    ax.contour(xx, yy, probability, levels=[0.5], colors=style.color("ink"), linewidths=1.5)
    ax.plot([], [], color=style.color("ink"), lw=1.5, label="P(XOR = 1) = 1/2")
    W1, b1 = net["W1"][0], net["b1"][0, 0]
    for unit in range(W1.shape[1]):
        w, b = W1[:, unit], b1[unit]
        if abs(w[1]) > 1e-12:
            # each unit its own colour-blind-safe colour and dash pattern
            ax.plot(grid, -(b + w[0] * grid) / w[1], lw=2.0, **style.cycle(unit + 2),
                    label=f"hidden unit {unit + 1}: $z = 0$")
    plot_xor_points(ax, size=60)
    ax.set_xlim(*limits)
    ax.set_ylim(*limits)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "P(XOR = 1); black: 1/2")
    # below the axes, so that it covers neither the points nor the lines
    ax.legend(fontsize=style.SMALL_FONT_SIZE, loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncol=2, frameon=False)
    return ax


def plot_hidden_codes(params: dict, index: int = 0, ax=None, title: str = ""):
    """The four points as the two hidden units see them (tanh outputs), and the output unit's
    line in that plane (where its logit w2 . h + b2 is 0, P(XOR = 1) = 1/2); returns the axes."""
    ax = ax or plt.gca()
    net = _single(params, index)
    hidden, _ = xor_forward(net)
    codes = hidden[0]
    w2, b2 = net["W2"][0, :, 0], float(net["b2"][0, 0, 0])
    grid = np.linspace(-1.15, 1.15, 2)
    if abs(w2[1]) > 1e-12:
        ax.plot(grid, -(b2 + w2[0] * grid) / w2[1], color=style.color("ink"), lw=1.5,
                label="output unit: P(XOR = 1) = 1/2")
    elif abs(w2[0]) > 1e-12:
        ax.plot([-b2 / w2[0]] * 2, grid, color=style.color("ink"), lw=1.5,
                label="output unit: P(XOR = 1) = 1/2")
    # Class 0 large open squares around class 1 small filled circles: a shared code shows both.
    for label, size in ((0, 160), (1, 50)):
        points = codes[XOR_Y == label]
        ax.scatter(points[:, 0], points[:, 1], s=size, **style.class_scatter(label),
                   zorder=3, label=f"XOR = {label}")
    labelled: list[tuple[np.ndarray, list[str]]] = []
    for code, (x1, x2) in zip(codes, XOR_X):
        for seen, names in labelled:  # points whose codes coincide share one label
            if np.allclose(seen, code, atol=0.05):
                names.append(f"({x1:.0f}, {x2:.0f})")
                break
        else:
            labelled.append((code, [f"({x1:.0f}, {x2:.0f})"]))
    for (h1, h2), names in labelled:
        ax.annotate(" and ".join(names), (h1, h2), textcoords="offset points",
                    xytext=(-40 if h1 > 0.5 else 10, 12 if h2 < 0.8 else -20),
                    fontsize=style.SMALL_FONT_SIZE)
    ax.legend(fontsize=style.SMALL_FONT_SIZE, loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncol=2, frameon=False)
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.15, 1.15)
    ax.set_aspect("equal")
    ax.set_xlabel("hidden unit 1")
    ax.set_ylabel("hidden unit 2")
    ax.set_title(title or "the points in hidden space")
    return ax


def plot_digits(images, titles=(), columns: int = 10, axes=None, title_colors=()):
    """Digits as 8 x 8 grey images (ink dark), one per axes, with optional titles."""
    images = np.asarray(images).reshape(-1, *IMAGE_SHAPE)
    if axes is None:
        rows = max(1, int(np.ceil(len(images) / columns)))
        width = min(columns * 0.88, style.MAX_WIDTH)
        _, axes = plt.subplots(rows, columns, figsize=(width, rows * 1.3 + 0.3),
                               layout="constrained")
    axes = np.atleast_1d(axes).ravel()
    for index, ax in enumerate(axes):
        ax.set_axis_off()
        if index >= len(images):
            continue
        ax.imshow(images[index], cmap=style.cmap("ink"), vmin=0, vmax=1, interpolation="nearest")
        if index < len(titles):
            color = title_colors[index] if index < len(title_colors) else style.color("ink")
            ax.set_title(titles[index], fontsize=style.SMALL_FONT_SIZE, color=color)
    return axes


def plot_confusion(counts: np.ndarray, ax=None, title: str = "confusion matrix (test set)"):
    """Counts of true (rows) against predicted (columns) classes, every count written.

    The diagonal (right answers) is left uncoloured; the off-diagonal cells (the mistakes) get
    a colour scale of their own, with a labelled colour bar, so that a few mistakes next to a
    diagonal of 35 show instead of vanishing on one linear scale."""
    ax = ax or plt.gca()
    counts = np.asarray(counts)
    classes = counts.shape[0]
    off = counts.astype(float)
    np.fill_diagonal(off, np.nan)
    top = max(1, int(np.nanmax(off)))
    image = ax.imshow(np.ma.masked_invalid(off), cmap=style.cmap("counts"), vmin=0, vmax=top)
    for i in range(classes):
        ax.add_patch(plt.Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor=style.color("paper"),
                                   edgecolor=style.color("muted"), lw=0.8))
        for j in range(classes):
            if counts[i, j] or i == j:
                strong = i != j and counts[i, j] > top / 2
                ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                        fontsize=style.SMALL_FONT_SIZE,
                        fontweight="normal" if i == j else "bold",
                        color=style.color("paper") if strong else style.color("ink"))
    colorbar = ax.figure.colorbar(image, ax=ax, ticks=range(top + 1), shrink=0.85)
    colorbar.set_label("mistakes (off-diagonal count)")
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit (diagonal: right, uncoloured)")
    ax.set_title(title)
    return ax


def plot_first_layer(W1: np.ndarray, units: int = 16, columns: int = 8, axes=None):
    """The first ``units`` columns of W1 (64, H), each drawn as the 8 x 8 image it weighs:
    red pixels push the unit up, blue ones down, on one symmetric scale with a labelled colour
    bar (the course's diverging map: positive red)."""
    W1 = np.asarray(W1)
    shown = W1[:, :units]
    limit = np.abs(shown).max()
    if axes is None:
        rows = int(np.ceil(shown.shape[1] / columns))
        _, axes = plt.subplots(rows, columns, figsize=(min(columns * 1.0 + 1.0, style.MAX_WIDTH),
                                                       rows * 1.15 + 0.4), layout="constrained")
    axes = np.atleast_1d(axes).ravel()
    image = None
    for index, ax in enumerate(axes):
        ax.set_axis_off()
        if index < shown.shape[1]:
            image = ax.imshow(shown[:, index].reshape(IMAGE_SHAPE), cmap=style.cmap("diverging"),
                              vmin=-limit, vmax=limit, interpolation="nearest")
            ax.set_title(f"unit {index + 1}", fontsize=style.SMALL_FONT_SIZE)
    if image is not None:
        colorbar = axes[0].figure.colorbar(image, ax=list(axes), shrink=0.9)
        colorbar.set_label("weight of the pixel\n(red +, blue −)")
    return axes


def plot_search_curves(search: dict, hidden_sizes, learning_rates, chosen=None, axes=None):
    """Validation accuracy after every epoch for each (hidden size, learning rate): one panel
    per hidden size, one colour, dash pattern and marker per learning rate; the chosen
    (hidden size, learning rate, epoch) circled. The y axis shows every epoch, the first ones
    too."""
    if axes is None:
        _, axes = plt.subplots(1, len(hidden_sizes), figsize=(style.MAX_WIDTH, 3.3),
                               sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    lowest = min(100 * float(np.min(curve)) for curve in search.values())
    for ax, hidden_size in zip(axes, hidden_sizes):
        for k, learning_rate in enumerate(learning_rates):
            curve = 100 * np.asarray(search[hidden_size, learning_rate])
            epochs = np.arange(1, len(curve) + 1)
            ax.plot(epochs, curve, **style.cycle(k), marker=style.CYCLE_MARKERS[k],
                    markersize=4, label=f"lr {learning_rate:g}")
        if chosen is not None and chosen[0] == hidden_size:
            _, learning_rate, epoch = chosen
            value = 100 * search[hidden_size, learning_rate][epoch - 1]
            ax.plot([epoch], [value], marker="o", markersize=12, markerfacecolor="none",
                    markeredgecolor=style.color("ink"), linestyle="none", label="chosen")
        ax.set_title(f"64-{hidden_size}-10")
        ax.set_xlabel("epoch")
        ax.set_ylim(np.floor(lowest / 5) * 5, 100)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("validation accuracy (%)")
    axes[-1].legend(loc="lower right", fontsize=style.SMALL_FONT_SIZE)
    return axes


__all__ = ["plot_confusion", "plot_digits", "plot_first_layer", "plot_hidden_codes",
           "plot_search_curves",
           "plot_line_errors", "plot_some_lines", "plot_xor_points", "plot_xor_surface"]
