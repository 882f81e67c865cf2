"""The two packages and the one direction between them (CONTRIBUTING.md's table).

``nnlib`` is the library: it imports the standard library, NumPy and threadpoolctl, nothing
else, and never the course package. ``course`` holds what exists only to run the course and
may import ``nnlib``.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_MAY_IMPORT = {"numpy", "threadpoolctl", "nnlib"}
# scikit-learn ships the handwritten digits: nnlib reads them only inside load_digits_data,
# an optional extra (pyproject: nnlib[digits]).
OPTIONAL_FOR_LIBRARY = {"sklearn"}


def imported_top_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def library_files():
    return sorted((ROOT / "nnlib").rglob("*.py"))


@pytest.mark.parametrize("path", library_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_library_imports_only_numpy_threadpoolctl_and_the_standard_library(path):
    foreign = {name for name in imported_top_names(path)
               if name not in sys.stdlib_module_names} - LIBRARY_MAY_IMPORT
    assert foreign <= OPTIONAL_FOR_LIBRARY, (
        f"{path.relative_to(ROOT)} imports {sorted(foreign)}: the library may import only "
        f"NumPy and threadpoolctl (course code belongs in course/)")


def test_importing_nnlib_loads_neither_the_course_nor_presentation_libraries():
    code = ("import sys, pkgutil, importlib, nnlib\n"
            "for m in pkgutil.walk_packages(nnlib.__path__, 'nnlib.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(sorted(m for m in ('course', 'matplotlib', 'ipywidgets', 'IPython', 'sklearn')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_course_package_may_import_nnlib_but_not_the_tests_or_tools():
    for path in sorted((ROOT / "course").rglob("*.py")):
        names = imported_top_names(path)
        assert not names & {"tests", "tools", "benchmarks"}, path


def test_the_test_can_fail():
    bad = ROOT / "build" / "layout_probe.py"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text("import matplotlib.pyplot as plt\nfrom course import checks\n")
    try:
        assert imported_top_names(bad) - LIBRARY_MAY_IMPORT == {"matplotlib", "course"}
    finally:
        bad.unlink()
