"""Handwritten digits and XOR for notebook 06: data, one-hot targets, a seeded stratified split,
the confusion matrix, and many XOR networks trained at once.

The digits are scikit-learn's ``load_digits``: the 1 797 test images of the UCI "Optical
Recognition of Handwritten Digits" data (Alpaydin and Kaynak, 1998), 8 x 8 pixels of counts
0..16, shipped inside scikit-learn, so the chapter runs offline. Scaling divides by 16, a
constant fixed before any data is seen, so it leaks nothing from the test set.

``train_xor_networks`` trains S independent 2-H-1 networks on XOR in one stacked array, so the
question "how often does a 2-2-1 net get stuck?" costs one run instead of S. It uses nnlib's
sigmoid, tanh, cross-entropy and SGD; nothing here writes those formulas again.

Left out on purpose: data augmentation, other digit sets (MNIST needs a download).
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, tanh, tanh_slope
from nnlib.losses import binary_cross_entropy_with_logits
from nnlib.optim import SGD
from nnlib.validation import as_float_array, check_labels, check_number, check_rng

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


def confusion_matrix(y_true, y_pred, classes: int = CLASSES) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,), values 0 .. classes-1
    classes : int, C

    Returns
    -------
    ndarray of int64, shape (C, C); entry [i, j] counts examples of class i predicted as j.
    The diagonal holds the correct predictions; row sums are the class sizes.
    """
    classes = check_number("classes", classes, minimum=1, integer=True)
    y_true = check_labels("y_true", y_true, (None,), classes)
    y_pred = check_labels("y_pred", y_pred, y_true.shape, classes)
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


# --- XOR: many 2-H-1 networks at once ---------------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def xor_forward(params: dict, X=XOR_X) -> tuple[np.ndarray, np.ndarray]:
    """Hidden activations and output logits of S stacked 2-H-1 networks (tanh, then sigmoid).

    Parameters
    ----------
    params : dict with "W1" (S, 2, H), "b1" (S, 1, H), "W2" (S, H, 1), "b2" (S, 1, 1)
    X : ndarray, shape (N, 2)

    Returns
    -------
    hidden : ndarray, shape (S, N, H)
    logits : ndarray, shape (S, N, 1); the probability of class 1 is sigmoid(logits)
    """
    hidden = tanh(X @ params["W1"] + params["b1"])
    return hidden, hidden @ params["W2"] + params["b2"]


def line_errors(X, y, angles, offsets) -> np.ndarray:
    """How many points each straight line misclassifies (one neuron's every possible answer).

    The line with angle a and offset c says "class 1" where x . (cos a, sin a) > c. Angles over
    a full turn cover both sides of every line.

    Parameters
    ----------
    X : array_like, shape (N, 2)
    y : array_like, shape (N,), labels 0 or 1
    angles : array_like, shape (A,), radians
    offsets : array_like, shape (B,)

    Returns
    -------
    ndarray of int64, shape (A, B): misclassified points for each (angle, offset).
    """
    X = as_float_array("X", X, shape=(None, 2))
    y = check_labels("y", y, (X.shape[0],), 2)
    angles = as_float_array("angles", angles, shape=(None,))
    offsets = as_float_array("offsets", offsets, shape=(None,))
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (A, 2)
    says_one = (X @ directions.T)[:, :, None] > offsets[None, None, :]  # (N, A, B)
    return np.sum(says_one != (y == 1)[:, None, None], axis=0).astype(np.int64)


def train_xor_networks(hidden_size: int, networks: int, epochs: int, learning_rate: float,
                       rng: np.random.Generator, init_scale: float = 1.0):
    """Train ``networks`` independent 2-H-1 nets on the four XOR points by full-batch descent.

    Each network has tanh hidden units, one sigmoid output and the mean binary cross-entropy
    over the four points; all are updated together by one ``nnlib.optim.SGD``.

    Parameters
    ----------
    hidden_size : int >= 1, H
    networks : int >= 1, S
    epochs : int >= 0, full-batch steps
    learning_rate : float > 0
    rng : np.random.Generator
        Draws every starting weight and bias from N(0, init_scale**2).
    init_scale : float > 0

    Returns
    -------
    params : dict of stacked arrays (see ``xor_forward``), trained
    start : dict, the starting parameters (a copy)
    losses : ndarray, shape (S,), each network's final mean cross-entropy
    solved : ndarray of bool, shape (S,), all four points on the right side of 1/2
    """
    hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
    networks = check_number("networks", networks, minimum=1, integer=True)
    epochs = check_number("epochs", epochs, minimum=0, integer=True)
    learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                 exclusive_minimum=True)
    init_scale = check_number("init_scale", init_scale, minimum=0, exclusive_minimum=True)
    check_rng(rng)
    shapes = {"W1": (2, hidden_size), "b1": (1, hidden_size), "W2": (hidden_size, 1),
              "b2": (1, 1)}
    params = {key: init_scale * rng.standard_normal((networks, *shape))
              for key, shape in shapes.items()}
    start = {key: value.copy() for key, value in params.items()}
    optimizer = SGD(learning_rate)
    targets = np.broadcast_to(XOR_Y[None, :, None], (networks, 4, 1))
    for _ in range(epochs):
        optimizer.update(params, xor_grads(params, targets))
    losses, solved = xor_scores(params)
    return params, start, losses, solved


