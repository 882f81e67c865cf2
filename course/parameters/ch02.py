"""The parameters of notebook 02 (two layers and backpropagation): ranges and budget.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work or the run would print more than 1000 lines.
"""

from __future__ import annotations

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("hidden_size", minimum=1, maximum=50, integer=True),
    Rule("epochs", minimum=0, maximum=100_000, integer=True),
    Rule("learning_rate", minimum=0, maximum=100, exclusive_minimum=True),
    Rule("print_every", minimum=1, integer=True),
)


def _extra(values: dict) -> None:
    # One printed line per print_every epochs: stop before a run floods the notebook.
    check_budget("output", values["epochs"] / values["print_every"], 1000, "printed lines",
                 "print_every (or epochs)")


def check(namespace) -> None:
    """Check notebook 02's parameters in ``namespace`` (its ``globals()``); print the values.

    Returns nothing, so that the call can end the notebook's cell without echoing a dict."""
    check_parameters(namespace, RULES, _extra)
