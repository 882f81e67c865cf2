"""Every committed figure fits a JupyterLab cell and every font is legible.

The course style (``course.plotting.style``) promises figures at most ``MAX_WIDTH`` inches wide
at ``DPI`` pixels per inch, shown at that size (retina PNGs carry their displayed width), and no
text below ``SMALL_FONT_SIZE`` points. These tests read what the notebooks actually hold and the
code that draws them, so a wide ``figsize`` or a ``fontsize=7`` anywhere fails by name.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from course.plotting import style

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import contact_sheet  # noqa: E402
from notebook_code import code_sources  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# A tight bounding box may add a few pixels of padding around a figure of exactly MAX_WIDTH.
LIMIT_PX = style.MAX_WIDTH * style.DPI * 1.02


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_is_shown_at_most_max_width(path):
    too_wide = []
    for cell, k, png, displayed, _widget in contact_sheet.images(path):
        width = displayed[0] if displayed else contact_sheet.png_size(png)[0]
        if width > LIMIT_PX:
            too_wide.append(f"cell {cell} output {k}: {width} px")
    assert not too_wide, (f"figures wider than {style.MAX_WIDTH} in at {style.DPI} dpi "
                          f"({LIMIT_PX:.0f} px): {too_wide}; use a smaller figsize")


def _small_fonts(source: str, where: str) -> list[str]:
    found = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("fontsize", "labelsize"):
            value = node.value
            if (isinstance(value, ast.Constant) and isinstance(value.value, (int, float))
                    and not isinstance(value.value, bool)
                    and value.value < style.SMALL_FONT_SIZE):
                found.append(f"{where} line {node.lineno}: {node.arg}={value.value}")
    return found


def _font_offenders() -> list[str]:
    offenders = []
    for path in NOTEBOOKS:
        for index, source in enumerate(code_sources(path.stem)):
            offenders += _small_fonts(source, f"{path.stem} code cell {index}")
    for folder in ("course/plotting", "course/widgets"):
        for module in sorted((ROOT / folder).glob("*.py")):
            offenders += _small_fonts(module.read_text(), str(module.relative_to(ROOT)))
    return offenders


def test_no_text_is_set_below_the_smallest_font_size():
    assert not _font_offenders(), (f"text below {style.SMALL_FONT_SIZE} pt: "
                                   f"{_font_offenders()}")


def test_the_font_scan_catches_a_planted_small_font():
    assert _small_fonts("ax.text(0, 0, 'x', fontsize=7)", "planted")
    assert not _small_fonts("ax.text(0, 0, 'x', fontsize=9)\nrng.normal(size=3)", "ok")
