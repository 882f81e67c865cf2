"""Empty and degenerate data, ragged input, divergence advice: errors at the right time."""

import numpy as np
import pytest

import nnlib
from nnlib.gradcheck import numerical_gradient
from nnlib.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                          softmax_cross_entropy, squared_error_loss)
from nnlib.model import Model
from nnlib.optim import SGD
from nnlib.train import fit
from nnlib.validation import DivergenceError, as_float_array, check_finite_loss


def test_ragged_lists_name_the_argument():
    # checked at the public door (the maths functions are pure and trust their arrays)
    model = nnlib.TwoLayerNet(2, 3, 1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^X must be an array of numbers .*\(no ragged lists\)"):
        model.predict([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("reduction", ["sum", "half_sum", "mean"])
def test_squared_error_of_no_examples_is_a_clear_error(reduction):
    with pytest.raises(ValueError, match=r"at least one example.*N = 0"):
        squared_error_loss(np.zeros((0, 1)), np.zeros((0, 1)), reduction=reduction)


@pytest.mark.parametrize("loss", [binary_cross_entropy_with_logits, binary_cross_entropy])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_binary_cross_entropies_of_no_examples_are_clear_errors(loss, reduction):
    with pytest.raises(ValueError, match="N = 0"):
        loss(np.zeros((0, 1)), np.zeros((0, 1)), reduction=reduction)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_cross_entropy_without_examples(reduction):
    with pytest.raises(ValueError, match="N = 0"):
        softmax_cross_entropy(np.zeros((0, 4)), np.zeros(0, dtype=int), reduction=reduction)


def test_numerical_gradient_restores_its_input_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(x.copy())
        if len(calls) == 4:
            raise RuntimeError("boom")
        return float(np.sum(x**2))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_divergence_advice_never_suggests_a_useless_learning_rate():
    with pytest.raises(DivergenceError) as caught:
        check_finite_loss(float("nan"), 3, 0.0)
    assert "try 0" not in str(caught.value)
    with pytest.raises(DivergenceError, match="inputs reach 1e\\+150 .* standardise"):
        check_finite_loss(float("inf"), 1, 1e-10, input_scale=1e150)
    with pytest.raises(DivergenceError, match="learning rate 2 is probably too large: try 0.2"):
        check_finite_loss(float("inf"), 1, 2.0, input_scale=3.0)
    assert check_finite_loss(5.0, 1, 1.0, limit=10.0) == 5.0
    with pytest.raises(DivergenceError, match="exploded to 20 at step 1"):
        check_finite_loss(20.0, 1, 1.0, limit=10.0)


class _Line(Model):
    """Test-only least squares y = X w, half the mean squared error."""

    def __init__(self, input_size: int, *, rng):
        self.params = {"w": rng.standard_normal((input_size, 1))}

    @property
    def config(self):
        return {"input_size": self.params["w"].shape[0]}

    def check_inputs(self, X):
        return as_float_array("X", X, shape=("N", self.params["w"].shape[0]))

    def check_targets(self, y, X):
        return as_float_array("y", y, shape=(len(X), 1))

    def _predict_proba(self, X):
        return X @ self.params["w"]

    def _loss_and_grads(self, X, y):
        d = X @ self.params["w"] - y
        return float(0.5 * np.mean(d * d)), {"w": X.T @ d / len(X)}


@pytest.mark.parametrize("scale, learning_rate", [(1e6, 0.1), (1e150, 1e-10)])
def test_unscaled_features_stop_at_the_first_explosion_and_blame_the_scale(scale,
                                                                           learning_rate):
    # Once: a finite loss of 5.6e192 and no error until step 34 (1e6), and advice to "try
    # 1e-11" that could never work (1e150).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3)) * scale
    y = rng.standard_normal((50, 1))
    expected = r"step [1-3]\..*inputs reach .* standardise"
    with pytest.raises(DivergenceError, match=expected) as error:
        fit(_Line(3, rng=np.random.default_rng(1)), X, y, SGD(learning_rate), epochs=100,
            metric=None)
    assert "try" not in str(error.value)


def test_degenerate_sizes_elsewhere_are_named():
    from nnlib.metrics import binary_accuracy

    with pytest.raises(ValueError, match="no examples"):
        binary_accuracy(np.zeros((0, 1)), np.zeros((0, 1)))
    model = nnlib.RNN(2, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="N = 0"):
        model.predict(np.zeros((0, 5, 2)))
    with pytest.raises(ValueError, match="T = 0"):
        model.predict(np.zeros((3, 0, 2)))
    # The LSTM, at the same door (the sequence functions are pure maths and trust their input).
    lstm = nnlib.LSTM(2, 4, rng=np.random.default_rng(0))
    for N, T, message in ((0, 5, "N = 0"), (3, 0, "T = 0")):
        with pytest.raises(ValueError, match=message):
            lstm.predict(np.zeros((N, T, 2)))
    from nnlib.neuron import Neuron, mean_abs_error

    with pytest.raises(ValueError, match="no examples"):
        mean_abs_error(Neuron(3, rng=np.random.default_rng(0)), np.zeros((0, 3)), np.zeros((0, 1)))


def test_wide_bit_widths_and_huge_integers():
    bits = nnlib.int_to_bits(5, 63)
    assert bits.shape == (63,) and bits[:3].tolist() == [1, 0, 1] and bits[3:].sum() == 0
    assert nnlib.bits_to_int(bits) == 5
    with pytest.raises(ValueError, match="learning_rate must be a finite number >= 0, got an "
                                         "integer of 401 digits"):
        nnlib.check_number("learning_rate", 10**400, minimum=0)


def test_metrics_of_no_examples_are_errors_not_zero():
    from nnlib.addition import exact_sum_accuracy, exact_sums
    from nnlib.train import accuracy

    model = nnlib.TwoLayerNet(2, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X holds no examples \(N = 0\): accuracy is undefined"):
        accuracy(model, np.zeros((0, 2)), np.zeros((0, 1)))
    rnn = nnlib.RNN(2, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="X holds no sequences"):
        exact_sums(rnn, np.zeros((0, 3, 2)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="a holds no pairs"):
        exact_sum_accuracy(rnn, [], [], 3)


@pytest.mark.parametrize("kwargs", [dict(X_val=np.zeros((0, 2)), y_val=np.zeros((0, 1))),
                                    dict()])
def test_fit_with_an_empty_training_or_validation_set_names_it(kwargs):
    from nnlib.neuron import mean_abs_error

    X = np.zeros((0, 2)) if not kwargs else np.ones((4, 2))
    y = np.zeros((len(X), 1))
    for model, metric in ((nnlib.TwoLayerNet(2, 3, rng=np.random.default_rng(0)), "accuracy"),
                          (nnlib.Neuron(2, rng=np.random.default_rng(0)), mean_abs_error),
                          (nnlib.MLP(nnlib.make_architecture([2, 3, 1]),
                                     np.random.default_rng(0)), "accuracy")):
        with pytest.raises(ValueError, match="N = 0|no examples"):
            fit(model, X, y, SGD(0.1), epochs=1, metric=metric, **kwargs)


def test_addition_widths_are_checked_by_the_function_given_them():
    from course.rnn import train_addition
    from nnlib.data.bits import split_pairs

    # The range is split_pairs' own, in its own terms (it once failed inside all_pairs with
    # "bits must be an integer in the range [1, 12], got 13" for n_bits=14).
    with pytest.raises(ValueError, match=r"^n_bits must be an integer in the range \[2, 13\], "
                                         r"got 14\.$"):
        split_pairs(14, 0.5, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    model = nnlib.RNN(2, 4, rng=rng)
    pairs = (np.array([1000, 4000]), np.array([3000, 4191]))  # sums need 14 bits
    history = train_addition(model, pairs, SGD(0.1), 1, rng, n_bits=14)
    assert history.train_metric.shape == (2,)
    with pytest.raises(ValueError, match=r"^n_bits must be an integer in the range \[2, 62\], "
                                         r"got 63\.$"):
        train_addition(model, pairs, SGD(0.1), 1, rng, n_bits=63)
