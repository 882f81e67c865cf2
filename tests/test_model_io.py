"""save_model / load_model / load_weights: one weight-file format for every model."""

import numpy as np
import pytest

from nnlib.model import Model, load_model, load_weights, save_model
from nnlib.serialization import WeightFileError, save_params
from nnlib.validation import as_float_array


class _Affine(Model):
    """A test-only linear model with two settings in its config."""

    def __init__(self, input_size: int, output_size: int = 1, *, rng):
        self.params = {"W": rng.standard_normal((input_size, output_size)),
                       "b": rng.standard_normal(output_size)}

    @property
    def config(self):
        return {"input_size": self.params["W"].shape[0], "output_size": self.params["W"].shape[1]}

    def check_inputs(self, X):
        return as_float_array("X", X, shape=("N", self.params["W"].shape[0]))

    def check_targets(self, y, X):
        return as_float_array("y", y, shape=(len(X), self.params["W"].shape[1]))

    def _predict_proba(self, X):
        return X @ self.params["W"] + self.params["b"]

    def _loss_and_grads(self, X, y):
        d = self._predict_proba(X) - y
        return float(0.5 * np.sum(d * d)), {"W": X.T @ d, "b": d.sum(axis=0)}


def test_round_trip_rebuilds_the_architecture_bit_for_bit(tmp_path):
    model = _Affine(3, 2, rng=np.random.default_rng(5))
    save_model(tmp_path / "m.npz", model)
    loaded = load_model(tmp_path / "m.npz")
    assert type(loaded) is _Affine and repr(loaded) == repr(model)
    for key in model.params:
        assert loaded.params[key].tobytes() == model.params[key].tobytes()


def test_load_weights_names_both_architectures_and_leaves_the_model_untouched(tmp_path):
    save_model(tmp_path / "m.npz", _Affine(3, 2, rng=np.random.default_rng(5)))
    other = _Affine(4, 2, rng=np.random.default_rng(6))
    before = other.copy_params()
    with pytest.raises(WeightFileError, match=r"'m.npz' holds _Affine\(input_size=3, "
                                              r"output_size=2\), but this model is _Affine\("
                                              r"input_size=4, output_size=2\)"):
        load_weights(other, tmp_path / "m.npz")
    for key in before:
        np.testing.assert_array_equal(other.params[key], before[key])
    same = _Affine(3, 2, rng=np.random.default_rng(7))
    load_weights(same, tmp_path / "m.npz")
    assert same.params["W"].tobytes() == load_model(tmp_path / "m.npz").params["W"].tobytes()


def test_files_without_a_model_description_or_of_unknown_models(tmp_path):
    save_params(tmp_path / "p.npz", {"W": np.ones((3, 2)), "b": np.ones(2)})
    with pytest.raises(WeightFileError, match="written by save_params, not save_model"):
        load_model(tmp_path / "p.npz")
    save_params(tmp_path / "u.npz", {"W": np.ones(2)}, {"model": "Perceptron", "config": {}})
    with pytest.raises(WeightFileError, match="'Perceptron' model, which this nnlib does not"):
        load_model(tmp_path / "u.npz")
    save_params(tmp_path / "c.npz", {"W": np.ones(2)},
                {"model": "_Affine", "config": {"input_size": 3, "colour": "red"}})
    with pytest.raises(WeightFileError, match="cannot be built"):
        load_model(tmp_path / "c.npz")
    with pytest.raises(ValueError, match="model must be an nnlib model"):
        save_model(tmp_path / "x.npz", object())
