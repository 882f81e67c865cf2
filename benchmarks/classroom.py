"""Benchmark: grading a class one student at a time against Dask's default local cluster.

Run it with ``python3 tasks.py benchmark classroom`` (one BLAS thread per kernel), or directly
with ``OPENBLAS_NUM_THREADS=1 python benchmarks/classroom.py --students 30``. It makes a class
of ``--students`` learners (default 30) who each submit ``--assignment`` (default notebook 01):
three in every four with the reference answers, the rest with one exercise left blank, so that
the graded work is a realistic mix, none of it an infinite loop (a loop costs its timeout
whatever the scheduler). The same class is graded twice, each time in a new course folder whose
student versions are made before the clock starts:

- one at a time: ``classroom.grade(..., workers=0)``, every student in this process in turn;
- the default cluster: ``classroom.grade(...)``, a Dask ``LocalCluster`` with one single-threaded
  worker per core, each student a task.

It prints wall-clock seconds for both, seconds per student and the ratio, and the machine's core
count and load average before each run (a busy machine slows both, not alike). The two runs are
one round each (a class of 30 takes minutes), in the order given by ``--order``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import classroom  # noqa: E402


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def make_class(release: Path, name: str, students: int, folder: Path) -> None:
    """``students`` submissions of ``name``: every fourth with its first exercise left blank."""
    source = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    answers = {_meta(c)["grade_id"]: c.source for c in source.cells if _meta(c).get("solution")}
    handed_out = nbformat.read(release / name / f"{name}.ipynb", as_version=4)
    for number in range(students):
        notebook = nbformat.from_dict(handed_out)
        solutions = [c for c in notebook.cells if _meta(c).get("solution")]
        for index, cell in enumerate(solutions):
            if not (number % 4 == 3 and index == 0):
                cell.source = answers[_meta(cell)["grade_id"]]
        (folder / f"student{number:02d}").mkdir(parents=True)
        nbformat.write(notebook, folder / f"student{number:02d}" / f"{name}.ipynb")


def grade_class(submissions: Path, course: Path, name: str, workers: int | None
                ) -> tuple[float, list[str]]:
    """Seconds to grade the whole class (student versions made beforehand, not timed), and
    each student's total from the wide grade sheet, in student order."""
    classroom.make_student_versions([name], course)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        classroom.grade(submissions, course, workers=workers, only=[name])
    seconds = time.perf_counter() - start
    with open(course / "reports" / "grades_wide.csv", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["student"])
    return seconds, [row["total"] for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--assignment", default="01_single_neuron")
    parser.add_argument("--order", choices=["serial-first", "cluster-first"],
                        default="serial-first")
    args = parser.parse_args()
    if args.students < 1:
        parser.error(f"--students must be at least 1, got {args.students}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"a class of {args.students} submitting {args.assignment}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        classroom.make_student_versions([args.assignment], tmp / "release-course")
        make_class(tmp / "release-course" / "release", args.assignment, args.students,
                   tmp / "submissions")
        runs = [("one at a time", 0), ("default cluster", None)]
        if args.order == "cluster-first":
            runs.reverse()
        seconds, totals = {}, {}
        for label, workers in runs:
            load = os.getloadavg()[0]
            seconds[label], totals[label] = grade_class(
                tmp / "submissions", tmp / f"course-{workers}", args.assignment, workers)
            print(f"{label:>16}: {seconds[label]:6.0f} s, "
                  f"{seconds[label] / args.students:5.1f} s per student "
                  f"(load average {load:.1f} before)", flush=True)
    if totals["one at a time"] != totals["default cluster"]:
        sys.exit(f"The two gradings disagree: {totals}")
    counts = {total: totals["one at a time"].count(total) for total in totals["one at a time"]}
    print("both gave every student the same total: "
          + ", ".join(f"{count} students {total} points" for total, count in sorted(counts.items())))
    print(f"speed-up of the default cluster: "
          f"{seconds['one at a time'] / seconds['default cluster']:.2f}x")


if __name__ == "__main__":
    main()
