"""Teaching ``nnlib.rnn.RNN`` binary addition: the pairs, a held-out split, exact sums, training.

Kept apart from ``nnlib.rnn``, which knows nothing about addition. This module splits the
pairs of addends into a training set and a held-out set that training never sees, turns pairs
into bit sequences in either order (``nnlib.data.bits``), trains with the one loop
``nnlib.train.fit`` (epochs over the fixed training pairs) and counts how many sums come out
exact.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.data.bits import BIT_ORDERS, addition_data, all_pairs, int_to_bits
from nnlib.optim import Optimizer
from nnlib.rnn import RNN
from nnlib.train import History, fit
from nnlib.validation import check_choice, check_number, check_rng


def addition_table(n_bits: int, bit_order: str = "lsb") -> np.ndarray:
    """Bits of every integer 0 .. 2**n_bits - 1, shape (2**n_bits, T) with T = n_bits."""
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=20, integer=True)
    return int_to_bits(np.arange(2**n_bits), n_bits, bit_order)


def exact_sums(model: RNN, X, y) -> float:
    """Fraction of sequences whose every predicted bit is right: X (N, T, D), y (N, T).

    The metric that ``train_addition`` gives ``nnlib.train.fit``; X and y are already checked.
    """
    if len(X) == 0:
        raise ValueError("X holds no sequences (N = 0): the share of exact sums is undefined.")
    return float(np.mean(np.all(model._predict(X) == y, axis=1)))


def exact_sum_accuracy(model: RNN, a, b, n_bits: int, bit_order: str = "lsb",
                       batch_size: int = 16384) -> float:
    """Fraction of pairs whose every output bit is right, i.e. the predicted sum is exact.

    Parameters
    ----------
    model : RNN (or BiRNN) with input_size 2 and output="sequence"
    a, b : array_like of int, shape (N,), with a + b < 2**n_bits
    n_bits : int, time steps T (bits of the sum)
    bit_order : "lsb" or "msb"
    batch_size : int, pairs evaluated at once (bounds the memory used)
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0:
        raise ValueError("a holds no pairs (N = 0): the share of exact sums is undefined.")
    batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
    correct = 0
    for start in range(0, len(a), batch_size):
        X, y = addition_data(a[start:start + batch_size], b[start:start + batch_size], n_bits,
                             bit_order)
        correct += int(np.sum(np.all(model.predict(X) == y, axis=1)))
    return correct / len(a)


def split_pairs(n_bits: int, held_out: float, rng: np.random.Generator):
    """Every pair of addends below 2**(n_bits - 1), shuffled and cut into train and held out.

    Parameters
    ----------
    n_bits : int, 2 to 13, bits of the sum; the addends are below 2**(n_bits - 1), so there
        are 4**(n_bits - 1) pairs (16.8 million at 13: with their shuffle about 0.4 GB)
    held_out : float in (0, 1), share of the pairs kept out of training
    rng : np.random.Generator, draws the shuffle

    Returns
    -------
    (a_train, b_train), (a_held, b_held) : int64 arrays; no pair is in both sets.
    """
    n_bits = check_number("n_bits", n_bits, minimum=2, maximum=13, integer=True)
    held_out = check_number("held_out", held_out, minimum=0, maximum=1, exclusive_minimum=True)
    if held_out == 1:
        raise ValueError("held_out must be below 1, got 1.0 (nothing would be left to train on).")
    a, b = all_pairs(n_bits - 1)
    order = check_rng(rng).permutation(len(a))
    n_held = max(1, int(round(held_out * len(a))))
    held, train = order[:n_held], order[n_held:]
    return (a[train], b[train]), (a[held], b[held])


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


__all__ = ["addition_table", "exact_sum_accuracy", "exact_sums", "split_pairs",
           "train_addition"]
