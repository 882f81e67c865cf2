"""The long short-term memory (LSTM) cell: one step and a whole sequence, forward and backward.

Pure functions with the ``forward(...) -> (out, cache)`` / ``backward(dout, cache) -> grads``
contract (CS231n's layout: one ``(·, 4H)`` weight matrix per input, the gate blocks in the order
i, f, o, g). One step, for a batch:

    a = x Wx + h_prev Wh + b                      (N, 4H)
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2H]), sigmoid(a[:, 2H:3H])
    g = tanh(a[:, 3H:])
    c = f * c_prev + i * g                        (N, H), the cell state
    h = o * tanh(c)                               (N, H), the hidden state

A whole sequence is the loop over time of the same step, with ``c0 = 0``. As in
``nnlib.rnn_layers``, only the recurrence loops over time: the input term ``x_t Wx + b`` and the
weight gradients are one product each over all N * T rows. ``nnlib.lstm`` re-exports these
functions and puts the model on them.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, tanh
from nnlib.rnn_layers import check_sequences
from nnlib.validation import as_float_array

GATES = ("i", "f", "o", "g")


# ----------------------------------------------------------------------------------------
# One time step

def _gates(a: np.ndarray) -> np.ndarray:
    # Sigmoid on the three gate blocks i, f, o (contiguous), tanh on the candidate g.
    H = a.shape[-1] // 4
    out = np.empty_like(a)
    out[..., :3 * H] = sigmoid(a[..., :3 * H])
    out[..., 3 * H:] = tanh(a[..., 3 * H:])
    return out


def _cell(gates: np.ndarray, c_prev: np.ndarray):
    H = c_prev.shape[-1]
    i, f, o, g = (gates[..., k * H:(k + 1) * H] for k in range(4))
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    return o * tanh_c, c, tanh_c


def _gate_slopes(dgates: np.ndarray, gates: np.ndarray) -> np.ndarray:
    # Back through the gate nonlinearities, written with their outputs: s (1 - s), 1 - g^2.
    H = gates.shape[-1] // 4
    da = np.empty_like(gates)
    s, g = gates[..., :3 * H], gates[..., 3 * H:]
    da[..., :3 * H] = dgates[..., :3 * H] * s * (1.0 - s)
    da[..., 3 * H:] = dgates[..., 3 * H:] * (1.0 - g * g)
    return da


def _cell_backward(dh, dc, gates, c_prev, tanh_c):
    # Gradient reaching the gates' outputs (N, 4H) and the previous cell state (N, H).
    H = c_prev.shape[-1]
    i, f, o, g = (gates[..., k * H:(k + 1) * H] for k in range(4))
    dc_total = dc + dh * o * (1.0 - tanh_c * tanh_c)     # c reaches the loss twice: via h and c
    dgates = np.concatenate([dc_total * g, dc_total * c_prev, dh * tanh_c, dc_total * i],
                            axis=-1)
    return dgates, dc_total * f


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step for a batch.

    Parameters
    ----------
    x : array_like, shape (N, D)
    h_prev : array_like, shape (N, H)
        Hidden state of the previous step.
    c_prev : array_like, shape (N, H)
        Cell state of the previous step.
    Wx : array_like, shape (D, 4H)
        Input weights, gate blocks in the order i, f, o, g.
    Wh : array_like, shape (H, 4H)
        Recurrent weights, same block order.
    b : array_like, shape (4H,)

    Returns
    -------
    h : ndarray, shape (N, H)
    c : ndarray, shape (N, H)
    cache : tuple, what ``lstm_step_backward`` needs.

    Notes
    -----
    a = x Wx + h_prev Wh + b; i, f, o = sigmoid of the first three blocks, g = tanh of the last;
    c = f * c_prev + i * g; h = o * tanh(c).
    """
    sizes: dict[str, int] = {}
    x = as_float_array("x", x, shape=("N", "D"), sizes=sizes)
    h_prev = as_float_array("h_prev", h_prev, shape=("N", "H"), sizes=sizes)
    c_prev = as_float_array("c_prev", c_prev, shape=("N", "H"), sizes=sizes)
    H = sizes["H"]
    Wx = as_float_array("Wx", Wx, shape=("D", 4 * H), sizes=sizes)
    Wh = as_float_array("Wh", Wh, shape=(H, 4 * H))
    b = as_float_array("b", b, shape=(4 * H,))
    gates = _gates(x @ Wx + h_prev @ Wh + b)
    h, c, tanh_c = _cell(gates, c_prev)
    return h, c, (x, h_prev, c_prev, gates, tanh_c, Wx, Wh)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    Parameters
    ----------
    dh : array_like, shape (N, H)
        Gradient of the loss with respect to this step's ``h``.
    dc : array_like, shape (N, H)
        Gradient with respect to this step's ``c`` from later steps (zeros after the last).
    cache : from ``lstm_step_forward``.

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
    x, h_prev, c_prev, gates, tanh_c, Wx, Wh = cache
    dh = as_float_array("dh", dh, shape=h_prev.shape)
    dc = as_float_array("dc", dc, shape=h_prev.shape)
    dgates, dc_prev = _cell_backward(dh, dc, gates, c_prev, tanh_c)
    da = _gate_slopes(dgates, gates)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)


# ----------------------------------------------------------------------------------------
# A whole sequence: a loop of steps, and backpropagation through time

