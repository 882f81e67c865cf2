"""The recurrence of a vanilla RNN as pure functions, vectorised over a batch (notebook 04).

One time step is a step function with the ``forward(...) -> (out, cache)`` /
``backward(dout, cache) -> grads`` contract (CS231n's ``rnn_layers``); a whole sequence is the
loop over time of the same step, and backpropagation through time (BPTT) is the loop, last step
first, of the step backward:

    h_t = f(x_t U + h_{t-1} W + b)          (N, H), f = tanh or sigmoid

The functions trust their arrays (float64, matching shapes): the models check their inputs once,
at the door. ``nnlib.rnn.RNN`` (the model, with its output heads) and ``nnlib.birnn`` build on
these.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope, tanh, tanh_slope

#: Each nonlinearity with its slope written in terms of its output: 1 - h^2 and h (1 - h).
NONLINEARITIES = {"tanh": (tanh, tanh_slope), "sigmoid": (sigmoid, sigmoid_slope)}
ACTIVATIONS = tuple(NONLINEARITIES)


class RNNStepCache(NamedTuple):
    """What ``rnn_step_backward`` reads, saved by ``rnn_step_forward``."""

    x: np.ndarray         # (N, D), this step's input
    h_prev: np.ndarray    # (N, H), the previous hidden state
    h: np.ndarray         # (N, H), this step's hidden state
    U: np.ndarray         # (D, H)
    W: np.ndarray         # (H, H)
    activation: str       # "tanh" or "sigmoid"


# ----------------------------------------------------------------------------------------
# One time step

def rnn_step_forward(x, h_prev, U, W, b, activation="tanh"):
    """One time step of the recurrence for a batch.

    Parameters
    ----------
    x : ndarray, shape (N, D), inputs at this time step
    h_prev : ndarray, shape (N, H), the previous hidden state (zeros before the first step)
    U : ndarray, shape (D, H), input-to-hidden weights
    W : ndarray, shape (H, H), hidden-to-hidden (recurrent) weights
    b : ndarray, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    h : ndarray, shape (N, H)
    cache : RNNStepCache

    Notes
    -----
    h = f(x U + h_prev W + b).
    """
    f = NONLINEARITIES[activation][0]
    h = f(x @ U + h_prev @ W + b)
    return h, RNNStepCache(x, h_prev, h, U, W, activation)


def rnn_step_backward(dh, cache):
    """Backward pass of one time step.

    Parameters
    ----------
    dh : ndarray, shape (N, H)
        Gradient of the loss with respect to this step's ``h`` (from the output head at this
        step plus what flows back from the next step).
    cache : RNNStepCache, from ``rnn_step_forward``.

    Returns
    -------
    dx (N, D), dh_prev (N, H), dU (D, H), dW (H, H), db (H,)

    Notes
    -----
    da = dh * f'(a);  dx = da U^T;  dh_prev = da W^T;  dU = x^T da;  dW = h_prev^T da.
    """
    slope = NONLINEARITIES[cache.activation][1]
    da = dh * slope(cache.h)                # through f, its slope written with its output
    dx = da @ cache.U.T
    dh_prev = da @ cache.W.T
    dU = cache.x.T @ da
    dW = cache.h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dU, dW, db


# ----------------------------------------------------------------------------------------
# A whole sequence: a loop of steps, and backpropagation through time

def rnn_forward(X, h0, U, W, b, activation="tanh"):
    """Run the recurrence over whole sequences, first time step first.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H), the initial hidden state (usually zeros)
    U : ndarray, shape (D, H)
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    hidden : ndarray, shape (N, T, H), hidden[:, t] = h_t
    caches : list of T ``RNNStepCache``, one per step, for ``rnn_backward``
    """
    N, T, _ = X.shape
    hidden = np.empty((N, T, h0.shape[1]))
    caches = []
    h = h0
    for t in range(T):
        h, cache = rnn_step_forward(X[:, t], h, U, W, b, activation)
        hidden[:, t] = h
        caches.append(cache)
    return hidden, caches


def rnn_backward(dhidden, caches, truncate=None):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dhidden : ndarray, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    caches : list of T ``RNNStepCache``, from ``rnn_forward``.
    truncate : int >= 1 or None
        None: full BPTT. k: truncated BPTT in windows of k steps (steps 0 .. k-1, k .. 2k-1,
        ...): the states are carried forward across windows, but no gradient flows from one
        window back into the previous one (d2l's "regular truncation"). The result is the sum,
        over windows, of each window's full BPTT with the window's initial state held fixed.

    Returns
    -------
    dX (N, T, D), dh0 (N, H), and dU (D, H), dW (H, H), db (H,) summed over time steps

    Notes
    -----
    Going backwards from t = T-1, with nothing flowing into the last step from a later one,
    step t receives dh = dhidden_t + dh_prev of step t+1: the loss reaches h_t through this
    step's output and through h_{t+1}. The weights are shared, so their gradients add up over
    the steps. With ``truncate=k`` nothing flows into step t from step t+1 when t+1 is a
    multiple of k; dh0 is then the gradient of the first window only.
    """
    N, T, H = dhidden.shape
    first = caches[0]
    dX = np.empty((N, T, first.x.shape[1]))
    dU, dW, db = np.zeros_like(first.U), np.zeros_like(first.W), np.zeros(H)
    dh_next = np.zeros((N, H))                  # nothing flows back into the last step
    for t in reversed(range(T)):
        if truncate is not None and (t + 1) % truncate == 0:
            dh_next = np.zeros((N, H))          # step t ends a window: its successor's is cut
        dX[:, t], dh_next, dU_t, dW_t, db_t = rnn_step_backward(dhidden[:, t] + dh_next,
                                                                caches[t])
        dU += dU_t
        dW += dW_t
        db += db_t
    return dX, dh_next, dU, dW, db


def uniform_init(rng: np.random.Generator, fan_in: int, shape) -> np.ndarray:
    """Weights uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``rng``."""
    limit = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-limit, limit, size=shape)


__all__ = ["ACTIVATIONS", "NONLINEARITIES", "RNNStepCache", "rnn_backward", "rnn_forward",
           "rnn_step_backward", "rnn_step_forward", "uniform_init"]
