"""The parameters of notebook 01 (a single neuron): their ranges and the run's budget.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work or the run would keep too many records for its plots.
"""

from __future__ import annotations

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("epochs", minimum=0, maximum=1_000_000, integer=True),
    Rule("learning_rate", minimum=0, maximum=100, exclusive_minimum=True),
    Rule("record_every", minimum=1, integer=True),
)


def _extra(values: dict) -> None:
    # Each record keeps the error and a copy of the three weights, and every record is drawn:
    # beyond 100 000 points the plots only get slower, not more informative. (Running time is
    # no concern within the ranges: 1 000 000 full-batch steps of a 4 x 3 neuron take about
    # 30 s on the 2-core development machine.)
    check_budget("plot data", values["epochs"] / values["record_every"], 100_000,
                 "records", "epochs, or raise record_every")


def check(namespace) -> None:
    """Check notebook 01's parameters in ``namespace`` (its ``globals()``); print the values.

    Returns nothing, so that the call can end the notebook's cell without echoing a dict."""
    check_parameters(namespace, RULES, _extra)
