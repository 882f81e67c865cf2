"""Grading isolation without a grading run: the recorded answers re-checked in a fresh process
(every exercise of the course, right and wrong), the cheats a kernel can try, the private
read-only copies, and the exact record format. The graded class is in test_classroom_class.py.
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from classroom import isolation  # noqa: E402
from classroom.course import (assignments, environment, graded_calls,  # noqa: E402
                              harden_graded_cell, recheck_plan)
from classroom.recheck import codec  # noqa: E402
from classroom.recheck.record import ENVIRONMENT_VARIABLE, record  # noqa: E402

GRADED_CELL = ("from course.checks import check_train_step\n\n"
               "check_train_step(train_step)\n"
               "### BEGIN HIDDEN TESTS\n"
               "check_train_step(train_step, hidden=True)\n"
               "### END HIDDEN TESTS")


@pytest.fixture(scope="module")
def manifest():
    return isolation.snapshot()


@pytest.fixture(scope="module")
def bytecode(tmp_path_factory):
    return isolation.bytecode_cache(tmp_path_factory.mktemp("bytecode"))


def plan_entry(check, functions: int, **options) -> dict:
    return {"module": check.__module__, "check": check.__name__, "functions": functions,
            "options": options}


def _marked(test) -> list:
    """The parameter values of a test's ``pytest.mark.parametrize`` (its first argument)."""
    return [values[0] for values in test.pytestmark[0].args[1]]


def _calls_a_twin(answer) -> bool:
    names = [f.__name__ for f in (answer if isinstance(answer, tuple) else (answer,))]
    return any("library" in name or "twin" in name for name in names)


def course_exercises() -> list[tuple]:
    """``(check, right, [wrong, ...])`` for every exercise, from the chapters' check tests
    (a right or wrong answer is a function, or a tuple of the functions a check takes)."""
    exercises = []
    for stem in ("neuron", "twolayer", "mlp", "rnn", "order", "charlm", "transformer"):
        for check, right, mistakes in importlib.import_module(f"test_checks_{stem}").CASES:
            # An answer that calls the library's twin is refused in the kernel only (the check
            # swaps the twin for one that raises); its recorded outputs are right, so the
            # re-check, which replays outputs, would pass them: that refusal is tested in
            # test_checks_<stem>.py, and a cell needs both verdicts to score.
            exercises.append((check, right, [wrong for wrong, _ in mistakes
                                             if not _calls_a_twin(wrong)]))
    for stem in ("digits", "hopfield"):
        module = importlib.import_module(f"test_checks_{stem}")
        for check, right in module.RIGHT:
            exercises.append((check, right, [w for c, w, _ in module.MISTAKES if c is check]))
    lstm = importlib.import_module("test_checks_lstm")
    exercises.append((lstm.check_lstm_step_backward, lstm.step_backward, [
        lambda dh, dc, cache, m=m: lstm.step_backward(dh, dc, cache, **m)
        for m in _marked(lstm.test_step_backward_mistakes_named)]))
    exercises.append((lstm.check_lstm_backward, lstm.lstm_backward, [
        lambda dHs, caches, m=m: lstm.lstm_backward(dHs, caches, **m)
        for m in _marked(lstm.test_lstm_backward_mistakes_named)]))
    tree = importlib.import_module("test_checks_tree")
    exercises.append((tree.check_transitions, tree.to_transitions, [
        lambda text, m=m: tree.to_transitions(text, m)
        for m in _marked(tree.test_transition_mistakes_named)] + [lambda text: None]))
    exercises.append((tree.check_compose_backward, tree.compose_backward, [
        lambda dh, cache, m=m: tree.compose_backward(dh, cache, **m)
        for m in _marked(tree.test_compose_mistakes_named)]))
    exercises.append((tree.check_tree_backward, tree.tree_backward, [
        lambda dh, cache, grads, m=m: tree.tree_backward(dh, cache, grads, **m)
        for m in _marked(tree.test_tree_backward_mistakes_named)]))
    return exercises


def test_every_exercise_rechecks_alike_in_a_fresh_process(manifest, bytecode, tmp_path,
                                                          monkeypatch):
    """Every exercise's right answer passes the re-check (public and hidden cases); every
    typical mistake gets exactly the verdict the check gives in the notebook."""
    records = tmp_path / "records"
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(records))
    plan, expected = {}, {}
    for number, (check, right, wrongs) in enumerate(course_exercises()):
        for index, answer in enumerate([right, *wrongs]):
            functions = answer if isinstance(answer, tuple) else (answer,)
            grade_id = f"{check.__name__}_{number}_{index}"
            runs = [{}, {"hidden": True}] if index == 0 else [{}]
            plan[grade_id] = [plan_entry(check, len(functions), **run) for run in runs]
            expected[grade_id] = ""
            for call, run in enumerate(runs):
                try:
                    record(grade_id, call, check, *functions, **run)
                except Exception as error:
                    text = str(error)
                    text = text if text.isprintable() else " ".join(text.split())
                    expected[grade_id] = f"{type(error).__name__}: {text}"[:400]
                    break
    verdicts = isolation.recheck(manifest, plan, records, tmp_path / "recheck", environment(),
                                 bytecode)
    assert verdicts == expected
    rights = [key for key in expected if key.endswith("_0")]
    assert not any(expected[key] for key in rights)
    graded = {call["check"] for path in assignments() for cell in nbformat.read(
        path, as_version=4).cells if cell.metadata.get("nbgrader", {}).get("grade")
        for call in graded_calls(cell.source)}
    assert {check.__name__ for check, _, _ in course_exercises()} == graded  # every graded check of the course
    assert sum(1 for key in expected if expected[key].startswith("CheckFailed: ")) >= 60


