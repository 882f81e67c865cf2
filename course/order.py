"""Notebook 05's training driver: the three-stage step schedule, and the delayed-output sweep.

``train_in_stages`` runs ``nnlib.train.fit`` three times with a falling step and joins the
three histories into one. The delayed-output experiment of section 4 asks how many steps of
delay a one-way RNN reading most significant bit first needs before it can add: the network
reads the two addends' columns MSB-first followed by ``delay`` columns of zeros, and writes
``delay`` zeros followed by the sum's bits MSB-first, so the bit worth 2**i comes out ``delay``
steps after its column was read (``delayed_addition_data``). ``delay_sweep`` trains one such
network per delay; its results ship as ``notebooks/data/05_delay.json``, regenerated with::

    .venv/bin/python -m course.order notebooks/data/05_delay.json

(about 10 minutes on two idle cores). The notebook retrains one delay live and compares.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable

import numpy as np

import nnlib
from nnlib.data.bits import addition_data, split_pairs
from nnlib.optim import SGD, Adam, Optimizer
from nnlib.rnn import RNN
from nnlib.train import History
from nnlib.validation import check_number

STAGES = ((0.4, 1.0), (0.3, 0.3), (0.3, 0.1))  # (share of the epochs, share of the step)

# The delayed-output sweep: the notebook's network (16 hidden units, softmax head) and split,
# trained with Adam, whose per-weight steps suit the longer sequences better than plain SGD.
DELAY_SETTINGS = {"n_bits": 8, "held_out": 0.5, "hidden_size": 16, "optimizer": "adam",
                  "learning_rate": 0.01, "epochs": 20, "batch_size": 32, "seed": 0}
DELAYS = tuple(range(8))


def stage_epochs(epochs: int) -> list[int]:
    """Epochs of each stage: 40 %, 30 % and the rest of ``epochs``."""
    counts = [int(share * epochs) for share, _ in STAGES]
    counts[-1] = epochs - sum(counts[:-1])
    return counts


def train_in_stages(model, train_set, held_set, epochs: int, learning_rate: float,
                    batch_size: int, rng: np.random.Generator,
                    optimizer: Callable[[float], Optimizer] = SGD,
                    metric: Callable | str = "exact_sums",
                    stop_after: int | None = None) -> History:
    """``nnlib.train.fit`` three times with a falling step; one joined History.

    Parameters
    ----------
    model : RNN (or BiRNN), trained in place
    train_set, held_set : (X, y), the training pairs and the held-out pairs scored after every
        epoch
    epochs : int, all three stages together (40 %, 30 %, 30 %)
    learning_rate : float, the first stage's step; the others use 0.3 and 0.1 times it
    batch_size : int
    rng : np.random.Generator, shuffles the minibatches
    optimizer : the optimiser's class (called with the stage's step)
    metric : "exact_sums" (every bit of a sequence right, ``nnlib.addition.exact_sums``) or a
        callable ``metric(model, X, y)``
    stop_after : int or None, run only the schedule's first ``stop_after`` epochs (the same
        updates as the full run's first epochs: a cheap rerun of its start)
    """
    if metric == "exact_sums":
        metric = nnlib.exact_sums
    counts = stage_epochs(epochs)
    if stop_after is not None:
        left = check_number("stop_after", stop_after, minimum=1, maximum=epochs, integer=True)
        counts = [min(count, max(left - sum(counts[:k]), 0)) for k, count in enumerate(counts)]
        counts = [count for count in counts if count] or [0]
    parts = [nnlib.fit(model, *train_set, optimizer(learning_rate * step_share), count,
                       batch_size=batch_size, rng=rng, X_val=held_set[0], y_val=held_set[1],
                       metric=metric)
             for count, (_, step_share) in zip(counts, STAGES)]
    epoch_offset = np.cumsum([0] + [int(p.epochs[-1]) for p in parts[:-1]])
    step_offset = np.cumsum([0] + [int(p.steps[-1]) for p in parts[:-1]])
    keep = [slice(None)] + [slice(1, None)] * (len(parts) - 1)  # each stage re-records its start
    joined = {name: np.concatenate([getattr(p, name)[k] for p, k in zip(parts, keep)])
              for name in ("train_loss", "train_metric", "val_loss", "val_metric")}
    return History(epochs=np.concatenate([p.epochs[k] + e for p, k, e in
                                          zip(parts, keep, epoch_offset)]),
                   steps=np.concatenate([p.steps[k] + s for p, k, s in
                                         zip(parts, keep, step_offset)]),
                   metric="exact_sums", **joined)


def msb_loss_bound(n_bits: int) -> float:
    """The lowest mean cross-entropy, in nats per bit, that any causal MSB-first reader can reach
    on ``n_bits``-bit sums of independent uniform addends below ``2**(n_bits - 1)``: the mean
    over positions of the binary entropy of the carry into that position (notebook 05,
    section 2 and exercise 1 derive it; the notebook's first figure draws it before that)."""
    n_bits = check_number("n_bits", n_bits, minimum=1, integer=True)
    p = np.zeros(n_bits)
    for i in range(1, n_bits):
        p[i] = 0.25 + 0.5 * p[i - 1]
    return float(nnlib.binary_cross_entropy(p[:, None], p[:, None])[0])


# ---------------------------------------------------------------------------------------------
# Delayed output

def delayed_addition_data(a, b, n_bits: int, delay: int) -> tuple[np.ndarray, np.ndarray]:
    """MSB-first addition with the answer ``delay`` steps late.

    Parameters
    ----------
    a, b : array_like of int, shape (N,), with a + b < 2**n_bits
    n_bits : int, bits of the sum
    delay : int >= 0

    Returns
    -------
    X : ndarray, shape (N, n_bits + delay, 2), the addends' columns MSB-first, then ``delay``
        columns of zeros
    y : ndarray of int, shape (N, n_bits + delay), ``delay`` zeros, then the sum's bits
        MSB-first: the bit read at step t is written at step t + delay
    """
    delay = check_number("delay", delay, minimum=0, integer=True)
    X, y = addition_data(a, b, n_bits, "msb")
    N = len(X)
    return (np.concatenate([X, np.zeros((N, delay, X.shape[2]))], axis=1),
            np.concatenate([np.zeros((N, delay), dtype=y.dtype), y], axis=1))


def sum_bits_right(delay: int) -> Callable:
    """``metric(model, X, y)``: the share of sequences whose last T - ``delay`` outputs (the sum
    itself, not the leading zeros) are all right."""
    def exact_delayed_sums(model, X, y) -> float:
        return float(np.mean(np.all(model.predict(X)[:, delay:] == y[:, delay:], axis=1)))
    return exact_delayed_sums


def train_delayed(delay: int, settings: dict | None = None,
                  stop_after: int | None = None) -> dict:
    """Train one delayed-output network; its held-out results (fractions, nats per bit).

    ``stop_after``: train only the first epochs of the schedule (``train_in_stages``), to
    check a shipped run's start cheaply against its ``exact_sums_per_epoch``.

    Returns
    -------
    dict with ``delay``, ``exact_sums`` (the sum's bits all right), ``bits_right`` (mean over
    the sum's bits), ``bits_right_per_position`` (index i = the bit worth 2**i), ``loss``
    (over all outputs), ``exact_sums_per_epoch``.
    """
    s = {**DELAY_SETTINGS, **(settings or {})}
    n_bits, seed = s["n_bits"], s["seed"]
    train_pairs, held_pairs = split_pairs(n_bits, s["held_out"],
                                          np.random.default_rng([seed, 0]))
    train_set = delayed_addition_data(*train_pairs, n_bits, delay)
    held_set = delayed_addition_data(*held_pairs, n_bits, delay)
    model = RNN(2, s["hidden_size"], rng=np.random.default_rng(seed), head="softmax")
    history = train_in_stages(model, train_set, held_set, s["epochs"], s["learning_rate"],
                              s["batch_size"], np.random.default_rng([seed, 3]),
                              optimizer={"adam": Adam, "sgd": SGD}[s["optimizer"]],
                              metric=sum_bits_right(delay), stop_after=stop_after)
    right = model.predict(held_set[0])[:, delay:] == held_set[1][:, delay:]
    return {"delay": delay, "exact_sums": float(history.val_metric[-1]),
            "bits_right": float(right.mean()),
            "bits_right_per_position": [float(v) for v in right.mean(axis=0)[::-1]],
            "loss": float(history.val_loss[-1]),
            "exact_sums_per_epoch": [float(v) for v in history.val_metric]}


def delay_sweep(delays=DELAYS, settings: dict | None = None,
                progress: Callable[[dict], None] | None = None) -> dict:
    """``train_delayed`` for every delay: ``{"settings": ..., "runs": [...]}``."""
    runs = []
    for delay in delays:
        runs.append(train_delayed(delay, settings))
        if progress is not None:
            progress(runs[-1])
    return {"settings": {**DELAY_SETTINGS, **(settings or {})}, "runs": runs}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Notebook 05's delayed-output sweep.")
    parser.add_argument("output", help="the JSON file to write (notebooks/data/05_delay.json)")
    parser.add_argument("--delays", default=",".join(map(str, DELAYS)),
                        help="comma-separated delays (default: %(default)s)")
    args = parser.parse_args(argv)
    delays = [int(d) for d in args.delays.split(",")]

    def report(run):
        print(f"delay {run['delay']}: exact sums {100 * run['exact_sums']:.2f} %, bits right "
              f"{100 * run['bits_right']:.2f} %", flush=True)
    result = delay_sweep(delays, progress=report)
    partial = args.output + ".part"
    with open(partial, "w") as file:
        json.dump(result, file, indent=1)
    os.replace(partial, args.output)


if __name__ == "__main__":
    main()


__all__ = ["DELAYS", "DELAY_SETTINGS", "STAGES", "delay_sweep", "delayed_addition_data",
           "msb_loss_bound", "stage_epochs", "sum_bits_right", "train_delayed", "train_in_stages"]
