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
from nnlib.gru import GRU, gru_step_backward, gru_step_forward
from nnlib.losses import squared_error_loss
from nnlib.lstm import LSTM, lstm_step_backward, lstm_step_forward
from nnlib.optim import Adam
from nnlib.rnn import RNN, rnn_step_backward, rnn_step_forward
from nnlib.train import fit

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}

# The lag experiment's settings (notebook 07 and tools/lstm_sweep.py use exactly these).
ADDING_SETTINGS = {"hidden_size": 16, "epochs": 60, "n_train": 1024, "n_val": 256,
                   "batch_size": 64, "learning_rate": 0.01, "clip_norm": 1.0,
                   "solved_mse": 0.01}


def adding_run(cell: str, T: int, seed: int, hidden_size: int = 16, epochs: int = 60,
               n_train: int = 1024, n_val: int = 256, batch_size: int = 64,
               learning_rate: float = 0.01, clip_norm: float = 1.0,
               solved_mse: float = 0.01, progress=None, forget_bias: float = 1.0):
    """Train one network on the adding problem until it is solved or the epochs run out.

    Parameters
    ----------
    cell : "rnn" (``nnlib.rnn.RNN``, tanh), "lstm" (``nnlib.lstm.LSTM``) or "gru"
        (``nnlib.gru.GRU``)
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
    forget_bias : float, the LSTM's initial forget-gate bias (ignored by the other cells)

    Returns
    -------
    model : the trained network (RNN or LSTM, regression head on the last step)
    history : nnlib.train.History; ``val_loss`` is the validation MSE after each epoch
    solved_at : int or None, the updates made when the validation MSE first fell below
        ``solved_mse`` (None: never within the budget)
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(map(repr, CELLS))}, got {cell!r}.")
    model_rng, data_rng, batch_rng = (np.random.default_rng([seed, k]) for k in range(3))
    X, y = adding_problem(n_train, T, data_rng)
    X_val, y_val = adding_problem(n_val, T, data_rng)
    options = {"forget_bias": forget_bias} if cell == "lstm" else {}
    model = CELLS[cell](2, hidden_size, rng=model_rng, head="regression", output="last",
                        **options)
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
    model : RNN (tanh), LSTM or GRU with ``head="regression"`` and ``output="last"``
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
        raise ValueError(f"model must be an RNN, LSTM or GRU with head='regression' and "
                         f"output='last', got {model!r}.")
    X = model.check_inputs(X)
    y = model.check_targets(y, X)
    N, T, _ = X.shape
    p, H = model.params, model.hidden_size
    h, c, caches = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        if isinstance(model, LSTM):
            h, c, cache = lstm_step_forward(X[:, t], h, c, p["Wx"], p["Wh"], p["b"])
        elif isinstance(model, GRU):
            h, cache = gru_step_forward(X[:, t], h, p["Wx"], p["Wh"], p["b"])
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
        elif isinstance(model, GRU):
            _, dh, *_ = gru_step_backward(dh, caches[t])
        else:
            _, dh, *_ = rnn_step_backward(dh, caches[t])
    return norms


# ---------------------------------------------------------------------------------------------
# The ablations of notebook 07, precomputed: ``python -m course.lstm`` (from the repository's
# root) writes notebooks/data/07_ablations.json; the notebook reruns one entry live.

ABLATIONS = {
    # the LSTM without the forget bias of 1: does the gradient at initialisation explain it?
    "lstm_forget_bias_0": {"cell": "lstm", "lags": [50, 100], "forget_bias": 0.0},
    # the plain RNN at a smaller learning rate than the sweep's 0.01
    "rnn_lr_0.003": {"cell": "rnn", "lags": [20, 50], "learning_rate": 0.003},
    # the GRU with the sweep's settings
    "gru": {"cell": "gru", "lags": [20, 50, 100]},
}


def ablation_runs(name: str, seeds=range(5), progress=print) -> list[dict]:
    """Every run of the ablation ``name`` (``ABLATIONS``): ``adding_run`` with the sweep's
    settings changed as the entry says, for each lag and seed. Returns one dict per run."""
    entry = dict(ABLATIONS[name])
    cell, lags = entry.pop("cell"), entry.pop("lags")
    settings = {**ADDING_SETTINGS, **{k: v for k, v in entry.items() if k in ADDING_SETTINGS}}
    extra = {k: v for k, v in entry.items() if k not in ADDING_SETTINGS}
    runs = []
    for T in lags:
        for seed in seeds:
            _, history, solved_at = adding_run(cell, T, seed, **settings, **extra)
            runs.append({"ablation": name, "cell": cell, "T": T, "seed": int(seed),
                         "solved_at": solved_at, "steps": [int(s) for s in history.steps],
                         "val_mse": [round(float(v), 6) for v in history.val_loss]})
            if progress is not None:
                progress(f"{name} T={T} seed {seed}: solved_at={solved_at}, best "
                         f"{min(history.val_loss):.4f}")
    return runs


def write_ablations(path, names=None, seeds=range(5), progress=print) -> dict:
    """Run the ablations ``names`` (default: all) and write them, with the settings of each,
    to ``path`` as JSON (the file notebook 07 reads). Returns what was written."""
    import json
    from pathlib import Path

    names = list(ABLATIONS) if names is None else list(names)
    result = {"made_by": "python -m course.lstm", "settings": ADDING_SETTINGS,
              "ablations": {name: ABLATIONS[name] for name in names},
              "runs": [run for name in names for run in ablation_runs(name, seeds, progress)]}
    Path(path).write_text(json.dumps(result, indent=1) + "\n")
    return result


__all__ = ["ABLATIONS", "ADDING_SETTINGS", "CELLS", "ablation_runs", "adding_run",
           "hidden_gradient_norms", "write_ablations"]


if __name__ == "__main__":  # python -m course.lstm [OUT [NAME ...]]
    import sys

    write_ablations(sys.argv[1] if len(sys.argv) > 1 else "notebooks/data/07_ablations.json",
                    sys.argv[2:] or None)
