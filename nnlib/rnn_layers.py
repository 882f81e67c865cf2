"""The recurrence of a vanilla RNN as pure functions, vectorised over a batch (notebook 04).

One time step is a step function with the ``forward(...) -> (out, cache)`` /
``backward(dout, cache) -> grads`` contract (CS231n's ``rnn_layers``); a whole sequence is the
loop over time of the same step, with the states cached for backpropagation through time. Only
the recurrence itself loops over time; everything that does not depend on the previous step
(the input term, the weight gradients) is one product over all N * T rows:

    h_t = f(x_t U + h_{t-1} W + b)          (N, H), f = tanh or sigmoid

``nnlib.rnn.RNN`` (the model, with its output heads) and ``nnlib.birnn`` build on these.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope, tanh, tanh_slope
from nnlib.validation import as_float_array, check_choice

ACTIVATIONS = ("tanh", "sigmoid")


def _activation_pair(activation: str):
    # (function, slope written in terms of the function's output), both unchecked.
    if activation == "tanh":
        return (lambda z: tanh(z)), tanh_slope
    return (lambda z: sigmoid(z)), (lambda out: sigmoid_slope(out))


# ----------------------------------------------------------------------------------------
# One time step

def rnn_step_forward(x, h_prev, U, W, b, activation: str = "tanh"):
    """One time step of the recurrence for a batch.

    Parameters
    ----------
    x : array_like, shape (N, D), inputs at this time step
    h_prev : array_like, shape (N, H), the previous hidden state (zeros before the first step)
    U : array_like, shape (D, H), input-to-hidden weights
    W : array_like, shape (H, H), hidden-to-hidden (recurrent) weights
    b : array_like, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    h : ndarray, shape (N, H)
    cache : tuple (x, h_prev, h, U, W, activation), what ``rnn_step_backward`` needs.

    Notes
    -----
    h = f(x U + h_prev W + b).
    """
    check_choice("activation", activation, ACTIVATIONS)
    sizes: dict[str, int] = {}
    x = as_float_array("x", x, shape=("N", "D"), sizes=sizes)
    h_prev = as_float_array("h_prev", h_prev, shape=("N", "H"), sizes=sizes)
    U = as_float_array("U", U, shape=("D", "H"), sizes=sizes)
    W = as_float_array("W", W, shape=("H", "H"), sizes=sizes)
    b = as_float_array("b", b, shape=("H",), sizes=sizes)
    h = _activation_pair(activation)[0](x @ U + h_prev @ W + b)
    return h, (x, h_prev, h, U, W, activation)


def rnn_step_backward(dh, cache):
    """Backward pass of one time step.

    Parameters
    ----------
    dh : array_like, shape (N, H)
        Gradient of the loss with respect to this step's ``h`` (from the output head at this
        step plus what flows back from the next step).
    cache : from ``rnn_step_forward``.

    Returns
    -------
    dx (N, D), dh_prev (N, H), dU (D, H), dW (H, H), db (H,)

    Notes
    -----
    da = dh * f'(a);  dx = da U^T;  dh_prev = da W^T;  dU = x^T da;  dW = h_prev^T da.
    """
    x, h_prev, h, U, W, activation = cache
    da = as_float_array("dh", dh, shape=h.shape) * _activation_pair(activation)[1](h)
    return da @ U.T, da @ W.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


# ----------------------------------------------------------------------------------------
# A whole sequence: a loop of steps, and backpropagation through time

def _forward(X, h0, U, W, b, activation):
    # The input term x_t U + b does not depend on h: one product for all steps, so that the
    # loop over time holds only what must be sequential. Inside, arrays are time major,
    # (T, N, H), so that each step reads and writes one contiguous block.
    N, T, D = X.shape
    f = _activation_pair(activation)[0]
    projected = (X.transpose(1, 0, 2).reshape(T * N, D) @ U + b).reshape(T, N, -1)
    states = np.empty_like(projected)
    h = h0
    for t in range(T):
        projected[t] += h @ W
        h = states[t] = f(projected[t])
    return states.transpose(1, 0, 2), (X, h0, states, U, W, activation)


def _backward(dhidden, cache, truncate=None):
    X, h0, states, U, W, activation = cache
    T, N, H = states.shape
    slope = _activation_pair(activation)[1](states)
    dstates = dhidden.transpose(1, 0, 2)
    W_T = np.ascontiguousarray(W.T)
    da = np.empty_like(states)
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        # The loss reaches h_t twice: through this step's output and through h_{t+1}.
        da_t = np.add(dstates[t], dh_next, out=da[t])
        da_t *= slope[t]
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next = np.zeros((N, H))      # a window starts here: its initial state is fixed
        else:
            dh_next = da_t @ W_T
    # The weight gradients are sums over time steps: one product each over all T * N rows.
    da_rows = da.reshape(T * N, H)
    previous = np.concatenate([h0[None], states[:-1]]).reshape(T * N, H)
    inputs = X.transpose(1, 0, 2).reshape(T * N, -1)
    dX = (da_rows @ U.T).reshape(T, N, -1).transpose(1, 0, 2)
    return dX, dh_next, inputs.T @ da_rows, previous.T @ da_rows, da_rows.sum(axis=0)


def check_sequences(X: np.ndarray) -> None:
    """ValueError unless X, shape (N, T, D), holds at least one sequence and one time step."""
    if X.shape[0] == 0:
        raise ValueError("X holds no sequences (N = 0): give at least one.")
    if X.shape[1] == 0:
        raise ValueError("X must hold at least one time step, got T = 0.")


def rnn_forward(X, h0, U, W, b, activation: str = "tanh", check: bool = True):
    """Run the recurrence over whole sequences, first time step first.

    Parameters
    ----------
    X : array_like, shape (N, T, D)
    h0 : array_like, shape (N, H), the initial hidden state (usually zeros)
    U : array_like, shape (D, H)
    W : array_like, shape (H, H)
    b : array_like, shape (H,)
    activation : "tanh" or "sigmoid"
    check : bool
        False: trust the arrays (float64, matching shapes) and ``activation`` (inner loops).

    Returns
    -------
    hidden : ndarray, shape (N, T, H), hidden[:, t] = h_t
    cache : tuple (X, h0, states, U, W, activation) for ``rnn_backward``; ``states`` holds
        the hidden states time major, shape (T, N, H).

    Notes
    -----
    The same as calling ``rnn_step_forward`` for t = 0 .. T-1 (a test checks it), except that
    the input term x_t U + b is computed for every step in one product before the loop.
    """
    if not check:
        return _forward(X, h0, U, W, b, activation)
    check_choice("activation", activation, ACTIVATIONS)
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "T", "D"), sizes=sizes)
    check_sequences(X)
    h0 = as_float_array("h0", h0, shape=("N", "H"), sizes=sizes)
    U = as_float_array("U", U, shape=("D", "H"), sizes=sizes)
    W = as_float_array("W", W, shape=("H", "H"), sizes=sizes)
    b = as_float_array("b", b, shape=("H",), sizes=sizes)
    return _forward(X, h0, U, W, b, activation)


def rnn_backward(dhidden, cache, truncate: int | None = None, check: bool = True):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dhidden : array_like, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    cache : from ``rnn_forward``.
    truncate : int >= 1 or None
        None: full BPTT. k: truncated BPTT in windows of k steps (steps 0 .. k-1, k .. 2k-1,
        ...): the states are carried forward across windows, but no gradient flows from one
        window back into the previous one (d2l's "regular truncation"). The result is the sum,
        over windows, of each window's full BPTT with the window's initial state held fixed.
    check : bool
        False: trust ``dhidden`` to be a float64 array of that shape (inner loops).

    Returns
    -------
    dX (N, T, D), dh0 (N, H), and dU (D, H), dW (H, H), db (H,) summed over time steps

    Notes
    -----
    Going backwards from t = T-1 with nothing flowing into the last step from a later one:
    da_t = (dhidden_t + da_{t+1} W^T) * f'(a_t), what ``rnn_step_backward`` computes step by
    step (a test checks it). The shared weights' gradients dU = sum_t x_t^T da_t,
    dW = sum_t h_{t-1}^T da_t and db are then one product each over all N * T rows. With
    ``truncate=k``, da_{t+1} W^T is dropped when t + 1 is a multiple of k; dh0 is then the
    gradient of the first window only.
    """
    if check:
        T, N, H = cache[2].shape
        dhidden = as_float_array("dhidden", dhidden, shape=(N, T, H))
    return _backward(dhidden, cache, truncate)


def uniform_init(rng: np.random.Generator, fan_in: int, shape) -> np.ndarray:
    """Weights uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``rng``."""
    limit = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-limit, limit, size=shape)


__all__ = ["ACTIVATIONS", "check_sequences", "rnn_backward", "rnn_forward", "rnn_step_backward",
           "rnn_step_forward", "uniform_init"]
