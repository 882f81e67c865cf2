"""A multi-layer perceptron for binary classification, described by its architecture (notebook 03).

The architecture is data: a list of layer specs, one dict per layer,
``{"input_dim": 2, "output_dim": 25, "activation": "relu"}``, whose last layer is a single
sigmoid unit. The maths is written twice, on purpose:

- the *reference* functions (``layer_forward``, ``layer_backward``, ``mlp_forward``,
  ``mlp_backward``, ``mlp_loss_and_grads``) compose the checked pieces of ``nnlib.layers``,
  ``nnlib.activations`` and ``nnlib.losses``; they are what the notebook teaches and what the
  gradient checks test;
- the *training path* (``train_mlp``) checks its inputs once, then runs an unchecked loop on
  preallocated buffers, with each layer's weights and bias packed as one block ``[W; b]`` and
  every activation carrying a column of ones, so that one matrix product gives ``X W + b`` and
  one gives ``[dW; db]``. A test checks that both paths give the same gradients. It computes
  the loss only on the epochs it records; every step it checks, for the cost of one dot
  product, that the loss would be finite, so a diverging run still stops at the step where
  the loss stops being a number. ``train_mlp(..., dtype=np.float32)`` runs this loop in single
  precision (about twice as fast); float64 is the default.

The loss is the mean binary cross-entropy, computed from the output layer's pre-activation
(logits) so that it is stable. Left out on purpose: multi-class outputs, regularisation,
dropout and batch normalisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from nnlib.activations import get_activation
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import binary_cross_entropy_with_logits
from nnlib.metrics import first_epoch_reaching
from nnlib.optim import Optimizer, check_optimizer
from nnlib.validation import as_float_array, check_finite_loss, check_number

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")


# --- Architecture and initialisation ---------------------------------------------------------

def make_architecture(layer_sizes: Iterable[int], hidden_activation: str = "relu") -> list[dict]:
    """Layer specs for the sizes ``[D, H1, ..., 1]``: hidden layers share one activation,
    the output is one sigmoid unit.

    >>> make_architecture([2, 3, 1])[0]
    {'input_dim': 2, 'output_dim': 3, 'activation': 'relu'}
    """
    sizes = [check_number("layer_sizes[i]", size, minimum=1, integer=True)
             for size in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least the input and the output size, got {sizes}.")
    return check_architecture([
        {"input_dim": d_in, "output_dim": d_out,
         "activation": "sigmoid" if i == len(sizes) - 2 else hidden_activation}
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))])


def check_architecture(architecture) -> list[dict]:
    """Check a list of layer specs and return a clean copy.

    Each spec is a dict with ``input_dim`` and ``output_dim`` (ints >= 1) and ``activation``
    (one of ``HIDDEN_ACTIVATIONS``); each layer's input size equals the previous layer's
    output size; the last layer is one ``"sigmoid"`` unit (binary classification).
    """
    if not isinstance(architecture, (list, tuple)) or not architecture:
        raise ValueError(f"architecture must be a non-empty list of layer specs, "
                         f"got {architecture!r}.")
    clean = []
    for index, spec in enumerate(architecture, start=1):
        if not isinstance(spec, dict) or set(spec) != {"input_dim", "output_dim", "activation"}:
            raise ValueError(f"layer {index} must be a dict with the keys input_dim, output_dim "
                             f"and activation, got {spec!r}.")
        d_in = check_number(f"layer {index} input_dim", spec["input_dim"], minimum=1,
                            integer=True)
        d_out = check_number(f"layer {index} output_dim", spec["output_dim"], minimum=1,
                             integer=True)
        if spec["activation"] not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"layer {index} activation must be one of {HIDDEN_ACTIVATIONS}, "
                             f"got {spec['activation']!r}.")
        if clean and d_in != clean[-1]["output_dim"]:
            raise ValueError(f"layer {index} input_dim must equal layer {index - 1} output_dim "
                             f"({clean[-1]['output_dim']}), got {d_in}.")
        clean.append({"input_dim": d_in, "output_dim": d_out, "activation": spec["activation"]})
    if clean[-1]["output_dim"] != 1 or clean[-1]["activation"] != "sigmoid":
        raise ValueError("the last layer must be a single sigmoid unit (output_dim 1, activation "
                         f"'sigmoid') for binary classification, got {architecture[-1]!r}.")
    return clean


INITS = ("normal", "he", "glorot")


def init_params(architecture, rng: np.random.Generator, scale: float = 0.1,
                init: str = "normal") -> dict:
    """Small random starting values, different for every unit.

    Parameters
    ----------
    architecture : list of layer specs (see ``check_architecture``), L layers
    rng : np.random.Generator
        Draws W1, b1, W2, b2, ... in that order.
    scale : float > 0
        Standard deviation for ``init="normal"``. The tutorial uses 0.1.
    init : "normal", "he" or "glorot"
        "normal": every weight and bias from N(0, scale**2), the tutorial's choice.
        "he": weights from N(0, 2 / D_in), biases 0 (He et al., 2015; suits ReLU).
        "glorot": weights and biases uniform in +-sqrt(6 / (D_in + D_out)) (Glorot and
        Bengio, 2010; scikit-learn's MLPClassifier does this).

    Returns
    -------
    params : dict
        ``"W{l}"`` of shape (D_in, D_out) and ``"b{l}"`` of shape (D_out,), l = 1 .. L.

    Notes
    -----
    Random values break the symmetry between the units of a layer: units that start with
    equal weights receive equal gradients and stay equal for ever.
    """
    architecture = check_architecture(architecture)
    _check_rng(rng)
    scale = check_number("scale", scale, minimum=0, exclusive_minimum=True)
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}.")
    params = {}
    for index, spec in enumerate(architecture, start=1):
        d_in, d_out = spec["input_dim"], spec["output_dim"]
        if init == "normal":
            params[f"W{index}"] = scale * rng.standard_normal((d_in, d_out))
            params[f"b{index}"] = scale * rng.standard_normal(d_out)
        elif init == "he":
            params[f"W{index}"] = np.sqrt(2.0 / d_in) * rng.standard_normal((d_in, d_out))
            params[f"b{index}"] = np.zeros(d_out)
        else:
            bound = np.sqrt(6.0 / (d_in + d_out))
            params[f"W{index}"] = rng.uniform(-bound, bound, (d_in, d_out))
            params[f"b{index}"] = rng.uniform(-bound, bound, d_out)
    return params


# --- Reference forward and backward (checked, composed from nnlib's layers) ------------------

def layer_forward(A_prev, W, b, activation: str):
    """One layer: ``Z = A_prev W + b``, then ``A = activation(Z)``.

    Parameters
    ----------
    A_prev : array_like, shape (N, D)
    W : array_like, shape (D, H)
    b : array_like, shape (H,)
    activation : "relu", "tanh", "sigmoid" or "identity"

    Returns
    -------
    A : ndarray, shape (N, H)
    cache : tuple (A_prev, W, Z, activation cache); ``cache[2]`` is Z, shape (N, H).
    """
    forward, _ = get_activation(activation)
    Z, (A_prev, W) = affine_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, (A_prev, W, Z, activation_cache)


def layer_backward(dA, cache, activation: str):
    """Backward pass of ``layer_forward``.

    Parameters
    ----------
    dA : array_like, shape (N, H)
        Gradient of the loss with respect to the layer's output A.
    cache : from ``layer_forward``
    activation : the same name as in the forward pass

    Returns
    -------
    dA_prev : ndarray, shape (N, D)
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Notes
    -----
    dZ = dA * activation'(Z);  dA_prev = dZ W^T,  dW = A_prev^T dZ,  db = sum_n dZ.
    """
    _, backward = get_activation(activation)
    A_prev, W, _, activation_cache = cache
    dZ = backward(dA, activation_cache)
    return affine_backward(dZ, (A_prev, W))


def mlp_forward(X, params: dict, architecture):
    """Forward pass through every layer, keeping what the backward pass needs.

    Returns
    -------
    y_hat : ndarray, shape (N, 1), probabilities of class 1
    caches : list of L layer caches (see ``layer_forward``); ``caches[-1][2]`` holds the
        output layer's logits.
    """
    architecture = check_architecture(architecture)
    _check_params(params, architecture)
    A = as_float_array("X", X, shape=("N", architecture[0]["input_dim"]))
    caches = []
    for index, spec in enumerate(architecture, start=1):
        A, cache = layer_forward(A, params[f"W{index}"], params[f"b{index}"], spec["activation"])
        caches.append(cache)
    return A, caches


def mlp_backward(dlogits, caches, architecture) -> dict:
    """Backward pass from the gradient at the output layer's logits.

    Parameters
    ----------
    dlogits : array_like, shape (N, 1)
        dL/dZ of the output layer; for the sigmoid + cross-entropy pair it is
        (y_hat - y) / N, so the output sigmoid's own backward is never needed.
    caches : from ``mlp_forward``
    architecture : the same list of layer specs

    Returns
    -------
    grads : dict with the keys and shapes of the parameters ("W1", "b1", ...)
    """
    architecture = check_architecture(architecture)
    grads = {}
    A_prev, W, _, _ = caches[-1]
    dA, grads[f"W{len(caches)}"], grads[f"b{len(caches)}"] = affine_backward(dlogits, (A_prev, W))
    for index in range(len(caches) - 1, 0, -1):
        dA, grads[f"W{index}"], grads[f"b{index}"] = layer_backward(
            dA, caches[index - 1], architecture[index - 1]["activation"])
    return grads


def mlp_loss_and_grads(X, y, params: dict, architecture) -> tuple[float, dict]:
    """Mean binary cross-entropy of the network on (X, y) and its gradient.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N, 1) or (N,), labels 0 or 1
    params : dict from ``init_params``
    architecture : list of layer specs

    Returns
    -------
    loss : float, nats per example
    grads : dict, same keys and shapes as ``params``
    """
    _, caches = mlp_forward(X, params, architecture)
    logits = caches[-1][2]
    loss, dlogits = binary_cross_entropy_with_logits(logits, _as_targets(y, logits.shape[0]),
                                                     reduction="mean")
    return loss, mlp_backward(dlogits, caches, architecture)


# --- The model ---------------------------------------------------------------------------------

class MLP:
    """A multi-layer perceptron: its architecture and its parameters.

    Parameters
    ----------
    architecture : list of layer specs (see ``check_architecture``)
    rng : np.random.Generator
        Draws the starting parameters (``init_params``).
    scale, init : how the starting parameters are drawn (see ``init_params``).

    Attributes
    ----------
    params : dict of ndarray
        ``"W{l}"`` (D_in, D_out) and ``"b{l}"`` (D_out,). They are views into the packed
        blocks the training loop updates, so change them in place (``set_params``), never
        rebind them.
    """

    def __init__(self, architecture, rng: np.random.Generator, scale: float = 0.1,
                 init: str = "normal"):
        self.architecture = check_architecture(architecture)
        # All parameters live in one flat array, so an optimiser updates them in a few
        # whole-array operations; blocks and params are views into it.
        self.flat = np.empty(sum((s["input_dim"] + 1) * s["output_dim"] for s in self.architecture))
        self.blocks = _split_blocks(self.flat, self.architecture)
        self.params = {}
        for index, block in enumerate(self.blocks, start=1):
            self.params[f"W{index}"] = block[:-1]
            self.params[f"b{index}"] = block[-1]
        self.set_params(init_params(self.architecture, rng, scale, init))

    @classmethod
    def from_params(cls, architecture, params: dict) -> "MLP":
        """A model with the given parameters (copied), e.g. a snapshot taken during training."""
        model = cls(architecture, np.random.default_rng(0))
        model.set_params(params)
        return model

    def set_params(self, params: dict) -> None:
        """Copy ``params`` (same keys and shapes) into the model."""
        _check_params(params, self.architecture)
        for key, value in params.items():
            self.params[key][...] = as_float_array(key, value)

    def copy_params(self) -> dict:
        """An independent copy of the parameters."""
        return {key: value.copy() for key, value in self.params.items()}

    @property
    def num_params(self) -> int:
        return self.flat.size

    def forward(self, X):
        """Reference forward pass: ``(y_hat, caches)``, see ``mlp_forward``."""
        return mlp_forward(X, self.params, self.architecture)

    def loss_and_grads(self, X, y) -> tuple[float, dict]:
        """Reference loss and gradients, see ``mlp_loss_and_grads``."""
        return mlp_loss_and_grads(X, y, self.params, self.architecture)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of class 1 for each row of X (N, D); shape (N, 1)."""
        X = as_float_array("X", X, shape=("N", self.architecture[0]["input_dim"]))
        workspace = _Workspace(self.architecture, max(X.shape[0], 1))
        workspace.load(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return _probabilities(workspace.forward(self.blocks, X.shape[0]))

    def predict(self, X) -> np.ndarray:
        """Predicted class (0 or 1) for each row of X (N, D); shape (N,), int."""
        return (self.predict_proba(X)[:, 0] > 0.5).astype(int)

    def __repr__(self) -> str:
        sizes = [self.architecture[0]["input_dim"]] + [s["output_dim"] for s in self.architecture]
        hidden = sorted({s["activation"] for s in self.architecture[:-1]})
        return (f"MLP({'-'.join(map(str, sizes))}, hidden activation "
                f"{'/'.join(hidden) or 'none'}, sigmoid output, {self.num_params} parameters)")


# --- Training ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingHistory:
    """What ``train_mlp`` recorded, after each recorded epoch (epoch 0 = before training).

    Attributes
    ----------
    epochs : ndarray of int, shape (K,)
    train_loss, train_accuracy : ndarray, shape (K,)
        Mean cross-entropy and accuracy on the whole training set.
    test_loss, test_accuracy : ndarray, shape (K,), or None without a test set
    steps : int
        Parameter updates made.
    snapshots : dict {epoch: params}
        Copies of the parameters after the epochs asked for in ``snapshot_epochs``.
    stopped_early : bool
        Training stopped because the test accuracy reached ``stop_at_test_accuracy``.
    """

    epochs: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    steps: int
    snapshots: dict = field(default_factory=dict)
    stopped_early: bool = False

    def epochs_to_reach(self, accuracy: float = 0.95) -> int | None:
        """First recorded epoch after which the test accuracy is >= ``accuracy`` (or None)."""
        if self.test_accuracy is None:
            raise ValueError("this history has no test set; pass X_test and y_test to train_mlp.")
        return first_epoch_reaching(self.epochs, self.test_accuracy, accuracy)

    def __repr__(self) -> str:
        text = (f"TrainingHistory(epochs={int(self.epochs[-1])}, steps={self.steps}, "
                f"train loss={self.train_loss[-1]:.4f}, "
                f"train accuracy={100 * self.train_accuracy[-1]:.1f}%")
        if self.test_accuracy is not None:
            text += f", test accuracy={100 * self.test_accuracy[-1]:.1f}%"
        return text + ")"


def train_mlp(model: MLP, X, y, epochs: int, optimizer: Optimizer, batch_size: int | None = None,
              rng: np.random.Generator | None = None, X_test=None, y_test=None,
              record_every: int = 1, snapshot_epochs: Iterable[int] = (),
              stop_at_test_accuracy: float | None = None,
              progress: Callable[[int], None] | None = None,
              dtype=np.float64) -> TrainingHistory:
    """Train ``model`` in place by mini-batch gradient descent on the mean cross-entropy.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (N, D)
    y : array_like, shape (N,) or (N, 1), labels 0 or 1
    epochs : int >= 0
        Passes over the training set.
    optimizer : nnlib.optim.SGD, Momentum or Adam
    batch_size : int >= 1 or None
        None: full batch, one update per epoch, no shuffling (the tutorial's setting).
        Otherwise the examples are reshuffled by ``rng`` every epoch and split into
        ceil(N / batch_size) batches (the last one may be smaller).
    rng : np.random.Generator, required with a batch_size
    X_test : array_like, shape (N_test, D), optional; y_test : shape (N_test,) or (N_test, 1)
    record_every : int >= 1
        Evaluate on the full training (and test) set after every this many epochs, and
        always before training (epoch 0) and after the last epoch.
    snapshot_epochs : iterable of int
        Epochs after which to keep a copy of the parameters (0 = the starting ones).
    stop_at_test_accuracy : float in (0, 1], optional
        Stop after the first recorded epoch whose test accuracy reaches it.
    progress : callable(epoch), optional
        Called after each recorded epoch (e.g. to move a progress bar).
    dtype : np.float64 (default) or np.float32
        Precision of the training arithmetic. float32 halves the cost of the matrix
        products; the model keeps float64 parameters, which receive the float32 ones after
        every recorded epoch and at the end, and the recorded losses and accuracies are
        computed from them in float64.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    DivergenceError
        When a loss becomes NaN or infinite; the message names the step (update number,
        from 1) and suggests a smaller learning rate.
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an nnlib.mlp.MLP, got {type(model).__name__}.")
    check_optimizer(optimizer)
    input_dim = model.architecture[0]["input_dim"]
    X = as_float_array("X", X, shape=("N", input_dim))
    y = _as_targets(y, X.shape[0])
    epochs = check_number("epochs", epochs, minimum=0, integer=True)
    record_every = check_number("record_every", record_every, minimum=1, integer=True)
    n = X.shape[0]
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
        _check_rng(rng)
    has_test = X_test is not None or y_test is not None
    if has_test:
        X_test = as_float_array("X_test", X_test, shape=("N_test", input_dim))
        y_test = _as_targets(y_test, X_test.shape[0], name="y_test")
    if stop_at_test_accuracy is not None:
        if not has_test:
            raise ValueError("stop_at_test_accuracy needs X_test and y_test.")
        stop_at_test_accuracy = check_number("stop_at_test_accuracy", stop_at_test_accuracy,
                                             minimum=0, maximum=1, exclusive_minimum=True)
    snapshot_epochs = {check_number("snapshot_epochs[i]", e, minimum=0, integer=True)
                       for e in snapshot_epochs}
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be callable, got {type(progress).__name__}.")
    dtype = _check_dtype(dtype)

    full_batch = batch_size is None or batch_size >= n
    step_size = n if full_batch else batch_size
    work = _Workspace(model.architecture, step_size, dtype)
    evaluation = _Workspace(model.architecture, max(n, X_test.shape[0] if has_test else 1))
    if dtype == np.float64:
        parameters, blocks, y_work = model.flat, model.blocks, y
    else:  # train a single-precision copy; the model receives it in sync_model
        parameters = model.flat.astype(dtype)
        blocks, y_work = _split_blocks(parameters, model.architecture), y.astype(dtype)
    slots, grads = {"parameters": parameters}, {"parameters": work.flat_grads}
    learning_rate = optimizer.learning_rate
    records: dict[str, list] = {"epoch": [], "train_loss": [], "train_accuracy": [],
                                "test_loss": [], "test_accuracy": []}
    snapshots = {}
    step = 0
    stopped_early = False

    def sync_model() -> None:
        if parameters is not model.flat:
            model.flat[...] = parameters

    def record(epoch: int) -> bool:
        sync_model()
        records["epoch"].append(epoch)
        for name, (X_eval, y_eval) in {"train": (X, y), "test": (X_test, y_test)}.items():
            if X_eval is None:
                continue
            evaluation.load(X_eval)
            logits = evaluation.forward(model.blocks, X_eval.shape[0])
            loss, _ = _bce_with_logits(logits, y_eval)
            check_finite_loss(loss, step, learning_rate)
            records[f"{name}_loss"].append(loss)
            records[f"{name}_accuracy"].append(
                float(np.mean((_probabilities(logits) > 0.5) == (y_eval == 1.0))))
        if epoch in snapshot_epochs:
            snapshots[epoch] = model.copy_params()
        if progress is not None:
            progress(epoch)
        return (stop_at_test_accuracy is not None
                and records["test_accuracy"][-1] >= stop_at_test_accuracy)

    # Overflow in a diverging run must surface as check_finite_loss's message, not as warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            stopped_early = record(0)
            if full_batch:
                work.load(X)
            for epoch in range(1, epochs + 1):
                if stopped_early:
                    break
                if full_batch:
                    batches = [(None, n)]
                else:
                    order = rng.permutation(n)
                    batches = [(order[start:start + batch_size], min(batch_size, n - start))
                               for start in range(0, n, batch_size)]
                for indices, rows in batches:
                    step += 1
                    if indices is None:
                        y_batch = y_work
                    else:
                        work.load(X[indices])
                        y_batch = y_work[indices]
                    logits = work.gradients(blocks, y_batch, rows)
                    _check_finite_step(logits, y_batch, step, learning_rate)
                    optimizer._step(slots, grads)
                if epoch in snapshot_epochs or epoch % record_every == 0 or epoch == epochs:
                    stopped_early = record(epoch)
        finally:
            sync_model()
    return TrainingHistory(
        epochs=np.array(records["epoch"]), train_loss=np.array(records["train_loss"]),
        train_accuracy=np.array(records["train_accuracy"]),
        test_loss=np.array(records["test_loss"]) if has_test else None,
        test_accuracy=np.array(records["test_accuracy"]) if has_test else None,
        steps=step, snapshots=snapshots, stopped_early=stopped_early)


# --- The unchecked training path ---------------------------------------------------------------

class _Workspace:
    """Preallocated buffers for up to ``rows`` examples; inputs carry a trailing column of ones.

    ``inputs[l]`` is [A_l | 1] of shape (rows, D_l + 1), so that ``inputs[l] @ [W; b]`` is
    ``A_l W + b`` and ``inputs[l].T @ dZ`` is ``[dW; db]``. Every buffer has the given dtype.
    """

    def __init__(self, architecture: list[dict], rows: int, dtype=np.float64):
        self.activations = [spec["activation"] for spec in architecture]
        self.inputs = [np.ones((rows, spec["input_dim"] + 1), dtype) for spec in architecture]
        self.z = [np.empty((rows, spec["output_dim"]), dtype) for spec in architecture]
        self.delta = [np.empty((rows, spec["input_dim"]), dtype) for spec in architecture]
        self.flat_grads = np.empty(sum((s["input_dim"] + 1) * s["output_dim"]
                                       for s in architecture), dtype)
        self.grads = _split_blocks(self.flat_grads, architecture)

    def load(self, X: np.ndarray) -> None:
        self.inputs[0][:X.shape[0], :-1] = X

    def forward(self, blocks: list[np.ndarray], rows: int) -> np.ndarray:
        """Logits, shape (rows, 1), for the first ``rows`` loaded examples."""
        last = len(blocks) - 1
        for index, block in enumerate(blocks):
            Z = np.matmul(self.inputs[index][:rows], block, out=self.z[index][:rows])
            if index < last:
                _activate(self.activations[index], Z, self.inputs[index + 1][:rows, :-1])
        return self.z[last][:rows]

    def gradients(self, blocks: list[np.ndarray], y: np.ndarray, rows: int) -> np.ndarray:
        """Forward and backward on the loaded rows; gradients of the mean cross-entropy land
        in ``self.grads``. Returns the logits, shape (rows, 1); the loss is not computed."""
        logits = self.forward(blocks, rows)
        dZ = _bce_gradient(logits, y)
        for index in range(len(blocks) - 1, -1, -1):
            np.matmul(self.inputs[index][:rows].T, dZ, out=self.grads[index])
            if index > 0:
                dA, W = self.delta[index][:rows], blocks[index][:-1]
                if W.shape[1] == 1:
                    # dZ W^T is an outer product: a broadcast multiply is cheaper than the
                    # matrix product and gives its values bit for bit once + 0.0 has turned
                    # the multiply's -0.0 into the product's +0.0.
                    np.multiply(dZ, W.T, out=dA)
                    np.add(dA, 0.0, out=dA)
                else:
                    np.matmul(dZ, W.T, out=dA)
                _activation_backward(self.activations[index - 1], dA,
                                     self.inputs[index][:rows, :-1], self.z[index - 1][:rows])
                dZ = dA
        return logits


def _split_blocks(flat: np.ndarray, architecture: list[dict]) -> list[np.ndarray]:
    # Consecutive (D_in + 1, D_out) views [W; b] of one flat array, one per layer.
    blocks, start = [], 0
    for spec in architecture:
        shape = (spec["input_dim"] + 1, spec["output_dim"])
        blocks.append(flat[start:start + shape[0] * shape[1]].reshape(shape))
        start += shape[0] * shape[1]
    return blocks


def _activate(name: str, Z: np.ndarray, out: np.ndarray) -> None:
    if name == "relu":
        np.maximum(Z, 0.0, out=out)
    elif name == "tanh":
        np.tanh(Z, out=out)
    elif name == "sigmoid":
        e = np.exp(-np.abs(Z))
        np.divide(np.where(Z >= 0, 1.0, e), 1.0 + e, out=out)
    else:
        out[...] = Z


def _activation_backward(name: str, dA: np.ndarray, A: np.ndarray, Z: np.ndarray) -> None:
    # In place: dA becomes dZ. The slopes are written in terms of the output A, except ReLU's:
    # Z > 0 exactly where A = max(Z, 0) > 0, and Z is contiguous where A is a strided view.
    if name == "relu":
        np.multiply(dA, Z > 0.0, out=dA)
    elif name == "tanh":
        dA *= 1.0 - A * A
    elif name == "sigmoid":
        dA *= A * (1.0 - A)


def _bce_with_logits(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    # The same formulas as nnlib.losses.binary_cross_entropy_with_logits, without the checks.
    scale = 1.0 / z.shape[0]
    e = np.exp(-np.abs(z))
    loss = float(scale * np.sum(np.maximum(z, 0.0) - z * y + np.log1p(e)))
    probabilities = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return loss, scale * (probabilities - y)


def _bce_gradient(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # The gradient of _bce_with_logits, by the same formulas, without the loss.
    e = np.exp(-np.abs(z))
    probabilities = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return (1.0 / z.shape[0]) * (probabilities - y)


def _check_finite_step(logits: np.ndarray, y: np.ndarray, step: int,
                       learning_rate: float) -> None:
    # check_finite_loss for the price of one dot product. If z.z is finite, every |z| is below
    # sqrt(largest float) (1e154 in float64, 1e19 in float32), each term
    # max(z, 0) - z y + log(1 + exp(-|z|)) of the loss is at most |z| + log 2, and their sum
    # is finite. Otherwise (a NaN, an infinity or a mere overflow of z.z) compute the loss
    # itself and let check_finite_loss decide, so the same steps stop with the same message.
    column = logits[:, 0]
    if not np.isfinite(np.dot(column, column)):
        check_finite_loss(_bce_with_logits(logits, y)[0], step, learning_rate)


def _probabilities(logits: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(logits))
    return np.where(logits >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --- Checks --------------------------------------------------------------------------------------

def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}.")


DTYPES = (np.float64, np.float32)


def _check_dtype(dtype) -> np.dtype:
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if dtype is None or checked not in DTYPES:
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}.")
    return checked


def _check_params(params: dict, architecture: list[dict]) -> None:
    expected = {}
    for index, spec in enumerate(architecture, start=1):
        expected[f"W{index}"] = (spec["input_dim"], spec["output_dim"])
        expected[f"b{index}"] = (spec["output_dim"],)
    if not isinstance(params, dict) or set(params) != set(expected):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {sorted(expected)}, got {got}.")
    for key, shape in expected.items():
        as_float_array(key, params[key], shape=shape)


def _as_targets(y, n: int, name: str = "y") -> np.ndarray:
    y = as_float_array(name, y)
    if y.shape not in ((n,), (n, 1)):
        raise ValueError(f"{name} must have shape ({n},) or ({n}, 1), got {y.shape}.")
    if np.any((y != 0) & (y != 1)):
        raise ValueError(f"{name} must hold class labels 0 or 1.")
    return y.reshape(n, 1)


__all__ = ["HIDDEN_ACTIVATIONS", "MLP", "TrainingHistory", "check_architecture", "init_params",
           "layer_backward", "layer_forward", "make_architecture", "mlp_backward", "mlp_forward",
           "mlp_loss_and_grads", "train_mlp"]
