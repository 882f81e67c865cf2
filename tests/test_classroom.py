"""The classroom path end to end: student versions, and autograding with partial credit.

Every released notebook is graded from its assignment folder as nbgrader does (so each must ship
the files it reads, such as notebook 05's data/). The made-up class with every kind of bad
submission is in tests/test_classroom_class.py; workbook and hardening units in
tests/test_classroom_units.py.
"""

import csv
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import classroom  # noqa: E402

ASSIGNMENTS = classroom.assignments()
pytestmark = pytest.mark.slow  # left out by `python3 tasks.py test --fast`


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def solution_lines(notebook) -> list[str]:
    """The non-trivial lines between the solution markers of a solution notebook."""
    lines = []
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("worked-"):
            continue  # a worked answer is replaced whole (classroom.course._student_answer_cell)
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    return course, {path.stem: path for path in classroom.make_student_versions(course=course)}


def test_every_notebook_has_graded_exercises():
    assert [path.stem for path in ASSIGNMENTS] == [
        path.stem for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda path: path.stem)
def test_solution_notebook_uses_nbgrader_conventions(source):
    notebook = nbformat.read(source, as_version=4)
    ids = [nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade_id values must be unique"
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3
        if meta["solution"] and not meta["grade_id"].startswith("worked-"):  # worked answers: whole cell
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if meta["grade"]:
            assert meta["locked"] and meta["points"] > 0
            assert "check_" in cell.source  # graded cells call course.checks


def test_student_version_hides_solutions_and_outputs(released):
    _, paths = released
    assert sorted(paths) == [path.stem for path in ASSIGNMENTS]
    for source in ASSIGNMENTS:
        student = nbformat.read(paths[source.stem], as_version=4)
        text = "\n".join(cell.source for cell in student.cells  # a worked derivation after
                         if "Worked derivation" not in cell.source)  # its check shows the answer
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "hidden=True" not in text
        for line in solution_lines(nbformat.read(source, as_version=4)):
            assert line not in text, f"solution text leaked: {line}"
        answer_cells = [c for c in student.cells if nbgrader_meta(c).get("solution")]
        assert answer_cells and all("raise NotImplementedError()" in c.source
                                    for c in answer_cells)
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
        assert "widgets" not in student.metadata


def restore_solutions(student, source, upto: int | None = None):
    """The student notebook with the reference answers put back (the first ``upto`` only)."""
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in source.cells
               if nbgrader_meta(c).get("solution")}
    restored = 0
    for cell in student.cells:
        if nbgrader_meta(cell).get("solution") and (upto is None or restored < upto):
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
            restored += 1
    return student


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda path: path.stem)
def test_student_version_stops_at_each_exercise(released, source):
    # The student version run as handed out, from its assignment folder, up to its last graded
    # cell, going on after each error (allow_errors) so that one run shows every exercise:
    # after an exercise's answer cell, the first failure is that cell or the graded check that
    # first calls it, with NotImplementedError. Every other failing cell only uses a skipped
    # answer (NotImplementedError, or NameError for a name only an answer defines).
    _, paths = released
    student = nbformat.read(paths[source.stem], as_version=4)
    last_check = max(i for i, cell in enumerate(student.cells) if nbgrader_meta(cell).get("grade"))
    del student.cells[last_check + 1:]
    NotebookClient(student, kernel_name="python3", allow_errors=True, timeout=300,
                   resources={"metadata": {"path": str(paths[source.stem].parent)}}).execute()
    cells = student.cells
    errors = {i: output["ename"] for i, cell in enumerate(cells) if cell.cell_type == "code"
              for output in cell.outputs if output.get("output_type") == "error"}
    assert set(errors.values()) <= {"NotImplementedError", "NameError"}, errors
    exercises = [i for i, cell in enumerate(cells) if nbgrader_meta(cell).get("solution")]
    assert exercises
    for start in exercises:
        check = next(i for i in range(start, len(cells)) if nbgrader_meta(cells[i]).get("grade"))
        failed = min(i for i in errors if i >= start)
        assert failed in (start, check), cells[failed].source[:80]
        assert errors[failed] == "NotImplementedError", cells[failed].source[:80]


def plant_bug(notebook, grade_id: str, old: str, new: str):
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            assert old in cell.source
            cell.source = cell.source.replace(old, new)
            return notebook
    raise AssertionError(f"no cell {grade_id}")


# Planted bugs, one per submitted notebook: (answer cell, text to change, replacement, the
# graded check that must fail). Two short notebooks keep the grading run quick; every check's
# messages for typical mistakes are tested directly in tests/test_checks.py.
PLANTED = {
    "01_single_neuron": ("train_step", "error = y - output", "error = output - y",
                         "check_train_step"),
    "02_two_layer_network": ("affine_backward", "db = dout.sum(axis=0)",
                             "db = dout.mean(axis=0)", "check_affine_backward"),
}


def test_autograding_gives_full_marks_and_partial_credit(released, tmp_path):
    course, paths = released
    submissions = tmp_path / "submissions"
    for source in ASSIGNMENTS:
        solution = nbformat.read(source, as_version=4)
        for student in ("ada", "bug") if source.stem in PLANTED else ("ada",):
            notebook = restore_solutions(nbformat.read(paths[source.stem], as_version=4),
                                         solution)
            if student == "bug":
                grade_id, old, new, _ = PLANTED[source.stem]
                plant_bug(notebook, grade_id, old, new)
            (submissions / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, submissions / student / source.name)

    attention = classroom.grade(submissions, course=course, workers=2)
    assert attention == []
    with open(course / "reports" / "grades.csv") as handle:
        rows = [classroom.Grade(r["student"], r["notebook"], r["exercise"], float(r["score"]),
                                float(r["max_score"]), r["message"])
                for r in csv.DictReader(handle)]
    by_key = {(row.student, row.notebook, row.exercise): row for row in rows}
    for source in ASSIGNMENTS:
        checks = [nbgrader_meta(c) for c in nbformat.read(source, as_version=4).cells
                  if nbgrader_meta(c).get("grade")]
        for check in checks:
            ada = by_key[("ada", source.stem, check["grade_id"])]
            assert ada.score == ada.max_score == check["points"], ada.message
            if source.stem not in PLANTED:
                continue
            bug = by_key[("bug", source.stem, check["grade_id"])]
            if check["grade_id"] == PLANTED[source.stem][3]:
                assert bug.score == 0
                assert bug.message.startswith("CheckFailed: ")
            else:
                assert bug.score == bug.max_score, (check["grade_id"], bug.message)

    summary = (course / "reports" / "summary.md").read_text()
    assert re.search(r"## bug: \d+ / \d+", summary)
    assert "FAILED — CheckFailed: train_step moves the weights uphill" in summary
