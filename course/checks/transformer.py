"""Self-checks for notebook 11: the backward passes of attention and of layer normalisation.

Each check draws its inputs at random on every call (a hard-coded answer cannot pass), runs
``nnlib.attention``'s forward to build the cache the learner's backward receives, compares the
learner's gradients with the library's, names the typical mistake when one matches, and refuses
an answer that calls the library's own backward: the learner's function runs with it (in its
module and among the answer's globals) temporarily replaced by a function that raises.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib.attention
from course.checks.common import (CheckFailed, close, compare_array, fresh_rng, library_refused,
                                  report_passed)
from nnlib.attention import (attention_backward, attention_forward, layernorm_backward,
                             layernorm_forward)


def _call(answer: Callable, library: str, dout, cache, names: tuple[str, ...]):
    copied = type(cache)(*(part.copy() if isinstance(part, np.ndarray) else part
                           for part in cache))
    with library_refused({"nnlib.attention": (library,)}):
        result = answer(dout.copy(), copied)
    if not isinstance(result, tuple) or len(result) != len(names):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise CheckFailed(f"the answer returned {got}, expected a tuple of {len(names)}: "
                          f"({', '.join(names)}).")
    return result


def _judge(name, names, result, expected, variants: dict, messages: dict, hint: str):
    got = [compare_array(f"{name}: {label}", part, want, f"shape {want.shape}")
           for label, part, want in zip(names, result, expected)]
    wrong = [i for i, (g, want) in enumerate(zip(got, expected)) if not close(g, want)]
    if not wrong:
        return
    labels = ", ".join(names[i] for i in wrong)
    for mistake, variant in variants.items():
        if all(close(got[i], variant[i]) for i in wrong):
            raise CheckFailed(f"{name}: {labels} wrong: {messages[mistake]}")
    raise CheckFailed(f"{name}: {labels} of the right shape but wrong values. {hint}")


# --- attention ------------------------------------------------------------------------------

ATTENTION_NAMES = ("dQ", "dK", "dV")
ATTENTION_MISTAKES = {
    "no row sum": "the softmax's Jacobian has two terms: dS = P * (dP - sum_j P_j dP_j) row "
                  "by row; the subtracted row sum is missing (it is there because the weights "
                  "of a row sum to 1).",
    "no scale": "the scores are Q K^T / sqrt(d), so dQ and dK carry the factor 1 / sqrt(d) "
                "(scale in the cache).",
    "P not transposed": "out = P V, so dV = P^T dout (P transposed: each key collects the "
                        "gradient of every query that read it).",
    "dK not transposed": "S = Q K^T, so dK = dS^T Q (dS transposed), not dS Q.",
    "softmax derivative": "a row's weights depend on every score of the row, so dS is not "
                          "dP * P * (1 - P) entry by entry: dS = P * (dP - sum_j P_j dP_j).",
}


def _attention_variant(dout, cache, mistake: str):
    Q, K, V, P, scale = cache
    T = lambda A: A.swapaxes(-1, -2)  # noqa: E731
    dV = (P if mistake == "P not transposed" else T(P)) @ dout
    dP = dout @ T(V)
    dS = {"no row sum": P * dP, "softmax derivative": dP * P * (1 - P)}.get(
        mistake, P * (dP - np.sum(dP * P, axis=-1, keepdims=True)))
    s = 1.0 if mistake == "no scale" else scale
    dK = ((dS if mistake == "dK not transposed" else T(dS)) @ Q) * s
    return (dS @ K) * s, dK, dV


def check_attention_backward(answer: Callable, hidden: bool = False) -> None:
    """Check ``answer(dout, cache) -> (dQ, dK, dV)`` for ``attention_forward(Q, K, V, causal)``;
    ``cache`` is its ``AttentionCache(Q, K, V, P, scale)``."""
    rng = fresh_rng()  # fresh inputs every run (recorded when graded)
    shapes = [(2, 2, 4, 3, True)] + ([(1, 1, 1, 2, True), (3, 2, 5, 4, False),
                                      (2, 3, 6, 8, True)] if hidden else [])
    for N, heads, T, d, causal in shapes:
        Q, K, V = (rng.normal(size=(N, heads, T, d)) for _ in range(3))
        _, cache = attention_forward(Q, K, V, causal)
        dout = rng.normal(size=(N, heads, T, d))
        expected = attention_backward(dout, cache)
        result = _call(answer, "attention_backward", dout, cache, ATTENTION_NAMES)
        variants = {m: _attention_variant(dout, cache, m) for m in ATTENTION_MISTAKES}
        _judge("attention_backward", ATTENTION_NAMES, result, expected, variants,
               ATTENTION_MISTAKES, "Go backwards one line at a time: out = P V, "
               "P = softmax(S), S = Q K^T * scale (+ the mask, a constant).")
    report_passed("attention_backward", hidden)


# --- layer normalisation --------------------------------------------------------------------

LAYERNORM_NAMES = ("dX", "dgamma", "dbeta")
LAYERNORM_MISTAKES = {
    "constant statistics": "the mean and the variance are computed from x itself, so they "
                           "carry gradient too: dX = (g - mean(g) - x_hat mean(g x_hat)) / "
                           "std with g = dout * gamma (you treated them as constants).",
    "no variance term": "the variance depends on x as well: dX also needs the term "
                        "- x_hat mean(g x_hat) (only the mean's term is there).",
    "no mean term": "the mean depends on x as well: dX also needs the term - mean(g) (only "
                    "the variance's term is there).",
    "gamma left out": "out = gamma * x_hat + beta, so the gradient reaching x_hat is "
                      "g = dout * gamma: the gain is missing.",
    "dgamma without x_hat": "out = gamma * x_hat + beta, so dgamma sums dout * x_hat over "
                            "every position, not dout alone.",
}


def _layernorm_variant(dout, cache, mistake: str):
    X_hat, inv_std, gamma = cache
    D = X_hat.shape[-1]
    g = dout if mistake == "gamma left out" else dout * gamma
    mean_term = 0.0 if mistake in ("constant statistics", "no mean term") else g.mean(
        axis=-1, keepdims=True)
    var_term = 0.0 if mistake in ("constant statistics", "no variance term") else X_hat * np.mean(
        g * X_hat, axis=-1, keepdims=True)
    dgamma = (dout if mistake == "dgamma without x_hat" else dout * X_hat).reshape(-1, D).sum(0)
    return inv_std * (g - mean_term - var_term), dgamma, dout.reshape(-1, D).sum(0)


def check_layernorm_backward(answer: Callable, hidden: bool = False) -> None:
    """Check ``answer(dout, cache) -> (dX, dgamma, dbeta)`` for ``layernorm_forward(X, gamma,
    beta)``; ``cache`` is its ``LayerNormCache(X_hat, inv_std, gamma)``."""
    rng = fresh_rng()
    shapes = [(3, 4, 5)] + ([(1, 1, 2), (2, 7, 3), (4, 2, 9)] if hidden else [])
    for N, T, D in shapes:
        X = rng.normal(rng.normal(), 1 + rng.random(), size=(N, T, D))
        _, cache = layernorm_forward(X, rng.normal(size=D), rng.normal(size=D))
        dout = rng.normal(size=(N, T, D))
        expected = layernorm_backward(dout, cache)
        result = _call(answer, "layernorm_backward", dout, cache, LAYERNORM_NAMES)
        variants = {m: _layernorm_variant(dout, cache, m) for m in LAYERNORM_MISTAKES}
        _judge("layernorm_backward", LAYERNORM_NAMES, result, expected, variants,
               LAYERNORM_MISTAKES, "Go backwards through out = gamma x_hat + beta, "
               "x_hat = (x - mu) / sqrt(var + eps), var and mu, in that order.")
    report_passed("layernorm_backward", hidden)
