"""The course's one figure style: a named colour per concept, markers and line styles that
carry the same meaning without colour, colour maps, font sizes, sharp output.

Every figure drawn through ``course.plotting`` or ``course.widgets`` takes its colours from
here (``course.plotting`` calls ``use()`` when it is imported; a test scans the plotting and
widget code for colour literals). The palette is Okabe & Ito's (2008), safe for the common
colour-vision deficiencies; the diverging map ColorBrewer's RdBu, also colour-blind safe.

Conventions (the colour table of the course)
--------------------------------------------
- Data splits: train solid, validation dashed, test dash-dot. One model alone: the split also
  picks the colour; several models in one panel: the model picks the colour, the split the
  line style.
- References: a bound or a prediction from theory is black and dashed; a baseline (chance, a
  coin flip, predicting a constant) is grey and dotted; a threshold (a target such as "solved"
  or 95 %) grey dash-dot. Guide lines (zero, 1/2) are light grey and solid.
- A highlighted item (the unit discussed, the marked steps, the current step) is black.
- Model families keep one colour and one marker through all chapters. Only seven colours exist,
  so two families share a colour only when no chapter draws them together (MLP and LSTM,
  neuron and transformer, ...); their markers still differ, and a test checks that
  every (colour, marker) pair is unique and that families drawn together differ in colour.
- Signs: ONE diverging map, ``"RdBu_r"``: positive = red, negative = blue, zero = white, for
  signed weights, hidden states and correlations, always with a symmetric range. A probability
  of class 1 uses the same map (1 = red), so class 1 is red (vermillion) and class 0 blue.
- XOR and every 0/1 class: class 1 = filled circle, class 0 = open square.
- Ordered quantities (learning rates, sizes, N, lags): colours sampled from ``"viridis"``
  (``sequence(n)``), small values dark, large values light; never the categorical palette.
"""

from __future__ import annotations

from cycler import cycler
import matplotlib as mpl

# Okabe & Ito (2008), "Color universal design". Yellow is left out of lines (too pale on white).
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
_O = OKABE_ITO

# concept -> (colour, marker, line style)
CONCEPTS: dict[str, tuple[str, str, str]] = {
    # data splits
    "train": (_O["blue"], "o", "-"),
    "validation": (_O["vermillion"], "s", "--"),
    "test": (_O["bluish_green"], "^", "-."),
    # references
    "bound": (_O["black"], "", "--"),
    "baseline": ("#777777", "", ":"),
    "threshold": ("#777777", "", "-."),
    "guide": ("#CCCCCC", "", "-"),
    # model families
    "neuron": (_O["sky_blue"], "o", "-"),
    "mlp": (_O["blue"], "h", "-"),
    "rnn": (_O["vermillion"], "o", "-"),
    "birnn": (_O["bluish_green"], "^", "-"),
    "lstm": (_O["blue"], "s", "-"),
    "gru": (_O["reddish_purple"], "D", "-"),
    "tree": (_O["orange"], "v", "-"),
    "hopfield": (_O["bluish_green"], "p", "-"),
    "modern_hopfield": (_O["reddish_purple"], "*", "-"),
    "ngram": (_O["orange"], "P", "-"),
    "char_lm": (_O["vermillion"], "X", "-"),
    "transformer": (_O["sky_blue"], "d", "-"),
    # bit orderings (chapter 05); the BiRNN keeps its family colour there
    "lsb": (_O["sky_blue"], "o", "-"),
    "msb": (_O["orange"], "s", "-"),
    # gradient clipping: the run that explodes is the warm one
    "clipped": (_O["blue"], "o", "-"),
    "unclipped": (_O["vermillion"], "s", "--"),
    # 0/1 classes (XOR, moons, carry): same sides as the diverging map
    "class0": ("#2166AC", "s", "-"),
    "class1": ("#B2182B", "o", "-"),
    # signs of a weight (the ends of the diverging map)
    "positive": ("#B2182B", "", "-"),
    "negative": ("#2166AC", "", "-"),
    # drawing: outlines, plain wires, paper, a highlighted item, shaded regions, errors
    "ink": (_O["black"], "", "-"),
    "muted": ("#8C8C8C", "", "-"),
    "paper": ("#FFFFFF", "", "-"),
    "highlight": (_O["black"], "", "-"),
    "shade": ("#EEEEEE", "", "-"),
    "cell": ("#DCEAF5", "", "-"),
    "error": ("#B00000", "", "-"),
    "gradient": (_O["vermillion"], "", "--"),
    "forward": (_O["black"], "", "-"),
}

