"""A vanilla recurrent network, vectorised over a batch, trained by backpropagation through time.

The maths are pure functions with the ``forward(...) -> (out, cache)`` /
``backward(dout, cache) -> grads`` contract. One time step is a step function; a whole sequence
is the loop over time of the same step, with the states cached for backpropagation through
time. Only the recurrence itself loops over time; everything that does not depend on the
previous step (the input term, the weight gradients) is one product over all N * T rows, which
is what makes the batched version fast (notebook 04):

    h_t = f(x_t U + h_{t-1} W + b)          (N, H), f = tanh or sigmoid
    z_t = h_t V + c                         (N, C), the output head's logits

Two output heads, both scored in nats per bit (mean over examples and time steps):

- ``"sigmoid"``: C = 1, P(bit = 1) = sigmoid(z_t), binary cross-entropy (the single
  sigmoid output bit of Trask's adder, with a log-loss instead of its squared error);
- ``"softmax"``: C = 2, P(bit = k) = softmax(z_t)_k, cross-entropy (the U, V, W formulation).

``RNN`` holds the parameters ``U (D, H), W (H, H), b (H,), V (H, C), c (C,)`` in ``params`` and
returns ``grads`` with the same keys; ``nnlib.addition`` teaches it binary addition. Gated
cells (LSTM, GRU), truncated BPTT and optimisers other than plain gradient descent are left
out on purpose: this module is the smallest recurrent network that learns to carry.
"""

from __future__ import annotations

import numpy as np

from nnlib.losses import softmax_cross_entropy
from nnlib.validation import as_float_array, check_number

ACTIVATIONS = ("tanh", "sigmoid")
HEADS = ("sigmoid", "softmax")
PARAM_NAMES = ("U", "W", "b", "V", "c")


# ----------------------------------------------------------------------------------------
# Activations of the hidden state (unchecked, for the inner loops)

def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(z)
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: one ufunc, never overflows.
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _activate_in_place(z: np.ndarray, activation: str) -> None:
    if activation == "tanh":
        np.tanh(z, out=z)
    else:
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5


def _slope(h: np.ndarray, activation: str) -> np.ndarray:
    # Both slopes are written in terms of the output h = f(z).
    return 1.0 - h * h if activation == "tanh" else h * (1.0 - h)


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}.")
    return activation


# ----------------------------------------------------------------------------------------
# One time step

def _step_forward(x, h_prev, U, W, b, activation):
    h = _activate(x @ U + h_prev @ W + b, activation)
    return h, (x, h_prev, h, U, W, activation)


