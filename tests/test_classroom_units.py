"""Classroom pieces that need no grading run: file names, unreadable files, hardened graded
cells, the fresh import that defeats the monkeypatch cheat, and the self-study workbook."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import classroom  # noqa: E402
from classroom.course import harden_graded_cell, supporting_files  # noqa: E402
from classroom.intake import intended_name, read_submissions  # noqa: E402
from nnlib.checks.common import fresh_check  # noqa: E402

KNOWN = ["01_single_neuron", "02_two_layer_network", "03_mlp_two_moons"]
GRADED_CELL = ("from nnlib.checks import check_train_step\n\n"
               "check_train_step(train_step)\n"
               "### BEGIN HIDDEN TESTS\n"
               "check_train_step(train_step, hidden=True)\n"
               "### END HIDDEN TESTS")


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


def test_hardened_cell_reruns_the_checks_from_a_fresh_import():
    assert harden_graded_cell(GRADED_CELL).splitlines() == [
        "from nnlib.checks import check_train_step", "",
        "check_train_step(train_step)",
        "### BEGIN HIDDEN TESTS",
        "# Graded again with the checks from a fresh import of nnlib, which no answer cell can "
        "have replaced.",
        "from nnlib.checks.common import fresh_check",
        'check_train_step = fresh_check("check_train_step")',
        "check_train_step(train_step)",
        "check_train_step(train_step, hidden=True)",
        "### END HIDDEN TESTS"]
    assert harden_graded_cell("print(1)") == "print(1)"
    no_hidden = harden_graded_cell("check_x(f)")
    assert no_hidden.splitlines()[1] == "### BEGIN HIDDEN TESTS" and \
        no_hidden.endswith('check_x = fresh_check("check_x")\ncheck_x(f)\n### END HIDDEN TESTS')


CHEATS = {
    "rebind the check": "nnlib.checks.check_train_step = lambda *a, **k: None",
    "rebind in its module": "nnlib.checks.neuron.check_train_step = "
                            "lambda *a, **k: None",
    "patch the reference": "nnlib.checks.neuron.reference_train_step = "
                           "lambda X, y, w, learning_rate=1.0: w",
    "patch the comparison": "nnlib.checks.common.close = lambda a, b: True\n"
                            "nnlib.checks.neuron.close = lambda a, b: True",
    "swap sys.modules": "import types\nfake = types.ModuleType('nnlib.checks')\n"
                        "fake.check_train_step = lambda *a, **k: None\n"
                        "sys.modules['nnlib.checks'] = fake",
}


@pytest.mark.parametrize("cheat", CHEATS.values(), ids=list(CHEATS))
def test_monkeypatch_cheat_fails_against_the_hardened_cell(cheat):
    """In a fresh interpreter, as in a kernel: the cheat, then the graded cell as graded."""
    program = "\n".join([
        "import sys", "import nnlib, nnlib.checks, nnlib.checks.neuron", cheat,
        "def train_step(X, y, w, learning_rate=1.0):", "    return w",
        harden_graded_cell(GRADED_CELL),
        "print('cheat passed')"])
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "cheat passed" not in completed.stdout
    assert "CheckFailed: train_step returned wrong weights for N=4, D=3" in completed.stderr


def test_fresh_check_leaves_the_learner_modules_alone():
    import nnlib.checks

    before = dict(sys.modules)
    check = fresh_check("check_train_step")
    assert check is not nnlib.checks.check_train_step
    assert check.__module__ == "nnlib.checks.neuron"
    assert {k: v for k, v in sys.modules.items() if k.startswith("nnlib")} == {
        k: v for k, v in before.items() if k.startswith("nnlib")}
    with pytest.raises(ValueError, match="name must be the name of a check such as"):
        fresh_check("neuron_step")
    with pytest.raises(ValueError, match="name must be a check in nnlib.checks, got 'check_x'"):
        fresh_check("check_x")


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
    assert "fresh_check(\\\"check_train_step\\\")" in text and "widgets" not in \
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
