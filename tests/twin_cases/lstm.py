"""Chapter 07's pairs: the LSTM step, the sequence and BPTT that the notebook builds are
``nnlib.lstm``'s (tests/test_notebook_twins.py)."""

from __future__ import annotations

from twin_cases import Twin


def _weights(rng, D, H):
    return (rng.normal(size=(D, 4 * H)) / 2, rng.normal(size=(H, 4 * H)) / 2,
            rng.normal(size=4 * H) / 2)


def step_cache_inputs(rng):
    N, D, H = 3, 2, 4
    states = [rng.normal(size=(N, H)) for _ in range(8)]
    Wx, Wh, _ = _weights(rng, D, H)
    return (rng.normal(size=(N, D)), *states, Wx, Wh), {}


def step_forward_inputs(rng):
    N, D, H = 3, 2, 4
    return (rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)),
            *_weights(rng, D, H)), {}


def step_backward_inputs(rng):
    from nnlib.lstm import lstm_step_forward

    (x, h_prev, c_prev, Wx, Wh, b), _ = step_forward_inputs(rng)
    _, _, cache = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return (rng.normal(size=h_prev.shape), rng.normal(size=h_prev.shape), cache), {}


def forward_inputs(rng):
    N, T, D, H = 3, int(rng.integers(1, 7)), 2, 4
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), *_weights(rng, D, H)), {}


def backward_inputs(rng):
    truncate = (2, None, 4)[int(rng.integers(3))]   # drawn first: seeds 0, 1, 2 give 4, None, 4
    from nnlib.lstm import lstm_forward

    N, T, D, H = 3, 6, 2, 4
    Hs, caches = lstm_forward(rng.normal(size=(N, T, D)), rng.normal(size=(N, H)),
                              *_weights(rng, D, H))
    return (rng.normal(size=Hs.shape), caches, truncate), {}


CASES = [
    Twin("07", "LSTMStepCache", "nnlib.lstm_layers.LSTMStepCache", step_cache_inputs),
    Twin("07", "lstm_step_forward", "nnlib.lstm_layers.lstm_step_forward", step_forward_inputs),
    Twin("07", "lstm_step_backward", "nnlib.lstm_layers.lstm_step_backward",
         step_backward_inputs),
    Twin("07", "lstm_forward", "nnlib.lstm_layers.lstm_forward", forward_inputs),
    Twin("07", "lstm_backward", "nnlib.lstm_layers.lstm_backward", backward_inputs),
]
