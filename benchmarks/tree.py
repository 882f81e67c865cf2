"""Benchmark: a tree network encoded by recursion, by SPINN's shift-reduce stack, by node height.

Run it with ``python3 tasks.py benchmark tree`` (one BLAS thread), or directly with
``OPENBLAS_NUM_THREADS=1 python benchmarks/tree.py``. It measures ``nnlib.tree.TreeNet`` on
ListOps-style trees (``nnlib.data.make_listops(512, [1, 2, 3, 4], rng=default_rng(0))``) for
batch sizes 1 to 512 and two hidden sizes (32, the size notebook 09 trains, and 128), with 10
classes:

- forward: the encoder and the classifier, the mean cross-entropy (the loss, no gradient);
- forward + backward: ``TreeNet.loss_and_grads_by(batch, y, method)``, every gradient.

Batches are prepared once before timing (``prepare_batch``: token ids, the height schedule and
the transitions as arrays, as SPINN's data pipeline computes the transitions before training);
preparing is timed separately. Recursion works tree by tree, one node at a time. Each contender
runs on the same batch, in interleaved rounds (all contenders once, then again, ...) so that a
slow moment of the shared machine hits them alike; a measurement repeats the call until it has
covered 256 trees, and the figures are the medians over the rounds. The tables use CPU time
(``time.process_time``): with one thread it equals wall time on an idle machine, and on a busy
shared one it does not count the time spent waiting for a core; the JSON file holds both.

It prints trees encoded per second, each batched method's speed-up over recursion, and the step
counts that explain them (sequential compositions: recursion one per internal node, the stack
one per transition step, height one per tree level), and writes everything to
``notebooks/data/tree_timings.json``, which notebook 09 draws (``--no-write`` to skip that).

``--sweep`` instead trains notebook 09's three models (the tree network, H = 32; notebook 07's
LSTM and notebook 04's RNN on the same tokens left to right, each with the largest hidden size
whose parameter count does not exceed the tree network's) with its default settings (ListOps
with MAX and MIN, 1 500 training expressions of depths 1-3, 20 epochs of Adam 0.01 with
clip_norm 5 in batches of 32) for seeds 0-4 and writes their test accuracy by depth (1-6, 200
expressions each) to ``notebooks/data/tree_depth_sweep.json``, with a check on the sequence
models: the test expressions that fit the training length, padded to it rather than to the
test set's longest, give the same answers how often, and what accuracy. The notebook prints these
committed figures: a training run's exact accuracies depend on the BLAS kernel's rounding
(which grows over hundreds of updates), so live numbers would differ between CPUs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnlib.losses import softmax_cross_entropy  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.train import fit  # noqa: E402
from nnlib.tree import ENCODERS, TreeNet, tree_forward  # noqa: E402
from nnlib.data import LISTOPS_VOCAB, leaves, make_listops, one_hot_sequences  # noqa: E402
from course.tree import matched_hidden_sizes  # noqa: E402

BATCH_SIZES = [1, 4, 16, 64, 256, 512]
HIDDEN_SIZES = [32, 128]
METHODS = ["recursion", "stack", "height"]
PASSES = ["forward", "forward+backward"]
OUTPUT = ROOT / "notebooks" / "data" / "tree_timings.json"
SWEEP_OUTPUT = ROOT / "notebooks" / "data" / "tree_depth_sweep.json"
TUNING_OUTPUT = ROOT / "notebooks" / "data" / "09_sequence_tuning.json"
TUNING = {"learning_rates": [0.003, 0.01, 0.03], "epochs": [20, 60], "seeds": [0, 1, 2]}
SWEEP = {"n_train": 1500, "train_depths": [1, 2, 3], "test_depths": [1, 2, 3, 4, 5, 6],
         "operators": ["MAX", "MIN"], "hidden_size": 32, "epochs": 20, "batch_size": 32,
         "learning_rate": 0.01, "clip_norm": 5.0, "seeds": [0, 1, 2, 3, 4]}


def depth_sweep():
    """Notebook 09's structure experiment, seeds 0-4: accuracy by depth for three models."""
    from nnlib.lstm import LSTM
    from nnlib.rnn import RNN

    c = SWEEP
    runs = []
    for seed in c["seeds"]:
        train, y, _, _ = make_listops(c["n_train"], c["train_depths"],
                                      rng=np.random.default_rng([seed, 1]),
                                      operators=c["operators"])
        test, y_test, depth, _ = make_listops(200 * len(c["test_depths"]), c["test_depths"],
                                              rng=np.random.default_rng([seed, 3]),
                                              operators=c["operators"])
        tree = TreeNet(LISTOPS_VOCAB, c["hidden_size"], 10,
                       rng=np.random.default_rng([seed, 4]))
        budget, sizes = tree.num_params, matched_hidden_sizes(c["hidden_size"])
        lstm = LSTM(len(LISTOPS_VOCAB), sizes["lstm"], rng=np.random.default_rng([seed, 4]),
                    head="softmax", output="last", output_size=10)
        rnn = RNN(len(LISTOPS_VOCAB), sizes["rnn"], rng=np.random.default_rng([seed, 4]),
                  head="softmax", output="last", output_size=10)
        assert lstm.num_params <= budget and rnn.num_params <= budget
        T_train = max(len(leaves(t)) for t in train)
        sequences = (one_hot_sequences(train, tree.index, T_train),
                     one_hot_sequences(test, tree.index, max(len(leaves(t)) for t in test)))
        # Test expressions short enough for the training length, padded to it: does the longer
        # padding of the test set change a sequence model's answers?
        short = [n for n, t in enumerate(test) if len(leaves(t)) <= T_train]
        X_short = one_hot_sequences([test[n] for n in short], tree.index, T_train)
        inputs = {"tree": (train, test), "lstm": sequences, "rnn": sequences}
        accuracy, same_answers = {}, {}
        for name, model in (("tree", tree), ("lstm", lstm), ("rnn", rnn)):
            X_train, X_test = inputs[name]
            fit(model, X_train, y, Adam(c["learning_rate"], clip_norm=c["clip_norm"]),
                c["epochs"], batch_size=c["batch_size"], rng=np.random.default_rng([seed, 5]),
                record_every=c["epochs"], metric=None)
            predicted = model.predict(X_test)
            accuracy[name] = [float(np.mean(predicted[depth == d] == y_test[depth == d]))
                              for d in c["test_depths"]]
            if name != "tree":
                padded_short = model.predict(X_short)
                same_answers[name] = {
                    "same_answers": float(np.mean(padded_short == predicted[short])),
                    "accuracy_test_padding": float(np.mean(predicted[short] == y_test[short])),
                    "accuracy_training_padding": float(np.mean(padded_short == y_test[short]))}
        runs.append({"seed": seed, "accuracy": accuracy, "short_test_expressions": len(short),
                     "padded_to_training_length": same_answers})
        print(f"  seed {seed}: " + "; ".join(f"{name} " + " ".join(f"{100 * a:.0f}" for a in acc)
                                          for name, acc in accuracy.items())
              + "; padded to the training length: " + "; ".join(
                  f"{name} same answers {100 * r['same_answers']:.0f} %, accuracy "
                  f"{100 * r['accuracy_test_padding']:.1f} -> "
                  f"{100 * r['accuracy_training_padding']:.1f}"
                  for name, r in same_answers.items()), flush=True)
    record = {"about": "Test accuracy by nesting depth of notebook 09's three models (the tree "
                       "network; notebook 07's LSTM and notebook 04's RNN reading the same "
                       "tokens left to right, each with the largest hidden size whose parameter "
                       "count does not exceed the tree network's) with the notebook's default "
                       "settings, seeds 0-4, and for the sequence models the fraction of the "
                       "test expressions that fit the training length whose answer stays the "
                       "same when they are padded to it rather than to the test set's longest, "
                       "and their accuracy both ways; "
                       "written by benchmarks/tree.py --sweep (python3 "
                       "tasks.py benchmark passes no flag: run python benchmarks/tree.py "
                       "--sweep).",
              "settings": c, "numpy": np.__version__,
              "hidden_sizes": {"tree": c["hidden_size"], "lstm": lstm.hidden_size,
                               "rnn": rnn.hidden_size},
              "num_params": {"tree": budget, "lstm": lstm.num_params, "rnn": rnn.num_params},
              "runs": runs}
    SWEEP_OUTPUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {SWEEP_OUTPUT.relative_to(ROOT)}")


