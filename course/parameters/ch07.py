"""Notebook 07's parameters (the LSTM on the adding problem): what each may be, and the
run-time guard.

``check(globals())`` in the notebook's second code cell stops at once, naming the parameter, if
a value cannot work or the live runs would take too long.
"""

from __future__ import annotations

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

RULES = (
    Rule("seed", minimum=0, integer=True),
    # T >= 4: both halves of a sequence need room for a mark and an unmarked step
    Rule("lag", minimum=4, maximum=1000, integer=True),
)

# CPU seconds per update per time step, 64 sequences a batch, measured on the development
# machine with one BLAS thread (course.lstm.adding_run, T = 50, 64 updates; 2026-12-07).
SECONDS_PER_UPDATE_STEP = {"rnn": 2.0e-4, "lstm": 7.2e-4, "gru": 5.1e-4}
LIVE_BUDGET_UPDATES = 960   # ADDING_SETTINGS: 60 epochs of 16 updates
LIVE_MINUTES = 10


def live_run_minutes(lag: int) -> float:
    """The worst case of the notebook's live runs at sequence length ``lag``: the plain RNN
    and the LSTM of section 6 each training for the whole budget (no early stop)."""
    per_update = SECONDS_PER_UPDATE_STEP["rnn"] + SECONDS_PER_UPDATE_STEP["lstm"]
    return lag * LIVE_BUDGET_UPDATES * per_update / 60


def _extra(values: dict) -> None:
    check_budget("running time", live_run_minutes(values["lag"]), LIVE_MINUTES, "minutes",
                 "lag", upper_bound=True)


def check(namespace) -> dict:
    """Check notebook 07's parameters in ``namespace`` (its ``globals()``) and normalise them."""
    return check_parameters(namespace, RULES, _extra)
