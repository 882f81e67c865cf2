"""Grading one student: nbgrader autograde in the student's own course folder.

``grade_student`` is the unit of work a Dask worker runs. It needs only the course folder (on a
file system the worker shares) and returns plain data: one row per graded cell with its score
and a message a student can act on, nbgrader's warnings (tampering, restored cells) and the
seconds it took. ``merge_student`` then copies the result into the class's gradebook, one
student at a time, so nbgrader's own ``generate_feedback`` and ``export`` see the whole class.

A student's name is data, never an argument: inside their private course folder (named by
``report.student_key``) nbgrader grades them as ``INTERNAL_ID``, so a name such as ``*`` or
``--force`` never reaches a command line or a file pattern. Each notebook runs against its own
read-only copy of the grading code, and every point it earns is re-checked in a separate
process (``classroom.isolation``).
"""

from __future__ import annotations

import re
import shutil
import signal
import time
import warnings
from pathlib import Path

import nbformat

from classroom import isolation
from classroom.course import BUDGET_EXCEEDED, DEFAULT_NOTEBOOK_BUDGET, environment, run_nbgrader
from classroom.recheck.record import ENVIRONMENT_VARIABLE
from classroom.report import student_key

INTERNAL_ID = "student"  # every student's name inside their own nbgrader course folder

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


def work_folder(course: Path, student: str) -> Path:
    """The private nbgrader course folder of ``student`` (any name: the folder is a key)."""
    return course / "work" / student_key(student)


def _student_course(course: Path, student: str, assignments: list[str]) -> Path:
    """A private nbgrader course folder for one student: config, sources, gradebook copy."""
    work = work_folder(course, student)
    isolation.remove_copy(work)  # also what a kernel left read-only or unreadable
    work.mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", work / "nbgrader_config.py")
    shutil.copy(course / "gradebook.db", work / "gradebook.db")
    for assignment in assignments:
        shutil.copytree(course / "source" / assignment, work / "source" / assignment)
        shutil.copytree(course / "submitted" / student / assignment,
                        work / "submitted" / INTERNAL_ID / assignment)
    return work


def _killed(code: int, seconds: float) -> str:
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return (f"the grader was killed by {name} after {seconds:.0f} s, so the notebook was not "
            "graded (an answer cell may have killed it, e.g. os.kill(os.getppid(), 9))")


def _recheck(entry: dict, work: Path, assignment: str, isolation_data: dict,
             code: Path) -> None:
    """Keep only the points whose recorded answers pass the genuine checks elsewhere."""
    manifest = isolation_data["manifest"]
    tampered = isolation.changed_files(manifest, code)
    if tampered:
        shown = ", ".join(tampered[:3]) + (f" and {len(tampered) - 3} more"
                                           if len(tampered) > 3 else "")
        entry["notes"].append(f"tampering: an answer cell changed its copy of the grading "
                                 f"code ({shown}); the repository and other students were "
                                 "not affected")
    if not any(score > 0 for _, score, _, _ in entry["rows"]):
        return
    try:
        verdicts = isolation.recheck(manifest, isolation_data["plans"][assignment],
                                     work / "records" / assignment,
                                     work / "recheck" / assignment, environment(),
                                     isolation_data.get("bytecode"))
    except Exception as error:  # the points cannot be confirmed: none are given
        entry["rows"], entry["error"] = [], f"not graded: {' '.join(str(error).split())}"
        return
    denied = {grade_id for grade_id, score in
              ((row[0], row[1]) for row in entry["rows"]) if score > 0 and verdicts.get(
                  grade_id, "the re-check does not know this cell")}
    if not denied:
        return
    entry["rows"] = [(grade_id, 0.0, points, "no credit: it passed in the notebook, but the "
                      "genuine check fails its recorded answers in a separate process: "
                      + verdicts.get(grade_id, "unknown cell"))
                     if grade_id in denied else (grade_id, score, points, message)
                     for grade_id, score, points, message in entry["rows"]]
    entry["notes"].append(f"tampering suspected: {', '.join(sorted(denied))} passed in the "
                             "notebook but not in the separate re-check; no credit given")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gradebook:
        for grade_id in denied:
            grade = gradebook.find_grade(grade_id, assignment, assignment, INTERNAL_ID)
            grade.auto_score = 0.0
        gradebook.db.commit()


