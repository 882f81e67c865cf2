import numpy as np
import pytest

from nnlib.bits import addition_data, all_pairs, random_addends
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.addition import exact_sum_accuracy, train_addition
from nnlib.rnn import (RNN, bit_loss, rnn_backward, rnn_forward, rnn_step_backward,
                       rnn_step_forward, temporal_affine_backward, temporal_affine_forward)
from nnlib.validation import DivergenceError


def small_problem(seed=0, N=3, T=5, D=2, H=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
            rng.normal(size=(H, H)) / 2, rng.normal(size=H), rng)


def test_step_known_value():
    h, _ = rnn_step_forward([[1.0, 0.0]], [[0.5]], [[2.0], [3.0]], [[-2.0]], [0.5])
    assert h[0, 0] == pytest.approx(np.tanh(2.0 - 1.0 + 0.5))
    h, _ = rnn_step_forward([[0.0, 0.0]], [[0.0]], [[2.0], [3.0]], [[-2.0]], [0.0], "sigmoid")
    assert h[0, 0] == 0.5


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_step_backward_gradcheck(activation):
    X, h0, U, W, b, rng = small_problem()
    x = X[:, 0].copy()
    dh = rng.normal(size=h0.shape)

    def f():
        return float(np.sum(rnn_step_forward(x, h0, U, W, b, activation)[0] * dh))

    _, cache = rnn_step_forward(x, h0, U, W, b, activation)
    grads = rnn_step_backward(dh, cache)
    for analytic, value in zip(grads, (x, h0, U, W, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_whole_sequence_backward_gradcheck(activation):
    X, h0, U, W, b, rng = small_problem(seed=1, T=7)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], U.shape[1]))

    def f():
        return float(np.sum(rnn_forward(X, h0, U, W, b, activation)[0] * dhidden))

    _, cache = rnn_forward(X, h0, U, W, b, activation)
    grads = rnn_backward(dhidden, cache)
    for analytic, value in zip(grads, (X, h0, U, W, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


def test_forward_is_a_loop_of_steps():
    X, h0, U, W, b, _ = small_problem()
    hidden, _ = rnn_forward(X, h0, U, W, b)
    h = h0
    for t in range(X.shape[1]):
        h, _ = rnn_step_forward(X[:, t], h, U, W, b)
        np.testing.assert_allclose(hidden[:, t], h, rtol=0, atol=1e-15)


def test_backward_equals_a_loop_of_step_backwards():
    X, h0, U, W, b, rng = small_problem(seed=4, T=6)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], U.shape[1]))
    caches, h = [], h0
    for t in range(X.shape[1]):
        h, cache = rnn_step_forward(X[:, t], h, U, W, b)
        caches.append(cache)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)
    dX, dh = np.zeros_like(X), np.zeros_like(h0)
    for t in reversed(range(X.shape[1])):
        dX[:, t], dh, dU_t, dW_t, db_t = rnn_step_backward(dhidden[:, t] + dh, caches[t])
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    _, cache = rnn_forward(X, h0, U, W, b)
    for looped, fused in zip((dX, dh, dU, dW, db), rnn_backward(dhidden, cache)):
        np.testing.assert_allclose(fused, looped, rtol=1e-12, atol=1e-14)


def test_temporal_affine_gradcheck():
    rng = np.random.default_rng(2)
    hidden, V, c = rng.normal(size=(3, 4, 5)), rng.normal(size=(5, 2)), rng.normal(size=2)
    dout = rng.normal(size=(3, 4, 2))
    _, cache = temporal_affine_forward(hidden, V, c)
    grads = temporal_affine_backward(dout, cache)
    for analytic, value in zip(grads, (hidden, V, c)):
        numerical = numerical_gradient(
            lambda: float(np.sum(temporal_affine_forward(hidden, V, c)[0] * dout)), value)
        assert relative_error(analytic, numerical) < 1e-7


@pytest.mark.parametrize("head, activation", [("softmax", "tanh"), ("sigmoid", "sigmoid"),
                                              ("sigmoid", "tanh"), ("softmax", "sigmoid")])
def test_model_gradcheck_over_whole_sequences(head, activation):
    rng = np.random.default_rng(3)
    model = RNN(2, 5, rng, head=head, activation=activation)
    for name in model.params:  # move off the zero biases so that every path is exercised
        model.params[name] += rng.normal(scale=0.5, size=model.params[name].shape)
    X = rng.integers(0, 2, size=(4, 6, 2)).astype(float)
    y = rng.integers(0, 2, size=(4, 6))
    loss, grads = model.loss_and_grads(X, y)
    assert loss == pytest.approx(model.loss(X, y), rel=1e-12)  # training path = checked path
    assert set(grads) == set(model.params)
    for name, value in model.params.items():
        assert grads[name].shape == value.shape
        numerical = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[name], numerical) < 1e-7, name


