"""Self-checks for notebook 06: one-hot targets, and softmax with cross-entropy (loss and
gradient)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.digits import one_hot as reference_one_hot
from nnlib.losses import softmax, softmax_cross_entropy as reference_softmax_cross_entropy


def check_one_hot(one_hot: Callable, hidden: bool = False) -> None:
    """Check ``one_hot(labels, classes) -> ndarray (N, C)``."""
    name = "one_hot"
    cases = [(np.array([3, 0, 2]), 4), (np.array([1, 0]), 5)]
    if hidden:
        cases += [(np.array([9, 0, 4, 7, 7, 1]), 10), (np.array([0]), 1), (np.array([2]), 3)]
    for labels, classes in cases:
        expected = reference_one_hot(labels, classes)
        got = one_hot(labels.copy(), classes)
        if isinstance(got, np.ndarray) and got.shape == expected.T.shape != expected.shape:
            raise CheckFailed(f"{name} returned shape {got.shape}, expected {expected.shape}: "
                              "one row per example and one column per class, not the transpose.")
        if (isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] == len(labels)
                and got.shape[1] == labels.max() + 1 != classes):
            raise CheckFailed(f"{name} returned {got.shape[1]} columns for labels "
                              f"{labels.tolist()} and classes={classes}: take the number of "
                              "columns from `classes`, not from the largest label (a batch "
                              "may not contain every class).")
        got = compare_array(name, got, expected, f"(N, C) = ({len(labels)}, {classes})")
        if close(got, expected):
            continue
        shifted = np.zeros_like(expected)
        keep = labels >= 1
        shifted[np.flatnonzero(keep), labels[keep] - 1] = 1.0
        if close(got, shifted):
            raise CheckFailed(f"{name}: the 1s sit one column to the left: label k goes to "
                              "column k (labels start at 0).")
        if not np.all(got.sum(axis=1) == 1):
            raise CheckFailed(f"{name}: every row must hold exactly one 1 (its label) and 0 "
                              f"elsewhere; row sums are {got.sum(axis=1).tolist()}.")
        raise CheckFailed(f"{name}({labels.tolist()}, {classes}) is wrong: row n must be 1 at "
                          "column labels[n].")
    report_passed(name, hidden)


def _logit_cases(hidden: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(616 if hidden else 6)
    cases = [(rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)),
             # large logits: exp overflows unless the maximum is subtracted first
             (np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 790.0]]), np.array([0, 2]))]
    if hidden:
        cases += [(rng.normal(scale=3.0, size=(9, 10)), rng.integers(0, 10, size=9)),
                  (rng.normal(size=(1, 2)), np.array([1]))]
    return cases


def check_softmax_cross_entropy(softmax_cross_entropy: Callable, hidden: bool = False) -> None:
    """Check ``softmax_cross_entropy(logits, labels) -> (loss, dlogits)``, the mean over N."""
    name = "softmax_cross_entropy"
    for logits, labels in _logit_cases(hidden):
        expected_loss, expected_grad = reference_softmax_cross_entropy(logits, labels)
        N = logits.shape[0]
        with np.errstate(all="ignore"):
            result = softmax_cross_entropy(logits.copy(), labels.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise CheckFailed(f"{name} must return a tuple (loss, dlogits), got "
                              f"{type(result).__name__}.")
        loss, dlogits = result
        large = np.abs(logits).max() > 100
        if not np.isfinite(np.asarray(loss, dtype=float)).all() or (
                isinstance(dlogits, np.ndarray) and not np.all(np.isfinite(dlogits))):
            if large:
                raise CheckFailed(f"{name} gives NaN or inf for logits as large as "
                                  f"{np.abs(logits).max():g}: subtract each row's maximum "
                                  "before exp (softmax does not change, exp cannot overflow).")
            raise CheckFailed(f"{name} returned NaN or inf for ordinary logits.")
        got = compare_array(f"{name}: dlogits", dlogits, expected_grad, "(N, C), like logits")
        if not close(got, expected_grad):
            probabilities = softmax(logits)
            targets = reference_one_hot(labels, logits.shape[1])
            if close(got, expected_grad * N):
                raise CheckFailed(f"{name}: dlogits is N = {N} times too large: the loss is "
                                  "the mean over examples, so dlogits = (p - onehot) / N.")
            if close(got, -expected_grad):
                raise CheckFailed(f"{name}: dlogits has the wrong sign: it is p - onehot "
                                  "(raise a wrong class, lower the right one), not onehot - p.")
            if close(got, probabilities / N) or close(got, probabilities):
                raise CheckFailed(f"{name}: dlogits is softmax(logits) without the one-hot "
                                  "subtracted: dlogits = (p - onehot) / N.")
            if close(got, (probabilities - targets) * probabilities * (1 - probabilities) / N):
                raise CheckFailed(f"{name}: dlogits has an extra factor p (1 - p): with "
                                  "cross-entropy the softmax's slope cancels, leaving (p - "
                                  "onehot) / N.")
            raise CheckFailed(f"{name}: dlogits is wrong: it should be (softmax(logits) - "
                              "one_hot(labels)) / N.")
        loss = float(np.asarray(loss))
        if np.isclose(loss, expected_loss * N, rtol=1e-9) and N > 1:
            raise CheckFailed(f"{name}: the loss is the sum over examples ({loss:.6g}); "
                              "return the mean (divide by N).")
        if not np.isclose(loss, expected_loss, rtol=1e-9, atol=1e-12):
            raise CheckFailed(f"{name}: the loss is {loss:.6g}, expected {expected_loss:.6g}: "
                              "the mean over examples of -log p[label], in nats.")
    report_passed(name, hidden)


__all__ = ["check_one_hot", "check_softmax_cross_entropy"]
