"""Train notebook 11's transformer and, for the same training time, chapter 10's LSTM.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python tools/transformer_train.py transformer
    OPENBLAS_NUM_THREADS=1 .venv/bin/python tools/transformer_train.py lstm --seconds S
    .venv/bin/python tools/transformer_train.py table

``transformer``: the transformer (``course.transformer.SETTINGS``, seed 0) trains for
``--updates`` updates, timed in CPU seconds of its process (``time.process_time``, one BLAS
thread, evaluation excluded: a fair clock on a shared machine), about 85 s for 300 updates.
``lstm``: chapter 10's LSTM (its ``build_model("lstm", V, 64, [0, 1])`` and ``SETTINGS``,
full backpropagation through each 128-character window) trains until its own CPU time reaches
``--seconds``, the transformer's training time: equal training time. The two parts may run at
once (each clock counts only its own process). The two models have 47 264 and 47 456
parameters. Both are scored every ``--every`` updates on the first ``EARLY`` characters of the
validation text, and at the end on the whole validation and test text, in windows of 64
characters read from their start (the transformer's context; the LSTM also in its own
128-character windows). ``table`` joins the two records into
``notebooks/data/transformer_table.json`` with the SHA-256 of the weight files
``notebooks/data/transformer.npz`` and ``transformer_lstm.npz``. Run from the repository's
root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.charlm import SETTINGS as LSTM_SETTINGS  # noqa: E402
from course.charlm import build_model, load_corpus, train_language_model  # noqa: E402
from course.transformer import (RECORD_FILE, SETTINGS, WEIGHT_FILE, bits,  # noqa: E402
                                build_transformer, train_transformer)
from nnlib.charlm import bits_per_character, sample as rnn_sample  # noqa: E402
from nnlib.model import save_model  # noqa: E402
from nnlib.transformer import sample  # noqa: E402

DATA = ROOT / "notebooks" / "data"
LSTM_FILE = "transformer_lstm.npz"
EARLY = 16384
PRIME = "def "


class _Enough(Exception):
    pass


def _record_path(part: str) -> Path:
    return DATA / f"transformer_{part}_run.json"


def train_transformer_part(updates: int, every: int) -> None:
    """Train and score the transformer; write its weights and its record."""
    corpus = load_corpus()
    V = corpus.vocabulary.size
    early = corpus.validation[:EARLY + 1]
    model = build_transformer(V, 0)
    curve = {"updates": [0], "seconds": [0.0], "early_bits": [bits(model, early)]}
    clock = {"seconds": 0.0, "start": time.process_time()}

    def checkpoint(done, model):
        clock["seconds"] += time.process_time() - clock["start"]
        if done % every == 0 or done == updates:
            curve["updates"].append(done)
            curve["seconds"].append(clock["seconds"])
            curve["early_bits"].append(bits(model, early))
            print(f"transformer {done} updates, {clock['seconds']:.0f} s: "
                  f"{curve['early_bits'][-1]:.3f} bits", flush=True)
        clock["start"] = time.process_time()

    train_transformer(model, corpus.train, updates, 0, checkpoint=checkpoint)
    ids = sample(model, corpus.vocabulary.encode(PRIME), 60, rng=np.random.default_rng(0))
    result = {"params": model.num_params, "updates": updates, "seconds": clock["seconds"],
              "curve": curve, "validation": bits(model, corpus.validation),
              "test": bits(model, corpus.test), "sample": corpus.vocabulary.decode(ids)}
    save_model(DATA / WEIGHT_FILE, model)
    _record_path("transformer").write_text(json.dumps(result, indent=1) + "\n")
    print(result, flush=True)


def train_lstm_part(seconds: float, every: int) -> None:
    """Train chapter 10's LSTM for ``seconds`` CPU seconds; write its weights and
    ``transformer_lstm_run.json``."""
    corpus = load_corpus()
    V = corpus.vocabulary.size
    early = corpus.validation[:EARLY + 1]
    lstm = build_model("lstm", V, LSTM_SETTINGS["lstm_hidden"], [0, 1])
    curve = {"updates": [0], "seconds": [0.0], "early_bits": [bits_per_character(lstm, early, 64)]}
    clock = {"seconds": 0.0, "start": time.process_time(), "updates": 0}

    def checkpoint(done, model):
        clock["seconds"] += time.process_time() - clock["start"]
        clock["updates"] = done
        finished = clock["seconds"] >= seconds
        if done % every == 0 or finished:
            curve["updates"].append(done)
            curve["seconds"].append(clock["seconds"])
            curve["early_bits"].append(bits_per_character(model, early, 64))
            print(f"lstm {done} updates, {clock['seconds']:.0f} s: "
                  f"{curve['early_bits'][-1]:.3f} bits", flush=True)
        if finished:
            raise _Enough
        clock["start"] = time.process_time()

    settings = dict(LSTM_SETTINGS, block_updates=SETTINGS["block_updates"])
    try:
        train_language_model(lstm, corpus.train, 10**6, 0, settings, checkpoint)
    except _Enough:
        pass
    ids = rnn_sample(lstm, corpus.vocabulary.encode(PRIME), 60, rng=np.random.default_rng(0))
    result = {"params": lstm.num_params, "updates": clock["updates"],
              "seconds": clock["seconds"], "curve": curve,
              "validation": bits_per_character(lstm, corpus.validation, 64),
              "test": bits_per_character(lstm, corpus.test, 64),
              "validation_128": bits_per_character(lstm, corpus.validation, 128),
              "test_128": bits_per_character(lstm, corpus.test, 128),
              "sample": corpus.vocabulary.decode(ids)}
    save_model(DATA / LSTM_FILE, lstm)
    _record_path("lstm").write_text(json.dumps(result, indent=1) + "\n")
    print(result, flush=True)


def table() -> None:
    """Join the two runs into ``transformer_table.json`` with the weight files' SHA-256."""
    record = {"about": "Notebook 11: the transformer and chapter 10's LSTM at equal parameter "
                       "count and equal training time (tools/transformer_train.py)",
              "settings": SETTINGS, "lstm_settings": LSTM_SETTINGS, "seed": 0,
              "early_characters": EARLY, "prime": PRIME,
              "models": {part: json.loads(_record_path(part).read_text())
                         for part in ("transformer", "lstm")}}
    record["sha256"] = {name: hashlib.sha256((DATA / name).read_bytes()).hexdigest()
                        for name in (WEIGHT_FILE, LSTM_FILE)}
    (DATA / RECORD_FILE).write_text(json.dumps(record, indent=1) + "\n")
    for part in ("transformer", "lstm"):
        _record_path(part).unlink()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("transformer", "lstm", "table"))
    parser.add_argument("--updates", type=int, default=300, help="the transformer's updates")
    parser.add_argument("--seconds", type=float, default=85.0,
                        help="the LSTM's CPU seconds (the transformer's training time)")
    parser.add_argument("--every", type=int, default=100)
    arguments = parser.parse_args()
    if arguments.part == "transformer":
        train_transformer_part(arguments.updates, arguments.every)
    elif arguments.part == "lstm":
        train_lstm_part(arguments.seconds, arguments.every)
    else:
        table()
