"""The parameters of notebook 03 (a multi-layer perceptron on two moons): their ranges, the
rule that keeps the test set fresh, and the run's time budget.

``check(globals())`` is the notebook's second code cell: it stops at once, naming the
parameter, if a value cannot work or the run could take too long.
"""

from __future__ import annotations

from course.notebook import check_budget
from course.parameters import Rule, check_parameters

# In the order the parameters cell assigns them.
RULES = (
    Rule("seed", minimum=0, integer=True),
    Rule("data_seed", minimum=0, maximum=2**32 - 1, integer=True),
    Rule("split_seed", minimum=0, integer=True),
    Rule("test_seed", minimum=0, maximum=2**32 - 1, integer=True),
    Rule("epochs", minimum=0, maximum=100_000, integer=True),
    # From 3 up the tutorial's plain gradient descent diverges (measured: the loss passes
    # 1e23 within 6 steps at 3); 2 still reaches 95 % in 300 epochs with the defaults. The
    # maximum, 1, keeps a margin for other seeds and data.
    Rule("learning_rate", minimum=0, maximum=1, exclusive_minimum=True),
    Rule("batch_size", minimum=1, maximum=900, integer=True),
    Rule("n_seeds", minimum=1, maximum=10, integer=True),
)


def _extra(values: dict) -> None:
    if values["test_seed"] == values["data_seed"]:
        raise ValueError(f"test_seed must differ from data_seed ({values['data_seed']}): the "
                         "test set must be fresh points, not the training data again.")
    # Worst case, no run stopping early (costs measured on the 2-core development machine):
    # 1.5 ms per full-batch epoch (epochs + 1100 of them), and per seed 5 x 300 + 9 x 30
    # mini-batch epochs of 0.25 ms per update plus 3 ms of records; the best model's one
    # live run (about 200 mini-batch epochs of 32 on 1000 points) is a fixed 2 s.
    updates = -(-900 // values["batch_size"])
    minutes = ((values["epochs"] + 1100) * 1.5e-3
               + values["n_seeds"] * 1770 * (updates * 2.5e-4 + 3e-3) + 2) / 60
    check_budget("running time", minutes, 20, "minutes", "n_seeds or epochs, or raise "
                 "batch_size", upper_bound=True)


def check(namespace) -> dict:
    """Check notebook 03's parameters in ``namespace`` (its ``globals()``); print the values."""
    return check_parameters(namespace, RULES, _extra)
