"""Notebook 06's self-checks: a right answer passes; each typical mistake is named; an answer
that calls the library's twin, or returns hard-coded values, gets no credit.

``MISTAKES`` holds the wrong answers (tests/test_classroom_isolation.py re-checks them in a fresh
process); ``SHORTCUTS`` the twin calls and hard-coded answers (a twin call is refused in the
kernel only, so it is tested here)."""

import numpy as np
import pytest

import nnlib
import nnlib.data.digits
import nnlib.losses
from course.checks.common import CheckFailed
from course.checks.digits import check_log_softmax, check_one_hot, check_softmax_cross_entropy
from nnlib.losses import log_softmax as imported_log_softmax


def one_hot(labels, classes, transpose=False, from_max=False, shift=False):
    columns = labels.max() + 1 if from_max else classes
    encoded = np.zeros((len(labels), columns))
    if shift:
        keep = labels >= 1
        encoded[np.flatnonzero(keep), labels[keep] - 1] = 1
    else:
        encoded[np.arange(len(labels)), labels] = 1
    return encoded.T if transpose else encoded


def log_softmax(logits, shift="row", log_of_ratio=False, axis=1, probabilities=False,
                no_log_sum=False):
    if shift == "row":
        z = logits - logits.max(axis=1, keepdims=True)
    elif shift == "array":
        z = logits - logits.max()
    else:
        z = logits
    e = np.exp(z)
    if no_log_sum:
        return z
    if log_of_ratio:
        return np.log(e / e.sum(axis=axis, keepdims=True))
    result = z - np.log(e.sum(axis=axis, keepdims=True))
    return np.exp(result) if probabilities else result


def softmax_cross_entropy(logits, labels, mean=True, shift=True, subtract=True, sign=1,
                          extra_slope=False, sum_loss=False, log_of_p=False):
    z = logits - logits.max(axis=1, keepdims=True) if shift else logits
    exp = np.exp(z)
    p = exp / exp.sum(axis=1, keepdims=True)
    N = len(labels)
    targets = np.zeros_like(p)
    targets[np.arange(N), labels] = 1
    log_p = np.log(p) if log_of_p or not shift else z - np.log(exp.sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), labels].sum() / (1 if sum_loss else N)
    grad = sign * (p - targets) if subtract else p
    if extra_slope:
        grad = grad * p * (1 - p)
    return loss, grad / (N if mean else 1)


RIGHT = [(check_one_hot, one_hot), (check_log_softmax, log_softmax),
         (check_softmax_cross_entropy, softmax_cross_entropy)]


@pytest.mark.parametrize("check, right", RIGHT)
def test_a_right_answer_passes(check, right, capsys):
    check(right)
    check(right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out


def test_the_checks_draw_new_inputs_on_every_call():
    seen = []
    check_log_softmax(lambda z: seen.append(z.copy()) or log_softmax(z))
    check_log_softmax(lambda z: seen.append(z.copy()) or log_softmax(z))
    half = len(seen) // 2
    assert not any(a.shape == b.shape and np.array_equal(a, b)
                   for a, b in zip(seen[:half], seen[half:]))


MISTAKES = [
    (check_one_hot, lambda l, c: one_hot(l, c, transpose=True), "not the transpose"),
    (check_one_hot, lambda l, c: one_hot(l, c, from_max=True), "not from the largest label"),
    (check_one_hot, lambda l, c: one_hot(l, c, shift=True), "one column to the left"),
    (check_one_hot, lambda l, c: None, "Did you forget a return statement"),
    (check_log_softmax, lambda z: log_softmax(z, shift="none"), "exp overflows"),
    (check_log_softmax, lambda z: log_softmax(z, log_of_ratio=True),
     "underflows to 0 .*takes the log of 0"),
    (check_log_softmax, lambda z: log_softmax(z, shift="array"),
     "each row's own maximum .*not the whole array's"),
    (check_log_softmax, lambda z: log_softmax(z, axis=0), "over the examples \\(axis 0\\)"),
    (check_log_softmax, lambda z: log_softmax(z, probabilities=True),
     "the probabilities, not their logarithm"),
    (check_log_softmax, lambda z: log_softmax(z, no_log_sum=True), "without subtracting"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, mean=False),
     "times too large"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, shift=False),
     "exp overflows"),
    # The issue's case: -log(p[label]) after subtracting the maximum passes ordinary and large
    # logits, and gives inf when the label's logit is far below the maximum ([[1000, 0]], 1).
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, log_of_p=True),
     "underflows to 0 and -log 0 = inf"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, subtract=False),
     "the softmax alone"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, sign=-1),
     "wrong sign"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, extra_slope=True),
     "extra factor"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, sum_loss=True),
     "the loss is the sum over examples"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l)[1],
     "must return a tuple"),
]