def _step_backward(dh, cache):
    x, h_prev, h, U, W, activation = cache
    da = dh * _slope(h, activation)
    return da @ U.T, da @ W.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def rnn_step_forward(x, h_prev, U, W, b, activation: str = "tanh"):
    """One time step of the recurrence for a batch.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Inputs at this time step.
    h_prev : array_like, shape (N, H)
        Hidden state of the previous step (zeros before the first step).
    U : array_like, shape (D, H)
        Input-to-hidden weights.
    W : array_like, shape (H, H)
        Hidden-to-hidden (recurrent) weights.
    b : array_like, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    h : ndarray, shape (N, H)
    cache : tuple, what ``rnn_step_backward`` needs.

    Notes
    -----
    h = f(x U + h_prev W + b).
    """
    _check_activation(activation)
    sizes: dict[str, int] = {}
    x = as_float_array("x", x, shape=("N", "D"), sizes=sizes)
    h_prev = as_float_array("h_prev", h_prev, shape=("N", "H"), sizes=sizes)
    U = as_float_array("U", U, shape=("D", "H"), sizes=sizes)
    W = as_float_array("W", W, shape=("H", "H"), sizes=sizes)
    b = as_float_array("b", b, shape=("H",), sizes=sizes)
    return _step_forward(x, h_prev, U, W, b, activation)


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
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    dU : ndarray, shape (D, H)
    dW : ndarray, shape (H, H)
    db : ndarray, shape (H,)

    Notes
    -----
    da = dh * f'(a);  dx = da U^T;  dh_prev = da W^T;  dU = x^T da;  dW = h_prev^T da.
    """
    dh = as_float_array("dh", dh, shape=cache[2].shape)
    return _step_backward(dh, cache)


# ----------------------------------------------------------------------------------------
# A whole sequence: a loop of steps, and backpropagation through time

def _forward(X, h0, U, W, b, activation):
    # The input term x_t U + b does not depend on h: compute it for all steps in one product,
    # so that the loop over time holds only what must be sequential. Inside, arrays are time
    # major, (T, N, H), so that each step reads and writes one contiguous block.
    N, T, D = X.shape
    projected = (X.transpose(1, 0, 2).reshape(T * N, D) @ U + b).reshape(T, N, -1)
    states = np.empty_like(projected)
    h = h0
    for t in range(T):
        # Written in place into the cache: no temporary arrays inside the loop.
        h = np.add(projected[t], h @ W, out=states[t])
        _activate_in_place(h, activation)
    return states.transpose(1, 0, 2), (X, h0, states, U, W, activation)


def _backward(dhidden, cache):
    X, h0, states, U, W, activation = cache
    T, N, H = states.shape
    slope = _slope(states, activation)
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


def rnn_forward(X, h0, U, W, b, activation: str = "tanh"):
    """Run the recurrence over whole sequences, first time step first.

    Parameters
    ----------
    X : array_like, shape (N, T, D)
    h0 : array_like, shape (N, H)
        Initial hidden state (usually zeros).
    U : array_like, shape (D, H)
    W : array_like, shape (H, H)
    b : array_like, shape (H,)
    activation : "tanh" or "sigmoid"

    Returns
    -------
    hidden : ndarray, shape (N, T, H)
        hidden[:, t] = h_t.
    cache : tuple (X, h0, states, U, W, activation), for ``rnn_backward``; ``states`` holds
        the hidden states time major, shape (T, N, H).

    Notes
    -----
    The same as calling ``rnn_step_forward`` for t = 0 .. T-1 (a test checks it), except that
    the input term x_t U + b is computed for every step in one product before the loop.
    """
    _check_activation(activation)
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "T", "D"), sizes=sizes)
    h0 = as_float_array("h0", h0, shape=("N", "H"), sizes=sizes)
    U = as_float_array("U", U, shape=("D", "H"), sizes=sizes)
    W = as_float_array("W", W, shape=("H", "H"), sizes=sizes)
    b = as_float_array("b", b, shape=("H",), sizes=sizes)
    return _forward(X, h0, U, W, b, activation)


def rnn_backward(dhidden, cache):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dhidden : array_like, shape (N, T, H)
        Gradient of the loss with respect to each h_t through the output head only.
    cache : from ``rnn_forward``.

    Returns
    -------
    dX : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dU : ndarray, shape (D, H), summed over time steps
    dW : ndarray, shape (H, H), summed over time steps
    db : ndarray, shape (H,), summed over time steps

    Notes
    -----
    Going backwards from t = T-1: da_t = (dhidden_t + da_{t+1} W^T) * f'(a_t), exactly what
    ``rnn_step_backward`` computes step by step (a test checks it). Only this recursion is
    sequential; the shared weights' gradients dU = sum_t x_t^T da_t, dW = sum_t h_{t-1}^T da_t
    and db are then one product each over all N * T rows.
    """
    T, N, H = cache[2].shape
    dhidden = as_float_array("dhidden", dhidden, shape=(N, T, H))
    return _backward(dhidden, cache)


# ----------------------------------------------------------------------------------------
# Output heads and their losses (nats per bit: mean over examples and time steps)

def temporal_affine_forward(hidden, V, c):
    """The output layer applied at every time step: ``logits = hidden V + c``.

    Parameters
    ----------
    hidden : array_like, shape (N, T, H)
    V : array_like, shape (H, C)
    c : array_like, shape (C,)

    Returns
    -------
    logits : ndarray, shape (N, T, C)
    cache : tuple (hidden, V)
    """
    sizes: dict[str, int] = {}
    hidden = as_float_array("hidden", hidden, shape=("N", "T", "H"), sizes=sizes)
    V = as_float_array("V", V, shape=("H", "C"), sizes=sizes)
    c = as_float_array("c", c, shape=("C",), sizes=sizes)
    return hidden @ V + c, (hidden, V)