def test_bit_loss_known_values_and_heads_agree():
    # A two-way softmax with logits (0, z) is a sigmoid of z: the heads give the same loss.
    z = np.array([[[-1.0], [2.0], [0.0]]])
    y = np.array([[0, 1, 1]])
    loss_sigmoid, d_sigmoid = bit_loss(z, y, "sigmoid")
    loss_softmax, d_softmax = bit_loss(np.concatenate([np.zeros_like(z), z], axis=-1), y,
                                       "softmax")
    expected = np.mean([np.log1p(np.exp(-1.0)), np.log1p(np.exp(-2.0)), np.log(2.0)])
    assert loss_sigmoid == pytest.approx(expected, rel=1e-12)
    assert loss_softmax == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(d_sigmoid[..., 0], d_softmax[..., 1], atol=1e-15)
    assert np.isfinite(bit_loss(np.full((1, 2, 1), 1e3), np.array([[0, 1]]), "sigmoid")[0])


def test_untrained_loss_is_about_a_coin_flip():
    model = RNN(2, 16, np.random.default_rng(0))
    X, y = addition_data(*all_pairs(4), 5)
    assert abs(model.loss(X, y) - np.log(2)) < 0.15
    assert model.predict(X).shape == y.shape
    assert model.hidden_states(X).shape == (X.shape[0], 5, 16)
    assert "hidden_size=16" in repr(model)


def test_initialisation_is_seeded():
    one = RNN(2, 8, np.random.default_rng(5)).params
    two = RNN(2, 8, np.random.default_rng(5)).params
    three = RNN(2, 8, np.random.default_rng(6)).params
    assert all(np.array_equal(one[k], two[k]) for k in one)
    assert not np.array_equal(one["W"], three["W"])


@pytest.mark.parametrize("head, activation, lr", [("softmax", "tanh", 1.0),
                                                  ("sigmoid", "sigmoid", 3.0)])
def test_learns_addition_and_generalises_in_length(head, activation, lr):
    model = RNN(2, 16, np.random.default_rng(0), head=head, activation=activation)
    history = train_addition(model, np.random.default_rng(1), 1500, lr, batch_size=32,
                             eval_every=100, stop_at_perfect=True)
    assert history.accuracy[-1] == 1.0 and history.iterations < 1500
    assert history.accuracy[0] < 0.05
    a, b = random_addends(np.random.default_rng(2), 300, 31)
    assert exact_sum_accuracy(model, a, b, 32) > 0.99


def test_msb_first_does_not_learn_to_add():
    model = RNN(2, 16, np.random.default_rng(0))
    history = train_addition(model, np.random.default_rng(1), 300, 1.0, bit_order="msb",
                             eval_every=300)
    assert history.accuracy[-1] < 0.5


def test_history_records_and_batches():
    model = RNN(2, 4, np.random.default_rng(0))
    history = train_addition(model, np.random.default_rng(1), 25, 0.5, batch_size=8,
                             eval_every=10)
    np.testing.assert_array_equal(history.examples_seen, [0, 80, 160, 200])
    assert history.iterations == 25 and "iterations=25" in repr(history)


def test_divergence_is_reported():
    model = RNN(2, 4, np.random.default_rng(0))
    model.params["V"][:] = np.nan
    with pytest.raises(DivergenceError, match="step 0"):
        train_addition(model, np.random.default_rng(1), 5, 0.5)


@pytest.mark.parametrize("call, message", [
    (lambda: RNN(2, 0, np.random.default_rng(0)), "hidden_size must be an integer >= 1"),
    (lambda: RNN(2, 4, 0), "rng must be a np.random.Generator"),
    (lambda: RNN(2, 4, np.random.default_rng(0), head="relu"), "head must be one of"),
    (lambda: RNN(2, 4, np.random.default_rng(0), activation="relu"), "activation must be one of"),
    (lambda: RNN(2, 4, np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 1)),
                                                                np.zeros((2, 3), int)),
     r"X must have shape \(N, T, 2\), got \(2, 3, 1\)"),
    (lambda: RNN(2, 4, np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 2)),
                                                                np.zeros((2, 3))),
     "y must hold the integers 0 and 1"),
    (lambda: RNN(2, 4, np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 2)),
                                                                np.full((2, 3), 2)),
     "y must hold only 0 and 1"),
    (lambda: rnn_step_forward(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((3, 5)),
                              np.zeros((4, 4)), np.zeros(4)),
     r"U must have shape \(D, H\) \(with D=3, H=4\), got \(3, 5\)"),
    (lambda: rnn_forward(np.full((1, 2, 2), np.nan), np.zeros((1, 3)), np.zeros((2, 3)),
                         np.zeros((3, 3)), np.zeros(3)), "X contains nan"),
    (lambda: train_addition(RNN(2, 4, np.random.default_rng(0)), np.random.default_rng(0), 10,
                            -1.0), "learning_rate must be a number > 0"),
    (lambda: train_addition(RNN(3, 4, np.random.default_rng(0)), np.random.default_rng(0), 10,
                            1.0), "model must be an RNN with input_size 2"),
    (lambda: bit_loss(np.zeros((1, 2, 2)), np.zeros((1, 2), int), "sigmoid"),
     r"logits must have shape \(N, T, 1\)"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_core_module_imports_no_presentation_packages():
    import subprocess
    import sys
    code = ("import sys, nnlib.rnn, nnlib.bits, nnlib.addition; "
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
