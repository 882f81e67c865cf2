"""The parameters of notebook 08 (Hopfield networks): their ranges and the run's time budget.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work or the combination would run for more than 3 minutes.
"""

from __future__ import annotations

import math

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("picture_noise", minimum=0, maximum=0.5),
    Rule("noise", minimum=0, maximum=0.5),
    Rule("capacity_probes", minimum=10, maximum=2000, integer=True),
    Rule("modern_units", minimum=20, maximum=2000, integer=True),
    Rule("beta", minimum=0, maximum=100, exclusive_minimum=True),
)

#: Seconds per multiply-add of the recall loops (NumPy, one BLAS thread, measured on the 2-core
#: development machine: the default run's capacity experiment, about 4.6e9 of them, takes 6 s).
SECONDS_PER_MULTIPLY_ADD = 1.5e-9
CAPACITY_UNITS = (100, 200, 500)   # section 6's network sizes
CAPACITY_LOADS = 15                # loads 0.02, 0.04, ..., 0.30
SWEEPS = 12                        # a generous mean number of sweeps per recall near capacity
MODERN_PROBES = 200                # section 8 recalls 200 of the 10 N patterns
BETAS = 10                         # section 8's inverse temperatures


def running_minutes(capacity_probes: int, modern_units: int) -> float:
    """An estimate of the notebook's running time from the two parameters that set it."""
    work = 0.0
    for num_units in CAPACITY_UNITS:
        for k in range(1, CAPACITY_LOADS + 1):
            # Networks of P = load x N patterns are built until capacity_probes are tested;
            # one sweep of B probes costs N x (N x B) multiply-adds.
            patterns = max(1, round(0.02 * k * num_units))
            probes = math.ceil(capacity_probes / patterns) * patterns
            work += SWEEPS * num_units**2 * probes
    N = modern_units
    work += 10 * N**3                                   # Hebbian weights of 10 N patterns
    work += 20 * N**2 * MODERN_PROBES                   # the classic recall, at most 20 sweeps
    work += 2 * (BETAS + 2) * MODERN_PROBES * 10 * N * N  # softmax weights and their average
    return work * SECONDS_PER_MULTIPLY_ADD / 60


def _extra(values: dict) -> None:
    check_budget("running time", running_minutes(values["capacity_probes"],
                                                 values["modern_units"]),
                 3, "minutes", "capacity_probes or modern_units")


def check(namespace) -> dict:
    """Check notebook 08's parameters in ``namespace`` (its ``globals()``); print the values."""
    return check_parameters(namespace, RULES, _extra)
