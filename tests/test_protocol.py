"""Every model class in nnlib satisfies the one model protocol (nnlib.model.Model).

The test walks the package, finds every subclass of ``Model`` defined in it, and requires an
example below for each (a new model without one fails ``test_every_model_has_an_example``).
For each example: params are float64 arrays; ``loss_and_grads`` returns a float and gradients
with exactly the keys and shapes of ``params`` that match central differences; ``loss`` agrees;
``rng`` is keyword-only; the output count is ``output_size``; a classifier's ``predict_proba``
is (N, C) or (N, T, C) with rows summing to 1 and ``predict`` is its argmax, a regression model
has no ``predict_proba``; the default loss is a mean over examples (a batch and its duplicate
give the same loss); ``from_params`` rebuilds the model; assigning or editing ``params`` changes
the model; ``config`` is JSON and rebuilds the architecture; ``repr`` is built from ``config``;
``fit`` trains it; ``save_model`` / ``load_model`` round-trip it.
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
    from nnlib.transformer import Transformer
    from nnlib.tree import TreeNet
    from nnlib.data import LISTOPS_VOCAB, make_listops
    from nnlib.twolayer import TwoLayerNet

    def listops(rng):
        trees, y, _, _ = make_listops(4, [1, 2], rng=rng)
        return trees, y

    return {
        "Neuron": (lambda rng: Neuron(3, rng=rng),
                   lambda rng: (rng.random((5, 3)), rng.integers(0, 2, 5))),
        "Neuron cross-entropy": (lambda rng: Neuron(3, rng=rng, loss="cross_entropy"),
                                 lambda rng: (rng.random((5, 3)), rng.integers(0, 2, 5))),
        "TwoLayerNet": (lambda rng: TwoLayerNet(2, 3, 1, rng=rng),
                        lambda rng: (rng.random((4, 2)), rng.random((4, 1)))),
        "TwoLayerNet without biases": (
            lambda rng: TwoLayerNet(2, 3, 2, rng=rng, use_bias=False, reduction="half_sum"),
            lambda rng: (rng.random((4, 2)), rng.random((4, 2)))),
        "MLP": (lambda rng: MLP(make_architecture([2, 4, 3, 1], "tanh"), rng=rng, scale=0.5),
                lambda rng: (rng.normal(size=(6, 2)), rng.integers(0, 2, 6))),
        "MLP softmax": (lambda rng: MLP(make_architecture([3, 5, 4], "relu"), rng=rng,
                                        init="he"),
                        lambda rng: (rng.normal(size=(6, 3)), rng.integers(0, 4, 6))),
        "RNN": (lambda rng: RNN(2, 4, rng=rng), lambda rng: _bits(rng, 3, 5)),
        "RNN sigmoid head": (lambda rng: RNN(2, 4, rng=rng, head="sigmoid"),
                             lambda rng: _bits(rng, 3, 5)),
        "RNN last-step regression": (
            lambda rng: RNN(2, 4, rng=rng, output="last", head="regression", output_size=1),
            lambda rng: (rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 1)))),
        "BiRNN": (lambda rng: BiRNN(2, 3, rng=rng), lambda rng: _bits(rng, 3, 4)),
        "LSTM": (lambda rng: LSTM(2, 3, rng=rng), lambda rng: _bits(rng, 3, 4)),
        "GRU": (lambda rng: __import__("nnlib.gru").gru.GRU(2, 3, rng=rng), lambda rng: _bits(rng, 3, 4)),
        "LSTM last-step classes": (
            lambda rng: LSTM(2, 3, rng=rng, output="last", head="softmax", output_size=3),
            lambda rng: (rng.normal(size=(4, 5, 2)), rng.integers(0, 3, 4))),
        "TreeNet": (lambda rng: TreeNet(LISTOPS_VOCAB, 4, 10, rng=rng), listops),
        "Transformer": (lambda rng: Transformer(5, 4, 4, 2, 1, rng=rng),
                        lambda rng: (rng.integers(0, 5, (3, 4)), rng.integers(0, 5, (3, 4)))),
    }


EXAMPLES = _examples()


def test_every_model_has_an_example():
    covered = {type(make(np.random.default_rng(0))) for make, _ in EXAMPLES.values()}
    missing = sorted(cls.__name__ for cls in _package_models() - covered)
    assert not missing, f"add an example to tests/test_protocol.py for {missing}"


def _build(name):
    make, data = EXAMPLES[name]
    rng = np.random.default_rng(1)
    return make(rng), data(rng)


def _duplicate(X):
    return X + X if isinstance(X, list) else np.concatenate([X, X])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_model_follows_the_protocol(name, tmp_path):
    model, (X, y) = _build(name)
    assert isinstance(model, Model)
    assert model.params and all(isinstance(v, np.ndarray) and v.dtype == np.float64
                                for v in model.params.values())
    config = model.config
    json.dumps(config)
    rebuilt = type(model)(**config, rng=np.random.default_rng(2))
    assert {k: v.shape for k, v in rebuilt.params.items()} == \
        {k: v.shape for k, v in model.params.items()}
    settings = ", ".join(f"{key}={value!r}" for key, value in config.items())
    assert repr(model) == f"{type(model).__name__}({settings})" and repr(rebuilt) == repr(model)

    loss, grads = model.loss_and_grads(X, y)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert model.loss(X, y) == pytest.approx(loss, rel=1e-12)
    assert set(grads) == set(model.params)
    for key, value in model.params.items():
        assert grads[key].shape == value.shape, key
        numeric = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numeric) < 1e-6, key

    history = fit(model, X, y, SGD(0.05), epochs=2, metric=None)
    assert list(history.epochs) == [0, 1, 2] and np.all(np.isfinite(history.train_loss))

    answer = model.predict_proba if model.task == "classification" else model.predict
    save_model(tmp_path / "model.npz", model)
    loaded = load_model(tmp_path / "model.npz")
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    loaded_answer = getattr(loaded, answer.__name__)
    np.testing.assert_array_equal(loaded_answer(X), answer(X))


@pytest.mark.parametrize("cls", sorted(_package_models(), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_rng_is_keyword_only_and_the_output_count_is_output_size(cls):
    parameters = inspect.signature(cls.__init__).parameters
    assert parameters["rng"].kind is inspect.Parameter.KEYWORD_ONLY, cls.__name__
    assert not {"n_classes", "output_dim", "classes", "n_outputs"} & set(parameters)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_predictions_have_the_protocol_shapes(name):
    model, (X, y) = _build(name)
    predictions = np.asarray(model.predict(X))
    assert model.task in ("classification", "regression")
    if model.task == "regression":
        assert not hasattr(model, "predict_proba")
        assert predictions.shape == np.shape(y) and predictions.dtype == np.float64
        assert predictions.shape[-1] == model.output_size
        return
    probabilities = model.predict_proba(X)
    assert probabilities.shape == np.shape(y) + (model.output_size,), probabilities.shape
    assert model.output_size >= 2  # a binary classifier has two columns, as in scikit-learn
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert np.all(probabilities >= 0)
    np.testing.assert_array_equal(predictions, probabilities.argmax(axis=-1))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_default_loss_is_a_mean_over_examples(name):
    model, (X, y) = _build(name)
    if model.config.get("reduction", "mean") != "mean":
        pytest.skip("this example reproduces a published sum on purpose")
    assert model.loss(_duplicate(X), _duplicate(y)) == pytest.approx(model.loss(X, y),
                                                                     rel=1e-12)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_from_params_rebuilds_the_model(name):
    model, (X, y) = _build(name)
    copy = type(model).from_params(model.copy_params(), **model.config)
    assert type(copy) is type(model) and repr(copy) == repr(model)
    assert copy.loss(X, y) == model.loss(X, y)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_params_is_the_truth(name):
    model, (X, y) = _build(name)
    before = model.loss(X, y)
    rng = np.random.default_rng(3)
    for key in model.params:
        saved = model.params[key]
        original = saved.copy()
        # a random change: a constant added to every logit's bias would change no softmax
        delta = rng.normal(size=saved.shape)
        model.params[key] = saved + delta          # assigning a new array changes the model
        assert model.loss(X, y) != before, f"assigning params[{key!r}] changed nothing"
        model.params[key] = saved
        assert model.loss(X, y) == before
        saved += delta                             # so does editing the array in place
        assert model.loss(X, y) != before, f"editing params[{key!r}] changed nothing"
        saved -= delta
        assert model.loss(X, y) == pytest.approx(before, rel=1e-12)
        saved[...] = original                      # (s + d) - d may differ from s in the last bit
    # fit updates whatever params holds now, also after an assignment
    key = sorted(model.params)[0]
    model.params[key] = model.params[key].copy()
    changed = model.params[key]
    fit(model, X, y, SGD(0.05), epochs=1, metric=None)
    assert model.params[key] is changed and model.loss(X, y) != pytest.approx(before, rel=1e-12)


def test_no_model_writes_its_own_training_loop_or_update():
    for cls in _package_models():
        for forbidden in ("train", "fit", "sgd_step", "save", "load"):
            assert forbidden not in vars(cls), f"{cls.__name__}.{forbidden}"
        assert "probabilities" not in vars(cls), f"{cls.__name__}.probabilities: predict_proba"
    assert inspect.signature(fit).parameters.keys() >= {
        "model", "X", "y", "optimizer", "epochs", "batch_size", "rng", "X_val", "y_val",
        "record_every", "progress"}
