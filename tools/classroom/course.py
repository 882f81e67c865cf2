"""The nbgrader course folder: its config, the source notebooks with their files, the releases.

The committed notebooks are the instructor's solution notebooks. ``prepare_course`` copies each
one that has graded cells into ``<course>/source/<stem>/`` together with every file the
notebooks read (everything in ``notebooks/`` that is not a notebook, such as ``data/``), and
hardens its graded cells: their hidden block runs every check call of the cell through
``record``, which keeps the learner's answers for the grader's re-check in a separate process
(``classroom.isolation``). nbgrader copies the extra files into the release and into every
graded copy.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from classroom import isolation

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
# Not a return code any process can have (they lie in -64 .. 255): a notebook stopped at its
# budget is told apart from a grader killed by a signal (a negative return code), for example
# by an answer cell that ran os.kill(os.getppid(), 9).
BUDGET_EXCEEDED = -1000
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def environment() -> dict[str, str]:
    """nbgrader runs its helpers (alembic) from PATH; kernels must be this Python's and run
    like every other notebook of the course (tools/notebook_run.py)."""
    from notebook_run import execution_environment

    bin_dir = str(Path(sys.executable).parent)
    return execution_environment(PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))


def run_nbgrader(course: Path, *args: str, budget: float | None = None,
                 extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course``; the caller decides what a failure means.

    After ``budget`` seconds nbgrader is killed (its kernel exits with it) and the return code
    is ``BUDGET_EXCEEDED``; killed by a signal otherwise, the return code is minus the signal.
    Whatever nbgrader's session left running (a kernel whose grader was killed) is ended.
    """
    # Output goes to files, not pipes: a kernel left behind by a killed nbgrader would hold a
    # pipe open, and reading it would wait for the budget.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([str(Path(sys.executable).parent / "nbgrader"), *args],
                                   cwd=course, env={**environment(), **(extra_env or {})},
                                   stdout=out, stderr=err, text=True, start_new_session=True)
        try:
            code = process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _end_session(process.pid)
            process.wait(timeout=60)
            code = BUDGET_EXCEEDED
        _end_session(process.pid)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(process.args, code, out.read(), err.read())


def _end_session(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


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


def graded_calls(source: str) -> list[dict]:
    """The check calls of a graded cell, in order: ``{"module", "check", "functions",
    "options", "names"}`` each.

    Every check call must be a statement ``check_name(function, ..., option=constant)`` whose
    check is imported in the cell from a grading package (``from course.checks import ...``).
    """
    import ast

    tree = ast.parse(source)
    modules = {alias.asname or alias.name: node.module for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) for alias in node.names}
    calls = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id.startswith("check_")):
            continue
        name = node.func.id
        simple = (all(isinstance(arg, ast.Name) for arg in node.args)
                  and all(isinstance(k.value, ast.Constant) and k.arg for k in node.keywords))
        if not simple or name not in modules or \
                modules[name].split(".")[0] not in isolation.GRADING_PACKAGES:
            raise ValueError(f"graded cell calls {name} in a way the grader cannot re-check: "
                             "write `from <grading package> import check_x` and "
                             "`check_x(function, ..., hidden=True)` as a statement of its own.")
        calls.append({"module": modules[name], "check": name, "functions": len(node.args),
                      "options": {k.arg: k.value.value for k in node.keywords},
                      "names": [arg.id for arg in node.args],
                      "at": (node.lineno, node.col_offset)})
    return sorted(calls, key=lambda call: call["at"])


def harden_graded_cell(source: str, grade_id: str = "") -> str:
    """The graded cell as the course's source holds it: its hidden block re-runs every check
    call of the cell (public and hidden) through ``record`` (see ``classroom.recheck``).

    The hidden calls themselves are replaced by their recorded versions (so each runs once);
    the public calls run again, recorded. Students never see the hidden block.
    """
    calls = graded_calls(source)
    if not calls:
        return source
    lines = source.splitlines()
    if HIDDEN_BEGIN not in source:
        lines += [HIDDEN_BEGIN, HIDDEN_END]
    begin = next(i for i, line in enumerate(lines) if line.strip() == HIDDEN_BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == HIDDEN_END)
    kept = [line for line in lines[begin + 1:end] if not re.match(r"\s*check_\w+\(", line)]
    recorded = ["# Recorded for the grader's re-check of these answers in a separate process "
                "with the genuine grading code.",
                f"from {isolation.RECHECK_NAME}.record import record"]
    for index, call in enumerate(calls):
        options = "".join(f", {key}={value!r}" for key, value in call["options"].items())
        recorded.append(f"record({grade_id!r}, {index}, {call['check']}, "
                        f"{', '.join(call['names'])}{options})")
    lines[begin + 1:end] = kept + recorded
    return "\n".join(lines)


def recheck_plan(notebook) -> dict[str, list[dict]]:
    """``{grade_id: [call, ...]}`` for the re-check, read from a course source notebook's
    ``record(grade_id, index, check_x, function, ..., option=constant)`` lines."""
    import ast

    plan = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not (meta.get("grade") and cell.cell_type == "code"):
            continue
        tree = ast.parse(cell.source)
        modules = {alias.asname or alias.name: node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) for alias in node.names}
        calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Name) and node.func.id == "record"),
                       key=lambda node: node.args[1].value)
        plan[meta["grade_id"]] = [
            {"module": modules[node.args[2].id], "check": node.args[2].id,
             "functions": len(node.args) - 3,
             "options": {k.arg: k.value.value for k in node.keywords}} for node in calls]
    return plan


WORKED_PREFIX = "worked-"  # grade_id of a worked answer to an ungraded exercise
YOUR_ANSWER = ("**Your answer.** YOUR ANSWER HERE (write it in this cell; the worked answer is "
               "in the instructor's version)")


def _student_answer_cell(cell):
    """A worked answer to an ungraded exercise, as the student gets it: an empty markdown cell
    to write in. nbgrader would turn a solution code cell into ``raise NotImplementedError()``,
    which would stop a learner's "Run All" at an exercise that is not even graded."""
    answer = nbformat.v4.new_markdown_cell(YOUR_ANSWER)
    if "id" in cell:
        answer["id"] = cell["id"]
    return answer


def _source_notebook(path: Path):
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)  # the instructor's run's widget state
    cells = []
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade_id", "").startswith(WORKED_PREFIX):
            cells.append(_student_answer_cell(cell))
            continue
        if grading.get("grade") and cell.cell_type == "code":
            cell.source = harden_graded_cell(cell.source, grading["grade_id"])
        cells.append(cell)
    notebook.cells = cells
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