def temporal_affine_backward(dlogits, cache):
    """Backward pass of ``temporal_affine_forward``.

    Returns
    -------
    dhidden : ndarray, shape (N, T, H)
    dV : ndarray, shape (H, C)
    dc : ndarray, shape (C,)
    """
    hidden, V = cache
    dlogits = as_float_array("dlogits", dlogits, shape=hidden.shape[:2] + (V.shape[1],))
    return _affine_backward(dlogits, hidden, V)


def _affine_backward(dlogits, hidden, V):
    H, C = V.shape
    dV = hidden.reshape(-1, H).T @ dlogits.reshape(-1, C)
    return dlogits @ V.T, dV, dlogits.sum(axis=(0, 1))


def _binary_cross_entropy(d, y):
    # Mean of -[y log s(d) + (1 - y) log(1 - s(d))] and its gradient with respect to d, s the
    # sigmoid: max(d, 0) - d y + log(1 + exp(-|d|)) never overflows nor takes log(0).
    loss = np.mean(np.maximum(d, 0.0) - d * y + np.log1p(np.exp(-np.abs(d))))
    return float(loss), (0.5 + 0.5 * np.tanh(0.5 * d) - y) / y.size


def _sigmoid_bits_loss(logits, y):
    loss, dd = _binary_cross_entropy(logits[..., 0], y)
    return loss, dd[..., None]


def _softmax_bits_loss(logits, y):
    # Unchecked (a NaN must reach check_finite_loss in the training loop). With two classes,
    # softmax(z)_1 = sigmoid(z_1 - z_0), so the cross-entropy is the binary one of d = z_1 - z_0
    # and d loss / d z_1 = -d loss / d z_0 = sigmoid(d) - y: a few whole-array operations.
    loss, dd = _binary_cross_entropy(logits[..., 1] - logits[..., 0], y)
    return loss, np.stack([-dd, dd], axis=-1)


def bit_loss(logits, y, head: str):
    """Cross-entropy of the predicted bits, in nats per bit (mean over N and T).

    Parameters
    ----------
    logits : array_like, shape (N, T, C)
        C = 1 for ``head="sigmoid"``, C = 2 for ``head="softmax"``.
    y : array_like of int, shape (N, T), values 0 or 1
    head : "sigmoid" or "softmax"

    Returns
    -------
    loss : float, nats per bit; ``exp(loss)`` is the perplexity (1 = certain, 2 = a coin)
    dlogits : ndarray, shape (N, T, C)

    Notes
    -----
    sigmoid: -[y log s(z) + (1 - y) log(1 - s(z))], gradient (s(z) - y) / (N T);
    softmax: -log softmax(z)_y, gradient (softmax(z) - onehot(y)) / (N T).
    """
    head = _check_head(head)
    classes = 1 if head == "sigmoid" else 2
    logits = as_float_array("logits", logits, shape=("N", "T", classes))
    y = _check_bits("y", y, logits.shape[:2])
    if head == "softmax":
        return softmax_cross_entropy(logits, y, reduction="mean")
    return _sigmoid_bits_loss(logits, y)


def _check_head(head: str) -> str:
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}.")
    return head


def _check_bits(name, y, shape):
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must hold the integers 0 and 1, got dtype {y.dtype}.")
    if y.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {y.shape}.")
    if np.any((y != 0) & (y != 1)):
        raise ValueError(f"{name} must hold only 0 and 1.")
    return y


def _probability_of_one(logits, head):
    if head == "sigmoid":
        return 0.5 + 0.5 * np.tanh(0.5 * logits[..., 0])
    # Two-way softmax: P(1) = sigmoid(z_1 - z_0).
    return 0.5 + 0.5 * np.tanh(0.5 * (logits[..., 1] - logits[..., 0]))


# ----------------------------------------------------------------------------------------
# The model

