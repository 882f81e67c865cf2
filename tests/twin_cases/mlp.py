"""Chapter 03's pairs: the starting parameters, ReLU, one layer forward and backward, the whole
network forward and backward, the loss from the logits and the accuracy."""

import numpy as np

from twin_cases import Twin

ARCHITECTURE = [{"input_dim": 2, "output_dim": 5, "activation": "relu"},
                {"input_dim": 5, "output_dim": 4, "activation": "sigmoid"},
                {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}]
INITS = ("normal", "he", "glorot", "glorot_sigmoid")


def _init(rng):
    # The test gives each side its own copy of the Generator: the same draws in the same order.
    return (ARCHITECTURE, np.random.default_rng(int(rng.integers(1000)))), \
        {"scale": 0.3, "init": INITS[int(rng.integers(len(INITS)))]}


def _x(rng):
    return (rng.normal(size=(5, 3)),), {}


def _layer(rng):
    A_prev, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    return (A_prev, W, b, ("relu", "sigmoid", "identity")[int(rng.integers(3))]), {}


def _layer_backward(rng):
    A_prev, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    Z = A_prev @ W + b
    activation = ("relu", "sigmoid", "identity")[int(rng.integers(3))]
    return (rng.normal(size=(6, 3)), (A_prev, W, Z), activation), {}


def _params(rng):
    return {f"{kind}{l}": rng.normal(size=(spec["input_dim"], spec["output_dim"]) if kind == "W"
                                     else spec["output_dim"])
            for l, spec in enumerate(ARCHITECTURE, start=1) for kind in "Wb"}


def _full_forward(rng):
    return (rng.normal(size=(7, 2)), _params(rng), ARCHITECTURE), {}


def _full_backward(rng):
    params, A, caches = _params(rng), rng.normal(size=(7, 2)), []
    for l, spec in enumerate(ARCHITECTURE, start=1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        caches.append((A, params[f"W{l}"], Z))
        A = np.maximum(Z, 0) if spec["activation"] == "relu" else 1 / (1 + np.exp(-Z))
    return (rng.normal(size=(7, 1)), caches, ARCHITECTURE), {}


def _bce(rng):
    return (rng.normal(scale=5.0, size=(8, 1)), rng.integers(0, 2, size=(8, 1)).astype(float)), \
        {"reduction": ("mean", "sum")[int(rng.integers(2))]}


def _accuracy(rng):
    return (rng.uniform(size=(9, 1)), rng.integers(0, 2, size=(9, 1)).astype(float)), {}


CASES = [
    Twin("03", "init_params", "nnlib.architecture.init_params", _init),
    Twin("03", "relu", "nnlib.activations.relu", _x),
    Twin("03", "layer_forward", "nnlib.mlp.layer_forward", _layer),
    Twin("03", "layer_backward", "nnlib.mlp.layer_backward", _layer_backward),
    Twin("03", "full_forward", "nnlib.mlp.full_forward", _full_forward),
    Twin("03", "full_backward", "nnlib.mlp.full_backward", _full_backward),
    Twin("03", "binary_cross_entropy_with_logits", "nnlib.losses.binary_cross_entropy_with_logits",
         _bce),
    Twin("03", "binary_accuracy", "nnlib.metrics.binary_accuracy", _accuracy),
]