@pytest.mark.parametrize("check, wrong, message", MISTAKES)
def test_each_typical_mistake_is_named(check, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check(wrong)


def test_the_naive_loss_is_inf_on_the_issue_example_and_passed_the_old_cases():
    # Why the underflow case exists: [[1000, 0]] with label 1.
    with np.errstate(all="ignore"):
        loss, _ = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]), log_of_p=True)
        old_loss, _ = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 790.0]]),
                                            np.array([0, 2]), log_of_p=True)
    assert loss == np.inf and np.isfinite(old_loss)


# Frozen outputs: right for one fixed input, returned whatever the input.
_FROZEN_RNG = np.random.default_rng(0)
_FROZEN_LOGITS = _FROZEN_RNG.normal(size=(5, 4))
_FROZEN_LABELS = _FROZEN_RNG.integers(0, 4, size=5)
_FROZEN = {"one_hot": one_hot(np.array([3, 0, 2]), 4),
           "log_softmax": log_softmax(_FROZEN_LOGITS),
           "softmax_cross_entropy": softmax_cross_entropy(_FROZEN_LOGITS, _FROZEN_LABELS)}


def one_hot_library_twin(labels, classes):
    return nnlib.data.digits.one_hot(labels, classes)


def one_hot_package_twin(labels, classes):
    return nnlib.one_hot(labels, classes)


def log_softmax_library_twin(logits):
    return imported_log_softmax(logits)


def log_softmax_through_library_softmax(logits):
    return np.log(nnlib.losses.softmax(logits))


def softmax_cross_entropy_library_twin(logits, labels, reduction="mean"):
    return nnlib.losses.softmax_cross_entropy(logits, labels, reduction)


def softmax_cross_entropy_through_library_log_softmax(logits, labels, reduction="mean"):
    N = logits.shape[0]
    log_p = nnlib.losses.log_softmax(logits)
    targets = np.zeros_like(log_p)
    targets[np.arange(N), labels] = 1
    return -log_p[np.arange(N), labels].mean(), (np.exp(log_p) - targets) / N


SHORTCUTS = [
    (check_one_hot, one_hot_library_twin, "nnlib.data.digits.one_hot"),
    (check_one_hot, one_hot_package_twin, "nnlib.data.digits.one_hot"),
    (check_log_softmax, log_softmax_library_twin, "nnlib.losses.log_softmax"),
    (check_log_softmax, log_softmax_through_library_softmax, "nnlib.losses.softmax"),
    (check_softmax_cross_entropy, softmax_cross_entropy_library_twin,
     "nnlib.losses.softmax_cross_entropy"),
    (check_softmax_cross_entropy, softmax_cross_entropy_through_library_log_softmax,
     "nnlib.losses.log_softmax"),
    (check_one_hot, lambda labels, classes: _FROZEN["one_hot"], "one_hot"),
    (check_log_softmax, lambda logits: _FROZEN["log_softmax"], "log_softmax"),
    (check_softmax_cross_entropy, lambda logits, labels: _FROZEN["softmax_cross_entropy"],
     "softmax_cross_entropy"),
]


@pytest.mark.parametrize("check, shortcut, message", SHORTCUTS)
def test_a_shortcut_gets_no_credit(check, shortcut, message):
    with pytest.raises(CheckFailed, match=message):
        check(shortcut)
    with pytest.raises(CheckFailed, match=message):
        check(shortcut, hidden=True)


def test_the_library_is_restored_after_a_refused_answer():
    with pytest.raises(CheckFailed):
        check_log_softmax(log_softmax_library_twin)
    z = np.array([[1000.0, 0.0]])
    assert np.allclose(nnlib.losses.log_softmax(z), [[0.0, -1000.0]])
    assert nnlib.data.digits.one_hot(np.array([1]), 2).tolist() == [[0.0, 1.0]]


def test_nnlib_versions_give_the_references():
    # The notebook's functions have the names and signatures of nnlib's; the references of the
    # checks are nnlib's, so check them against the independent answers above.
    rng = np.random.default_rng(3)
    z, labels = rng.normal(scale=4, size=(6, 5)), rng.integers(0, 5, size=6)
    assert np.allclose(nnlib.losses.log_softmax(z), log_softmax(z), rtol=1e-12)
    loss, grad = nnlib.losses.softmax_cross_entropy(z, labels)
    ours = softmax_cross_entropy(z, labels)
    assert np.isclose(loss, ours[0], rtol=1e-12) and np.allclose(grad, ours[1], rtol=1e-12)
    assert np.array_equal(nnlib.data.digits.one_hot(labels, 5), one_hot(labels, 5))
