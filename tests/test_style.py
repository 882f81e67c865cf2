"""The course's figure style: plotting code takes every colour from course.plotting.style."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import matplotlib
import matplotlib.colors
import pytest

matplotlib.use("Agg")

from matplotlib.axes._base import _process_plot_format  # noqa: E402

from course.plotting import style  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCANNED = sorted([*ROOT.glob("course/plotting/*.py"), *ROOT.glob("course/widgets/*.py")])
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
NOT_COLOURS = {"none", "None", ""}


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


COLOUR_KEYWORDS = {"color", "colors", "c", "fc", "ec", "facecolor", "facecolors", "edgecolor",
                   "edgecolors", "mfc", "mec", "markerfacecolor", "markeredgecolor", "cmap"}

PLOT_CALLS = {"plot", "semilogx", "semilogy", "loglog", "errorbar", "step"}


def _skipped(tree) -> set[int]:
    """ids of the strings that cannot be colours: docstrings, f-string format specs
    (``:g``), subscripts (``params["b"]``) and dictionary keys."""
    ids = _docstrings(tree)
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            parts = [node.format_spec]
        elif isinstance(node, ast.Subscript):
            parts = [node.slice]
        elif isinstance(node, ast.Dict):
            parts = [key for key in node.keys if key is not None]
        for part in parts:
            ids.update(id(inner) for inner in ast.walk(part))
    return ids


def colour_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string in ``source`` that names a colour or a colour map: hex
    codes (also inside HTML), matplotlib colour specs ("C0", "tab:blue", "red", "0.5"), a
    one-letter colour ("k") given as a colour argument, plot format strings with a colour
    ("r--") and colour-map names ("viridis")."""
    tree = ast.parse(source)
    skip = _skipped(tree)
    colour_arguments, positional = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in COLOUR_KEYWORDS:
            colour_arguments.update(id(inner) for inner in ast.walk(node.value))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in PLOT_CALLS):
            positional.update(id(arg) for arg in node.args)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        text = node.value
        if text in NOT_COLOURS:
            continue
        if len(text) == 1:  # "b", "k", ...: a colour only where a colour is expected
            bad = id(node) in colour_arguments and matplotlib.colors.is_color_like(text)
        else:
            bad = bool(HEX.search(text)) or text in matplotlib.colormaps
            if not bad and matplotlib.colors.is_color_like(text):
                bad = text.strip() == text  # " 0.138" is a label, "0.55" a grey
        if not bad and id(node) in positional:
            try:
                bad = _process_plot_format(text)[2] is not None
            except ValueError:
                pass
        if bad:
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_plotting_code_takes_its_colours_from_the_style(path):
    if path.name == "style.py":
        pytest.skip("the one place where colours are written")
    found = colour_literals(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: colour literals {found}; use style.color(...)"


@pytest.mark.parametrize("planted", ['ax.plot(x, color="tab:orange")', 'c = "C3"',
                                     'ax.plot(x, y, "r--")', "c = '#e8f0fb'",
                                     'ax.imshow(a, cmap="RdBu_r")', 'c = "0.55"',
                                     'c = "crimson"', "s = \"<span style='color:#b00'>\"",
                                     'ax.axhline(0, color="k")'])
def test_the_scan_catches_a_planted_literal(planted):
    assert colour_literals(f'"""doc: blue is fine here."""\n{planted}\n')


def test_the_scan_lets_markers_labels_and_numbers_through():
    source = ('ax.plot(x, y, "o", ls="--", marker="s", label="w1")\n'
              'ax.text(0, 1, "1/2: a fair coin")\nx = "1"\ny = " 0.138"\nz = "none"\n')
    assert colour_literals(source) == []


def test_every_concept_has_a_valid_colour_and_marker_and_pairs_are_unique():
    families = ["neuron", "mlp", "rnn", "birnn", "lstm", "gru", "tree", "hopfield",
                "modern_hopfield", "ngram", "char_lm", "transformer"]
    for name in families + ["train", "validation", "test", "lsb", "msb", "class0", "class1"]:
        assert matplotlib.colors.is_color_like(style.color(name))
        assert style.marker(name)
    pairs = [(style.color(name), style.marker(name)) for name in families]
    assert len(set(pairs)) == len(families)


def test_concepts_drawn_together_have_different_colours():
    for group in style.DRAWN_TOGETHER:
        colours = [style.color(name) for name in group]
        assert len(set(colours)) == len(colours), group


def test_one_diverging_map_with_positive_red():
    assert style.cmap("diverging") == "RdBu_r"
    colormap = matplotlib.colormaps[style.cmap("diverging")]
    high, low = colormap(1.0), colormap(0.0)
    assert high[0] > high[2] and low[2] > low[0]  # the top of the range is red, the bottom blue
    positive = matplotlib.colors.to_rgb(style.color("positive"))
    assert positive[0] > positive[2]
    assert style.color("class1") == style.color("positive")


def test_xor_markers_have_one_meaning():
    one, zero = style.class_marker(1), style.class_marker(0)
    assert one["marker"] == "o" and one["markerfacecolor"] == style.color("class1")
    assert zero["marker"] == "s" and zero["markerfacecolor"] == style.color("paper")


def test_sequence_is_ordered_dark_to_light():
    colours = [matplotlib.colors.to_rgb(c) for c in style.sequence(5)]
    brightness = [sum(rgb) for rgb in colours]
    assert brightness == sorted(brightness) and len(set(colours)) == 5


def test_unknown_concept_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown style concept 'lstn'"):
        style.color("lstn")


def test_use_sets_fonts_of_at_least_nine_points_and_sharp_output():
    import matplotlib.pyplot as plt

    import course.plotting  # noqa: F401  (importing applies the style)

    rc = matplotlib.rcParams
    for key in ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        assert matplotlib.font_manager.FontProperties(size=rc[key]).get_size_in_points() >= 9
    assert rc["savefig.dpi"] >= 200
    assert rc["figure.figsize"][0] <= style.MAX_WIDTH
    assert rc["axes.prop_cycle"].by_key()["color"][0] == style.OKABE_ITO["blue"]
    plt.close("all")


def test_label_lines_writes_each_label_at_the_line_end_in_its_colour():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.plot([0, 1, 2], [0, 1, 2], label="LSTM", color=style.color("lstm"))
    ax.plot([0, 1, 2], [0, 1, 2.01], label="RNN", color=style.color("rnn"))
    ax.plot([0, 1], [5, 5], label="_hidden")
    texts = style.label_lines(ax)
    assert [t.get_text().strip() for t in texts] == ["LSTM", "RNN"]
    assert texts[0].get_color() == style.color("lstm")
    assert texts[1].xyann[1] - texts[0].xyann[1] >= 0.045 - 1e-12  # pushed apart
