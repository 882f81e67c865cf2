"""Self-checks for notebook 05: the carry probability, and a bidirectional RNN's backward pass
(``birnn_backward``, the library's name and signature)."""

from __future__ import annotations

import numpy as np

from nnlib.birnn import birnn_backward as reference_birnn_backward
from nnlib.birnn import birnn_forward as reference_birnn_forward
from nnlib.data.bits import all_pairs, carry_bits, int_to_bits
from course.checks.common import CheckFailed, close, compare_array, report_passed


def _carry_reference(n_bits: int, p_one: float) -> np.ndarray:
    # P(carry into bit i) when every bit of both addends is 1 with probability p_one,
    # independently: by exact enumeration of every pair of bit strings, weighted.
    a, b = all_pairs(n_bits - 1)
    carry_out = carry_bits(a, b, n_bits)                       # (N, T), LSB first
    ones = (int_to_bits(a, n_bits).sum(axis=1, dtype=np.int64)
            + int_to_bits(b, n_bits).sum(axis=1, dtype=np.int64))
    weights = p_one ** ones * (1 - p_one) ** (2 * (n_bits - 1) - ones)
    out = (weights[:, None] * carry_out).sum(axis=0)
    return np.concatenate([[0.0], out[:-1]])                   # into bit i = out of bit i - 1


def check_carry_probability(carry_probability, hidden=False):
    """Check carry_probability(n_bits, p_one=0.5) -> p, shape (n_bits,), P(carry into bit i).

    ``p_one`` is the probability that a bit of either addend is 1. The reference counts the
    carries of every pair of addends, weighted by their probability, so it needs no formula;
    values of ``p_one`` other than 1/2 tell the recursion from the closed form
    1/2 - (1/2)**(i + 1), which holds only for p_one = 1/2.
    """
    name = "carry_probability"
    cases = [(2, 0.5), (5, 0.5), (10, 0.5), (6, 0.3), (7, 0.9)] if hidden else \
        [(8, 0.5), (8, 0.25)]
    for n_bits, p_one in cases:
        expected = _carry_reference(n_bits, p_one)
        got = compare_array(name, carry_probability(n_bits, p_one), expected,
                            f"one probability per bit position, n_bits={n_bits}")
        if close(got, expected):
            continue
        closed_form = 0.5 - 0.5 ** (np.arange(n_bits) + 1)
        if p_one != 0.5 and close(got, closed_form):
            raise CheckFailed(f"{name}(n_bits={n_bits}, p_one={p_one}) returned the closed "
                              "form 1/2 - (1/2)**(i+1), which holds only for p_one = 1/2. Use "
                              "the recursion: a carry comes out of bit i when both bits are 1 "
                              "(p_one**2) or exactly one is and a carry came in "
                              "(2 p_one (1 - p_one) p_i).")
        if close(got, p_one**2 + 2 * p_one * (1 - p_one) * expected):   # p_(i+1) for p_i
            raise CheckFailed(f"{name}: these are the carries OUT of each bit; the carry INTO "
                              "bit 0 is 0, and into bit i + 1 is the carry out of bit i.")
        raise CheckFailed(f"{name}(n_bits={n_bits}, p_one={p_one}) has the right shape but "
                          "wrong values: start from p_0 = 0 and use "
                          "p_(i+1) = p_one**2 + 2 p_one (1 - p_one) p_i.")
    report_passed(name, hidden)


def check_birnn_backward(birnn_backward_fn, hidden=False):
    """Check ``birnn_backward(dhidden, cache) -> (dX, dh0_f, dh0_b, dU_f, dW_f, db_f, dU_b,
    dW_b, db_b)`` against ``nnlib.birnn.birnn_backward``.

    ``cache`` is the ``BiRNNCache`` of ``nnlib.birnn.birnn_forward``: ``cache.forward`` holds
    the forward recurrence's step caches, ``cache.backward`` those of the backward recurrence,
    which ran over ``X[:, ::-1]``. The check calls it with the default, full BPTT.
    """
    name = "birnn_backward"
    labels = ("dX", "dh0_f", "dh0_b", "dU_f", "dW_f", "db_f", "dU_b", "dW_b", "db_b")
    rng = np.random.default_rng(55 if hidden else 5)
    for N, T, D, H in ([(2, 5, 2, 3), (1, 1, 3, 2), (4, 7, 2, 5)] if hidden else [(3, 6, 2, 4)]):
        X = rng.integers(0, 2, size=(N, T, D)).astype(float)
        weights = [rng.normal(size=shape) for shape in ((D, H), (H, H), (H,)) * 2]
        h0_f, h0_b = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        _, cache = reference_birnn_forward(X, h0_f, h0_b, *weights)
        dhidden = rng.normal(size=(N, T, 2 * H))
        expected = reference_birnn_backward(dhidden, cache)
        _, fresh = reference_birnn_forward(X, h0_f, h0_b, *weights)   # the learner's copy
        result = birnn_backward_fn(dhidden.copy(), fresh)
        if not isinstance(result, tuple) or len(result) != len(labels):
            raise CheckFailed(f"{name} must return a tuple of {len(labels)}: "
                              f"({', '.join(labels)}).")
        wrong = [label for label, got, want in zip(labels, result, expected)
                 if not close(compare_array(f"{name}: {label}", got, want,
                                            f"the shape of {label[1:]}"), want)]
        if any(label.endswith("_b") for label in wrong):
            raise CheckFailed(f"{name}: {', '.join(wrong)} wrong. The backward recurrence ran "
                              "over X[:, ::-1], so its gradient must be in reversed time too: "
                              "pass dhidden[:, ::-1, H:] to rnn_backward with cache.backward.")
        if wrong == ["dX"]:
            raise CheckFailed(f"{name}: dX is wrong. The backward recurrence's dX is in "
                              "reversed time: flip it back ([:, ::-1]) before adding it to "
                              "the forward one's.")
        if wrong:
            raise CheckFailed(f"{name}: {', '.join(wrong)} wrong: the forward recurrence gets "
                              "the first H columns of dhidden, unchanged, with cache.forward.")
    report_passed(name, hidden)
