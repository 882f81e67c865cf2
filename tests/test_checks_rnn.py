"""The self-checks of notebook 04 accept a right answer and name each typical mistake."""

import numpy as np

from course import checks
from selfcheck_cases import self_check_tests


def step_backward(dh, cache, U, W, through_tanh=True):
    x, h_prev, h = cache
    da = dh * (1 - h**2) if through_tanh else dh
    return da @ U.T, da @ W.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def bptt(dhidden, caches, U, W, carry_back=True):
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0])
    dh_next = np.zeros_like(dhidden[:, 0])
    for t in reversed(range(len(caches))):
        _, dh_prev, dU_t, dW_t, db_t = step_backward(
            dhidden[:, t] + (dh_next if carry_back else 0), caches[t], U, W)
        dh_next = dh_prev
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    return dU, dW, db


CASES = [
    (checks.check_step_backward, (step_backward,), [
        ((lambda *a: step_backward(*a, through_tanh=False),), "skips the tanh"),
    ]),
    (checks.check_bptt, (bptt,), [
        ((lambda *a: bptt(*a, carry_back=False),), "flows back through time"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)
