"""A vanilla recurrent network, vectorised over a batch, trained by backpropagation through time.

The maths are pure functions with the ``forward(...) -> (out, cache)`` /
``backward(dout, cache) -> grads`` contract. One time step is a step function; a whole sequence
is the loop over time of the same step, with the states cached for backpropagation through
time. Only the recurrence itself loops over time; everything that does not depend on the
previous step (the input term, the weight gradients) is one product over all N * T rows, which
is what makes the batched version fast (notebook 04):

    h_t = f(x_t U + h_{t-1} W + b)          (N, H), f = tanh or sigmoid
    z_t = h_t V + c                         (N, C), the output head

``RNN`` is a ``nnlib.model.Model``. Its output head reads either every step
(``output="sequence"``, targets (N, T)) or only the last one (``output="last"``, targets (N,)
or (N, C)); ``head`` chooses the loss (see ``RNN``). The recurrence sits behind three hooks,
``_recurrence_params``, ``_recurrence_forward`` and ``_recurrence_backward``: ``BiRNN`` and an
LSTM override only those. Activations come from ``nnlib.activations``, losses from
``nnlib.losses``, the output layer from ``nnlib.layers``. Truncated BPTT and gated cells are
left out on purpose: this module is the smallest recurrent network that learns to carry.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope, tanh, tanh_slope
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import (binary_cross_entropy_with_logits, softmax, softmax_cross_entropy,
                          squared_error_loss)
from nnlib.model import Model
from nnlib.validation import (as_float_array, check_choice, check_labels, check_number,
                              check_rng)

ACTIVATIONS = ("tanh", "sigmoid")
OUTPUTS = ("sequence", "last")
HEADS = ("softmax", "sigmoid", "regression")


def _activation_pair(activation: str):
    # (function, slope written in terms of the function's output), both unchecked.
    if activation == "tanh":
        return (lambda z: tanh(z, check=False)), tanh_slope
    return (lambda z: sigmoid(z, check=False)), (lambda out: sigmoid_slope(out, check=False))


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


def _backward(dhidden, cache):
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
        dh_next = da_t @ W_T
    # The weight gradients are sums over time steps: one product each over all T * N rows.
    da_rows = da.reshape(T * N, H)
    previous = np.concatenate([h0[None], states[:-1]]).reshape(T * N, H)
    inputs = X.transpose(1, 0, 2).reshape(T * N, -1)
    dX = (da_rows @ U.T).reshape(T, N, -1).transpose(1, 0, 2)
    return dX, dh_next, inputs.T @ da_rows, previous.T @ da_rows, da_rows.sum(axis=0)


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
    h0 = as_float_array("h0", h0, shape=("N", "H"), sizes=sizes)
    U = as_float_array("U", U, shape=("D", "H"), sizes=sizes)
    W = as_float_array("W", W, shape=("H", "H"), sizes=sizes)
    b = as_float_array("b", b, shape=("H",), sizes=sizes)
    return _forward(X, h0, U, W, b, activation)


def rnn_backward(dhidden, cache, check: bool = True):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dhidden : array_like, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    cache : from ``rnn_forward``.
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
    dW = sum_t h_{t-1}^T da_t and db are then one product each over all N * T rows.
    """
    if check:
        T, N, H = cache[2].shape
        dhidden = as_float_array("dhidden", dhidden, shape=(N, T, H))
    return _backward(dhidden, cache)


def uniform_init(rng: np.random.Generator, fan_in: int, shape) -> np.ndarray:
    """Weights uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``rng``."""
    limit = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-limit, limit, size=shape)


# ----------------------------------------------------------------------------------------
# Output heads: the loss of the logits, mean over every scored position

