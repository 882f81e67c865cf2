"""Data with a long time lag: the adding problem (Hochreiter and Schmidhuber, 1997), notebook 07.

Each sequence has T steps of two inputs: a random number in [0, 1) and a marker, 1 at exactly
two steps and 0 elsewhere. The target is the sum of the two marked numbers. The first marked
step lies in the first half of the sequence and the second in the second half, so whatever
the network reads first it must keep for at least T/2 steps while the unmarked numbers pass by.

A network that ignores its inputs does best by predicting the mean of the sum, 1; its mean
squared error is the variance of a sum of two independent uniform numbers, 2/12 = 1/6 (about
0.167): ``ADDING_BASELINE_MSE``, the bar that a network must beat to have learnt anything.
The experiments on it (a plain RNN against an LSTM) live in ``course.lstm``.
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import check_memory, check_number, check_rng

ADDING_BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` sequences of the adding problem with ``T`` steps.

    Parameters
    ----------
    n : int >= 1, how many sequences (N)
    T : int >= 2, steps per sequence
    rng : np.random.Generator
        Draws, in this order, the numbers, the first marked steps and the second ones.

    Returns
    -------
    X : ndarray of float64, shape (N, T, 2)
        X[:, t, 0] the numbers, uniform in [0, 1); X[:, t, 1] the markers (two 1s per row).
    y : ndarray of float64, shape (N, 1)
        The sum of the two marked numbers, in [0, 2).

    Notes
    -----
    The first marked step is uniform in 0 .. T//2 - 1, the second in T//2 .. T-1.
    """
    n = check_number("n", n, minimum=1, integer=True)
    T = check_number("T", T, minimum=2, integer=True)
    # numbers, markers and the stacked X: about 4 n T float64 values at once
    check_memory("the adding problem", 4 * n * T, "n or T")
    check_rng(rng)
    numbers = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, T))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([numbers, markers], axis=-1)
    y = (numbers[rows, first] + numbers[rows, second])[:, None]
    return X, y


def marked_positions(X) -> tuple[np.ndarray, np.ndarray]:
    """The first and second marked step of each sequence of ``X`` (N, T, 2): two (N,) arrays."""
    X = np.asarray(X)
    marked = X[..., 1] > 0.5
    first = marked.argmax(axis=1)
    second = X.shape[1] - 1 - marked[:, ::-1].argmax(axis=1)
    return first, second


__all__ = ["ADDING_BASELINE_MSE", "adding_problem", "marked_positions"]
