"""A bidirectional recurrent network: every output sees the whole input sequence (notebook 05).

A one-way RNN's output at step t depends on the inputs 0 .. t only. For binary addition read
most significant bit first, that is not enough: the carry into a position comes from the
positions *after* it in reading order. A bidirectional RNN runs two recurrences over the same
sequence, one forwards and one backwards, and reads both states at every step:

    f_t = f(x_t U_f + f_{t-1} W_f + b_f)        t = 0 .. T-1      (N, H)
    g_t = f(x_t U_b + g_{t+1} W_b + b_b)        t = T-1 .. 0      (N, H)
    z_t = [f_t, g_t] V + c                                        (N, C)

Both recurrences are ``nnlib.rnn.rnn_forward`` / ``rnn_backward`` (the backward one on the
time-reversed sequence), so this file adds no new recurrence maths, only the wiring. The pure
functions (which trust their arrays; the model checks its inputs) keep the ``(out, cache)`` /
``backward(dout, cache)`` contract; ``BiRNN`` is an ``nnlib.rnn.RNN`` whose recurrence hooks run both directions (parameters
``U_f, W_f, b_f, U_b, W_b, b_b, V, c``), so ``nnlib.train.fit`` and
``nnlib.addition.exact_sum_accuracy`` train and score it unchanged. Deliberately left out:
stacked layers, gated cells, and any use for generation (a bidirectional network must see the
whole input before its first output, so it cannot stream).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.rnn import RNN, rnn_backward, rnn_forward, uniform_init


class BiRNNCache(NamedTuple):
    """What ``birnn_backward`` reads, saved by ``birnn_forward``."""

    forward: list        # the forward recurrence's step caches (``rnn_forward``)
    backward: list       # the backward recurrence's, over the reversed sequence


def birnn_forward(X, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b, activation="tanh"):
    """Both recurrences over whole sequences, their states side by side.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    h0_f : ndarray, shape (N, H), state before the first step of the forward recurrence.
    h0_b : ndarray, shape (N, H), state "after the last step", where the backward one starts.
    U_f, U_b : ndarray, shape (D, H)
    W_f, W_b : ndarray, shape (H, H)
    b_f, b_b : ndarray, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    hidden : ndarray, shape (N, T, 2H)
        hidden[:, t] = [f_t, g_t]: f_t has read x_0 .. x_t, g_t has read x_t .. x_{T-1}.
    cache : BiRNNCache, for ``birnn_backward``.

    Notes
    -----
    g = reverse(rnn_forward(reverse(X), h0_b, U_b, W_b, b_b)), reverse flipping the time axis.
    """
    forward_states, caches_f = rnn_forward(X, h0_f, U_f, W_f, b_f, activation)
    # The backward recurrence is the same recurrence over the reversed sequence.
    reversed_states, caches_b = rnn_forward(X[:, ::-1], h0_b, U_b, W_b, b_b, activation)
    hidden = np.concatenate([forward_states, reversed_states[:, ::-1]], axis=-1)
    return hidden, BiRNNCache(caches_f, caches_b)


def birnn_backward(dhidden, cache, truncate=None):
    """Backpropagation through time through both recurrences.

    Parameters
    ----------
    dhidden : ndarray, shape (N, T, 2H)
        Gradient of the loss with respect to [f_t, g_t] through the output head.
    cache : BiRNNCache, from ``birnn_forward``.
    truncate : int >= 1 or None
        As for ``rnn_backward``, in each recurrence's own reading order (the backward
        recurrence's windows count from the sequence's last step).

    Returns
    -------
    dX : ndarray, shape (N, T, D), the sum of what flows back through both recurrences
    dh0_f, dh0_b : ndarrays, shape (N, H)
    dU_f, dW_f, db_f, dU_b, dW_b, db_b : ndarrays, shapes of the weights, summed over time

    Notes
    -----
    The first H columns of dhidden go to the forward recurrence's ``rnn_backward``; the last H,
    time-reversed, to the backward one's; its dX is reversed back before the two are added.
    """
    H = dhidden.shape[-1] // 2
    dX_f, dh0_f, dU_f, dW_f, db_f = rnn_backward(dhidden[..., :H], cache.forward, truncate)
    dX_r, dh0_b, dU_b, dW_b, db_b = rnn_backward(dhidden[:, ::-1, H:], cache.backward,
                                                 truncate)
    return dX_f + dX_r[:, ::-1], dh0_f, dh0_b, dU_f, dW_f, db_f, dU_b, dW_b, db_b


class BiRNN(RNN):
    """A bidirectional recurrent network: ``RNN`` with two recurrences instead of one.

    Only the recurrence differs from ``nnlib.rnn.RNN`` (its three hooks); the heads, the
    checks, ``predict_proba``, ``predict`` and training through ``nnlib.train.fit`` are RNN's.

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H, units of *each* direction (the head reads 2H values per step).
    rng : np.random.Generator
        Draws U_f, W_f, U_b, W_b, V uniform in +-1/sqrt(fan_in), biases zero.
    head, activation, output, output_size, truncate : as for ``RNN`` (with ``truncate``, the
        backward recurrence's windows count from its own first step, the sequence's last).

    Attributes
    ----------
    params : dict with U_f (D, H), W_f (H, H), b_f (H,), U_b (D, H), W_b (H, H), b_b (H,),
        V (2H, C), c (C,)
    """

    def _recurrence_params(self, rng):
        D, H = self.input_size, self.hidden_size
        return {"U_f": uniform_init(rng, D, (D, H)), "W_f": uniform_init(rng, H, (H, H)),
                "b_f": np.zeros(H), "U_b": uniform_init(rng, D, (D, H)),
                "W_b": uniform_init(rng, H, (H, H)), "b_b": np.zeros(H)}

    @property
    def _features_size(self) -> int:
        return 2 * self.hidden_size

    def _parameter_count(self) -> int:
        D, H = self.input_size, self.hidden_size
        return 2 * H * (D + H + 1) + 2 * H * self._logits_size + self._logits_size

    def _recurrence_forward(self, X):
        """[f_t, g_t] for checked X (N, T, D), both starting from zeros: (N, T, 2H)."""
        p = self.params
        h0 = np.zeros((X.shape[0], self.hidden_size))
        return birnn_forward(X, h0, h0, p["U_f"], p["W_f"], p["b_f"], p["U_b"], p["W_b"],
                             p["b_b"], self.activation)

    def _recurrence_backward(self, dhidden, cache):
        grads = birnn_backward(dhidden, cache, self.truncate)[3:]
        return dict(zip(("U_f", "W_f", "b_f", "U_b", "W_b", "b_b"), grads))


__all__ = ["BiRNN", "BiRNNCache", "birnn_backward", "birnn_forward"]
