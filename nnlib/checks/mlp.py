"""Self-checks for notebook 03: one layer's backward pass, and the whole network's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.mlp import layer_backward, layer_forward, mlp_loss_and_grads

LAYER_NAMES = ("dA_prev", "dW", "db")


def check_single_layer_backward(single_layer_backward: Callable, hidden: bool = False) -> None:
    """Check ``single_layer_backward(dA, W, Z, A_prev, activation) -> (dA_prev, dW, db)``."""
    name = "single_layer_backward"
    rng = np.random.default_rng(707 if hidden else 7)
    cases = [("relu", 6, 4, 3), ("sigmoid", 6, 4, 3)]
    if hidden:
        cases += [("relu", 1, 5, 2), ("sigmoid", 9, 2, 7)]
    for activation, N, D, H in cases:
        A_prev, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H)
        dA = rng.normal(size=(N, H))
        _, cache = layer_forward(A_prev, W, b, activation)
        Z = cache[2]
        expected = layer_backward(dA, cache, activation)
        result = single_layer_backward(dA.copy(), W.copy(), Z.copy(), A_prev.copy(), activation)
        if not isinstance(result, tuple) or len(result) != 3:
            raise CheckFailed(f"{name} must return a tuple (dA_prev, dW, db), got "
                              f"{type(result).__name__}.")
        shapes = {"dA_prev": "(N, D), like A_prev", "dW": "(D, H), like W", "db": "(H,), like b"}
        for label, got, want in zip(LAYER_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, f"shape {shapes[label]}",
                                "Each gradient has the shape of what it is the gradient of.")
            if close(got, want):
                continue
            no_slope = layer_backward(dA, (A_prev, W, Z, Z), "identity")
            if close(got, no_slope[LAYER_NAMES.index(label)]):
                raise CheckFailed(f"{name}: {label} ignores the {activation} slope: "
                                  "dZ = dA * g'(Z) comes first.")
            raise CheckFailed(f"{name}: {label} is wrong for a {activation} layer "
                              f"(N={N}, D={D}, H={H}): dZ = dA * g'(Z), dA_prev = dZ @ W.T, "
                              "dW = A_prev.T @ dZ, db = dZ.sum(axis=0).")
    report_passed(name, hidden)


def check_full_backward(full_backward: Callable, full_forward: Callable,
                        hidden: bool = False) -> None:
    """Check ``full_backward(y_hat, y, memory, params, architecture) -> grads`` (a dict).

    ``full_forward(X, params, architecture) -> (y_hat, memory)`` is the notebook's forward pass
    (memory holds ``A0 .. A{L-1}`` and ``Z1 .. ZL``); the loss is the mean binary cross-entropy.
    """
    name = "full_backward"
    rng = np.random.default_rng(808 if hidden else 8)
    shapes = [[2, 5, 4, 1], [2, 3, 1]] if hidden else [[2, 5, 4, 1]]
    for sizes in shapes:
        architecture = [{"input_dim": d, "output_dim": h, "activation": "relu"}
                        for d, h in zip(sizes[:-2], sizes[1:-1])]
        architecture.append({"input_dim": sizes[-2], "output_dim": 1, "activation": "sigmoid"})
        params = {}
        for index, spec in enumerate(architecture, start=1):
            params[f"W{index}"] = rng.normal(size=(spec["input_dim"], spec["output_dim"]))
            params[f"b{index}"] = rng.normal(size=spec["output_dim"])
        X = rng.normal(size=(7, sizes[0]))
        y = rng.integers(0, 2, size=(7, 1)).astype(np.float64)
        _, expected = mlp_loss_and_grads(X, y, params, architecture)
        y_hat, memory = full_forward(X, {k: v.copy() for k, v in params.items()}, architecture)
        grads = full_backward(y_hat, y.copy(), memory, {k: v.copy() for k, v in params.items()},
                              architecture)
        if not isinstance(grads, dict):
            raise CheckFailed(f"{name} must return a dict of gradients, got "
                              f"{type(grads).__name__}.")
        missing = sorted(set(expected) - set(grads))
        if missing:
            raise CheckFailed(f"{name} returned no gradient for {missing}: every W and b of "
                              "every layer needs one.")
        L = len(architecture)
        for key in sorted(expected, key=lambda k: (-int(k[1:]), k[0])):  # from the output back
            got = compare_array(f"{name}: {key}", grads[key], expected[key],
                                f"the shape of {key}")
            if close(got, expected[key]):
                continue
            if close(got, expected[key] * len(y)):
                raise CheckFailed(f"{name}: {key} is N times too large: the loss is the mean "
                                  "over examples, so dZ at the output is (y_hat - y) / N.")
            if key in (f"W{L}", f"b{L}"):
                raise CheckFailed(f"{name}: the output layer's {key} is wrong: start from "
                                  "dZ = (y_hat - y) / N, then dW = A.T @ dZ, db = dZ.sum(0).")
            raise CheckFailed(f"{name}: the output layer is right but {key} is not: check how "
                              "dA flows back (dA_prev = dZ @ W.T) and which Z and A_prev each "
                              "layer uses.")
    report_passed(name, hidden)