COLORS = {name: colour for name, (colour, _, _) in CONCEPTS.items()}
MARKERS = {name: marker for name, (_, marker, _) in CONCEPTS.items() if marker}
LINESTYLES = {name: ls for name, (_, _, ls) in CONCEPTS.items()}

# Families that one chapter draws together: their colours must differ.
DRAWN_TOGETHER = [("neuron", "mlp"), ("rnn", "birnn", "lstm", "gru", "tree"),
                  ("lsb", "msb", "birnn"), ("hopfield", "modern_hopfield"),
                  ("ngram", "char_lm", "transformer", "lstm", "gru"),
                  ("train", "validation", "test"),
                  ("clipped", "unclipped"), ("class0", "class1"), ("bound", "baseline")]

CMAPS = {"sequential": "viridis", "diverging": "RdBu_r", "ink": "gray_r", "counts": "Blues"}

# The categorical cycle for series without a concept (units, weights): colour AND dash differ.
CYCLE_COLORS = [_O["blue"], _O["vermillion"], _O["bluish_green"], _O["orange"],
                _O["reddish_purple"], _O["sky_blue"], _O["black"]]
CYCLE_LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1))]
CYCLE_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]

FONT_SIZE = 10       # points, at the displayed size (figures ≤ MAX_WIDTH inches wide)
SMALL_FONT_SIZE = 9  # legends, ticks, annotations: never smaller
MAX_WIDTH = 9.0      # inches at 100 dpi: fits a JupyterLab cell without shrinking
DPI = 100


def _known(name: str, table: dict) -> None:
    if name not in table:
        raise ValueError(f"unknown style concept {name!r}; known: {', '.join(sorted(table))}")


def color(name: str) -> str:
    """The hex colour of a concept, e.g. ``color("validation")`` or ``color("lstm")``."""
    _known(name, COLORS)
    return COLORS[name]


def marker(name: str) -> str:
    """The marker of a concept (families, splits, orderings, classes)."""
    _known(name, MARKERS)
    return MARKERS[name]


def linestyle(name: str) -> str:
    """The line style of a concept (``"--"`` for validation, bounds, ...)."""
    _known(name, LINESTYLES)
    return LINESTYLES[name]


def line(name: str, markers: bool = True) -> dict:
    """Keyword arguments for ``ax.plot``: colour, line style and (if any) marker of a concept."""
    settings = {"color": color(name), "linestyle": linestyle(name)}
    if markers and name in MARKERS:
        settings["marker"] = MARKERS[name]
    return settings


def cmap(name: str = "sequential") -> str:
    """The colour map's matplotlib name: "sequential", "diverging", "ink" or "counts"."""
    _known(name, CMAPS)
    return CMAPS[name]


def sequence(count: int, name: str = "sequential") -> list[str]:
    """``count`` colours for an ordered quantity, small to large (dark to light, stopping
    before viridis' pale yellow end)."""
    colormap = mpl.colormaps[cmap(name)]
    if count <= 1:
        return [mpl.colors.to_hex(colormap(0.0))]
    return [mpl.colors.to_hex(colormap(0.85 * k / (count - 1))) for k in range(count)]


def cycle(index: int) -> dict:
    """Colour and line style of the ``index``-th series without a concept of its own."""
    k = index % len(CYCLE_COLORS)
    return {"color": CYCLE_COLORS[k], "linestyle": CYCLE_LINESTYLES[k]}


# Words in a series label that name a concept, most specific first (checked in this order).
_LABEL_WORDS = [("no clip", "unclipped"), ("without clip", "unclipped"), ("unclipped", "unclipped"),
                ("clip", "clipped"), ("modern hopfield", "modern_hopfield"),
                ("dense associative", "modern_hopfield"), ("hopfield", "hopfield"),
                ("birnn", "birnn"), ("bidirectional", "birnn"), ("lstm", "lstm"),
                ("gru", "gru"), ("tree", "tree"), ("transformer", "transformer"),
                ("attention", "transformer"), ("n-gram", "ngram"), ("gram", "ngram"),
                ("count model", "ngram"), ("char", "char_lm"), ("lsb", "lsb"), ("msb", "msb"),
                ("rnn", "rnn"), ("mlp", "mlp"), ("neuron", "neuron"),
                ("validation", "validation"), ("held-out", "validation"), ("test", "test"),
                ("train", "train")]


