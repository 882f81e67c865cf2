"""nnlib.train.fit, History, the Model base class and gradient clipping."""

import numpy as np
import pytest

from nnlib.model import MODELS, Model
from nnlib.optim import SGD, Adam, clip_grad_norm
from nnlib.train import History, fit
from nnlib.validation import DivergenceError, as_float_array


class _Logistic(Model):
    """A test-only model: logistic regression, mean binary cross-entropy."""

    def __init__(self, input_size: int, *, rng):
        self.params = {"w": rng.standard_normal((input_size, 1)), "b": np.zeros(1)}

    @property
    def config(self):
        return {"input_size": self.params["w"].shape[0]}

    def check_inputs(self, X):
        return as_float_array("X", X, shape=("N", self.params["w"].shape[0]))

    def check_targets(self, y, X):
        return as_float_array("y", y, shape=(len(X), 1))

    def _predict_proba(self, X):
        return 1.0 / (1.0 + np.exp(-(X @ self.params["w"] + self.params["b"])))

    def _loss_and_grads(self, X, y):
        p = self._predict_proba(X)
        loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        dz = (p - y) / len(X)
        return loss, {"w": X.T @ dz, "b": dz.sum(axis=0)}


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = (X[:, :1] + 0.5 * X[:, 1:] > 0).astype(float)
    return X, y


def test_model_registers_and_reprs_from_config():
    model = _Logistic(2, rng=np.random.default_rng(0))
    assert MODELS["_Logistic"] is _Logistic
    assert repr(model) == "_Logistic(input_size=2)"
    assert model.num_params == 3


def test_fit_full_batch_records_every_epoch_and_learns():
    X, y = _data()
    model = _Logistic(2, rng=np.random.default_rng(0))
    history = fit(model, X, y, SGD(1.0), epochs=20, X_val=X[:16], y_val=y[:16])
    assert isinstance(history, History)
    assert list(history.epochs) == list(range(21))
    assert list(history.steps) == list(range(21))
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.train_metric[-1] >= 0.95
    assert history.val_loss.shape == (21,) and history.val_metric.shape == (21,)
    assert history.train_loss[-1] == pytest.approx(model.loss(X, y))
    assert "train accuracy=" in repr(history)


def test_fit_minibatches_count_steps_and_are_reproducible():
    X, y = _data(n=50)
    runs = []
    for _ in range(2):
        model = _Logistic(2, rng=np.random.default_rng(1))
        history = fit(model, X, y, Adam(0.05), epochs=3, batch_size=16,
                      rng=np.random.default_rng(2), record_every=2)
        runs.append(model.params["w"].copy())
    assert list(history.epochs) == [0, 2, 3]
    assert list(history.steps) == [0, 8, 12]  # ceil(50 / 16) = 4 steps per epoch
    np.testing.assert_array_equal(runs[0], runs[1])


def test_fit_stop_and_progress():
    X, y = _data()
    seen = []
    history = fit(_Logistic(2, rng=np.random.default_rng(0)), X, y, SGD(1.0), epochs=100,
                  progress=seen.append, stop=lambda h: h.train_metric[-1] >= 0.9)
    assert history.stopped_early and history.epochs[-1] < 100
    assert seen == list(history.epochs)


def test_fit_names_the_diverging_step():
    X, y = _data()
    model = _Logistic(2, rng=np.random.default_rng(0))
    model.params["w"][...] = 1e300
    with pytest.raises(DivergenceError, match="step"):
        fit(model, X * 1e10, y, SGD(1.0), epochs=3)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": -1}, "epochs"),
    ({"epochs": 1, "batch_size": 4}, "rng"),
    ({"epochs": 1, "X_val": np.zeros((2, 2))}, "X_val and y_val"),
    ({"epochs": 1, "metric": "f1"}, "metric"),
])
def test_fit_rejects_bad_arguments(kwargs, message):
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        fit(_Logistic(2, rng=np.random.default_rng(0)), X, y, SGD(0.1), **kwargs)


def test_fit_rejects_non_models_and_empty_data():
    X, y = _data()
    with pytest.raises(ValueError, match="nnlib model"):
        fit(object(), X, y, SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match="no examples"):
        fit(_Logistic(2, rng=np.random.default_rng(0)), X[:0], y[:0], SGD(0.1), epochs=1)


def test_clip_grad_norm_rescales_to_the_bound_and_keeps_small_gradients():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = np.sqrt(sum(np.sum(g * g) for g in clipped.values()))
    assert total == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    same, _ = clip_grad_norm(grads, 10.0)
    assert same["a"] is grads["a"]


def test_optimizer_clip_norm_bounds_the_step():
    params = {"w": np.zeros(2)}
    SGD(1.0, clip_norm=0.5).step(params, {"w": np.array([30.0, 40.0])})
    np.testing.assert_allclose(params["w"], [-0.3, -0.4])
    with pytest.raises(ValueError, match="clip_norm"):
        SGD(1.0, clip_norm=0)
    assert repr(SGD(0.1, clip_norm=1)) == "SGD(learning_rate=0.1, clip_norm=1)"
