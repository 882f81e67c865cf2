"""Self-checks for notebook 07: the LSTM step backwards, and backpropagation through time.

The learner writes ``lstm_step_backward`` and ``lstm_backward``, the library's names and
signatures. Both checks draw fresh inputs on every run (``fresh_rng``: a hard-coded answer
cannot pass), build their problems with ``nnlib.lstm`` and compare the learner's gradients with
its reference, computed before the learner's function runs; while it runs, the library's own
backward functions are refused (``FORBIDDEN``), so an answer that calls them fails with a message
saying so. When the values are wrong the checks try the typical mistakes (the tanh slope of the
cell left out, the forget gate's gradient taken with the new cell instead of the old one, the
cell gradient from the next step dropped) and name the one that matches.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward

# The library functions that do the exercises' work: refused while the learner's function runs.
FORBIDDEN = {"nnlib.lstm_layers": ("lstm_step_backward", "lstm_backward")}
SEQUENCE_FORBIDDEN = {"nnlib.lstm_layers": ("lstm_backward",)}  # the step may be the library's

STEP_NAMES = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
SEQUENCE_NAMES = ("dX", "dh0", "dWx", "dWh", "db")
HINTS = {"dx": "da @ Wx.T, shape (N, D)", "dh_prev": "da @ Wh.T, shape (N, H)",
         "dc_prev": "dc_total * f, shape (N, H)", "dWx": "x.T @ da, shape (D, 4H)",
         "dWh": "h_prev.T @ da, shape (H, 4H)", "db": "da.sum(axis=0), shape (4H,)"}


def _tuple(name: str, result, names: tuple[str, ...]) -> tuple:
    if not isinstance(result, tuple) or len(result) != len(names):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise CheckFailed(f"{name} returned {got}, expected a tuple of {len(names)}: "
                          f"({', '.join(names)}).")
    return result


def _weights(rng, D: int, H: int):
    return (rng.normal(size=(D, 4 * H)) / 2, rng.normal(size=(H, 4 * H)) / 2,
            rng.normal(size=4 * H) / 2)


def _copy(cache):
    # A fresh copy of every array of a step cache, so that the learner cannot change ours.
    return cache._replace(**{field: value.copy() for field, value in cache._asdict().items()})


def _wrong_step(dh, dc, cache, mistake: str):
    # The reference step backward with one typical mistake, to recognise it.
    i, f, o, g, c, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.c, cache.tanh_c
    slope = 1.0 if mistake == "no tanh slope" else 1.0 - tanh_c**2
    dc_total = (0.0 if mistake == "dc dropped" else dc) + dh * o * slope
    df = dc_total * (c if mistake == "forget uses c" else cache.c_prev)
    da = np.concatenate([dc_total * g * i * (1 - i), df * f * (1 - f),
                         dh * tanh_c * o * (1 - o), dc_total * i * (1 - g**2)], axis=1)
    return (da @ cache.Wx.T, da @ cache.Wh.T, dc_total * f, cache.x.T @ da,
            cache.h_prev.T @ da, da.sum(axis=0))


STEP_MISTAKES = {
    "no tanh slope": "h = o * tanh(c), so the gradient reaching c through h is "
                     "dh * o * (1 - tanh(c)**2): the tanh slope is missing.",
    "forget uses c": "the forget gate multiplies the OLD cell, c = f * c_prev + i * g, so "
                     "df = dc_total * c_prev (you used the new c).",
    "dc dropped": "c reaches the loss twice, through h and through the next step's cell: "
                  "dc_total = dc + dh * o * (1 - tanh(c)**2). The incoming dc is missing.",
}


def check_lstm_step_backward(lstm_step_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``lstm_step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, dWx, dWh, db)``.

    ``cache`` is the ``LSTMStepCache`` that ``nnlib.lstm.lstm_step_forward`` returns, with the
    fields x, h_prev, c_prev, the gates i, f, o, g (after their nonlinearities), c, tanh_c,
    Wx and Wh.
    """
    name = "lstm_step_backward"
    rng = fresh_rng()  # fresh inputs every run (recorded when graded)
    for N, D, H in ([(3, 2, 4), (1, 3, 5), (6, 1, 2)] if hidden else [(3, 2, 4)]):
        x, h_prev, c_prev = (rng.normal(size=(N, D)), rng.normal(size=(N, H)),
                             rng.normal(size=(N, H)))
        _, _, cache = lstm_step_forward(x, h_prev, c_prev, *_weights(rng, D, H))
        dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        expected = lstm_step_backward(dh, dc, cache)
        result = _tuple(name, call_refusing(lstm_step_backward_fn, (dh, dc, _copy(cache)),
                                            FORBIDDEN), STEP_NAMES)
        for index, (label, got, want) in enumerate(zip(STEP_NAMES, result, expected)):
            got = compare_array(f"{name}: {label}", got, want, HINTS[label])
            if close(got, want):
                continue
            for mistake, message in STEP_MISTAKES.items():
                if close(got, _wrong_step(dh, dc, cache, mistake)[index]):
                    raise CheckFailed(f"{name}: {label} is wrong: {message}")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values "
                              f"({label} = {HINTS[label]}). Check each gate's local gradient "
                              "and its slope: s * (1 - s) for i, f, o; 1 - g**2 for g.")
    report_passed(name, hidden)


