"""The model protocol that every nnlib model shares, and the registry that rebuilds models.

Every model (the neuron, the two-layer net, the MLP, the RNN and BiRNN, the LSTM, the tree
network) is a subclass of ``Model`` and so has:

- ``params``: ``dict[str, ndarray]``, float64 arrays updated in place by ``nnlib.optim``;
- ``loss_and_grads(X, y) -> (loss, grads)``: the training loss (its reduction stated in the
  model's docstring) and its gradient, ``grads`` with exactly the keys and shapes of ``params``;
- ``loss(X, y) -> float``: the same loss, forward pass only;
- ``predict_proba(X)`` and ``predict(X)``: probabilities and predicted labels;
- ``config``: the constructor's settings (JSON values), so that ``type(model)(**config,
  rng=...)`` builds a model of the same architecture; ``save_model`` stores it;
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
from nnlib.validation import as_float_array

MODELS: dict[str, type] = {}


class Model:
    """Base class of every nnlib model; see the module docstring for the protocol.

    A subclass sets ``self.params`` in its constructor and implements ``config``,
    ``check_inputs``, ``check_targets``, ``_loss_and_grads`` and ``_predict_proba``; it may
    override ``_loss`` (a forward-only loss, cheaper than the default) and ``_predict``.
    """

    params: dict[str, np.ndarray]

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
        # C > 1 outputs: the likeliest class; one output (shape (..., 1)): class 1 where P > 1/2.
        # A model whose probabilities have another layout (the RNN's (N, T)) overrides this.
        probabilities = self._predict_proba(X)
        if probabilities.ndim >= 2 and probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        if probabilities.ndim >= 2:
            probabilities = probabilities[..., 0]
        return (probabilities > 0.5).astype(np.int64)

    # --- the protocol, checked once -------------------------------------------------------

    def loss_and_grads(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """The training loss on ``(X, y)`` and its gradient for every entry of ``params``."""
        X = self.check_inputs(X)
        return self._loss_and_grads(X, self.check_targets(y, X))

    def loss(self, X, y) -> float:
        """The training loss on ``(X, y)``, forward pass only."""
        X = self.check_inputs(X)
        return self._loss(X, self.check_targets(y, X))

    def predict_proba(self, X) -> np.ndarray:
        """Predicted probabilities for the examples of ``X`` (shape in the model's docstring)."""
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
    try:
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
        described = build_model(meta["model"], meta["config"]) if meta["model"] in MODELS else None
        raise WeightFileError(f"{name} holds {described!r}, but this model is {model!r}: build "
                              f"the model with the file's settings, or use load_model(path), "
                              f"which rebuilds it from the file.")
    check_expected_shapes(params, {k: v.shape for k, v in model.params.items()}, name)
    model.set_params(params)
