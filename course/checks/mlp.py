"""Self-checks for notebook 03: one layer's backward pass, the whole network's, and the
momentum and Adam updates.

Every check draws its inputs afresh (``fresh_rng``), so an answer that returns numbers copied
from an earlier run fails, and runs the answer with the library's own version of the exercise
refused, so an answer that calls it fails with a message saying so: the layer functions
through ``course.checks.common.library_refused``, the optimisers' update methods (which a
module attribute cannot name) through ``_methods_refused`` here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

from course.checks.common import (_REFUSED_MARK, CheckFailed, _refusing_code, close,
                                  compare_array, fresh_rng, library_refused, report_passed)
from nnlib.activations import sigmoid
from nnlib.architecture import make_architecture
from nnlib.mlp import MLP, layer_backward, layer_forward
from nnlib.mlp_workspace import Workspace
from nnlib.optim import Adam, Momentum

LAYER_NAMES = ("dA_prev", "dW", "db")

# The library functions that do each exercise's work: an answer may not call them.
_BACKWARDS = {"nnlib.mlp": ("layer_backward", "full_backward"),
              "nnlib.layers": ("affine_backward",),
              "nnlib.activations": ("relu_backward", "sigmoid_backward", "tanh_backward",
                                    "identity_backward"),
              "nnlib.mlp_workspace": ("_activation_backward",)}
FORBIDDEN_LAYER = _BACKWARDS
FORBIDDEN_NETWORK = _BACKWARDS
FORBIDDEN_METHODS_NETWORK = {"nnlib.mlp_workspace.Workspace.backward": Workspace.backward}
FORBIDDEN_METHODS_MOMENTUM = {"nnlib.optim.Momentum._step": Momentum._step,
                              "nnlib.optim.Adam._step": Adam._step}
FORBIDDEN_METHODS_ADAM = FORBIDDEN_METHODS_MOMENTUM


@contextlib.contextmanager
def _methods_refused(methods: dict):
    """Make the given methods ({dotted name: function}) raise ``CheckFailed`` while the block
    runs (the same code swap as ``library_refused``, for functions that live on a class)."""
    saved = [(function, function.__code__) for function in methods.values()]
    for function, code in saved:
        function.__code__ = _refusing_code.__code__.replace(co_name=code.co_name)
    try:
        yield
    except RuntimeError as error:
        if error.args and error.args[0] == _REFUSED_MARK:
            frame = error.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            code = frame.tb_frame.f_code if frame is not None else None
            dotted = next((d for d, f in methods.items() if f.__code__ is code), None)
            if dotted is None:  # one of library_refused's functions: it names it
                raise
            raise CheckFailed(f"your function calls the library's {dotted}: this exercise asks "
                              "you to write that yourself with NumPy (derive it from the "
                              "definition above).") from None
        raise
    finally:
        for function, code in saved:
            function.__code__ = code


def _call(answer: Callable, args: tuple, forbidden: dict, methods: dict | None = None,
          kwargs: dict | None = None):
    # answer(*args, **kwargs) with arrays (and tuples of arrays) copied, the twins refused.
    def copy(a):
        if isinstance(a, np.ndarray):
            return a.copy()
        if isinstance(a, tuple):
            return tuple(copy(x) for x in a)
        if isinstance(a, list):
            return [copy(x) for x in a]
        return a
    with library_refused(forbidden), _methods_refused(methods or {}):
        return answer(*copy(args), **(kwargs or {}))


def check_layer_backward(layer_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``layer_backward(dA, cache, activation) -> (dA_prev, dW, db)``, the cache being
    ``(A_prev, W, Z)`` from ``layer_forward``."""
    name = "layer_backward"
    rng = fresh_rng()
    cases = [("relu", 6, 4, 3), ("sigmoid", 6, 4, 3)]
    if hidden:
        cases += [("relu", 1, 5, 2), ("sigmoid", 9, 2, 7)]
    for activation, N, D, H in cases:
        A_prev, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H)
        dA = rng.normal(size=(N, H))
        _, cache = layer_forward(A_prev, W, b, activation)
        expected = layer_backward(dA, cache, activation)
        result = _call(layer_backward_fn, (dA, cache, activation), FORBIDDEN_LAYER)
        if not isinstance(result, tuple) or len(result) != 3:
            raise CheckFailed(f"{name} must return a tuple (dA_prev, dW, db), got "
                              f"{type(result).__name__}.")
        shapes = {"dA_prev": "(N, D), like A_prev", "dW": "(D, H), like W", "db": "(H,), like b"}
        for label, got, want in zip(LAYER_NAMES, result, expected):
            got = compare_array(f"{name}: {label}", got, want, f"shape {shapes[label]}",
                                "Each gradient has the shape of what it is the gradient of.")
            if close(got, want):
                continue
            _diagnose_layer(name, label, got, dA, cache, activation, (N, D, H))
    report_passed(name, hidden)


