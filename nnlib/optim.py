"""Optimisers: plain gradient descent, momentum and Adam (notebook 03).

Each optimiser is a tiny class holding its settings and, for momentum and Adam, one state
array per parameter. ``step(params, grads)`` updates the arrays of ``params`` in place from the
``grads`` with the same keys, so a model whose parameters are views keeps seeing them.
Every optimiser takes ``clip_norm``: when set, the gradients are rescaled before the update so
that their global norm (over all parameters) is at most ``clip_norm`` (``clip_grad_norm``;
Pascanu, Mikolov and Bengio, 2013). Every optimiser also takes ``weight_decay`` λ: the L2
penalty λ/2 Σ‖W‖² over the weight matrices (every parameter with two or more axes; biases and
other vectors are left alone), applied by adding λ W to their gradients before clipping
(``add_weight_decay``). With Adam this is the classic L2 penalty, not AdamW's decoupled decay.
``step`` checks its arguments; ``update`` trusts them (the training loop checks the first step
and then calls ``update``). Left out on purpose: learning-rate schedules.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import check_number


def clip_grad_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """Rescale ``grads`` so that their global L2 norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str -> ndarray
    max_norm : float > 0

    Returns
    -------
    clipped : dict, same keys and shapes (the arrays themselves when no clipping was needed)
    norm : float, the global norm before clipping, sqrt(sum of every squared entry)
    """
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if norm <= max_norm or not np.isfinite(norm):
        return grads, norm
    scale = max_norm / norm
    return {key: g * scale for key, g in grads.items()}, norm


def add_weight_decay(params: dict, grads: dict, weight_decay: float) -> dict:
    """The gradients of loss + weight_decay/2 Σ‖W‖² over the weight matrices.

    Parameters
    ----------
    params, grads : dict of str -> ndarray, same keys and shapes
    weight_decay : float >= 0

    Returns
    -------
    dict : ``grads[key] + weight_decay * params[key]`` for every parameter with ndim >= 2,
        ``grads[key]`` itself for the others (new arrays; the inputs are not changed)
    """
    if weight_decay == 0:
        return grads
    return {key: grad + weight_decay * params[key] if params[key].ndim >= 2 else grad
            for key, grad in grads.items()}


class Optimizer:
    """Base class: ``step`` checks its arguments, then calls ``update``."""

    learning_rate: float
    clip_norm: float | None = None
    weight_decay: float = 0.0

    def _set_clip_norm(self, clip_norm, weight_decay=0.0) -> None:
        self.clip_norm = (None if clip_norm is None else
                          check_number("clip_norm", clip_norm, minimum=0, exclusive_minimum=True))
        self.weight_decay = check_number("weight_decay", weight_decay, minimum=0)

    def update(self, params: dict, grads: dict) -> None:
        """Update ``params`` in place from ``grads`` without checking them (weight decay, then
        clipping, then the step)."""
        if self.weight_decay:
            grads = add_weight_decay(params, grads, self.weight_decay)
        if self.clip_norm is not None:
            grads, _ = clip_grad_norm(grads, self.clip_norm)
        self._step(params, grads)

    def _clip_text(self) -> str:
        return ("" if self.clip_norm is None else f", clip_norm={self.clip_norm:g}") + (
            f", weight_decay={self.weight_decay:g}" if self.weight_decay else "")

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
        self.update(params, grads)

    def _step(self, params: dict, grads: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: ``theta <- theta - learning_rate * g``.

    Parameters
    ----------
    learning_rate : float > 0
    clip_norm : float > 0 or None
        Clip the gradients' global norm to this before each update (see ``clip_grad_norm``).
    weight_decay : float >= 0
        L2 penalty on the weight matrices (see ``add_weight_decay``); 0 turns it off.
    """

    def __init__(self, learning_rate: float = 0.01, clip_norm: float | None = None,
                 weight_decay: float = 0.0):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)
        self._set_clip_norm(clip_norm, weight_decay)

    def _step(self, params: dict, grads: dict) -> None:
        for key, value in params.items():
            value -= self.learning_rate * grads[key]

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate:g}{self._clip_text()})"


class Momentum(Optimizer):
    """Gradient descent with momentum (heavy ball).

    Parameters
    ----------
    learning_rate : float > 0
    beta : float in [0, 1)
        How much of the previous velocity is kept; 0 gives plain gradient descent.
    clip_norm : float > 0 or None
        Clip the gradients' global norm to this before each update (see ``clip_grad_norm``).
    weight_decay : float >= 0
        L2 penalty on the weight matrices (see ``add_weight_decay``); 0 turns it off.

    Notes
    -----
    v <- beta v + g;  theta <- theta - learning_rate v   (v starts at 0; PyTorch's form).
    """

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9,
                 clip_norm: float | None = None, weight_decay: float = 0.0):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)
        self._set_clip_norm(clip_norm, weight_decay)
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
        return (f"Momentum(learning_rate={self.learning_rate:g}, beta={self.beta:g}"
                f"{self._clip_text()})")


class Adam(Optimizer):
    """Adam: per-parameter steps from running averages of the gradient and its square.

    Parameters
    ----------
    learning_rate : float > 0
    beta1, beta2 : float in [0, 1)
        Decay rates of the two averages.
    eps : float > 0
        Keeps the division defined where the squared gradient is 0.
    clip_norm : float > 0 or None
        Clip the gradients' global norm to this before each update (see ``clip_grad_norm``).
    weight_decay : float >= 0
        L2 penalty on the weight matrices (see ``add_weight_decay``); 0 turns it off.

    Notes
    -----
    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
    theta <- theta - learning_rate * m_hat / (sqrt(v_hat) + eps), with the bias corrections
    m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t) after t steps (Kingma and Ba, 2015).
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, clip_norm: float | None = None,
                 weight_decay: float = 0.0):
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                          exclusive_minimum=True)
        self._set_clip_norm(clip_norm, weight_decay)
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
                f"beta2={self.beta2:g}, eps={self.eps:g}{self._clip_text()})")


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
