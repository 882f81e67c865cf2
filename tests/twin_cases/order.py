"""Chapter 05's pairs: the bidirectional RNN's backward pass that the notebook builds is
``nnlib.birnn``'s (tests/test_notebook_twins.py)."""

from __future__ import annotations

from twin_cases import Twin


def backward_inputs(rng):
    truncate = (2, None, 4)[int(rng.integers(3))]   # drawn first: seeds 0, 1, 2 give 4, None, 4
    from nnlib.birnn import birnn_forward

    N, T, D, H = 3, 6, 2, 4
    X = rng.integers(0, 2, size=(N, T, D)).astype(float)
    weights = [rng.normal(size=shape) for shape in ((D, H), (H, H), (H,)) * 2]
    hidden, cache = birnn_forward(X, rng.normal(size=(N, H)), rng.normal(size=(N, H)), *weights)
    return (rng.normal(size=hidden.shape), cache, truncate), {}


CASES = [
    Twin("05", "birnn_backward", "nnlib.birnn.birnn_backward", backward_inputs),
]
