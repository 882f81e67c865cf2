"""Self-checks for notebook 04: one step of backpropagation through time, and the whole of BPTT.

The learner writes ``rnn_step_backward`` and ``rnn_backward``, the library's names and
signatures (``nnlib.rnn_layers``); the checks build their problems with the library's forward
functions and compare with its backward ones.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.activations import tanh
from nnlib.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

STEP_NAMES = ("dx", "dh_prev", "dU", "dW", "db")
SEQUENCE_NAMES = ("dX", "dh0", "dU", "dW", "db")


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


def check_rnn_step_backward(rnn_step_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``rnn_step_backward(dh, cache) -> (dx, dh_prev, dU, dW, db)`` for a tanh step.

    ``cache`` is the ``RNNStepCache`` of ``nnlib.rnn.rnn_step_forward``:
    ``h = tanh(x U + h_prev W + b)``.
    """
    name = "rnn_step_backward"
    rng = np.random.default_rng(505 if hidden else 5)
    for N, D, H in ([(3, 2, 4), (1, 3, 5), (6, 2, 2)] if hidden else [(3, 2, 4)]):
        x, h_prev = rng.normal(size=(N, D)), tanh(rng.normal(size=(N, H)))
        _, U, W, b = _problem(rng, N, 1, D, H)
        h, cache = rnn_step_forward(x, h_prev, U, W, b, activation="tanh")
        dh = rng.normal(size=(N, H))
        expected = rnn_step_backward(dh, cache)
        result = _tuple(name, rnn_step_backward_fn(dh.copy(), _copy(cache)), STEP_NAMES)
        hints = {"dx": "dx = da @ U.T, shape (N, D)",
                 "dh_prev": "dh_prev = da @ W.T, shape (N, H)",
                 "dU": "dU = x.T @ da, shape (D, H)", "dW": "dW = h_prev.T @ da, shape (H, H)",
                 "db": "db = da.sum(axis=0), shape (H,)"}
        for label, got, want in zip(STEP_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, hints[label])
            if close(got, want):
                continue
            untouched = {"dx": dh @ U.T, "dh_prev": dh @ W.T}.get(label)
            if untouched is not None and close(got, untouched):
                raise CheckFailed(f"{name}: {label} skips the tanh: first da = dh * (1 - h**2), "
                                  "the slope of tanh written with its output h.")
            if label == "dW" and close(got, h.T @ (dh * (1 - h**2))):
                raise CheckFailed(f"{name}: dW uses h; the recurrent weights multiply the "
                                  "previous state, so dW = h_prev.T @ da.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values "
                              f"({hints[label]}, with da = dh * (1 - h**2)).")
    report_passed(name, hidden)


def check_rnn_backward(rnn_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``rnn_backward(dhidden, caches) -> (dX, dh0, dU, dW, db)`` against
    ``nnlib.rnn.rnn_backward``.

    ``caches`` are the step caches of ``nnlib.rnn.rnn_forward`` for a tanh RNN started from
    h = 0; ``dhidden`` (N, T, H) is the gradient reaching each h_t from the output at step t
    only. The check calls it with the default, full BPTT.
    """
    name = "rnn_backward"
    rng = np.random.default_rng(606 if hidden else 6)
    for N, T, D, H in ([(3, 5, 2, 4), (2, 1, 2, 3), (4, 9, 3, 2)] if hidden else [(3, 5, 2, 4)]):
        X, U, W, b = _problem(rng, N, T, D, H)
        _, caches = rnn_forward(X, np.zeros((N, H)), U, W, b, activation="tanh")
        dhidden = rng.normal(size=(N, T, H))
        expected = rnn_backward(dhidden, caches)
        result = _tuple(name, rnn_backward_fn(dhidden.copy(), [_copy(c) for c in caches]),
                        SEQUENCE_NAMES)
        # The most common mistake: forgetting what flows back from step t+1.
        local = [rnn_step_backward(dhidden[:, t], caches[t]) for t in range(T)]
        for label, got, want in zip(SEQUENCE_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, f"the shape of {label[1:]}",
                                "Sum the weights' per-step gradients over the time steps.")
            if close(got, want):
                continue
            index = SEQUENCE_NAMES.index(label)
            no_carry = (np.stack([step[0] for step in local], axis=1) if label == "dX" else
                        local[0][1] if label == "dh0" else sum(step[index] for step in local))
            if close(got, no_carry):
                raise CheckFailed(f"{name}: {label} misses the gradient that flows back "
                                  "through time: step t must receive dhidden[:, t] + "
                                  "dh_prev from step t + 1, going backwards from the last "
                                  "step.")
            if label in ("dU", "dW", "db"):
                if close(got, local[-1][index]) or close(got, local[0][index]):
                    raise CheckFailed(f"{name}: {label} holds one step only: add up every "
                                      "step's share, the weights are shared across time.")
            if label == "dh0":
                raise CheckFailed(f"{name}: dh0 is the dh_prev of step 0, what the loop "
                                  "sends back last.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values for "
                              f"N={N}, T={T}. If rnn_step_backward passes its check, look at "
                              "the order of the loop (last step first) and at what you add to "
                              "dhidden[:, t].")
    report_passed(name, hidden)
