"""nnlib: the NumPy neural-network library the nn-from-scratch course builds.

Each notebook derives and builds a piece, then the piece moves here and later notebooks
import it. The package is layered:

- core (NumPy only): ``validation``, ``formatting``, ``activations``, ``layers``, ``losses``,
  ``gradcheck``, ``metrics``, ``serialization``; the data sets in ``nnlib.data`` (toy sets, bits
  and addition, the adding problem in ``lagtasks``, the handwritten digits in ``digits``, trees
  and ListOps)
- models and training: ``model`` (the protocol, weight files of models), ``train`` (``fit``),
  ``optim``; ``neuron``, ``twolayer``, ``architecture`` and ``mlp`` (with ``mlp_workspace``),
  ``rnn`` with ``rnn_layers`` and ``addition`` (exact sums), ``birnn``, ``lstm`` with
  ``lstm_layers``, ``gru``, ``tree`` with ``treebatch``; ``hopfield``
  (memory by an energy: no gradient descent, so not a ``Model``)

What exists only to run the course (graders, figures, explorers, notebook guards, experiment
drivers) is the separate package ``course``, which imports nnlib; nnlib never imports it.

Shape letters used in every docstring:

====  =====================================================
N     examples in a batch
D     input features
H     hidden units
T     time steps
C     outputs (classes, or 1 for a single sigmoid output)
B     trees in a batch (``tree``) or probes recalled at once (``hopfield``)
P     stored patterns (``hopfield``, where N counts the units, as in the literature)
====  =====================================================

Arrays are batch first, ``(N, D)`` or ``(N, T, D)``, and weights are ``(D_in, D_out)`` so
that ``X @ W + b`` reads left to right. Every function that draws random numbers takes an
``rng: np.random.Generator``; the library never seeds NumPy's global generator.

Every model follows one protocol (``nnlib.model.Model``): ``params``, ``loss_and_grads(X, y)``,
``loss``, ``predict_proba``, ``predict``, ``config`` and a readable ``repr``; one loop,
``nnlib.train.fit``, trains them all through ``nnlib.optim``; ``save_model`` / ``load_model``
store any of them.

BLAS threads: the course's matrices are small, and on a busy machine a pool of BLAS threads
spends more time waiting for cores than computing. Importing nnlib therefore limits the BLAS
pool to one thread (with threadpoolctl) unless the environment variable ``NNLIB_BLAS_THREADS``
asks for another number; ``set_blas_threads(n)`` changes it later.
"""

import os as _os

import numpy as _np  # noqa: F401  (loads the BLAS library that the limit below applies to)
from threadpoolctl import threadpool_limits as _threadpool_limits


def set_blas_threads(threads: int | None):
    """Limit the BLAS thread pool to ``threads`` (None: the library's default); returns the
    threadpoolctl limiter, whose ``restore_original_limits()`` undoes it."""
    return _threadpool_limits(limits=threads, user_api="blas")


_BLAS_THREADS = _os.environ.get("NNLIB_BLAS_THREADS", "1")
set_blas_threads(int(_BLAS_THREADS) if _BLAS_THREADS.isdigit() and int(_BLAS_THREADS) > 0
                 else 1)

from nnlib.activations import relu, sigmoid, sigmoid_slope, tanh
from nnlib.addition import exact_sum_accuracy, exact_sums
from nnlib.architecture import init_params, make_architecture
from nnlib.birnn import BiRNN, birnn_backward, birnn_forward
from nnlib.data.bits import (addition_data, all_pairs, bits_to_int, carry_bits, int_to_bits,
                             split_pairs)
from nnlib.data import first_column_data, make_moons, study_sleep_data, train_test_split, xor_data
from nnlib.data.digits import confusion_matrix, load_digits_data, one_hot, stratified_split
from nnlib.formatting import fmt, fmt_sci
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.data.lagtasks import adding_problem
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, log_softmax,
                          softmax, softmax_cross_entropy, squared_error_loss)
from nnlib.gru import GRU, gru_backward, gru_forward, gru_step_backward, gru_step_forward
from nnlib.lstm import LSTM, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from nnlib.metrics import binary_accuracy
from nnlib.mlp import MLP, full_backward, full_forward, layer_backward, layer_forward
from nnlib.model import Model, load_model, load_weights, save_model
from nnlib.neuron import Neuron
from nnlib.optim import SGD, Adam, Momentum, add_weight_decay, clip_grad_norm
from nnlib.rnn import RNN, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from nnlib.serialization import WeightFileError, load_params, save_params
from nnlib.train import History, fit
from nnlib.transformer import Transformer
from nnlib.tree import TreeNet
from nnlib.twolayer import TwoLayerNet
from nnlib.validation import DivergenceError, as_float_array, check_finite_loss, check_number

__version__ = "0.2.0"

__all__ = [
    "Adam", "BiRNN", "DivergenceError", "GRU", "History", "LSTM", "MLP", "Model", "Momentum", "Neuron",
    "RNN", "SGD", "Transformer", "TreeNet", "TwoLayerNet", "WeightFileError",
    "adding_problem", "addition_data", "affine_backward", "affine_forward", "all_pairs",
    "as_float_array", "binary_accuracy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "birnn_backward", "birnn_forward", "bits_to_int",
    "carry_bits", "check_finite_loss", "confusion_matrix", "check_number", "clip_grad_norm", "add_weight_decay", "exact_sum_accuracy", "exact_sums",
    "first_column_data", "fit", "fmt", "fmt_sci", "full_backward", "full_forward", "init_params", "int_to_bits", "layer_backward", "layer_forward", "load_model",
    "gru_backward", "gru_forward", "gru_step_backward", "gru_step_forward",
    "load_digits_data", "load_params", "load_weights", "log_softmax", "lstm_backward", "lstm_forward",
    "lstm_step_backward", "lstm_step_forward", "make_architecture", "make_moons",
    "numerical_gradient", "one_hot", "relative_error", "relu", "rnn_backward",
    "rnn_forward", "rnn_step_backward", "rnn_step_forward", "save_model", "save_params",
    "set_blas_threads", "sigmoid", "sigmoid_slope", "softmax", "softmax_cross_entropy",
    "split_pairs", "squared_error_loss", "stratified_split", "study_sleep_data", "tanh",
    "train_test_split", "xor_data",
]
