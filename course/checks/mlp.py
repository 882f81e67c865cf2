"""Self-checks for notebook 03: one layer's backward pass, the whole network's, and the
momentum and Adam updates."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.mlp import layer_backward, layer_forward, mlp_loss_and_grads
from nnlib.optim import Adam, Momentum

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
            no_slope = layer_backward(dA, (A_prev, W, Z), "identity")
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


def _run_steps(step: Callable, start: np.ndarray, grads: list, state: tuple, **settings):
    theta, results = start.copy(), []
    for t, grad in enumerate(grads, start=1):
        out = step(theta.copy(), grad.copy(), *(s.copy() for s in state),
                   **({"t": t} if "beta1" in settings else {}), **settings)
        if not isinstance(out, tuple) or len(out) != 1 + len(state):
            raise CheckFailed(f"the step must return a tuple of {1 + len(state)} arrays, got "
                              f"{type(out).__name__}.")
        theta, state = out[0], out[1:]
        results.append((theta, state))
    return results


def _reference_momentum(theta, grad, velocity, learning_rate, beta, form="pytorch"):
    if form == "pytorch":
        velocity = beta * velocity + grad
    elif form == "average":
        velocity = beta * velocity + (1 - beta) * grad
    else:  # "no_memory"
        velocity = grad
    return theta - learning_rate * velocity, velocity


def check_momentum_step(momentum_step: Callable, hidden: bool = False) -> None:
    """Check ``momentum_step(theta, grad, velocity, learning_rate, beta) -> (theta, velocity)``
    against ``nnlib.optim.Momentum`` over several steps."""
    name = "momentum_step"
    rng = np.random.default_rng(909 if hidden else 9)
    cases = [((3, 2), 0.1, 0.9), ((4,), 0.5, 0.5)] + ([((2, 5), 0.01, 0.99)] if hidden else [])
    for shape, learning_rate, beta in cases:
        start = rng.normal(size=shape)
        grads = [rng.normal(size=shape) for _ in range(4)]
        got = _run_steps(momentum_step, start, grads, (np.zeros(shape),),
                         learning_rate=learning_rate, beta=beta)
        optimizer, params = Momentum(learning_rate, beta=beta), {"w": start.copy()}
        for step, (grad, (theta, (velocity,))) in enumerate(zip(grads, got), start=1):
            optimizer.step(params, {"w": grad})
            theta = compare_array(f"{name}: theta", theta, params["w"], f"shape {shape}")
            if close(theta, params["w"]):
                continue
            _diagnose_momentum(name, start, grads[:step], learning_rate, beta, theta, step)
    report_passed(name, hidden)


def _diagnose_momentum(name, start, grads, learning_rate, beta, theta, step):
    for form, hint in (("average", "your velocity averages the gradients, v = beta v + "
                        "(1 - beta) g: nnlib (like PyTorch) adds the whole gradient, "
                        "v = beta v + g, so that the steady step is learning_rate / (1 - beta) "
                        "times the gradient."),
                       ("no_memory", "your velocity forgets the past: v = beta v + g keeps "
                        "beta of the previous velocity.")):
        reference, velocity = start.copy(), np.zeros_like(start)
        for grad in grads:
            reference, velocity = _reference_momentum(reference, grad, velocity,
                                                      learning_rate, beta, form)
        if close(theta, reference):
            raise CheckFailed(f"{name}: {hint}")
    plus = start.copy()
    velocity = np.zeros_like(start)
    for grad in grads:
        plus, velocity = _reference_momentum(plus, -grad, velocity, learning_rate, beta)
    if close(theta, plus):
        raise CheckFailed(f"{name}: the parameters move uphill: theta <- theta - "
                          "learning_rate * v.")
    raise CheckFailed(f"{name}: theta is wrong after step {step}: v <- beta v + g, then "
                      "theta <- theta - learning_rate v (return the new velocity too).")


def check_adam_step(adam_step: Callable, hidden: bool = False) -> None:
    """Check ``adam_step(theta, grad, m, v, t, learning_rate, beta1, beta2, eps) ->
    (theta, m, v)`` (t = 1 on the first step) against ``nnlib.optim.Adam``."""
    name = "adam_step"
    rng = np.random.default_rng(1010 if hidden else 10)
    cases = [((3, 2), 0.1), ((5,), 0.01)] + ([((2, 2), 1.0)] if hidden else [])
    for shape, learning_rate in cases:
        start = rng.normal(size=shape)
        grads = [rng.normal(size=shape) * 10.0**rng.integers(-3, 2) for _ in range(4)]
        settings = dict(learning_rate=learning_rate, beta1=0.9, beta2=0.999, eps=1e-8)
        got = _run_steps(adam_step, start, grads, (np.zeros(shape), np.zeros(shape)),
                         **settings)
        optimizer, params = Adam(learning_rate), {"w": start.copy()}
        for step, (grad, (theta, _)) in enumerate(zip(grads, got), start=1):
            optimizer.step(params, {"w": grad})
            if isinstance(theta, np.ndarray) and not np.all(np.isfinite(theta)):
                _diagnose_adam(name, start, grads[:step], theta, step, **settings)
            theta = compare_array(f"{name}: theta", theta, params["w"], f"shape {shape}")
            if close(theta, params["w"]):
                continue
            _diagnose_adam(name, start, grads[:step], theta, step, **settings)
    report_passed(name, hidden)


def _adam_variant(start, grads, learning_rate, beta1, beta2, eps, correct=True, root=True,
                  square=True):
    theta, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g if square else np.abs(g))
        m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if correct else (m, v)
        theta = theta - learning_rate * m_hat / ((np.sqrt(v_hat) if root else v_hat) + eps)
    return theta


def _diagnose_adam(name, start, grads, theta, step, **settings):
    if not np.all(np.isfinite(theta)):
        raise CheckFailed(f"{name}: NaN or inf after step {step}: is t 0 in the bias "
                          "correction 1 - beta**t (it counts from 1), or v negative (it "
                          "averages g**2)?")
    for variant, hint in ((dict(correct=False), "no bias correction: divide m by "
                           "(1 - beta1**t) and v by (1 - beta2**t); without it the first steps "
                           "are far too small (m starts at 0)."),
                          (dict(root=False), "the step divides by v_hat: it divides by "
                           "sqrt(v_hat) + eps, so that it is about learning_rate whatever the "
                           "gradient's scale."),
                          (dict(square=False), "v must average the squared gradient g**2.")):
        if close(theta, _adam_variant(start, grads, **settings, **variant)):
            raise CheckFailed(f"{name}: {hint}")
    raise CheckFailed(f"{name}: theta is wrong after step {step}: m <- beta1 m + (1 - beta1) "
                      "g; v <- beta2 v + (1 - beta2) g**2; theta <- theta - learning_rate "
                      "m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - beta1**t), "
                      "v_hat = v / (1 - beta2**t).")
