"""Losses, each returning ``(loss, gradient with respect to its first argument)``.

The reduction is explicit in every signature: ``"sum"``, ``"half_sum"`` (1/2 times the sum,
whose gradient has no factor 2) or ``"mean"`` (over every entry, or over every example and
time step for the classification losses). Cross-entropies are in nats (natural logarithm).
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid
from nnlib.validation import as_float_array, check_shape

REDUCTIONS = ("sum", "half_sum", "mean")


def _reduction_scale(reduction: str, count: int) -> float:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}.")
    if count == 0:
        raise ValueError("the loss needs at least one example: the predictions and targets "
                         "are empty (N = 0).")
    return {"sum": 1.0, "half_sum": 0.5, "mean": 1.0 / count}[reduction]


def squared_error_loss(y_hat, y, reduction: str = "sum",
                       check: bool = True) -> tuple[float, np.ndarray]:
    """Squared error between predictions and targets.

    Parameters
    ----------
    y_hat : array_like, shape (N, C)
    y : array_like, shape (N, C)
    reduction : "sum", "half_sum" or "mean"
    check : bool
        False: trust ``y_hat`` and ``y`` to be float arrays of one shape (inner loops).

    Returns
    -------
    loss : float
    dy_hat : ndarray, shape (N, C)

    Notes
    -----
    sum: L = sum (y_hat - y)^2, dL/dy_hat = 2 (y_hat - y); half_sum halves both;
    mean divides both by N * C.
    """
    if check:
        y_hat = as_float_array("y_hat", y_hat, shape=("N", "C"))
        y = as_float_array("y", y, shape=y_hat.shape)
    scale = _reduction_scale(reduction, y.size)
    diff = y_hat - y
    return float(scale * np.sum(diff**2)), 2.0 * scale * diff


def binary_cross_entropy_with_logits(logits, y, reduction: str = "mean",
                                     check: bool = True) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of sigmoid(logits) against 0/1 targets, computed from the logits.

    Parameters
    ----------
    logits : array_like, shape (N, 1)
        Pre-activations z of a sigmoid output unit.
    y : array_like, shape (N, 1), values in [0, 1]
    reduction : "sum" or "mean" (over N)
    check : bool
        False: trust ``logits`` and ``y`` to be float arrays of one shape, any shape (inner
        loops); "mean" then averages over every entry.

    Returns
    -------
    loss : float, in nats
    dlogits : ndarray, shape (N, 1)

    Notes
    -----
    -[y log s(z) + (1 - y) log(1 - s(z))] = max(z, 0) - z y + log(1 + exp(-|z|)),
    which never takes the log of 0 nor overflows. Its gradient is s(z) - y.
    """
    if check:
        logits = as_float_array("logits", logits, shape=("N", 1))
        y = _binary_targets(y, logits.shape)
    z = logits
    scale = _reduction_scale(reduction, z.size)
    losses = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(scale * np.sum(losses)), scale * (sigmoid(z, check=False) - y)


def binary_cross_entropy(probabilities, y, reduction: str = "mean",
                         eps: float = 1e-12) -> tuple[float, np.ndarray]:
    """Binary cross-entropy from probabilities (the form most tutorials write).

    Parameters
    ----------
    probabilities : array_like, shape (N, 1), values in [0, 1]
    y : array_like, shape (N, 1), values in [0, 1]
    reduction : "sum" or "mean" (over N)
    eps : float
        Probabilities are clipped to [eps, 1 - eps] so that log(0) cannot occur. Prefer
        ``binary_cross_entropy_with_logits``, which needs no clipping.

    Returns
    -------
    loss : float, in nats
    dprobabilities : ndarray, shape (N, 1)

    Notes
    -----
    L = -[y log p + (1 - y) log(1 - p)],  dL/dp = (p - y) / (p (1 - p)).
    """
    p = as_float_array("probabilities", probabilities, shape=("N", 1))
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must lie in [0, 1]; pass sigmoid outputs, or use "
                         "binary_cross_entropy_with_logits for pre-activations.")
    y = _binary_targets(y, p.shape)
    scale = _reduction_scale(reduction, p.shape[0])
    p = np.clip(p, eps, 1.0 - eps)
    losses = -(y * np.log(p) + (1.0 - y) * np.log1p(-p))
    return float(scale * np.sum(losses)), scale * (p - y) / (p * (1.0 - p))


def log_softmax(logits, check: bool = True) -> np.ndarray:
    """Logarithm of the softmax over the last axis, ``(..., C)``; stable for any logits.

    Notes
    -----
    log softmax(z)_k = z_k - logsumexp(z), with the maximum subtracted first.
    """
    z = as_float_array("logits", logits) if check else logits
    if check and (z.ndim == 0 or z.shape[-1] == 0):
        raise ValueError(f"logits must have shape (..., C) with C >= 1 classes, got {z.shape}.")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits, check: bool = True) -> np.ndarray:
    """Softmax over the last axis; any leading shape ``(..., C)``. Stable for any logits."""
    return np.exp(log_softmax(logits, check))


def softmax_cross_entropy(logits, labels, reduction: str = "mean",
                          check: bool = True) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against integer class labels.

    Parameters
    ----------
    logits : array_like, shape (..., C), e.g. (N, C) or (N, T, C)
    labels : array_like of int, shape (...), values in 0 .. C-1
    reduction : "sum" or "mean" (over every position of the leading shape)
    check : bool
        False: trust ``logits`` (float) and ``labels`` (int, in range) (inner loops).

    Returns
    -------
    loss : float, in nats (per position, for "mean")
    dlogits : ndarray, shape (..., C)

    Notes
    -----
    L = -log softmax(z)[label] = logsumexp(z) - z[label];  dL/dz = softmax(z) - onehot(label).
    """
    z = logits
    if check:
        z = as_float_array("logits", logits)
        if z.ndim < 2:
            raise ValueError(f"logits must have shape (..., C) with at least 2 dimensions, "
                             f"got {z.shape}.")
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integers (class indices), got dtype "
                             f"{labels.dtype}.")
        check_shape("labels", labels, z.shape[:-1])
        classes = z.shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(f"labels must lie in 0 .. {classes - 1}, got values from "
                             f"{labels.min()} to {labels.max()}.")
    scale = _reduction_scale(reduction, labels.size)
    log_probabilities = log_softmax(z, check=False)
    picked = np.take_along_axis(log_probabilities, labels[..., None], axis=-1)
    dlogits = np.exp(log_probabilities)
    np.put_along_axis(dlogits, labels[..., None],
                      np.take_along_axis(dlogits, labels[..., None], axis=-1) - 1.0, axis=-1)
    return float(-scale * np.sum(picked)), scale * dlogits


def _binary_targets(y, shape) -> np.ndarray:
    y = as_float_array("y", y, shape=shape)
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold targets in [0, 1] (usually 0 or 1).")
    return y
