"""Self-checks for notebook 04: one step of backpropagation through time, and the whole of BPTT.

The learner derives and writes ``rnn_step_backward`` and ``rnn_backward``, the library's names
and signatures (``nnlib.rnn_layers``); the checks build their problems with the library's
forward functions and compare with its backward ones. Every call draws fresh inputs
(``fresh_rng``), so a hard-coded answer cannot pass, and runs the answer with the library's
backward functions refused (``call_refusing``), so an answer that calls them gets no credit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib.gradcheck  # noqa: F401  (imported so that FORBIDDEN can name it)
import nnlib.rnn_layers  # noqa: F401
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.activations import tanh
from nnlib.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

STEP_NAMES = ("dx", "dh_prev", "dU", "dW", "db")
SEQUENCE_NAMES = ("dX", "dh0", "dU", "dW", "db")

# The library functions that do these exercises' work (nnlib.rnn re-exports the first two, and
# the RNN models call them: refusing the functions refuses every route to them).
FORBIDDEN = {"nnlib.rnn_layers": ("rnn_step_backward", "rnn_backward"),
             "nnlib.gradcheck": ("numerical_gradient",)}


def _problem(rng, N: int, T: int, D: int, H: int):
    X = rng.integers(0, 2, size=(N, T, D)).astype(np.float64)
    U, W = rng.normal(size=(D, H)), rng.normal(size=(H, H)) / 2
    b = rng.normal(size=H)
    return X, U, W, b


def _tuple(name: str, result, names: tuple[str, ...]) -> tuple:
    if not isinstance(result, tuple) or len(result) != len(names):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise CheckFailed(f"{name} returned {got}, expected a tuple of {len(names)}: "
                          f"({', '.join(names)}).")
    return result


def _copy(cache):
    # A fresh copy of every array of a step cache, so that the learner cannot change ours.
    return cache._replace(**{field: value.copy() for field, value in cache._asdict().items()
                             if isinstance(value, np.ndarray)})


def _step(dh, cache, through_tanh: bool = True):
    """The reference step backward, optionally without the tanh (a known mistake)."""
    if through_tanh:
        return rnn_step_backward(dh, cache)
    return (dh @ cache.U.T, dh @ cache.W.T, cache.x.T @ dh, cache.h_prev.T @ dh, dh.sum(axis=0))


def _bptt_variant(dhidden, caches, *, carry=True, through_tanh=True, forwards=False):
    """BPTT with one switch off: the gradient each known mistake computes."""
    N, T, H = dhidden.shape
    dX = np.empty((N, T, caches[0].x.shape[1]))
    grads = [np.zeros_like(caches[0].U), np.zeros_like(caches[0].W), np.zeros(H)]
    dh_next = np.zeros((N, H))
    for t in (range(T) if forwards else reversed(range(T))):
        dX[:, t], dh_prev, *step = _step(dhidden[:, t] + (dh_next if carry else 0), caches[t],
                                         through_tanh)
        dh_next = dh_prev
        grads = [g + s for g, s in zip(grads, step)]
    return (dX, dh_next, *grads)


def check_rnn_step_backward(rnn_step_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``rnn_step_backward(dh, cache) -> (dx, dh_prev, dU, dW, db)`` for a tanh step.

    ``cache`` is the ``RNNStepCache`` of ``nnlib.rnn.rnn_step_forward``:
    ``h = tanh(x U + h_prev W + b)``.
    """
    name = "rnn_step_backward"
    rng = fresh_rng()  # fresh inputs every run (recorded when graded)
    for N, D, H in ([(3, 2, 4), (1, 3, 5), (6, 2, 2)] if hidden else [(3, 2, 4)]):
        x, h_prev = rng.normal(size=(N, D)), tanh(rng.normal(size=(N, H)))
        _, U, W, b = _problem(rng, N, 1, D, H)
        h, cache = rnn_step_forward(x, h_prev, U, W, b, activation="tanh")
        dh = rng.normal(size=(N, H))
        expected = rnn_step_backward(dh, cache)
        result = _tuple(name, call_refusing(rnn_step_backward_fn, (dh, _copy(cache)), FORBIDDEN),
                        STEP_NAMES)
        shapes = {"dx": "shape (N, D), like x", "dh_prev": "shape (N, H), like h_prev",
                  "dU": "shape (D, H), like U", "dW": "shape (H, H), like W",
                  "db": "shape (H,), like b: summed over the N examples"}
        untouched = dict(zip(STEP_NAMES, _step(dh, cache, through_tanh=False)))
        for label, got, want in zip(STEP_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, shapes[label])
            if close(got, want):
                continue
            if close(got, untouched[label]):
                raise CheckFailed(f"{name}: {label} skips the tanh: h = tanh(a), so the "
                                  "gradient must first go back through tanh, whose slope is "
                                  "written with its output h.")
            if label == "dW" and close(got, h.T @ (dh * (1 - h**2))):
                raise CheckFailed(f"{name}: dW uses h; the recurrent weights multiply the "
                                  "previous state, h_prev.")
            if close(got, -want):
                raise CheckFailed(f"{name}: {label} has the wrong sign (1 - h**2, not "
                                  "h**2 - 1?).")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values "
                              f"({shapes[label]}); write a = x U + h_prev W + b and take the "
                              "derivative of each term.")
    report_passed(name, hidden)


