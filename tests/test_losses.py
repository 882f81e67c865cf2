import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, softmax,
                          softmax_cross_entropy, squared_error_loss)


@pytest.mark.parametrize("reduction, expected", [("sum", 6.0), ("half_sum", 3.0),
                                                 ("mean", 1.5)])
def test_squared_error_known_values(reduction, expected):
    loss, _ = squared_error_loss(np.array([[1.0], [2.0], [0.0], [0.0]]),
                                 np.array([[0.0], [0.0], [0.0], [1.0]]),
                                 reduction=reduction)
    assert loss == expected


def test_bce_known_value():
    # p = 0.5 for any label costs log 2 nats.
    loss, _ = binary_cross_entropy_with_logits(np.zeros((2, 1)), np.array([[1.0], [0.0]]))
    assert loss == pytest.approx(np.log(2.0), rel=1e-15)
    loss, _ = binary_cross_entropy(np.array([[0.5]]), np.array([[1.0]]))
    assert loss == pytest.approx(np.log(2.0), rel=1e-15)


def test_bce_with_logits_is_stable_and_agrees_with_probability_form():
    z = np.array([[-1e3], [-30.0], [0.3], [30.0], [1e3]])
    y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
    loss, grad = binary_cross_entropy_with_logits(z, y, reduction="sum")
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx(30.0 + 30.0 + np.log1p(np.exp(-0.3)), rel=1e-12)
    # Where no clipping happens the probability form agrees; beyond, it caps at -log(eps).
    moderate = np.array([[-3.0], [0.3], [4.0]])
    p = 1 / (1 + np.exp(-moderate))
    assert binary_cross_entropy(p, y[1:4], reduction="sum")[0] == pytest.approx(
        binary_cross_entropy_with_logits(moderate, y[1:4], reduction="sum")[0], rel=1e-12)
    capped, _ = binary_cross_entropy(np.array([[0.0]]), np.array([[1.0]]), eps=1e-12)
    assert capped == pytest.approx(-np.log(1e-12))


def test_softmax_is_stable_and_sums_to_one():
    p = softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 1.0, 1.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    assert p[0, 0] == 1.0


def test_softmax_cross_entropy_known_value_and_any_leading_shape():
    loss, _ = softmax_cross_entropy(np.zeros((2, 3, 2)), np.zeros((2, 3), dtype=int))
    assert loss == pytest.approx(np.log(2.0), rel=1e-15)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_gradients_match_numerical(reduction):
    rng = np.random.default_rng(2)
    y_hat, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    z, t = rng.normal(size=(6, 1)), rng.integers(0, 2, size=(6, 1)).astype(float)
    p = 1 / (1 + np.exp(-z))
    logits, labels = rng.normal(size=(3, 4, 5)), rng.integers(0, 5, size=(3, 4))
    cases = [
        (lambda: squared_error_loss(y_hat, y, reduction)[0], y_hat,
         squared_error_loss(y_hat, y, reduction)[1]),
        (lambda: binary_cross_entropy_with_logits(z, t, reduction)[0], z,
         binary_cross_entropy_with_logits(z, t, reduction)[1]),
        (lambda: binary_cross_entropy(p, t, reduction)[0], p,
         binary_cross_entropy(p, t, reduction)[1]),
        (lambda: softmax_cross_entropy(logits, labels, reduction)[0], logits,
         softmax_cross_entropy(logits, labels, reduction)[1]),
    ]
    for loss, array, analytic in cases:
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-7


def test_binary_mean_is_over_every_entry():
    # one meaning of "mean" for every shape: (N, T) targets average over N * T entries
    z, y = np.zeros((2, 3)), np.ones((2, 3))
    assert binary_cross_entropy_with_logits(z, y, "mean")[0] == pytest.approx(np.log(2.0))
    assert binary_cross_entropy_with_logits(z, y, "sum")[0] == pytest.approx(6 * np.log(2.0))


@pytest.mark.parametrize("call, message", [
    (lambda: squared_error_loss(np.ones((1, 1)), np.ones((1, 1)), reduction="avg"),
     "reduction must be one of"),
    (lambda: softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
     r"at least one example"),
])
def test_bad_settings_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
