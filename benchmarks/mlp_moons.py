"""Benchmark: the two-moons MLP of notebook 03 in nnlib, the tutorial's loop, scikit-learn, PyTorch.

Run it with ``python3 tasks.py benchmark mlp_moons`` (that task installs the optional peers,
torch==2.13.0 for the CPU and scikit-learn, into .venv when they are missing, and runs with one
BLAS thread). Same data for everyone: ``nnlib.data.make_moons(1000, noise=0.2, seed=100)``,
10 % held out by ``train_test_split`` with ``default_rng(0)``; same architecture 2-25-50-50-25-1
(ReLU hidden layers, one sigmoid output, mean binary cross-entropy); float64 everywhere; one
thread (``torch.set_num_threads(1)``). nnlib trains with ``nnlib.train.fit`` (the one training
loop) and ``nnlib.optim``.

Two measurements, each repeated in interleaved rounds (A, B, C, ..., A, B, C, ...) so that a
slow moment of the shared machine hits every contender alike; the medians are reported.

1. Seconds to >= 95 % test accuracy: wall time from the first update to the end of the first
   epoch after which at least 95 of the 100 test points are right (test accuracy is checked
   after every epoch, or every 10 epochs for full-batch gradient descent, and the checks count).
   - nnlib: Adam, learning rate 0.01, mini-batches of 32, Glorot-uniform starting parameters
     (``init="glorot"``, the scheme scikit-learn uses).
   - PyTorch: the same network, the same starting parameters (copied from nnlib), Adam(lr=0.01),
     mini-batches of 32 from a shuffled index, BCEWithLogitsLoss.
   - scikit-learn: MLPClassifier(hidden_layer_sizes=(25, 50, 50, 25), solver="adam",
     learning_rate_init=0.01, batch_size=32, alpha=0), one ``partial_fit`` per epoch, its own
     Glorot-uniform draws (the same distribution; its generator cannot be shared).
   - the tutorial's loop and nnlib, both in the tutorial's own setting:
     full-batch gradient descent, learning rate 0.01, the same starting parameters.
2. Milliseconds per epoch in the tutorial's setting (full batch, learning rate 0.01), nnlib's
   ``fit`` against a straightforward re-implementation of the
   tutorial's loop in its natural float64 (examples as columns, parameter and memory dicts,
   cost and accuracy computed every epoch, the gradient entering through
   dA = -(y / y_hat - (1 - y) / (1 - y_hat)), ReLU backward by copy-and-mask, the sigmoid's
   backward recomputing the sigmoid, dA computed down to the first layer, an update loop over
   the layers). nnlib records only at the end of a run (``record_every=epochs``); it checks
   every step that the loss is finite. At least 5 interleaved rounds, medians.

Before issue 12 nnlib had its own loop (``train_mlp``) with an optional float32 mode; both are
gone, and ``MLP._loss_and_grads`` (used by ``fit``) keeps the packed, buffer-reusing path
because this benchmark shows it pays: see the README for the figures before and after.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnlib.data import make_moons, train_test_split  # noqa: E402
from nnlib.mlp import MLP, make_architecture  # noqa: E402
from nnlib.optim import SGD, Adam  # noqa: E402
from nnlib.train import fit  # noqa: E402

SIZES = [2, 25, 50, 50, 25, 1]
TARGET = 0.95
ADAM_LR = 0.01
GD_LR = 0.01
BATCH = 32
MAX_EPOCHS_ADAM = 300
MAX_EPOCHS_GD = 20_000
GD_CHECK_EVERY = 10


def load_data():
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    return X_train, X_test, y_train.astype(float), y_test.astype(float)


def starting_params(seed, init="normal"):
    return MLP(make_architecture(SIZES), rng=np.random.default_rng(seed), init=init).copy_params()


# --- contenders: each returns (seconds, epochs) to reach the target ---------------------------

def nnlib_adam(data, seed):
    X_train, X_test, y_train, y_test = data
    model = MLP(make_architecture(SIZES), rng=np.random.default_rng(seed), init="glorot")
    start = time.perf_counter()
    history = fit(model, X_train, y_train, Adam(ADAM_LR), MAX_EPOCHS_ADAM, batch_size=BATCH,
                  rng=np.random.default_rng(seed), X_val=X_test, y_val=y_test, stop=reached)
    return time.perf_counter() - start, history.epochs_to_reach(TARGET)


def reached(history):
    return history.val_metric[-1] >= TARGET


def nnlib_gd(data, seed):
    X_train, X_test, y_train, y_test = data
    model = MLP(make_architecture(SIZES), rng=np.random.default_rng(seed))
    start = time.perf_counter()
    history = fit(model, X_train, y_train, SGD(GD_LR), MAX_EPOCHS_GD, X_val=X_test, y_val=y_test,
                  record_every=GD_CHECK_EVERY, stop=reached)
    return time.perf_counter() - start, history.epochs_to_reach(TARGET)


def torch_adam(data, seed):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    X_train, X_test, y_train, y_test = (torch.from_numpy(np.ascontiguousarray(a)) for a in data)
    y_train = y_train[:, None]
    layers = []
    params = starting_params(seed, init="glorot")
    for index in range(1, len(SIZES)):
        linear = torch.nn.Linear(SIZES[index - 1], SIZES[index], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params[f"W{index}"].T.copy()))
            linear.bias.copy_(torch.from_numpy(params[f"b{index}"]))
        layers.append(linear)
        if index < len(SIZES) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=ADAM_LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    n = X_train.shape[0]
    start = time.perf_counter()
    for epoch in range(1, MAX_EPOCHS_ADAM + 1):
        order = torch.randperm(n, generator=generator)
        for first in range(0, n, BATCH):
            batch = order[first:first + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            accuracy = ((model(X_test)[:, 0] > 0) == (y_test == 1)).double().mean().item()
        if accuracy >= TARGET:
            return time.perf_counter() - start, epoch
    return time.perf_counter() - start, None


def sklearn_adam(data, seed):
    import warnings

    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = data
    model = MLPClassifier(hidden_layer_sizes=tuple(SIZES[1:-1]), activation="relu",
                          solver="adam", learning_rate_init=ADAM_LR, batch_size=BATCH, alpha=0.0,
                          random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(1, MAX_EPOCHS_ADAM + 1):
            model.partial_fit(X_train, y_train, classes=[0.0, 1.0])
            if model.score(X_test, y_test) >= TARGET:
                return time.perf_counter() - start, epoch
    return time.perf_counter() - start, None


# --- the tutorial's loop, re-implemented straightforwardly (examples as columns) ---------------

def _tutorial_init(seed):
    # The same starting values as nnlib, stored the tutorial's way: W (out, in), b (out, 1).
    params = starting_params(seed)
    return {key: (value.T.copy() if key[0] == "W" else value[:, None].copy())
            for key, value in params.items()}


def _tutorial_forward(X, params, layers):
    memory = {}
    A = X
    for index, activation in enumerate(layers, start=1):
        memory["A" + str(index - 1)] = A
        Z = np.dot(params["W" + str(index)], A) + params["b" + str(index)]
        memory["Z" + str(index)] = Z
        A = np.maximum(0, Z) if activation == "relu" else 1 / (1 + np.exp(-Z))
    return A, memory


def _tutorial_epoch(X, Y, params, layers, learning_rate):
    Y_hat, memory = _tutorial_forward(X, params, layers)
    m = Y_hat.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(Y_hat).T) + np.dot(1 - Y, np.log(1 - Y_hat).T))
    accuracy = ((Y_hat > 0.5) == Y).all(axis=0).mean()
    dA = -(np.divide(Y, Y_hat) - np.divide(1 - Y, 1 - Y_hat))
    grads = {}
    for index in range(len(layers), 0, -1):
        Z = memory["Z" + str(index)]
        if layers[index - 1] == "relu":
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        else:
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
        A_prev = memory["A" + str(index - 1)]
        grads["dW" + str(index)] = np.dot(dZ, A_prev.T) / m
        grads["db" + str(index)] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = np.dot(params["W" + str(index)].T, dZ)
    for index in range(1, len(layers) + 1):
        params["W" + str(index)] -= learning_rate * grads["dW" + str(index)]
        params["b" + str(index)] -= learning_rate * grads["db" + str(index)]
    return float(np.squeeze(cost)), float(accuracy)


TUTORIAL_LAYERS = ["relu"] * (len(SIZES) - 2) + ["sigmoid"]


def tutorial_gd(data, seed):
    X_train, X_test, y_train, y_test = data
    X, Y = X_train.T.copy(), y_train[None, :].copy()
    params = _tutorial_init(seed)
    history = []
    start = time.perf_counter()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for epoch in range(1, MAX_EPOCHS_GD + 1):
            history.append(_tutorial_epoch(X, Y, params, TUTORIAL_LAYERS, GD_LR))
            if epoch % GD_CHECK_EVERY == 0:
                y_hat, _ = _tutorial_forward(X_test.T, params, TUTORIAL_LAYERS)
                if np.mean((y_hat[0] > 0.5) == (y_test == 1)) >= TARGET:
                    return time.perf_counter() - start, epoch
    return time.perf_counter() - start, None


# --- per-epoch timing in the tutorial's setting ------------------------------------------------

def nnlib_epochs(data, seed, epochs):
    X_train, _, y_train, _ = data
    model = MLP(make_architecture(SIZES), rng=np.random.default_rng(seed))
    start = time.perf_counter()
    fit(model, X_train, y_train, SGD(GD_LR), epochs, record_every=epochs)
    return (time.perf_counter() - start) / epochs


def tutorial_epochs(data, seed, epochs):
    X_train, _, y_train, _ = data
    X, Y = X_train.T.copy(), y_train[None, :].copy()
    params = _tutorial_init(seed)
    history = []
    start = time.perf_counter()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(epochs):
            history.append(_tutorial_epoch(X, Y, params, TUTORIAL_LAYERS, GD_LR))
    return (time.perf_counter() - start) / epochs


def check_agreement(data, seed):
    """The tutorial's loop and nnlib compute the same training (a sanity check, 50 epochs)."""
    X_train, _, y_train, _ = data
    params = _tutorial_init(seed)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(50):
            _tutorial_epoch(X_train.T.copy(), y_train[None, :], params, TUTORIAL_LAYERS, GD_LR)
    model = MLP(make_architecture(SIZES), rng=np.random.default_rng(seed))
    fit(model, X_train, y_train, SGD(GD_LR), 50, record_every=50)
    difference = max(np.max(np.abs(model.params[key] - (value.T if key[0] == "W" else value[:, 0])))
                     for key, value in params.items())
    assert difference < 1e-9, f"the tutorial loop and nnlib disagree by {difference:.3g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--epoch-timing", type=int, default=1000,
                        help="epochs per run for the per-epoch timing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = load_data()
    check_agreement(data, args.seed)

    contenders = {"nnlib (Adam, batch 32)": nnlib_adam}
    peers = {}
    try:
        import torch  # noqa: F401
        peers["PyTorch (Adam, batch 32)"] = torch_adam
    except ImportError:
        print("PyTorch is not installed: skipped (python3 tasks.py benchmark installs it).")
    try:
        import sklearn  # noqa: F401
        peers["scikit-learn (Adam, batch 32)"] = sklearn_adam
    except ImportError:
        print("scikit-learn is not installed: skipped.")
    contenders.update(peers)
    contenders["nnlib (tutorial setting: GD)"] = nnlib_gd
    contenders["tutorial loop (GD)"] = tutorial_gd

    print(f"Two moons, 900 train / 100 test points, {'-'.join(map(str, SIZES))}, float64, "
          f"1 thread; {args.rounds} interleaved rounds, medians.\n")
    reached: dict[str, list] = {name: [] for name in contenders}
    for round_index in range(args.rounds):
        for name, run in contenders.items():
            reached[name].append(run(data, args.seed))
        print(f"  round {round_index + 1} done", flush=True)

    print(f"\n1. Seconds to >= {TARGET:.0%} test accuracy")
    print(f"   {'contender':32s} {'epochs':>7s} {'median s':>10s} {'runs (s)':>24s}")
    medians = {}
    for name, results in reached.items():
        seconds = [s for s, _ in results]
        epochs = {e for _, e in results}
        medians[name] = statistics.median(seconds)
        print(f"   {name:32s} {'/'.join(str(e) for e in sorted(epochs, key=str)):>7s} "
              f"{medians[name]:10.3f} {', '.join(f'{s:.3f}' for s in seconds):>24s}")
    base = medians["nnlib (Adam, batch 32)"]
    for name in peers:
        print(f"   {name} / nnlib: {medians[name] / base:.1f}x")
    name = "nnlib (tutorial setting: GD)"
    print(f"   tutorial loop / {name}: {medians['tutorial loop (GD)'] / medians[name]:.1f}x")

    timed = {"nnlib (fit)": lambda: nnlib_epochs(data, args.seed, args.epoch_timing),
             "tutorial loop": lambda: tutorial_epochs(data, args.seed, args.epoch_timing)}
    per_epoch: dict[str, list] = {name: [] for name in timed}
    for _ in range(max(args.rounds, 5)):
        for name, run in timed.items():
            per_epoch[name].append(run())
    print(f"\n2. Milliseconds per epoch, tutorial setting (full batch of 900, "
          f"{args.epoch_timing} epochs a run, {max(args.rounds, 5)} interleaved rounds, medians)")
    median = {name: statistics.median(values) for name, values in per_epoch.items()}
    for name, values in per_epoch.items():
        print(f"   {name:36s} {1000 * median[name]:8.3f} ms   runs: "
              f"{', '.join(f'{1000 * v:.3f}' for v in values)}")
    print(f"   tutorial loop / nnlib (fit): "
          f"{median['tutorial loop'] / median['nnlib (fit)']:.2f}x")

if __name__ == "__main__":
    main()