def concept_of(label: str) -> str | None:
    """The concept a series label names ("LSTM (notebook 07)" -> "lstm", "no clipping" ->
    "unclipped"), or None."""
    text = str(label).lower()
    for word, concept in _LABEL_WORDS:
        if word in text:
            return concept
    return None


def series(label: str, index: int = 0, marker: str | None = None,
           markers: bool = True) -> dict:
    """``ax.plot`` settings for a series: its concept's colour, marker and line style when the
    label names one (``concept_of``), else the ``index``-th of the categorical cycle with
    ``marker`` (if given). ``markers=False``: no marker at all."""
    concept = concept_of(label)
    if concept is not None:
        return line(concept, markers)
    settings = cycle(index)
    if marker and markers:
        settings["marker"] = marker
    return settings


def class_marker(label: int, size: float = 8) -> dict:
    """``ax.plot`` settings for a point of class ``label`` (0 or 1): class 1 a filled red
    circle, class 0 an open (white) square, both edged in black so that they show on any
    background (XOR uses these everywhere)."""
    name = "class1" if label else "class0"
    return {"marker": marker(name), "markersize": size, "linestyle": "none",
            "markeredgecolor": color("ink"), "markeredgewidth": 1.2,
            "markerfacecolor": color(name) if label else color("paper")}


def class_scatter(label: int) -> dict:
    """The same convention as ``class_marker`` as ``ax.scatter`` keyword arguments."""
    name = "class1" if label else "class0"
    return {"marker": marker(name), "edgecolors": color("ink"), "linewidths": 1.0,
            "facecolors": color(name) if label else color("paper")}


def label_lines(ax, lines=None, fontsize: float | None = None, gap: float = 0.045):
    """Write each line's label at its right end in its colour, instead of a legend.

    Labels closer than ``gap`` (a fraction of the axes height) are pushed apart. Returns the
    texts. Lines whose label starts with "_" (matplotlib's "no label") are skipped.
    """
    import numpy as np

    lines = [ln for ln in (lines if lines is not None else ax.get_lines())
             if not ln.get_label().startswith("_") and len(ln.get_xdata())]
    ends = []
    for ln in lines:
        x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
        finite = np.isfinite(x) & np.isfinite(y)
        if finite.any():
            ends.append((ln, x[finite][-1], y[finite][-1]))
    to_axes = ax.transAxes.inverted()
    placed = sorted(((ln, x, to_axes.transform(ax.transData.transform((x, y)))[1])
                     for ln, x, y in ends), key=lambda item: item[2])
    texts, previous = [], -np.inf
    for ln, x, y_axes in placed:
        y_axes = max(y_axes, previous + gap)
        previous = y_axes
        texts.append(ax.annotate(
            f" {ln.get_label()}", (x, 0), xycoords=("data", "axes fraction"),
            xytext=(x, y_axes), textcoords=("data", "axes fraction"), va="center",
            ha="left", color=ln.get_color(), fontsize=fontsize or SMALL_FONT_SIZE,
            annotation_clip=False))
    return texts


RC = {
    "figure.dpi": DPI, "savefig.dpi": 2 * DPI, "figure.figsize": (7.5, 3.6),
    "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 1, "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": SMALL_FONT_SIZE, "ytick.labelsize": SMALL_FONT_SIZE,
    "legend.fontsize": SMALL_FONT_SIZE, "legend.title_fontsize": SMALL_FONT_SIZE,
    "legend.frameon": False, "figure.titlesize": FONT_SIZE + 2,
    "axes.spines.top": False, "axes.spines.right": False,
    # Colours only: a line style in the default cycle would turn a notebook's plain second
    # line dashed, where dashed means validation. Redundant cues come from line()/series()/cycle().
    "axes.prop_cycle": cycler(color=CYCLE_COLORS),
    "image.cmap": CMAPS["sequential"], "lines.linewidth": 1.6, "lines.markersize": 5,
    "mathtext.fontset": "dejavusans", "axes.formatter.use_mathtext": True,
    "savefig.bbox": "tight",
}


def use() -> None:
    """Apply the course style to matplotlib, and ask a running IPython kernel's inline
    backend for retina PNGs (twice the pixels, the same displayed size). Idempotent."""
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is installed with the course
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("retina")


__all__ = ["CMAPS", "COLORS", "CONCEPTS", "DRAWN_TOGETHER", "LINESTYLES", "MARKERS",
           "OKABE_ITO", "class_marker", "class_scatter", "cmap", "color", "concept_of", "cycle",
           "label_lines", "line", "linestyle", "marker", "sequence", "series", "use"]
