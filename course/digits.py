"""Notebook 06's course-only code: the XOR study (many 2-H-1 networks trained at once, with
their own stacked forward and backward pass), the line-error map of one neuron, and the run-time
estimate behind the notebook's budget check.

``train_xor_networks`` trains S independent 2-H-1 networks on XOR in one stacked array, so the
question "how often does a 2-2-1 net get stuck?" costs one run instead of S. It uses nnlib's
sigmoid, tanh, cross-entropy and SGD. The cost model's constants were measured on the course's
2-core machine: it is a budget guard for the notebook, not part of the library.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, tanh, tanh_slope
from nnlib.losses import binary_cross_entropy_with_logits
from nnlib.optim import SGD
from nnlib.validation import as_float_array, check_labels, check_number, check_rng

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
        source-style network and its ``TwoLayerNet`` twin on the digits; three softmax
        regressions, the validation search (two learning rates for each hidden size), the
        retraining and scikit-learn's MLP, at
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
    # softmax regression (64-10), trained three times (weight decay 0, 1e-3, 1e-2)
    linear = 3 * (70e-6 + 0.002e-6 * batch * 64)
    return {
        "XOR study": (xor_epochs * (4e-4 + 3.7e-6 * xor_networks),
                      "xor_networks or xor_epochs"),
        "source-style network and TwoLayerNet": (source_epochs * TRAIN_IMAGES * 110e-6,
                                                 "source_epochs"),
        "softmax regression, MLP search, retraining, MLPClassifier": (
            steps * (linear + search + retrain + sklearn_mlp),
                                                  "epochs, or raise batch_size"),
    }


# --- how often XOR gets stuck: the sweep behind section 4's table ---------------------------

XOR_SWEEP_SEEDS = 100
INIT_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)


def source_style_start(sizes, rng: np.random.Generator) -> dict:
    """The source-style class's starting weights (uniform in [-0.25, 0.25], every weight matrix
    drawn before the biases, as the notebook's ``NeuralNetwork``) under TwoLayerNet's names."""
    weights = [rng.uniform(-0.25, 0.25, (d_in, d_out)) for d_in, d_out in zip(sizes[:-1],
                                                                            sizes[1:])]
    biases = [rng.uniform(-0.25, 0.25, d_out) for d_out in sizes[1:]]
    return {"W1": weights[0], "b1": biases[0], "W2": weights[1], "b2": biases[1]}


def source_style_xor_solved(seed: int, learning_rate: float = 0.5, epochs: int = 2500) -> bool:
    """Whether the source-style 2-2-1 network (logistic units, per-example SGD on the squared
    error; ``TwoLayerNet`` + ``fit(batch_size=1)``, which makes the class's updates) started and
    shuffled with ``seed`` solves XOR."""
    from nnlib.train import fit
    from nnlib.twolayer import TwoLayerNet

    model = TwoLayerNet.from_params(source_style_start([2, 2, 1], np.random.default_rng(seed)),
                                    reduction="half_sum")
    fit(model, XOR_X, XOR_Y[:, None], SGD(learning_rate), epochs, batch_size=1,
        rng=np.random.default_rng(seed), metric=None, record_every=epochs)
    return bool(np.all((model.predict(XOR_X)[:, 0] > 0.5) == (XOR_Y == 1)))


def xor_stuck_sweep(seeds: int = XOR_SWEEP_SEEDS, xor_epochs: int = 2000) -> dict:
    """Section 4's precomputed table: which seeds solve XOR with the source-style network, and
    how many of ``seeds`` stacked 2-2-1 tanh networks (seed 2's generator, as the notebook's
    2-2-1 study with ``seed`` 0) solve it for each starting scale in ``INIT_SCALES``."""
    solved_by_scale = {}
    for scale in INIT_SCALES:
        *_, solved = train_xor_networks(2, seeds, xor_epochs, 1.0, np.random.default_rng(2),
                                        init_scale=scale)
        solved_by_scale[f"{scale:g}"] = int(solved.sum())
    return {"seeds": seeds, "xor_epochs": xor_epochs,
            "source_style": {"learning_rate": 0.5, "epochs": 2500,
                             "solved_seeds": [s for s in range(seeds)
                                              if source_style_xor_solved(s)]},
            "tanh_221_solved_by_init_scale": solved_by_scale}


__all__ = ["INIT_SCALES", "XOR_SWEEP_SEEDS", "source_style_start", "source_style_xor_solved",
           "xor_stuck_sweep", "XOR_X", "XOR_Y", "estimated_seconds", "line_errors", "train_xor_networks",
           "xor_forward", "xor_grads", "xor_scores"]


if __name__ == "__main__":  # python -m course.digits: rewrite notebook 06's sweep file
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "06_xor_stuck.json"
    path.write_text(json.dumps(xor_stuck_sweep(), indent=1) + "\n")
    print("written:", path)
