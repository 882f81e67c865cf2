"""tools/contact_sheet.py: every PNG of the notebooks, with its cell and size, into one folder."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import contact_sheet  # noqa: E402


def png(width_in: float, dpi: int) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"savefig.bbox": "standard"}):  # the course style crops
        Figure(figsize=(width_in, 1)).savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode()


def test_extracts_each_png_with_its_cell_and_sizes(tmp_path):
    cells = [{"cell_type": "markdown", "source": "x"},
             {"cell_type": "code", "outputs": [
                 {"output_type": "stream", "text": "hi"},
                 {"output_type": "display_data", "data": {"image/png": png(2, 100)},
                  "metadata": {"image/png": {"width": 100, "height": 50}}},
                 {"output_type": "display_data", "data": {"image/png": png(3, 50),
                                                          contact_sheet.WIDGET: {}}}]}]
    notebook = tmp_path / "01_x.ipynb"
    notebook.write_text(json.dumps({"cells": cells}))
    rows = contact_sheet.extract([notebook], tmp_path / "out")
    assert [(r["cell"], r["output"], r["width_px"], r["displayed_width"], r["explorer"])
            for r in rows] == [(1, 0, 200, 100, False), (1, 1, 150, 150, True)]
    assert (tmp_path / "out" / "01_x" / "cell01_1.png").read_bytes()[:4] == b"\x89PNG"
    assert "2 figures in 1 notebooks" in (tmp_path / "out" / "contact_sheet.md").read_text()
    assert "01_x/cell01_0.png" in (tmp_path / "out" / "index.csv").read_text()
