import numpy as np
import pytest

from nnlib.optim import SGD, Adam, Momentum, make_optimizer


def quadratic_grads(params):
    # f(w) = 1/2 * sum(a * w^2): gradient a * w, minimum at 0.
    return {"w": np.array([1.0, 10.0]) * params["w"]}


def test_sgd_known_value():
    params = {"w": np.array([1.0, -2.0])}
    SGD(0.1).step(params, {"w": np.array([0.5, 1.0])})
    np.testing.assert_array_equal(params["w"], [0.95, -2.1])


def test_updates_in_place_so_views_follow():
    block = np.zeros((3, 2))
    params = {"W": block[:-1], "b": block[-1]}
    SGD(1.0).step(params, {"W": np.ones((2, 2)), "b": np.full(2, 2.0)})
    np.testing.assert_array_equal(block, [[-1, -1], [-1, -1], [-2, -2]])


def test_momentum_known_values():
    params = {"w": np.array([1.0])}
    optimizer = Momentum(0.1, beta=0.5)
    optimizer.step(params, {"w": np.array([1.0])})  # v = 1, w = 0.9
    optimizer.step(params, {"w": np.array([1.0])})  # v = 1.5, w = 0.75
    np.testing.assert_allclose(params["w"], [0.75], rtol=0, atol=1e-15)


def test_adam_first_step_is_learning_rate_times_sign():
    # After one step the bias-corrected ratio m_hat / sqrt(v_hat) is sign(g).
    params = {"w": np.array([1.0, 1.0, 1.0])}
    Adam(0.01).step(params, {"w": np.array([3.0, -0.002, 0.0])})
    np.testing.assert_allclose(params["w"], [0.99, 1.01, 1.0], rtol=0, atol=1e-6)


def test_adam_matches_the_published_algorithm():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=4) for _ in range(5)]
    params = {"w": np.zeros(4)}
    optimizer = Adam(0.05, beta1=0.8, beta2=0.9, eps=1e-6)
    w, m, v = np.zeros(4), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        optimizer.step(params, {"w": g})
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g**2
        w = w - 0.05 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-6)
    np.testing.assert_allclose(params["w"], w, rtol=1e-12)


@pytest.mark.parametrize("optimizer, steps", [(SGD(0.15), 200), (Momentum(0.05, 0.9), 200),
                                              (Adam(0.1), 500)])
def test_each_optimizer_minimises_a_quadratic(optimizer, steps):
    params = {"w": np.array([3.0, -2.0])}
    for _ in range(steps):
        optimizer.step(params, quadratic_grads(params))
    assert np.max(np.abs(params["w"])) < 1e-2


def test_momentum_is_faster_than_sgd_on_an_ill_conditioned_quadratic():
    # Curvatures 0.01 and 1: the same learning rate, with and without momentum.
    results = {}
    for name, optimizer in {"sgd": SGD(1.0), "momentum": Momentum(1.0, 0.9)}.items():
        params = {"w": np.array([3.0, -2.0])}
        for _ in range(100):
            optimizer.step(params, {"w": np.array([0.01, 1.0]) * params["w"]})
        results[name] = abs(params["w"][0])
    assert results["sgd"] > 1.0
    assert results["momentum"] < results["sgd"]


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(0.0), "learning_rate must be a number > 0"),
    (lambda: SGD("0.1"), "learning_rate must be a number > 0, got '0.1'"),
    (lambda: Momentum(0.1, beta=1.0), "beta must be below 1"),
    (lambda: Adam(0.1, beta2=1.5), "beta2 must be a number in the range"),
    (lambda: Adam(0.1, eps=0), "eps must be a number > 0"),
    (lambda: make_optimizer("rmsprop", 0.1), "Unknown optimizer 'rmsprop'"),
])
def test_rejects_bad_settings(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("params, grads, message", [
    ({"w": np.zeros(2)}, {"v": np.zeros(2)}, "same keys"),
    ({"w": np.zeros(2)}, {"w": np.zeros(3)}, r"grads\['w'\] must have the shape"),
    ({"w": [0.0, 0.0]}, {"w": np.zeros(2)}, "must be a float64 ndarray"),
    ({"w": np.zeros(2)}, {"w": np.array([0.0, np.nan])}, "NaN or infinite"),
])
def test_step_rejects_bad_inputs(params, grads, message):
    with pytest.raises(ValueError, match=message):
        Adam(0.1).step(params, grads)


def test_repr():
    assert repr(Momentum(0.01)) == "Momentum(learning_rate=0.01, beta=0.9)"
    assert repr(make_optimizer("adam", 0.01)).startswith("Adam(learning_rate=0.01")


def test_weight_decay_is_the_gradient_of_the_l2_penalty_on_weight_matrices_only():
    import nnlib
    from nnlib.gradcheck import numerical_gradient

    rng = np.random.default_rng(5)
    X, y = nnlib.data.make_moons(40, noise=0.2, seed=5)
    model = nnlib.MLP(nnlib.make_architecture([2, 5, 2], "tanh"), rng=rng)
    decay = 0.3

    def penalised():
        loss, _ = model.loss_and_grads(X, y)
        return loss + decay / 2 * sum(float(np.sum(p * p)) for p in model.params.values()
                                      if p.ndim >= 2)
    _, grads = model.loss_and_grads(X, y)
    decayed = nnlib.add_weight_decay(model.params, grads, decay)
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda: penalised(), value)
        assert np.allclose(decayed[key], numeric, atol=1e-6), key
        if value.ndim < 2:
            assert decayed[key] is grads[key]  # biases are not decayed


@pytest.mark.parametrize("make", [lambda wd: SGD(0.1, weight_decay=wd),
                                  lambda wd: Momentum(0.1, weight_decay=wd),
                                  lambda wd: Adam(0.1, weight_decay=wd)])
def test_an_optimiser_with_weight_decay_steps_on_the_decayed_gradient(make):
    params = {"W": np.array([[1.0, -2.0]]), "b": np.array([3.0])}
    grads = {"W": np.array([[0.5, 0.5]]), "b": np.array([0.5])}
    plain, decayed = make(0.0), make(0.2)
    expected = {k: v.copy() for k, v in params.items()}
    plain.step(expected, {"W": grads["W"] + 0.2 * params["W"], "b": grads["b"]})
    got = {k: v.copy() for k, v in params.items()}
    decayed.step(got, grads)
    for key in params:
        assert np.allclose(got[key], expected[key]), key
    assert "weight_decay=0.2" in repr(decayed) and "weight_decay" not in repr(plain)


def test_weight_decay_must_be_a_non_negative_number():
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(0.1, weight_decay=-1)
