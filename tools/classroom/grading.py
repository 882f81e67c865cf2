"""Grading one student: nbgrader autograde in the student's own course folder.

``grade_student`` is the unit of work a Dask worker runs. It needs only the course folder (on a
file system the worker shares) and returns plain data: one row per graded cell with its score
and a message a student can act on, nbgrader's warnings (tampering, restored cells) and the
seconds it took. ``merge_student`` then copies the result into the class's gradebook, one
student at a time, so nbgrader's own ``generate_feedback`` and ``export`` see the whole class.
"""

from __future__ import annotations

import re
import shutil
import time
import warnings
from pathlib import Path

import nbformat

from classroom.course import BUDGET_EXCEEDED, DEFAULT_NOTEBOOK_BUDGET, run_nbgrader

TIMEOUT_ERRORS = {"CellTimeoutError", "KeyboardInterrupt"}
NOISE = ("Removing existing assignment", "Timeout waiting for execute reply",
         "Interrupting kernel")


def _errors(cell) -> list[dict]:
    return [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def _timeout_seconds(course: Path) -> str:
    config = (course / "nbgrader_config.py").read_text()
    for line in config.splitlines():
        if line.replace(" ", "").startswith("c.Execute.timeout="):
            return line.split("=", 1)[1].split("#")[0].strip()
    return "30"


def exercise_messages(autograded: Path, timeout: str) -> dict[str, str]:
    """grade_id -> why the graded cell failed, from the autograded notebook.

    A cell interrupted by the per-cell timeout, in the graded cell itself or in a cell since
    the previous graded cell (the answer cell), is "timed out". A graded cell that raised
    ``NotImplementedError``, or follows an answer cell that did, met the untouched answer stub:
    "not attempted".
    """
    messages: dict[str, str] = {}
    stuck = blank = ""
    for cell in nbformat.read(autograded, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        errors = _errors(cell)
        if any(error.get("ename") in TIMEOUT_ERRORS for error in errors):
            label = meta.get("grade_id") or "a cell"
            stuck = stuck or f"timed out: {label} was still running after {timeout} s"
        if meta.get("solution") and any(e.get("ename") == "NotImplementedError"
                                         for e in errors):
            blank = "not attempted"  # an answer cell run as handed out
        if not meta.get("grade"):
            continue
        if errors:
            first = errors[0]
            if stuck or blank:
                messages[meta["grade_id"]] = stuck or blank
            elif first.get("ename") == "NotImplementedError":
                messages[meta["grade_id"]] = "not attempted"
            else:
                messages[meta["grade_id"]] = f"{first['ename']}: {first['evalue']}".strip()
        stuck = blank = ""
    return messages


def nbgrader_warnings(log: str, untouched: set[str] = frozenset()) -> list[str]:
    """nbgrader's warnings about a submission (tampering, restored cells), minus its noise.

    nbgrader records a graded cell's checksum before it removes the hidden tests, so it warns
    about every graded cell with hidden tests; cells in ``untouched`` (identical to the
    release) are left out. Timeouts are reported on their exercise instead.
    """
    keep = []
    for match in re.finditer(r"^\[AutogradeApp \| (?:WARNING|ERROR|CRITICAL)\] (.+)$", log,
                             re.MULTILINE):
        text = match.group(1).strip()
        if text.startswith(NOISE):
            continue
        changed = re.match(r"(Attribute '(source|checksum)' for cell (\S+) has changed!)", text)
        if changed and changed.group(3) in untouched:
            continue
        if changed:  # the hashes or the whole cell again say nothing more
            text = changed.group(1) + " (restored from the gradebook)"
        keep.append(text)
    return keep


def untouched_cells(submitted: Path, release: Path) -> set[str]:
    """grade_ids of the locked cells a student left exactly as released."""
    from nbgrader.utils import compute_checksum

    def checksums(path: Path) -> dict[str, str]:
        cells = nbformat.read(path, as_version=4).cells
        return {c.metadata["nbgrader"]["grade_id"]: compute_checksum(c) for c in cells
                if c.metadata.get("nbgrader", {}).get("locked")}
    try:
        mine, released = checksums(submitted), checksums(release)
    except Exception:  # an unreadable release: keep every warning
        return set()
    return {grade_id for grade_id, value in mine.items() if released.get(grade_id) == value}


def _student_course(course: Path, student: str, assignments: list[str]) -> Path:
    """A private nbgrader course folder for one student: config, sources, gradebook copy."""
    work = course / "work" / student
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", work / "nbgrader_config.py")
    shutil.copy(course / "gradebook.db", work / "gradebook.db")
    for assignment in assignments:
        shutil.copytree(course / "source" / assignment, work / "source" / assignment)
        shutil.copytree(course / "submitted" / student / assignment,
                        work / "submitted" / student / assignment)
    return work


def grade_student(course: str, student: str, assignments: list[str],
                  budget: float = DEFAULT_NOTEBOOK_BUDGET) -> dict:
    """Autograde ``<course>/submitted/<student>/<assignment>/`` for each assignment.

    Returns ``{"student", "seconds", "notebooks": {assignment: {"rows": [...],
    "warnings": [...], "error": str, "seconds": float}}}``; a row is
    ``(exercise, score, max_score, message)``.
    """
    from nbgrader.api import Gradebook, MissingEntry

    start = time.perf_counter()
    course = Path(course)
    work = _student_course(course, student, assignments)
    timeout = _timeout_seconds(work)
    result = {"student": student, "notebooks": {}}
    for assignment in assignments:
        begun = time.perf_counter()
        completed = run_nbgrader(work, "autograde", assignment, "--student", student, "--force",
                                 budget=budget)
        log = completed.stdout + completed.stderr
        untouched = untouched_cells(
            work / "submitted" / student / assignment / f"{assignment}.ipynb",
            course / "release" / assignment / f"{assignment}.ipynb")
        entry = {"rows": [], "warnings": nbgrader_warnings(log, untouched), "error": ""}
        autograded = work / "autograded" / student / assignment / f"{assignment}.ipynb"
        if completed.returncode == BUDGET_EXCEEDED:
            entry["error"] = f"timed out: the notebook was still running after {budget:g} s"
        elif completed.returncode != 0 or not autograded.exists():
            entry["error"] = "nbgrader could not grade it: " + (
                entry["warnings"][-1] if entry["warnings"] else log.strip()[-300:])
        else:
            messages = exercise_messages(autograded, timeout)
            with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gradebook:
                try:
                    submission = gradebook.find_submission_notebook(assignment, assignment,
                                                                    student)
                    entry["rows"] = [(g.name, float(g.score), float(g.max_score),
                                      messages.get(g.name, "")) for g in submission.grades]
                except MissingEntry:
                    entry["error"] = "nbgrader recorded no grades for it"
        entry["seconds"] = time.perf_counter() - begun
        result["notebooks"][assignment] = entry
    result["seconds"] = time.perf_counter() - start
    return result


def merge_student(course: Path, student: str, assignments: list[str]) -> None:
    """Copy one student's autograded files and scores into the class's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    work = course / "work" / student
    # nbgrader's add_submission trips SQLAlchemy's autoflush notices; they are harmless.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as master, \
            Gradebook(f"sqlite:///{work / 'gradebook.db'}") as mine:
        master.update_or_create_student(student)
        for assignment in assignments:
            try:
                graded = mine.find_submission(assignment, student)
            except MissingEntry:
                continue
            target = course / "autograded" / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(work / "autograded" / student / assignment, target)
            try:
                master.remove_submission(assignment, student)
            except MissingEntry:
                pass
            submission = master.add_submission(assignment, student,
                                               timestamp=graded.timestamp)
            scores = {(notebook.name, g.name): g for notebook in graded.notebooks
                      for g in notebook.grades}
            for item in [g for notebook in submission.notebooks for g in notebook.grades]:
                source = scores.get((item.notebook.name, item.name))
                if source is not None:
                    item.auto_score = source.auto_score
                    item.needs_manual_grade = source.needs_manual_grade
            master.db.commit()
