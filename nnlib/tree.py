"""A recursive (tree) network, and two ways to batch it: node heights and the shift-reduce stack.

Every leaf token has an embedding row ``E[token]`` (H,); every pair composes its children with
one shared layer, ``h = tanh([h_left; h_right] W + b)`` (Socher et al., 2013, with
``W`` (2H, H)); a softmax classifier reads the root, ``logits = h_root W_out + b_out``.

Three ways to compute the same numbers: **recursion** (``tree_forward`` / ``tree_backward``
here: one tree, one node at a time), and the two batched encoders of ``nnlib.treebatch``,
**height** (all nodes of one height across the batch at once) and **stack** (SPINN's
shift-reduce transitions side by side), which run on the arrays ``prepare_batch`` makes.
Trees are checked at the model's door (``nnlib.data.trees.check_tree``: at most
``MAX_TREE_NODES`` nodes each, memory within nnlib's budget); the functions below trust them.
Deliberately left out: the TreeLSTM cell and SPINN's tracker.
"""

from __future__ import annotations

import numpy as np

from typing import NamedTuple

from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax, softmax_cross_entropy
from nnlib.model import Model
from nnlib.treebatch import (ENCODERS, PairsCache, TreeBatch, height_backward, height_forward,
                             pairs_backward, pairs_forward, prepare_batch, stack_backward,
                             stack_forward)
from nnlib.data.trees import check_tree, is_tree
from nnlib.validation import (check_choice, check_labels, check_memory, check_number,
                              check_rng)

METHODS = ("height", "stack", "recursion")
#: The tallest tree the recursive path (``tree_forward``, Python recursion) accepts; the batched
#: methods take any height.
MAX_RECURSION_HEIGHT = 500


# --- the composition layer: one reduce --------------------------------------------------------

def compose_forward(h_left, h_right, W, b):
    """One reduce: ``h = tanh([h_left; h_right] W + b)`` for one pair (H,) or a batch (N, H).

    Returns ``(h, cache)``, ``h`` with the shape of ``h_left``; arrays are trusted (inner loop).
    """
    return pairs_forward(np.concatenate((h_left, h_right), axis=-1), W, b)


def compose_backward(dh, cache):
    """Backward of ``compose_forward``: returns ``(dh_left, dh_right, dW, db)``.

    ``dX = da W^T`` has the left child's gradient in its first H columns, the right's after.
    """
    dX, dW, db = pairs_backward(dh, cache)
    half = dX.shape[-1] // 2
    return dX[..., :half], dX[..., half:], dW, db


# --- recursion --------------------------------------------------------------------------------

class NodeCache(NamedTuple):
    """The cache of one pair: its children's caches (a leaf's is its token id) and its own."""
    left: object
    right: object
    compose: PairsCache


def tree_forward(tree, params: dict, index: dict):
    """Encode one tree by recursion: returns ``(h_root, cache)``, ``h_root`` (H,); the cache
    mirrors the tree (``NodeCache`` per pair, the token id per leaf)."""
    if isinstance(tree, str):
        token = index[tree]
        return params["E"][token], token
    h_left, cache_left = tree_forward(tree[0], params, index)
    h_right, cache_right = tree_forward(tree[1], params, index)
    h, cache = compose_forward(h_left, h_right, params["W"], params["b"])
    return h, NodeCache(cache_left, cache_right, cache)


def tree_backward(dh, cache, grads: dict) -> None:
    """Backpropagation through structure: add the gradients of ``E``, ``W``, ``b`` to ``grads``.

    Each node passes the gradient it receives to its two children; shared weights and repeated
    tokens accumulate (+=) over every node where they were used.
    """
    if not isinstance(cache, tuple):  # a leaf: its token id
        grads["E"][cache] += dh
        return
    dh_left, dh_right, dW, db = compose_backward(dh, cache.compose)
    grads["W"] += dW
    grads["b"] += db
    tree_backward(dh_left, cache.left, grads)
    tree_backward(dh_right, cache.right, grads)


# --- the model --------------------------------------------------------------------------------

