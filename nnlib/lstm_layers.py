"""The long short-term memory (LSTM) cell: one step and a whole sequence, forward and backward.

Pure functions with the ``forward(...) -> (out, cache)`` / ``backward(dout, cache) -> grads``
contract (CS231n's layout: one ``(·, 4H)`` weight matrix per input, the gate blocks in the order
i, f, o, g). One step, for a batch:

    a = x Wx + h_prev Wh + b                      (N, 4H)
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2H]), sigmoid(a[:, 2H:3H])
    g = tanh(a[:, 3H:])
    c = f * c_prev + i * g                        (N, H), the cell state
    h = o * tanh(c)                               (N, H), the hidden state

A whole sequence is the loop over time of the same step, from ``c0 = 0``; backpropagation
through time is the loop, last step first, of the step backward. The functions trust their
arrays (the models check their inputs once). ``nnlib.lstm`` re-exports these functions and puts
the model on them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.activations import sigmoid, tanh

GATES = ("i", "f", "o", "g")


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` reads, saved by ``lstm_step_forward``."""

    x: np.ndarray         # (N, D), this step's input
    h_prev: np.ndarray    # (N, H), the previous hidden state
    c_prev: np.ndarray    # (N, H), the previous cell state
    i: np.ndarray         # (N, H), input gate, after its sigmoid
    f: np.ndarray         # (N, H), forget gate, after its sigmoid
    o: np.ndarray         # (N, H), output gate, after its sigmoid
    g: np.ndarray         # (N, H), candidate, after its tanh
    c: np.ndarray         # (N, H), this step's cell state
    tanh_c: np.ndarray    # (N, H), tanh(c)
    Wx: np.ndarray        # (D, 4H)
    Wh: np.ndarray        # (H, 4H)


# ----------------------------------------------------------------------------------------
# One time step

def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step for a batch.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    h_prev : ndarray, shape (N, H)
        Hidden state of the previous step.
    c_prev : ndarray, shape (N, H)
        Cell state of the previous step.
    Wx : ndarray, shape (D, 4H)
        Input weights, gate blocks in the order i, f, o, g.
    Wh : ndarray, shape (H, 4H)
        Recurrent weights, same block order.
    b : ndarray, shape (4H,)

    Returns
    -------
    h : ndarray, shape (N, H)
    c : ndarray, shape (N, H)
    cache : LSTMStepCache

    Notes
    -----
    a = x Wx + h_prev Wh + b; i, f, o = sigmoid of the first three blocks, g = tanh of the last;
    c = f * c_prev + i * g; h = o * tanh(c).
    """
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b                   # (N, 4H): blocks i, f, o, g
    i, f, o = np.split(sigmoid(a[:, :3 * H]), 3, axis=1)
    g = tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    h = o * tanh_c
    return h, c, LSTMStepCache(x, h_prev, c_prev, i, f, o, g, c, tanh_c, Wx, Wh)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    Parameters
    ----------
    dh : ndarray, shape (N, H)
        Gradient of the loss with respect to this step's ``h``.
    dc : ndarray, shape (N, H)
        Gradient with respect to this step's ``c`` from later steps (zeros after the last).
    cache : LSTMStepCache, from ``lstm_step_forward``.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    dc_prev : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 4H)
    dWh : ndarray, shape (H, 4H)
    db : ndarray, shape (4H,)

    Notes
    -----
    dc_total = dc + dh * o * (1 - tanh(c)^2);  di = dc_total g, df = dc_total c_prev,
    do = dh tanh(c), dg = dc_total i;  dc_prev = dc_total f;  then back through the
    sigmoids and the tanh to da, and da times the weights and inputs as in an affine layer.
    """
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    dc_total = dc + dh * o * (1 - tanh_c**2)      # c reaches the loss via h and via c_next
    di, df, do, dg = dc_total * g, dc_total * cache.c_prev, dh * tanh_c, dc_total * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o),
                         dg * (1 - g**2)], axis=1)  # back through the sigmoids and the tanh
    dx = da @ cache.Wx.T
    dh_prev = da @ cache.Wh.T
    dc_prev = dc_total * f
    dWx = cache.x.T @ da
    dWh = cache.h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


# ----------------------------------------------------------------------------------------
# A whole sequence: a loop of steps, and backpropagation through time

def lstm_forward(X, h0, Wx, Wh, b):
    """Run the LSTM over whole sequences, first time step first, from ``c0 = 0``.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
        Initial hidden state (usually zeros).
    Wx : ndarray, shape (D, 4H)
    Wh : ndarray, shape (H, 4H)
    b : ndarray, shape (4H,)

    Returns
    -------
    Hs : ndarray, shape (N, T, H)
        Hs[:, t] = h_t.
    caches : list of T ``LSTMStepCache``, one per step, for ``lstm_backward``
    """
    N, T, _ = X.shape
    Hs = np.empty((N, T, h0.shape[1]))
    caches = []
    h, c = h0, np.zeros_like(h0)
    for t in range(T):
        h, c, cache = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
        Hs[:, t] = h
        caches.append(cache)
    return Hs, caches


def lstm_backward(dHs, caches, truncate=None):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dHs : ndarray, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    caches : list of T ``LSTMStepCache``, from ``lstm_forward``.
    truncate : int >= 1 or None
        None: full BPTT. k: truncated BPTT in windows of k steps (steps 0 .. k-1, k .. 2k-1,
        ...): the states h and c are carried forward across windows, but no gradient flows
        from one window back into the previous one (d2l's "regular truncation"); the result is
        the sum over windows of each window's full BPTT with its initial h and c held fixed.

    Returns
    -------
    dX : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 4H), summed over time steps
    dWh : ndarray, shape (H, 4H), summed over time steps
    db : ndarray, shape (4H,), summed over time steps

    Notes
    -----
    Going backwards from t = T-1, step t receives dh = dHs_t + dh_prev of step t+1 and
    dc = dc_prev of step t+1. Along the cell path dc_{t-1} = dc_total_t * f_t: a product of
    forget gates, not of weight matrices and tanh slopes. With ``truncate=k`` nothing flows
    into step t from step t+1 when t+1 is a multiple of k.
    """
    N, T, H = dHs.shape
    first = caches[0]
    dX = np.empty((N, T, first.x.shape[1]))
    dWx, dWh, db = np.zeros_like(first.Wx), np.zeros_like(first.Wh), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))   # nothing after the last step
    for t in reversed(range(T)):
        if truncate is not None and (t + 1) % truncate == 0:
            # step t ends a window: nothing flows back from the next window
            dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
        dX[:, t], dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(
            dHs[:, t] + dh_next, dc_next, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dX, dh_next, dWx, dWh, db


__all__ = ["GATES", "LSTMStepCache", "lstm_backward", "lstm_forward", "lstm_step_backward",
           "lstm_step_forward"]
