"""Rounded, stable text for printed numbers.

A notebook's printed output is compared character by character on every run, so floats are
printed rounded to what is meaningful, never as ``np.float64(...)``, and never as ``-0.0``.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import check_number


def fmt(value, digits: int = 4) -> str:
    """Format a number, or a nested sequence of numbers, with ``digits`` decimals.

    Parameters
    ----------
    value : float, int or array_like of them
    digits : int
        Decimals after the point (fixed notation).

    Returns
    -------
    str
        ``"0.9999"`` for a scalar, ``"[0.1000, -2.0000]"`` for a 1-D array, nested
        brackets for more dimensions. A value that rounds to zero prints without a sign.

    Examples
    --------
    >>> fmt(np.float64(-0.00001), 3)
    '0.000'
    >>> fmt([[1, 2.5]], 2)
    '[[1.00, 2.50]]'
    """
    check_number("digits", digits, minimum=0, maximum=30, integer=True)
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return _fmt_scalar(float(array), f"{{:.{digits}f}}")
    return _fmt_nested(array, f"{{:.{digits}f}}")


def fmt_sci(value, digits: int = 3) -> str:
    """Like ``fmt`` but in scientific notation with ``digits`` decimals: ``'1.235e-05'``.

    For quantities that span many orders of magnitude: losses, gradient errors.
    """
    check_number("digits", digits, minimum=0, maximum=30, integer=True)
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return _fmt_scalar(float(array), f"{{:.{digits}e}}")
    return _fmt_nested(array, f"{{:.{digits}e}}")


def _fmt_scalar(x: float, pattern: str) -> str:
    text = pattern.format(x)
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def _fmt_nested(array: np.ndarray, pattern: str) -> str:
    if array.ndim == 1:
        return "[" + ", ".join(_fmt_scalar(float(x), pattern) for x in array) + "]"
    return "[" + ", ".join(_fmt_nested(row, pattern) for row in array) + "]"
