"""Numerical gradients by central differences, for checking backward passes in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.validation import check_number


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of the scalar ``f()`` with respect to the float64 array ``x``, which ``f`` reads.

    Each entry of ``x`` is nudged in place by +-h and restored, so ``f`` must read ``x``
    afresh on every call (a closure over the array is the usual way).

    Parameters
    ----------
    f : callable with no arguments returning a float
    x : ndarray of float64, any shape
    h : float
        Step. 1e-6 balances truncation error (h**2) and rounding error (eps / h).

    Returns
    -------
    ndarray, same shape as ``x``.

    Notes
    -----
    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h), with error O(h**2).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError("x must be a float64 ndarray (the check is only meaningful in float64), "
                         f"got {type(x).__name__} of dtype {getattr(x, 'dtype', None)}.")
    check_number("h", h, minimum=0, exclusive_minimum=True)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f()
            x[index] = original - h
            f_minus = f()
        finally:  # x is restored even when f raises
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b) -> float:
    """Relative error of two gradients as whole arrays: ``||a - b|| / (||a|| + ||b||)``.

    Norms, not entries, so that an entry whose true value is 0 (where the numerical
    gradient holds only rounding noise) does not dominate. About 1e-7 or less means the
    analytic gradient is right; 1e-2 or more means it is wrong. Two zero arrays give 0.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - b) / scale)
