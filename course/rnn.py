"""Notebook 04's (and 05's, 07's) training driver for binary addition.

``train_addition`` turns pairs of addends into bit sequences (``nnlib.data.bits``) and trains
with the one loop ``nnlib.train.fit``, scoring the share of exact sums
(``nnlib.addition.exact_sums``) after every epoch. ``original_backward`` is the backward loop of
Trask's adder, which the notebook's reproduction calls and shows after its BPTT exercises.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.activations import sigmoid_slope
from nnlib.addition import exact_sums
from nnlib.data.bits import BIT_ORDERS, addition_data
from nnlib.optim import Optimizer
from nnlib.rnn import RNN
from nnlib.train import History, fit
from nnlib.validation import check_choice, check_number


def train_addition(model: RNN, pairs, optimizer: Optimizer, epochs: int,
                   rng: np.random.Generator, batch_size: int = 32, n_bits: int = 8,
                   bit_order: str = "lsb", val_pairs=None, record_every: int = 1,
                   stop_at_perfect: bool = False,
                   progress: Callable[[int], None] | None = None) -> History:
    """Teach ``model`` to add: the bit sequences of ``pairs``, then ``nnlib.train.fit``.

    Parameters
    ----------
    model : RNN or BiRNN with input_size 2 and output="sequence"; updated in place.
    pairs : tuple (a, b) of int arrays, shape (N,), the training pairs (a + b < 2**n_bits)
    optimizer : nnlib.optim optimiser, e.g. SGD(learning_rate=1.0)
    epochs : int >= 0, passes over the training pairs
    rng : np.random.Generator, shuffles the pairs into minibatches every epoch
    batch_size : int >= 1, pairs per update (N)
    n_bits : int, 2 to 62, bits of the sum (T); int64 holds every sum up to 62 bits
    bit_order : "lsb" or "msb"
    val_pairs : tuple (a, b), optional: pairs scored but never trained on
    record_every : int >= 1, record every this many epochs (and the first and the last)
    stop_at_perfect : bool, stop at the first record with every held-out sum exact (every
        training sum without ``val_pairs``)
    progress : callable(epoch), optional

    Returns
    -------
    History (``nnlib.train``), its metric ``exact_sums``: the fraction of exact sums.
    """
    if not isinstance(model, RNN) or model.input_size != 2 or model.output != "sequence":
        raise ValueError(f"model must be an RNN with input_size 2 and output='sequence', got "
                         f"{model!r}.")
    n_bits = check_number("n_bits", n_bits, minimum=2, maximum=62, integer=True)
    check_choice("bit_order", bit_order, BIT_ORDERS)
    X, y = addition_data(*pairs, n_bits, bit_order)
    X_val, y_val = (None, None) if val_pairs is None else addition_data(*val_pairs, n_bits,
                                                                          bit_order)

    def perfect(history: History) -> bool:
        scores = history.train_metric if history.val_metric is None else history.val_metric
        return bool(scores[-1] == 1.0)

    return fit(model, X, y, optimizer, epochs, batch_size=batch_size, rng=rng, X_val=X_val,
               y_val=y_val, record_every=record_every, progress=progress, metric=exact_sums,
               stop=perfect if stop_at_perfect else None)


# ---------------------------------------------------------------------------------------------
# Truncated BPTT on the adder (notebook 04, section 9): the sweep behind
# notebooks/data/rnn_truncation.json, and the one run the notebook repeats live.

TRUNCATION_SETTINGS = {"n_bits": 8, "held_out": 0.9, "hidden_size": 16, "learning_rate": 1.0,
                       "batch_size": 32, "epochs": 20, "long_bits": 32, "long_pairs": 2000}
TRUNCATION_WINDOWS = (1, 2, 3, 4, 8)   # 8 = the whole 8-step sequence: full BPTT
TRUNCATION_SEEDS = (0, 1, 2, 3, 4)


def truncation_run(truncate: int | None, seed: int, hidden_size: int | None = None,
                   held_out: float | None = None, return_model: bool = False,
                   stop_at_perfect: bool = False):
    """Train the softmax/tanh adder of notebook 04 with BPTT truncated to windows of
    ``truncate`` steps, at ``TRUNCATION_SETTINGS`` (the notebook's defaults) and ``seed`` (the
    split, the start and the minibatches, drawn as the notebook draws them).

    Returns
    -------
    dict with ``truncate``, ``seed``, ``epochs`` (0 = before training), ``held_out`` and
    ``train`` (the share of exact sums after each epoch), ``first_perfect`` (the first epoch
    with every held-out sum exact, or None) and ``long`` (exact sums on ``long_pairs``
    random additions of ``long_bits`` bits after the last epoch). ``hidden_size`` and
    ``held_out`` replace the settings' values (the notebook's exercises); ``truncate=None``
    is full BPTT. With ``return_model``, returns ``(record, trained RNN)``.
    ``stop_at_perfect``: stop after the first epoch with every held-out sum exact (the
    record is then a prefix of the full run's, but ``long`` is the score of the model
    stopped there).
    """
    from nnlib.addition import exact_sum_accuracy
    from nnlib.data.bits import random_addends, split_pairs
    from nnlib.optim import SGD

    s = dict(TRUNCATION_SETTINGS)
    s.update({k: v for k, v in (("hidden_size", hidden_size), ("held_out", held_out))
              if v is not None})
    train_pairs, held_pairs = split_pairs(s["n_bits"], s["held_out"],
                                          np.random.default_rng([seed, 0]))
    model = RNN(2, s["hidden_size"], rng=np.random.default_rng(seed), head="softmax",
                activation="tanh", truncate=truncate)
    history = train_addition(model, train_pairs, SGD(s["learning_rate"]), s["epochs"],
                             np.random.default_rng([seed, 1]), s["batch_size"], s["n_bits"],
                             val_pairs=held_pairs, stop_at_perfect=stop_at_perfect)
    epochs = [int(e) for e in history.epochs]
    held = [float(v) for v in history.val_metric]
    first = next((e for e, v in zip(epochs, held) if e > 0 and v == 1.0), None)
    a, b = random_addends(np.random.default_rng([seed, 3]), s["long_pairs"], s["long_bits"] - 1)
    record = {"truncate": None if truncate is None else int(truncate), "seed": int(seed),
              "hidden_size": s["hidden_size"], "held_out_share": s["held_out"],
              "n_train": int(len(train_pairs[0])), "epochs": epochs, "held_out": held,
              "train": [float(v) for v in history.train_metric], "first_perfect": first,
              "long": float(exact_sum_accuracy(model, a, b, s["long_bits"]))}
    return (record, model) if return_model else record


EXERCISE_RUNS = tuple([{"hidden_size": h, "seed": seed} for h in (1, 2, 3, 4)
                       for seed in (0, 1, 2)]
                      + [{"held_out": share, "seed": seed} for share in (0.99, 0.998)
                         for seed in (0, 1, 2)])


def exercise_runs() -> list[dict]:
    """The full-BPTT runs behind the worked answers of notebook 04's exercises 3 and 4: fewer
    hidden units, fewer training pairs (``EXERCISE_RUNS``)."""
    return [truncation_run(None, **settings) for settings in EXERCISE_RUNS]


def truncation_sweep(path) -> dict:
    """Every window of ``TRUNCATION_WINDOWS`` for every seed of ``TRUNCATION_SEEDS``, and the
    exercises' runs; written as JSON to ``path`` (notebooks/data/rnn_truncation.json)."""
    import json
    from pathlib import Path

    runs = []
    for truncate in TRUNCATION_WINDOWS:
        for seed in TRUNCATION_SEEDS:
            runs.append(truncation_run(truncate, seed))
            print(f"truncate={truncate} seed={seed}: first 100 % held out at epoch "
                  f"{runs[-1]['first_perfect']}, {runs[-1]['long']:.4f} exact at "
                  f"{TRUNCATION_SETTINGS['long_bits']} bits", flush=True)
    result = {"about": "Notebook 04's truncated-BPTT sweep: the adder trained with BPTT cut "
                       "into windows of `truncate` steps, and the runs of its exercises 3 and 4 "
                       "(python -m course.rnn truncation)",
              "settings": TRUNCATION_SETTINGS, "runs": runs, "exercise_runs": exercise_runs()}
    Path(path).write_text(json.dumps(result, indent=1) + "\n")
    return result


