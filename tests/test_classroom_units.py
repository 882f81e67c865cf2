"""Classroom pieces that need no grading run: file names, unreadable files, folder names that
are not arguments, the report's keys and lines, and the self-study workbook. (The re-check that
defeats the kernel's cheats: tests/test_classroom_isolation.py.)"""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import classroom  # noqa: E402
from classroom.course import supporting_files  # noqa: E402
from classroom.intake import SubmissionsError, intended_name, read_submissions  # noqa: E402

KNOWN = ["01_single_neuron", "02_two_layer_network", "03_mlp_two_moons"]
@pytest.mark.parametrize("stem, intended", [
    ("03-mlp-two-moons", "03_mlp_two_moons"), ("01 Single Neuron", "01_single_neuron"),
    ("02_two_layer_netwrok", "02_two_layer_network"), ("03_copy", "03_mlp_two_moons"),
    ("homework", None)])
def test_intended_name(stem, intended):
    assert intended_name(stem, KNOWN) == intended


def test_intake_sorts_files_and_reports_every_problem(tmp_path):
    good = nbformat.v4.new_notebook()
    for student, filename in [("ada", "01_single_neuron.ipynb"),
                              ("ada", "01_single_neuron (1).ipynb"),
                              ("bo", "02_two_layer_network (2).ipynb"),
                              ("bo", "03-mlp-two-moons.ipynb"), ("cy", "notes.txt")]:
        (tmp_path / student).mkdir(exist_ok=True)
        nbformat.write(good, tmp_path / student / filename)
    (tmp_path / "cy" / "01_single_neuron.ipynb").write_text("{}")
    found = read_submissions(tmp_path, KNOWN)
    assert {s: sorted(f) for s, f in found.files.items()} == {
        "ada": ["01_single_neuron"], "bo": ["02_two_layer_network"], "cy": []}
    assert found.files["ada"]["01_single_neuron"].name == "01_single_neuron.ipynb"
    problems = [(p.student, p.notebook, p.message) for p in found.problems]
    assert problems[0] == ("ada", "01_single_neuron", "'01_single_neuron (1).ipynb' ignored: "
                                                     "'01_single_neuron.ipynb' is graded")
    assert problems[1] == ("bo", "03_mlp_two_moons", "misnamed file '03-mlp-two-moons.ipynb': "
                                                     "rename it to 03_mlp_two_moons.ipynb")
    assert problems[2] == ("cy", "notes.txt", "misnamed file 'notes.txt': the assignments are "
                                              + ", ".join(KNOWN))
    assert problems[3][:2] == ("cy", "01_single_neuron")
    assert problems[3][2].startswith("unreadable notebook '01_single_neuron.ipynb' "
                                     "(NotebookValidationError") or \
        problems[3][2].startswith("unreadable notebook '01_single_neuron.ipynb' (")
    assert len(problems) == 4


def test_supporting_files_include_the_data_folder():
    assert ROOT / "notebooks" / "data" in supporting_files()
    assert not any(path.suffix == ".ipynb" for path in supporting_files())


@pytest.mark.slow
def test_workbook_is_made_once_and_never_overwritten(tmp_path):
    course, folder = tmp_path / "course", tmp_path / "workbook"
    added = classroom.workbook(folder, course, only=["01_single_neuron"])
    assert sorted(path.relative_to(folder).as_posix() for path in added) == sorted(
        ["01_single_neuron.ipynb"] + [f"data/{p.name}" for p in
                                      (ROOT / "notebooks" / "data").iterdir()])
    mine = folder / "01_single_neuron.ipynb"
    notebook = nbformat.read(mine, as_version=4)
    assert "raise NotImplementedError()" in "\n".join(c.source for c in notebook.cells)
    assert "check_train_step(train_step)" in "\n".join(c.source for c in notebook.cells)
    mine.write_text(mine.read_text().replace("raise NotImplementedError()", "return 42"))
    edited = mine.read_text()
    (folder / "data").joinpath("sweep_order.json").unlink()
    again = classroom.workbook(folder, course, only=["01_single_neuron"])
    assert [path.relative_to(folder).as_posix() for path in again] == [
        "data/sweep_order.json"]
    assert mine.read_text() == edited


def _cell(grade_id, kind, error=None):
    cell = nbformat.v4.new_code_cell("pass")
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": kind == "graded",
                                 "solution": kind == "answer"}
    if error:
        cell.outputs = [nbformat.v4.new_output("error", ename=error[0], evalue=error[1],
                                               traceback=[])]
    return cell