def _forward(X, h0, Wx, Wh, b):
    # Time major inside, (T, N, ·), so that each step reads and writes one contiguous block;
    # every step writes straight into the cache, with few temporary arrays.
    N, T, D = X.shape
    H = h0.shape[1]
    gates = (X.transpose(1, 0, 2).reshape(T * N, D) @ Wx + b).reshape(T, N, 4 * H)
    cells, tanh_cells, states = np.empty((3, T, N, H))
    h, c = h0, np.zeros((N, H))
    for t in range(T):
        a = gates[t]
        a += h @ Wh
        a[:, :3 * H] = sigmoid(a[:, :3 * H])
        a[:, 3 * H:] = tanh(a[:, 3 * H:])
        c = np.multiply(a[:, H:2 * H], c, out=cells[t])             # f * c_prev
        c += a[:, :H] * a[:, 3 * H:]                                  # + i * g
        tanh_cells[t] = tanh(c)
        h = np.multiply(a[:, 2 * H:3 * H], tanh_cells[t], out=states[t])   # o * tanh(c)
    return states.transpose(1, 0, 2), (X, h0, states, cells, tanh_cells, gates, Wx, Wh)


def _backward(dHs, cache, truncate=None):
    X, h0, states, cells, tanh_cells, gates, Wx, Wh = cache
    T, N, H = states.shape
    dstates = dHs.transpose(1, 0, 2)
    previous_cells = np.concatenate([np.zeros((1, N, H)), cells[:-1]])
    Wh_T = np.ascontiguousarray(Wh.T)
    da = np.empty_like(gates)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        # h_t reaches the loss through this step's output and through step t+1.
        dgates, dc_next = _cell_backward(dstates[t] + dh_next, dc_next, gates[t],
                                         previous_cells[t], tanh_cells[t])
        da[t] = _gate_slopes(dgates, gates[t])
        if truncate is not None and t > 0 and t % truncate == 0:
            # A window starts here: its initial states are held fixed.
            dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
        else:
            dh_next = da[t] @ Wh_T
    # The shared weights' gradients are sums over time: one product each over all T * N rows.
    da_rows = da.reshape(T * N, 4 * H)
    previous = np.concatenate([h0[None], states[:-1]]).reshape(T * N, H)
    inputs = X.transpose(1, 0, 2).reshape(T * N, -1)
    dX = (da_rows @ Wx.T).reshape(T, N, -1).transpose(1, 0, 2)
    return dX, dh_next, inputs.T @ da_rows, previous.T @ da_rows, da_rows.sum(axis=0)


def lstm_forward(X, h0, Wx, Wh, b, check: bool = True):
    """Run the LSTM over whole sequences, first time step first, from ``c0 = 0``.

    Parameters
    ----------
    X : array_like, shape (N, T, D)
    h0 : array_like, shape (N, H)
        Initial hidden state (usually zeros).
    Wx : array_like, shape (D, 4H)
    Wh : array_like, shape (H, 4H)
    b : array_like, shape (4H,)
    check : bool
        False skips the checks of the inputs (for callers that checked them already, as the
        ``LSTM`` model does).

    Returns
    -------
    Hs : ndarray, shape (N, T, H)
        Hs[:, t] = h_t.
    cache : tuple, for ``lstm_backward``; it holds, time major, the hidden states (T, N, H),
        the cell states (T, N, H), tanh of the cell states and the gates' outputs (T, N, 4H).

    Notes
    -----
    The same as calling ``lstm_step_forward`` for t = 0 .. T-1 (a test checks it), except that
    the input term x_t Wx + b is computed for every step in one product before the loop.
    """
    if not check:
        return _forward(X, h0, Wx, Wh, b)
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "T", "D"), sizes=sizes)
    check_sequences(X)
    h0 = as_float_array("h0", h0, shape=("N", "H"), sizes=sizes)
    H = sizes["H"]
    Wx = as_float_array("Wx", Wx, shape=("D", 4 * H), sizes=sizes)
    Wh = as_float_array("Wh", Wh, shape=(H, 4 * H))
    b = as_float_array("b", b, shape=(4 * H,))
    return _forward(X, h0, Wx, Wh, b)


def lstm_backward(dHs, cache, truncate: int | None = None, check: bool = True):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dHs : array_like, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    cache : from ``lstm_forward``.
    truncate : int >= 1 or None
        None: full BPTT. k: truncated BPTT in windows of k steps (steps 0 .. k-1, k .. 2k-1,
        ...): the states h and c are carried forward across windows, but no gradient flows
        from one window back into the previous one (d2l's "regular truncation"); the result is
        the sum over windows of each window's full BPTT with its initial h and c held fixed.
    check : bool
        False skips the check of ``dHs``.

    Returns
    -------
    dX : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 4H), summed over time steps
    dWh : ndarray, shape (H, 4H), summed over time steps
    db : ndarray, shape (4H,), summed over time steps

    Notes
    -----
    Going backwards from t = T-1, step t receives dh = dHs_t + dh_prev from step t+1 and
    dc = dc_prev from step t+1, exactly what ``lstm_step_backward`` computes step by step
    (a test checks it). Along the cell path dc_{t-1} = dc_total_t * f_t: a product of forget
    gates, not of weight matrices and tanh slopes. With ``truncate=k`` both dh_prev and
    dc_prev are dropped where step t + 1 is a multiple of k (the start of a window).
    """
    if check:
        T, N, H = cache[2].shape
        dHs = as_float_array("dHs", dHs, shape=(N, T, H))
    return _backward(dHs, cache, truncate)
