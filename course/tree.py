"""Notebook 09's run-time guard: the expected size of its data and the cost of its comparison.

``expected_tokens`` is the mean length of ``nnlib.data.make_listops`` expressions, from the
generator's recurrence; ``matched_hidden_sizes`` gives the LSTM and RNN the tree network's
weight budget; ``comparison_cost`` projects the seconds and gigabytes of the notebook's
comparison with constants fitted on the course's machine (a guard, not a measurement). They
exist to run the chapter, so they live in the course package, not in nnlib.
"""

from __future__ import annotations

import numpy as np

from nnlib.data.listops import LISTOPS_VOCAB
from nnlib.validation import check_number


def expected_tokens(depth: int, max_args: int = 4) -> float:
    """Mean number of tokens of ``random_listops`` expressions of nesting ``depth``.

    Notes
    -----
    With k ~ uniform{2 .. max_args} arguments, one of them a list of depth d - 1 and each other
    a digit or (d > 2, probability 1/4) a list of a depth uniform in 1 .. d - 2:
    L(0) = 1, L(d) = 2 + L(d - 1) + (E[k] - 1) m(d), with m(d) = 1 for d <= 2 and
    m(d) = 3/4 + 1/4 mean(L(1) .. L(d - 2)) for d > 2.
    """
    depth = check_number("depth", depth, minimum=0, integer=True)
    max_args = check_number("max_args", max_args, minimum=2, integer=True)
    means = [1.0]
    for d in range(1, depth + 1):
        other = 1.0 if d <= 2 else 0.75 + 0.25 * float(np.mean(means[1:d - 1]))
        means.append(2.0 + means[d - 1] + ((2 + max_args) / 2 - 1) * other)
    return means[depth]


def matched_hidden_sizes(hidden_size: int, vocab_size: int = len(LISTOPS_VOCAB),
                         output_size: int = 10) -> dict[str, int]:
    """Hidden sizes of an LSTM and an RNN (one-hot inputs, a classifier on the last step) with
    the most weights that do not exceed a tree network's of ``hidden_size`` (never below 1:
    for ``hidden_size`` < 3 even an LSTM of one unit has more weights than the tree network).

    Counts: tree V H + 2H^2 + H + H C + C; LSTM 4H (V + H + 1) + H C + C; RNN H (V + H + 1)
    + H C + C.
    """
    H = check_number("hidden_size", hidden_size, minimum=1, integer=True)
    V, C = vocab_size, output_size
    budget = V * H + 2 * H * H + H + H * C + C
    counts = {"lstm": lambda h: 4 * h * (V + h + 1) + h * C + C,
              "rnn": lambda h: h * (V + h + 1) + h * C + C}
    return {name: max([h for h in range(1, 2 * H + 1) if count(h) <= budget], default=1)
            for name, count in counts.items()}


def comparison_cost(n_train: int, epochs: int, batch_size: int, hidden_size: int,
                    max_train_depth: int, max_test_depth: int) -> tuple[float, float]:
    """Projected CPU seconds and peak gigabytes of notebook 09's comparison: a tree network,
    an LSTM and an RNN (``matched_hidden_sizes``) trained with ``nnlib.train.fit`` on ListOps
    (validation set n_train // 3, test set 200 per depth), then scored on the test set.

    A guard against enormous parameter combinations, not a measurement: fitted to one-thread
    runs on the course's machine, within about a factor of 2 (tests/test_tree.py lists the
    runs). The sequence models read every expression left-padded to the longest, taken here as
    2.5 x the mean length at the deepest depth (an upper guess: with the notebook's defaults
    the longest is 1.8 x it in training, 27 tokens, and 2.3 x in testing, 94); the largest
    arrays are the LSTM's cache when a whole set is scored at once and the one-hot sequences.
    """
    for name, value in (("n_train", n_train), ("epochs", epochs), ("batch_size", batch_size),
                        ("hidden_size", hidden_size), ("max_train_depth", max_train_depth),
                        ("max_test_depth", max_test_depth)):
        check_number(name, value, minimum=1, integer=True)
    sizes = matched_hidden_sizes(hidden_size)
    h_lstm, h_rnn, H, D = sizes["lstm"], sizes["rnn"], hidden_size, len(LISTOPS_VOCAB)
    tokens_train = float(np.mean([expected_tokens(d) for d in range(1, max_train_depth + 1)]))
    tokens_test = float(np.mean([expected_tokens(d) for d in range(1, max_test_depth + 1)]))
    T_train, T_test = 2.5 * expected_tokens(max_train_depth), 2.5 * expected_tokens(max_test_depth)
    n_val, n_test = max(n_train // 3, 10), 200 * max_test_depth
    # Seconds per expression and step (or tree node), forward and backward: a term per unit
    # plus the arithmetic at about 2e10 operations per second; a forward pass is about 1/3.
    per_step = (0.08e-6 * h_lstm + 24 * h_lstm * (D + h_lstm) / 1.8e10
                + 0.025e-6 * h_rnn + 6 * h_rnn * (D + h_rnn) / 1.8e10)
    per_node = 1.2e-6 + 12 * H * H / 3e10

    def rows(n, T, tokens):
        return n * (T * per_step + (2 * tokens - 1) * per_node)

    updates = epochs * -(-n_train // batch_size)
    per_update = 3 * 75e-6 + T_train * 20e-6 + (3 * max_train_depth + 2) * 30e-6
    records = epochs // max(1, epochs // 10) + 1      # fit scores loss and accuracy each time
    seconds = (epochs * rows(n_train, T_train, tokens_train) + updates * per_update
               + records * 2 / 3 * rows(n_train + n_val, T_train, tokens_train)
               + rows(n_test, T_test, tokens_test) / 3)
    cache = 8 * (7 * h_lstm + 2 * D)                  # bytes per expression and step
    gigabytes = (max(n_train * T_train, n_test * T_test) * cache
                 + 8 * D * ((n_train + n_val) * T_train + n_test * T_test)) / 1e9
    return float(seconds), float(gigabytes)


__all__ = ["comparison_cost", "expected_tokens", "matched_hidden_sizes"]
