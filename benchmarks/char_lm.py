"""Notebook 10's character LSTM language model against PyTorch: one training update, sampling.

    .venv/bin/python tasks.py benchmark char_lm      (installs the CPU torch if missing)
    .venv/bin/python benchmarks/char_lm.py --repeats 5
    .venv/bin/python benchmarks/char_lm.py --quick --peers nnlib   (a smoke run, no torch)

Both contestants are the same network from the same start: ``nnlib.lstm.LSTM`` reading one-hot
characters (V = 96, the corpus's vocabulary; H = 64 units; ``head="softmax",
output="sequence"``), and ``torch.nn.LSTM`` + ``nn.Linear`` in float64 whose weights are
copied from the nnlib model (PyTorch orders the gate blocks i, f, g, o and has two biases: the
blocks are permuted and the second bias is zero). The first update's losses are compared, so a
mismatch in the copy cannot go unnoticed. Both train with Adam (learning rate 0.01) and
gradient-norm clipping at 1 on the same batches of 32 windows of 128 characters (notebook 10's
settings), full backpropagation through each window, on the CPU with one thread.

1. **Time per update** (forward, backward, clipping, Adam): the median over ``--steps``
   updates, runs interleaved (nnlib, pytorch, nnlib, ...), the median of the runs' medians.
2. **Characters per second when sampling** ``--chars`` characters one at a time after a
   priming text (``nnlib.charlm.sample``; for PyTorch the same loop: one LSTM step on the one-hot
   character with the carried state, the head, softmax, a draw).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course.charlm import SETTINGS, build_model, load_corpus, make_windows, one_hot_windows
from nnlib.charlm import sample
from nnlib.optim import Adam

TORCH_ORDER = (0, 1, 3, 2)  # torch's blocks i, f, g, o taken from nnlib's i, f, o, g
PRIME = "def "


def torch_copy(model):
    """nn.LSTM + nn.Linear (float64) holding exactly the weights of ``model``."""
    import torch

    V, H = model.input_size, model.hidden_size
    lstm = torch.nn.LSTM(V, H, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(H, V, dtype=torch.float64)

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


class NnlibContestant:
    def __init__(self, V: int, seed: int):
        self.model = build_model("lstm", V, SETTINGS["lstm_hidden"], seed)
        self.optimizer = Adam(SETTINGS["learning_rate"], clip_norm=SETTINGS["clip_norm"])

    def update(self, X, y) -> float:
        loss, grads = self.model._loss_and_grads(X, y)
        self.optimizer.update(self.model.params, grads)
        return loss

    def sample(self, prime_ids, length: int, seed: int) -> np.ndarray:
        return sample(self.model, prime_ids, length, rng=np.random.default_rng(seed))


class TorchContestant:
    def __init__(self, V: int, seed: int):
        import torch

        self.torch = torch
        self.lstm, self.head = torch_copy(build_model("lstm", V, SETTINGS["lstm_hidden"], seed))
        self.parameters = list(self.lstm.parameters()) + list(self.head.parameters())
        self.optimizer = torch.optim.Adam(self.parameters, lr=SETTINGS["learning_rate"])

    def update(self, X, y) -> float:
        torch = self.torch
        hidden, _ = self.lstm(torch.from_numpy(X))
        logits = self.head(hidden)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 torch.from_numpy(y).reshape(-1))
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.parameters, SETTINGS["clip_norm"])
        self.optimizer.step()
        return loss.item()

    def sample(self, prime_ids, length: int, seed: int) -> np.ndarray:
        torch = self.torch
        V = self.head.out_features
        generator = torch.Generator().manual_seed(seed)
        out = np.zeros(length, dtype=np.int64)
        with torch.no_grad():
            state = None
            x = torch.zeros(1, 1, V, dtype=torch.float64)
            for char in prime_ids:
                x.zero_()
                x[0, 0, int(char)] = 1.0
                hidden, state = self.lstm(x, state)
            for t in range(length):
                p = torch.softmax(self.head(hidden[0, -1]), dim=-1)
                out[t] = int(torch.multinomial(p, 1, generator=generator))
                x.zero_()
                x[0, 0, out[t]] = 1.0
                hidden, state = self.lstm(x, state)
        return out


CONTESTANTS = {"nnlib": NnlibContestant, "pytorch": TorchContestant}


def batches(steps: int, seed: int):
    """``steps`` batches of one-hot windows (32, 128, V) and their targets from the corpus."""
    corpus = load_corpus()
    inputs, targets = make_windows(corpus.train, SETTINGS["length"])
    rows = np.random.default_rng(seed).permutation(len(inputs))
    B = SETTINGS["batch_size"]
    V = corpus.vocabulary.size
    return V, [(one_hot_windows(inputs[rows[k * B:(k + 1) * B]], V),
                targets[rows[k * B:(k + 1) * B]]) for k in range(steps)]


def time_per_update(name: str, V: int, data, seed: int) -> tuple[float, float]:
    """Median seconds per update, and the first update's loss."""
    contestant = CONTESTANTS[name](V, seed)
    times, first = [], None
    for X, y in data:
        start = time.perf_counter()
        loss = contestant.update(X, y)
        times.append(time.perf_counter() - start)
        first = loss if first is None else first
    return statistics.median(times), first


