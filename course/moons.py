"""Notebook 03's driver for "to the limit": the course's best MLP on two moons, chosen honestly.

Every choice — the learning rate, the weight decay and the epoch to stop at (early stopping) —
is made on held-out data by K-fold cross-validation over the tutorial's 1000 points (training
and validation sets together; the 100 validation points alone are too few to rank settings
whose test accuracies differ by tenths of a point). The 20 000-point test set is not read here.

    python -m course.moons                  # the sweep -> notebooks/data/03_limit.json
    python -m course.moons --processes 3    # the same, settings spread over 3 processes
    python -m course.moons --tutorial       # the tutorial's full 10 000 epochs -> 03_tutorial.json

The notebook loads the JSON, draws the cross-validation curves, retrains the chosen setting on
the 1000 points (``train_final``, one live run) and touches the test set once.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from nnlib.architecture import make_architecture
from nnlib.data.toy import make_moons
from nnlib.mlp import MLP
from nnlib.optim import Adam
from nnlib.train import fit

OUTPUT = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "03_limit.json"
TUTORIAL_OUTPUT = OUTPUT.with_name("03_tutorial.json")
LAYER_SIZES = [2, 25, 50, 50, 25, 1]
LEARNING_RATES = (0.01, 0.001)
WEIGHT_DECAYS = (0.0, 1e-3, 1e-2)
FOLDS = 5
EPOCHS = 300
RECORD_EVERY = 10
BATCH_SIZE = 32
DATA = dict(n_samples=1000, noise=0.2, seed=100)  # the tutorial's points (notebook's data_seed)


def make_model(seed: int) -> MLP:
    """The tutorial's 2-25-50-50-25-1 ReLU network, started with He's weights."""
    return MLP(make_architecture(LAYER_SIZES, "relu"), rng=np.random.default_rng(seed),
               init="he")


def fold_indices(n: int, folds: int, seed: int) -> list[np.ndarray]:
    """``folds`` disjoint index sets covering 0 .. n-1, from one seeded permutation."""
    return np.array_split(np.random.default_rng(seed).permutation(n), folds)


def cross_validate(X, y, learning_rate: float, weight_decay: float, folds: int = FOLDS,
                   epochs: int = EPOCHS, seed: int = 0) -> dict:
    """Mean held-out cross-entropy and accuracy over ``folds`` folds, recorded every
    ``RECORD_EVERY`` epochs: train on all folds but one, measure on that one.

    X : (N, 2); y : (N, 1) of 0/1. Returns {"epochs", "val_loss", "val_accuracy"} (lists)."""
    losses, accuracies = [], []
    for held_out in fold_indices(len(X), folds, seed):
        keep = np.setdiff1d(np.arange(len(X)), held_out)
        model = make_model(seed)
        history = fit(model, X[keep], y[keep],
                      Adam(learning_rate, weight_decay=weight_decay), epochs,
                      batch_size=BATCH_SIZE, rng=np.random.default_rng(seed),
                      X_val=X[held_out], y_val=y[held_out], record_every=RECORD_EVERY)
        losses.append(history.val_loss)
        accuracies.append(history.val_metric)
    return {"epochs": history.epochs.tolist(),
            "val_loss": np.mean(losses, axis=0).round(6).tolist(),
            "val_accuracy": np.mean(accuracies, axis=0).round(6).tolist()}


def train_final(X, y, learning_rate: float, weight_decay: float, epochs: int,
                seed: int = 0, progress=None) -> MLP:
    """The chosen setting trained on every one of the points (X (N, 2), y (N, 1))."""
    model = make_model(seed)
    fit(model, X, y, Adam(learning_rate, weight_decay=weight_decay), epochs,
        batch_size=BATCH_SIZE, rng=np.random.default_rng(seed), record_every=RECORD_EVERY,
        progress=progress)
    return model


def choose(results: list[dict]) -> dict:
    """The setting and the epoch with the lowest mean cross-validation loss."""
    best = min(results, key=lambda r: min(r["val_loss"]))
    at = int(np.argmin(best["val_loss"]))
    return {"learning_rate": best["learning_rate"], "weight_decay": best["weight_decay"],
            "epochs": best["epochs"][at], "val_loss": best["val_loss"][at],
            "val_accuracy": best["val_accuracy"][at]}


def _one(setting):
    X, labels = make_moons(**DATA)
    learning_rate, weight_decay = setting
    result = cross_validate(X, labels[:, None].astype(float), learning_rate, weight_decay)
    print(f"lr {learning_rate:g}, weight decay {weight_decay:g}: lowest mean CV loss "
          f"{min(result['val_loss']):.4f}", flush=True)
    return {"learning_rate": learning_rate, "weight_decay": weight_decay, **result}


def tutorial_run(output: Path = TUTORIAL_OUTPUT) -> dict:
    """The tutorial's run to the end: 2-25-50-50-25-1, its normal start (std 0.1, seed 0),
    full-batch gradient descent at 0.01 for 10 000 epochs, on the notebook's split (split_seed
    0), recorded every 50 epochs; the finished model is scored once on the 20 000 fresh points
    (test_seed 1)."""
    from nnlib.data.toy import train_test_split
    from nnlib.metrics import binary_accuracy
    from nnlib.optim import SGD

    X, labels = make_moons(**DATA)
    X_train, X_val, y_train, y_val = train_test_split(X, labels, 0.1,
                                                      np.random.default_rng(0))
    X_test, y_test = make_moons(20_000, noise=DATA["noise"], seed=1)
    y_train, y_val, y_test = (y[:, None].astype(float) for y in (y_train, y_val, y_test))
    model = MLP(make_architecture(LAYER_SIZES, "relu"), rng=np.random.default_rng(0))
    history = fit(model, X_train, y_train, SGD(0.01), 10_000, X_val=X_val, y_val=y_val,
                  record_every=50)
    record = {"epochs": history.epochs.tolist(),
              "train_loss": np.round(history.train_loss, 6).tolist(),
              "val_loss": np.round(history.val_loss, 6).tolist(),
              "val_accuracy": np.round(history.val_metric, 6).tolist(),
              "test_accuracy": round(float(binary_accuracy(
                  model.predict_proba(X_test)[:, 1], y_test)), 6)}
    output.write_text(json.dumps(record) + "\n")
    return record


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--tutorial", action="store_true",
                        help="run the tutorial's 10 000 epochs instead of the sweep")
    args = parser.parse_args(argv)
    if args.tutorial:
        record = tutorial_run()
        print("tutorial run: test accuracy", record["test_accuracy"])
        return
    settings = [(lr, wd) for lr in LEARNING_RATES for wd in WEIGHT_DECAYS]
    if args.processes > 1:
        from multiprocessing import Pool
        with Pool(args.processes) as pool:
            results = pool.map(_one, settings)
    else:
        results = [_one(s) for s in settings]
    record = {"data": DATA, "layer_sizes": LAYER_SIZES, "folds": FOLDS, "epochs": EPOCHS,
              "record_every": RECORD_EVERY, "batch_size": BATCH_SIZE, "seed": 0,
              "optimizer": "Adam", "results": results, "chosen": choose(results)}
    args.output.write_text(json.dumps(record, indent=1) + "\n")
    print("chosen:", record["chosen"])


if __name__ == "__main__":
    main()
