"""Notebook 06's parameters: what each may be, and the run-time budget of their combination."""

from __future__ import annotations

from course.digits import estimated_seconds
from course.notebook import check_budget
from course.parameters import Rule, check_parameters

RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("xor_networks", minimum=1, maximum=1000, integer=True),
    Rule("xor_epochs", minimum=0, maximum=20000, integer=True),
    Rule("source_epochs", minimum=0, maximum=200, integer=True),
    Rule("epochs", minimum=1, maximum=300, integer=True),
    Rule("batch_size", minimum=1, maximum=1079, integer=True),
)

# Allowed values can still add up to a run of many minutes: stop at once with the estimate
# (seconds measured per step on the course's 2-core machine, course.digits.estimated_seconds)
# and the parameter that sets the slowest part.
BUDGET_SECONDS = 120


def _extra(values: dict) -> None:
    run_time = estimated_seconds(values["xor_networks"], values["xor_epochs"],
                                 values["source_epochs"], values["epochs"], values["batch_size"])
    slowest_part = max(run_time, key=lambda part: run_time[part][0])
    check_budget("training time", sum(seconds for seconds, _ in run_time.values()),
                 BUDGET_SECONDS, "s", run_time[slowest_part][1])


def check(namespace) -> dict:
    """Check notebook 06's parameters in ``namespace`` (its ``globals()``); see RULES."""
    return check_parameters(namespace, RULES, _extra)
