"""Notebook 04's (and 05's, 07's) training driver for binary addition.

``train_addition`` turns pairs of addends into bit sequences (``nnlib.data.bits``) and trains
with the one loop ``nnlib.train.fit``, scoring the share of exact sums
(``nnlib.addition.exact_sums``) after every epoch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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


__all__ = ["train_addition"]
