"""Benchmark: the digits MLP of notebook 06 in nnlib against scikit-learn's MLPClassifier, and the
training times of the notebook's side-by-side table.

Run it with ``python3 tasks.py benchmark digits`` (one BLAS thread). Same data for everyone:
``nnlib.data.digits.load_digits_data()`` (pixels / 16) split 60 / 20 / 20 by
``stratified_split(X, y, default_rng(0))``: 1 079 training, 359 validation and 359 test
images (the test images are never looked at here). Same
architecture 64-H-10 (ReLU, softmax output, mean cross-entropy), float64, Adam with the same
learning rate and mini-batches of 32, no weight penalty, Glorot-uniform starting weights
(nnlib's ``init="glorot"``; scikit-learn draws its own from the same distribution).

1. Milliseconds per epoch at equal work: the chosen MLP, ``PER_EPOCH_RUN`` epochs of Adam
   on shuffled mini-batches, no evaluation (nnlib's ``fit`` records only at the start and
   the end); scikit-learn: one ``partial_fit`` per epoch. Interleaved rounds, medians.
2. Seconds to >= 96 % validation accuracy, median over ``--seeds`` seeds (10 by default):
   wall time from the first update to the end of the first epoch after which at least 96 % of
   the 359 validation images are right. After every epoch both contenders compute the loss
   and the accuracy on the training and the validation images (what ``fit`` records with
   ``X_val``). The digits hold 1 797 images, so 2 000 fresh points do not exist here: the
   validation part is the held-out set (the test part stays unseen).
3. Training time of each line of the notebook's table, with the settings the notebook chose on
   its validation set (``CHOSEN`` below; the notebook prints whether they still agree): the
   source-style per-example class (a bare loop over shuffled passes), the same network as
   nnlib's ``TwoLayerNet`` trained by ``fit`` with ``batch_size=1`` (the same updates in the
   same order), nnlib's softmax regression (``LINEAR``), nnlib's MLP, MLPClassifier,
   LogisticRegression on the raw pixels and the BernoulliRBM + LogisticRegression pipeline.
   Every run trains on the training part only; none evaluates anything. Interleaved rounds, medians. ``--write`` stores them in
   ``notebooks/data/digits_benchmark.json``, which the notebook reads (a time measured in the
   notebook would change its outputs from run to run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnlib.activations import sigmoid, sigmoid_slope  # noqa: E402
from nnlib.data.digits import load_digits_data, one_hot, stratified_split  # noqa: E402
from nnlib.mlp import MLP, make_architecture  # noqa: E402
from nnlib.optim import SGD, Adam  # noqa: E402
from nnlib.train import fit  # noqa: E402
from nnlib.twolayer import TwoLayerNet  # noqa: E402

TARGET = 0.96
MAX_EPOCHS = 100
PER_EPOCH_RUN = 10
# What notebook 06 chooses on its validation set with its default parameters.
CHOSEN = {"hidden_size": 128, "learning_rate": 0.01, "epochs": 12, "batch_size": 32}
SOURCE_EPOCHS = 10
# Notebook 06's softmax regression: Adam(0.03), its `epochs` parameter (20), batches of 32.
LINEAR = {"learning_rate": 0.03, "epochs": 20}
SOURCE_LEARNING_RATE = 0.2
OUTPUT = ROOT / "notebooks" / "data" / "digits_benchmark.json"


def load_data(seed: int = 0):
    """Training and validation images and labels (the test part is left out)."""
    X, y = load_digits_data()
    X_train, X_val, _, y_train, y_val, _ = stratified_split(X, y, np.random.default_rng(seed))
    return X_train, X_val, y_train, y_val


def _sklearn_mlp(hidden_size, learning_rate, batch_size, epochs, seed):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(hidden_size,), activation="relu", solver="adam",
                         learning_rate_init=learning_rate, batch_size=batch_size, alpha=0.0,
                         max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
                         random_state=seed)


# --- 1. per epoch and 2. time to 96 % validation accuracy -----------------------------------

def nnlib_run(data, seed, epochs, evaluate):
    X_train, X_val, y_train, y_val = data
    model = MLP(make_architecture([64, CHOSEN["hidden_size"], 10]),
                rng=np.random.default_rng(seed), init="glorot")
    start = time.perf_counter()
    if evaluate:
        history = fit(model, X_train, y_train, Adam(CHOSEN["learning_rate"]), epochs,
                      batch_size=CHOSEN["batch_size"], rng=np.random.default_rng(seed),
                      X_val=X_val, y_val=y_val, stop=lambda h: h.val_metric[-1] >= TARGET)
        return time.perf_counter() - start, history.epochs_to_reach(TARGET)
    fit(model, X_train, y_train, Adam(CHOSEN["learning_rate"]), epochs,
        batch_size=CHOSEN["batch_size"], rng=np.random.default_rng(seed), metric=None,
        record_every=epochs)
    return time.perf_counter() - start, None


def sklearn_run(data, seed, epochs, evaluate):
    from sklearn.metrics import log_loss

    X_train, X_val, y_train, y_val = data
    model = _sklearn_mlp(CHOSEN["hidden_size"], CHOSEN["learning_rate"], CHOSEN["batch_size"],
                         epochs, seed)
    classes = np.arange(10)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.partial_fit(X_train, y_train, classes=classes)
        if evaluate:
            for X_set, y_set in ((X_train, y_train), (X_val, y_val)):
                probabilities = model.predict_proba(X_set)
                log_loss(y_set, probabilities, labels=classes)
                accuracy = np.mean(probabilities.argmax(axis=1) == y_set)
            if accuracy >= TARGET:
                return time.perf_counter() - start, epoch
    return time.perf_counter() - start, None


# --- 2. the notebook's table: full training runs ----------------------------------------------

SOURCE_SIZES = [64, 100, 10]


def _source_start(seed):
    # The class's starting weights and biases: uniform(-0.25, 0.25), weights before biases.
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.25, 0.25, (a, b)) for a, b in zip(SOURCE_SIZES[:-1],
                                                                   SOURCE_SIZES[1:])]
    return weights, [rng.uniform(-0.25, 0.25, b) for b in SOURCE_SIZES[1:]]


def source_style(data, seed):
    """The notebook's source-style class, re-implemented the same way: [64, 100, 10] logistic,
    per-example SGD on the squared error over shuffled passes (one permutation per epoch)."""
    X_train, _, y_train, _ = data
    weights, biases = _source_start(seed)
    targets = one_hot(y_train, 10)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(SOURCE_EPOCHS):
        for n in rng.permutation(len(X_train)):
            outputs = [X_train[n]]
            for W, b in zip(weights, biases):
                outputs.append(sigmoid(outputs[-1] @ W + b))
            delta = (outputs[-1] - targets[n]) * sigmoid_slope(outputs[-1])
            for layer in reversed(range(len(weights))):
                below = delta @ weights[layer].T
                weights[layer] -= SOURCE_LEARNING_RATE * np.outer(outputs[layer], delta)
                biases[layer] -= SOURCE_LEARNING_RATE * delta
                if layer > 0:
                    delta = below * sigmoid_slope(outputs[layer])
    return time.perf_counter() - start


def source_twolayer(data, seed):
    """The same network and updates through nnlib: TwoLayerNet + fit(batch_size=1, SGD)."""
    X_train, _, y_train, _ = data
    (W1, W2), (b1, b2) = _source_start(seed)
    model = TwoLayerNet.from_params({"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                                    reduction="half_sum")
    targets = one_hot(y_train, 10)
    start = time.perf_counter()
    fit(model, X_train, targets, SGD(SOURCE_LEARNING_RATE), SOURCE_EPOCHS, batch_size=1,
        rng=np.random.default_rng(seed), metric=None, record_every=SOURCE_EPOCHS)
    return time.perf_counter() - start


def nnlib_chosen(data, seed):
    X_train, _, y_train, _ = data
    model = MLP(make_architecture([64, CHOSEN["hidden_size"], 10]), rng=np.random.default_rng(seed),
                init="glorot")
    start = time.perf_counter()
    fit(model, X_train, y_train, Adam(CHOSEN["learning_rate"]), CHOSEN["epochs"],
        batch_size=CHOSEN["batch_size"], rng=np.random.default_rng(seed))
    return time.perf_counter() - start


def softmax_regression(data, seed):
    X_train, _, y_train, _ = data
    model = MLP(make_architecture([64, 10]), rng=np.random.default_rng(seed), init="glorot")
    start = time.perf_counter()
    fit(model, X_train, y_train, Adam(LINEAR["learning_rate"]), LINEAR["epochs"],
        batch_size=CHOSEN["batch_size"], rng=np.random.default_rng(seed))
    return time.perf_counter() - start


def logistic_pixels(data, seed):
    from sklearn.linear_model import LogisticRegression

    X_train, _, y_train, _ = data
    model = LogisticRegression(C=6000, solver="newton-cg", tol=1e-8, max_iter=1000)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    return time.perf_counter() - start


def sklearn_chosen(data, seed):
    from sklearn.exceptions import ConvergenceWarning

    X_train, _, y_train, _ = data
    model = _sklearn_mlp(CHOSEN["hidden_size"], CHOSEN["learning_rate"], CHOSEN["batch_size"],
                         CHOSEN["epochs"], seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return time.perf_counter() - start


def rbm_logistic(data, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    X_train, _, y_train, _ = data
    pipeline = Pipeline([
        ("rbm", BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10,
                             random_state=seed)),
        ("logistic", LogisticRegression(C=6000, solver="newton-cg", tol=1e-8,
                                        max_iter=1000))])
    start = time.perf_counter()
    pipeline.fit(X_train, y_train)
    return time.perf_counter() - start


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, one BLAS thread"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds for the time to target")
    parser.add_argument("--write", action="store_true",
                        help=f"store the table's medians in {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    data = load_data()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.exit("scikit-learn is not installed: it is the peer this benchmark compares with.")

    print(f"Digits, {len(data[2])} training / {len(data[3])} validation images, "
          f"64-{CHOSEN['hidden_size']}-10 ReLU, Adam lr {CHOSEN['learning_rate']:g}, batch "
          f"{CHOSEN['batch_size']}, float64, 1 thread; interleaved runs, medians.\n")
    contenders = {"nnlib": nnlib_run, "scikit-learn MLPClassifier": sklearn_run}
    per_epoch: dict[str, list] = {name: [] for name in contenders}
    for seed in range(args.rounds):
        for name, run in contenders.items():
            per_epoch[name].append(run(data, seed, PER_EPOCH_RUN, False)[0] / PER_EPOCH_RUN)
    print(f"1. Milliseconds per epoch, {PER_EPOCH_RUN} epochs a run, no evaluation "
          f"({args.rounds} rounds)")
    epoch_medians = {name: statistics.median(values) for name, values in per_epoch.items()}
    for name, values in per_epoch.items():
        print(f"   {name:28s} median {1000 * epoch_medians[name]:.3f} ms  runs "
              f"{', '.join(f'{1000 * v:.3f}' for v in values)}")
    print(f"   scikit-learn / nnlib: "
          f"{epoch_medians['scikit-learn MLPClassifier'] / epoch_medians['nnlib']:.2f}x")

    reached: dict[str, list] = {name: [] for name in contenders}
    for seed in range(args.seeds):
        for name, run in contenders.items():
            reached[name].append(run(data, seed, MAX_EPOCHS, True))
    print(f"\n2. Seconds to >= {TARGET:.0%} validation accuracy, evaluated every epoch "
          f"(median of {args.seeds} seeds)")
    medians = {}
    for name, results in reached.items():
        seconds = [s for s, _ in results]
        medians[name] = statistics.median(seconds)
        print(f"   {name:28s} epochs {[e for _, e in results]}  median {medians[name]:.3f} s  "
              f"runs {', '.join(f'{s:.3f}' for s in seconds)}")
    ratio = medians["scikit-learn MLPClassifier"] / medians["nnlib"]
    print(f"   scikit-learn / nnlib: {ratio:.2f}x")

    table = {"source": source_style, "source_twolayer": source_twolayer,
             "softmax_regression": softmax_regression, "nnlib": nnlib_chosen,
             "sklearn_mlp": sklearn_chosen, "logistic_pixels": logistic_pixels,
             "rbm_logistic": rbm_logistic}
    times: dict[str, list] = {name: [] for name in table}
    for _ in range(args.rounds):
        for name, run in table.items():
            times[name].append(run(data, 0))
    print(f"\n3. Training time of the notebook's table (seed 0, {CHOSEN['epochs']} epochs for "
          f"the MLPs, {SOURCE_EPOCHS} epochs of one-example updates for the source-style network)")
    table_medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"   {name:16s} median {table_medians[name]:.3f} s  runs "
              f"{', '.join(f'{v:.3f}' for v in values)}")
    if args.write:
        # The machine is shared: the load average says how busy it was while timing.
        record = dict(CHOSEN, source_epochs=SOURCE_EPOCHS, linear_epochs=LINEAR["epochs"],
                      rounds=args.rounds, load_average=round(os.getloadavg()[0], 1),
                      machine=_machine(),
                      train_seconds={k: float(f"{v:.3g}") for k, v in table_medians.items()},
                      seconds_to_target_on_validation={k: float(f"{v:.3g}")
                                                        for k, v in medians.items()})
        OUTPUT.write_text(json.dumps(record, indent=1) + "\n")
        print(f"\nwritten: {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
