"""Notebook 09's parameters (tree networks): what each may be, and the run-time guard.

``check(globals())`` in the notebook's second code cell stops at once, naming the parameter, if
a value cannot work or the run would take many minutes or gigabytes.
"""

from __future__ import annotations

from nnlib.data import OPERATORS

from course.notebook import check_budget
from course.parameters import Rule, check_parameters
from course.tree import comparison_cost

class _OperatorList(Rule):
    """A text parameter: a comma-separated list of names of ``nnlib.data.OPERATORS``."""

    def apply(self, value) -> str:
        if (not isinstance(value, str) or not value
                or any(name not in OPERATORS for name in value.split(","))):
            raise ValueError(f"{self.name} must be a comma-separated list of {sorted(OPERATORS)}"
                             f", such as 'MAX,MIN', got {value!r}.")
        return ",".join(dict.fromkeys(value.split(",")))  # each operator once, in given order


RULES = (
    Rule("seed", minimum=0, integer=True),
    # hidden_size >= 3: below it not even an LSTM with one unit fits in the tree network's weights
    Rule("hidden_size", minimum=3, maximum=256, integer=True),
    Rule("n_train", minimum=30, maximum=30_000, integer=True),
    Rule("epochs", minimum=1, maximum=1000, integer=True),
    Rule("batch_size", minimum=1, integer=True),
    Rule("learning_rate", minimum=0, maximum=1, exclusive_minimum=True),
    _OperatorList("operators"),
    Rule("max_train_depth", minimum=1, maximum=8, integer=True),
    Rule("max_test_depth", minimum=1, maximum=10, integer=True),
)


def _extra(values: dict) -> None:
    if values["max_test_depth"] < values["max_train_depth"]:
        raise ValueError(f"max_test_depth must be >= max_train_depth = "
                         f"{values['max_train_depth']}, got {values['max_test_depth']}.")
    # An estimate within about a factor of 2 of measured runs (course.tree.comparison_cost).
    seconds, gigabytes = comparison_cost(values["n_train"], values["epochs"],
                                         values["batch_size"], values["hidden_size"],
                                         values["max_train_depth"], values["max_test_depth"])
    check_budget("time", seconds / 60, 10, "minutes",
                 "n_train, epochs or hidden_size (or raise batch_size)")
    check_budget("memory", gigabytes, 2, "GB",
                 "max_test_depth, n_train, max_train_depth or hidden_size")


def check(namespace) -> dict:
    """Check notebook 09's parameters in ``namespace`` (its ``globals()``) and normalise them."""
    return check_parameters(namespace, RULES, _extra)
