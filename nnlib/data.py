"""Small data sets the course trains on, generated here so that the course runs offline."""

from __future__ import annotations

import numpy as np


def first_column_data() -> tuple[np.ndarray, np.ndarray]:
    """The single-neuron training set: the output equals the first of three inputs.

    Returns
    -------
    X : ndarray of float64, shape (4, 3)
        Rows [0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1], in the order the classic
        "9-line" network uses (the order matters for reproducing its numbers exactly).
    y : ndarray of float64, shape (4, 1)
        The first column of X: [0, 1, 1, 0].

    Notes
    -----
    The third input is always 1, so its weight acts as a bias. The unseen case [1, 0, 0]
    is the test: the answer should be 1.
    """
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=np.float64)
    y = X[:, :1].copy()
    return X, y
