"""The parameters of notebook 05 (bit order): their ranges and the run's budgets.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work, if the combination would need more than 2 GB of memory or
20 minutes, or if ``results_path`` cannot be written (checked before any training).
"""

from __future__ import annotations

from nnlib.data import split_sizes

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("hidden_size", minimum=1, maximum=64, integer=True),
    Rule("bit_order", choices=("lsb", "msb")),
    Rule("epochs", minimum=3, maximum=500, integer=True),
    Rule("learning_rate", minimum=0, maximum=10, exclusive_minimum=True),
    Rule("batch_size", minimum=1, maximum=1024, integer=True),
    Rule("n_bits", minimum=3, maximum=10, integer=True),
    Rule("held_out", minimum=0, maximum=0.999, exclusive_minimum=True),
    Rule("results_path", path_suffix=".json"),  # empty: write nothing
)

# The delayed-output network that the appendix retrains live (its first epoch, 12 time steps)
# has the fixed settings of the shipped runs (notebooks/data/05_delay.json), and section 4's
# bounds enumerate 8 delays: about a second together, whatever the parameters.
LIVE_DELAY_MINUTES = 0.02


def epoch_seconds(values: dict) -> float:
    """Worst-case seconds of one epoch of one one-way network (no early stop).

    Costs measured on the 2-core development machine, per epoch and time step: (1.7 + 0.0032
    H^2) us per training pair, 25 us per update, (0.6 + 0.00075 H^2) us per pair scored.
    """
    hidden_size, n_bits = values["hidden_size"], values["n_bits"]
    n_train_pairs, n_held_pairs = split_sizes(n_bits, values["held_out"])
    n_pairs = n_train_pairs + n_held_pairs
    return n_bits * 1e-6 * (n_train_pairs * (1.7 + 0.0032 * hidden_size**2)
                            + -(-n_train_pairs // values["batch_size"]) * 25
                            + n_pairs * (0.6 + 0.00075 * hidden_size**2))


def _extra(values: dict) -> None:
    split_sizes(values["n_bits"], values["held_out"])  # at least one pair left to train on
    # Memory: about 36 bytes per pair, time step and hidden unit.
    n_pairs = 4 ** (values["n_bits"] - 1)
    check_budget("memory", 36 * n_pairs * values["n_bits"] * values["hidden_size"] / 1e9, 2,
                 "GB", "n_bits or hidden_size")
    # Time: three networks train `epochs` epochs, the bidirectional one counting twice.
    check_budget("running time", 4 * values["epochs"] * epoch_seconds(values) / 60
                 + LIVE_DELAY_MINUTES, 20, "minutes",
                 "epochs, n_bits or hidden_size, or raise batch_size", upper_bound=True)


def check(namespace) -> dict:
    """Check notebook 05's parameters in ``namespace`` (its ``globals()``); print the values.

    ``results_path`` (empty: write nothing) must be a writable path ending in .json; it is
    stored expanded (``~``) in ``namespace``.
    """
    return check_parameters(namespace, RULES, _extra)