CHEATS = {
    "rebind the check": "course.checks.check_train_step = lambda *a, **k: None",
    "rebind in its module": "course.checks.neuron.check_train_step = lambda *a, **k: None",
    "patch the reference": "course.checks.neuron.reference_train_step = "
                           "lambda X, y, w, learning_rate=1.0: w",
    "patch NumPy's comparison": "np.allclose = lambda *a, **k: True",
    "swap sys.modules": "import types\nfake = types.ModuleType('course.checks')\n"
                        "fake.check_train_step = lambda *a, **k: None\n"
                        "sys.modules['course.checks'] = fake",
    "rewrite the check file": "import os, course.checks.common as common\n"
                              "os.chmod(common.__file__, 0o644)\n"
                              "text = open(common.__file__).read().replace("
                              "'return bool(np.allclose', 'return True or bool(np.allclose')\n"
                              "open(common.__file__, 'w').write(text)\n"
                              "import importlib; importlib.reload(common)\n"
                              "course.checks.neuron.close = common.close",
    "forge the record": "import classroom_recheck.record as r\n"
                        "r.record = lambda *a, **k: None",
}


@pytest.mark.parametrize("cheat", CHEATS.values(), ids=list(CHEATS))
def test_a_kernel_cheat_earns_nothing(cheat, manifest, tmp_path):
    """In a fresh interpreter, as in a kernel with its own copy of the grading code: the cheat,
    a wrong answer, then the graded cell as graded. The re-check refuses it."""
    code, records = tmp_path / "code", tmp_path / "records"
    isolation.write_copy(manifest, code)
    program = "\n".join([
        "import sys", "import numpy as np", "import nnlib, course, course.checks",
        "import course.checks.neuron",
        cheat, "def train_step(X, y, w, learning_rate=1.0):", "    return w",
        harden_graded_cell(GRADED_CELL, "check_train_step")])
    subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": str(code),
                        ENVIRONMENT_VARIABLE: str(records)}, cwd=tmp_path)
    cell = nnbformat_cell(harden_graded_cell(GRADED_CELL, "check_train_step"))
    verdicts = isolation.recheck(manifest, recheck_plan(cell), records, tmp_path / "recheck",
                                 environment())
    assert verdicts["check_train_step"].startswith((
        "CheckFailed: train_step returned wrong weights for N=4, D=3",
        "the notebook's check made fewer calls to the answer than the genuine check does",
        # A replaced check draws no inputs, so the record holds none of the genuine ones.
        "CheckFailed: the record holds fewer seeds than the check draws",
        "the graded cell never reached its recorded check")), verdicts
    assert isolation.changed_sources(manifest) == []  # the repository is untouched
    if "rewrite" in cheat:
        assert isolation.changed_files(manifest, code) == ["course/checks/common.py"]


def nnbformat_cell(source: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "check_train_step"}
    return nbformat.v4.new_notebook(cells=[cell])


def test_answers_recorded_for_other_inputs_are_refused(manifest, tmp_path, monkeypatch):
    from course.checks import check_train_step
    from test_checks_neuron import train_step  # an honest answer (the library's is refused)

    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path))
    record("forged", 0, check_train_step, train_step)
    path = tmp_path / "forged.0.json"
    data = json.loads(path.read_text())
    data["calls"][0]["args"][0] = codec.encode(np.zeros((4, 3)))
    path.write_text(json.dumps(data))
    plan = {"forged": [plan_entry(check_train_step, 1)], "absent": [plan_entry(
        check_train_step, 1)], "foreign": [{"module": "os", "check": "getcwd", "functions": 0,
                                            "options": {}}]}
    assert isolation.recheck(manifest, plan, tmp_path, tmp_path / "recheck", environment()) == {
        "forged": "the answers were recorded for other inputs than the genuine check gives",
        "absent": "the graded cell never reached its recorded check",
        "foreign": "os is not grading code"}


