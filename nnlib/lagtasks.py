"""Tasks with a long time lag: the adding problem (Hochreiter and Schmidhuber, 1997), and the
experiments of notebook 07 on it (a plain RNN against an LSTM; the gradient reaching each step).

Each sequence has T steps of two inputs: a random number in [0, 1) and a marker, 1 at exactly
two steps and 0 elsewhere. The target is the sum of the two marked numbers. The first marked
step lies in the first half of the sequence and the second in the second half, so whatever
the network reads first it must keep for at least T/2 steps while the unmarked numbers pass by.

A network that ignores its inputs does best by predicting the mean of the sum, 1; its mean
squared error is the variance of a sum of two independent uniform numbers, 2/12 = 1/6 (about
0.167): ``ADDING_BASELINE_MSE``, the bar that a network must beat to have learnt anything.
"""

from __future__ import annotations

import numpy as np

from nnlib.losses import squared_error_loss
from nnlib.lstm import LSTM, lstm_step_backward, lstm_step_forward
from nnlib.optim import Adam
from nnlib.rnn import RNN, rnn_step_backward, rnn_step_forward
from nnlib.train import fit
from nnlib.validation import check_number, check_rng

ADDING_BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` sequences of the adding problem with ``T`` steps.

    Parameters
    ----------
    n : int >= 1, how many sequences (N)
    T : int >= 2, steps per sequence
    rng : np.random.Generator
        Draws, in this order, the numbers, the first marked steps and the second ones.

    Returns
    -------
    X : ndarray of float64, shape (N, T, 2)
        X[:, t, 0] the numbers, uniform in [0, 1); X[:, t, 1] the markers (two 1s per row).
    y : ndarray of float64, shape (N, 1)
        The sum of the two marked numbers, in [0, 2).

    Notes
    -----
    The first marked step is uniform in 0 .. T//2 - 1, the second in T//2 .. T-1.
    """
    n = check_number("n", n, minimum=1, integer=True)
    T = check_number("T", T, minimum=2, integer=True)
    check_rng(rng)
    numbers = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, T))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([numbers, markers], axis=-1)
    y = (numbers[rows, first] + numbers[rows, second])[:, None]
    return X, y


def marked_positions(X) -> tuple[np.ndarray, np.ndarray]:
    """The first and second marked step of each sequence of ``X`` (N, T, 2): two (N,) arrays."""
    X = np.asarray(X)
    marked = X[..., 1] > 0.5
    first = marked.argmax(axis=1)
    second = X.shape[1] - 1 - marked[:, ::-1].argmax(axis=1)
    return first, second


# The lag experiment's settings (notebook 07 and tools/lstm_sweep.py use exactly these).
ADDING_SETTINGS = {"hidden_size": 16, "epochs": 60, "n_train": 1024, "n_val": 256,
                   "batch_size": 64, "learning_rate": 0.01, "clip_norm": 1.0,
                   "solved_mse": 0.01}


def adding_run(cell: str, T: int, seed: int, hidden_size: int = 16, epochs: int = 60,
               n_train: int = 1024, n_val: int = 256, batch_size: int = 64,
               learning_rate: float = 0.01, clip_norm: float = 1.0,
               solved_mse: float = 0.01, progress=None):
    """Train one network on the adding problem until it is solved or the epochs run out.

    Parameters
    ----------
    cell : "rnn" (``nnlib.rnn.RNN``, tanh) or "lstm" (``nnlib.lstm.LSTM``, forget bias 1)
    T : int >= 2, the sequence length
    seed : int
        Seeds the initial weights, the data and the batches (three separate generators).
    hidden_size : int, H
    epochs : int, the budget: at most ``epochs * ceil(n_train / batch_size)`` updates
    n_train, n_val : int, training and validation sequences
    batch_size, learning_rate, clip_norm : the Adam updates (norm clipping at ``clip_norm``)
    solved_mse : float
        Training stops at the first epoch whose validation MSE is below this.
    progress : callable(epoch), optional, passed to ``fit``

    Returns
    -------
    model : the trained network (RNN or LSTM, regression head on the last step)
    history : nnlib.train.History; ``val_loss`` is the validation MSE after each epoch
    solved_at : int or None, the updates made when the validation MSE first fell below
        ``solved_mse`` (None: never within the budget)
    """
    if cell not in ("rnn", "lstm"):
        raise ValueError(f"cell must be 'rnn' or 'lstm', got {cell!r}.")
    model_rng, data_rng, batch_rng = (np.random.default_rng([seed, k]) for k in range(3))
    X, y = adding_problem(n_train, T, data_rng)
    X_val, y_val = adding_problem(n_val, T, data_rng)
    build = LSTM if cell == "lstm" else RNN
    model = build(2, hidden_size, model_rng, head="regression", output="last")
    history = fit(model, X, y, Adam(learning_rate, clip_norm=clip_norm), epochs,
                  batch_size=batch_size, rng=batch_rng, X_val=X_val, y_val=y_val,
                  metric=None, progress=progress,
                  stop=lambda h: h.val_loss[-1] < solved_mse)
    solved_at = int(history.steps[-1]) if history.val_loss[-1] < solved_mse else None
    return model, history, solved_at


def hidden_gradient_norms(model: RNN, X, y) -> np.ndarray:
    """How much gradient reaches each hidden state: ||dL/dh_t|| for t = 0 .. T-1.

    Parameters
    ----------
    model : RNN (tanh) or LSTM with ``head="regression"`` and ``output="last"``
    X : array_like, shape (N, T, D)
    y : array_like, shape (N, C)

    Returns
    -------
    ndarray, shape (T,): the norm over the batch (Frobenius, of the (N, H) gradient) of the
    gradient of the mean squared error with respect to h_t, through the recurrence.

    Notes
    -----
    Walks backwards with the public step functions (``lstm_step_backward``,
    ``nnlib.rnn.rnn_step_backward``): dh_{t-1} is what step t sends back; for the LSTM the cell
    gradient dc travels along too.
    """
    if not isinstance(model, RNN) or model.head != "regression" or model.output != "last":
        raise ValueError(f"model must be an RNN or LSTM with head='regression' and "
                         f"output='last', got {model!r}.")
    X = model.check_inputs(X)
    y = model.check_targets(y, X)
    N, T, _ = X.shape
    p, H = model.params, model.hidden_size
    h, c, caches = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        if isinstance(model, LSTM):
            h, c, cache = lstm_step_forward(X[:, t], h, c, p["Wx"], p["Wh"], p["b"])
        else:
            h, cache = rnn_step_forward(X[:, t], h, p["U"], p["W"], p["b"], model.activation)
        caches.append(cache)
    _, dprediction = squared_error_loss(h @ p["V"] + p["c"], y, reduction="mean")
    dh, dc = dprediction @ p["V"].T, np.zeros((N, H))
    norms = np.empty(T)
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        if isinstance(model, LSTM):
            _, dh, dc, *_ = lstm_step_backward(dh, dc, caches[t])
        else:
            _, dh, *_ = rnn_step_backward(dh, caches[t])
    return norms


__all__ = ["ADDING_BASELINE_MSE", "ADDING_SETTINGS", "adding_problem", "adding_run",
           "hidden_gradient_norms", "marked_positions"]
