"""The LSTM of notebook 07 against PyTorch's nn.LSTM: time per update, time to solve.

    .venv/bin/python tasks.py benchmark lstm      (installs the CPU torch if missing)
    .venv/bin/python benchmarks/lstm.py --repeats 5 --seeds 10

Both contestants are the same network from the same start: ``nnlib.lstm.LSTM`` with 16 units
and a regression head on the last step (``head="regression", output="last"``), and
``torch.nn.LSTM`` + ``nn.Linear`` in float64 whose weights are copied from the nnlib model
(PyTorch orders the gate blocks i, f, g, o and has two biases: the blocks are permuted and the
second bias is zero). Both train with Adam (learning rate 0.01) and gradient-norm clipping at 1,
on the same minibatches of 64 sequences, on the CPU with one thread
(``torch.set_num_threads(1)``, like the one BLAS thread nnlib uses).

1. **Time per update at equal work** (forward, backward, clipping, Adam on the same minibatch
   from the same weights) at T = 20 and T = 50: the median over ``--steps`` updates, runs
   interleaved (nnlib, pytorch, nnlib, ...), medians of the ``--repeats`` runs.
2. **Time to solve** the adding problem at T = 50 (notebook 07's lag experiment: 1024 training
   and 256 validation sequences, the validation MSE checked after every epoch of 16 updates,
   solved below 0.01), for ``--seeds`` seeds (10 by default): each seed's data, start and
   minibatches are the same for both, so both make (nearly) the same updates and the race is
   one of speed. The clock runs only while training; the checks are left out. The table gives
   the median over the seeds that both solved, with the updates they needed.

Runs are interleaved so that a busy machine slows both alike; the table reports medians and the
ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course.lstm import ADDING_SETTINGS
from nnlib.data.lagtasks import adding_problem
from nnlib.lstm import LSTM
from nnlib.optim import Adam

HIDDEN = ADDING_SETTINGS["hidden_size"]
BATCH = ADDING_SETTINGS["batch_size"]
TORCH_ORDER = (0, 1, 3, 2)  # torch's blocks i, f, g, o taken from nnlib's i, f, o, g


def nnlib_model(seed: int) -> LSTM:
    return LSTM(2, HIDDEN, rng=np.random.default_rng(seed), head="regression", output="last")


def torch_copy(model: LSTM):
    """nn.LSTM + nn.Linear (float64) holding exactly the weights of ``model``."""
    import torch

    H = HIDDEN
    lstm = torch.nn.LSTM(2, H, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(H, 1, dtype=torch.float64)

    def blocks(array):  # (..., 4H) in nnlib's order -> torch's order
        return np.concatenate([array[..., k * H:(k + 1) * H] for k in TORCH_ORDER], axis=-1)

    p = model.params
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(blocks(p["Wx"]).T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(blocks(p["Wh"]).T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(blocks(p["b"])))
        lstm.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(p["V"].T.copy()))
        head.bias.copy_(torch.from_numpy(p["c"]))
    return lstm, head


class NnlibTrainer:
    def __init__(self, seed: int):
        self.model = nnlib_model(seed)
        self.optimizer = Adam(ADDING_SETTINGS["learning_rate"],
                              clip_norm=ADDING_SETTINGS["clip_norm"])

    def update(self, X, y) -> float:
        loss, grads = self.model._loss_and_grads(X, y)
        self.optimizer.update(self.model.params, grads)
        return loss

    def mse(self, X, y) -> float:
        return self.model._loss(X, y)


class TorchTrainer:
    def __init__(self, seed: int):
        import torch

        self.torch = torch
        self.lstm, self.head = torch_copy(nnlib_model(seed))
        self.parameters = list(self.lstm.parameters()) + list(self.head.parameters())
        self.optimizer = torch.optim.Adam(self.parameters, lr=ADDING_SETTINGS["learning_rate"])

    def _predict(self, X):
        hidden, _ = self.lstm(X)
        return self.head(hidden[:, -1])

    def update(self, X, y) -> float:
        loss = self.torch.mean((self._predict(self.torch.from_numpy(X))
                                - self.torch.from_numpy(y)) ** 2)
        self.optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.parameters, ADDING_SETTINGS["clip_norm"])
        self.optimizer.step()
        return loss.item()

    def mse(self, X, y) -> float:
        with self.torch.no_grad():
            return float(self.torch.mean((self._predict(self.torch.from_numpy(X))
                                          - self.torch.from_numpy(y)) ** 2))


CONTESTANTS = {"nnlib": NnlibTrainer, "pytorch": TorchTrainer}


def time_per_update(name: str, T: int, steps: int, seed: int) -> float:
    trainer = CONTESTANTS[name](seed)
    X, y = adding_problem(BATCH * steps, T, np.random.default_rng([seed, 5]))
    times = []
    for k in range(steps):
        batch = slice(k * BATCH, (k + 1) * BATCH)
        start = time.perf_counter()
        trainer.update(X[batch], y[batch])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_to_solve(name: str, T: int, seed: int, max_epochs: int = 60):
    s = ADDING_SETTINGS
    data_rng = np.random.default_rng([seed, 1])
    X, y = adding_problem(s["n_train"], T, data_rng)
    X_val, y_val = adding_problem(s["n_val"], T, data_rng)
    order_rng = np.random.default_rng([seed, 2])
    trainer = CONTESTANTS[name](seed)
    clock, updates = 0.0, 0
    for _ in range(max_epochs):
        order = order_rng.permutation(len(X))
        start = time.perf_counter()
        for first in range(0, len(X), BATCH):
            rows = order[first:first + BATCH]
            trainer.update(X[rows], y[rows])
            updates += 1
        clock += time.perf_counter() - start
        if trainer.mse(X_val, y_val) < s["solved_mse"]:
            return clock, updates
    return float("inf"), updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timing runs per contestant (>= 3)")
    parser.add_argument("--steps", type=int, default=40, help="updates per timing run")
    parser.add_argument("--seeds", type=int, default=10, help="seeds of the race to solve (>= 10)")
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1 (10 for the reported medians)")

    import torch

    torch.set_num_threads(1)
    print(f"LSTM, H={HIDDEN}, batch {BATCH}, float64, one thread; torch {torch.__version__}, "
          f"numpy {np.__version__}", flush=True)
    for T in (20, 50):
        medians = {name: [] for name in CONTESTANTS}
        for repeat in range(args.repeats):
            for name in CONTESTANTS:
                medians[name].append(time_per_update(name, T, args.steps, repeat))
        nn, pt = (statistics.median(medians[name]) for name in CONTESTANTS)
        print(f"time per update at equal work, T={T}: nnlib {1e3 * nn:.2f} ms, pytorch "
              f"{1e3 * pt:.2f} ms, pytorch / nnlib = {pt / nn:.2f}", flush=True)
    seconds = {name: [] for name in CONTESTANTS}
    updates = {name: [] for name in CONTESTANTS}
    for seed in range(args.seeds):
        for name in CONTESTANTS:
            took, made = time_to_solve(name, 50, seed)
            seconds[name].append(took)
            updates[name].append(made)
            print(f"  solve T=50, seed {seed} {name:>8}: {took:7.2f} s, {made} updates", flush=True)
    both = [k for k in range(args.seeds)
            if all(np.isfinite(seconds[name][k]) for name in CONTESTANTS)]
    solved = {name: sum(np.isfinite(seconds[name])) for name in CONTESTANTS}
    if not both:
        print(f"time to solve the adding problem at T=50: no seed solved by both "
              f"(solved: {solved})", flush=True)
        return
    nn, pt = (statistics.median(seconds[name][k] for k in both) for name in CONTESTANTS)
    nn_updates, pt_updates = (statistics.median(updates[name][k] for k in both)
                              for name in CONTESTANTS)
    print(f"time to solve the adding problem at T=50, median over the {len(both)} of "
          f"{args.seeds} seeds both solved (nnlib solved {solved['nnlib']}, pytorch "
          f"{solved['pytorch']}): nnlib {nn:.2f} s ({nn_updates:g} updates), pytorch {pt:.2f} s "
          f"({pt_updates:g} updates), pytorch / nnlib = {pt / nn:.2f}", flush=True)


if __name__ == "__main__":
    main()
