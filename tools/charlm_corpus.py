"""Build notebook 10's corpus snapshot: part of the Python standard library's own source.

    python3 tools/charlm_corpus.py [--lib DIR] [--out notebooks/data/python_stdlib.txt.xz]

Takes the top-level modules of the standard library folder ``DIR`` (default: this Python's,
the snapshot was made from CPython 3.11.7's ``Lib/``) in sorted order, skipping private ones
(``_*.py``) and any file that is not printable ASCII with newlines (no tabs, no carriage
returns), and concatenates them, each after a comment line ``# file: Lib/<name>``, until
the text reaches 1 200 000 characters (whole files only). The result is compressed with the
standard library's ``lzma`` and its SHA-256 (of the uncompressed text) printed: that is the
checksum ``course.charlm.CORPUS_SHA256`` holds. The source is under the PSF licence (its text
is copied next to the snapshot as PYTHON_LICENSE.txt); see notebooks/data/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import string
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_CHARACTERS = 1_200_000
ALLOWED = set(string.printable) - set("\t\r\x0b\x0c")


def build(lib: Path) -> str:
    parts, total = [], 0
    for path in sorted(lib.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            text = path.read_bytes().decode("ascii")
        except UnicodeDecodeError:
            continue
        if set(text) - ALLOWED or not text.endswith("\n"):
            continue
        part = f"# file: Lib/{path.name}\n{text}"
        parts.append(part)
        total += len(part)
        if total >= TARGET_CHARACTERS:
            break
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--out", type=Path,
                        default=ROOT / "notebooks" / "data" / "python_stdlib.txt.xz")
    args = parser.parse_args()
    text = build(args.lib)
    data = text.encode("ascii")
    # preset and check fixed: the same text always gives the same bytes.
    args.out.write_bytes(lzma.compress(data, preset=9, check=lzma.CHECK_CRC64))
    files = text.count("# file: Lib/")
    print(f"{args.out.name}: {len(text)} characters from {files} files, "
          f"{args.out.stat().st_size} bytes compressed, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
