"""Notebook 11's transformer against the same network in PyTorch; sampling with and without the
key/value cache.

    .venv/bin/python tasks.py benchmark transformer      (installs the CPU torch if missing)
    .venv/bin/python benchmarks/transformer.py --steps 10 --repeats 3

1. **Time per update** (forward, backward, gradient clipping at 1, Adam) of the chapter's model
   (``course.transformer.SETTINGS``: V = 96, T = 64, D = 40, 4 heads, 2 layers, MLP 144;
   batches of 32 windows of the corpus), in ``nnlib.transformer.Transformer`` and in PyTorch
   (the same operations written with torch tensors, float64, weights copied from the nnlib
   model, ``torch.set_num_threads(1)``). The first update's losses are printed to show the
   same start. Runs interleaved (nnlib, pytorch, nnlib, ...); medians of the per-run medians.
2. **Sampling**: tokens per second of ``nnlib.transformer.sample`` with the key/value cache and
   without (rerunning the whole sequence per token), after a 4-character prime, at several
   lengths; interleaved, medians.

The machine may be shared: interleaving makes a busy machine slow both contestants alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course.charlm import load_corpus  # noqa: E402
from course.transformer import SETTINGS, build_transformer  # noqa: E402
from nnlib.data.text import make_windows  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.transformer import sample  # noqa: E402

BATCH = SETTINGS["batch_size"]


class NnlibTrainer:
    def __init__(self, V: int):
        self.model = build_transformer(V, 0)
        self.optimizer = Adam(SETTINGS["learning_rate"], clip_norm=SETTINGS["clip_norm"])

    def update(self, X, y) -> float:
        loss, grads = self.model._loss_and_grads(X, y)
        self.optimizer.update(self.model.params, grads)
        return loss


class TorchTrainer:
    def __init__(self, V: int):
        import torch

        self.torch = torch
        model = build_transformer(V, 0)
        self.config = model.config
        self.p = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
        self.optimizer = torch.optim.Adam(list(self.p.values()), lr=SETTINGS["learning_rate"])

    def loss(self, X, y):
        torch, F, p = self.torch, self.torch.nn.functional, self.p
        N, T = X.shape
        D, heads = self.config["embed_size"], self.config["heads"]
        H = p["token_embedding"][torch.from_numpy(X)] + p["position_embedding"][:T]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        for layer in range(self.config["layers"]):
            b = {k[len(f"block{layer}_"):]: v for k, v in p.items()
                 if k.startswith(f"block{layer}_")}
            a = F.layer_norm(H, (D,), b["ln1_gamma"], b["ln1_beta"], eps=1e-5)
            q, k, v = (a @ b["Wqkv"] + b["bqkv"]).split(D, dim=-1)
            q, k, v = (z.reshape(N, T, heads, D // heads).transpose(1, 2) for z in (q, k, v))
            scores = (q @ k.transpose(-1, -2) / (D // heads) ** 0.5).masked_fill(mask, -torch.inf)
            att = torch.softmax(scores, -1) @ v
            H = H + (att.transpose(1, 2).reshape(N, T, D) @ b["Wo"] + b["bo"])
            m = F.layer_norm(H, (D,), b["ln2_gamma"], b["ln2_beta"], eps=1e-5)
            H = H + (torch.relu(m @ b["W1"] + b["b1"]) @ b["W2"] + b["b2"])
        logits = F.layer_norm(H, (D,), p["lnf_gamma"], p["lnf_beta"], eps=1e-5) @ p["W_out"] \
            + p["b_out"]
        return F.cross_entropy(logits.reshape(N * T, -1), torch.from_numpy(y).reshape(-1))

    def update(self, X, y) -> float:
        loss = self.loss(X, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(list(self.p.values()), SETTINGS["clip_norm"])
        self.optimizer.step()
        return loss.item()


def time_per_update(cls, V, X, y, steps) -> tuple[float, float]:
    trainer = cls(V)
    times, first = [], None
    for k in range(steps):
        rows = slice(k * BATCH, (k + 1) * BATCH)
        start = time.perf_counter()
        loss = trainer.update(X[rows], y[rows])
        times.append(time.perf_counter() - start)
        first = loss if first is None else first
    return statistics.median(times), first


def main(steps: int, repeats: int, lengths: list[int]) -> None:
    import torch

    torch.set_num_threads(1)
    corpus = load_corpus()
    V = corpus.vocabulary.size
    X, y = make_windows(corpus.train[:BATCH * steps * SETTINGS["context_size"] + 1],
                        SETTINGS["context_size"])
    runs = {"nnlib": [], "pytorch": []}
    firsts = {}
    for _ in range(repeats):
        for name, cls in (("nnlib", NnlibTrainer), ("pytorch", TorchTrainer)):
            seconds, firsts[name] = time_per_update(cls, V, X, y, steps)
            runs[name].append(seconds)
    print(f"1. one update, batch {BATCH} x T = {SETTINGS['context_size']}, float64, one thread "
          f"({steps} updates x {repeats} interleaved runs, medians)")
    print(f"   first-update loss: nnlib {firsts['nnlib']:.12f}, pytorch {firsts['pytorch']:.12f}")
    medians = {name: statistics.median(times) for name, times in runs.items()}
    for name, value in medians.items():
        print(f"   {name:8s} {1000 * value:8.1f} ms per update")
    print(f"   nnlib / pytorch time ratio: {medians['nnlib'] / medians['pytorch']:.2f}")

    model = build_transformer(V, 0)
    prime = corpus.vocabulary.encode("def ")
    print("2. sampling after a 4-character prime, tokens per second (medians of "
          f"{repeats} interleaved runs)")
    for length in lengths:
        rates = {True: [], False: []}
        for _ in range(repeats):
            for use_cache in (True, False):
                start = time.perf_counter()
                ids = sample(model, prime, length, rng=np.random.default_rng(0),
                             use_cache=use_cache)
                rates[use_cache].append(length / (time.perf_counter() - start))
                rates.setdefault(("ids", use_cache), ids)
        assert np.array_equal(rates[("ids", True)], rates[("ids", False)])
        cached, full = statistics.median(rates[True]), statistics.median(rates[False])
        print(f"   {length:3d} tokens: cache {cached:8.0f}/s, no cache {full:8.0f}/s, "
              f"speed-up {cached / full:.1f}x (same tokens)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lengths", type=int, nargs="+", default=[15, 30, 60])
    arguments = parser.parse_args()
    main(arguments.steps, arguments.repeats, arguments.lengths)
