"""How many sums come out exact: the metrics of binary addition (notebooks 04, 05, 07).

Kept apart from ``nnlib.rnn``, which knows nothing about addition. The data (pairs of addends,
their bit sequences, the held-out split) live in ``nnlib.data.bits``; the chapters' training
driver ``train_addition`` lives in ``course.rnn``.
"""

from __future__ import annotations

import numpy as np

from nnlib.data.bits import addition_data
from nnlib.rnn import RNN
from nnlib.validation import check_number


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


__all__ = ["exact_sum_accuracy", "exact_sums"]