def tuning_runs(seed: int, names=("lstm", "rnn"), learning_rates=None) -> dict:
    """The fairness check for one seed: each of ``names`` trained for every (learning rate,
    epochs) of ``TUNING`` on notebook 09's data (training, validation n_train // 3, test 200
    per depth), with training, validation and test accuracy (test by depth) for each."""
    from nnlib.lstm import LSTM
    from nnlib.rnn import RNN

    c = SWEEP

    def data(n, depths, stream):
        return make_listops(n, depths, rng=np.random.default_rng([seed, stream]),
                            operators=c["operators"])
    train, y, _, _ = data(c["n_train"], c["train_depths"], 1)
    val, y_val, _, _ = data(c["n_train"] // 3, c["train_depths"], 2)
    test, y_test, depth, _ = data(200 * len(c["test_depths"]), c["test_depths"], 3)
    index = {token: k for k, token in enumerate(LISTOPS_VOCAB)}
    sizes = matched_hidden_sizes(c["hidden_size"])
    inputs = {"tree": (train, val, test)}
    inputs["lstm"] = inputs["rnn"] = tuple(
        one_hot_sequences(trees, index, max(len(leaves(t)) for t in trees))
        for trees in (train, val, test))
    makers = {"tree": lambda: TreeNet(LISTOPS_VOCAB, c["hidden_size"], 10,
                                      rng=np.random.default_rng([seed, 4])),
              "lstm": lambda: LSTM(len(LISTOPS_VOCAB), sizes["lstm"], head="softmax",
                                   rng=np.random.default_rng([seed, 4]), output="last",
                                   output_size=10),
              "rnn": lambda: RNN(len(LISTOPS_VOCAB), sizes["rnn"], head="softmax",
                                 rng=np.random.default_rng([seed, 4]), output="last",
                                 output_size=10)}
    run = {"seed": seed}
    for name in names:
        X_train, X_val, X_test = inputs[name]
        results = []
        for learning_rate in learning_rates or TUNING["learning_rates"]:
            # One run per learning rate, scored at every number of epochs of the grid: fit
            # continues with the same model, Adam state and batch-order generator.
            model, optimizer = makers[name](), Adam(learning_rate, clip_norm=c["clip_norm"])
            order, done = np.random.default_rng([seed, 5]), 0
            for epochs in TUNING["epochs"]:
                history = fit(model, X_train, y, optimizer, epochs - done, rng=order,
                              batch_size=c["batch_size"], record_every=epochs - done)
                done = epochs
                predicted = model.predict(X_test)
                results.append({
                    "learning_rate": learning_rate, "epochs": epochs,
                    "train_accuracy": float(history.train_metric[-1]),
                    "val_accuracy": float(np.mean(model.predict(X_val) == y_val)),
                    "test_accuracy": [float(np.mean(predicted[depth == d] == y_test[depth == d]))
                                      for d in c["test_depths"]]})
                print(f"  seed {seed} {name} lr {learning_rate} {epochs} epochs: val "
                      f"{100 * results[-1]['val_accuracy']:.1f} %", flush=True)
        run[name] = results
    return run


def write_tuning(runs: list[dict]) -> None:
    """Write the fairness check's runs (one dict per seed) to ``TUNING_OUTPUT``."""
    record = {"about": "Notebook 09's fairness check: every (learning rate, epochs) of the grid "
                       "for the LSTM and the RNN (the largest hidden size within the tree "
                       "network's weights; the tree network keeps its default setting), with "
                       "training, validation and test accuracy (test by depth); written by "
                       "python benchmarks/tree.py --tuning.",
              "settings": {**SWEEP, "seeds": [run["seed"] for run in runs], "grid": TUNING},
              "runs": runs}
    TUNING_OUTPUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {TUNING_OUTPUT.relative_to(ROOT)}")


def forward_loss(model, batch, y, method):
    """The loss (no gradients) by ``method``: encoder, classifier, mean cross-entropy."""
    if method == "recursion":
        roots = np.array([tree_forward(tree, model.params, model.index)[0]
                          for tree in batch.trees])
    else:
        roots = ENCODERS[method][0](batch, model.params)[0]
    logits = roots @ model.params["W_out"] + model.params["b_out"]
    return softmax_cross_entropy(logits, y)[0]


def timed(function, repeats):
    """(CPU seconds, wall seconds) per call, over ``repeats`` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        function()
    return ((time.process_time() - cpu) / repeats, (time.perf_counter() - wall) / repeats)


def step_counts(batch):
    """Sequential composition steps of each method for one prepared batch."""
    return {"recursion": int(batch.n_nodes - batch.n_leaves), "stack": len(batch.steps),
            "height": len(batch.levels)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--no-write", action="store_true", help="do not write the JSON file")
    parser.add_argument("--sweep", action="store_true",
                        help="train notebook 09's models for seeds 0-4 instead of timing")
    parser.add_argument("--tuning", action="store_true",
                        help="choose each model's learning rate and epochs on validation data")
    args = parser.parse_args(argv)
    if args.tuning:
        write_tuning([tuning_runs(seed) for seed in TUNING["seeds"]])
        return
    if args.sweep:
        depth_sweep()
        return

    trees, y, _, _ = make_listops(max(BATCH_SIZES), [1, 2, 3, 4], rng=np.random.default_rng(0))
    models = {H: TreeNet(LISTOPS_VOCAB, H, 10, rng=np.random.default_rng(1))
              for H in HIDDEN_SIZES}
    batches = {B: models[HIDDEN_SIZES[0]].prepare_batch(trees[:B]) for B in BATCH_SIZES}

    # Sanity check before timing: the three methods agree on the loss and every gradient.
    for H, model in models.items():
        reference = model.loss_and_grads_by(batches[64], y[:64], "recursion")
        for method in ("stack", "height"):
            loss, grads = model.loss_and_grads_by(batches[64], y[:64], method)
            worst = max(np.max(np.abs(grads[k] - reference[1][k])) for k in grads)
            assert abs(loss - reference[0]) < 1e-12 and worst < 1e-12, (H, method, worst)

    cases = [(H, B, method, pass_) for H in HIDDEN_SIZES for B in BATCH_SIZES
             for pass_ in PASSES for method in METHODS]
    seconds: dict[tuple, list] = {case: [] for case in cases}
    prepare: dict[int, list] = {B: [] for B in BATCH_SIZES}
    print(f"ListOps trees, batch sizes {BATCH_SIZES}, hidden sizes {HIDDEN_SIZES}, 1 BLAS "
          f"thread, {args.rounds} interleaved rounds, medians.", flush=True)
    for round_index in range(args.rounds):
        for B in BATCH_SIZES:
            prepare[B].append(timed(lambda: models[32].prepare_batch(trees[:B]),
                                    max(1, 256 // B))[0])
        for H, B, method, pass_ in cases:
            model, batch, labels = models[H], batches[B], y[:B]
            if pass_ == "forward":
                def run():
                    return forward_loss(model, batch, labels, method)
            else:
                def run():
                    return model._loss_and_grads(batch, labels, method)
            seconds[(H, B, method, pass_)].append(timed(run, max(1, 256 // B)))
        print(f"  round {round_index + 1} done", flush=True)

    median = {case: statistics.median(cpu for cpu, _ in values)
              for case, values in seconds.items()}
    results = []
    for H in HIDDEN_SIZES:
        for pass_ in PASSES:
            print(f"\nH = {H}, {pass_}: trees per second (speed-up over recursion)")
            print(f"   {'batch':>6s} " + " ".join(f"{m:>22s}" for m in METHODS))
            for B in BATCH_SIZES:
                base = median[(H, B, "recursion", pass_)]
                row = []
                for method in METHODS:
                    value = median[(H, B, method, pass_)]
                    row.append(f"{B / value:12.0f} ({base / value:5.1f}x)")
                    results.append({"hidden_size": H, "batch_size": B, "method": method,
                                    "pass": pass_, "cpu_seconds": value,
                                    "wall_seconds": statistics.median(
                                        wall for _, wall in seconds[(H, B, method, pass_)]),
                                    "trees_per_second": B / value,
                                    "speedup_over_recursion": base / value})
                print(f"   {B:6d} " + " ".join(f"{cell:>22s}" for cell in row))
    steps = {B: step_counts(batches[B]) for B in BATCH_SIZES}
    print("\nSequential composition steps per batch (recursion: internal nodes; stack: "
          "transition steps; height: levels)")
    for B in BATCH_SIZES:
        print(f"   {B:6d} " + "  ".join(f"{m} {steps[B][m]:5d}" for m in METHODS))
    print("\nPreparing a batch (prepare_batch, once per batch): "
          + ", ".join(f"B={B}: {1000 * statistics.median(prepare[B]):.2f} ms"
                      for B in BATCH_SIZES))
    goal = median[(32, 256, "recursion", "forward+backward")] / min(
        median[(32, 256, m, "forward+backward")] for m in ("stack", "height"))
    print(f"\nGoal (best batched path >= 10x recursion at 256 trees, H = 32, forward + "
          f"backward): {goal:.1f}x")

    if not args.no_write:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "about": "Median CPU seconds (and wall seconds) per batch of nnlib.tree.TreeNet "
                     "(ListOps trees, 10 classes), by method, batch size, hidden size and "
                     "pass; written by benchmarks/tree.py. Remake with: python3 tasks.py "
                     "benchmark tree",
            "settings": {"batch_sizes": BATCH_SIZES, "hidden_sizes": HIDDEN_SIZES,
                         "methods": METHODS, "passes": PASSES, "rounds": args.rounds,
                         "blas_threads": 1, "data": "make_listops(512, [1, 2, 3, 4], "
                                                    "rng=default_rng(0))"},
            "machine": {"python": platform.python_version(), "numpy": np.__version__,
                        "processor": platform.machine()},
            "steps": {str(B): steps[B] for B in BATCH_SIZES},
            "prepare_seconds": {str(B): statistics.median(prepare[B]) for B in BATCH_SIZES},
            "results": results,
        }
        OUTPUT.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
