"""Self-check for notebook 10: the language model's output head over time, forward and backward.

``check_lm_head_loss`` draws its inputs at random on every call (a hard-coded answer cannot
pass), compares the learner's ``(loss, dhidden, dV, dc)`` with ``nnlib.charlm.lm_head_loss``,
names the typical mistake when one matches (a mean over N instead of N T, a sum, the weight
gradient of the last step only, the one-hot left out, an unstable softmax), and refuses an
answer that calls the library's own head or loss: the learner's function runs with those
temporarily replaced by functions that raise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib.charlm  # noqa: F401  (FORBIDDEN's modules must be imported)
import nnlib.layers  # noqa: F401
import nnlib.losses  # noqa: F401
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.charlm import lm_head_loss

NAMES = ("loss", "dhidden", "dV", "dc")
# The library functions that do the exercise's work: an answer may not call them.
FORBIDDEN = {"nnlib.charlm": ("lm_head_loss",),
             "nnlib.losses": ("softmax_cross_entropy", "log_softmax"),
             "nnlib.layers": ("affine_backward",)}


def _softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _variant(hidden, V, c, targets, mistake: str):
    # The reference head with one typical mistake, to recognise it.
    N, T, _ = hidden.shape
    z = hidden @ V + c
    p = _softmax(z)
    picked = np.take_along_axis(np.log(p), targets[..., None], axis=-1)[..., 0]
    scale = {"mean over N": 1 / N, "sum": 1.0}.get(mistake, 1 / (N * T))
    dz = p.copy()
    if mistake != "no one-hot":
        np.put_along_axis(dz, targets[..., None],
                          np.take_along_axis(dz, targets[..., None], axis=-1) - 1, axis=-1)
    dz *= scale
    if mistake == "last step only":
        return -scale * picked.sum(), dz @ V.T, hidden[:, -1].T @ dz[:, -1], dz[:, -1].sum(0)
    return (-scale * picked.sum(), dz @ V.T, hidden.reshape(-1, V.shape[0]).T @
            dz.reshape(-1, V.shape[1]), dz.reshape(-1, V.shape[1]).sum(axis=0))


MISTAKES = {
    "mean over N": "the loss is a mean over all N T positions (every step of every window "
                   "predicts a character): divide by N * T, not by N.",
    "sum": "the loss is the mean over the N T positions, not their sum: divide the loss and "
           "every gradient by N * T.",
    "last step only": "V and c are used at every step, so their gradients are sums over all "
                      "steps t (and all windows n), not the last step's alone.",
    "no one-hot": "dL/dz_t = softmax(z_t) - onehot(y_t): the 1 subtracted at the target is "
                  "missing.",
}


def _draw(rng, N, T, H, C, scale=1.0):
    hidden = rng.uniform(-1, 1, size=(N, T, H))
    V = rng.normal(size=(H, C)) * scale
    c = rng.normal(size=C)
    targets = rng.integers(0, C, size=(N, T))
    return hidden, V, c, targets


def _call(answer, args):
    result = call_refusing(answer, args, FORBIDDEN)
    if not isinstance(result, tuple) or len(result) != 4:
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise CheckFailed(f"lm_head_loss returned {got}, expected a tuple of 4: "
                          f"(loss, dhidden, dV, dc).")
    return result


def check_lm_head_loss(answer: Callable, hidden: bool = False) -> None:
    """Check ``answer(hidden, V, c, targets) -> (loss, dhidden, dV, dc)`` (see
    ``nnlib.charlm.lm_head_loss``) on inputs drawn at random for this call."""
    rng = fresh_rng()  # fresh inputs every run (recorded when graded)
    shapes = [(3, 5, 4, 6)] + ([(1, 1, 2, 3), (4, 7, 6, 2), (2, 9, 3, 5)] if hidden else [])
    for N, T, H, C in shapes:
        args = _draw(rng, N, T, H, C)
        expected = lm_head_loss(*args)
        result = _call(answer, args)
        if not isinstance(result[0], (float, int, np.floating)) or np.ndim(result[0]) != 0:
            raise CheckFailed(f"the loss must be one number (a float), got "
                              f"{type(result[0]).__name__}.")
        got = [float(result[0])] + [compare_array(
            "lm_head_loss", part, want, f"{label}, shape {want.shape}",
            hint="dc has one entry per class: sum over windows and steps." if label == "dc"
            else "") for label, part, want in zip(NAMES[1:], result[1:], expected[1:])]
        wrong = [label for label, g, want in zip(NAMES, got, expected)
                 if not close(np.asarray(g), np.asarray(want))]
        if wrong:
            for mistake, message in MISTAKES.items():
                variant = _variant(*args, mistake)
                if all(close(np.asarray(g), np.asarray(v)) for g, v in zip(got, variant)
                       ) or all(close(np.asarray(got[NAMES.index(w)]),
                                      np.asarray(variant[NAMES.index(w)])) for w in wrong):
                    raise CheckFailed(f"{', '.join(wrong)} wrong: {message}")
            raise CheckFailed(f"{', '.join(wrong)} of the right shape but wrong values (N={N}, "
                              f"T={T}, H={H}, C={C}). Derive dL/dz_t first, then each "
                              f"gradient from z_t = h_t V + c.")
    # Large logits: a softmax without the maximum subtracted overflows (exp(1000) = inf).
    hidden_states, V, c, targets = _draw(rng, 2, 3, 4, 5, scale=800.0)
    # On every draw, not only on unlucky ones: the first target's class 30 000 lower (its
    # probability rounds to 0, so log(softmax(z)) is -inf) and another class 30 000 higher
    # (exp(z) overflows unless the row's maximum is subtracted). hidden . V stays far from
    # 30 000: four numbers in [-1, 1] times normals of scale 800.
    c[targets[0, 0]] -= 30_000.0
    c[(targets[0, 0] + 1) % c.size] += 30_000.0
    args = (hidden_states, V, c, targets)
    expected = lm_head_loss(*args)
    with np.errstate(all="ignore"):
        result = _call(answer, args)
    if not (np.isfinite(float(result[0])) and all(np.all(np.isfinite(np.asarray(r)))
                                                  for r in result[1:])):
        raise CheckFailed("with logits near 1000 the answer returns inf or NaN: subtract each "
                          "row's maximum before np.exp (softmax does not change), and compute "
                          "log softmax as z - max - log(sum exp(z - max)), not "
                          "log(softmax(z)) (which rounds to log 0 = -inf).")
    if not all(np.allclose(np.asarray(r, dtype=float), e, rtol=1e-7, atol=1e-9)
               for r, e in zip(result, expected)):
        raise CheckFailed("with logits near 1000 the values are wrong: compute log softmax as "
                          "z - max - log(sum exp(z - max)), not log(softmax(z)) (which rounds "
                          "to log 0).")
    report_passed("lm_head_loss", hidden)
