"""Notebook 10's self-check: a right answer passes, each typical mistake is named, and an
answer that calls the library's own head or loss gets no credit."""

import numpy as np
import pytest

import nnlib.charlm
from course.checks import CheckFailed
from course.checks.charlm import check_lm_head_loss
from selfcheck_cases import self_check_tests


# A reference answer written independently of the check, with a switch for each mistake.
def head(hidden, V, c, targets, divide="NT", last_only=False, one_hot=True, stable=True,
         log_of_softmax=False):
    N, T, _ = hidden.shape
    z = hidden @ V + c
    shift = z.max(axis=-1, keepdims=True) if stable else 0.0
    e = np.exp(z - shift)
    p = e / e.sum(axis=-1, keepdims=True)
    log_p = np.log(p) if log_of_softmax else z - shift - np.log(e.sum(axis=-1, keepdims=True))
    scale = {"NT": 1 / (N * T), "N": 1 / N, "none": 1.0}[divide]
    rows, steps = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    loss = -scale * log_p[rows, steps, targets].sum()
    dz = p.copy()
    if one_hot:
        dz[rows, steps, targets] -= 1
    dz *= scale
    if last_only:
        return loss, dz @ V.T, hidden[:, -1].T @ dz[:, -1], dz[:, -1].sum(axis=0)
    return loss, dz @ V.T, np.einsum("nth,ntc->hc", hidden, dz), dz.sum(axis=(0, 1))


def calls_the_library(hidden, V, c, targets):
    return nnlib.charlm.lm_head_loss(hidden, V, c, targets)


from nnlib.charlm import lm_head_loss as imported_twin  # noqa: E402
from nnlib.losses import softmax_cross_entropy  # noqa: E402


def calls_an_imported_twin(hidden, V, c, targets):
    return imported_twin(hidden, V, c, targets)


def uses_the_library_loss(hidden, V, c, targets):
    N, T, _ = hidden.shape
    loss, dz = softmax_cross_entropy(hidden @ V + c, targets, "mean")
    return loss, dz @ V.T, np.einsum("nth,ntc->hc", hidden, dz), dz.sum(axis=(0, 1))


CASES = [(check_lm_head_loss, head, [
    (lambda *a: head(*a, divide="N"), "divide by N \\* T, not by N"),
    (lambda *a: head(*a, divide="none"), "not their sum"),
    (lambda *a: head(*a, last_only=True), "not the last step's alone"),
    (lambda *a: head(*a, one_hot=False), "the 1 subtracted at the target is missing"),
    (lambda *a: head(*a, stable=False), "subtract each row's maximum"),
    (lambda *a: head(*a, log_of_softmax=True), "not log\\(softmax\\(z\\)\\)"),
    (lambda *a: head(*a)[:3], "expected a tuple of 4"),
    (lambda *a: (head(*a)[0], head(*a)[1], head(*a)[2], head(*a)[3][None]), "sum over windows"),
    (calls_the_library, "calls the library's nnlib.charlm.lm_head_loss"),
    (calls_an_imported_twin, "calls the library's nnlib.charlm.lm_head_loss"),
    (uses_the_library_loss, "calls the library's nnlib.losses.softmax_cross_entropy"),
])]

test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)


def test_the_library_is_restored_after_a_refused_answer():
    original = nnlib.charlm.lm_head_loss
    with pytest.raises(CheckFailed):
        check_lm_head_loss(calls_an_imported_twin)
    assert nnlib.charlm.lm_head_loss is original and imported_twin is original
    assert globals()["imported_twin"] is original


def test_a_hard_coded_answer_fails_because_the_inputs_change():
    rng = np.random.default_rng(0)
    frozen = head(rng.uniform(-1, 1, (3, 5, 4)), rng.normal(size=(4, 6)), rng.normal(size=6),
                  rng.integers(0, 6, (3, 5)))
    with pytest.raises(CheckFailed):
        check_lm_head_loss(lambda *args: frozen)