class TreeNet(Model):
    """Recursive network with a softmax classifier on the root (notebook 09).

    Parameters
    ----------
    vocab : list of str, the V distinct leaf tokens
    hidden_size : int >= 1, H
    output_size : int >= 2, C, the number of classes
    rng : np.random.Generator (keyword-only), draws the starting parameters

    ``X`` is a list of N trees (``nnlib.data.trees``) or a batch from ``prepare_batch``; ``y``
    holds N labels 0 .. C-1. The loss is the mean softmax cross-entropy over the N trees (nats);
``predict_proba`` is (N, C).
    Parameters: ``E`` (V, H) embeddings, ``W`` (2H, H) and ``b`` (H,) composition,
    ``W_out`` (H, C) and ``b_out`` (C,) classifier.
    """

    def __init__(self, vocab, hidden_size: int, output_size: int, *, rng: np.random.Generator):
        if (not isinstance(vocab, (list, tuple)) or not vocab
                or not all(isinstance(t, str) and is_tree(t) for t in vocab)
                or len(set(vocab)) != len(vocab)):
            raise ValueError(f"vocab must be a non-empty list of distinct tokens (str without "
                             f"spaces), got {vocab!r:.80}.")
        self.vocab = list(vocab)
        self.index = {token: i for i, token in enumerate(self.vocab)}
        self.hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        self.output_size = check_number("output_size", output_size, minimum=2, integer=True)
        check_rng(rng)
        H, C = self.hidden_size, self.output_size
        check_memory("the parameters", len(vocab) * H + 2 * H * H + H + H * C + C,
                     "hidden_size")
        self.params = {"E": rng.normal(0.0, 1.0, (len(vocab), H)) / np.sqrt(H),
                       "W": rng.normal(0.0, 1.0, (2 * H, H)) / np.sqrt(2 * H),
                       "b": np.zeros(H),
                       "W_out": rng.normal(0.0, 1.0, (H, C)) / np.sqrt(H),
                       "b_out": np.zeros(C)}

    @property
    def config(self) -> dict:
        return {"vocab": list(self.vocab), "hidden_size": self.hidden_size,
                "output_size": self.output_size}

    def check_inputs(self, X):
        if isinstance(X, TreeBatch):
            if X.vocab_size != len(self.vocab):
                raise ValueError(f"X was prepared for a vocabulary of {X.vocab_size} tokens; "
                                 f"this model has {len(self.vocab)}.")
            return X
        return self.prepare_batch(X)

    def check_targets(self, y, X):
        return check_labels("y", y, (len(X),), self.output_size)

    def prepare_batch(self, trees) -> TreeBatch:
        """Check a list of trees and turn it into the arrays of both batched methods."""
        if not isinstance(trees, list):
            raise ValueError(f"trees must be a list of trees, got {type(trees).__name__}.")
        nodes = 0
        for i, tree in enumerate(trees):
            count, tokens = check_tree(f"trees[{i}]", tree)
            nodes += count
            unknown = sorted(tokens.difference(self.index))
            if unknown:
                raise ValueError(f"trees[{i}] holds the token {unknown[0]!r:.40}, which is not "
                                 f"in the vocabulary ({len(self.vocab)} tokens).")
        # The node vectors and the layer caches hold about 4 numbers per node and hidden unit.
        check_memory(f"the vectors of {nodes} tree nodes", 4 * nodes * self.hidden_size,
                     "the number of trees (or hidden_size)")
        return prepare_batch(trees, self.index)

    def _check_method(self, batch: TreeBatch, method: str) -> None:
        if method == "stack":
            check_memory("the stacks", 3 * len(batch) * batch.stack_depth * self.hidden_size,
                         "the number of trees (or use method='height')")
        elif method == "recursion":
            tallest = len(batch.levels)  # one level per height: the tallest tree's height
            if tallest > MAX_RECURSION_HEIGHT:
                raise ValueError(f"method='recursion' follows each tree by Python recursion and "
                                 f"takes trees of height up to MAX_RECURSION_HEIGHT = "
                                 f"{MAX_RECURSION_HEIGHT}; a tree here has height {tallest}: use "
                                 f"method='height' or 'stack' (the same numbers, any height).")

    def encode(self, tree) -> np.ndarray:
        """The root vector (H,) of one tree, by recursion."""
        self._check_method(self.prepare_batch([tree]), "recursion")
        return tree_forward(tree, self.params, self.index)[0]

    def encode_batch(self, batch_or_trees, method: str = "height") -> np.ndarray:
        """Root vectors (B, H) of a prepared batch or a list of trees, batched by ``method``."""
        check_choice("method", method, ("height", "stack"))
        batch = self.check_inputs(batch_or_trees)
        self._check_method(batch, method)
        return ENCODERS[method][0](batch, self.params)[0]

    def loss_and_grads_by(self, X, y, method: str = "height"):
        """``loss_and_grads`` computed by "height", "stack" or "recursion" (same numbers)."""
        check_choice("method", method, METHODS)
        X = self.check_inputs(X)
        self._check_method(X, method)
        return self._loss_and_grads(X, self.check_targets(y, X), method)

    def _loss_and_grads(self, X, y, method: str = "height"):
        batch = X if isinstance(X, TreeBatch) else prepare_batch(X, self.index)
        if method == "recursion":
            forwards = [tree_forward(tree, self.params, self.index) for tree in batch.trees]
            roots = np.array([h for h, _ in forwards]).reshape(len(batch), self.hidden_size)
        else:
            roots, cache = ENCODERS[method][0](batch, self.params)
        logits, head_cache = affine_forward(roots, self.params["W_out"], self.params["b_out"])
        loss, dlogits = softmax_cross_entropy(logits, y)
        droots, dW_out, db_out = affine_backward(dlogits, head_cache)
        if method == "recursion":
            grads = {key: np.zeros_like(self.params[key]) for key in ("E", "W", "b")}
            for (_, tree_cache), dh in zip(forwards, droots):
                tree_backward(dh, tree_cache, grads)
        else:
            grads = ENCODERS[method][1](droots, cache)
        grads.update(W_out=dW_out, b_out=db_out)
        return loss, grads

    def _loss(self, X, y) -> float:
        return softmax_cross_entropy(self._logits(X), y)[0]

    def _logits(self, X) -> np.ndarray:
        batch = X if isinstance(X, TreeBatch) else prepare_batch(X, self.index)
        roots, _ = height_forward(batch, self.params)
        return affine_forward(roots, self.params["W_out"], self.params["b_out"])[0]

    def _predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, C)."""
        return softmax(self._logits(X))


__all__ = ["ENCODERS", "MAX_RECURSION_HEIGHT", "METHODS", "NodeCache", "TreeBatch", "TreeNet",
           "compose_backward", "compose_forward", "height_backward", "height_forward",
           "pairs_backward", "pairs_forward", "prepare_batch", "stack_backward", "stack_forward",
           "tree_backward", "tree_forward"]
