"""nnlib.attention: known values, central-difference gradient checks in float64, PyTorch
autograd as an independent reference (skipped when torch is not installed), the causal mask."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.attention import (attention_backward, attention_forward, causal_mask,
                             embedding_backward, embedding_forward, layernorm_backward,
                             layernorm_forward, merge_heads, mlp_backward, mlp_forward,
                             split_heads)
from nnlib.gradcheck import numerical_gradient, relative_error


def _check(forward, backward, inputs, rng):
    """Gradient-check every input of ``forward`` against the loss sum(out * dout)."""
    out, cache = forward(*inputs)
    dout = rng.normal(size=out.shape)
    analytic = backward(dout, cache)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    for array, grad in zip(inputs, analytic):
        numeric = numerical_gradient(lambda: float(np.sum(forward(*inputs)[0] * dout)), array)
        assert relative_error(grad, numeric) < 1e-7


@pytest.mark.parametrize("causal", [True, False])
def test_attention_gradients(causal):
    rng = np.random.default_rng(0)
    Q, K, V = (rng.normal(size=(2, 3, 4, 5)) for _ in range(3))
    _check(lambda Q, K, V: attention_forward(Q, K, V, causal), attention_backward, [Q, K, V], rng)


def test_attention_with_fewer_queries_than_keys_gradients():
    rng = np.random.default_rng(1)
    Q = rng.normal(size=(2, 2, 1, 3))
    K, V = rng.normal(size=(2, 2, 4, 3)), rng.normal(size=(2, 2, 4, 3))
    _check(attention_forward, attention_backward, [Q, K, V], rng)


def test_attention_known_value():
    # one query, keys e1 and e2, d = 2: scores (1, 0) / sqrt(2), weights a softmax of them
    Q = np.array([1.0, 0.0]).reshape(1, 1, 1, 2)
    K = np.eye(2).reshape(1, 1, 2, 2)
    V = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    out, cache = attention_forward(Q, K, V, causal=False)
    w = np.exp(1 / np.sqrt(2)) / (np.exp(1 / np.sqrt(2)) + 1)
    np.testing.assert_allclose(out.ravel(), [w * 1 + (1 - w) * 3, w * 2 + (1 - w) * 4])
    np.testing.assert_allclose(cache.P.sum(axis=-1), 1.0)


def test_causal_mask_masks_the_future():
    rng = np.random.default_rng(2)
    Q, K, V = (rng.normal(size=(1, 2, 6, 4)) for _ in range(3))
    out, cache = attention_forward(Q, K, V, causal=True)
    assert np.all(np.triu(cache.P[0, 0], k=1) == 0)
    K2, V2 = K.copy(), V.copy()
    K2[:, :, 4:] += 10 * rng.normal(size=(1, 2, 2, 4))  # change positions 4 and 5
    V2[:, :, 4:] += 10 * rng.normal(size=(1, 2, 2, 4))
    out2, _ = attention_forward(Q, K2, V2, causal=True)
    np.testing.assert_array_equal(out2[:, :, :4], out[:, :, :4])
    assert not np.allclose(out2[:, :, 4:], out[:, :, 4:])
    # without the mask the early outputs do change: the test can fail
    assert not np.allclose(attention_forward(Q, K2, V2, False)[0][:, :, :4],
                           attention_forward(Q, K, V, False)[0][:, :, :4])


def test_causal_mask_offsets_queries_after_a_cache():
    mask = causal_mask(2, 4)  # queries at positions 2 and 3
    np.testing.assert_array_equal(np.isinf(mask), [[False, False, False, True],
                                                   [False, False, False, False]])


def test_split_and_merge_heads_are_inverse():
    X = np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8)
    heads = split_heads(X, 4)
    assert heads.shape == (2, 4, 3, 2)
    np.testing.assert_array_equal(heads[1, 2, 0], X[1, 0, 4:6])
    np.testing.assert_array_equal(merge_heads(heads), X)


def test_layernorm_normalises_and_gradients():
    rng = np.random.default_rng(3)
    X = rng.normal(3.0, 2.0, size=(2, 3, 5))
    out, _ = layernorm_forward(X, np.ones(5), np.zeros(5))
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-4)
    gamma, beta = rng.normal(size=5), rng.normal(size=5)
    _check(layernorm_forward, layernorm_backward, [X, gamma, beta], rng)


def test_embedding_gradients_add_for_repeated_ids():
    rng = np.random.default_rng(4)
    table = rng.normal(size=(4, 3))
    ids = np.array([[0, 2, 2], [3, 0, 2]])
    out, _ = embedding_forward(ids, table)
    np.testing.assert_array_equal(out[1, 0], table[3])
    _check(lambda table: embedding_forward(ids, table), embedding_backward, [table], rng)


def test_mlp_gradients():
    rng = np.random.default_rng(5)
    inputs = [rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 6)), rng.normal(size=6),
              rng.normal(size=(6, 4)), rng.normal(size=4)]
    _check(mlp_forward, mlp_backward, inputs, rng)


def test_attention_and_layernorm_match_pytorch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    Q, K, V = (rng.normal(size=(2, 3, 5, 4)) for _ in range(3))
    dout = rng.normal(size=(2, 3, 5, 4))
    out, cache = attention_forward(Q, K, V, causal=True)
    grads = attention_backward(dout, cache)
    tQ, tK, tV = (torch.tensor(a, requires_grad=True) for a in (Q, K, V))
    mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    scores = (tQ @ tK.transpose(-1, -2) / 2.0).masked_fill(mask, float("-inf"))
    t_out = torch.softmax(scores, dim=-1) @ tV
    t_out.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, theirs in zip(grads, (tQ, tK, tV)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)

    X, gamma, beta = rng.normal(size=(2, 5, 6)), rng.normal(size=6), rng.normal(size=6)
    dout = rng.normal(size=(2, 5, 6))
    out, cache = layernorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = layernorm_backward(dout, cache)
    tX, tg, tb = (torch.tensor(a, requires_grad=True) for a in (X, gamma, beta))
    t_out = torch.nn.functional.layer_norm(tX, (6,), tg, tb, eps=1e-5)
    t_out.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, theirs in zip((dX, dgamma, dbeta), (tX, tg, tb)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
