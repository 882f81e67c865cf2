"""The long short-term memory (LSTM) model: the ``RNN``'s output heads on the LSTM recurrence.

The cell's maths (one step and a whole sequence, forward and backward) live in
``nnlib.lstm_layers`` and are re-exported here. One step, for a batch:

    a = x Wx + h_prev Wh + b                      (N, 4H)
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2H]), sigmoid(a[:, 2H:3H])
    g = tanh(a[:, 3H:])
    c = f * c_prev + i * g                        (N, H), the cell state
    h = o * tanh(c)                               (N, H), the hidden state

Left out on purpose: peephole connections, several layers, dropout.
"""

from __future__ import annotations

import numpy as np

from nnlib.lstm_layers import (GATES, LSTMStepCache, lstm_backward, lstm_forward,
                               lstm_step_backward, lstm_step_forward)
from nnlib.rnn import RNN, uniform_init
from nnlib.validation import check_number

__all__ = ["GATES", "LSTM", "LSTMStepCache", "lstm_backward", "lstm_forward", "lstm_step_backward",
           "lstm_step_forward"]


# ----------------------------------------------------------------------------------------
# The model: the RNN's output heads on the LSTM recurrence

class LSTM(RNN):
    """A one-layer LSTM with the ``RNN``'s output heads (every step, or the last one).

    Parameters
    ----------
    input_size : int, D
    hidden_size : int, H
    rng : np.random.Generator
        Draws Wx, Wh, then the head's V, uniform in +-1/sqrt(fan_in); biases zero except the
        forget gate's.
    head : "softmax", "sigmoid" or "regression" (as for ``nnlib.rnn.RNN``)
    output : "sequence" or "last" (as for ``nnlib.rnn.RNN``)
    output_size : int or None, C (as for ``nnlib.rnn.RNN``)
    forget_bias : float
        Initial bias of the forget gate (its block of b). 1 starts every cell keeping about
        sigmoid(1) = 73 % of its content per step (Gers, Schmidhuber and Cummins, 2000;
        Jozefowicz, Zaremba and Sutskever, 2015).
    truncate : int >= 1 or None
        None: full BPTT; k: truncated BPTT in windows of k steps (``lstm_backward``).

    Attributes
    ----------
    params : dict with Wx (D, 4H), Wh (H, 4H), b (4H,) (gate blocks i, f, o, g), V (H, C),
        c (C,)

    Notes
    -----
    Targets, loss and predictions exactly as for ``RNN``; only the recurrence differs.
    """

    def __init__(self, input_size: int, hidden_size: int, *, rng: np.random.Generator,
                 head: str = "softmax", output: str = "sequence",
                 output_size: int | None = None, forget_bias: float = 1.0,
                 truncate: int | None = None):
        self.forget_bias = check_number("forget_bias", forget_bias)
        super().__init__(input_size, hidden_size, rng=rng, head=head, activation="tanh",
                         output=output, output_size=output_size, truncate=truncate)

    def _recurrence_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        D, H = self.input_size, self.hidden_size
        b = np.zeros(4 * H)
        b[H:2 * H] = self.forget_bias
        return {"Wx": uniform_init(rng, D, (D, 4 * H)), "Wh": uniform_init(rng, H, (H, 4 * H)),
                "b": b}

    def _parameter_count(self) -> int:
        D, H = self.input_size, self.hidden_size
        return 4 * H * (D + H + 1) + H * self._logits_size + self._logits_size

    def _recurrence_forward(self, X):
        p = self.params
        return lstm_forward(X, np.zeros((X.shape[0], self.hidden_size)), p["Wx"], p["Wh"], p["b"])

    def _recurrence_backward(self, dhidden, cache) -> dict[str, np.ndarray]:
        _, _, dWx, dWh, db = lstm_backward(dhidden, cache, self.truncate)
        return {"Wx": dWx, "Wh": dWh, "b": db}

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "head": self.head, "output": self.output, "output_size": self.output_size,
                "forget_bias": self.forget_bias, "truncate": self.truncate}

    def internals(self, X) -> dict[str, np.ndarray]:
        """The states and gates of every step for inputs ``X`` (N, T, D), from zeros.

        Returns
        -------
        dict with h, c (N, T, H) and the gates i, f, o, g (N, T, H), each after its
        nonlinearity.
        """
        hidden, caches = self._recurrence_forward(self.check_inputs(X))
        result = {"h": hidden, "c": np.stack([cache.c for cache in caches], axis=1)}
        for name in GATES:
            result[name] = np.stack([getattr(cache, name) for cache in caches], axis=1)
        return result

