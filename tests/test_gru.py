"""nnlib.gru: the GRU step and sequence against numerical gradients, a known value, the model's
protocol (the same checks tests/test_protocol.py runs) and its refusals."""

import json

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.gru import GRU, gru_backward, gru_forward, gru_step_backward, gru_step_forward
from nnlib.model import load_model, save_model
from nnlib.optim import Adam
from nnlib.train import fit


def _weights(rng, D, H):
    return (rng.normal(size=(D, 3 * H)) / 2, rng.normal(size=(H, 3 * H)) / 2,
            rng.normal(size=3 * H) / 2)


def test_a_known_step():
    # D = H = 1, every weight 0 except the candidate's: r = z = 1/2, n = tanh(x + h/2 * 1).
    Wx, Wh, b = np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0]]), np.zeros(3)
    h, cache = gru_step_forward(np.array([[0.5]]), np.array([[1.0]]), Wx, Wh, b)
    n = np.tanh(0.5 + 0.5 * 1.0)
    assert np.allclose(h, 0.5 * n + 0.5 * 1.0, rtol=1e-14)
    assert np.allclose([cache.r, cache.z], 0.5)


def test_update_gate_at_one_copies_the_state_and_its_gradient():
    rng = np.random.default_rng(0)
    Wx, Wh, b = _weights(rng, 2, 3)
    b[3:6] = 50.0                            # z = sigmoid(50) = 1 to double precision
    h_prev = rng.normal(size=(4, 3))
    h, cache = gru_step_forward(rng.normal(size=(4, 2)), h_prev, Wx, Wh, b)
    assert np.allclose(h, h_prev, atol=1e-15)
    dh = rng.normal(size=(4, 3))
    assert np.allclose(gru_step_backward(dh, cache)[1], dh, atol=1e-15)


def test_step_gradients_match_central_differences():
    rng = np.random.default_rng(1)
    N, D, H = 3, 2, 4
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = _weights(rng, D, H)
    dh = rng.normal(size=(N, H))
    grads = gru_step_backward(dh, gru_step_forward(x, h_prev, Wx, Wh, b)[1])
    for grad, value in zip(grads, (x, h_prev, Wx, Wh, b)):
        numeric = numerical_gradient(
            lambda: float(np.sum(dh * gru_step_forward(x, h_prev, Wx, Wh, b)[0])), value)
        assert relative_error(grad, numeric) < 1e-7


@pytest.mark.parametrize("truncate", [None, 2])
def test_sequence_gradients_match_central_differences(truncate):
    rng = np.random.default_rng(2)
    N, T, D, H = 3, 6, 2, 4
    X, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wx, Wh, b = _weights(rng, D, H)
    dHs = rng.normal(size=(N, T, H))
    grads = gru_backward(dHs, gru_forward(X, h0, Wx, Wh, b)[1], truncate)
    if truncate is None:
        checked = zip(grads, (X, h0, Wx, Wh, b))
    else:  # truncated: the sum over windows of each window's full BPTT, states held fixed
        expected = [np.zeros_like(w) for w in (Wx, Wh, b)]
        Hs, caches = gru_forward(X, h0, Wx, Wh, b)
        for start in range(0, T, truncate):
            h_start = h0 if start == 0 else Hs[:, start - 1]
            _, window = gru_forward(X[:, start:start + truncate], h_start, Wx, Wh, b)
            for k, g in enumerate(gru_backward(dHs[:, start:start + truncate], window)[2:]):
                expected[k] += g
        for got, want in zip(grads[2:], expected):
            assert np.allclose(got, want, rtol=1e-12, atol=1e-14)
        return
    for grad, value in checked:
        numeric = numerical_gradient(
            lambda: float(np.sum(dHs * gru_forward(X, h0, Wx, Wh, b)[0])), value)
        assert relative_error(grad, numeric) < 1e-7


def test_the_model_follows_the_protocol(tmp_path):
    rng = np.random.default_rng(3)
    model = GRU(2, 3, rng=rng, head="regression", output="last")
    X, y = rng.normal(size=(5, 4, 2)), rng.normal(size=(5, 1))
    config = model.config
    json.dumps(config)
    rebuilt = type(model)(**config, rng=np.random.default_rng(4))
    assert {k: v.shape for k, v in rebuilt.params.items()} == \
        {k: v.shape for k, v in model.params.items()}
    assert repr(model) == ("GRU(input_size=2, hidden_size=3, head='regression', "
                           "output='last', output_size=1, truncate=None)")
    assert model.num_params == 3 * 3 * (2 + 3 + 1) + 3 + 1
    loss, grads = model.loss_and_grads(X, y)
    assert set(grads) == set(model.params) and np.isclose(loss, model.loss(X, y))
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numeric) < 1e-7, key
    assert np.isclose(model.loss(np.concatenate([X, X]), np.concatenate([y, y])), loss)
    classifier = GRU(2, 3, rng=rng)
    bits = rng.integers(0, 2, size=(4, 5, 2)).astype(float)
    proba = classifier.predict_proba(bits)
    assert proba.shape == (4, 5, 2) and np.allclose(proba.sum(axis=-1), 1)
    assert np.array_equal(classifier.predict(bits), proba.argmax(axis=-1))
    history = fit(model, X, y, Adam(0.01), epochs=3, batch_size=5, rng=rng)
    assert history.train_loss[-1] < history.train_loss[0]
    save_model(tmp_path / "gru.npz", model)
    loaded = load_model(tmp_path / "gru.npz")
    assert type(loaded) is GRU and np.allclose(loaded.predict(X), model.predict(X))
    rebuilt = GRU.from_params(model.params, **config)
    assert np.allclose(rebuilt.predict(X), model.predict(X))


def test_bad_arguments_are_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="hidden_size must be an integer >= 1"):
        GRU(2, 0, rng=rng)
    with pytest.raises(ValueError, match=r"X must have shape \(N, T, 2\)"):
        GRU(2, 3, rng=rng).predict(np.zeros((4, 5, 3)))
    with pytest.raises(TypeError):
        GRU(2, 3, np.random.default_rng(0))   # rng is keyword-only
