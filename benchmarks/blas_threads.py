"""Benchmark: notebook 03's longest cell under a plain `jupyter lab`, on a busy machine.

A learner who opens the notebooks in a plain JupyterLab or Binder gets no OPENBLAS_NUM_THREADS
from tasks.py. Before nnlib capped the pool, OpenBLAS started one thread per core, and on a
loaded two-core machine notebook 03's 10 000-epoch cell ran for minutes instead of seconds. This
script measures that cell's work (the tutorial's 2-25-50-50-25-1 network, full-batch gradient
descent, learning rate 0.01, ``--epochs`` epochs) in fresh Python processes with no BLAS
variables set, while ``--load`` busy processes keep the cores occupied:

- "nnlib default": importing nnlib limits the BLAS pool to one thread (threadpoolctl);
- "uncapped": ``NNLIB_BLAS_THREADS`` set to the number of cores, which is what OpenBLAS chose
  by itself before the cap.

Rounds are interleaved (default, uncapped, default, ...) and the medians printed. Run it with
``python3 tasks.py benchmark blas_threads`` (tasks.py sets one BLAS thread for its own runs, so
this script removes the BLAS variables for the processes it times).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                  "NNLIB_BLAS_THREADS")

CELL = """
import time
import numpy as np
import nnlib
from nnlib.data import make_moons, train_test_split
from threadpoolctl import threadpool_info
X, y = make_moons(1000, noise=0.2, seed=100)
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
model = nnlib.MLP(nnlib.make_architecture([2, 25, 50, 50, 25, 1], "relu"),
                  rng=np.random.default_rng(0))
start = time.perf_counter()
nnlib.fit(model, X_train, y_train, nnlib.SGD(0.01), epochs={epochs}, record_every={epochs})
threads = max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
print(time.perf_counter() - start, threads)
"""


def _spin(stop_at: float) -> None:
    while time.time() < stop_at:
        pass


def _run(epochs: int, threads: int | None) -> tuple[float, int]:
    env = {key: value for key, value in os.environ.items() if key not in BLAS_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    if threads is not None:
        env["NNLIB_BLAS_THREADS"] = str(threads)
    out = subprocess.run([sys.executable, "-c", CELL.format(epochs=epochs)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2,
                        help="busy processes running alongside (default: one per core)")
    args = parser.parse_args()
    cores = os.cpu_count() or 2
    times: dict[str, list[float]] = {"nnlib default": [], "uncapped": []}
    seen: dict[str, int] = {}
    budget = time.time() + 3600
    load = [multiprocessing.Process(target=_spin, args=(budget,), daemon=True)
            for _ in range(args.load)]
    for process in load:
        process.start()
    try:
        for _ in range(args.rounds):
            for label, threads in (("nnlib default", None), ("uncapped", cores)):
                seconds, used = _run(args.epochs, threads)
                times[label].append(seconds)
                seen[label] = used
    finally:
        for process in load:
            process.terminate()
    print(f"notebook 03's tutorial cell, {args.epochs} epochs, {args.load} busy processes on "
          f"{cores} cores, medians of {args.rounds} interleaved rounds:")
    base = statistics.median(times["nnlib default"])
    for label, values in times.items():
        median = statistics.median(values)
        print(f"  {label:<14} BLAS threads {seen[label]}: {median:7.2f} s "
              f"({median / base:.1f}x nnlib default); per 10 000 epochs "
              f"{median * 10_000 / args.epochs:.0f} s")


if __name__ == "__main__":
    main()
