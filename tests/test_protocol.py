"""Every model class in nnlib satisfies the one model protocol (nnlib.model.Model).

The test walks the package, finds every subclass of ``Model`` defined in it, and requires an
example below for each (a new model without one fails ``test_every_model_has_an_example``).
For each example: params are float64 arrays; ``loss_and_grads`` returns a float and gradients
with exactly the keys and shapes of ``params`` that match central differences; ``loss`` agrees;
``predict_proba`` and ``predict`` answer; ``config`` is JSON and rebuilds the architecture;
``repr`` names the class; ``fit`` trains it; ``save_model`` / ``load_model`` round-trip it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

import numpy as np
import pytest

import nnlib
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.model import Model, load_model, save_model
from nnlib.optim import SGD
from nnlib.train import fit


def _package_models() -> set[type]:
    for module in pkgutil.walk_packages(nnlib.__path__, "nnlib."):
        importlib.import_module(module.name)
    found, stack = set(), [Model]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("nnlib."):
                found.add(cls)
    return found


def _bits(rng, N, T):
    return rng.integers(0, 2, size=(N, T, 2)).astype(float), rng.integers(0, 2, size=(N, T))


def _examples():
    from nnlib.architecture import make_architecture
    from nnlib.birnn import BiRNN
    from nnlib.lstm import LSTM
    from nnlib.mlp import MLP
    from nnlib.neuron import Neuron
    from nnlib.rnn import RNN
    from nnlib.tree import TreeNet
    from nnlib.treedata import LISTOPS_VOCAB, make_listops
    from nnlib.twolayer import TwoLayerNet

    def listops(rng):
        trees, y, _, _ = make_listops(4, [1, 2], rng)
        return trees, y

    return {
        "Neuron": (lambda rng: Neuron(3, rng=rng),
                   lambda rng: (rng.random((5, 3)), rng.random((5, 1)))),
        "Neuron cross-entropy": (lambda rng: Neuron(3, rng=rng, loss="cross_entropy"),
                                 lambda rng: (rng.random((5, 3)),
                                              rng.integers(0, 2, (5, 1)).astype(float))),
        "TwoLayerNet": (lambda rng: TwoLayerNet(2, 3, 1, rng=rng),
                        lambda rng: (rng.random((4, 2)), rng.random((4, 1)))),
        "TwoLayerNet without biases": (
            lambda rng: TwoLayerNet(2, 3, 2, rng=rng, use_bias=False, reduction="mean"),
            lambda rng: (rng.random((4, 2)), rng.random((4, 2)))),
        "MLP": (lambda rng: MLP(make_architecture([2, 4, 3, 1], "tanh"), rng, scale=0.5),
                lambda rng: (rng.normal(size=(6, 2)), rng.integers(0, 2, 6))),
        "MLP softmax": (lambda rng: MLP(make_architecture([3, 5, 4], "relu"), rng, init="he"),
                        lambda rng: (rng.normal(size=(6, 3)), rng.integers(0, 4, 6))),
        "RNN": (lambda rng: RNN(2, 4, rng), lambda rng: _bits(rng, 3, 5)),
        "RNN sigmoid head": (lambda rng: RNN(2, 4, rng, head="sigmoid"),
                             lambda rng: _bits(rng, 3, 5)),
        "RNN last-step regression": (
            lambda rng: RNN(2, 4, rng, output="last", head="regression", output_size=1),
            lambda rng: (rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 1)))),
        "BiRNN": (lambda rng: BiRNN(2, 3, rng), lambda rng: _bits(rng, 3, 4)),
        "LSTM": (lambda rng: LSTM(2, 3, rng), lambda rng: _bits(rng, 3, 4)),
        "LSTM last-step classes": (
            lambda rng: LSTM(2, 3, rng, output="last", head="softmax", output_size=3),
            lambda rng: (rng.normal(size=(4, 5, 2)), rng.integers(0, 3, 4))),
        "TreeNet": (lambda rng: TreeNet(LISTOPS_VOCAB, 4, 10, rng), listops),
    }


EXAMPLES = _examples()


def test_every_model_has_an_example():
    covered = {type(make(np.random.default_rng(0))) for make, _ in EXAMPLES.values()}
    missing = sorted(cls.__name__ for cls in _package_models() - covered)
    assert not missing, f"add an example to tests/test_protocol.py for {missing}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_model_follows_the_protocol(name, tmp_path):
    make, data = EXAMPLES[name]
    rng = np.random.default_rng(1)
    model, (X, y) = make(rng), data(rng)
    assert isinstance(model, Model)
    assert model.params and all(isinstance(v, np.ndarray) and v.dtype == np.float64
                                for v in model.params.values())
    config = model.config
    json.dumps(config)
    rebuilt = type(model)(**config, rng=np.random.default_rng(2))
    assert {k: v.shape for k, v in rebuilt.params.items()} == \
        {k: v.shape for k, v in model.params.items()}
    assert repr(model).startswith(type(model).__name__ + "(") and repr(rebuilt) == repr(model)

    loss, grads = model.loss_and_grads(X, y)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert model.loss(X, y) == pytest.approx(loss, rel=1e-12)
    assert set(grads) == set(model.params)
    for key, value in model.params.items():
        assert grads[key].shape == value.shape, key
        numeric = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numeric) < 1e-6, key

    # A regression head predicts numbers and has no probabilities (it says so).
    answer = model.predict if config.get("head") == "regression" else model.predict_proba
    outputs = np.asarray(answer(X))
    assert np.all(np.isfinite(outputs))
    predictions = np.asarray(model.predict(X))
    assert predictions.shape[0] == len(y)

    history = fit(model, X, y, SGD(0.05), epochs=2, metric=None)
    assert list(history.epochs) == [0, 1, 2] and np.all(np.isfinite(history.train_loss))

    save_model(tmp_path / "model.npz", model)
    loaded = load_model(tmp_path / "model.npz")
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    loaded_answer = loaded.predict if config.get("head") == "regression" else loaded.predict_proba
    np.testing.assert_array_equal(np.asarray(loaded_answer(X)), np.asarray(answer(X)))


def test_no_model_writes_its_own_training_loop_or_update():
    for cls in _package_models():
        for forbidden in ("train", "fit", "sgd_step", "save", "load"):
            assert forbidden not in vars(cls), f"{cls.__name__}.{forbidden}"
        assert "probabilities" not in vars(cls), f"{cls.__name__}.probabilities: predict_proba"
    assert inspect.signature(fit).parameters.keys() >= {
        "model", "X", "y", "optimizer", "epochs", "batch_size", "rng", "X_val", "y_val",
        "record_every", "progress"}
