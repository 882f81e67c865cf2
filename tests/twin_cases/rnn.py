"""Chapter 04's pairs: the RNN step, the sequence and BPTT that the notebook builds are
``nnlib.rnn``'s (tests/test_notebook_twins.py)."""

from __future__ import annotations

import numpy as np

from twin_cases import Twin

ACTIVATIONS = ("tanh", "sigmoid")


def _problem(rng, N=3, T=5, D=2, H=4):
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
            rng.normal(size=(H, H)) / 2, rng.normal(size=H))


def _activation(rng) -> str:
    return ACTIVATIONS[int(rng.integers(2))]


def step_cache_inputs(rng):
    X, h0, U, W, b = _problem(rng)
    return (X[:, 0], h0, np.tanh(h0), U, W, _activation(rng)), {}


def step_forward_inputs(rng):
    X, h0, U, W, b = _problem(rng)
    return (X[:, 0], h0, U, W, b, _activation(rng)), {}


def step_backward_inputs(rng):
    from nnlib.rnn import rnn_step_forward

    X, h0, U, W, b = _problem(rng)
    _, cache = rnn_step_forward(X[:, 0], h0, U, W, b, _activation(rng))
    return (rng.normal(size=h0.shape), cache), {}


def forward_inputs(rng):
    X, h0, U, W, b = _problem(rng, T=int(rng.integers(1, 7)))
    return (X, h0, U, W, b, _activation(rng)), {}


def backward_inputs(rng):
    from nnlib.rnn import rnn_forward

    truncate = (2, None, 4)[int(rng.integers(3))]   # drawn first: seeds 0, 1, 2 give 4, None, 4
    X, h0, U, W, b = _problem(rng, T=6)
    hidden, caches = rnn_forward(X, h0, U, W, b, _activation(rng))
    return (rng.normal(size=hidden.shape), caches, truncate), {}


CASES = [
    Twin("04", "RNNStepCache", "nnlib.rnn_layers.RNNStepCache", step_cache_inputs),
    Twin("04", "rnn_step_forward", "nnlib.rnn_layers.rnn_step_forward", step_forward_inputs),
    Twin("04", "rnn_step_backward", "nnlib.rnn_layers.rnn_step_backward", step_backward_inputs),
    Twin("04", "rnn_forward", "nnlib.rnn_layers.rnn_forward", forward_inputs),
    Twin("04", "rnn_backward", "nnlib.rnn_layers.rnn_backward", backward_inputs),
]
