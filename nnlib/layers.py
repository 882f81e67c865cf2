"""Layers with the ``forward(...) -> (out, cache)`` / ``backward(dout, cache) -> grads`` contract.

The affine (dense, fully connected) layer is the only layer with parameters that feed-forward
networks need; activations live in ``nnlib.activations`` and losses in ``nnlib.losses``. Like
every maths function in nnlib, these are pure: they trust their arrays (the models check their
inputs once, at the public door).
"""

from __future__ import annotations

import numpy as np


def affine_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Affine layer forward pass: ``out = X @ W + b``, applied to the last axis of ``X``.

    Parameters
    ----------
    X : ndarray, shape (N, D), or (N, T, D) for a layer applied at every time step
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H) (or (N, T, H))
    cache : tuple (X, W), what the backward pass needs.
    """
    return X @ W + b, (X, W)


def affine_backward(dout: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Affine layer backward pass.

    Parameters
    ----------
    dout : ndarray, shape (N, H) (or (N, T, H)), the gradient of the loss with respect to
        ``out``.
    cache : tuple (X, W) from ``affine_forward``.

    Returns
    -------
    dX : ndarray, shape (N, D) (or (N, T, D))
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Notes
    -----
    dX = dout W^T,  dW = X^T dout,  db = dout summed over every example (and time step).
    """
    X, W = cache
    rows_in, rows_out = X.reshape(-1, W.shape[0]), dout.reshape(-1, W.shape[1])
    return dout @ W.T, rows_in.T @ rows_out, rows_out.sum(axis=0)