def characters_per_second(name: str, V: int, prime_ids, chars: int, seed: int) -> float:
    contestant = CONTESTANTS[name](V, seed)
    start = time.perf_counter()
    contestant.sample(prime_ids, chars, seed)
    return chars / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per contestant (>= 1)")
    parser.add_argument("--steps", type=int, default=20, help="updates per timing run")
    parser.add_argument("--chars", type=int, default=2000, help="characters sampled per run")
    parser.add_argument("--peers", choices=("all", "nnlib"), default="all",
                        help="'nnlib' times nnlib alone (no torch needed)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1 repeat, 2 updates, 50 characters")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.steps, args.chars = 1, 2, 50
    names = list(CONTESTANTS) if args.peers == "all" else ["nnlib"]
    if "pytorch" in names:
        import torch

        torch.set_num_threads(1)
        print(f"torch {torch.__version__}, numpy {np.__version__}", flush=True)
    V, data = batches(args.steps, 0)
    print(f"character LSTM language model: V={V}, H={SETTINGS['lstm_hidden']}, batch "
          f"{SETTINGS['batch_size']} x {SETTINGS['length']} characters, float64, one thread",
          flush=True)
    medians = {name: [] for name in names}
    for repeat in range(args.repeats):
        losses = {}
        for name in names:
            seconds, losses[name] = time_per_update(name, V, data, repeat)
            medians[name].append(seconds)
        if len(losses) == 2 and abs(losses["nnlib"] - losses["pytorch"]) > 1e-9:
            raise SystemExit(f"the contestants start differently: first losses {losses}")
    update = {name: statistics.median(values) for name, values in medians.items()}
    line = ", ".join(f"{name} {1e3 * seconds:.1f} ms" for name, seconds in update.items())
    ratio = (f", pytorch / nnlib = {update['pytorch'] / update['nnlib']:.2f}"
             if len(update) == 2 else "")
    print(f"time per update: {line}{ratio}", flush=True)
    prime_ids = load_corpus().vocabulary.encode(PRIME)
    speeds = {name: statistics.median(characters_per_second(name, V, prime_ids, args.chars, r)
                                      for r in range(args.repeats)) for name in names}
    line = ", ".join(f"{name} {speed:.0f} characters/s" for name, speed in speeds.items())
    ratio = (f", nnlib / pytorch = {speeds['nnlib'] / speeds['pytorch']:.2f}"
             if len(speeds) == 2 else "")
    print(f"sampling: {line}{ratio}", flush=True)


if __name__ == "__main__":
    main()
