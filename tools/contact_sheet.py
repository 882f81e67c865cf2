"""Extract every PNG from the executed notebooks into build/figures/, with an index.

    python3 tools/contact_sheet.py [notebooks/NN_*.ipynb ...] [--out build/figures]

Writes ``<stem>/cell<NN>_<k>.png`` per image output (k counts the images of one cell), an
``index.csv`` and an ``index.md`` (notebook, cell number, output number, pixel size, the size
it is displayed at, and whether the output is an explorer's static picture), and a
``contact_sheet.md`` that shows every picture by notebook, for the closing note. Reading only:
the notebooks are never changed.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def images(notebook_path: Path):
    """Yield (cell index, output index, png bytes, displayed (w, h) or None, is_widget)."""
    notebook = json.loads(notebook_path.read_text())
    for cell_index, cell in enumerate(notebook["cells"]):
        count = 0
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            encoded = data["image/png"]
            png = base64.b64decode("".join(encoded) if isinstance(encoded, list) else encoded)
            shown = output.get("metadata", {}).get("image/png", {})
            if "width" in shown:  # a height-less entry keeps the picture's proportions
                width, height = png_size(png)
                displayed = (shown["width"], shown.get("height",
                                                       round(height * shown["width"] / width)))
            else:
                displayed = None
            yield cell_index, count, png, displayed, WIDGET in data
            count += 1


def extract(paths, out: Path) -> list[dict]:
    """Write the PNGs and the indexes; return the index rows."""
    rows = []
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        folder = out / path.stem
        folder.mkdir(exist_ok=True)
        for cell_index, k, png, displayed, is_widget in images(path):
            name = f"cell{cell_index:02d}_{k}.png"
            (folder / name).write_bytes(png)
            width, height = png_size(png)
            shown_w, shown_h = displayed or (width, height)
            rows.append({"notebook": path.stem, "cell": cell_index, "output": k,
                         "file": f"{path.stem}/{name}", "width_px": width, "height_px": height,
                         "displayed_width": shown_w, "displayed_height": shown_h,
                         "explorer": is_widget})
    fields = list(rows[0]) if rows else ["notebook", "cell", "output", "file"]
    with open(out / "index.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| notebook | cell | file | pixels | displayed | explorer |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['notebook']} | {r['cell']} | {r['file']} | {r['width_px']} × {r['height_px']}"
              f" | {r['displayed_width']} × {r['displayed_height']} | "
              f"{'yes' if r['explorer'] else ''} |" for r in rows]
    (out / "index.md").write_text("\n".join(lines) + "\n")
    sheet = [f"# Contact sheet: {len(rows)} figures in {len(paths)} notebooks", ""]
    for path in paths:
        mine = [r for r in rows if r["notebook"] == path.stem]
        sheet += [f"## {path.stem} ({len(mine)} figures)", ""]
        sheet += [f'<img src="{r["file"]}" width="240" title="cell {r["cell"]}">' for r in mine]
        sheet.append("")
    (out / "contact_sheet.md").write_text("\n".join(sheet))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "figures")
    args = parser.parse_args(argv)
    paths = sorted(args.notebooks or (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    rows = extract(paths, args.out)
    for path in paths:
        print(f"{path.stem}: {sum(r['notebook'] == path.stem for r in rows)} figures")
    wide = [r for r in rows if r["displayed_width"] > 900]
    print(f"{len(rows)} figures written to {args.out}; {len(wide)} displayed wider than 900 px"
          + ("".join(f"\n  {r['file']}: {r['displayed_width']} px" for r in wide)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
