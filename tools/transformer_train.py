"""Train notebook 11's transformer and, for the same training time, chapter 10's LSTM.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python tools/transformer_train.py   # ~6 CPU minutes

The transformer (``course.transformer.SETTINGS``, seed 0) trains for ``--updates`` updates,
timed in CPU seconds of the process (``time.process_time``, one BLAS thread, evaluation
excluded: a fair clock on a shared machine). Chapter 10's LSTM (its
``build_model("lstm", V, 64, [0, 1])`` and ``SETTINGS``, full backpropagation through each
128-character window) then trains until its own training time reaches the transformer's:
equal training time, on the same machine in the same run. The two have 47 264 and 47 456
parameters. Both are scored every ``--every`` updates on the first ``EARLY`` characters of the
validation text, and at the end on the whole validation and test text, in windows of 64
characters read from their start (the transformer's context; the LSTM also in its own
128-character windows). Writes ``notebooks/data/transformer.npz``,
``notebooks/data/transformer_lstm.npz`` and ``notebooks/data/transformer_table.json`` (with
the weight files' SHA-256). Run from the repository's root.
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


def main(updates: int, every: int) -> None:
    corpus = load_corpus()
    V = corpus.vocabulary.size
    early = corpus.validation[:EARLY + 1]
    record = {"about": "Notebook 11: the transformer and chapter 10's LSTM at equal parameter "
                       "count and equal training time (tools/transformer_train.py)",
              "settings": SETTINGS, "lstm_settings": LSTM_SETTINGS, "seed": 0,
              "early_characters": EARLY, "prime": PRIME, "models": {}}

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
    budget = clock["seconds"]
    ids = sample(model, corpus.vocabulary.encode(PRIME), 60, np.random.default_rng(0))
    record["models"]["transformer"] = {
        "params": model.num_params, "updates": updates, "seconds": budget, "curve": curve,
        "validation": bits(model, corpus.validation), "test": bits(model, corpus.test),
        "sample": corpus.vocabulary.decode(ids)}
    save_model(DATA / WEIGHT_FILE, model)
    print(record["models"]["transformer"], flush=True)

    lstm = build_model("lstm", V, LSTM_SETTINGS["lstm_hidden"], [0, 1])
    lstm_curve = {"updates": [0], "seconds": [0.0],
                  "early_bits": [bits_per_character(lstm, early, 64)]}
    clock = {"seconds": 0.0, "start": time.process_time(), "updates": 0}

    def lstm_checkpoint(done, model):
        clock["seconds"] += time.process_time() - clock["start"]
        clock["updates"] = done
        finished = clock["seconds"] >= budget
        if done % every == 0 or finished:
            lstm_curve["updates"].append(done)
            lstm_curve["seconds"].append(clock["seconds"])
            lstm_curve["early_bits"].append(bits_per_character(model, early, 64))
            print(f"lstm {done} updates, {clock['seconds']:.0f} s: "
                  f"{lstm_curve['early_bits'][-1]:.3f} bits", flush=True)
        if finished:
            raise _Enough
        clock["start"] = time.process_time()

    settings = dict(LSTM_SETTINGS, block_updates=SETTINGS["block_updates"])
    try:
        train_language_model(lstm, corpus.train, 100 * updates, 0, settings, lstm_checkpoint)
    except _Enough:
        pass
    ids = rnn_sample(lstm, corpus.vocabulary.encode(PRIME), 60, np.random.default_rng(0))
    record["models"]["lstm"] = {
        "params": lstm.num_params, "updates": clock["updates"], "seconds": clock["seconds"],
        "curve": lstm_curve,
        "validation": bits_per_character(lstm, corpus.validation, 64),
        "test": bits_per_character(lstm, corpus.test, 64),
        "validation_128": bits_per_character(lstm, corpus.validation, 128),
        "test_128": bits_per_character(lstm, corpus.test, 128),
        "sample": corpus.vocabulary.decode(ids)}
    save_model(DATA / LSTM_FILE, lstm)
    print(record["models"]["lstm"], flush=True)
    record["sha256"] = {name: hashlib.sha256((DATA / name).read_bytes()).hexdigest()
                        for name in (WEIGHT_FILE, LSTM_FILE)}
    (DATA / RECORD_FILE).write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--every", type=int, default=100)
    arguments = parser.parse_args()
    main(arguments.updates, arguments.every)
