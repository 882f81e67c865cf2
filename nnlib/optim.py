"""Optimisers: plain gradient descent, momentum and Adam (notebook 03).

Each optimiser is a tiny class holding its settings and, for momentum and Adam, one state
array per parameter. ``step(params, grads)`` updates the arrays of ``params`` in place from the
``grads`` with the same keys, so a model whose parameters are views keeps seeing them.
Left out on purpose: weight decay, learning-rate schedules, gradient clipping.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import check_number


class Optimizer:
    """Base class: checks ``step``'s arguments, then calls the unchecked ``_step``."""

    learning_rate: float

    def step(self, params: dict, grads: dict) -> None:
        """Update every ``params[key]`` in place from ``grads[key]`` (same keys and shapes)."""
        if not isinstance(params, dict) or not isinstance(grads, dict) or set(params) != set(grads):
            raise ValueError("params and grads must be dicts with the same keys, got "
                             f"{sorted(params) if isinstance(params, dict) else params!r} and "
                             f"{sorted(grads) if isinstance(grads, dict) else grads!r}.")
        for key, value in params.items():
            if not isinstance(value, np.ndarray) or value.dtype != np.float64:
                raise ValueError(f"params[{key!r}] must be a float64 ndarray (it is updated in "
                                 f"place), got {type(value).__name__}.")
            grad = np.asarray(grads[key])
            if grad.shape != value.shape:
                raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}], "
                                 f"{value.shape}, got {grad.shape}.")
            if not np.all(np.isfinite(grad)):
                raise ValueError(f"grads[{key!r}] contains NaN or infinite values.")
        self._step(params, grads)

    def _step(self, params: dict, grads: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: ``theta <- theta - learning_rate * g``.

    Parameters
    ----------
    learning_rate : float > 0
    """

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)

    def _step(self, params: dict, grads: dict) -> None:
        for key, value in params.items():
            value -= self.learning_rate * grads[key]

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate:g})"


class Momentum(Optimizer):
    """Gradient descent with momentum (heavy ball).

    Parameters
    ----------
    learning_rate : float > 0
    beta : float in [0, 1)
        How much of the previous velocity is kept; 0 gives plain gradient descent.

    Notes
    -----
    v <- beta v + g;  theta <- theta - learning_rate v   (v starts at 0; PyTorch's form).
    """

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)
        self.beta = check_number("beta", beta, minimum=0, maximum=1)
        if self.beta == 1:
            raise ValueError("beta must be below 1, got 1.0 (the velocity would never decay).")
        self.velocity: dict[str, np.ndarray] = {}

    def _step(self, params: dict, grads: dict) -> None:
        for key, value in params.items():
            velocity = self.velocity.get(key)
            if velocity is None:
                velocity = self.velocity[key] = np.zeros_like(value)
            velocity *= self.beta
            velocity += grads[key]
            value -= self.learning_rate * velocity

    def __repr__(self) -> str:
        return f"Momentum(learning_rate={self.learning_rate:g}, beta={self.beta:g})"


class Adam(Optimizer):
    """Adam: per-parameter steps from running averages of the gradient and its square.

    Parameters
    ----------
    learning_rate : float > 0
    beta1, beta2 : float in [0, 1)
        Decay rates of the two averages.
    eps : float > 0
        Keeps the division defined where the squared gradient is 0.

    Notes
    -----
    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
    theta <- theta - learning_rate * m_hat / (sqrt(v_hat) + eps), with the bias corrections
    m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t) after t steps (Kingma and Ba, 2015).
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)
        self.beta1 = check_number("beta1", beta1, minimum=0, maximum=1)
        self.beta2 = check_number("beta2", beta2, minimum=0, maximum=1)
        if self.beta1 == 1 or self.beta2 == 1:
            raise ValueError("beta1 and beta2 must be below 1.")
        self.eps = check_number("eps", eps, minimum=0, exclusive_minimum=True)
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def _step(self, params: dict, grads: dict) -> None:
        self.t += 1
        step_size = self.learning_rate / (1.0 - self.beta1**self.t)
        v_correction = 1.0 / (1.0 - self.beta2**self.t)
        for key, value in params.items():
            grad = grads[key]
            if key not in self.m:
                self.m[key] = np.zeros_like(value)
                self.v[key] = np.zeros_like(value)
            m, v = self.m[key], self.v[key]
            m *= self.beta1
            m += (1.0 - self.beta1) * grad
            v *= self.beta2
            v += (1.0 - self.beta2) * grad * grad
            denominator = np.sqrt(v * v_correction)
            denominator += self.eps
            value -= step_size * m / denominator

    def __repr__(self) -> str:
        return (f"Adam(learning_rate={self.learning_rate:g}, beta1={self.beta1:g}, "
                f"beta2={self.beta2:g}, eps={self.eps:g})")


def check_optimizer(optimizer) -> Optimizer:
    """Raise ``ValueError`` unless ``optimizer`` is one of this module's optimisers."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError("optimizer must be nnlib.optim.SGD, Momentum or Adam, got "
                         f"{type(optimizer).__name__}.")
    return optimizer


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    """An optimiser by name ("sgd", "momentum" or "adam") with default settings otherwise."""
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}.")
    return OPTIMIZERS[name](learning_rate=learning_rate)
