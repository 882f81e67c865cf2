"""A made-up class graded end to end: every kind of submission a teacher meets, every score and
message asserted; then a late student graded alone through a separately started Dask scheduler
and worker on 127.0.0.1, and the feedback files.

The class includes the hostile cases of grading isolation, in folders whose names are not
arguments (to keep the class small, each plays one more part): ``*`` rewrites a grading file from
an answer cell and patches NumPy's comparison, ``--force`` hands in the perfect notebook, and
``.hidden`` kills the grader from an answer cell. An honest student graded right after gets the
grades the honest students had, and the repository's files are unchanged.

``twin`` answers three exercises by calling the library's own version (``nnlib.sigmoid_slope``,
``nnlib.neuron.train_step``, ``nnlib.numerical_gradient``) and gets no credit for them, with the
check's message saying so.

Notebooks 01 and 02 are the assignments (the two shortest); only ada and twin submit 02, so
every other student shows 02 as not attempted. The per-cell timeout is the teacher's (20 s
here), which also proves that a teacher's nbgrader_config.py survives the commands.
"""

import csv
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import classroom  # noqa: E402
from classroom import course as course_module  # noqa: E402
from course.checks import CheckFailed, check_cross_entropy_step, check_train_step  # noqa: E402

pytestmark = pytest.mark.slow  # left out by `python3 tasks.py test --fast`

NAMES = ["01_single_neuron", "02_two_layer_network"]
TIMEOUT = 20
TEACHER_CONFIG = course_module.NBGRADER_CONFIG.replace(
    f"c.Execute.timeout = {course_module.DEFAULT_TIMEOUT}", f"c.Execute.timeout = {TIMEOUT}")
NOT_SUBMITTED_02 = "not attempted: no 02_two_layer_network.ipynb was submitted"
CHEAT = ("import course.checks\n"
         "course.checks.check_train_step = lambda *args, **kwargs: None\n"
         "def train_step(X, y, w, learning_rate=1.0):\n    return w\n")


# Rewrites the kernel's copy of the grading code (close() always True: every later import of
# it, fresh or not, compares nothing) and NumPy's comparison; two answers are then wrong.
FORGER_TRAIN_STEP = (
    "import os, numpy, course.checks.common as common\n"
    "numpy.allclose = lambda *args, **kwargs: True\n"
    "os.chmod(common.__file__, 0o644)\n"
    "text = open(common.__file__).read().replace('return bool(np.allclose(', "
    "'return True or bool(np.allclose(')\n"
    "open(common.__file__, 'w').write(text)\n"
    "common.close = lambda a, b: True\n"
    "import course.checks.neuron\n"
    "course.checks.neuron.close = common.close\n"
    "def train_step(X, y, w, learning_rate=1.0):\n    return w\n")
FORGER_CROSS_ENTROPY = ("def cross_entropy_step(X, y, w, learning_rate=1.0):\n"
                        "    return w + 1\n")
KILLER = "import os\nos.kill(os.getppid(), 9)\n"
NO_CREDIT = ("no credit: it passed in the notebook, but the genuine check fails its recorded "
             "answers in a separate process: ")
FORGER, PERFECT_TOO, KILLER_NAME = "*", "--force", ".hidden"
TWIN_SLOPE = "import nnlib\ndef sigmoid_slope(out):\n    return nnlib.sigmoid_slope(out)\n"
TWIN_STEP = ("import nnlib\ndef train_step(X, y, w, learning_rate=1.0):\n"
             "    return nnlib.neuron.train_step(X, y, w, learning_rate)\n")
TWIN_GRADIENT = ("import nnlib\ndef numerical_gradient(f, x, h=1e-6):\n"
                 "    return nnlib.numerical_gradient(f, x, h)\n")


def refused(dotted: str) -> str:
    return (f"CheckFailed: your function calls the library's {dotted}: this exercise asks you "
            "to write that yourself with NumPy (derive it from the definition above).")


