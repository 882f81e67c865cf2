"""The model protocol that every nnlib model shares, and the registry that rebuilds models.

Every model (the neuron, the two-layer net, the MLP, the RNN and BiRNN, the LSTM, the tree
network) is a subclass of ``Model`` and so has:

- ``params``: ``dict[str, ndarray]``, float64 arrays updated in place by ``nnlib.optim``;
- ``loss_and_grads(X, y) -> (loss, grads)``: the training loss (its reduction stated in the
  model's docstring) and its gradient, ``grads`` with exactly the keys and shapes of ``params``;
- ``loss(X, y) -> float``: the same loss, forward pass only;
- ``predict_proba(X)``: for a classifier (``task == "classification"``) the probability of
  every class, shape (N, C) (a binary classifier has two columns, as in scikit-learn), or
  (N, T, C) for a model that classifies every step of a sequence; rows sum to 1. A regression
  model (``task == "regression"``) has no ``predict_proba`` (``hasattr`` is False);
- ``predict(X)``: the likeliest class (N,) or (N, T), or a regression model's numbers;
- ``config``: the constructor's settings (JSON values), so that ``type(model)(**config,
  rng=...)`` builds a model of the same architecture; ``save_model`` stores it. The number of
  outputs is always ``output_size``; ``rng`` is keyword-only in every constructor;
- ``from_params(params, **config)``: the model with the given weights (one name for "build
  from weights" on every model);
- ``params`` is the truth: the model reads ``params`` on every call, so assigning
  ``model.params["W1"] = ...`` or editing an entry in place changes the model;
- the training loss is a mean over examples (and time steps, for a per-step model) unless
  a model's ``reduction`` setting says otherwise (``"sum"``/``"half_sum"``, kept for the
  chapters that reproduce a published sum of squares);
- a readable ``__repr__`` built from ``config``.

The public methods check their arguments once (``check_inputs`` / ``check_targets``) and then
call the unchecked hooks that a subclass writes (``_loss_and_grads``, ``_loss``,
``_predict_proba``, ``_predict``). ``nnlib.train.fit`` checks the data once before its loop and
calls the hooks inside it, so no array is converted twice per step (the style guide's "check at
the boundary"). Subclasses register themselves by class name.

One weight-file format serves every model: ``save_model`` writes the parameters with the class
name and ``config`` in the header (``nnlib.serialization``); ``load_model`` rebuilds the model
the file describes; ``load_weights`` fills an existing model and says so when the file holds
another architecture.
"""

from __future__ import annotations

import os

import numpy as np

from nnlib.serialization import WeightFileError, check_expected_shapes, load_params, save_params
from nnlib.validation import as_float_array, memory_budget

MODELS: dict[str, type] = {}


class _classifiers_only:
    """A method that a regression model does not have: on a model whose ``task`` is
    "regression", reading it raises AttributeError (so ``hasattr`` is False) with what to use."""

    def __init__(self, method):
        self.method = method
        self.__doc__ = method.__doc__

    def __get__(self, model, owner=None):
        if model is None:
            return self
        if model.task == "regression":
            raise AttributeError(f"{type(model).__name__} is a regression model: it predicts "
                                 f"numbers with predict(X), not probabilities.")
        return self.method.__get__(model, owner)