def test_exercise_messages_name_timeouts_blanks_and_errors(tmp_path):
    from classroom.grading import exercise_messages

    notebook = nbformat.v4.new_notebook(cells=[
        _cell("a", "answer", ("CellTimeoutError", "")),
        _cell("check_a", "graded", ("NameError", "name 'a' is not defined")),
        _cell("b", "answer", ("NotImplementedError", "")),
        _cell("check_b", "graded", ("NameError", "name 'b' is not defined")),
        _cell("c", "answer"), _cell("check_c", "graded", ("CheckFailed", "c is wrong")),
        _cell("d", "answer"), _cell("check_d", "graded", ("NotImplementedError", "")),
        _cell("e", "answer"), _cell("check_e", "graded", ("KeyboardInterrupt", "")),
        _cell("f", "answer"), _cell("check_f", "graded")])
    nbformat.write(notebook, tmp_path / "graded.ipynb")
    assert exercise_messages(tmp_path / "graded.ipynb", "20") == {
        "check_a": "timed out: a was still running after 20 s",
        "check_b": "not attempted", "check_c": "CheckFailed: c is wrong",
        "check_d": "not attempted",
        "check_e": "timed out: check_e was still running after 20 s"}


@pytest.mark.slow
def test_nbgrader_is_stopped_at_the_notebook_budget(tmp_path):
    from classroom.course import BUDGET_EXCEEDED, run_nbgrader

    assert run_nbgrader(tmp_path, "--version", budget=0.01).returncode == BUDGET_EXCEEDED
    completed = run_nbgrader(tmp_path, "--version", budget=120)
    assert completed.returncode == 0 and "nbgrader version" in completed.stdout


def test_prepare_course_keeps_config_and_unchanged_sources(tmp_path):
    from classroom.course import assignments, prepare_course

    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # the teacher's own\n")
    notebooks = assignments(["01_single_neuron"])
    prepare_course(tmp_path, notebooks)
    source = tmp_path / "source" / "01_single_neuron" / "01_single_neuron.ipynb"
    stamp = source.stat().st_mtime_ns
    prepare_course(tmp_path, notebooks)
    assert source.stat().st_mtime_ns == stamp  # so the release is not made again
    assert (tmp_path / "nbgrader_config.py").read_text() == \
        "c = get_config()  # the teacher's own\n"
    assert (tmp_path / "source" / "01_single_neuron" / "data" / "sweep_order.json").exists()
    text = source.read_text()
    graded = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in
              nbformat.reads(text, as_version=4).cells if cell.metadata.get("nbgrader")}
    assert graded["check_train_step"].endswith(
        "record('check_train_step', 1, check_train_step, train_step, hidden=True)\n"
        "### END HIDDEN TESTS")
    assert "widgets" not in \
        nbformat.reads(text, as_version=4).metadata


def test_a_late_notebook_keeps_the_notebooks_graded_before(tmp_path):
    from classroom.report import Grade, keep_earlier, save_student

    first = [Grade("zoe", "01_single_neuron", "check_a", 1, 1, ""),
             Grade("zoe", "02_two_layer_network", "check_b", 0, 2,
                   "not attempted: no 02_two_layer_network.ipynb was submitted")]
    save_student(tmp_path, "zoe", first, ["01_single_neuron: nbgrader: a warning"], 10.0)
    late = [Grade("zoe", "01_single_neuron", "check_a", 0, 1,
                  "not attempted: no 01_single_neuron.ipynb was submitted"),
            Grade("zoe", "02_two_layer_network", "check_b", 2, 2, "")]
    rows, notes = keep_earlier(late, [], tmp_path, "zoe")
    assert rows == [first[0], late[1]]
    assert notes == ["01_single_neuron: nbgrader: a warning"]
    assert keep_earlier(late, [], tmp_path, "nobody") == (late, [])


ODD_NAMES = ["*", "--force", ".hidden", "two words", "line\nbreak", "Zoë 李", " padded ",
             "-", "x" * 255]


