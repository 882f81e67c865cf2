"""tools/parameter_matrix.py: how one run's ending is judged (no notebook is executed here)."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import parameter_matrix  # noqa: E402
from parameter_matrix import Case  # noqa: E402

BUDGET = ("These parameters could need up to 20.5 minutes of running time, more than the 20 "
          "minutes this notebook allows: reduce n_seeds or epochs, or raise batch_size.")
RANGE = "batch_size must be an integer in the range [1, 900], got -1."


def judged(monkeypatch, kind, value, ename, evalue, exec_count, parameter="batch_size",
           others=("seed", "epochs", "n_seeds")):
    error = SimpleNamespace(ename=ename, evalue=evalue, exec_count=exec_count)
    monkeypatch.setattr(parameter_matrix, "_run", lambda *args: (error, None))
    case = Case("a_notebook", parameter, value, kind, "int", others=others)
    return parameter_matrix.run_case(case, Path("unused.ipynb"), timeout=1).outcome


@pytest.mark.parametrize("kind, value, ename, evalue, exec_count, outcome", [
    ("edge", 1, "ValueError", BUDGET, 3, "over budget"),
    ("invalid", -1, "ValueError", RANGE, 3, "rejected"),
    # A budget refusal is no excuse for an invalid value: its message must name the range.
    ("invalid", -1, "ValueError", BUDGET, 3, "FAILED"),
    # The budget must stop the run at once, in the validation cell, not after training.
    ("edge", 1, "ValueError", BUDGET, 12, "FAILED"),
    ("edge", 900, "DivergenceError", "Training diverged", 24, "FAILED"),
    ("invalid", -1, "IndexError", "index 5 is out of bounds", 3, "FAILED"),
], ids=["edge-over-budget", "invalid-rejected", "invalid-with-budget-message", "budget-too-late",
        "edge-diverges", "deep-numpy-error"])
def test_each_ending_is_judged(monkeypatch, kind, value, ename, evalue, exec_count, outcome):
    assert judged(monkeypatch, kind, value, ename, evalue, exec_count).startswith(outcome)


DEPTHS = ("seed", "max_train_depth", "max_test_depth")


@pytest.mark.parametrize("parameter, value, evalue, outcome", [
    # Accepted alone, refused with the other parameter's default, both named: as required.
    ("max_train_depth", 8, "max_test_depth must be >= max_train_depth = 8, got 6.",
     "combination"),
    # Refused whatever the others are: the stated range is wrong (the held_out = 1 defect).
    ("held_out", 1.0, "held_out must be below 1, got 1.0 (no pair would be left to train on).",
     "FAILED"),
    # A name inside a longer name is not a mention of it.
    ("max_train_depth", 8, "max_train_depth must be at most max_test_depth_limit.", "FAILED"),
], ids=["conflicts-with-a-default", "refused-alone", "longer-name"])
def test_an_edge_refused_with_the_others_defaults(monkeypatch, parameter, value, evalue,
                                                  outcome):
    others = tuple(name for name in DEPTHS + ("held_out", "n_bits") if name != parameter)
    assert judged(monkeypatch, "edge", value, "ValueError", evalue, 3, parameter,
                  others).startswith(outcome)
