"""Teaching ``nnlib.rnn.RNN`` binary addition: the lookup table, exact-sum accuracy, training.

Kept apart from ``nnlib.rnn``, which knows nothing about addition: this module draws random
pairs, turns them into bit sequences in either order (``nnlib.bits``), runs minibatch gradient
descent with a divergence check every step, and measures how many sums come out exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib.bits import _check_bit_order, addition_data, all_pairs, int_to_bits
from nnlib.rnn import RNN
from nnlib.validation import check_finite_loss, check_number


def addition_table(width: int, bit_order: str = "lsb") -> np.ndarray:
    """Bits of every integer 0 .. 2**width - 1, shape (2**width, T) with T = width (a lookup)."""
    width = check_number("width", width, minimum=1, maximum=20, integer=True)
    return int_to_bits(np.arange(2**width), width, bit_order)


def exact_sum_accuracy(model: RNN, a, b, width: int, bit_order: str = "lsb",
                       batch_size: int = 16384) -> float:
    """Fraction of pairs whose every output bit is right, i.e. the predicted sum is exact.

    Parameters
    ----------
    model : RNN
    a, b : array_like of int, shape (N,), with a + b < 2**width
    width : int, time steps T (bits of the sum)
    bit_order : "lsb" or "msb"
    batch_size : int, pairs evaluated at once (bounds the memory used)
    """

    a, b = np.asarray(a), np.asarray(b)
    batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
    correct = 0
    for start in range(0, len(a), batch_size):
        X, y = addition_data(a[start:start + batch_size], b[start:start + batch_size], width,
                             bit_order)
        correct += int(np.sum(np.all(model.predict(X) == y, axis=1)))
    return correct / max(len(a), 1)


@dataclass(frozen=True)
class AdditionHistory:
    """What ``train_addition`` recorded at every evaluation.

    Attributes
    ----------
    examples_seen : ndarray of int, shape (K,)
        Training pairs seen when the record was taken (0 = before training).
    loss : ndarray, shape (K,)
        Training loss of the latest minibatch, nats per bit (the first record: on the first).
    accuracy : ndarray, shape (K,)
        Exact-sum accuracy on the evaluation pairs.
    iterations : int
        Minibatch updates made (training stops early at 100 % if asked to).
    """

    examples_seen: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    iterations: int

    def __repr__(self) -> str:
        return (f"AdditionHistory(iterations={self.iterations}, "
                f"examples_seen={int(self.examples_seen[-1])}, "
                f"final accuracy={self.accuracy[-1]:.4f})")


def train_addition(model: RNN, rng: np.random.Generator, iterations: int,
                   learning_rate: float, batch_size: int = 32, n_bits: int = 8,
                   bit_order: str = "lsb", eval_every: int = 100, eval_pairs=None,
                   stop_at_perfect: bool = False) -> AdditionHistory:
    """Teach ``model`` to add: minibatches of random pairs, full BPTT, gradient descent.

    Parameters
    ----------
    model : RNN with input_size 2; updated in place.
    rng : np.random.Generator, draws the training pairs.
    iterations : int >= 0, minibatch updates (at most).
    learning_rate : float > 0
    batch_size : int >= 1, pairs per update (N).
    n_bits : int >= 2, bits of the sum (T); addends are drawn below 2**(n_bits - 1).
    bit_order : "lsb" or "msb"
    eval_every : int >= 1, evaluate every this many updates (and at the start and the end).
    eval_pairs : tuple (a, b) of int arrays, optional
        Held-out pairs scored by exact-sum accuracy; default all 2**(n_bits-1) squared pairs.
    stop_at_perfect : bool
        Stop at the first evaluation with 100 % accuracy.

    Returns
    -------
    AdditionHistory
    """

    if not isinstance(model, RNN) or model.input_size != 2:
        raise ValueError(f"model must be an RNN with input_size 2, got {model!r}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {type(rng).__name__}.")
    iterations = check_number("iterations", iterations, minimum=0, integer=True)
    learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                 exclusive_minimum=True)
    batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
    n_bits = check_number("n_bits", n_bits, minimum=2, maximum=20, integer=True)
    eval_every = check_number("eval_every", eval_every, minimum=1, integer=True)
    _check_bit_order(bit_order)
    a_eval, b_eval = eval_pairs if eval_pairs is not None else all_pairs(n_bits - 1)

    table = addition_table(n_bits, bit_order).astype(np.float64)
    labels = table.astype(np.int64)
    half = 2 ** (n_bits - 1)
    steps, losses, accuracies = [], [], []

    def record(step, loss):
        steps.append(step * batch_size)
        losses.append(loss)
        accuracies.append(exact_sum_accuracy(model, a_eval, b_eval, n_bits, bit_order))
        return accuracies[-1] == 1.0

    step = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while step < iterations:
            a = rng.integers(0, half, size=batch_size)
            b = rng.integers(0, half, size=batch_size)
            X = np.stack([table[a], table[b]], axis=-1)
            loss, grads = model._loss_and_grads(X, labels[a + b])
            check_finite_loss(loss, step, learning_rate)
            if step == 0 and record(0, loss) and stop_at_perfect:
                break
            model.sgd_step(grads, learning_rate)
            step += 1
            if step % eval_every == 0 or step == iterations:
                if record(step, loss) and stop_at_perfect:
                    break
    if not steps:
        record(0, float("nan"))
    return AdditionHistory(examples_seen=np.array(steps), loss=np.array(losses),
                           accuracy=np.array(accuracies), iterations=step)