def test_every_folder_name_is_a_student_and_the_rest_is_reported(tmp_path):
    good = nbformat.v4.new_notebook()
    for name in ODD_NAMES:
        (tmp_path / name).mkdir()
        nbformat.write(good, tmp_path / name / "01_single_neuron.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "loose.ipynb").write_text("{}")
    found = read_submissions(tmp_path, KNOWN)
    assert sorted(found.files) == sorted(ODD_NAMES)
    assert all(list(files) == ["01_single_neuron"] for files in found.files.values())
    assert found.notes == [
        "'.ipynb_checkpoints' in the class folder was not graded: a tool's folder; each "
        "student's notebooks go in <class folder>/<student>/",
        "'loose.ipynb' in the class folder was not graded: not a folder; each student's "
        "notebooks go in <class folder>/<student>/"]
    assert sorted(read_submissions(tmp_path, KNOWN, ["*", "--force"]).files) == ["*", "--force"]


def test_an_empty_class_or_an_unknown_student_stops_with_one_line(tmp_path):
    with pytest.raises(SubmissionsError, match=r"^no student folders in .*; the reports were "
                                               r"left as they were\.$"):
        read_submissions(tmp_path, KNOWN)
    (tmp_path / "ada").mkdir()
    with pytest.raises(SubmissionsError, match=r"^--student 'bo' has no folder in .* \(the "
                                               r"students there: 'ada'\); the reports"):
        read_submissions(tmp_path, KNOWN, ["ada", "bo"])


def test_grade_refuses_an_empty_class_before_touching_the_reports(tmp_path, capsys):
    from classroom.cli import main

    empty = tmp_path / "class"
    empty.mkdir()
    reports = tmp_path / "course" / "reports"
    reports.mkdir(parents=True)
    (reports / "summary.md").write_text("earlier report\n")
    assert main(["grade", str(empty), "--course", str(tmp_path / "course")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grade: no student folders in ") and err.count("\n") == 1
    assert (reports / "summary.md").read_text() == "earlier report\n"
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == ["reports"]


def test_reports_keep_every_name_on_one_line_under_its_own_key(tmp_path):
    from classroom.report import Grade, load_students, save_student, student_key, write_reports

    keys = {student_key(name) for name in ODD_NAMES}
    assert len(keys) == len(ODD_NAMES)
    assert all(len(key) <= 60 and key.replace("-", "").replace("_", "").isalnum()
               for key in keys)
    records = tmp_path / "students"
    for name in ODD_NAMES:
        save_student(records, name, [Grade(name, "01_single_neuron", "check_a", 1, 1, ""),
                                     Grade(name, "01_single_neuron", "check_b", 0, 2,
                                           "failed:\nsee below", True)], ["a\nnote"], 1.0)
    loaded = load_students(records)
    assert [record["student"] for record in loaded] == sorted(ODD_NAMES)
    items = write_reports(tmp_path, loaded, ["a class\nnote"])
    assert items[0] == "a class note"
    assert "'line\\nbreak': 01_single_neuron · check_b: failed: see below" in items
    summary = (tmp_path / "summary.md").read_text()
    assert "## *: 1 / 3" in summary and "## --force: 1 / 3" in summary
    assert "## 'line\\nbreak': 1 / 3" in summary and "## ' padded ': 1 / 3" in summary
    assert not any(line.startswith(("break", "see below", "note")) for line in
                   summary.splitlines())
    import csv
    with open(tmp_path / "grades.csv", newline="") as handle:
        assert {row["student"] for row in csv.DictReader(handle)} == set(ODD_NAMES)


def test_a_legacy_record_is_replaced_by_the_keyed_one(tmp_path):
    from classroom.report import Grade, load_students, save_student

    (tmp_path / "zoe.json").write_text('{"student": "zoe", "rows": [], "notes": [], '
                                       '"seconds": null}\n')
    save_student(tmp_path, "zoe", [Grade("zoe", "01", "check_a", 1, 1, "")], [], 1.0)
    assert [len(record["rows"]) for record in load_students(tmp_path)] == [1]


def test_a_killed_grader_is_told_apart_from_the_budget(tmp_path):
    from classroom.course import BUDGET_EXCEEDED
    from classroom.grading import _killed

    assert BUDGET_EXCEEDED not in range(-64, 256)
    assert _killed(-9, 3.2) == (
        "the grader was killed by SIGKILL after 3 s, so the notebook was not graded (an "
        "answer cell may have killed it, e.g. os.kill(os.getppid(), 9))")


def test_a_worked_answer_becomes_an_empty_answer_cell_in_the_student_source(tmp_path):
    from classroom.course import YOUR_ANSWER, _source_notebook

    notebook = nbformat.v4.new_notebook()
    worked = nbformat.v4.new_code_cell(
        "### BEGIN SOLUTION\nfrom IPython.display import Markdown\nMarkdown('**Worked answer.** 42')"
        "\n### END SOLUTION")
    worked.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                   "grade_id": "worked-x-1", "schema_version": 3}
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                   "grade_id": "answer-x", "schema_version": 3}
    notebook.cells = [worked, answer]
    path = tmp_path / "x.ipynb"
    nbformat.write(notebook, path)
    cells = _source_notebook(path).cells
    assert cells[0].cell_type == "markdown" and cells[0].source == YOUR_ANSWER
    assert "Worked answer.** 42" not in nbformat.writes(_source_notebook(path))
    assert cells[0]["id"] == worked["id"] and "nbgrader" not in cells[0].metadata
    assert cells[1].source == answer.source  # a graded exercise's answer cell is nbgrader's
