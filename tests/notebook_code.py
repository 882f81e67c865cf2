"""The one place the tests read code out of the notebooks.

``notebook_definitions(stem)`` executes, in a fresh namespace and in notebook order, what a
notebook's code cells define at top level — its imports, functions, classes and constants in
capitals — and nothing else (no training, no plots). Answer cells count: the committed notebooks
are the instructor versions, with the worked answers between nbgrader's solution markers.
``notebook_cell(stem, marker)`` returns the source of the one code cell containing ``marker``.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def notebook_path(stem: str) -> Path:
    matches = sorted(NOTEBOOKS.glob(f"{stem}*.ipynb"))
    if len(matches) != 1:
        raise LookupError(f"{stem!r} names {len(matches)} notebooks in notebooks/")
    return matches[0]


def code_sources(stem: str) -> list[str]:
    cells = json.loads(notebook_path(stem).read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def notebook_cell(stem: str, marker: str) -> str:
    found = [source for source in code_sources(stem) if marker in source]
    if len(found) != 1:
        raise LookupError(f"{len(found)} code cells of {stem} contain {marker!r}")
    return found[0]


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) and t.id.isupper() for t in targets)
    return False


@functools.cache
def _definitions(stem: str) -> dict:
    namespace: dict = {"__name__": f"notebook_{stem}"}
    for source in code_sources(stem):
        if source.lstrip().startswith(("%", "!")):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a cell of IPython magics
            continue
        kept = ast.Module(body=[node for node in tree.body if _is_definition(node)],
                          type_ignores=[])
        exec(compile(kept, f"<{stem}>", "exec"), namespace)
    return namespace


def notebook_definitions(stem: str) -> dict:
    """Name -> object for everything the notebook ``stem`` (e.g. "03") defines at top level."""
    return dict(_definitions(stem))


def defined_functions(stem: str) -> set[str]:
    """Names of the functions and classes the notebook's cells define with def/class."""
    names = set()
    for source in code_sources(stem):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        names.update(node.name for node in tree.body
                     if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    return names
