"""Classroom tools: student versions and autograding, done by nbgrader itself.

The committed notebooks are the instructor's solution notebooks: answer cells carry
``### BEGIN SOLUTION`` / ``### END SOLUTION``, graded test cells carry nbgrader metadata and
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. This module lays out an nbgrader course
folder (``build/classroom`` by default), runs ``nbgrader generate_assignment`` to make the
student versions and ``nbgrader autograde`` to grade submissions, then reads nbgrader's
gradebook to write the score report. It never parses solutions itself.

Run through tasks.py (``python3 tasks.py student`` / ``python3 tasks.py grade FOLDER``), which
provides the course environment.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_COURSE = ROOT / "build" / "classroom"

NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "nn-from-scratch"
# Notebooks run whole when graded; the longest takes about a minute on one core.
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
"""


def _environment() -> dict[str, str]:
    # nbgrader runs its helper commands (alembic) from PATH, and kernels must be this Python's.
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "JUPYTER_PREFER_ENV_PATH": "1", "OPENBLAS_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _nbgrader(course: Path, *args: str) -> None:
    completed = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args],
                               cwd=course, env=_environment(), capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (see its log above)")


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


def prepare_course(course: Path, notebooks: list[Path]) -> None:
    """Lay out the nbgrader course folder: config and ``source/<assignment>/<notebook>``."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    for path in notebooks:
        source = course / "source" / path.stem
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, source / path.name)


def make_student_versions(names: list[str] | None = None,
                          course: Path = DEFAULT_COURSE) -> list[Path]:
    """Generate the student version of each notebook into ``<course>/release/<assignment>/``.

    nbgrader replaces each solution with ``raise NotImplementedError()``, removes hidden
    tests, clears outputs and records checksums. Saved widget state is dropped too: it
    belongs to the instructor's run.
    """
    notebooks = assignments(names)
    prepare_course(course, notebooks)
    released = []
    for path in notebooks:
        _nbgrader(course, "generate_assignment", path.stem, "--force")
        target = course / "release" / path.stem / path.name
        notebook = nbformat.read(target, as_version=4)
        notebook.metadata.pop("widgets", None)
        nbformat.write(notebook, target)
        released.append(target)
    return released


@dataclass
class Grade:
    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    message: str


def _failure_messages(autograded: Path) -> dict[str, str]:
    """grade_id -> the error the graded cell raised, from the autograded notebook."""
    messages = {}
    notebook = nbformat.read(autograded, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if grade_id and errors:
            messages[grade_id] = f"{errors[0]['ename']}: {errors[0]['evalue']}"
    return messages


def grade(submissions: Path, course: Path = DEFAULT_COURSE) -> list[Grade]:
    """Autograde ``submissions/<student>/<notebook>.ipynb`` and return one row per exercise.

    Writes ``<course>/reports/grades.csv`` and ``<course>/reports/summary.md``.
    """
    from nbgrader.api import Gradebook

    if not submissions.is_dir():
        raise FileNotFoundError(f"No submissions folder at {submissions}. Expected "
                                "<folder>/<student>/<notebook>.ipynb.")
    known = {path.stem: path for path in assignments()}
    make_student_versions(list(known), course)  # records the graded cells in the gradebook
    submitted = course / "submitted"
    shutil.rmtree(submitted, ignore_errors=True)
    found: dict[str, list[str]] = {}
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for notebook in sorted(student_dir.glob("*.ipynb")):
            if notebook.stem not in known:
                print(f"skipping {student_dir.name}/{notebook.name}: not an assignment "
                      f"({', '.join(known)})")
                continue
            target = submitted / student_dir.name / notebook.stem / notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(notebook, target)
            found.setdefault(notebook.stem, []).append(student_dir.name)
    if not found:
        raise FileNotFoundError(f"No notebooks found in {submissions}/<student>/.")

    for assignment in found:
        _nbgrader(course, "autograde", assignment, "--force")

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment, students in sorted(found.items()):
            for student in students:
                autograded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
                messages = _failure_messages(autograded)
                submission = gradebook.find_submission_notebook(assignment, assignment, student)
                for item in sorted(submission.grades, key=lambda g: g.name):
                    score = item.score
                    rows.append(Grade(student, assignment, item.name, float(score),
                                      float(item.max_score), messages.get(item.name, "")))
    _write_reports(rows, course / "reports")
    return rows


def _write_reports(rows: list[Grade], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "exercise", "score", "max_score", "message"])
        for row in rows:
            writer.writerow([row.student, row.notebook, row.exercise, f"{row.score:g}",
                             f"{row.max_score:g}", row.message])
    lines = ["# Grades", ""]
    for student in sorted({row.student for row in rows}):
        mine = [row for row in rows if row.student == student]
        total = sum(row.score for row in mine)
        possible = sum(row.max_score for row in mine)
        lines.append(f"## {student}: {total:g} / {possible:g}")
        lines.append("")
        for row in mine:
            mark = "passed" if row.score == row.max_score else "FAILED"
            lines.append(f"- {row.notebook} · {row.exercise}: {row.score:g} / "
                         f"{row.max_score:g} {mark}" + (f" — {row.message}" if row.message else ""))
        lines.append("")
    (folder / "summary.md").write_text("\n".join(lines))


def main(argv: list[str]) -> None:
    if argv and argv[0] == "student":
        for path in make_student_versions(argv[1:] or None):
            print(f"student version: {path.relative_to(ROOT)}")
    elif len(argv) == 2 and argv[0] == "grade":
        grade(Path(argv[1]).resolve())
        reports = DEFAULT_COURSE / "reports"
        print((reports / "summary.md").read_text())
        print(f"CSV: {(reports / 'grades.csv').relative_to(ROOT)}")
    else:
        sys.exit("usage: classroom.py student [NOTEBOOK ...] | classroom.py grade FOLDER")


if __name__ == "__main__":
    main(sys.argv[1:])