def repository_files() -> dict[str, int]:
    """Every file of the grading code and the grader, with a hash of its bytes."""
    return {str(path): hash(path.read_bytes()) for folder in ("nnlib", "tools/classroom")
            for path in sorted((ROOT / folder).rglob("*.py"))}


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def solved(release: Path, name: str, edit=None):
    """The released notebook with the reference answers, then ``edit(cells_by_id)`` applied."""
    source = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    answers = {meta(c)["grade_id"]: c.source for c in source.cells if meta(c).get("solution")}
    notebook = nbformat.read(release / name / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        if meta(cell).get("solution"):
            cell.source = answers[meta(cell)["grade_id"]]
    if edit:
        edit(notebook, {meta(c)["grade_id"]: c for c in notebook.cells if meta(c)})
    return notebook


def replace(grade_id, old, new):
    def edit(notebook, cells):
        assert old in cells[grade_id].source
        cells[grade_id].source = cells[grade_id].source.replace(old, new)
    return edit


def set_source(grade_id, text):
    def edit(notebook, cells):
        cells[grade_id].source = text
    return edit


def tamper(notebook, cells):
    cells["check_sigmoid_slope"].source = "pass  # nothing to check here"
    notebook.cells.remove(cells["check_train_step"])


def write(folder: Path, student: str, filename: str, notebook=None, text=None):
    (folder / student).mkdir(parents=True, exist_ok=True)
    if notebook is not None:
        nbformat.write(notebook, folder / student / filename)
    else:
        (folder / student / filename).write_text(text)


def check_message(check, answer) -> str:
    with pytest.raises(CheckFailed) as raised:
        check(answer)
    return f"CheckFailed: {raised.value}"


def wrong_weights_message() -> str:
    return check_message(check_train_step, lambda X, y, w, learning_rate=1.0: w)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    course.joinpath("nbgrader_config.py").write_text(TEACHER_CONFIG)
    classroom.make_student_versions(NAMES, course)
    release = course / "release"
    subs = tmp_path_factory.mktemp("submissions")
    one = "01_single_neuron.ipynb"
    write(subs, "ada", one, solved(release, NAMES[0]))
    write(subs, "ada", "02_two_layer_network.ipynb", solved(release, NAMES[1]))
    write(subs, "blank", one, nbformat.read(release / NAMES[0] / one, as_version=4))
    write(subs, "bug", one, solved(release, NAMES[0], replace(
        "train_step", "error = y - output", "error = output - y")))
    write(subs, "crash", one, solved(release, NAMES[0], replace(
        "train_step", "(error * sigmoid_slope(output))", "(error * slope)")))
    write(subs, "loop", one, solved(release, NAMES[0], replace(
        "train_step", "def train_step", "while True:\n    pass\n\n\ndef train_step")))
    write(subs, "cheat", one, solved(release, NAMES[0], set_source("train_step", CHEAT)))
    write(subs, "tamper", one, solved(release, NAMES[0], tamper))
    write(subs, "browser", "01_single_neuron (1).ipynb", solved(release, NAMES[0]))
    write(subs, "dashes", "01-single-neuron.ipynb", solved(release, NAMES[0]))
    write(subs, "corrupt", one, text="not json {")
    write(subs, FORGER, one, solved(release, NAMES[0], lambda notebook, cells: (
        set_source("train_step", FORGER_TRAIN_STEP)(notebook, cells),
        set_source("cross_entropy_step", FORGER_CROSS_ENTROPY)(notebook, cells))))
    write(subs, KILLER_NAME, one, solved(release, NAMES[0],
                                         set_source("sigmoid_slope", KILLER)))
    write(subs, PERFECT_TOO, one, solved(release, NAMES[0]))
    write(subs, "twin", one, solved(release, NAMES[0], lambda notebook, cells: (
        set_source("sigmoid_slope", TWIN_SLOPE)(notebook, cells),
        set_source("train_step", TWIN_STEP)(notebook, cells))))
    write(subs, "twin", "02_two_layer_network.ipynb", solved(
        release, NAMES[1], set_source("numerical_gradient", TWIN_GRADIENT)))
    before = repository_files()
    start = time.perf_counter()
    attention = classroom.grade(subs, course, workers=2, only=NAMES)
    seconds = time.perf_counter() - start
    assert repository_files() == before
    return course, attention, seconds


def rows_of(course: Path) -> dict:
    with open(course / "reports" / "grades.csv") as handle:
        return {(r["student"], r["exercise"]): (float(r["score"]), float(r["max_score"]),
                                                r["message"]) for r in csv.DictReader(handle)}


def test_every_student_every_score_and_message(graded):
    course, _, _ = graded
    rows = rows_of(course)
    two_layer = [meta(c) for c in nbformat.read(
        course / "source" / NAMES[1] / f"{NAMES[1]}.ipynb", as_version=4).cells
        if meta(c).get("grade")]
    # Notebook 01's other exercises: every student who handed in a readable notebook left
    # their answers as the perfect student's (the made-up bugs are in the two above).
    others = [m for m in (meta(c) for c in nbformat.read(
        course / "source" / NAMES[0] / f"{NAMES[0]}.ipynb", as_version=4).cells)
        if m.get("grade") and m["grade_id"] not in ("check_sigmoid_slope", "check_train_step")]
    full = {"check_sigmoid_slope": (1, 1, ""), "check_train_step": (2, 2, "")}
    misnamed = ("misnamed file '01-single-neuron.ipynb': rename it to "
                "01_single_neuron.ipynb")
    expected = {
        "ada": full,
        "twin": {"check_sigmoid_slope": (0, 1, refused("nnlib.activations.sigmoid_slope")),
                 "check_train_step": (0, 2, refused("nnlib.neuron.train_step"))},
        "blank": {"check_sigmoid_slope": (0, 1, "not attempted"),
                  "check_train_step": (0, 2, "not attempted")},
        "bug": {"check_sigmoid_slope": (1, 1, ""), "check_train_step": (0, 2, (
            "CheckFailed: train_step moves the weights uphill: the error is y - output, and "
            "the update adds X.T @ (error * slope)."))},
        "crash": {"check_sigmoid_slope": (1, 1, ""),
                  "check_train_step": (0, 2, "NameError: name 'slope' is not defined")},
        "loop": {"check_sigmoid_slope": (1, 1, ""), "check_train_step": (0, 2, (
            f"timed out: train_step was still running after {TIMEOUT} s"))},
        # The replaced check drew no inputs, so the record holds none of the genuine ones.
        "cheat": {"check_sigmoid_slope": (1, 1, ""), "check_train_step": (0, 2, NO_CREDIT + (
            "CheckFailed: the record holds fewer seeds than the check draws"))},
        FORGER: {"check_sigmoid_slope": (1, 1, ""),
                   "check_train_step": (0, 2, NO_CREDIT + wrong_weights_message())},
        "tamper": full,
        "browser": full,
        "dashes": {"check_sigmoid_slope": (0, 1, misnamed),
                   "check_train_step": (0, 2, misnamed)},
        "corrupt": {"check_sigmoid_slope": (0, 1, ""), "check_train_step": (0, 2, "")},
        KILLER_NAME: {"check_sigmoid_slope": (0, 1, ""), "check_train_step": (0, 2, "")},
        PERFECT_TOO: full,
    }
    for student, exercises in expected.items():
        for exercise, (score, points, message) in exercises.items():
            got = rows.pop((student, exercise))
            if student == "corrupt":
                assert got[:2] == (score, points)
                assert got[2].startswith("unreadable notebook '01_single_neuron.ipynb' "
                                         "(NotJSONError: "), got
            elif student == KILLER_NAME:
                assert got[:2] == (score, points)
                assert re.fullmatch(r"the grader was killed by SIGKILL after \d+ s, so the "
                                    r"notebook was not graded \(an answer cell may have killed "
                                    r"it, e\.g\. os\.kill\(os\.getppid\(\), 9\)\)", got[2]), got
            elif student == FORGER and exercise == "check_train_step":
                # The check's inputs are fresh on every run: the message's numbers differ.
                assert got[:2] == (score, points)
                assert got[2].startswith(message.partition(": expected")[0] + ": expected"), got
            else:
                assert got == (score, points, message), (student, exercise)
        for cell in others:
            score, points, message = rows.pop((student, cell["grade_id"]))
            assert points == cell["points"]
            if student in ("blank", "dashes", "corrupt", KILLER_NAME):
                assert score == 0 and message, (student, message)
            elif student == FORGER and cell["grade_id"] == "check_cross_entropy_step":
                # The check's inputs are fresh on every run: the message's numbers differ.
                assert score == 0 and message.startswith(NO_CREDIT + check_message(
                    check_cross_entropy_step, lambda X, y, w, learning_rate=1.0: w + 1
                ).partition(": expected")[0] + ": expected"), message
            else:
                assert (score, message) == (points, ""), (student, cell["grade_id"], message)
        for cell in two_layer:
            score, points, message = rows.pop((student, cell["grade_id"]))
            assert points == cell["points"]
            if student == "ada":
                assert (score, message) == (points, ""), message
            elif student == "twin" and cell["grade_id"] == "check_numerical_gradient":
                assert (score, message) == (0, refused("nnlib.gradcheck.numerical_gradient"))
            elif student == "twin":
                assert (score, message) == (points, ""), (cell["grade_id"], message)
            else:
                assert (score, message) == (0, NOT_SUBMITTED_02)
    assert rows == {}


def test_summary_totals_and_attention(graded):
    course, attention, _ = graded
    summary = (course / "reports" / "summary.md").read_text()
    total = sum(meta(c)["points"] for name in NAMES for c in nbformat.read(
        course / "source" / name / f"{name}.ipynb", as_version=4).cells if meta(c).get("grade"))
    other_points = sum(meta(c)["points"] for c in nbformat.read(
        course / "source" / NAMES[0] / f"{NAMES[0]}.ipynb", as_version=4).cells
        if meta(c).get("grade") and meta(c)["grade_id"] not in ("check_sigmoid_slope",
                                                                 "check_train_step"))
    bug_total = 1 + other_points  # check_sigmoid_slope and the untouched other exercises
    assert f"## ada: {total:g} / {total:g}" in summary
    assert f"## bug: {bug_total:g} / {total:g}" in summary
    assert f"## corrupt: 0 / {total:g}" in summary
    text = "\n".join(attention)
    assert "tamper: 01_single_neuron: nbgrader: Missing grade cell check_train_step" in text
    assert ("tamper: 01_single_neuron: nbgrader: Attribute 'checksum' for cell "
            "check_sigmoid_slope has changed! (restored from the gradebook)") in text
    assert "loop: 01_single_neuron · check_train_step: timed out" in text
    assert "dashes: 01_single_neuron · check_sigmoid_slope: misnamed file" in text
    assert "corrupt: 01_single_neuron · check_sigmoid_slope: unreadable notebook" in text
    assert not any(item.startswith(("ada:", "bug:", "blank:", "browser:")) for item in attention)
    assert summary.index("## Needs your attention") < summary.index("## ada:")
    with open(course / "reports" / "grades_wide.csv") as handle:
        wide = {row["student"]: row for row in csv.DictReader(handle)}
    assert wide["ada"]["total"] == wide["ada"]["max_total"] == f"{total:g}"
    assert wide["bug"]["01_single_neuron:check_train_step"] == "0"
    assert wide["bug"]["total"] == f"{bug_total:g}" and len(wide) == 14
    twin_total = total - 1 - 2 - 2  # sigmoid_slope, train_step, numerical_gradient
    assert f"## twin: {twin_total:g} / {total:g}" in summary
    assert "*: 01_single_neuron: tampering: an answer cell changed its copy of the " \
        "grading code (course/checks/common.py); the repository and other students were not " \
        "affected" in text
    assert ("*: 01_single_neuron: tampering suspected: check_cross_entropy_step, "
            "check_train_step passed in the notebook but not in the separate re-check; no "
            "credit given") in text
    assert ".hidden: 01_single_neuron · check_sigmoid_slope: the grader was killed by SIGKILL" \
        in text
    assert f"## --force: {1 + 2 + other_points:g} / {total:g}" in summary  # all of 01
    assert not any(item.startswith("--force:") for item in attention)


def test_teacher_config_and_gradebook_kept(graded):
    course, _, _ = graded
    assert (course / "nbgrader_config.py").read_text() == TEACHER_CONFIG
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        bug = gradebook.find_submission_notebook(NAMES[0], NAMES[0], "bug")
        assert bug.score == bug.max_score - 2  # lost exactly check_train_step's 2 points
        assert gradebook.find_submission_notebook(NAMES[1], NAMES[1], "ada").score == \
            gradebook.find_notebook(NAMES[1], NAMES[1]).max_score


def test_late_student_graded_alone_on_an_existing_scheduler(graded, dask_scheduler, tmp_path):
    scheduler = dask_scheduler
    course, _, _ = graded
    assert scheduler.startswith("tcp://127.0.0.1:")
    late = tmp_path / "late"
    write(late, "zoe", "01_single_neuron.ipynb", solved(course / "release", NAMES[0], replace(
        "train_step", "error = y - output", "error = output - y")))
    attention = classroom.grade(late, course, scheduler=scheduler, only=NAMES)
    rows = rows_of(course)
    assert rows[("zoe", "check_train_step")][0] == 0
    assert rows[("zoe", "check_sigmoid_slope")] == (1, 1, "")
    assert rows[("ada", "check_train_step")] == (2, 2, "")  # the class report is kept
    assert len({student for student, _ in rows}) == 15
    assert any(item.startswith("loop:") for item in attention)  # so are its earlier items


def test_feedback_for_every_graded_notebook(graded):
    course, _, _ = graded
    pages = classroom.feedback(course, ["ada", "bug"])
    assert [page.relative_to(course / "feedback").as_posix() for page in pages] == [
        "ada/01_single_neuron/01_single_neuron.html",
        "ada/02_two_layer_network/02_two_layer_network.html",
        "bug/01_single_neuron/01_single_neuron.html"]
    text = pages[-1].read_text()
    points = sum(meta(c)["points"] for c in nbformat.read(
        course / "source" / NAMES[0] / f"{NAMES[0]}.ipynb", as_version=4).cells
        if meta(c).get("grade"))
    # bug lost exactly check_train_step's 2 points
    assert "moves the weights uphill" in text and f"Score: {points - 2:.1f} / {points:.1f}" in text


def test_an_honest_student_right_after_gets_the_honest_grades(graded, tmp_path):
    """Nothing the forger's answer cells wrote reaches a later run: the same notebook as bug's,
    graded right after, gets bug's grades and messages (and the repository is unchanged, see
    the fixture)."""
    course, _, _ = graded
    before = rows_of(course)
    again = tmp_path / "again"
    write(again, "bug again", "01_single_neuron.ipynb", solved(
        course / "release", NAMES[0], replace("train_step", "error = y - output",
                                              "error = output - y")))
    assert classroom.grade(again, course, workers=0, only=NAMES) != []  # the class's items
    rows = rows_of(course)
    mine = {exercise: row for (student, exercise), row in rows.items() if student == "bug again"}
    assert mine == {exercise: row for (student, exercise), row in before.items()
                    if student == "bug"}
    assert mine["check_train_step"][0] == 0 and mine["check_sigmoid_slope"] == (1, 1, "")