def test_the_graded_cell_records_every_call_and_runs_each_hidden_check_once():
    hardened = harden_graded_cell(GRADED_CELL, "check_train_step").splitlines()
    assert hardened[:4] == GRADED_CELL.splitlines()[:4]
    assert hardened[4:] == [
        "# Recorded for the grader's re-check of these answers in a separate process with the "
        "genuine grading code.",
        "from classroom_recheck.record import record",
        "record('check_train_step', 0, check_train_step, train_step)",
        "record('check_train_step', 1, check_train_step, train_step, hidden=True)",
        "### END HIDDEN TESTS"]
    assert harden_graded_cell("print(1)") == "print(1)"
    with pytest.raises(ValueError, match="cannot re-check"):
        harden_graded_cell("from course.checks import check_x\nresult = check_x(lambda: 1)")
    with pytest.raises(ValueError, match="cannot re-check"):
        harden_graded_cell("from os import check_x\ncheck_x(f)")


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), np.array([1, -2], dtype=np.int8), np.array([True, False]),
    np.zeros((0, 3)), np.array(["ab", "c"]), np.float64(-0.0), np.array(2.5), np.int64(7),
    1.5e-300, -0.0, float("inf"), 3, True, None, "S", b"\x00\xff", 1 + 2j,
    (1, [2.0, {"a": np.ones(2)}]), {("S", "R"): 1, 2: "b"}, np.arange(12.0).reshape(3, 4)[:, ::2]])
def test_codec_round_trips_exactly(value):
    back = codec.decode(json.loads(json.dumps(codec.encode(value))))
    assert type(back) is type(value)
    assert codec.encode(back) == codec.encode(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)


def test_codec_keeps_generators_and_refuses_what_it_cannot_hold():
    rng = np.random.default_rng(5)
    back = codec.decode(codec.encode(rng))
    assert back.normal() == rng.normal()
    assert isinstance(codec.decode(codec.encode(object())), codec.Unreproducible)
    assert codec.encode(np.array([object()]))["opaque"] == "array of dtype object"
    for bad in [{"array": "|O", "shape": [1], "data": ""}, {"array": "<f8", "shape": [2],
                "data": "AAAA"}, {"nothing": 1}, {"generator": {"bit_generator": "os.system"}},
                {"dict": [[[1], 2]]}]:
        with pytest.raises(codec.RecordError):
            codec.decode(bad)
    deep = None
    for _ in range(codec.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(codec.RecordError, match="deeper"):
        codec.encode(deep)


def test_apply_in_place_leaves_arguments_as_the_call_left_them():
    grads = {"W": np.zeros(2), "old": 1}
    states = [np.zeros(3), 5]
    codec.apply_in_place((grads, states), ({"W": np.ones(2), "new": 2}, [np.ones(3), 6]))
    assert list(grads) == ["W", "new"] and np.array_equal(grads["W"], np.ones(2))
    assert np.array_equal(states[0], np.ones(3)) and states[1] == 6


def test_private_copies_are_read_only_checked_and_removable(manifest, tmp_path):
    copy = tmp_path / "copy"
    isolation.write_copy(manifest, copy)
    assert isolation.changed_files(manifest, copy) == []
    target = copy / "course" / "checks" / "common.py"
    if os.geteuid() != 0:  # root writes read-only files: then only the checksums protect
        with pytest.raises(PermissionError):
            target.write_text("tampered")
    target.chmod(0o644)
    target.write_text("tampered")
    (copy / "nnlib").chmod(0o755)
    (copy / "nnlib" / "extra.py").write_text("")
    (copy / "nnlib" / "layers.py").unlink()
    assert isolation.changed_files(manifest, copy) == [
        "course/checks/common.py", "nnlib/extra.py", "nnlib/layers.py"]
    (copy / "course" / "checks").chmod(0)
    isolation.remove_copy(copy)
    assert not copy.exists()


def test_a_changed_source_is_never_copied(manifest, tmp_path):
    forged = {key: list(value) for key, value in manifest.items()}
    key = "course/checks/common.py"
    forged[key][1] = "0" * 64
    with pytest.raises(isolation.GradingCodeChanged, match="course/checks/common.py changed"):
        isolation.write_copy(forged, tmp_path / "copy")
    assert isolation.changed_sources(forged) == [forged[key][0]]


def test_the_verified_distributions_match_their_record():
    assert isolation.changed_distribution_files() == []


def test_the_runs_bytecode_is_verified_before_each_use(manifest, bytecode, tmp_path):
    assert any(name.endswith(".pyc") and "numpy" in name for name in bytecode["files"])
    plan = {"nothing": []}
    assert isolation.recheck(manifest, plan, tmp_path, tmp_path / "a", environment(),
                             bytecode) == {"nothing": ""}
    first = next(iter(bytecode["files"]))
    tampered = {"folder": bytecode["folder"], "files": {first: "0" * 64}}
    with pytest.raises(isolation.GradingCodeChanged, match="bytecode .* changed"):
        isolation.recheck(manifest, plan, tmp_path, tmp_path / "b", environment(), tampered)
