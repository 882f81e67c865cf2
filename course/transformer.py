"""Notebook 11's model settings, training driver and measurements (the course side of
``nnlib.transformer``).

- ``SETTINGS``: the shipped run's settings (``tools/transformer_train.py``); the notebook's live
  run uses the same for fewer updates;
- ``build_transformer(vocab_size, seed)``: the chapter's small GPT, sized to have as many
  parameters as chapter 10's LSTM (47 264 against 47 456 for V = 96);
- ``train_transformer``: ``nnlib.train.fit`` with ``nnlib.optim.Adam`` on blocks of shuffled
  training windows, calling ``checkpoint`` after each block;
- ``bits(model, ids, length)``: held-out bits per character on the windows of
  ``nnlib.data.text.make_windows(ids, length)`` (each read from its own start, like
  ``nnlib.charlm.bits_per_character`` for the recurrent models);
- ``head_statistics``: what each head attends to, measured on a passage.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnlib.data.text import make_windows
from nnlib.optim import Adam
from nnlib.train import fit
from nnlib.transformer import Transformer

ROOT = Path(__file__).resolve().parents[1]
WEIGHT_FILE = "transformer.npz"
RECORD_FILE = "transformer_table.json"

SETTINGS = {
    "context_size": 64,     # T: characters per window, the longest context
    "embed_size": 40,       # D
    "heads": 4,             # d = D / heads = 10 per head
    "layers": 2,
    "mlp_size": 144,        # F: chosen so the parameter count matches chapter 10's LSTM
    "batch_size": 32,       # windows per update
    "block_updates": 25,    # updates per call of fit
    "learning_rate": 0.003,  # Adam
    "clip_norm": 1.0,
}
MODEL_KEYS = ("context_size", "embed_size", "heads", "layers", "mlp_size")


def build_transformer(vocab_size: int, seed, settings: dict = SETTINGS) -> Transformer:
    """The chapter's transformer over ``vocab_size`` characters, weights drawn from ``seed``."""
    return Transformer(vocab_size, **{k: settings[k] for k in MODEL_KEYS},
                       rng=np.random.default_rng(seed))


def train_transformer(model: Transformer, train_ids, updates: int, seed,
                      settings: dict = SETTINGS, checkpoint: Callable | None = None) -> dict:
    """Train ``model`` for ``updates`` Adam updates on windows of ``train_ids``.

    The windows (``make_windows(train_ids, context_size)``) are shuffled once by ``seed`` and
    read in blocks of ``block_updates * batch_size``, one call of ``fit`` per block;
    ``checkpoint(updates_so_far, model)`` follows each block. Returns the updates after each
    block and the loss on each block before training on it, in bits per character.
    """
    rng = np.random.default_rng(seed)
    inputs, targets = make_windows(train_ids, model.context_size)
    order = rng.permutation(len(inputs))
    optimizer = Adam(settings["learning_rate"], clip_norm=settings["clip_norm"])
    block = settings["block_updates"] * settings["batch_size"]
    done, position, record = 0, 0, {"updates": [], "block_bits": []}
    while done < updates:
        size = min(block, (updates - done) * settings["batch_size"])
        rows = order[np.arange(position, position + size) % len(order)]
        position += size
        history = fit(model, inputs[rows], targets[rows], optimizer, 1,
                      batch_size=settings["batch_size"], rng=rng, metric=None)
        done += int(history.steps[-1])
        record["updates"].append(done)
        record["block_bits"].append(float(history.train_loss[0]) / math.log(2))
        if checkpoint is not None:
            checkpoint(done, model)
    return record


def bits(model: Transformer, ids, length: int | None = None, batch_size: int = 64) -> float:
    """Mean -log2 P(next character) over the windows of ``make_windows(ids, length)``."""
    inputs, targets = make_windows(ids, length or model.context_size)
    total = sum(model.loss(inputs[s:s + batch_size], targets[s:s + batch_size])
                * targets[s:s + batch_size].size for s in range(0, len(inputs), batch_size))
    return total / targets.size / math.log(2)


def head_statistics(maps: np.ndarray, ids: np.ndarray, vocabulary) -> dict:
    """Where each head looks, measured on one passage.

    Parameters
    ----------
    maps : (layers, heads, T, T), the attention weights on the passage ``ids`` (T,)
    vocabulary : the corpus's ``Vocabulary`` (to find brackets and spaces)

    Returns
    -------
    dict of (layers, heads) arrays, each a mean over the positions t >= 1 of the passage:
    "self" (weight on t itself), "previous" (on t - 1), "first" (on position 0),
    "same_char" (on earlier copies of the character at t), "line_start" (on the first
    character of t's line), "open_bracket" (at positions inside brackets: weight on the
    innermost unclosed "(", "[" or "{"; NaN when the passage has none), and "distance" (the
    mean distance t - j under the weights).
    """
    text = vocabulary.decode(ids)
    L, H, T, _ = maps.shape
    positions = np.arange(1, T)
    stats = {"self": maps[:, :, positions, positions].mean(-1),
             "previous": maps[:, :, positions, positions - 1].mean(-1),
             "first": maps[:, :, positions, 0].mean(-1),
             "distance": (maps[:, :, positions] * (positions[:, None] - np.arange(T))
                          .clip(0)).sum(-1).mean(-1)}
    same = (ids[:, None] == ids[None, :]) & (np.arange(T)[None, :] < np.arange(T)[:, None])
    stats["same_char"] = (maps * same).sum(-1)[:, :, 1:].mean(-1)
    line_start = np.array([text.rfind("\n", 0, t) + 1 for t in range(T)])
    stats["line_start"] = maps[:, :, positions, line_start[1:]].mean(-1)
    stack, opener = [], np.full(T, -1)
    for t, char in enumerate(text):
        opener[t] = stack[-1] if stack else -1
        if char in "([{":
            stack.append(t)
        elif char in ")]}" and stack:
            stack.pop()
    inside = np.flatnonzero(opener[1:] >= 0) + 1
    stats["open_bracket"] = (maps[:, :, inside, opener[inside]].mean(-1) if len(inside)
                             else np.full((L, H), np.nan))
    return stats
