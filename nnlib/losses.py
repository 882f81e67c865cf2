"""Losses, each returning ``(loss, gradient with respect to its first argument)``.

The reduction is explicit in every signature and means the same in each: ``"sum"``,
``"half_sum"`` (1/2 times the sum, whose gradient has no factor 2) or ``"mean"`` (over every
entry of the targets: every example, and every time step or output where there are several).
Cross-entropies are in nats (natural logarithm). The functions are pure maths: they trust
their arrays (the models check their inputs once, at the public door).
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid

REDUCTIONS = ("sum", "half_sum", "mean")


def _reduction_scale(reduction: str, count: int) -> float:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}.")
    if count == 0:
        raise ValueError("the loss needs at least one example: the predictions and targets "
                         "are empty (N = 0).")
    return {"sum": 1.0, "half_sum": 0.5, "mean": 1.0 / count}[reduction]


def squared_error_loss(y_hat: np.ndarray, y: np.ndarray,
                       reduction: str = "mean") -> tuple[float, np.ndarray]:
    """Squared error between predictions and targets.

    Parameters
    ----------
    y_hat : ndarray, shape (N, C)
    y : ndarray, shape (N, C)
    reduction : "sum", "half_sum" or "mean"

    Returns
    -------
    loss : float
    dy_hat : ndarray, shape (N, C)

    Notes
    -----
    sum: L = sum (y_hat - y)^2, dL/dy_hat = 2 (y_hat - y); half_sum halves both;
    mean divides both by N * C.
    """
    scale = _reduction_scale(reduction, y.size)
    diff = y_hat - y
    return float(scale * np.sum(diff**2)), 2.0 * scale * diff


def binary_cross_entropy_with_logits(logits: np.ndarray, y: np.ndarray,
                                     reduction: str = "mean") -> tuple[float, np.ndarray]:
    """Binary cross-entropy of sigmoid(logits) against 0/1 targets, computed from the logits.

    Parameters
    ----------
    logits : ndarray, shape (N, 1), or any shape (e.g. (N, T)) with one logit per target
        Pre-activations z of sigmoid output units.
    y : ndarray, the shape of ``logits``, values in [0, 1]
    reduction : "sum", "half_sum" or "mean" (over every entry)

    Returns
    -------
    loss : float, in nats
    dlogits : ndarray, the shape of ``logits``

    Notes
    -----
    -[y log s(z) + (1 - y) log(1 - s(z))] = max(z, 0) - z y + log(1 + exp(-|z|)),
    which never takes the log of 0 nor overflows. Its gradient is s(z) - y.
    """
    z = logits
    scale = _reduction_scale(reduction, z.size)
    losses = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(scale * np.sum(losses)), scale * (sigmoid(z) - y)


def binary_cross_entropy(probabilities: np.ndarray, y: np.ndarray, reduction: str = "mean",
                         eps: float = 1e-12) -> tuple[float, np.ndarray]:
    """Binary cross-entropy from probabilities (the form most tutorials write).

    Parameters
    ----------
    probabilities : ndarray, shape (N, 1) (or any shape), values in [0, 1]
    y : ndarray, the shape of ``probabilities``, values in [0, 1]
    reduction : "sum", "half_sum" or "mean" (over every entry)
    eps : float
        Probabilities are clipped to [eps, 1 - eps] so that log(0) cannot occur. Prefer
        ``binary_cross_entropy_with_logits``, which needs no clipping.

    Returns
    -------
    loss : float, in nats
    dprobabilities : ndarray, the shape of ``probabilities``

    Notes
    -----
    L = -[y log p + (1 - y) log(1 - p)],  dL/dp = (p - y) / (p (1 - p)).
    """
    scale = _reduction_scale(reduction, y.size)
    p = np.clip(probabilities, eps, 1.0 - eps)
    losses = -(y * np.log(p) + (1.0 - y) * np.log1p(-p))
    return float(scale * np.sum(losses)), scale * (p - y) / (p * (1.0 - p))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Logarithm of the softmax over the last axis, ``(..., C)`` with C >= 1; stable for any
    logits.

    Notes
    -----
    log softmax(z)_k = z_k - logsumexp(z), with the maximum subtracted first.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; any leading shape ``(..., C)``. Stable for any logits."""
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray,
                          reduction: str = "mean") -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against integer class labels.

    Parameters
    ----------
    logits : ndarray, shape (..., C), e.g. (N, C) or (N, T, C)
    labels : ndarray of int, shape (...), values in 0 .. C-1
    reduction : "sum", "half_sum" or "mean" (over every position of the leading shape)

    Returns
    -------
    loss : float, in nats (per position, for "mean")
    dlogits : ndarray, shape (..., C)

    Notes
    -----
    L = -log softmax(z)[label] = logsumexp(z) - z[label];  dL/dz = softmax(z) - onehot(label).
    """
    scale = _reduction_scale(reduction, labels.size)
    log_probabilities = log_softmax(logits)
    picked = np.take_along_axis(log_probabilities, labels[..., None], axis=-1)
    dlogits = np.exp(log_probabilities)
    np.put_along_axis(dlogits, labels[..., None],
                      np.take_along_axis(dlogits, labels[..., None], axis=-1) - 1.0, axis=-1)
    return float(-scale * np.sum(picked)), scale * dlogits