def grade_student(course: str, student: str, assignments: list[str],
                  budget: float = DEFAULT_NOTEBOOK_BUDGET,
                  isolation_data: dict | None = None) -> dict:
    """Autograde ``<course>/submitted/<student>/<assignment>/`` for each assignment.

    ``isolation_data`` is ``{"manifest": isolation.snapshot(), "plans": {assignment:
    course.recheck_plan(source notebook)}, "bytecode": isolation.bytecode_cache(folder)}``,
    made once per run by the caller. Returns
    ``{"student", "seconds", "notebooks": {assignment: {"rows": [...], "warnings": [...],
    "notes": [...], "error": str, "seconds": float}}}``; a row is ``(exercise, score,
    max_score, message)``; ``warnings`` are nbgrader's, ``notes`` the grader's own (tampering).
    """
    from nbgrader.api import Gradebook, MissingEntry

    start = time.perf_counter()
    course = Path(course)
    if isolation_data is None:
        raise ValueError("isolation_data must be the run's snapshot and re-check plans")
    work = _student_course(course, student, assignments)
    timeout = _timeout_seconds(work)
    result = {"student": student, "notebooks": {}}
    for assignment in assignments:
        begun = time.perf_counter()
        code, records = work / "code" / assignment, work / "records" / assignment
        entry = {"rows": [], "warnings": [], "notes": [], "error": ""}
        result["notebooks"][assignment] = entry
        try:
            isolation.write_copy(isolation_data["manifest"], code)
        except isolation.GradingCodeChanged as error:
            entry["error"] = f"not graded: {error}"
            entry["seconds"] = time.perf_counter() - begun
            continue
        isolation.remove_copy(records)
        records.mkdir(parents=True)
        completed = run_nbgrader(work, "autograde", assignment, "--student", INTERNAL_ID,
                                 "--force", budget=budget,
                                 extra_env={"PYTHONPATH": str(code),
                                            ENVIRONMENT_VARIABLE: str(records)})
        log = completed.stdout + completed.stderr
        untouched = untouched_cells(
            work / "submitted" / INTERNAL_ID / assignment / f"{assignment}.ipynb",
            course / "release" / assignment / f"{assignment}.ipynb")
        entry["warnings"] = nbgrader_warnings(log, untouched)
        autograded = work / "autograded" / INTERNAL_ID / assignment / f"{assignment}.ipynb"
        if completed.returncode == BUDGET_EXCEEDED:
            entry["error"] = f"timed out: the notebook was still running after {budget:g} s"
        elif completed.returncode < 0:
            entry["error"] = _killed(completed.returncode, time.perf_counter() - begun)
        elif completed.returncode != 0 or not autograded.exists():
            last = entry["warnings"][-1] if entry["warnings"] else log.strip()[-300:]
            entry["error"] = "nbgrader could not grade it: " + " ".join(last.split())
        else:
            messages = exercise_messages(autograded, timeout)
            with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gradebook:
                try:
                    submission = gradebook.find_submission_notebook(assignment, assignment,
                                                                    INTERNAL_ID)
                    entry["rows"] = [(g.name, float(g.score), float(g.max_score),
                                      messages.get(g.name, "")) for g in submission.grades]
                except MissingEntry:
                    entry["error"] = "nbgrader recorded no grades for it"
            _recheck(entry, work, assignment, isolation_data, code)
        entry["seconds"] = time.perf_counter() - begun
    result["seconds"] = time.perf_counter() - start
    return result


def merge_student(course: Path, student: str, assignments: list[str]) -> None:
    """Copy one student's autograded files and scores into the class's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    work = work_folder(course, student)
    # nbgrader's add_submission trips SQLAlchemy's autoflush notices; they are harmless.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as master, \
            Gradebook(f"sqlite:///{work / 'gradebook.db'}") as mine:
        master.update_or_create_student(student)
        for assignment in assignments:
            source = work / "autograded" / INTERNAL_ID / assignment
            try:
                graded = mine.find_submission(assignment, INTERNAL_ID)
            except MissingEntry:
                continue
            if not source.is_dir():  # nbgrader failed after recording it: reported already
                continue
            target = course / "autograded" / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
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
