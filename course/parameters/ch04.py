"""The parameters of notebook 04 (the binary-addition RNN): their ranges and the run's budgets.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work or the combination would need more than 2 GB of memory or
20 minutes.
"""

from __future__ import annotations

from nnlib.data import split_sizes

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("hidden_size", minimum=1, maximum=256, integer=True),
    Rule("learning_rate", minimum=0, maximum=10, exclusive_minimum=True),
    Rule("sigmoid_learning_rate", minimum=0, maximum=10, exclusive_minimum=True),
    Rule("held_out", minimum=0, maximum=0.999, exclusive_minimum=True),
    Rule("epochs", minimum=0, maximum=2_000, integer=True),
    Rule("batch_size", minimum=1, maximum=1024, integer=True),
    Rule("n_bits", minimum=3, maximum=10, integer=True),
    Rule("test_pairs", minimum=1, maximum=100_000, integer=True),
)


def _extra(values: dict) -> None:
    hidden_size, n_bits, test_pairs = values["hidden_size"], values["n_bits"], values["test_pairs"]
    # At least one pair left to train on (else a ValueError naming held_out and n_bits).
    n_train_pairs, n_held_pairs = split_sizes(n_bits, values["held_out"])
    # Memory: the length test scores up to 16 384 sums of up to 128 bits at once, and training
    # scores every pair after each epoch, at about 24 and 20 bytes per pair, time step and
    # hidden unit.
    n_pairs = n_train_pairs + n_held_pairs
    check_budget("memory", max(24 * min(test_pairs, 16_384) * 128, 20 * n_pairs * n_bits)
                 * hidden_size / 1e9, 2, "GB", "test_pairs, n_bits or hidden_size")
    # Time, the worst case (no early stop; costs measured on the 2-core development machine):
    # two networks train `epochs` epochs, per epoch and time step (1.7 + 0.0032 H^2) us per
    # training pair, 25 us per update and (0.6 + 0.00075 H^2) us per pair scored; three score
    # test_pairs sums at 8 + 16 + 32 + 64 + 128 = 248 time steps. The truncated-BPTT point of
    # section 9 and the small fixed experiments add well under a minute.
    scoring = (0.6 + 0.00075 * hidden_size**2) * 1e-6  # seconds per pair and time step
    epoch_seconds = n_bits * (n_train_pairs * (1.7 + 0.0032 * hidden_size**2) * 1e-6
                              + -(-n_train_pairs // values["batch_size"]) * 25e-6
                              + n_pairs * scoring)
    minutes = (2 * values["epochs"] * epoch_seconds + 3 * test_pairs * 248 * scoring) / 60
    check_budget("running time", minutes, 20, "minutes",
                 "epochs, n_bits, hidden_size or test_pairs", upper_bound=True)


def check(namespace) -> dict:
    """Check notebook 04's parameters in ``namespace`` (its ``globals()``); print the values."""
    return check_parameters(namespace, RULES, _extra)
