"""nnlib.transformer: the block and the model gradient-checked in float64 and against PyTorch
autograd, causality end to end, the key/value-cache sampler equal to recomputation, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.transformer import (Transformer, block_backward, block_forward, block_params,
                               next_token_logits, sample)


def _model(**settings):
    config = dict(vocab_size=7, context_size=6, embed_size=8, heads=2, layers=2, mlp_size=12)
    config.update(settings)
    return Transformer(**config, rng=np.random.default_rng(0))


def _data(rng, N=3, T=5, V=7):
    return rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, T))


def test_block_gradients():
    rng = np.random.default_rng(1)
    model = _model()
    p = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in block_params(model.params, 0).items()}
    X = rng.normal(size=(2, 4, 8))
    out, cache = block_forward(X, p, 2)
    dout = rng.normal(size=out.shape)
    dX, grads = block_backward(dout, cache, 2)

    def loss():
        return float(np.sum(block_forward(X, p, 2)[0] * dout))

    assert relative_error(dX, numerical_gradient(loss, X)) < 1e-7
    for key in p:
        assert relative_error(grads[key], numerical_gradient(loss, p[key])) < 1e-7, key


def test_model_gradients_every_parameter():
    rng = np.random.default_rng(2)
    model = _model()
    for value in model.params.values():  # move off the initial gains of 1 and biases of 0
        value += 0.1 * rng.normal(size=value.shape)
    X, y = _data(rng)
    loss, grads = model.loss_and_grads(X, y)
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numeric) < 1e-7, key


def test_model_matches_pytorch_autograd():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    model = _model()
    for value in model.params.values():
        value += 0.1 * rng.normal(size=value.shape)
    X, y = _data(rng)
    loss, grads = model.loss_and_grads(X, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    N, T = X.shape
    H = t["token_embedding"][torch.tensor(X)] + t["position_embedding"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for layer in range(model.layers):
        b = {k[len(f"block{layer}_"):]: v for k, v in t.items() if k.startswith(f"block{layer}_")}
        a = F.layer_norm(H, (8,), b["ln1_gamma"], b["ln1_beta"], eps=1e-5)
        q, k, v = (a @ b["Wqkv"] + b["bqkv"]).split(8, dim=-1)
        q, k, v = (z.reshape(N, T, 2, 4).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax((q @ k.transpose(-1, -2) / 2.0).masked_fill(mask, -torch.inf), -1)
        H = H + ((att @ v).transpose(1, 2).reshape(N, T, 8) @ b["Wo"] + b["bo"])
        m = F.layer_norm(H, (8,), b["ln2_gamma"], b["ln2_beta"], eps=1e-5)
        H = H + (torch.relu(m @ b["W1"] + b["b1"]) @ b["W2"] + b["b2"])
    logits = F.layer_norm(H, (8,), t["lnf_gamma"], t["lnf_beta"], eps=1e-5) @ t["W_out"] \
        + t["b_out"]
    t_loss = F.cross_entropy(logits.reshape(-1, 7), torch.tensor(y).reshape(-1))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for key in model.params:
        np.testing.assert_allclose(grads[key], t[key].grad.numpy(), rtol=1e-8, atol=1e-12,
                                   err_msg=key)


def test_a_future_token_does_not_change_earlier_predictions():
    rng = np.random.default_rng(4)
    model = _model()
    X, _ = _data(rng, N=2, T=6)
    changed = X.copy()
    changed[:, 4] = (changed[:, 4] + 1) % 7
    before, after = model.predict_proba(X), model.predict_proba(changed)
    np.testing.assert_array_equal(after[:, :4], before[:, :4])
    assert not np.allclose(after[:, 4:], before[:, 4:])


def test_attention_maps_are_causal_distributions():
    model = _model()
    maps = model.attention_maps(np.array([[1, 2, 3, 4]]))
    assert maps.shape == (2, 1, 2, 4, 4)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0)
    assert np.all(np.triu(maps, k=1) == 0)


def test_key_value_cache_gives_the_logits_of_recomputation():
    rng = np.random.default_rng(5)
    model = _model()
    ids = rng.integers(0, 7, size=6)
    _, past = next_token_logits(model, ids[:3])
    for t in range(3, 6):
        cached, past = next_token_logits(model, ids[t:t + 1], past)
        full, _ = next_token_logits(model, ids[:t + 1])
        np.testing.assert_allclose(cached, full, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_sampling_with_and_without_the_cache_agree(temperature):
    model = _model()
    with_cache = sample(model, [1, 2], 5, rng=np.random.default_rng(6), temperature=temperature,
                        use_cache=True)
    without = sample(model, [1, 2], 5, rng=np.random.default_rng(6), temperature=temperature,
                     use_cache=False)
    np.testing.assert_array_equal(with_cache, without)
    assert with_cache.shape == (5,) and with_cache.dtype == np.int64


def test_the_loss_starts_near_log_V():
    rng = np.random.default_rng(7)
    X, y = _data(rng, N=20)
    assert _model().loss(X, y) == pytest.approx(np.log(7), rel=0.05)


@pytest.mark.parametrize("X, match", [
    (np.zeros((2, 7), dtype=int), "context_size"),
    (np.full((2, 3), 7), "0 .. 6"),
    (np.zeros((2, 3, 7)), "shape"),
    (np.full((2, 3), 0.5), "integer"),
])
def test_bad_inputs_are_refused(X, match):
    with pytest.raises(ValueError, match=match):
        _model().predict_proba(X)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="multiple of heads"):
        _model(embed_size=9)
    with pytest.raises(ValueError, match="length"):
        sample(_model(), [1, 2], 6, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="prime"):
        sample(_model(), [], 2, rng=np.random.default_rng(0))


def test_head_statistics_measure_known_patterns():
    from course.transformer import head_statistics
    from nnlib.data.text import Vocabulary

    text = "f(ab)\nx[y]"
    vocabulary = Vocabulary.from_text(text)
    ids = vocabulary.encode(text)
    T = len(ids)
    previous = np.eye(T, k=-1)
    previous[0, 0] = 1.0
    maps = np.stack([previous, np.eye(T)])[None]  # 1 layer, head 0: previous, head 1: self
    stats = head_statistics(maps, ids, vocabulary)
    np.testing.assert_allclose(stats["previous"][0], [1.0, 0.0])
    np.testing.assert_allclose(stats["self"][0], [0.0, 1.0])
    np.testing.assert_allclose(stats["distance"][0], [1.0, 0.0])
    # inside brackets: a, b, ")" (opened at 1) and y, "]" (opened at 7); the previous
    # character is the open bracket only for "a" and "y"
    inside_weights = [1.0, 0.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(stats["open_bracket"][0, 0], np.mean(inside_weights))