def _diagnose_layer(name, label, got, dA, cache, activation, sizes):
    A_prev, W, Z = cache
    index = LAYER_NAMES.index(label)
    no_slope = layer_backward(dA, cache, "identity")
    if close(got, no_slope[index]):
        raise CheckFailed(f"{name}: {label} ignores the {activation} slope: the chain rule "
                          "goes through A = g(Z) first, so dZ = dA * g'(Z).")
    if label == "db" and close(got, layer_backward(dA, cache, activation)[2] / len(A_prev)):
        raise CheckFailed(f"{name}: db averages dZ over the examples: every example's "
                          "dZ adds to it (the 1/N is already inside dA), so sum over axis 0.")
    raise CheckFailed(f"{name}: {label} is wrong for a {activation} layer (N={sizes[0]}, "
                      f"D={sizes[1]}, H={sizes[2]}): write each entry of Z = A_prev W + b as a "
                      "sum and ask which entries of A_prev, W and b each Z[n, h] depends on.")


def check_full_backward(full_backward_fn: Callable, full_forward_fn: Callable,
                        hidden: bool = False) -> None:
    """Check ``full_backward(dlogits, caches, architecture) -> grads`` (a dict).

    ``full_forward(X, params, architecture) -> (logits, caches)`` is the notebook's forward
    pass (``caches[l - 1]`` is layer l's ``(A_prev, W, Z)``); dlogits is the gradient of the
    mean binary cross-entropy, (sigmoid(logits) - y) / N.
    """
    name = "full_backward"
    rng = fresh_rng()
    shapes = [[2, 5, 4, 1], [2, 3, 1]] if hidden else [[2, 5, 4, 1]]
    for sizes in shapes:
        architecture = make_architecture(sizes, "relu")
        params = {}
        for index, spec in enumerate(architecture, start=1):
            params[f"W{index}"] = rng.normal(size=(spec["input_dim"], spec["output_dim"]))
            params[f"b{index}"] = rng.normal(size=spec["output_dim"])
        X = rng.normal(size=(7, sizes[0]))
        y = rng.integers(0, 2, size=(7, 1)).astype(np.float64)
        _, expected = MLP.from_params(params, architecture=architecture).loss_and_grads(X, y)
        logits, caches = full_forward_fn(X, {k: v.copy() for k, v in params.items()},
                                         architecture)
        dlogits = (sigmoid(logits) - y) / len(y)
        grads = _call(full_backward_fn, (dlogits, caches, architecture), FORBIDDEN_NETWORK,
                      FORBIDDEN_METHODS_NETWORK)
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
            if key in (f"W{L}", f"b{L}"):
                raise CheckFailed(f"{name}: the output layer's {key} is wrong: dlogits is "
                                  "already dL/dZ there (no slope to apply: use the identity), "
                                  "then dW = A_prev.T @ dZ, db = dZ.sum(0).")
            raise CheckFailed(f"{name}: the output layer is right but {key} is not: check how "
                              "dA flows back (dA_prev = dZ @ W.T) and which cache and "
                              "activation each layer uses.")
    report_passed(name, hidden)


def _run_steps(step: Callable, start: np.ndarray, grads: list, state: tuple, methods: dict,
               **settings):
    theta, results = start.copy(), []
    for t, grad in enumerate(grads, start=1):
        out = _call(step, (theta, grad, *state), {}, methods,
                    dict(**({"t": t} if "beta1" in settings else {}), **settings))
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
    rng = fresh_rng()
    cases = [((3, 2), 0.1, 0.9), ((4,), 0.5, 0.5)] + ([((2, 5), 0.01, 0.99)] if hidden else [])
    for shape, learning_rate, beta in cases:
        start = rng.normal(size=shape)
        grads = [rng.normal(size=shape) for _ in range(4)]
        got = _run_steps(momentum_step, start, grads, (np.zeros(shape),),
                         FORBIDDEN_METHODS_MOMENTUM, learning_rate=learning_rate, beta=beta)
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
    raise CheckFailed(f"{name}: theta is wrong after step {step}: split the sum that defines "
                      "v_t into its newest term and the rest, and compare the rest with v_{t-1} "
                      "(return the new velocity too).")


def check_adam_step(adam_step: Callable, hidden: bool = False) -> None:
    """Check ``adam_step(theta, grad, m, v, t, learning_rate, beta1, beta2, eps) ->
    (theta, m, v)`` (t = 1 on the first step) against ``nnlib.optim.Adam``."""
    name = "adam_step"
    rng = fresh_rng()
    cases = [((3, 2), 0.1), ((5,), 0.01)] + ([((2, 2), 1.0)] if hidden else [])
    for shape, learning_rate in cases:
        start = rng.normal(size=shape)
        grads = [rng.normal(size=shape) * 10.0**rng.integers(-3, 2) for _ in range(4)]
        settings = dict(learning_rate=learning_rate, beta1=0.9, beta2=0.999, eps=1e-8)
        got = _run_steps(adam_step, start, grads, (np.zeros(shape), np.zeros(shape)),
                         FORBIDDEN_METHODS_ADAM, **settings)
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
    raise CheckFailed(f"{name}: theta is wrong after step {step}: write m_t and v_t from "
                      "m_{t-1} and v_{t-1} (split off the newest term of each sum), and divide "
                      "each by the sum of its weights after t steps.")
