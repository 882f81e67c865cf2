"""A feed-forward network's architecture as data, and its starting parameters (notebook 03).

The architecture is a list of layer specs, one dict per layer,
``{"input_dim": 2, "output_dim": 25, "activation": "relu"}``. The hidden layers use one of
``HIDDEN_ACTIVATIONS``; the output layer is either one ``"sigmoid"`` unit (two classes, binary
cross-entropy) or C > 1 ``"softmax"`` units (C classes, categorical cross-entropy).
``init_params`` draws the starting weights: the tutorial's fixed scale, or fan-in scaled
(He, Glorot). Core module: NumPy only.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nnlib.validation import as_float_array, check_choice, check_number, check_rng

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax")
INITS = ("normal", "he", "glorot", "glorot_sigmoid")


def make_architecture(layer_sizes: Iterable[int], hidden_activation: str = "relu") -> list[dict]:
    """Layer specs for the sizes ``[D, H1, ..., C]``: the hidden layers share one activation;
    the output is one sigmoid unit when C = 1, C softmax units when C > 1.

    >>> make_architecture([2, 3, 1])[0]
    {'input_dim': 2, 'output_dim': 3, 'activation': 'relu'}
    >>> make_architecture([4, 3])[-1]["activation"]
    'softmax'
    """
    sizes = [check_number("layer_sizes[i]", size, minimum=1, integer=True)
             for size in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least the input and the output size, got {sizes}.")
    output = "sigmoid" if sizes[-1] == 1 else "softmax"
    return check_architecture([
        {"input_dim": d_in, "output_dim": d_out,
         "activation": output if i == len(sizes) - 2 else hidden_activation}
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))])


def check_architecture(architecture) -> list[dict]:
    """Check a list of layer specs and return a clean copy.

    Each spec is a dict with ``input_dim`` and ``output_dim`` (ints >= 1) and ``activation``;
    each layer's input size equals the previous layer's output size. Hidden layers use one of
    ``HIDDEN_ACTIVATIONS``; the last layer is one ``"sigmoid"`` unit or C > 1 ``"softmax"``
    units.
    """
    if not isinstance(architecture, (list, tuple)) or not architecture:
        raise ValueError(f"architecture must be a non-empty list of layer specs, "
                         f"got {architecture!r}.")
    clean = []
    for index, spec in enumerate(architecture, start=1):
        if not isinstance(spec, dict) or set(spec) != {"input_dim", "output_dim", "activation"}:
            raise ValueError(f"layer {index} must be a dict with the keys input_dim, output_dim "
                             f"and activation, got {spec!r}.")
        d_in = check_number(f"layer {index} input_dim", spec["input_dim"], minimum=1,
                            integer=True)
        d_out = check_number(f"layer {index} output_dim", spec["output_dim"], minimum=1,
                             integer=True)
        last = index == len(architecture)
        allowed = OUTPUT_ACTIVATIONS if last else HIDDEN_ACTIVATIONS
        if spec["activation"] not in allowed:
            raise ValueError(f"layer {index} activation must be one of {allowed}"
                             f"{' (the output layer)' if last else ''}, "
                             f"got {spec['activation']!r}.")
        if clean and d_in != clean[-1]["output_dim"]:
            raise ValueError(f"layer {index} input_dim must equal layer {index - 1} output_dim "
                             f"({clean[-1]['output_dim']}), got {d_in}.")
        clean.append({"input_dim": d_in, "output_dim": d_out, "activation": spec["activation"]})
    output = clean[-1]
    if (output["activation"] == "sigmoid") != (output["output_dim"] == 1):
        raise ValueError("the output layer must be one sigmoid unit (two classes) or C > 1 "
                         f"softmax units (C classes), got {architecture[-1]!r}.")
    return clean


def init_params(architecture, rng: np.random.Generator, scale: float = 0.1,
                init: str = "normal") -> dict:
    """Random starting values, different for every unit.

    Parameters
    ----------
    architecture : list of layer specs (see ``check_architecture``), L layers
    rng : np.random.Generator
        Draws W1, b1, W2, b2, ... in that order.
    scale : float > 0
        Standard deviation for ``init="normal"``. The tutorial uses 0.1.
    init : "normal", "he", "glorot" or "glorot_sigmoid"
        "normal": every weight and bias from N(0, scale**2), the tutorial's choice.
        "he": weights from N(0, 2 / D_in), biases 0 (He et al., 2015; suits ReLU).
        "glorot": weights and biases uniform in +-sqrt(6 / (D_in + D_out)) (Glorot and
        Bengio, 2010; scikit-learn's MLPClassifier does this; suits tanh).
        "glorot_sigmoid": as "glorot", with the bound 4 times larger in the hidden layers
        whose activation is the sigmoid (its slope at 0 is 1/4, tanh's is 1).

    Returns
    -------
    params : dict
        ``"W{l}"`` of shape (D_in, D_out) and ``"b{l}"`` of shape (D_out,), l = 1 .. L.

    Notes
    -----
    Random values break the symmetry between the units of a layer: units that start with
    equal weights receive equal gradients and stay equal for ever. Fan-in scaling keeps the
    spread of the pre-activations about the same from layer to layer: Var(z) = D_in Var(w)
    Var(a), so Var(w) = 2 / D_in for ReLU (which zeroes half its inputs), 2 / (D_in + D_out)
    for tanh. The sigmoid is tanh scaled, sigma(z) = 1/2 + tanh(z/2)/2, with slope 1/4 at 0:
    each sigmoid layer passes on a quarter of the spread it receives, so its weights need 4
    times tanh's spread to keep it ("glorot_sigmoid"; Glorot and Bengio's paper suggests the
    same factor).
    """
    architecture = check_architecture(architecture)
    check_rng(rng)
    scale = check_number("scale", scale, minimum=0, exclusive_minimum=True)
    check_choice("init", init, INITS)
    params = {}
    for index, spec in enumerate(architecture, start=1):
        d_in, d_out = spec["input_dim"], spec["output_dim"]
        if init == "normal":
            params[f"W{index}"] = scale * rng.standard_normal((d_in, d_out))
            params[f"b{index}"] = scale * rng.standard_normal(d_out)
        elif init == "he":
            params[f"W{index}"] = np.sqrt(2.0 / d_in) * rng.standard_normal((d_in, d_out))
            params[f"b{index}"] = np.zeros(d_out)
        else:
            bound = np.sqrt(6.0 / (d_in + d_out))
            if (init == "glorot_sigmoid" and spec["activation"] == "sigmoid"
                    and index < len(architecture)):
                bound *= 4.0
            params[f"W{index}"] = rng.uniform(-bound, bound, (d_in, d_out))
            params[f"b{index}"] = rng.uniform(-bound, bound, d_out)
    return params


def check_params(params: dict, architecture: list[dict]) -> dict:
    """Raise ``ValueError`` unless ``params`` has every ``W{l}``, ``b{l}`` of the architecture
    in its shape; return them as float64 arrays."""
    expected = {}
    for index, spec in enumerate(architecture, start=1):
        expected[f"W{index}"] = (spec["input_dim"], spec["output_dim"])
        expected[f"b{index}"] = (spec["output_dim"],)
    if not isinstance(params, dict) or set(params) != set(expected):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {sorted(expected)}, got {got}.")
    return {key: as_float_array(key, params[key], shape=shape) for key, shape in expected.items()}


__all__ = ["HIDDEN_ACTIVATIONS", "INITS", "OUTPUT_ACTIVATIONS", "check_architecture",
           "check_params", "init_params", "make_architecture"]
