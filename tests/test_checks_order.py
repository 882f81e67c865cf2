"""The self-checks of notebook 05 accept a right answer and name each typical mistake."""

import numpy as np

from course import checks
from selfcheck_cases import self_check_tests


def carry_probability(n_bits, p_one=0.5, out=False, closed_form=False, one_way=False):
    if closed_form:
        return 0.5 - 0.5 ** (np.arange(n_bits) + 1)
    p = np.zeros(n_bits + 1)
    for i in range(1, n_bits + 1):
        exactly_one = p_one if one_way else 2 * p_one * (1 - p_one)  # one_way: right at 1/2 only
        p[i] = p_one**2 + exactly_one * p[i - 1]
    return p[1:] if out else p[:-1]


def birnn_backward(dhidden, cache, reverse=True, flip_dX=True):
    from nnlib.rnn import rnn_backward

    H = dhidden.shape[-1] // 2
    dX_f, dh0_f, dU_f, dW_f, db_f = rnn_backward(dhidden[..., :H], cache.forward)
    upstream = dhidden[:, ::-1, H:] if reverse else dhidden[..., H:]
    dX_r, dh0_b, dU_b, dW_b, db_b = rnn_backward(upstream, cache.backward)
    return (dX_f + (dX_r[:, ::-1] if flip_dX else dX_r), dh0_f, dh0_b, dU_f, dW_f, db_f,
            dU_b, dW_b, db_b)


CASES = [
    (checks.check_carry_probability, (carry_probability,), [
        ((lambda n, q: carry_probability(n, q, out=True),), "carries OUT of each bit"),
        ((lambda n, q: carry_probability(n, q, closed_form=True),),
         "closed form .* holds only for p_one = 1/2"),
        ((lambda n, q: carry_probability(n, q, one_way=True),), "wrong values"),
    ]),
    (checks.check_birnn_backward, (birnn_backward,), [
        ((lambda *a: birnn_backward(*a, reverse=False),), "reversed time"),
        ((lambda *a: birnn_backward(*a, flip_dX=False),), "dX is wrong"),
        ((lambda *a: birnn_backward(*a)[:7],), "must return a tuple of 9"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)


def test_the_reference_is_the_closed_form_at_one_half():
    from course.checks.order import _carry_reference
    np.testing.assert_allclose(_carry_reference(8, 0.5), 0.5 - 0.5 ** (np.arange(8) + 1))
