"""Absurd settings are refused at the public door at once, naming the argument (issue 31)."""

import time

import numpy as np
import pytest

from nnlib import SGD, fit, fmt, fmt_sci, numerical_gradient
from nnlib.twolayer import TwoLayerNet
from nnlib.validation import check_memory, memory_budget


def _net():
    return TwoLayerNet(2, 3, 1, rng=np.random.default_rng(0)), np.ones((4, 2)), np.ones((4, 1))


@pytest.mark.parametrize("call, message", [
    (lambda m, X, y: fit(m, X, y, SGD(0.1), epochs=10**12), r"fit's history would need .* GiB.*epochs"),
    (lambda m, X, y: fit(m, X, y, SGD(0.1), epochs=1, X_val=np.ones((0, 2)),
                         y_val=np.ones((0, 1))), "X_val holds no examples"),
    (lambda m, X, y: fit(m, X, y, SGD(0.1), epochs=1, X_val=np.ones((3, 5)),
                         y_val=np.ones((3, 1))), r"validation set \(X_val, y_val\)"),
    (lambda m, X, y: fmt(1.0, -3), r"digits must be an integer in the range \[0, 30\], got -3"),
    (lambda m, X, y: fmt_sci(1.0, 2.5), "digits must be an integer"),
    (lambda m, X, y: numerical_gradient(lambda: 0.0, np.ones(2), h=0), "h must be a number > 0"),
])
def test_refused_at_once_with_the_argument_named(call, message):
    model, X, y = _net()
    start = time.monotonic()
    with pytest.raises(ValueError, match=message):
        call(model, X, y)
    assert time.monotonic() - start < 1.0


def test_memory_budget_can_only_be_lowered_and_is_restored():
    check_memory("a small array", 1000, "n")
    with memory_budget(100):
        with pytest.raises(ValueError, match="a small array would need .* make n smaller"):
            check_memory("a small array", 1000, "n")
        with memory_budget(10**30):  # never above the global budget
            with pytest.raises(ValueError):
                check_memory("an array", 10**12, "n")
    check_memory("a small array", 1000, "n")
