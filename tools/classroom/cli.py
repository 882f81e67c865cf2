"""The teacher's and the self-study learner's commands (run through tasks.py).

    student [NOTEBOOK ...]            student versions into <course>/release/
    grade FOLDER [--student NAME ...] [--scheduler ADDRESS] [--workers N]
                                      autograde FOLDER/<student>/<notebook>.ipynb
    feedback [--student NAME ...]     nbgrader's HTML feedback into <course>/feedback/
    workbook [FOLDER]                 the self-study workbook, made once, never overwritten

Every command takes ``--course DIR`` (default build/classroom). ``grade`` exits with status 1
when something needs the teacher's attention (a file it could not grade, a misnamed file, a
timeout, tampering), 0 otherwise; the report is written either way. A class folder with no
student folders, or a ``--student`` without a folder, exits with status 2 and a one-line
message, and leaves the reports as they were.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

from classroom import cluster, intake, isolation, report
from classroom.course import (DEFAULT_COURSE, DEFAULT_NOTEBOOK_BUDGET, ROOT, assignments,
                              make_student_versions, nbgrader_or_fail, prepare_course,
                              recheck_plan)
from classroom.grading import grade_student, merge_student

DEFAULT_WORKBOOK = ROOT / "workbook"


def _releases_current(course: Path, names: list[str]) -> bool:
    """True when every release exists and was made from the current source notebooks."""
    for name in names:
        release = course / "release" / name / f"{name}.ipynb"
        source = course / "source" / name / f"{name}.ipynb"
        if not (release.exists() and (course / "gradebook.db").exists()):
            return False
        if release.stat().st_mtime < source.stat().st_mtime:
            return False
    return True


def _ensure_releases(course: Path, names: list[str]) -> None:
    """Make the student versions unless they exist and match the current notebooks."""
    prepare_course(course, assignments(names))
    if not _releases_current(course, names):
        make_student_versions(names, course)


def _copy_submissions(course: Path, found: intake.Intake, submissions: Path) -> None:
    for student, files in found.files.items():
        for assignment, path in files.items():
            target = course / "submitted" / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            shutil.copy(path, target / f"{assignment}.ipynb")
            stamp = submissions / student / "timestamp.txt"
            if stamp.exists():  # nbgrader reads it for late submissions
                shutil.copy(stamp, target / "timestamp.txt")


def grade(submissions: Path, course: Path = DEFAULT_COURSE, students: list[str] | None = None,
          scheduler: str | None = None, workers: int | None = None,
          only: list[str] | None = None,
          budget: float = DEFAULT_NOTEBOOK_BUDGET) -> list[str]:
    """Grade every (or the named) student in ``submissions``; return the attention items.

    Writes ``<course>/reports/{grades.csv,grades_wide.csv,summary.md}`` for the whole class on
    record (earlier students included), whatever happens to any one file.
    """
    if not submissions.is_dir():
        raise FileNotFoundError(f"No submissions folder at {submissions}. Expected "
                                "<folder>/<student>/<notebook>.ipynb.")
    names = [path.stem for path in assignments(only)]
    found = intake.read_submissions(submissions, names, students)  # SubmissionsError: stop
    _ensure_releases(course, names)
    table = report.exercises(course, names)
    isolation_data = {"manifest": isolation.snapshot(), "plans": {
        name: recheck_plan(nbformat.read(course / "source" / name / f"{name}.ipynb",
                                         as_version=4)) for name in names},
        "bytecode": isolation.bytecode_cache(course / "work" / "bytecode")}
    _copy_submissions(course, found, submissions)
    records = course / "reports" / "students"
    calls = [(str(course), student, sorted(files), budget, isolation_data)
             for student, files in found.files.items() if files]
    for student, files in found.files.items():
        if not files:  # nothing gradable: a report row for every exercise all the same
            problems = [p for p in found.problems if p.student == student]
            rows, notes = report.student_grades(student, table, None, problems)
            rows, notes = report.keep_earlier(rows, notes, records, student)
            report.save_student(records, student, rows, notes, None)
            print(f"{report.shown(student)}: nothing to grade ({len(problems)} problem(s))",
                  flush=True)
    if workers == 0 and not scheduler:
        results = cluster.run_serially(grade_student, calls)
    else:
        results = cluster.run_tasks(grade_student, calls, scheduler, workers,
                                    course / "work" / "dask-scratch")
    for done, ((_, student, graded, _, _), result, error) in enumerate(results, 1):
        if error is None:
            try:
                merge_student(course, student, graded)
            except Exception as failure:  # one student's gradebook entry must not stop the class
                error = failure
        if error is not None:
            result = {"notebooks": {name: {"rows": [], "warnings": [], "error": report.one_line(
                f"grading failed: {type(error).__name__}: {error}")} for name in graded}}
        problems = [p for p in found.problems if p.student == student]
        rows, notes = report.student_grades(student, table, result, problems)
        rows, notes = report.keep_earlier(rows, notes, records, student)
        report.save_student(records, student, rows, notes, result.get("seconds"))
        parts = []
        for name in graded:
            mine = [row for row in rows if row.notebook == name]
            seconds = result["notebooks"][name].get("seconds")
            parts.append(f"{name} {sum(r.score for r in mine):g}/{sum(r.max_score for r in mine):g}"
                         + (f" ({seconds:.0f} s)" if seconds else " (failed)"))
        print(f"[{done}/{len(calls)}] {report.shown(student)}: {', '.join(parts)}", flush=True)
    class_notes = list(found.notes)
    changed = isolation.changed_sources(isolation_data["manifest"])
    if changed:
        class_notes.append(f"the repository's grading code changed during this run ("
                           f"{', '.join(changed[:3])}): restore it (git checkout) and grade "
                           "again; no student was graded with the changed files")
    return report.write_reports(course / "reports", report.load_students(records), class_notes)


def feedback(course: Path = DEFAULT_COURSE, students: list[str] | None = None) -> list[Path]:
    """nbgrader's HTML feedback for every graded notebook, in ``<course>/feedback/``."""
    for name in sorted({p.name for p in (course / "autograded").glob("*/*") if p.is_dir()}):
        for student in students or [None]:
            extra = [f"--student={student}"] if student else []  # a value, never an option
            if student and not (course / "autograded" / student / name).is_dir():
                continue
            nbgrader_or_fail(course, "generate_feedback", name, "--force", *extra)
    return sorted((course / "feedback").glob("*/*/*.html"))


