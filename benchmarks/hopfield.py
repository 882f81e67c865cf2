"""Benchmark: Hopfield recall in nnlib, a batch of probes at once against one probe at a time.

Run it with ``python3 tasks.py benchmark hopfield`` (one BLAS thread). Three measurements, each
repeated in interleaved rounds (A, B, A, B, ...) so that a slow moment of the shared machine hits
every contender alike; the medians are reported.

1. Probes recalled per second: N = 500 units, P = 50 random patterns (load 0.1), B = 200 probes
   with 10 % of their bits flipped, recalled until they settle, asynchronously (one random order
   per sweep, shared by the batch) and synchronously. Batched: one ``nnlib.hopfield.recall`` call
   for all 200 probes (one (N,) x (N, B) product per unit, settled probes dropped from later
   sweeps). One at a time: 200 calls with one probe each. Both give the same states (checked).
2. The capacity experiment of notebook 08 for N = 500: loads 0.02 to 0.30 in steps of 0.02, at
   least 60 recalled patterns per load, 10 % noise (``capacity_experiment``), wall and CPU
   seconds. Target: <= 5 s.
3. The modern network at P = 10 N (N = 100, P = 1000): probes recalled per second by one step of
   ``modern_recall`` for a batch of 200 and one probe at a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnlib import set_blas_threads  # noqa: E402
from nnlib.hopfield import flip_bits, hebbian_weights, modern_recall, recall  # noqa: E402
from course.hopfield import capacity_experiment  # noqa: E402

NUM_UNITS, NUM_PATTERNS, NUM_PROBES, NOISE = 500, 50, 200, 0.1


def setup(seed):
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(NUM_PATTERNS, NUM_UNITS))
    probes = flip_bits(X[rng.integers(0, NUM_PATTERNS, NUM_PROBES)], NOISE, rng)
    return hebbian_weights(X), probes


def batched(W, probes, mode, seed):
    start = time.perf_counter()
    out = recall(W, probes, np.random.default_rng(seed), mode=mode)
    return time.perf_counter() - start, out


def one_at_a_time(W, probes, mode, seed):
    start = time.perf_counter()
    out = np.array([recall(W, probe, np.random.default_rng(seed), mode=mode) for probe in probes])
    return time.perf_counter() - start, out


def capacity_run(seed):
    start, cpu_start = time.perf_counter(), time.process_time()
    capacity_experiment(500, np.arange(0.02, 0.301, 0.02), NOISE, np.random.default_rng(seed),
                        min_probes=60)
    return time.perf_counter() - start, time.process_time() - cpu_start


def modern_runs(seed):
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(1000, 100))
    probes = flip_bits(X[:NUM_PROBES], NOISE, rng)
    start = time.perf_counter()
    batch = modern_recall(X, probes, 0.5)
    middle = time.perf_counter()
    single = np.array([modern_recall(X, probe, 0.5) for probe in probes])
    end = time.perf_counter()
    assert np.allclose(batch, single, rtol=1e-12, atol=1e-12)
    return middle - start, end - middle


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    set_blas_threads(1)
    W, probes = setup(args.seed)

    print(f"1. Probes recalled per second: N = {NUM_UNITS}, P = {NUM_PATTERNS}, "
          f"B = {NUM_PROBES} probes, {NOISE:.0%} noise; {args.rounds} interleaved rounds, "
          f"medians, 1 BLAS thread")
    for mode in ("async", "sync"):
        times = {"batched": [], "one at a time": []}
        for _ in range(args.rounds):
            seconds_b, out_b = batched(W, probes, mode, args.seed)
            seconds_o, out_o = one_at_a_time(W, probes, mode, args.seed)
            assert np.array_equal(out_b, out_o), "batched and one-at-a-time recall disagree"
            times["batched"].append(seconds_b)
            times["one at a time"].append(seconds_o)
        median = {name: statistics.median(values) for name, values in times.items()}
        for name, values in times.items():
            print(f"   {mode:5s} {name:14s} {NUM_PROBES / median[name]:10.0f} probes/s   runs (s): "
                  f"{', '.join(f'{v:.3f}' for v in values)}")
        print(f"   {mode:5s} batched / one at a time: "
              f"{median['one at a time'] / median['batched']:.1f}x faster")

    runs = [capacity_run(args.seed + r) for r in range(max(3, args.rounds // 2))]
    print(f"\n2. Capacity experiment, N = 500, 15 loads, >= 60 probes each: median "
          f"{statistics.median(r[0] for r in runs):.2f} s wall, "
          f"{statistics.median(r[1] for r in runs):.2f} s CPU (target <= 5 s; wall time "
          f"grows when other processes share the cores); runs (wall/CPU s): "
          f"{', '.join(f'{w:.2f}/{c:.2f}' for w, c in runs)}")

    pairs = [modern_runs(args.seed + r) for r in range(args.rounds)]
    batch_s = statistics.median(p[0] for p in pairs)
    single_s = statistics.median(p[1] for p in pairs)
    print(f"\n3. Modern network, N = 100, P = 1000, one step: batched "
          f"{NUM_PROBES / batch_s:.0f} probes/s, one at a time {NUM_PROBES / single_s:.0f} "
          f"probes/s ({single_s / batch_s:.1f}x)")


if __name__ == "__main__":
    main()
