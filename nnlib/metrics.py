"""Classification metrics: accuracy of a model's predictions, of a single sigmoid output
(notebook 03), the confusion matrix, and the first epoch a recorded metric reaches a target.

Core module: NumPy only. The thresholds are explicit, so that "accuracy" always means the same
thing in the notebooks, the tests and the benchmark. (The binary adder's exact-sum metrics are in
``nnlib.addition``, beside the model they score.)
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import as_float_array, check_labels, check_number


def accuracy(model, X, y) -> float:
    """Fraction of predicted labels equal to the targets (every label counts once).

    ``X`` and ``y`` are already checked (``model.check_inputs`` / ``check_targets``); with no
    examples the accuracy is undefined: a ValueError, not a silent 0.
    """
    if len(X) == 0:
        raise ValueError("X holds no examples (N = 0): accuracy is undefined.")
    predicted = np.asarray(model._predict(X)).reshape(-1)
    return float(np.mean(predicted == np.asarray(y).reshape(-1)))


def binary_accuracy(probabilities, y, threshold: float = 0.5) -> float:
    """Fraction of examples whose predicted class equals the target.

    Parameters
    ----------
    probabilities : array_like, shape (N, 1) or (N,)
        Predicted probability of class 1.
    y : array_like, shape like ``probabilities``, values 0 or 1
    threshold : float in (0, 1)
        The predicted class is 1 when the probability is strictly above it.

    Returns
    -------
    float in [0, 1]

    Notes
    -----
    accuracy = (1/N) sum_n [ (p_n > threshold) == y_n ].
    """
    p = as_float_array("probabilities", probabilities)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim != 1:
        raise ValueError(f"probabilities must have shape (N, 1) or (N,), got {p.shape}.")
    y = as_float_array("y", y).reshape(-1)
    if y.shape != p.shape:
        raise ValueError(f"y must hold one target per example ({p.shape[0]}), got shape "
                         f"{np.shape(y)}.")
    if np.any((y != 0) & (y != 1)):
        raise ValueError("y must hold class labels 0 or 1.")
    if p.size == 0:
        raise ValueError("probabilities holds no examples (N = 0): accuracy is undefined.")
    threshold = check_number("threshold", threshold, minimum=0, maximum=1,
                             exclusive_minimum=True)
    return float(np.mean((p > threshold) == (y == 1)))


def first_epoch_reaching(epochs, values, target: float) -> int | None:
    """The first recorded epoch whose value is at least ``target``, or None if none is.

    Parameters
    ----------
    epochs : array_like of int, shape (K,)
        Epoch numbers at which ``values`` were recorded, increasing.
    values : array_like, shape (K,)
        E.g. the test accuracy measured after each of those epochs.
    target : float

    Returns
    -------
    int or None
    """
    epochs = np.asarray(epochs)
    values = as_float_array("values", values, shape=(len(epochs),))
    hits = np.flatnonzero(values >= target)
    return int(epochs[hits[0]]) if hits.size else None


def confusion_matrix(y_true, y_pred, classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,), values 0 .. classes-1
    classes : int, C; by default one more than the largest label in either array

    Returns
    -------
    ndarray of int64, shape (C, C); entry [i, j] counts examples of class i predicted as j.
    The diagonal holds the correct predictions; row sums are the class sizes.
    """
    if classes is None:
        labels = [np.asarray(y_true), np.asarray(y_pred)]
        classes = 1 + max((int(np.max(a)) for a in labels
                           if a.size and np.issubdtype(a.dtype, np.integer)), default=0)
    classes = check_number("classes", classes, minimum=1, integer=True)
    y_true = check_labels("y_true", y_true, (None,), classes)
    y_pred = check_labels("y_pred", y_pred, y_true.shape, classes)
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts
