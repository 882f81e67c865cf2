"""Notebook 06's self-checks: a right answer passes; each typical mistake is named."""

import numpy as np
import pytest

from course.checks.common import CheckFailed
from course.checks.digits import check_one_hot, check_softmax_cross_entropy


def one_hot(labels, classes, transpose=False, from_max=False, shift=False):
    columns = labels.max() + 1 if from_max else classes
    encoded = np.zeros((len(labels), columns))
    if shift:
        keep = labels >= 1
        encoded[np.flatnonzero(keep), labels[keep] - 1] = 1
    else:
        encoded[np.arange(len(labels)), labels] = 1
    return encoded.T if transpose else encoded


def softmax_cross_entropy(logits, labels, mean=True, shift=True, subtract=True, sign=1,
                          extra_slope=False, sum_loss=False):
    z = logits - logits.max(axis=1, keepdims=True) if shift else logits
    exp = np.exp(z)
    p = exp / exp.sum(axis=1, keepdims=True)
    N = len(labels)
    targets = np.zeros_like(p)
    targets[np.arange(N), labels] = 1
    loss = -np.log(p[np.arange(N), labels]).sum() / (1 if sum_loss else N)
    grad = sign * (p - targets) if subtract else p
    if extra_slope:
        grad = grad * p * (1 - p)
    return loss, grad / (N if mean else 1)


@pytest.mark.parametrize("check, right", [(check_one_hot, one_hot),
                                          (check_softmax_cross_entropy, softmax_cross_entropy)])
def test_a_right_answer_passes(check, right, capsys):
    check(right)
    check(right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out


def test_nnlib_versions_pass_the_same_checks():
    # The notebook's functions have the names and signatures of nnlib's; nnlib's pass too.
    from nnlib.digits import one_hot as nnlib_one_hot
    from nnlib.losses import softmax_cross_entropy as nnlib_softmax_cross_entropy
    check_one_hot(nnlib_one_hot, hidden=True)
    check_softmax_cross_entropy(nnlib_softmax_cross_entropy, hidden=True)


MISTAKES = [
    (check_one_hot, lambda l, c: one_hot(l, c, transpose=True), "not the transpose"),
    (check_one_hot, lambda l, c: one_hot(l, c, from_max=True), "not from the largest label"),
    (check_one_hot, lambda l, c: one_hot(l, c, shift=True), "one column to the left"),
    (check_one_hot, lambda l, c: None, "Did you forget a return statement"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, mean=False),
     "N = 5 times too large"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, shift=False),
     "subtract each row's maximum"),
    (check_softmax_cross_entropy, lambda z, l: softmax_cross_entropy(z, l, subtract=False),
     "without the one-hot subtracted"),
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
