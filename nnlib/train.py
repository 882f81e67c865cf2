"""The one training loop: ``fit`` trains any model of the protocol (``nnlib.model``).

``fit`` checks its arguments once, then runs epochs of (mini-)batch updates: for every batch
the model's unchecked ``_loss_and_grads`` and the optimiser's ``update``. A loss that stops
being a number ends training with a ``DivergenceError`` naming the step. After every
``record_every`` epochs (and before the first and after the last) it measures the loss and the
metric on the whole training set and, if given, on the validation set: a ``History``.

Counts have one meaning: an *epoch* is a pass over the training set, a *step* one update.
Deliberately left out: learning-rate schedules, weight decay, callbacks other than
``progress`` and ``stop``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib.model import Model
from nnlib.optim import Optimizer, check_optimizer
from nnlib.validation import check_finite_loss, check_memory, check_number, check_rng


def accuracy(model: Model, X, y) -> float:
    """Fraction of predicted labels equal to the targets (every label counts once).

    ``X`` and ``y`` are already checked (``model.check_inputs`` / ``check_targets``); with no
    examples the accuracy is undefined: a ValueError, not a silent 0.
    """
    if len(X) == 0:
        raise ValueError("X holds no examples (N = 0): accuracy is undefined.")
    predicted = np.asarray(model._predict(X)).reshape(-1)
    return float(np.mean(predicted == np.asarray(y).reshape(-1)))


@dataclass
class History:
    """What ``fit`` recorded, once per recorded epoch (epoch 0 = before training).

    Attributes
    ----------
    epochs : ndarray of int, shape (K,)
        The epochs after which each record was taken.
    steps : ndarray of int, shape (K,)
        Updates made when each record was taken.
    train_loss, train_metric : ndarray, shape (K,)
        Loss and metric on the whole training set.
    val_loss, val_metric : ndarray, shape (K,), or None without a validation set
    metric : str
        The metric's name ("accuracy" by default).
    stopped_early : bool
        Training ended because ``stop`` returned True.
    """

    epochs: np.ndarray
    steps: np.ndarray
    train_loss: np.ndarray
    train_metric: np.ndarray | None
    val_loss: np.ndarray | None
    val_metric: np.ndarray | None
    metric: str | None = "accuracy"
    stopped_early: bool = False
    extra: dict = field(default_factory=dict)

    def epochs_to_reach(self, value: float, on: str = "val_metric") -> int | None:
        """First recorded epoch at which the series ``on`` is >= ``value`` (None if never)."""
        series = getattr(self, on, None)
        if series is None:
            raise ValueError(f"this history has no {on!r} record.")
        hits = np.flatnonzero(np.asarray(series) >= value)
        return int(self.epochs[hits[0]]) if hits.size else None

    def __repr__(self) -> str:
        text = (f"History(epochs={int(self.epochs[-1])}, steps={int(self.steps[-1])}, "
                f"train loss={self.train_loss[-1]:.4f}")
        if self.train_metric is not None:
            text += f", train {self.metric}={self.train_metric[-1]:.4f}"
        if self.val_loss is not None:
            text += f", val loss={self.val_loss[-1]:.4f}"
        if self.val_metric is not None:
            text += f", val {self.metric}={self.val_metric[-1]:.4f}"
        return text + ")"


def _take(data, indices):
    # Rows of an array, or items of a list (tree models take lists of trees).
    if isinstance(data, np.ndarray):
        return data[indices]
    return [data[i] for i in indices]


def fit(model: Model, X, y, optimizer: Optimizer, epochs: int, batch_size: int | None = None,
        rng: np.random.Generator | None = None, X_val=None, y_val=None, record_every: int = 1,
        progress: Callable[[int], None] | None = None,
        metric: str | Callable | None = "accuracy",
        stop: Callable[[History], bool] | None = None) -> History:
    """Train ``model`` in place by (mini-)batch gradient descent on its own loss.

    Parameters
    ----------
    model : an nnlib model (``nnlib.model.Model``)
    X, y : training inputs and targets, N examples, in the shapes the model's docstring gives
    optimizer : nnlib.optim.SGD, Momentum or Adam (with optional gradient clipping)
    epochs : int >= 0, passes over the training set
    batch_size : int >= 1 or None
        None: the whole set in one batch, one step per epoch, no shuffling. Otherwise the
        examples are reshuffled by ``rng`` every epoch and cut into ceil(N / batch_size)
        batches (the last may be smaller).
    rng : np.random.Generator, required with a batch_size
    X_val, y_val : a validation set, optional (the same shapes with N_val examples)
    record_every : int >= 1
        Record after every this many epochs, and always at epoch 0 and after the last.
    progress : callable(epoch), optional
        Called after each record (moves a progress bar).
    metric : "accuracy", a callable ``metric(model, X, y) -> float`` on checked data, or None
    stop : callable(History) -> bool, optional
        Called after each record with the history so far; training ends when it returns True.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When the loss becomes NaN or infinite; the message names the step (from 1).
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be an nnlib model (nnlib.model.Model), got "
                         f"{type(model).__name__}.")
    check_optimizer(optimizer)
    X = model.check_inputs(X)
    y = model.check_targets(y, X)
    n = len(X)
    if n == 0:
        raise ValueError("X holds no examples: fit needs at least one.")
    epochs = check_number("epochs", epochs, minimum=0, integer=True)
    record_every = check_number("record_every", record_every, minimum=1, integer=True)
    # The history keeps six numbers per record (about 40 bytes each as Python floats).
    check_memory("fit's history", 6 * (epochs // record_every + 2),
                 "epochs", itemsize=40)
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
        check_rng(rng)
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither.")
        try:
            X_val = model.check_inputs(X_val)
            y_val = model.check_targets(y_val, X_val)
        except ValueError as error:  # the model's messages call them X and y
            raise ValueError(f"in the validation set (X_val, y_val): {error}") from None
        if len(X_val) == 0:
            raise ValueError("X_val holds no examples: give at least one, or leave X_val and "
                             "y_val out.")
    if metric == "accuracy":
        metric_name, metric_fn = "accuracy", accuracy
    elif metric is None:
        metric_name, metric_fn = None, None
    elif callable(metric):
        metric_name, metric_fn = getattr(metric, "__name__", "metric"), metric
    else:
        raise ValueError(f"metric must be 'accuracy', a callable or None, got {metric!r}.")
    for name, function in (("progress", progress), ("stop", stop)):
        if function is not None and not callable(function):
            raise ValueError(f"{name} must be callable, got {type(function).__name__}.")

    input_scale = (float(np.max(np.abs(X))) if isinstance(X, np.ndarray)
                   and np.issubdtype(X.dtype, np.number) and X.size else None)
    # A loss a trillion times its starting value (or 1e12) is an explosion, not training.
    limit = [np.inf]
    records: dict[str, list] = {key: [] for key in (
        "epochs", "steps", "train_loss", "train_metric", "val_loss", "val_metric")}
    step = 0

    def history(stopped: bool = False) -> History:
        def column(key, present=True):
            return np.array(records[key]) if present else None
        return History(
            epochs=column("epochs"), steps=column("steps"), train_loss=column("train_loss"),
            train_metric=column("train_metric", metric_fn is not None),
            val_loss=column("val_loss", has_val),
            val_metric=column("val_metric", has_val and metric_fn is not None),
            metric=metric_name, stopped_early=stopped)

    def record(epoch: int) -> bool:
        records["epochs"].append(epoch)
        records["steps"].append(step)
        for prefix, (X_set, y_set) in (("train", (X, y)), ("val", (X_val, y_val))):
            if prefix == "val" and not has_val:
                continue
            loss = model._loss(X_set, y_set)
            check_finite_loss(loss, step, optimizer.learning_rate, input_scale, limit[0])
            if epoch == 0 and prefix == "train":
                limit[0] = 1e12 * max(abs(float(loss)), 1.0)
            records[f"{prefix}_loss"].append(float(loss))
            if metric_fn is not None:
                records[f"{prefix}_metric"].append(float(metric_fn(model, X_set, y_set)))
        if progress is not None:
            progress(epoch)
        return stop is not None and bool(stop(history()))

    first = True
    # Overflow in a diverging run must surface as check_finite_loss's message, not warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if record(0):
            return history(stopped=True)
        for epoch in range(1, epochs + 1):
            if batch_size is None:
                batches = [(X, y)]
            else:
                # One shuffled copy per epoch; its batches are slices (views), so a step at
                # batch_size 1 costs no copy of its own.
                order = rng.permutation(n)
                X_order, y_order = _take(X, order), _take(y, order)
                batches = [(X_order[start:start + batch_size], y_order[start:start + batch_size])
                           for start in range(0, n, batch_size)]
            for X_batch, y_batch in batches:
                step += 1
                loss, grads = model._loss_and_grads(X_batch, y_batch)
                check_finite_loss(loss, step, optimizer.learning_rate, input_scale, limit[0])
                if first:  # the first update checks keys, shapes and dtypes once
                    optimizer.step(model.params, grads)
                    first = False
                else:
                    optimizer.update(model.params, grads)
            if epoch % record_every == 0 or epoch == epochs:
                if record(epoch):
                    return history(stopped=True)
    return history()


__all__ = ["History", "accuracy", "fit"]
