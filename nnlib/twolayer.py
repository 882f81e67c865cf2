"""A network with one hidden layer, trained by backpropagation (notebook 02).

``TwoLayerNet`` is input -> affine -> sigmoid -> affine -> sigmoid with a squared-error loss
whose reduction ("sum", "half_sum" or "mean") is chosen when the model is built. It is a thin
holder of ``params`` on the model protocol (``nnlib.model``), built from the pure functions of
``nnlib.layers``, ``nnlib.activations`` and ``nnlib.losses``; it trains through
``nnlib.train.fit``. Other activations, other losses and more layers belong to the generic MLP
of notebook 03.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import REDUCTIONS, squared_error_loss
from nnlib.model import Model
from nnlib.validation import as_float_array, check_choice, check_number, check_rng

INITS = ("randn", "rand")


class TwoLayerNet(Model):
    """input (D) -> affine -> sigmoid (H) -> affine -> sigmoid (C), squared-error loss.

    Parameters
    ----------
    input_size, hidden_size, output_size : int >= 1
        D, H and C.
    rng : np.random.Generator
        Draws the initial weights.
    init : "randn" or "rand"
        Initial weights from the standard normal distribution, or uniform on [0, 1).
        Biases start at zero.
    use_bias : bool
        False: no biases at all (the original tutorials have none); ``params`` then holds only
        ``W1`` and ``W2``, so no optimiser can move a bias.
    reduction : "sum", "half_sum" or "mean"
        How the squared errors are combined into the loss (see ``squared_error_loss``).

    Attributes
    ----------
    params : dict
        ``W1`` (D, H), ``W2`` (H, C) and, with ``use_bias``, ``b1`` (H,), ``b2`` (C,).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1, *,
                 rng: np.random.Generator, init: str = "randn", use_bias: bool = True,
                 reduction: str = "half_sum"):
        D, H, C = (check_number(name, value, minimum=1, integer=True) for name, value in
                   (("input_size", input_size), ("hidden_size", hidden_size),
                    ("output_size", output_size)))
        check_rng(rng)
        self.init = check_choice("init", init, INITS)
        if not isinstance(use_bias, bool):
            raise ValueError(f"use_bias must be True or False, got {use_bias!r}.")
        self.use_bias = use_bias
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)
        self.layer_sizes = (D, H, C)
        draw = rng.standard_normal if init == "randn" else rng.random
        self.params = {"W1": draw((D, H)), "W2": draw((H, C))}
        if use_bias:
            self.params = {"W1": self.params["W1"], "b1": np.zeros(H),
                           "W2": self.params["W2"], "b2": np.zeros(C)}
        # Without biases the affine layers add these zeros, which are in no optimiser's reach.
        self._zero_biases = {"b1": np.zeros(H), "b2": np.zeros(C)}

    @classmethod
    def from_params(cls, params: dict, *, use_bias: bool | None = None,
                    reduction: str = "half_sum") -> TwoLayerNet:
        """A model holding copies of ``params`` (``W1``, ``W2`` and, with biases, ``b1``, ``b2``).

        ``use_bias`` defaults to whether ``params`` holds biases.
        """
        if not isinstance(params, dict) or not {"W1", "W2"} <= set(params):
            got = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(f"params must hold W1 and W2, got {got}.")
        sizes: dict[str, int] = {}
        W1 = as_float_array("W1", params["W1"], shape=("D", "H"), sizes=sizes)
        W2 = as_float_array("W2", params["W2"], shape=("H", "C"), sizes=sizes)
        if use_bias is None:
            use_bias = "b1" in params or "b2" in params
        model = cls(W1.shape[0], W1.shape[1], W2.shape[1], rng=np.random.default_rng(0),
                    use_bias=use_bias, reduction=reduction)
        model.set_params({key: params[key] for key in model.params})
        return model

    @property
    def config(self) -> dict:
        D, H, C = self.layer_sizes
        return {"input_size": D, "hidden_size": H, "output_size": C, "init": self.init,
                "use_bias": self.use_bias, "reduction": self.reduction}

    def check_inputs(self, X) -> np.ndarray:
        return as_float_array("X", X, shape=("N", self.layer_sizes[0]))

    def check_targets(self, y, X) -> np.ndarray:
        return as_float_array("y", y, shape=("N", self.layer_sizes[2]), sizes={"N": len(X)})

    def _bias(self, name: str) -> np.ndarray:
        return self.params[name] if self.use_bias else self._zero_biases[name]

    def _forward(self, X: np.ndarray):
        z1, affine1 = affine_forward(X, self.params["W1"], self._bias("b1"))
        hidden = sigmoid(z1)
        z2, affine2 = affine_forward(hidden, self.params["W2"], self._bias("b2"))
        y_hat = sigmoid(z2)
        return y_hat, (affine1, hidden, affine2)

    def _predict_proba(self, X) -> np.ndarray:
        return self._forward(X)[0]

    def _loss(self, X, y) -> float:
        return squared_error_loss(self._forward(X)[0], y, reduction=self.reduction)[0]

    def _loss_and_grads(self, X, y):
        """Loss on ``(X, y)``, shapes (N, D) and (N, C), and its gradient for every parameter.

        Backward, layer by layer: dL/dy_hat from the loss, times sigmoid'(z2) = y_hat (1 - y_hat),
        then dW2 = hidden^T dz2, db2 = sum_n dz2, dhidden = dz2 W2^T, times hidden (1 - hidden),
        then dW1 = X^T dz1, db1 = sum_n dz1.
        """
        y_hat, (affine1, hidden, affine2) = self._forward(X)
        loss, dy_hat = squared_error_loss(y_hat, y, reduction=self.reduction)
        dz2 = dy_hat * sigmoid_slope(y_hat)
        dhidden, dW2, db2 = affine_backward(dz2, affine2)
        dz1 = dhidden * sigmoid_slope(hidden)
        _, dW1, db1 = affine_backward(dz1, affine1)
        grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        return loss, {key: grads[key] for key in self.params}


__all__ = ["INITS", "TwoLayerNet"]
