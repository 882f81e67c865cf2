"""The gated recurrent unit (GRU) of Cho et al. (2014): one step and a whole sequence, forward
and backward, and the model (the ``RNN``'s output heads on the GRU recurrence).

One step, for a batch (gate blocks in the order r, z, n, as in ``(·, 3H)`` weight matrices):

    r = sigmoid(x Wx_r + h_prev Wh_r + b_r)       (N, H), the reset gate
    z = sigmoid(x Wx_z + h_prev Wh_z + b_z)       (N, H), the update gate
    n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n)    (N, H), the candidate
    h = (1 - z) * n + z * h_prev                  (N, H)

The reset gate multiplies the previous state before its weights, as in Cho et al.'s paper
(PyTorch's ``nn.GRU`` multiplies after them). There is no separate cell: ``z`` near 1 keeps
``h`` as it was and passes its gradient back unchanged, the role of the LSTM's forget gate.
Left out on purpose: several layers, dropout, a bias on the update gate's start.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.activations import sigmoid, tanh
from nnlib.rnn import RNN, uniform_init

GRU_GATES = ("r", "z", "n")


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` reads, saved by ``gru_step_forward``."""

    x: np.ndarray         # (N, D), this step's input
    h_prev: np.ndarray    # (N, H), the previous hidden state
    r: np.ndarray         # (N, H), reset gate, after its sigmoid
    z: np.ndarray         # (N, H), update gate, after its sigmoid
    n: np.ndarray         # (N, H), candidate, after its tanh
    Wx: np.ndarray        # (D, 3H)
    Wh: np.ndarray        # (H, 3H)


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One GRU step for a batch.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    h_prev : ndarray, shape (N, H)
    Wx : ndarray, shape (D, 3H), blocks r, z, n
    Wh : ndarray, shape (H, 3H), blocks r, z, n
    b : ndarray, shape (3H,)

    Returns
    -------
    h : ndarray, shape (N, H)
    cache : GRUStepCache

    Notes
    -----
    r, z = sigmoid(x Wx + h_prev Wh + b) (first two blocks);
    n = tanh(x Wx_n + (r h_prev) Wh_n + b_n); h = (1 - z) n + z h_prev.
    """
    H = h_prev.shape[1]
    gates = sigmoid(x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H])
    r, z = gates[:, :H], gates[:, H:]
    n = tanh(x @ Wx[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x, h_prev, r, z, n, Wx, Wh)


def gru_step_backward(dh, cache):
    """Backward pass of one GRU step.

    Parameters
    ----------
    dh : ndarray, shape (N, H), gradient with respect to this step's ``h``
    cache : GRUStepCache, from ``gru_step_forward``

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    dWx : ndarray, shape (D, 3H)
    dWh : ndarray, shape (H, 3H)
    db : ndarray, shape (3H,)

    Notes
    -----
    dn = dh (1 - z), dz = dh (h_prev - n); da_n = dn (1 - n^2); the reset path:
    d(r h_prev) = da_n Wh_n^T, dr = d(r h_prev) h_prev; h_prev reaches h directly (z), through
    r * h_prev, and through the gates' pre-activations.
    """
    x, h_prev, r, z, n, Wx, Wh = cache
    H = h_prev.shape[1]
    da_n = dh * (1 - z) * (1 - n**2)
    d_reset_h = da_n @ Wh[:, 2 * H:].T                    # gradient of r * h_prev
    da_gates = np.concatenate([d_reset_h * h_prev * r * (1 - r),
                               dh * (h_prev - n) * z * (1 - z)], axis=1)
    da = np.concatenate([da_gates, da_n], axis=1)         # (N, 3H)
    dx = da @ Wx.T
    dh_prev = dh * z + d_reset_h * r + da_gates @ Wh[:, :2 * H].T
    dWx = x.T @ da
    dWh = np.concatenate([h_prev.T @ da_gates, (r * h_prev).T @ da_n], axis=1)
    db = da.sum(axis=0)
    return dx, dh_prev, dWx, dWh, db


def gru_forward(X, h0, Wx, Wh, b):
    """Run the GRU over whole sequences, first time step first.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
    Wx : ndarray, shape (D, 3H)
    Wh : ndarray, shape (H, 3H)
    b : ndarray, shape (3H,)

    Returns
    -------
    Hs : ndarray, shape (N, T, H)
    caches : list of T ``GRUStepCache``
    """
    N, T, _ = X.shape
    Hs = np.empty((N, T, h0.shape[1]))
    caches = []
    h = h0
    for t in range(T):
        h, cache = gru_step_forward(X[:, t], h, Wx, Wh, b)
        Hs[:, t] = h
        caches.append(cache)
    return Hs, caches


def gru_backward(dHs, caches, truncate=None):
    """Backpropagation through time: the loop, last step first, of ``gru_step_backward``.

    Parameters
    ----------
    dHs : ndarray, shape (N, T, H), gradient reaching each h_t from the output at step t
    caches : list of T ``GRUStepCache``
    truncate : int >= 1 or None; k: no gradient flows into step t from step t+1 when t+1 is
        a multiple of k (as ``nnlib.lstm.lstm_backward``)

    Returns
    -------
    dX : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dWx, dWh, db : summed over the time steps
    """
    N, T, H = dHs.shape
    first = caches[0]
    dX = np.empty((N, T, first.x.shape[1]))
    dWx, dWh, db = np.zeros_like(first.Wx), np.zeros_like(first.Wh), np.zeros(3 * H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        if truncate is not None and (t + 1) % truncate == 0:
            dh_next = np.zeros((N, H))
        dX[:, t], dh_next, dWx_t, dWh_t, db_t = gru_step_backward(dHs[:, t] + dh_next,
                                                                  caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dX, dh_next, dWx, dWh, db


class GRU(RNN):
    """A one-layer GRU with the ``RNN``'s output heads (every step, or the last one).

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    rng : np.random.Generator
        Draws Wx, Wh, then the head's V, uniform in +-1/sqrt(fan_in); biases zero.
    head, output, output_size, truncate : as for ``nnlib.rnn.RNN``

    Attributes
    ----------
    params : dict with Wx (D, 3H), Wh (H, 3H), b (3H,) (blocks r, z, n), V (H, C), c (C,)
    """

    def __init__(self, input_size: int, hidden_size: int, *, rng: np.random.Generator,
                 head: str = "softmax", output: str = "sequence",
                 output_size: int | None = None, truncate: int | None = None):
        super().__init__(input_size, hidden_size, rng=rng, head=head, activation="tanh",
                         output=output, output_size=output_size, truncate=truncate)

    def _recurrence_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        D, H = self.input_size, self.hidden_size
        return {"Wx": uniform_init(rng, D, (D, 3 * H)), "Wh": uniform_init(rng, H, (H, 3 * H)),
                "b": np.zeros(3 * H)}

    def _parameter_count(self) -> int:
        D, H = self.input_size, self.hidden_size
        return 3 * H * (D + H + 1) + H * self._logits_size + self._logits_size

    def _recurrence_forward(self, X):
        p = self.params
        return gru_forward(X, np.zeros((X.shape[0], self.hidden_size)), p["Wx"], p["Wh"], p["b"])

    def _recurrence_backward(self, dhidden, cache) -> dict[str, np.ndarray]:
        _, _, dWx, dWh, db = gru_backward(dhidden, cache, self.truncate)
        return {"Wx": dWx, "Wh": dWh, "b": db}

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "head": self.head, "output": self.output, "output_size": self.output_size,
                "truncate": self.truncate}


__all__ = ["GRU", "GRUStepCache", "GRU_GATES", "gru_backward", "gru_forward",
           "gru_step_backward", "gru_step_forward"]
