"""The self-checks of notebook 04 accept a right answer and name each typical mistake."""

import numpy as np

from course import checks
from selfcheck_cases import self_check_tests


# Reference answers written independently of the checks, each with a switch for one mistake.
def rnn_step_backward(dh, cache, through_tanh=True):
    da = dh * (1 - cache.h**2) if through_tanh else dh
    return (da @ cache.U.T, da @ cache.W.T, cache.x.T @ da, cache.h_prev.T @ da,
            da.sum(axis=0))


def rnn_backward(dhidden, caches, carry_back=True, wrong_dh0=False):
    N, T, H = dhidden.shape
    dX = np.zeros((N, T, caches[0].x.shape[1]))
    dU, dW, db = np.zeros_like(caches[0].U), np.zeros_like(caches[0].W), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dX[:, t], dh_prev, dU_t, dW_t, db_t = rnn_step_backward(
            dhidden[:, t] + (dh_next if carry_back else 0), caches[t])
        dh_next = dh_prev
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    return dX, (2 * dh_next if wrong_dh0 else dh_next), dU, dW, db


CASES = [
    (checks.check_rnn_step_backward, (rnn_step_backward,), [
        ((lambda *a: rnn_step_backward(*a, through_tanh=False),), "skips the tanh"),
        ((lambda *a: rnn_step_backward(*a)[:4],), "expected a tuple of 5"),
    ]),
    (checks.check_rnn_backward, (rnn_backward,), [
        ((lambda *a: rnn_backward(*a, carry_back=False),), "flows back through time"),
        ((lambda *a: rnn_backward(*a, wrong_dh0=True),), "dh0 is the dh_prev of step 0"),
        ((lambda *a: rnn_backward(*a)[2:],), "expected a tuple of 5"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)