def check_rnn_backward(rnn_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``rnn_backward(dhidden, caches) -> (dX, dh0, dU, dW, db)`` against
    ``nnlib.rnn.rnn_backward``.

    ``caches`` are the step caches of ``nnlib.rnn.rnn_forward`` for a tanh RNN started from
    h = 0; ``dhidden`` (N, T, H) is the gradient reaching each h_t from the output at step t
    only. The check calls it with the default, full BPTT.
    """
    name = "rnn_backward"
    rng = fresh_rng()  # fresh inputs every run (recorded when graded)
    for N, T, D, H in ([(3, 5, 2, 4), (2, 1, 2, 3), (4, 9, 3, 2)] if hidden else [(3, 5, 2, 4)]):
        X, U, W, b = _problem(rng, N, T, D, H)
        _, caches = rnn_forward(X, np.zeros((N, H)), U, W, b, activation="tanh")
        dhidden = rng.normal(size=(N, T, H))
        expected = rnn_backward(dhidden, caches)
        result = _tuple(name, call_refusing(rnn_backward_fn,
                                            (dhidden, [_copy(c) for c in caches]), FORBIDDEN),
                        SEQUENCE_NAMES)
        # The known mistakes, each computed: what the answer returns if it makes that one.
        no_carry = _bptt_variant(dhidden, caches, carry=False)
        no_tanh = _bptt_variant(dhidden, caches, through_tanh=False)
        forwards = _bptt_variant(dhidden, caches, forwards=True)
        local = [rnn_step_backward(dhidden[:, t], caches[t]) for t in range(T)]
        for label, got, want in zip(SEQUENCE_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, f"the shape of {label[1:]}",
                                "Sum the weights' per-step gradients over the time steps.")
            if close(got, want):
                continue
            index = SEQUENCE_NAMES.index(label)
            if close(got, no_carry[index]):
                raise CheckFailed(f"{name}: {label} misses the gradient that flows back "
                                  "through time: h_t also feeds h_(t+1), so step t must "
                                  "receive dhidden[:, t] plus the dh_prev that step t + 1 sent "
                                  "back, going backwards from the last step.")
            if close(got, no_tanh[index]):
                raise CheckFailed(f"{name}: {label} skips the tanh: each step must go back "
                                  "through h_t = tanh(a_t) before the products with U and W.")
            if close(got, forwards[index]):
                raise CheckFailed(f"{name}: {label}: the loop runs forwards in time; the "
                                  "gradient of h_t needs what came back from step t + 1, so "
                                  "start at the last step.")
            if label in ("dU", "dW", "db"):
                if any(close(got, step[index]) for step in local) or close(
                        got, expected[index] / T):
                    raise CheckFailed(f"{name}: {label} holds one step only, or their mean: "
                                      "the weights are shared across time, so add up every "
                                      "step's share.")
            if label == "dh0":
                raise CheckFailed(f"{name}: dh0 is the dh_prev of step 0, what the loop "
                                  "sends back last.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values for "
                              f"N={N}, T={T}. If rnn_step_backward passes its check, look at "
                              "the order of the loop (last step first) and at what you add to "
                              "dhidden[:, t].")
    report_passed(name, hidden)
