"""The class report: every exercise of every assignment for every student, out of the total.

Each student's graded result is kept as ``<course>/reports/students/<key>.json`` (``student_key``:
any name the file system allows gives a safe, distinct file name; the name itself is inside), so
grading one late student later updates the class report instead of replacing it. Every message
is one line, and a name that would break a line or a heading is shown quoted. The reports are
``grades.csv`` (one row per student and exercise), ``grades_wide.csv`` (one row per student, a
column per exercise and the total, for a learning management system) and ``summary.md`` (what
needs the teacher's attention, then each student's exercises with their messages).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

NOT_SUBMITTED = "not attempted: no {name}.ipynb was submitted"


@dataclass
class Grade:
    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    message: str
    attention: bool = False


def student_key(student: str) -> str:
    """A file name for ``student`` that is safe, short and distinct: a readable part and a hash."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", student).strip("_-")[:40] or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{readable}-{digest}"


def shown(student: str) -> str:
    """The name as the reports show it: quoted when it has spaces at its ends or any
    character that is not printable (a newline), so every line stays one line."""
    if student.isprintable() and student.strip() == student and student:
        return student
    return repr(student)


def one_line(message: str) -> str:
    return " ".join(message.split()) if not message.isprintable() else message


def exercises(course: Path, names: list[str]) -> dict[str, list[tuple[str, float]]]:
    """assignment -> [(grade_id, points)] in notebook order, from the course's sources."""
    table = {}
    for name in names:
        notebook = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
        table[name] = [(cell.metadata["nbgrader"]["grade_id"],
                        float(cell.metadata["nbgrader"]["points"]))
                       for cell in notebook.cells
                       if cell.metadata.get("nbgrader", {}).get("grade")]
    return table


def student_grades(student: str, table: dict, result: dict | None,
                   problems: list) -> tuple[list[Grade], list[str]]:
    """Every exercise of every assignment for one student, and notes for the teacher."""
    graded = (result or {}).get("notebooks", {})
    rows, notes = [], []
    for name, cells in table.items():
        entry = graded.get(name)
        mine = [p for p in problems if p.notebook == name]
        if entry is not None:
            notes += [f"{name}: {p.message}" for p in mine]
            notes += [f"{name}: nbgrader: {w}" for w in entry["warnings"]]
            notes += [f"{name}: {note}" for note in entry.get("notes", [])]
        scores = {row[0]: row for row in (entry or {}).get("rows", [])}
        for grade_id, points in cells:
            if entry is None:
                message = mine[0].message if mine else NOT_SUBMITTED.format(name=name)
                rows.append(Grade(student, name, grade_id, 0.0, points, message, bool(mine)))
            elif entry["error"]:
                rows.append(Grade(student, name, grade_id, 0.0, points, entry["error"], True))
            elif grade_id not in scores:
                rows.append(Grade(student, name, grade_id, 0.0, points,
                                  "not graded: the graded cell is missing", True))
            else:
                _, score, _, message = scores[grade_id]
                if score < points and not message:
                    message = "failed"
                rows.append(Grade(student, name, grade_id, score, points,
                                  "" if score >= points else message,
                                  message.startswith("timed out")))
    notes += [f"{p.message}" for p in problems if p.notebook not in table]
    rows = [Grade(row.student, row.notebook, row.exercise, row.score, row.max_score,
                  one_line(row.message), row.attention or row.message.startswith("no credit"))
            for row in rows]
    return rows, [one_line(note) for note in notes]


def keep_earlier(rows: list[Grade], notes: list[str], folder: Path,
                 student: str) -> tuple[list[Grade], list[str]]:
    """Keep an earlier result for each notebook that this run did not see at all.

    A student who hands in one late notebook is graded alone; the notebooks graded before
    stay in the report instead of turning into "not submitted".
    """
    path = folder / f"{student_key(student)}.json"
    if not path.exists():
        return rows, notes
    earlier = json.loads(path.read_text())
    unseen = {row.notebook for row in rows if row.message.startswith("not attempted: no ")}
    before = {(r["notebook"], r["exercise"]): r for r in earlier["rows"]}
    kept = [Grade(**before[(row.notebook, row.exercise)])
            if row.notebook in unseen and (row.notebook, row.exercise) in before else row
            for row in rows]
    notes = notes + [note for note in earlier["notes"]
                     if note.split(":", 1)[0] in unseen and note not in notes]
    return kept, notes


def save_student(folder: Path, student: str, rows: list[Grade], notes: list[str],
                 seconds: float | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {"student": student, "rows": [asdict(row) for row in rows], "notes": notes,
              "seconds": seconds}
    (folder / f"{student_key(student)}.json").write_text(json.dumps(record, indent=1) + "\n")
    legacy = folder / f"{student}.json"  # before keys, records were named after the student
    try:
        if legacy.name != f"{student_key(student)}.json" and legacy.is_file():
            legacy.unlink()
    except OSError:  # a name too long to have had such a record
        pass


def load_students(folder: Path) -> list[dict]:
    """Every student's record, sorted by name."""
    records = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
    return sorted(records, key=lambda record: record["student"])


def _fmt(value: float) -> str:
    return f"{value:g}"


def attention_items(records: list[dict], class_notes: list[str] = ()) -> list[str]:
    items = [one_line(note) for note in class_notes]
    for record in records:
        name = shown(record["student"])
        items += [f"{name}: {one_line(note)}" for note in record["notes"]]
        items += [f"{name}: {row['notebook']} · {row['exercise']}: "
                  f"{one_line(row['message'])}" for row in record["rows"] if row["attention"]]
    return items


def write_reports(folder: Path, records: list[dict], class_notes: list[str] = ()) -> list[str]:
    """Write the three reports for every student on record; return the attention items.

    ``class_notes`` concern the run, not one student (a folder that is not a student's, the
    repository's grading code changed): they head the attention list."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = ["student", "notebook", "exercise", "score", "max_score", "message"]
    with open(folder / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for record in records:
            for row in record["rows"]:
                writer.writerow([row["student"], row["notebook"], row["exercise"],
                                 _fmt(row["score"]), _fmt(row["max_score"]), row["message"]])
    columns = sorted({(row["notebook"], row["exercise"]) for record in records
                      for row in record["rows"]})
    with open(folder / "grades_wide.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student"] + [f"{nb}:{ex}" for nb, ex in columns]
                        + ["total", "max_total"])
        for record in records:
            by = {(row["notebook"], row["exercise"]): row for row in record["rows"]}
            writer.writerow([record["student"]]
                            + [_fmt(by[key]["score"]) if key in by else "" for key in columns]
                            + [_fmt(sum(r["score"] for r in record["rows"])),
                               _fmt(sum(r["max_score"] for r in record["rows"]))])
    items = attention_items(records, class_notes)
    lines = ["# Grades", ""]
    if items:
        lines += ["## Needs your attention", ""] + [f"- {item}" for item in items] + [""]
    for record in records:
        total = sum(row["score"] for row in record["rows"])
        possible = sum(row["max_score"] for row in record["rows"])
        lines += [f"## {shown(record['student'])}: {_fmt(total)} / {_fmt(possible)}", ""]
        for row in record["rows"]:
            mark = "passed" if row["score"] >= row["max_score"] else "FAILED"
            lines.append(f"- {row['notebook']} · {row['exercise']}: {_fmt(row['score'])} / "
                         f"{_fmt(row['max_score'])} {mark}"
                         + (f" — {one_line(row['message'])}" if row["message"] else ""))
        lines += [f"- note: {one_line(note)}" for note in record["notes"]] + [""]
    (folder / "summary.md").write_text("\n".join(lines))
    return items