class RNN:
    """A one-layer recurrent network with an output bit at every time step.

    Parameters
    ----------
    input_size : int, D (2 for binary addition: one bit of each addend)
    hidden_size : int, H
    rng : np.random.Generator
        Draws the initial weights: U, W, V uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)),
        biases zero.
    head : "sigmoid" (C = 1) or "softmax" (C = 2); see the module docstring.
    activation : "tanh" or "sigmoid", the hidden units' nonlinearity.

    Attributes
    ----------
    params : dict with U (D, H), W (H, H), b (H,), V (H, C), c (C,)
    """

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator,
                 head: str = "softmax", activation: str = "tanh"):
        input_size = check_number("input_size", input_size, minimum=1, integer=True)
        hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), "
                             f"got {type(rng).__name__}.")
        self.head = _check_head(head)
        self.activation = _check_activation(activation)
        classes = 1 if head == "sigmoid" else 2

        def uniform(fan_in, shape):
            limit = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-limit, limit, size=shape)

        self.params = self._initial_params(input_size, hidden_size, classes, uniform)

    @staticmethod
    def _initial_params(D: int, H: int, C: int, uniform) -> dict[str, np.ndarray]:
        # Weights uniform in +-1/sqrt(fan_in), drawn in this order (the order fixes which
        # numbers each weight gets from the seed); biases zero.
        return {"U": uniform(D, (D, H)), "W": uniform(H, (H, H)), "b": np.zeros(H),
                "V": uniform(H, (H, C)), "c": np.zeros(C)}

    @property
    def input_size(self) -> int:
        return self.params["U"].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params["W"].shape[0]

    def __repr__(self) -> str:
        return (f"RNN(input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"head={self.head!r}, activation={self.activation!r})")

    def _check_X(self, X):
        return as_float_array("X", X, shape=("N", "T", self.input_size))

    def _run(self, X):
        p = self.params
        h0 = np.zeros((X.shape[0], self.hidden_size))
        hidden, cache = _forward(X, h0, p["U"], p["W"], p["b"], self.activation)
        return hidden, cache, hidden @ p["V"] + p["c"]

    def hidden_states(self, X) -> np.ndarray:
        """Hidden states h_t for inputs ``X`` (N, T, D), starting from zeros: (N, T, H)."""
        return self._run(self._check_X(X))[0]

    def probabilities(self, X) -> np.ndarray:
        """P(output bit = 1) at every step, shape (N, T)."""
        return _probability_of_one(self._run(self._check_X(X))[2], self.head)

    def predict(self, X) -> np.ndarray:
        """The predicted bits, int64 of shape (N, T): 1 where P(bit = 1) > 1/2."""
        return (self.probabilities(X) > 0.5).astype(np.int64)

    def loss(self, X, y) -> float:
        """Mean cross-entropy in nats per bit for inputs (N, T, D) and target bits (N, T)."""
        X = self._check_X(X)
        return bit_loss(self._run(X)[2], y, self.head)[0]

    def loss_and_grads(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """Loss (nats per bit) and its gradient for every parameter, by full BPTT.

        Parameters
        ----------
        X : array_like, shape (N, T, D)
        y : array_like of int, shape (N, T), the target bits

        Returns
        -------
        loss : float
        grads : dict with the keys and shapes of ``params``
        """
        X = self._check_X(X)
        y = _check_bits("y", y, X.shape[:2])
        return self._loss_and_grads(X, y)

    def _loss_and_grads(self, X, y):
        hidden, cache, logits = self._run(X)
        if self.head == "softmax":
            loss, dlogits = _softmax_bits_loss(logits, y)
        else:
            loss, dlogits = _sigmoid_bits_loss(logits, y)
        dhidden, dV, dc = _affine_backward(dlogits, hidden, self.params["V"])
        _, _, dU, dW, db = _backward(dhidden, cache)
        return loss, {"U": dU, "W": dW, "b": db, "V": dV, "c": dc}

    def sgd_step(self, grads: dict[str, np.ndarray], learning_rate: float) -> None:
        """Gradient descent in place: ``params[k] -= learning_rate * grads[k]``."""
        for name, value in self.params.items():
            value -= learning_rate * grads[name]