def xor_grads(params: dict, targets: np.ndarray) -> dict:
    """Gradients of each network's mean cross-entropy over the four points (stacked)."""
    hidden, logits = xor_forward(params)
    # "sum" over the S x 4 entries, divided by 4: each network's own mean, not the mean of all.
    _, dlogits = binary_cross_entropy_with_logits(logits, targets, reduction="sum")
    dlogits = dlogits / XOR_X.shape[0]
    dhidden = (dlogits @ params["W2"].transpose(0, 2, 1)) * tanh_slope(hidden)
    return {"W2": hidden.transpose(0, 2, 1) @ dlogits, "b2": dlogits.sum(axis=1, keepdims=True),
            "W1": XOR_X.T @ dhidden, "b1": dhidden.sum(axis=1, keepdims=True)}


def xor_scores(params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each stacked network's mean cross-entropy on XOR, shape (S,), and whether it is solved
    (every point's probability on the right side of 1/2), shape (S,)."""
    _, logits = xor_forward(params)
    S = logits.shape[0]
    targets = np.broadcast_to(XOR_Y[None, :, None], logits.shape)
    losses = np.array([binary_cross_entropy_with_logits(logits[s], targets[s])[0]
                       for s in range(S)])
    predicted = sigmoid(logits[..., 0]) > 0.5
    return losses, np.all(predicted == (XOR_Y == 1), axis=1)


# Notebook 06's run time, for its budget check: seconds per unit of work measured on the course's
# 2-core machine with one BLAS thread (a unit = one step of one part, see estimated_seconds).
TRAIN_IMAGES = 1079          # the 60 % training part of load_digits
SEARCH_HIDDEN_SIZES = (32, 64, 128)


def _mlp_step_seconds(hidden_size: int, batch_size: int) -> float:
    # One Adam step of fit on a 64-H-10 MLP: a fixed cost, the update of the 74 H parameters
    # and the forward / backward pass of the batch.
    return 70e-6 + 0.45e-6 * hidden_size + 0.045e-6 * batch_size * hidden_size


def estimated_seconds(xor_networks: int, xor_epochs: int, source_epochs: int, epochs: int,
                      batch_size: int) -> dict[str, tuple[float, str]]:
    """Rough seconds that each part of notebook 06 needs with these parameters.

    Returns
    -------
    dict : part name -> (seconds, the parameter that sets it)
        The XOR study (three architectures of ``xor_networks`` stacked networks for
        ``xor_epochs`` steps, then the stuck ones, about half, for four times as many); the
        source-style network and its ``TwoLayerNet`` twin on the digits; the validation search
        (two learning rates for each hidden size), the retraining and scikit-learn's MLP, at
        most ``epochs`` passes of ceil(1079 / ``batch_size``) steps each. The fixed rest of the
        notebook (plots, imports, about 10 s) is not counted.
    """
    for name, value in (("xor_networks", xor_networks), ("xor_epochs", xor_epochs),
                        ("source_epochs", source_epochs), ("epochs", epochs)):
        check_number(name, value, minimum=0, integer=True)
    check_number("batch_size", batch_size, minimum=1, integer=True)
    batch = min(batch_size, TRAIN_IMAGES)
    steps = epochs * -(-TRAIN_IMAGES // batch)
    search = sum(2 * _mlp_step_seconds(hidden, batch) for hidden in SEARCH_HIDDEN_SIZES)
    retrain = _mlp_step_seconds(max(SEARCH_HIDDEN_SIZES), batch)
    sklearn_mlp = 210e-6 + 0.015e-6 * batch * max(SEARCH_HIDDEN_SIZES)
    return {
        "XOR study": (xor_epochs * (4e-4 + 3.7e-6 * xor_networks),
                      "xor_networks or xor_epochs"),
        "source-style network and TwoLayerNet": (source_epochs * TRAIN_IMAGES * 110e-6,
                                                 "source_epochs"),
        "MLP search, retraining, MLPClassifier": (steps * (search + retrain + sklearn_mlp),
                                                  "epochs, or raise batch_size"),
    }


__all__ = ["CLASSES", "IMAGE_SHAPE", "XOR_X", "XOR_Y", "confusion_matrix", "estimated_seconds",
           "line_errors", "load_digits_data", "one_hot", "stratified_split",
           "train_xor_networks", "xor_forward", "xor_grads", "xor_scores"]
