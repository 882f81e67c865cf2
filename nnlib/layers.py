"""Layers with the ``forward(...) -> (out, cache)`` / ``backward(dout, cache) -> grads`` contract.

The affine (dense, fully connected) layer is the only layer with parameters that feed-forward
networks need; activations live in ``nnlib.activations`` and losses in ``nnlib.losses``.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import as_float_array


def affine_forward(X, W, b, check: bool = True) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Affine layer forward pass: ``out = X @ W + b``.

    Parameters
    ----------
    X : array_like, shape (N, D)
    W : array_like, shape (D, H)
    b : array_like, shape (H,)
    check : bool
        False: trust the arrays (inner loops). X may then have any leading shape (..., D).

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : tuple (X, W), what the backward pass needs.
    """
    if check:
        sizes: dict[str, int] = {}
        X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
        W = as_float_array("W", W, shape=("D", "H"), sizes=sizes)
        b = as_float_array("b", b, shape=("H",), sizes=sizes)
    return X @ W + b, (X, W)


def affine_backward(dout, cache, check: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Affine layer backward pass.

    Parameters
    ----------
    dout : array_like, shape (N, H)
        Gradient of the loss with respect to ``out``.
    cache : tuple (X, W) from ``affine_forward``.
    check : bool
        False: trust ``dout`` (inner loops); then X and dout may have any leading shape
        (..., D) and (..., H), e.g. (N, T, D) for an output layer applied at every time step,
        and dW, db sum over every leading position.

    Returns
    -------
    dX : ndarray, shape (N, D)
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Notes
    -----
    dX = dout W^T,  dW = X^T dout,  db = sum over the batch of dout.
    """
    X, W = cache
    if check:
        dout = as_float_array("dout", dout, shape=(X.shape[0], W.shape[1]))
    rows_in, rows_out = X.reshape(-1, W.shape[0]), dout.reshape(-1, W.shape[1])
    return dout @ W.T, rows_in.T @ rows_out, rows_out.sum(axis=0)
