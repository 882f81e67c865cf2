"""Notebook 10's corpus, models, training driver and budgets (the course side of ``nnlib.charlm``).

- ``load_corpus(path)``: the committed snapshot of Python standard-library source, checked
  against ``CORPUS_SHA256``, with its vocabulary and the split by position (the first 90 % of
  the characters train, the next 5 % validate, the last 5 % test);
- ``build_model(cell, ...)``: the character RNN or LSTM of the chapter (one-hot characters in,
  the next character's probabilities out at every step), ``matching_rnn_size`` gives the plain
  RNN as many parameters as an LSTM;
- ``train_language_model``: trains with ``nnlib.train.fit`` and an ``nnlib.optim`` optimiser
  on consecutive blocks of the training windows (one-hot windows for the whole corpus would
  take 0.85 GB), calling ``checkpoint`` after each block (learning curves, samples);
- ``fit_ngram``: the counting model of one order with the smoothing strength chosen on the
  validation text from ``ALPHAS``.

``SETTINGS`` are the settings of the shipped runs (``tools/charlm_train.py``); the notebook's
live run uses the same, for fewer updates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlib.charlm import NGramModel, bits_per_character
from nnlib.data.text import Vocabulary, load_text, make_windows, split_by_position
from nnlib.data.digits import one_hot
from nnlib.lstm import LSTM
from nnlib.optim import Adam
from nnlib.rnn import RNN
from nnlib.train import fit

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILE = ROOT / "notebooks" / "data" / "python_stdlib.txt.xz"
CORPUS_SHA256 = "d281cf17b0cd6fc15c329f1f6f3425a711692fd83129d7997c437ef548297157"
SPLIT = (0.9, 0.05, 0.05)
ALPHAS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)
WEIGHT_FILES = {"lstm": "charlm_lstm.npz", "rnn": "charlm_rnn.npz"}

SETTINGS = {
    "length": 128,          # T: characters per window (the "full chunk" of truncation)
    "batch_size": 32,       # windows per update
    "block_updates": 16,    # updates per call of fit (one block of windows)
    "learning_rate": 0.01,  # Adam
    "clip_norm": 1.0,
    "lstm_hidden": 64,
}


@dataclass
class Corpus:
    """The text, its vocabulary, and the ids of the three consecutive parts."""

    text: str
    vocabulary: Vocabulary
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def load_corpus(path=CORPUS_FILE) -> Corpus:
    """The corpus snapshot at ``path``, checked against ``CORPUS_SHA256``, split by position."""
    text = load_text(path, CORPUS_SHA256)
    vocabulary = Vocabulary.from_text(text)
    train, validation, test = split_by_position(vocabulary.encode(text), SPLIT)
    return Corpus(text, vocabulary, train, validation, test)


def lstm_size(vocab_size: int, hidden_size: int) -> int:
    """Parameters of an LSTM language model: 4(VH + H^2 + H) + HV + V."""
    V, H = vocab_size, hidden_size
    return 4 * (V * H + H * H + H) + H * V + V


def matching_rnn_size(vocab_size: int, lstm_hidden: int) -> int:
    """The plain RNN's H whose parameter count, H^2 + 2VH + H + V, is closest to the LSTM's."""
    V, target = vocab_size, lstm_size(vocab_size, lstm_hidden)
    root = (-(2 * V + 1) + math.sqrt((2 * V + 1) ** 2 + 4 * (target - V))) / 2
    return min((math.floor(root), math.ceil(root)),
               key=lambda H: abs(H * H + 2 * V * H + H + V - target))


def build_model(cell: str, vocab_size: int, hidden_size: int, seed, truncate: int | None = None):
    """The character language model ``cell`` ("lstm" or "rnn"), weights drawn from ``seed``."""
    kind = {"lstm": LSTM, "rnn": RNN}[cell]
    return kind(vocab_size, hidden_size, rng=np.random.default_rng(seed), head="softmax",
                output="sequence", output_size=vocab_size, truncate=truncate)


def one_hot_windows(inputs: np.ndarray, vocab_size: int) -> np.ndarray:
    """Integer windows (N, T) -> one-hot inputs (N, T, V)."""
    return one_hot(inputs.ravel(), vocab_size).reshape(inputs.shape + (vocab_size,))


def train_language_model(model, train_ids, updates: int, seed, settings: dict = SETTINGS,
                         checkpoint: Callable | None = None) -> dict:
    """Train ``model`` for ``updates`` Adam updates on windows of ``train_ids``.

    The windows (``make_windows(train_ids, length)``) are shuffled once by ``seed`` and read in
    blocks of ``block_updates * batch_size``; each block is one call of ``nnlib.train.fit``
    (one epoch over the block, minibatches reshuffled by the same generator). After each block
    ``checkpoint(updates_so_far, model)`` is called. Returns the record: the updates after each
    block and the loss on each block *before* training on it (in bits per character: text the
    model has not seen yet, so a held-out estimate).
    """
    rng = np.random.default_rng(seed)
    inputs, targets = make_windows(train_ids, settings["length"])
    order = rng.permutation(len(inputs))
    optimizer = Adam(settings["learning_rate"], clip_norm=settings["clip_norm"])
    block = settings["block_updates"] * settings["batch_size"]
    done, record = 0, {"updates": [], "block_bits": []}
    position = 0
    while done < updates:
        size = min(block, (updates - done) * settings["batch_size"])
        rows = order[np.arange(position, position + size) % len(order)]
        position += size
        X = one_hot_windows(inputs[rows], model.input_size)
        history = fit(model, X, targets[rows], optimizer, 1, batch_size=settings["batch_size"],
                      rng=rng, metric=None)
        done += int(history.steps[-1])
        record["updates"].append(done)
        record["block_bits"].append(float(history.train_loss[0]) / math.log(2))
        if checkpoint is not None:
            checkpoint(done, model)
    return record


def fit_ngram(order: int, corpus: Corpus, alphas=ALPHAS, length: int = SETTINGS["length"]):
    """The ``order``-gram model with the alpha of ``alphas`` best on the validation text.

    Returns the fitted model and ``{alpha: validation bits per character}``.
    """
    counted = NGramModel(order, corpus.vocabulary.size).fit(corpus.train)
    models, scores = {}, {}
    for alpha in alphas:
        models[alpha] = NGramModel(order, corpus.vocabulary.size, alpha)
        models[alpha].counts = counted.counts  # the same counts, another smoothing
        scores[alpha] = bits_per_character(models[alpha], corpus.validation, length)
    return models[min(scores, key=scores.get)], scores
