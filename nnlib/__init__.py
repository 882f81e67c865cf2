"""nnlib: the NumPy neural-network library the nn-from-scratch course builds.

Each notebook derives and builds a piece, then the piece moves here and later notebooks
import it. The package is layered:

- core (NumPy only): ``validation``, ``formatting``, ``activations``, ``layers``, ``losses``,
  ``gradcheck``, ``data``, ``serialization``
- models and training: ``neuron``, ``twolayer``; self-checks for the exercises: ``checks``
- presentation (import matplotlib / ipywidgets; import them explicitly): ``plotting``,
  ``widgets``

Shape letters used in every docstring:

====  =====================================================
N     examples in a batch
D     input features
H     hidden units
T     time steps
C     outputs (classes, or 1 for a single sigmoid output)
====  =====================================================

Arrays are batch first, ``(N, D)`` or ``(N, T, D)``, and weights are ``(D_in, D_out)`` so
that ``X @ W + b`` reads left to right. Every function that draws random numbers takes an
``rng: np.random.Generator``; the library never seeds NumPy's global generator.
"""

from nnlib.activations import sigmoid, sigmoid_slope
from nnlib.data import first_column_data, study_sleep_data, xor_data
from nnlib.formatting import fmt, fmt_sci
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, softmax,
                          softmax_cross_entropy, squared_error_loss)
from nnlib.neuron import NeuronHistory, neuron_predict, neuron_step, train_neuron
from nnlib.serialization import WeightFileError, load_params, save_params
from nnlib.twolayer import TrainingHistory, TwoLayerNet
from nnlib.validation import DivergenceError, as_float_array, check_finite_loss, check_number

__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "NeuronHistory",
    "TrainingHistory",
    "TwoLayerNet",
    "WeightFileError",
    "affine_backward",
    "affine_forward",
    "as_float_array",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "check_finite_loss",
    "check_number",
    "first_column_data",
    "fmt",
    "fmt_sci",
    "load_params",
    "neuron_predict",
    "neuron_step",
    "numerical_gradient",
    "relative_error",
    "save_params",
    "sigmoid",
    "sigmoid_slope",
    "softmax",
    "softmax_cross_entropy",
    "squared_error_loss",
    "study_sleep_data",
    "train_neuron",
    "xor_data",
]