def workbook(folder: Path = DEFAULT_WORKBOOK, course: Path = DEFAULT_COURSE,
             only: list[str] | None = None) -> list[Path]:
    """The self-study workbook: student versions and their files, never overwritten.

    Made once; a later call adds only what is missing (a new chapter after ``git pull``) and
    leaves every file the learner has touched as it is.
    """
    names = [path.stem for path in assignments(only)]
    _ensure_releases(course, names)
    added = []
    for name in names:
        for source in sorted((course / "release" / name).rglob("*")):
            target = folder / source.relative_to(course / "release" / name)
            if source.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
                added.append(target)
    return added


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="classroom", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["student", "grade", "feedback", "workbook"])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE)
    parser.add_argument("--student", action="append", dest="students")
    parser.add_argument("--assignment", action="append", dest="assignments",
                        help="grade only this notebook (repeatable; default: all)")
    parser.add_argument("--notebook-timeout", type=float, default=DEFAULT_NOTEBOOK_BUDGET,
                        help="seconds one notebook may take in all (default: %(default)g)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    parser.add_argument("--workers", type=int, help="local Dask workers (default: one a core; "
                        "0 grades one student after another without Dask)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.command == "student":
        for path in make_student_versions(args.paths or None, course):
            print(f"student version: {path}")
    elif args.command == "grade":
        if len(args.paths) != 1:
            parser.error("grade takes one FOLDER of <student>/<notebook>.ipynb")
        submissions = Path(args.paths[0]).resolve()
        if not submissions.is_dir():  # a one-line message, before any nbgrader work
            print(f"grade: {args.paths[0]!r} is not a folder; give the folder that holds "
                  f"<student>/<notebook>.ipynb.", file=sys.stderr)
            return 2
        try:
            items = grade(submissions, course, args.students, args.scheduler,
                          args.workers, args.assignments, args.notebook_timeout)
        except intake.SubmissionsError as error:
            print(f"grade: {error}", file=sys.stderr)
            return 2
        print((course / "reports" / "summary.md").read_text())
        print(f"Reports: {course / 'reports'} (summary.md, grades.csv, grades_wide.csv)")
        if items:
            print(f"{len(items)} item(s) need your attention (listed at the top of summary.md).")
            return 1
    elif args.command == "feedback":
        for path in feedback(course, args.students):
            print(f"feedback: {path}")
    else:
        folder = Path(args.paths[0]).resolve() if args.paths else DEFAULT_WORKBOOK
        added = workbook(folder, course)
        print(f"workbook: {folder} ({len(added)} new file(s); your own work is never "
              "overwritten)")
    return 0