__all__ = ["EXERCISE_RUNS", "TRUNCATION_SEEDS", "TRUNCATION_SETTINGS", "TRUNCATION_WINDOWS",
           "exercise_runs", "original_backward", "train_addition", "truncation_run",
           "truncation_sweep"]


def original_backward(a, b, states, out_deltas, weights, naive_backward=False, T=8):
    '''BPTT for one example: the three weight changes, i.e. the NEGATIVE gradients.'''
    W_in, W_out, W_rec = weights
    dW_in, dW_out, dW_rec = np.zeros_like(W_in), np.zeros_like(W_out), np.zeros_like(W_rec)
    future_delta = np.zeros(W_rec.shape[0])       # nothing flows back into the last step
    for position in range(T):                     # time step T - 1 - position
        column = T - 1 - position if naive_backward else position
        x = np.array([[a[column], b[column]]])
        h, h_prev = states[-position - 1], states[-position - 2]
        out_delta = out_deltas[-position - 1]
        h_delta = (future_delta @ W_rec.T + out_delta @ W_out.T) * sigmoid_slope(h)
        dW_out += np.atleast_2d(h).T @ out_delta
        dW_rec += np.atleast_2d(h_prev).T @ h_delta
        dW_in += x.T @ h_delta
        future_delta = h_delta
    return dW_in, dW_out, dW_rec


if __name__ == "__main__":  # python -m course.rnn truncation [path]
    import sys

    if len(sys.argv) < 2 or sys.argv[1] != "truncation":
        sys.exit("usage: python -m course.rnn truncation [notebooks/data/rnn_truncation.json]")
    truncation_sweep(sys.argv[2] if len(sys.argv) > 2 else "notebooks/data/rnn_truncation.json")

