"""Train notebook 10's shipped models and run its truncation sweep; write weights and JSON.

    .venv/bin/python tools/charlm_train.py table        # 640 updates per network
    .venv/bin/python tools/charlm_train.py truncation   # 6 runs of 128 updates

The shipped files were made on a 2-core machine shared with other jobs, the two networks in
two processes side by side (``--cells lstm`` and ``--cells rnn``, stopped after their
640-update checkpoint) and the sweep in a third: 28 minutes of training per network, 35 for
the sweep. Every run is seeded, so the files are reproduced exactly (the measured times are
not).

``table`` fits the counting models (orders 1-3, smoothing chosen on validation) and trains the
character LSTM (``SETTINGS["lstm_hidden"]`` units) and a plain RNN with as many parameters
(``--cells``: one or both; two processes may run one each), seed 0, for ``--updates`` updates
each, with full backpropagation through each window; at every ``--every`` updates it
writes their weights to ``notebooks/data/charlm_lstm.npz`` and ``charlm_rnn.npz`` and
``notebooks/data/charlm_table.json``: held-out bits per character (validation and test), the
parameter counts, the training time measured here (wall clock, one BLAS thread), the
learning curve and samples at checkpoints.

``truncation`` trains the same LSTM with truncated BPTT, k = 1, 2, 4, 8, 32 and the full
window (128), ``--updates`` updates each, seed 0, and writes the validation bits per character
along the way to ``notebooks/data/charlm_truncation.json``.
Everything is seeded; run from the repository's root.
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

from course.charlm import (SETTINGS, WEIGHT_FILES, build_model, fit_ngram,  # noqa: E402
                           load_corpus, matching_rnn_size, train_language_model)
from nnlib.charlm import bits_per_character, sample  # noqa: E402
from nnlib.model import save_model  # noqa: E402

DATA = ROOT / "notebooks" / "data"
PRIME = "def "
TRUNCATIONS = (1, 2, 4, 8, 32, None)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(updates: int, every: int, cells: list[str]) -> None:
    corpus = load_corpus()
    V, length = corpus.vocabulary.size, SETTINGS["length"]
    record = {"about": "Notebook 10's table: held-out bits per character of the counting "
                       "models and the character networks (tools/charlm_train.py table)",
              "settings": SETTINGS, "seed": 0, "prime": PRIME, "counting": {}, "networks": {}}
    for order in (1, 2, 3):
        start = time.perf_counter()
        model, scores = fit_ngram(order, corpus)
        seconds = time.perf_counter() - start
        record["counting"][str(order)] = {
            "alpha": model.alpha, "validation_by_alpha": {str(a): s for a, s in scores.items()},
            "validation": bits_per_character(model, corpus.validation, length),
            "test": bits_per_character(model, corpus.test, length), "seconds": seconds}
        print(f"order {order}: {record['counting'][str(order)]}", flush=True)
    for cell in cells:
        hidden = (SETTINGS["lstm_hidden"] if cell == "lstm"
                  else matching_rnn_size(V, SETTINGS["lstm_hidden"]))
        model = build_model(cell, V, hidden, [0, 1])
        curve = {"updates": [0], "validation": [bits_per_character(model, corpus.validation)],
                 "samples": {}}
        seconds = [0.0]
        clock = [time.perf_counter()]

        def checkpoint(done, model, cell=cell, hidden=hidden, curve=curve, seconds=seconds,
                       clock=clock):
            seconds[0] += time.perf_counter() - clock[0]  # measurement time not counted
            if done % every == 0 or done == updates:
                curve["updates"].append(done)
                curve["validation"].append(bits_per_character(model, corpus.validation))
                ids = sample(model, corpus.vocabulary.encode(PRIME), 120,
                             rng=np.random.default_rng([0, done]))
                curve["samples"][str(done)] = corpus.vocabulary.decode(ids)
                # Weights and record are written at every checkpoint, so the files always
                # hold one consistent state of the run, however far it got.
                path = DATA / WEIGHT_FILES[cell]
                save_model(path, model)
                record["networks"][cell] = {
                    "hidden_size": hidden, "num_params": model.num_params, "updates": done,
                    "train_seconds": seconds[0], "curve": curve,
                    "validation": curve["validation"][-1],
                    "test": bits_per_character(model, corpus.test), "weights": path.name,
                    "weights_sha256": file_sha256(path)}
                merge_into(DATA / "charlm_table.json", record, cell)
                print(f"{cell} {done}: {curve['validation'][-1]:.3f} bpc, "
                      f"{seconds[0]:.0f} s", flush=True)
            clock[0] = time.perf_counter()

        train_language_model(model, corpus.train, updates, [0, 2], checkpoint=checkpoint)


def merge_into(path: Path, record: dict, cell: str) -> None:
    """Write ``record`` to ``path``, keeping the other networks already there (two runs, one
    per network, may share the file: a lock serialises their writes)."""
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "charlm_table.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            old = json.loads(path.read_text())
            for other, row in old.get("networks", {}).items():
                if other != cell:  # the other run's latest row, as that run last wrote it
                    record["networks"][other] = row
        record["networks"] = {key: record["networks"][key] for key in ("lstm", "rnn")
                              if key in record["networks"]}
        path.write_text(json.dumps(record, indent=1) + "\n")


def truncation(updates: int, every: int) -> None:
    corpus = load_corpus()
    V = corpus.vocabulary.size
    record = {"about": "Notebook 10's truncation curve: validation bits per character of the "
                       "LSTM trained with truncated BPTT (tools/charlm_train.py truncation)",
              "settings": SETTINGS, "updates": updates, "seed": 0, "runs": []}
    for k in TRUNCATIONS:
        model = build_model("lstm", V, SETTINGS["lstm_hidden"], [0, 1], truncate=k)
        run = {"truncate": k if k is not None else SETTINGS["length"], "full": k is None,
               "updates": [0], "validation": [bits_per_character(model, corpus.validation)]}
        clock, seconds = [time.perf_counter()], [0.0]

        def checkpoint(done, model):
            seconds[0] += time.perf_counter() - clock[0]
            if done % every == 0 or done == updates:
                run["updates"].append(done)
                run["validation"].append(bits_per_character(model, corpus.validation))
                print(f"k={run['truncate']} {done}: {run['validation'][-1]:.3f}", flush=True)
            clock[0] = time.perf_counter()

        train_language_model(model, corpus.train, updates, [0, 2], checkpoint=checkpoint)
        run["train_seconds"] = seconds[0]
        record["runs"].append(run)
        (DATA / "charlm_truncation.json").write_text(json.dumps(record, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("table", "truncation"))
    parser.add_argument("--updates", type=int, default=None,
                        help="updates per network (default: 640 for table, 128 for truncation)")
    parser.add_argument("--every", type=int, default=None,
                        help="updates between measurements (default: 64 for table, 32 for "
                             "truncation)")
    parser.add_argument("--cells", nargs="+", choices=("lstm", "rnn"), default=["lstm", "rnn"],
                        help="table: the networks to train (others already in the JSON stay)")
    args = parser.parse_args()
    if args.what == "table":
        table(args.updates or 640, args.every or 64, args.cells)
    else:
        truncation(args.updates or 128, args.every or 32)


if __name__ == "__main__":
    main()
