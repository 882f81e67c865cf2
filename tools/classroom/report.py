"""The class report: every exercise of every assignment for every student, out of the total.

Each student's graded result is kept as ``<course>/reports/students/<student>.json``, so grading
one late student later updates the class report instead of replacing it. The reports are
``grades.csv`` (one row per student and exercise), ``grades_wide.csv`` (one row per student, a
column per exercise and the total, for a learning management system) and ``summary.md`` (what
needs the teacher's attention, then each student's exercises with their messages).
"""

from __future__ import annotations

import csv
import json
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
    return rows, notes


def keep_earlier(rows: list[Grade], notes: list[str], folder: Path,
                 student: str) -> tuple[list[Grade], list[str]]:
    """Keep an earlier result for each notebook that this run did not see at all.

    A student who hands in one late notebook is graded alone; the notebooks graded before
    stay in the report instead of turning into "not submitted".
    """
    path = folder / f"{student}.json"
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
    (folder / f"{student}.json").write_text(json.dumps(record, indent=1) + "\n")


def load_students(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def _fmt(value: float) -> str:
    return f"{value:g}"


def attention_items(records: list[dict]) -> list[str]:
    items = []
    for record in records:
        items += [f"{record['student']}: {note}" for note in record["notes"]]
        items += [f"{record['student']}: {row['notebook']} · {row['exercise']}: "
                  f"{row['message']}" for row in record["rows"] if row["attention"]]
    return items


def write_reports(folder: Path, records: list[dict]) -> list[str]:
    """Write the three reports for every student on record; return the attention items."""
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
    items = attention_items(records)
    lines = ["# Grades", ""]
    if items:
        lines += ["## Needs your attention", ""] + [f"- {item}" for item in items] + [""]
    for record in records:
        total = sum(row["score"] for row in record["rows"])
        possible = sum(row["max_score"] for row in record["rows"])
        lines += [f"## {record['student']}: {_fmt(total)} / {_fmt(possible)}", ""]
        for row in record["rows"]:
            mark = "passed" if row["score"] >= row["max_score"] else "FAILED"
            lines.append(f"- {row['notebook']} · {row['exercise']}: {_fmt(row['score'])} / "
                         f"{_fmt(row['max_score'])} {mark}"
                         + (f" — {row['message']}" if row["message"] else ""))
        lines += [f"- note: {note}" for note in record["notes"]] + [""]
    (folder / "summary.md").write_text("\n".join(lines))
    return items
