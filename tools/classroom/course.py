"""The nbgrader course folder: its config, the source notebooks with their files, the releases.

The committed notebooks are the instructor's solution notebooks. ``prepare_course`` copies each
one that has graded cells into ``<course>/source/<stem>/`` together with every file the
notebooks read (everything in ``notebooks/`` that is not a notebook, such as ``data/``), and
hardens its graded cells: their hidden block re-runs the checks taken from a fresh import of
nnlib (``nnlib.checks.common.fresh_check``), so an answer cell that replaced a check cannot pass
it. nbgrader copies the extra files into the release and into every graded copy.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_COURSE = ROOT / "build" / "classroom"
# The longest reference cell (notebook 03's training run) took 40 s on a loaded 2-core machine;
# three times that is the per-cell limit, after which a cell is interrupted as "timed out".
DEFAULT_TIMEOUT = 120
NBGRADER_CONFIG = f"""\
# Written by `python3 tasks.py student|grade` only when missing: edit it freely, it is kept.
c = get_config()
c.CourseDirectory.course_id = "nn-from-scratch"
# Per-cell limit in seconds: three times the longest reference cell on a loaded machine. A cell
# still running after it is interrupted and its exercise reported as "timed out".
c.Execute.timeout = {DEFAULT_TIMEOUT}
c.Execute.interrupt_on_timeout = True
# A graded cell deleted by a student is put back from the gradebook and run.
c.OverwriteCells.add_missing_cells = True
"""
# A whole notebook still being graded after this many seconds is stopped (a loop inside a
# function that many cells call would otherwise cost the per-cell limit again in each).
DEFAULT_NOTEBOOK_BUDGET = 900
BUDGET_EXCEEDED = -9
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def environment() -> dict[str, str]:
    """nbgrader runs its helpers (alembic) from PATH; kernels must be this Python's and run
    like every other notebook of the course (tools/notebook_run.py)."""
    from notebook_run import execution_environment

    bin_dir = str(Path(sys.executable).parent)
    return execution_environment(PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))


def run_nbgrader(course: Path, *args: str,
                 budget: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course``; the caller decides what a failure means.

    After ``budget`` seconds nbgrader is killed (its kernel exits with it) and the return code
    is ``BUDGET_EXCEEDED``.
    """
    process = subprocess.Popen([str(Path(sys.executable).parent / "nbgrader"), *args],
                               cwd=course, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate(timeout=60)
        return subprocess.CompletedProcess(process.args, BUDGET_EXCEEDED, out, err)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def nbgrader_or_fail(course: Path, *args: str) -> subprocess.CompletedProcess:
    completed = run_nbgrader(course, *args)
    if completed.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n"
                           + (completed.stdout + completed.stderr)[-3000:])
    return completed


def assignments(names: list[str] | None = None) -> list[Path]:
    """Notebooks that contain at least one graded cell, optionally only the named ones."""
    paths = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if names and path.stem not in {Path(name).stem for name in names}:
            continue
        notebook = nbformat.read(path, as_version=4)
        if any(cell.metadata.get("nbgrader", {}).get("grade") for cell in notebook.cells):
            paths.append(path)
    return paths


def supporting_files() -> list[Path]:
    """Everything in ``notebooks/`` a notebook may read: all but notebooks and checkpoints."""
    skip = {".ipynb_checkpoints", "__pycache__"}
    return sorted(path for path in NOTEBOOKS.iterdir()
                  if path.suffix != ".ipynb" and path.name not in skip
                  and not path.name.startswith(".") and path.suffix != ".npz")


def harden_graded_cell(source: str) -> str:
    """Append to the hidden block the cell's checks again, taken from a fresh import.

    ``from nnlib.checks import check_x`` / ``check_x(f)`` becomes, at grading time, also
    ``check_x = fresh_check("check_x")`` followed by the cell's calls, public and hidden.
    """
    names = sorted(set(re.findall(r"\b(check_\w+)\(", source)))
    if not names:
        return source
    lines = source.splitlines()
    if HIDDEN_BEGIN not in source:
        lines += [HIDDEN_BEGIN, HIDDEN_END]
    begin = next(i for i, line in enumerate(lines) if line.strip() == HIDDEN_BEGIN)
    public_calls = [line for line in lines[:begin] if re.match(r"\s*check_\w+\(", line)]
    fresh = ["# Graded again with the checks from a fresh import of nnlib, which no answer "
             "cell can have replaced.",
             "from nnlib.checks.common import fresh_check"]
    fresh += [f'{name} = fresh_check("{name}")' for name in names]
    lines[begin + 1:begin + 1] = fresh + public_calls
    return "\n".join(lines)


def _source_notebook(path: Path):
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)  # the instructor's run's widget state
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = harden_graded_cell(cell.source)
    return notebook


def write_config_if_missing(course: Path) -> None:
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(NBGRADER_CONFIG)


def prepare_course(course: Path, notebooks: list[Path]) -> None:
    """Lay out ``source/<assignment>/``: the hardened notebook and the files it reads."""
    write_config_if_missing(course)
    for path in notebooks:
        source = course / "source" / path.stem
        source.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(_source_notebook(path)) + "\n"
        target = source / path.name
        if not target.exists() or target.read_text() != text:  # keeps the release current
            target.write_text(text)
        for extra in supporting_files():
            target = source / extra.name
            if extra.is_dir():
                shutil.copytree(extra, target, dirs_exist_ok=True)
            else:
                shutil.copy(extra, target)


def make_student_versions(names: list[str] | None = None,
                          course: Path = DEFAULT_COURSE) -> list[Path]:
    """Generate the student version of each notebook into ``<course>/release/<assignment>/``.

    nbgrader replaces each solution with ``raise NotImplementedError()``, removes hidden
    tests, clears outputs, records the graded cells in the gradebook and copies the files the
    notebook reads next to it.
    """
    notebooks = assignments(names)
    prepare_course(course, notebooks)
    stems = {path.stem for path in notebooks}
    if stems == {folder.name for folder in (course / "source").iterdir() if folder.is_dir()}:
        # Every assignment of the course: one nbgrader run ("*"), not one start-up each.
        nbgrader_or_fail(course, "generate_assignment", "*", "--force")
    else:
        for stem in sorted(stems):
            nbgrader_or_fail(course, "generate_assignment", stem, "--force")
    return [course / "release" / path.stem / path.name for path in notebooks]
