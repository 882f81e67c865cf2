"""Self-checks for notebook 05: the carry probability, derived from the adder's definition, and
a bidirectional RNN's backward pass (``birnn_backward``, the library's name and signature).

Both checks draw their inputs with ``fresh_rng`` on every call, so a hard-coded answer fails,
and run the learner's function with the library functions that would do the exercise's work
refused (``FORBIDDEN``): counting every pair's carries (``nnlib.data.bits``) for the first,
``nnlib.birnn.birnn_backward`` for the second.
"""

from __future__ import annotations

import numpy as np

import nnlib.birnn  # noqa: F401  (imported so that FORBIDDEN can name it)
import nnlib.data.bits  # noqa: F401
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.birnn import birnn_backward as reference_birnn_backward
from nnlib.birnn import birnn_forward as reference_birnn_forward
from nnlib.data.bits import all_pairs, carry_bits, int_to_bits

# The library functions an answer may not call, per exercise (module -> function names).
FORBIDDEN_CARRY = {"nnlib.data.bits": ("carry_bits", "all_pairs")}
FORBIDDEN_BIRNN = {"nnlib.birnn": ("birnn_backward",)}


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


def _recursion(n_bits: int, step) -> np.ndarray:
    # p_0 = 0, p_(i+1) = step(p_i): the carries into bits 0 .. n_bits - 1.
    p = np.zeros(n_bits)
    for i in range(1, n_bits):
        p[i] = step(p[i - 1])
    return p


def _carry_mistakes(n_bits: int, q: float) -> list[tuple[np.ndarray, str]]:
    """What the typical wrong derivations return, each with the message that names its bug."""
    name = "carry_probability"
    closed_form = 0.5 - 0.5 ** (np.arange(n_bits) + 1)
    right = _recursion(n_bits, lambda p: q**2 + 2 * q * (1 - q) * p)
    return [
        (np.concatenate([right[1:], [q**2 + 2 * q * (1 - q) * right[-1]]]),
         f"{name}: these are the carries OUT of each bit; the carry INTO bit 0 is 0, and into "
         "bit i + 1 is the carry out of bit i."),
        (closed_form,
         f"{name}: the closed form 1/2 - (1/2)**(i+1) holds only for p_one = 1/2 (the check "
         "draws other values). Work from the recursion in p_i, with q = p_one."),
        (_recursion(n_bits, lambda p: q**2 + q * (1 - q) * p),
         f"{name}: exactly one of the two bits is 1 in two ways (a = 1, b = 0 or a = 0, b = 1): "
         "its probability is 2 q (1 - q), not q (1 - q)."),
        (_recursion(n_bits, lambda p: q**2 + q * p),
         f"{name}: exactly one of the two bits is 1 with probability 2 q (1 - q) (two ways, "
         "each q (1 - q)), not q."),
        (_recursion(n_bits, lambda p: q**2 * (1 - p) + 2 * q * (1 - q) * p),
         f"{name}: both bits 1 carry out whatever comes in (1 + 1 + 1 = 11 in binary): that "
         "term is q**2, not q**2 (1 - p_i)."),
        (np.where(np.arange(n_bits) > 0, q**2, 0.0),
         f"{name}: a carry also comes out when exactly one bit is 1 and a carry came in: the "
         "carry into bit i depends on p_(i-1)."),
        (_recursion(n_bits, lambda p: q**2 + 2 * q * (1 - q) * p + (1 - q) ** 2 * p),
         f"{name}: with both bits 0, the sum 0 + 0 + c is at most 1: no carry comes out, "
         "whatever came in."),
    ]


def check_carry_probability(carry_probability, hidden=False):
    """Check carry_probability(n_bits, p_one=0.5) -> p, shape (n_bits,), P(carry into bit i).

    ``p_one`` is the probability that a bit of either addend is 1. The reference counts the
    carries of every pair of addends, weighted by their probability, so it needs no formula;
    values of ``p_one`` other than 1/2 tell the recursion from the closed form
    1/2 - (1/2)**(i + 1), which holds only for p_one = 1/2. The cases past the first are drawn
    afresh on every call.
    """
    name = "carry_probability"
    rng = fresh_rng()
    # p_one away from 1/2 first: there some wrong recursions coincide with the right one or
    # with each other, so a failure is named where the bugs differ.
    drawn = [(int(rng.integers(3, 11)),
              float(np.round(0.5 + rng.choice([-1, 1]) * rng.uniform(0.1, 0.4), 3)))
             for _ in range(4 if hidden else 2)]
    cases = drawn + ([(2, 0.5), (10, 0.5)] if hidden else [(8, 0.5)])
    for n_bits, p_one in cases:
        expected = _carry_reference(n_bits, p_one)
        got = compare_array(name, call_refusing(carry_probability, (n_bits, p_one),
                                                FORBIDDEN_CARRY),
                            expected, f"one probability per bit position, n_bits={n_bits}")
        if close(got, expected):
            continue
        for wrong, message in _carry_mistakes(n_bits, p_one):
            if close(got, wrong) and not close(wrong, expected):
                raise CheckFailed(f"{message} (n_bits={n_bits}, p_one={p_one})")
        raise CheckFailed(f"{name}(n_bits={n_bits}, p_one={p_one}) has the right shape but "
                          "wrong values: start from p_0 = 0 and ask, for each way the two bits "
                          "and the incoming carry can fall, whether a carry comes out.")
    report_passed(name, hidden)


def check_birnn_backward(birnn_backward_fn, hidden=False):
    """Check ``birnn_backward(dhidden, cache) -> (dX, dh0_f, dh0_b, dU_f, dW_f, db_f, dU_b,
    dW_b, db_b)`` against ``nnlib.birnn.birnn_backward``.

    ``cache`` is the ``BiRNNCache`` of ``nnlib.birnn.birnn_forward``: ``cache.forward`` holds
    the forward recurrence's step caches, ``cache.backward`` those of the backward recurrence,
    which ran over ``X[:, ::-1]``. The check calls it with the default, full BPTT, on inputs
    drawn afresh on every call, and refuses an answer that calls the library's function.
    """
    name = "birnn_backward"
    labels = ("dX", "dh0_f", "dh0_b", "dU_f", "dW_f", "db_f", "dU_b", "dW_b", "db_b")
    rng = fresh_rng()
    for N, T, D, H in ([(2, 5, 2, 3), (1, 1, 3, 2), (4, 7, 2, 5)] if hidden else [(3, 6, 2, 4)]):
        X = rng.integers(0, 2, size=(N, T, D)).astype(float)
        weights = [rng.normal(size=shape) for shape in ((D, H), (H, H), (H,)) * 2]
        h0_f, h0_b = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        _, cache = reference_birnn_forward(X, h0_f, h0_b, *weights)
        dhidden = rng.normal(size=(N, T, 2 * H))
        expected = reference_birnn_backward(dhidden, cache)
        _, fresh = reference_birnn_forward(X, h0_f, h0_b, *weights)   # the learner's copy
        result = call_refusing(birnn_backward_fn, (dhidden, fresh), FORBIDDEN_BIRNN)
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
