"""Handwritten digits for notebook 06: the data, one-hot targets, a seeded stratified split
and the confusion matrix.

The digits are scikit-learn's ``load_digits``: the 1 797 test images of the UCI "Optical
Recognition of Handwritten Digits" data (Alpaydin and Kaynak, 1998), 8 x 8 pixels of counts
0..16, shipped inside scikit-learn, so the chapter runs offline (scikit-learn is imported only
inside ``load_digits_data``: the optional extra ``nnlib[digits]``). Scaling divides by 16, a
constant fixed before any data is seen, so it leaks nothing from the test set.

Left out on purpose: data augmentation, other digit sets (MNIST needs a download).
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import as_float_array, check_labels, check_memory, check_number, check_rng

CLASSES = 10
IMAGE_SHAPE = (8, 8)
PIXEL_MAX = 16.0


def load_digits_data() -> tuple[np.ndarray, np.ndarray]:
    """The 1 797 handwritten digits, pixels scaled to [0, 1].

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Each row is an 8 x 8 image read row by row, pixel counts divided by 16.
    y : ndarray of int64, shape (1797,)
        The digit, 0..9.
    """
    from sklearn.datasets import load_digits  # shipped with scikit-learn: no download

    digits = load_digits()
    return digits.data.astype(np.float64) / PIXEL_MAX, digits.target.astype(np.int64)


def one_hot(labels, classes: int = CLASSES) -> np.ndarray:
    """Rows of zeros with a single 1 at each label's position.

    Parameters
    ----------
    labels : array_like of int, shape (N,), values 0 .. classes-1
    classes : int >= 1, C

    Returns
    -------
    ndarray of float64, shape (N, C); row n is 1 at column labels[n] and 0 elsewhere.
    """
    classes = check_number("classes", classes, minimum=1, integer=True)
    labels = check_labels("labels", labels, (None,), classes)
    check_memory("the one-hot array", labels.shape[0] * classes,
                 "classes (or the number of labels)")
    encoded = np.zeros((labels.shape[0], classes))
    encoded[np.arange(labels.shape[0]), labels] = 1.0
    return encoded


def stratified_split(X, y, rng: np.random.Generator, fractions=(0.6, 0.2, 0.2)):
    """Shuffle each class and cut it into train, validation and test parts.

    Every class is split in the same proportions, so the three sets hold the ten digits in
    the proportions of the whole set (to within one example per class).

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,), class labels 0 .. C-1
    rng : np.random.Generator
        Draws one permutation per class, classes in increasing order.
    fractions : three floats > 0 summing to 1 (train, validation, test)
        Class k with n_k examples gets round(f_val n_k) validation and round(f_test n_k)
        test examples; the rest go to training.

    Returns
    -------
    X_train, X_val, X_test : ndarray, shapes (N_train, D), (N_val, D), (N_test, D)
    y_train, y_val, y_test : ndarray of int64, shapes (N_train,), (N_val,), (N_test,)
        Each set is in a shuffled order (not grouped by class).
    """
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    y = np.asarray(y)
    y = check_labels("y", y, (sizes["N"],), int(y.max()) + 1 if y.size else 1)
    check_rng(rng)
    if not isinstance(fractions, (tuple, list)) or len(fractions) != 3:
        raise ValueError(f"fractions must be three numbers (train, validation, test), "
                         f"got {fractions!r}.")
    fractions = [check_number(f"fractions[{i}]", f, minimum=0, maximum=1, exclusive_minimum=True)
                 for i, f in enumerate(fractions)]
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {sum(fractions):g}.")
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val = int(round(fractions[1] * members.size))
        n_test = int(round(fractions[2] * members.size))
        if members.size - n_val - n_test < 1:
            raise ValueError(f"class {label} has {members.size} examples: too few to split "
                             f"with fractions {fractions}.")
        parts[0].append(members[n_val + n_test:])
        parts[1].append(members[:n_val])
        parts[2].append(members[n_val:n_val + n_test])
    train, val, test = (rng.permutation(np.concatenate(part)) for part in parts)
    return X[train], X[val], X[test], y[train], y[val], y[test]


from nnlib.metrics import confusion_matrix  # noqa: E402  (re-exported: chapter 06 imports it here)

__all__ = ["CLASSES", "IMAGE_SHAPE", "PIXEL_MAX", "confusion_matrix", "load_digits_data",
           "one_hot", "stratified_split"]