class Model:
    """Base class of every nnlib model; see the module docstring for the protocol.

    A subclass sets ``self.params`` in its constructor and implements ``config``,
    ``check_inputs``, ``check_targets``, ``_loss_and_grads`` and ``_predict_proba``; it may
    override ``_loss`` (a forward-only loss, cheaper than the default) and ``_predict``.
    """

    params: dict[str, np.ndarray]
    #: "classification" (predict_proba gives class probabilities) or "regression" (predict
    #: gives numbers; no predict_proba). A model whose head is a setting overrides it.
    task: str = "classification"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        MODELS[cls.__name__] = cls

    # --- what a subclass writes ----------------------------------------------------------

    @property
    def config(self) -> dict:
        """Constructor settings (JSON values); ``type(self)(**config, rng=rng)`` rebuilds it."""
        raise NotImplementedError

    def check_inputs(self, X):
        """Check ``X`` once and return it in the form the hooks use (e.g. float64 (N, D))."""
        raise NotImplementedError

    def check_targets(self, y, X):
        """Check ``y`` against the checked ``X`` and return it in the form the hooks use."""
        raise NotImplementedError

    def _loss_and_grads(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        raise NotImplementedError

    def _predict_proba(self, X) -> np.ndarray:
        raise NotImplementedError

    def _loss(self, X, y) -> float:
        return self._loss_and_grads(X, y)[0]

    def _predict(self, X) -> np.ndarray:
        # A classifier's probabilities have the classes on the last axis; a regression model
        # overrides this to return its numbers.
        probabilities = self._predict_proba(X)
        if probabilities.shape[-1] == 1:  # not the protocol's layout: P(class 1) alone
            return (probabilities[..., 0] > 0.5).astype(np.int64)
        return probabilities.argmax(axis=-1)

    # --- the protocol, checked once -------------------------------------------------------

    def loss_and_grads(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """The training loss on ``(X, y)`` and its gradient for every entry of ``params``."""
        X = self.check_inputs(X)
        return self._loss_and_grads(X, self.check_targets(y, X))

    def loss(self, X, y) -> float:
        """The training loss on ``(X, y)``, forward pass only."""
        X = self.check_inputs(X)
        return self._loss(X, self.check_targets(y, X))

    @_classifiers_only
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, (N, C) or (N, T, C) for a per-step model; rows sum to 1."""
        return self._predict_proba(self.check_inputs(X))

    def predict(self, X) -> np.ndarray:
        """Predicted labels (int) for the examples of ``X``."""
        return self._predict(self.check_inputs(X))

    def set_params(self, params: dict) -> None:
        """Copy ``params`` (exactly the keys and shapes of ``self.params``) into the model."""
        if not isinstance(params, dict) or set(params) != set(self.params):
            got = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(f"params must be a dict with the keys {sorted(self.params)}, "
                             f"got {got}.")
        checked = {key: as_float_array(key, value, shape=self.params[key].shape)
                   for key, value in params.items()}
        for key, value in checked.items():
            self.params[key][...] = value

    @classmethod
    def from_params(cls, params: dict, **config) -> "Model":
        """A model built from ``config`` (the constructor's settings) holding ``params``."""
        model = cls(**config, rng=np.random.default_rng(0))
        model.set_params(params)
        return model

    def copy_params(self) -> dict[str, np.ndarray]:
        """An independent copy of ``params``."""
        return {key: value.copy() for key, value in self.params.items()}

    @property
    def num_params(self) -> int:
        """How many numbers the parameters hold."""
        return int(sum(value.size for value in self.params.values()))

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.config.items())
        return f"{type(self).__name__}({settings})"


def build_model(name: str, config: dict) -> Model:
    """A new model of the registered class ``name`` built from ``config`` (parameters drawn
    from a fixed seed, to be overwritten by the caller)."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; nnlib knows {sorted(MODELS)}.")
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict of constructor settings, got {config!r}.")
    return MODELS[name](**config, rng=np.random.default_rng(0))


def save_model(path, model: Model):
    """Write ``model``'s parameters, class name and ``config`` to the weight file ``path``."""
    if not isinstance(model, Model):
        raise ValueError(f"model must be an nnlib model, got {type(model).__name__}.")
    return save_params(path, model.params, {"model": type(model).__name__,
                                            "config": model.config})


def _read_model_file(path):
    import nnlib  # noqa: F401  (importing the package registers every model class)

    params, meta = load_params(path)
    name = repr(os.path.basename(os.fspath(path)))
    if not isinstance(meta.get("model"), str) or not isinstance(meta.get("config"), dict):
        raise WeightFileError(f"{name} holds parameters but no model description; it was "
                              f"written by save_params, not save_model. Load it with "
                              f"load_params, or save the model with save_model.")
    if meta["model"] not in MODELS:
        raise WeightFileError(f"{name} holds a {meta['model']!r} model, which this nnlib does "
                              f"not know (it knows {sorted(MODELS)}).")
    return params, meta, name


def load_model(path) -> Model:
    """Rebuild the model described by a file written by ``save_model``, weights included."""
    params, meta, name = _read_model_file(path)
    held = sum(array.size for array in params.values())
    try:
        # The header's config could describe a far bigger model than the file holds (a
        # hand-edited hidden_size): building is refused past the file's own size, at once.
        with memory_budget(8 * held + 2**20):
            model = build_model(meta["model"], meta["config"])
    except (TypeError, ValueError) as error:
        raise WeightFileError(f"{name} describes a {meta['model']} that cannot be built "
                              f"({error}).") from None
    check_expected_shapes(params, {k: v.shape for k, v in model.params.items()}, name)
    model.set_params(params)
    return model


def load_weights(model: Model, path) -> None:
    """Fill ``model`` with the weights in ``path``; the file must hold the same architecture."""
    if not isinstance(model, Model):
        raise ValueError(f"model must be an nnlib model, got {type(model).__name__}.")
    params, meta, name = _read_model_file(path)
    if meta["model"] != type(model).__name__ or meta["config"] != model.config:
        # the file's settings in the order this model lists its own (the header sorts keys)
        order = [key for key in model.config if key in meta["config"]]
        keys = order + sorted(set(meta["config"]) - set(order))
        settings = ", ".join(f"{key}={meta['config'][key]!r}" for key in keys)
        described = f"{meta['model']}({settings})"
        raise WeightFileError(f"{name} holds {described}, but this model is {model!r}: build "
                              f"the model with the file's settings, or use load_model(path), "
                              f"which rebuilds it from the file.")
    check_expected_shapes(params, {k: v.shape for k, v in model.params.items()}, name)
    model.set_params(params)