def check_lstm_backward(lstm_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``lstm_backward(dHs, caches) -> (dX, dh0, dWx, dWh, db)`` against
    ``nnlib.lstm.lstm_backward``.

    ``caches`` are the step caches of ``nnlib.lstm.lstm_forward`` for a sequence started from
    h = c = 0; ``dHs`` (N, T, H) is the gradient reaching each h_t from the output at step t.
    The check calls it with the default, full BPTT.
    """
    name = "lstm_backward"
    rng = fresh_rng()
    for N, T, D, H in ([(3, 5, 2, 4), (2, 1, 2, 3), (4, 9, 1, 2)] if hidden else [(3, 5, 2, 4)]):
        X = rng.normal(size=(N, T, D))
        Wx, Wh, b = _weights(rng, D, H)
        _, caches = lstm_forward(X, np.zeros((N, H)), Wx, Wh, b)
        dHs = rng.normal(size=(N, T, H))
        expected = lstm_backward(dHs, caches)
        result = _tuple(name, call_refusing(lstm_backward_fn, (dHs, [_copy(c) for c in caches]),
                                            SEQUENCE_FORBIDDEN),
                        SEQUENCE_NAMES)
        wrong = {"dc dropped": _wrong_backward(dHs, caches, carry_c=False),
                 "dh dropped": _wrong_backward(dHs, caches, carry_h=False)}
        for index, (label, got, want) in enumerate(zip(SEQUENCE_NAMES, result, expected)):
            got = compare_array(f"{name}: {label}", got, want, f"the shape of {label[1:]}",
                                "Sum the weights' per-step gradients over the time steps.")
            if close(got, want):
                continue
            if close(got, wrong["dc dropped"][index]):
                raise CheckFailed(f"{name}: {label} misses the cell's own path: step t must "
                                  "receive dc_prev from step t + 1 as its dc (start from zeros "
                                  "after the last step). That path is what keeps the gradient "
                                  "alive over long lags.")
            if close(got, wrong["dh dropped"][index]):
                raise CheckFailed(f"{name}: {label} misses the gradient through h: step t must "
                                  "receive dHs[:, t] + dh_prev from step t + 1 as its dh.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values for "
                              f"N={N}, T={T}. Walk backwards from the last step, carry both "
                              "dh_prev and dc_prev, and add up every step's weight gradients.")
    report_passed(name, hidden)


def _wrong_backward(dHs, caches, carry_h: bool = True, carry_c: bool = True):
    N, T, H = dHs.shape
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    dX, totals = np.empty((N, T, caches[0].x.shape[1])), None
    for t in reversed(range(T)):
        dX[:, t], dh_prev, dc_prev, *step = lstm_step_backward(dHs[:, t] + dh_next, dc_next,
                                                               caches[t])
        dh_next = dh_prev if carry_h else np.zeros((N, H))
        dc_next = dc_prev if carry_c else np.zeros((N, H))
        totals = step if totals is None else [a + b for a, b in zip(totals, step)]
    return [dX, dh_prev] + totals
