"""A vanilla recurrent network, vectorised over a batch, trained by backpropagation through time.

The recurrence's pure functions (one step, a whole sequence, BPTT) live in
``nnlib.rnn_layers`` and are re-exported here; this module adds the output heads and the model:

    h_t = f(x_t U + h_{t-1} W + b)          (N, H), f = tanh or sigmoid
    z_t = h_t V + c                         (N, C), the output head

``RNN`` is a ``nnlib.model.Model``. Its output head reads either every step
(``output="sequence"``, targets (N, T)) or only the last one (``output="last"``, targets (N,)
or (N, C)); ``head`` chooses the loss (see ``RNN``). The recurrence sits behind three hooks,
``_recurrence_params``, ``_recurrence_forward`` and ``_recurrence_backward``: ``BiRNN`` and an
LSTM override only those. Activations come from ``nnlib.activations``, losses from
``nnlib.losses``, the output layer (at every step or the last) from ``nnlib.layers``. Gated cells are left out on
purpose: this module is the smallest recurrent network that learns to carry.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import (binary_cross_entropy_with_logits, softmax, softmax_cross_entropy,
                          squared_error_loss)
from nnlib.model import Model
from nnlib.rnn_layers import (ACTIVATIONS, rnn_backward, rnn_forward, rnn_step_backward,
                              rnn_step_forward, uniform_init)
from nnlib.validation import (as_float_array, check_choice, check_labels, check_memory,
                              check_number, check_rng)

OUTPUTS = ("sequence", "last")
HEADS = ("softmax", "sigmoid", "regression")


# ----------------------------------------------------------------------------------------
# Output heads: the loss of the logits, mean over every scored position

def _head_loss(logits, y, head):
    if head == "sigmoid":
        loss, dz = binary_cross_entropy_with_logits(logits[..., 0], y, "mean")
        return loss, dz[..., None]
    if head == "regression":
        if not np.all(np.isfinite(logits)):
            return float("nan"), logits
        return squared_error_loss(logits, y, reduction="mean")
    if logits.shape[-1] == 2:
        # Two classes: softmax(z)_1 = sigmoid(z_1 - z_0), so the cross-entropy is the binary
        # one of d = z_1 - z_0 and dL/dz_1 = -dL/dz_0: the same numbers in fewer operations.
        loss, dd = binary_cross_entropy_with_logits(logits[..., 1] - logits[..., 0], y, "mean")
        return loss, np.stack([-dd, dd], axis=-1)
    return softmax_cross_entropy(logits, y, "mean")


def bit_loss(logits, y, head: str):
    """Cross-entropy of predicted bits, in nats per bit (mean over N and T).

    Parameters
    ----------
    logits : array_like, shape (N, T, C), C = 1 for ``head="sigmoid"``, 2 for ``"softmax"``
    y : array_like of int, shape (N, T), values 0 or 1
    head : "sigmoid" or "softmax"

    Returns
    -------
    loss : float, nats per bit; ``exp(loss)`` is the perplexity
    dlogits : ndarray, shape (N, T, C)

    Notes
    -----
    sigmoid: -[y log s(z) + (1 - y) log(1 - s(z))], gradient (s(z) - y) / (N T);
    softmax: -log softmax(z)_y, gradient (softmax(z) - onehot(y)) / (N T).
    """
    check_choice("head", head, ("sigmoid", "softmax"))
    classes = 1 if head == "sigmoid" else 2
    logits = as_float_array("logits", logits, shape=("N", "T", classes))
    return _head_loss(logits, check_labels("y", y, logits.shape[:2], 2), head)


# ----------------------------------------------------------------------------------------
# The model

class RNN(Model):
    """A one-layer recurrent network with an output head at every step or at the last one.

    Parameters
    ----------
    input_size : int, D (2 for binary addition: one bit of each addend)
    hidden_size : int, H
    rng : np.random.Generator
        Draws the initial weights: U, W, V uniform in +-1/sqrt(fan_in), biases zero.
    head : "softmax", "sigmoid" or "regression"
        softmax: C classes, cross-entropy (C = 2: one bit); sigmoid: one bit, C = 1, binary
        cross-entropy; regression: C real outputs, mean squared error (``output="last"`` only).
    activation : "tanh" or "sigmoid", the hidden units' nonlinearity.
    output : "sequence" or "last"
        sequence: the head reads every h_t, targets y (N, T) (integers); last: only h_{T-1},
        targets (N,) integers (softmax, sigmoid) or (N, C) floats (regression).
    output_size : int or None, C, the number of outputs: classes for softmax (default 2) and
        sigmoid (always 2: one logit scores both), real outputs for regression (default 1).
    truncate : int >= 1 or None
        None: full backpropagation through time. k: truncated BPTT in windows of k steps
        (``nnlib.rnn_layers.rnn_backward``): states carried across windows, gradients not.

    Attributes
    ----------
    params : dict with U (D, H), W (H, H), b (H,), V (H, C), c (C,) (C = 1 column for the
        sigmoid head's one logit)
    output_size : int, C
    task : "classification", or "regression" for the regression head

    Notes
    -----
    The loss is the mean over every scored position: nats per bit (per step and example) for
    the bit heads, nats per example for ``"last"`` softmax, squared error per output entry for
    regression. ``predict_proba`` gives the probability of every class, shape (N, T, C) with
    ``output="sequence"`` and (N, C) with ``output="last"`` (the bit heads: C = 2 columns,
    [P(bit = 0), P(bit = 1)]); ``predict`` is its argmax. The regression head has ``predict``
    only, which returns its numbers (N, C).
    Subclasses (``nnlib.birnn.BiRNN``, an LSTM) replace only the recurrence:
    ``_recurrence_params``, ``_recurrence_forward``, ``_recurrence_backward`` and, when the
    head reads more than H numbers per step, ``_features_size``.
    """

    def __init__(self, input_size: int, hidden_size: int, *, rng: np.random.Generator,
                 head: str = "softmax", activation: str = "tanh", output: str = "sequence",
                 output_size: int | None = None, truncate: int | None = None):
        self.input_size = check_number("input_size", input_size, minimum=1, integer=True)
        self.hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        check_rng(rng)
        self.head = check_choice("head", head, HEADS)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.output = check_choice("output", output, OUTPUTS)
        self.truncate = None if truncate is None else check_number(
            "truncate", truncate, minimum=1, integer=True)
        if head == "regression" and output != "last":
            raise ValueError("head='regression' needs output='last' (one real target per "
                             "sequence), got output='sequence'.")
        if head == "sigmoid":
            if output_size not in (None, 2):
                raise ValueError(f"head='sigmoid' scores two classes (one logit), so "
                                 f"output_size must be 2 or None, got {output_size!r}.")
            self.output_size = 2
        elif output_size is None:
            self.output_size = 2 if head == "softmax" else 1
        else:
            self.output_size = check_number("output_size", output_size,
                                            minimum=2 if head == "softmax" else 1, integer=True)
        check_memory(f"the {type(self).__name__}'s parameters", self._parameter_count(),
                     "input_size, hidden_size or output_size")
        params = self._recurrence_params(rng)
        features, logits = self._features_size, self._logits_size
        params["V"] = uniform_init(rng, features, (features, logits))
        params["c"] = np.zeros(logits)
        self.params = params

    @property
    def task(self) -> str:
        """"regression" for the regression head, else "classification"."""
        return "regression" if self.head == "regression" else "classification"

    @property
    def _logits_size(self) -> int:
        """Columns of the head's weights: one logit for the sigmoid head, C otherwise."""
        return 1 if self.head == "sigmoid" else self.output_size

    def _parameter_count(self) -> int:
        """How many numbers ``params`` will hold (for the memory check before drawing them)."""
        D, H = self.input_size, self.hidden_size
        return H * (D + H + 1) + self._features_size * self._logits_size + self._logits_size

    # --- the recurrence: the three hooks a subclass replaces -----------------------------

    def _recurrence_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """The recurrence's parameters, drawn from ``rng`` in a fixed order (U, W, then b)."""
        D, H = self.input_size, self.hidden_size
        return {"U": uniform_init(rng, D, (D, H)), "W": uniform_init(rng, H, (H, H)),
                "b": np.zeros(H)}

    @property
    def _features_size(self) -> int:
        """Numbers per step that the head reads (H here, 2H for a bidirectional network)."""
        return self.hidden_size

    def _recurrence_forward(self, X):
        """Checked X (N, T, D) -> hidden (N, T, H) and a cache for ``_recurrence_backward``."""
        p = self.params
        h0 = np.zeros((X.shape[0], self.hidden_size))
        return rnn_forward(X, h0, p["U"], p["W"], p["b"], self.activation)

    def _recurrence_backward(self, dhidden, cache) -> dict[str, np.ndarray]:
        """dhidden (N, T, H) + cache -> the gradients of the recurrence's own parameters."""
        _, _, dU, dW, db = rnn_backward(dhidden, cache, self.truncate)
        return {"U": dU, "W": dW, "b": db}

    # --- the protocol ---------------------------------------------------------------------

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "head": self.head, "activation": self.activation, "output": self.output,
                "output_size": self.output_size, "truncate": self.truncate}

    def check_inputs(self, X):
        X = as_float_array("X", X, shape=("N", "T", self.input_size))
        if X.shape[0] == 0:
            raise ValueError("X holds no sequences (N = 0): give at least one.")
        if X.shape[1] == 0:
            raise ValueError("X must hold at least one time step, got T = 0.")
        return X

    def check_targets(self, y, X):
        N, T = X.shape[:2]
        if self.head == "regression":
            return as_float_array("y", y, shape=(N, self.output_size))
        return check_labels("y", y, (N, T) if self.output == "sequence" else (N,),
                            self.output_size)

    def _run(self, X):
        hidden, cache = self._recurrence_forward(X)
        features = hidden if self.output == "sequence" else hidden[:, -1]
        logits, head_cache = affine_forward(features, self.params["V"], self.params["c"])
        return logits, (hidden, cache, head_cache)

    def _loss(self, X, y) -> float:
        return _head_loss(self._run(X)[0], y, self.head)[0]

    def _loss_and_grads(self, X, y):
        logits, (hidden, cache, head_cache) = self._run(X)
        loss, dlogits = _head_loss(logits, y, self.head)
        dfeatures, dV, dc = affine_backward(dlogits, head_cache)
        if self.output == "sequence":
            dhidden = dfeatures
        else:
            dhidden = np.zeros_like(hidden)
            dhidden[:, -1] = dfeatures
        grads = self._recurrence_backward(dhidden, cache)
        grads["V"], grads["c"] = dV, dc
        return loss, grads

    def _predict_proba(self, X):
        logits = self._run(X)[0]
        if self.head == "sigmoid":
            p = sigmoid(logits)                # P(bit = 1), (..., 1)
            return np.concatenate([1.0 - p, p], axis=-1)
        return softmax(logits)

    def _predict(self, X):
        if self.head == "regression":
            return self._run(X)[0]  # (N, C) real numbers
        return self._predict_proba(X).argmax(axis=-1)

    def hidden_states(self, X) -> np.ndarray:
        """Hidden states h_t for inputs ``X`` (N, T, D), starting from zeros: (N, T, H)."""
        return self._recurrence_forward(self.check_inputs(X))[0]


__all__ = ["RNN", "bit_loss", "rnn_backward", "rnn_forward", "rnn_step_backward",
           "rnn_step_forward", "uniform_init"]