def _head_loss(logits, y, head):
    # Unchecked (a NaN must reach check_finite_loss in the training loop).
    if head == "sigmoid":
        loss, dz = binary_cross_entropy_with_logits(logits[..., 0], y, "mean", check=False)
        return loss, dz[..., None]
    if head == "regression":
        if not np.all(np.isfinite(logits)):
            return float("nan"), logits
        return squared_error_loss(logits, y, reduction="mean")
    if logits.shape[-1] == 2:
        # Two classes: softmax(z)_1 = sigmoid(z_1 - z_0), so the cross-entropy is the binary
        # one of d = z_1 - z_0 and dL/dz_1 = -dL/dz_0: the same numbers in fewer operations.
        loss, dd = binary_cross_entropy_with_logits(logits[..., 1] - logits[..., 0], y, "mean",
                                                    check=False)
        return loss, np.stack([-dd, dd], axis=-1)
    return softmax_cross_entropy(logits, y, "mean", check=False)


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
    output_size : int or None, C; default 2 for softmax, 1 otherwise (sigmoid needs 1).

    Attributes
    ----------
    params : dict with U (D, H), W (H, H), b (H,), V (H, C), c (C,)

    Notes
    -----
    The loss is the mean over every scored position: nats per bit (per step and example) for
    the bit heads, nats per example for ``"last"`` softmax, squared error per output entry for
    regression. ``predict_proba`` gives P(bit = 1), shape (N, T), for the bit heads with
    ``output="sequence"``; (N, T, C) for more classes; (N, C) or (N,) with ``output="last"``.
    Subclasses (``nnlib.birnn.BiRNN``, an LSTM) replace only the recurrence:
    ``_recurrence_params``, ``_recurrence_forward``, ``_recurrence_backward`` and, when the
    head reads more than H numbers per step, ``_features_size``.
    """

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator,
                 head: str = "softmax", activation: str = "tanh", output: str = "sequence",
                 output_size: int | None = None):
        self.input_size = check_number("input_size", input_size, minimum=1, integer=True)
        self.hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        check_rng(rng)
        self.head = check_choice("head", head, HEADS)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.output = check_choice("output", output, OUTPUTS)
        if head == "regression" and output != "last":
            raise ValueError("head='regression' needs output='last' (one real target per "
                             "sequence), got output='sequence'.")
        default = 2 if head == "softmax" else 1
        self.output_size = default if output_size is None else check_number(
            "output_size", output_size, minimum=2 if head == "softmax" else 1, integer=True)
        if head == "sigmoid" and self.output_size != 1:
            raise ValueError(f"head='sigmoid' has one output, got output_size={output_size}.")
        params = self._recurrence_params(rng)
        features = self._features_size
        params["V"] = uniform_init(rng, features, (features, self.output_size))
        params["c"] = np.zeros(self.output_size)
        self.params = params

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
        return _forward(X, h0, p["U"], p["W"], p["b"], self.activation)

    def _recurrence_backward(self, dhidden, cache) -> dict[str, np.ndarray]:
        """dhidden (N, T, H) + cache -> the gradients of the recurrence's own parameters."""
        _, _, dU, dW, db = _backward(dhidden, cache)
        return {"U": dU, "W": dW, "b": db}

    # --- the protocol ---------------------------------------------------------------------

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "head": self.head, "activation": self.activation, "output": self.output,
                "output_size": self.output_size}

    def check_inputs(self, X):
        X = as_float_array("X", X, shape=("N", "T", self.input_size))
        if X.shape[1] == 0:
            raise ValueError("X must hold at least one time step, got T = 0.")
        return X

    def check_targets(self, y, X):
        N, T = X.shape[:2]
        if self.head == "regression":
            return as_float_array("y", y, shape=(N, self.output_size))
        classes = 2 if self.head == "sigmoid" else self.output_size
        return check_labels("y", y, (N, T) if self.output == "sequence" else (N,), classes)

    def _run(self, X):
        hidden, cache = self._recurrence_forward(X)
        features = hidden if self.output == "sequence" else hidden[:, -1]
        logits, head_cache = affine_forward(features, self.params["V"], self.params["c"],
                                            check=False)
        return logits, (hidden, cache, head_cache)

    def _loss(self, X, y) -> float:
        return _head_loss(self._run(X)[0], y, self.head)[0]

    def _loss_and_grads(self, X, y):
        logits, (hidden, cache, head_cache) = self._run(X)
        loss, dlogits = _head_loss(logits, y, self.head)
        dfeatures, dV, dc = affine_backward(dlogits, head_cache, check=False)
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
        if self.head == "regression":
            raise ValueError("a regression head predicts numbers, not probabilities: use "
                             "predict.")
        if self.head == "sigmoid":
            return sigmoid(logits[..., 0], check=False)
        if self.output == "sequence" and self.output_size == 2:
            return sigmoid(logits[..., 1] - logits[..., 0], check=False)  # P(bit = 1), (N, T)
        return softmax(logits, check=False)

    def _predict(self, X):
        if self.head == "regression":
            return self._run(X)[0]  # (N, C) real numbers
        probabilities = self._predict_proba(X)
        if self.head == "sigmoid" or (self.output == "sequence" and self.output_size == 2):
            return (probabilities > 0.5).astype(np.int64)
        return probabilities.argmax(axis=-1)

    def hidden_states(self, X) -> np.ndarray:
        """Hidden states h_t for inputs ``X`` (N, T, D), starting from zeros: (N, T, H)."""
        return self._recurrence_forward(self.check_inputs(X))[0]


__all__ = ["RNN", "bit_loss", "rnn_backward", "rnn_forward", "rnn_step_backward",
           "rnn_step_forward", "uniform_init"]
