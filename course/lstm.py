"""Notebook 07's experiments on the adding problem: a plain RNN against an LSTM, and how much
gradient reaches each step.

``adding_run`` trains one network on ``nnlib.data.lagtasks.adding_problem`` with the settings
``ADDING_SETTINGS`` (notebook 07's live run, ``tools/lstm_sweep.py``'s sweep, the widget and the
benchmark use exactly these); ``hidden_gradient_norms`` walks backwards with the library's step
functions and records ||dL/dh_t|| at every step. The networks, the data and the training loop
are nnlib's; this module only wires them into the chapter's experiments.
"""

from __future__ import annotations

import numpy as np

from nnlib.data.lagtasks import adding_problem
from nnlib.losses import squared_error_loss
from nnlib.lstm import LSTM, lstm_step_backward, lstm_step_forward
from nnlib.optim import Adam
from nnlib.rnn import RNN, rnn_step_backward, rnn_step_forward
from nnlib.train import fit

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
    model = build(2, hidden_size, rng=model_rng, head="regression", output="last")
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

__all__ = ["ADDING_SETTINGS", "adding_run", "hidden_gradient_norms"]
