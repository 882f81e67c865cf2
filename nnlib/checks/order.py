"""Self-checks for notebook 05: the carry probability, and a bidirectional RNN's backward pass."""

from __future__ import annotations

import numpy as np

from nnlib.birnn import birnn_backward as reference_birnn_backward
from nnlib.birnn import birnn_forward as reference_birnn_forward
from nnlib.bits import all_pairs, carry_bits
from nnlib.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.rnn import rnn_forward


def check_carry_probability(carry_probability, hidden=False):
    """Check carry_probability(width) -> p, shape (width,), p[i] = P(carry into bit i)."""
    name = "carry_probability"
    for width in ([2, 5, 10] if hidden else [8]):
        # Reference by counting the carries of every pair of addends below 2**(width - 1).
        carry_out = carry_bits(*all_pairs(width - 1), width).mean(axis=0)
        expected = np.concatenate([[0.0], carry_out[:-1]])     # into bit i = out of bit i - 1
        got = compare_array(name, carry_probability(width), expected,
                            f"one probability per bit position, width={width}")
        if close(got, expected):
            continue
        if close(got, 0.25 + 0.5 * expected):                  # p_(i+1) in place of p_i
            raise CheckFailed(f"{name}: these are the carries OUT of each bit; the carry INTO "
                              "bit 0 is 0, and into bit i + 1 is the carry out of bit i.")
        raise CheckFailed(f"{name}({width}) has the right shape but wrong values: start from "
                          "p_0 = 0 and use p_(i+1) = 1/4 + p_i / 2.")
    report_passed(name, hidden)


def check_bidirectional_backward(bidirectional_backward, hidden=False):
    """Check bidirectional_backward(dhidden, cache_f, cache_b) -> (dX, dU_f, ..., db_b)."""
    name = "bidirectional_backward"
    labels = ("dX", "dU_f", "dW_f", "db_f", "dU_b", "dW_b", "db_b")
    rng = np.random.default_rng(55 if hidden else 5)
    for N, T, D, H in ([(2, 5, 2, 3), (1, 1, 3, 2), (4, 7, 2, 5)] if hidden else [(3, 6, 2, 4)]):
        X = rng.integers(0, 2, size=(N, T, D)).astype(float)
        weights = [rng.normal(size=shape) for shape in ((D, H), (H, H), (H,)) * 2]
        zeros = np.zeros((N, H))
        _, cache_f = rnn_forward(X, zeros, *weights[:3])
        _, cache_b = rnn_forward(X[:, ::-1], zeros, *weights[3:])
        _, cache = reference_birnn_forward(X, zeros, zeros, *weights)
        dhidden = rng.normal(size=(N, T, 2 * H))
        full = reference_birnn_backward(dhidden, cache)
        expected = (full[0],) + tuple(full[3:])
        result = bidirectional_backward(dhidden.copy(), cache_f, cache_b)
        if not isinstance(result, tuple) or len(result) != 7:
            raise CheckFailed(f"{name} must return a tuple of 7: ({', '.join(labels)}).")
        wrong = [label for label, got, want in zip(labels, result, expected)
                 if not close(compare_array(f"{name}: {label}", got, want,
                                            f"the shape of {label[1:]}"), want)]
        if any(label.endswith("_b") for label in wrong):
            raise CheckFailed(f"{name}: {', '.join(wrong)} wrong. The backward recurrence ran "
                              "over X[:, ::-1], so its gradient must be in reversed time too: "
                              "pass dhidden[:, ::-1, H:] to rnn_backward.")
        if wrong == ["dX"]:
            raise CheckFailed(f"{name}: dX is wrong. The backward recurrence's dX is in "
                              "reversed time: flip it back ([:, ::-1]) before adding it to "
                              "the forward one's.")
        if wrong:
            raise CheckFailed(f"{name}: {', '.join(wrong)} wrong: the forward recurrence gets "
                              "the first H columns of dhidden, unchanged.")
    report_passed(name, hidden)
