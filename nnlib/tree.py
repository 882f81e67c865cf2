"""A recursive (tree) network, and two ways to batch it: node heights and the shift-reduce stack.

Every leaf token has an embedding row ``E[token]`` (H,); every pair composes its children with
one shared layer, ``h = tanh([h_left; h_right] W + b)`` (Socher et al., 2013, with
``W`` (2H, H)); a softmax classifier reads the root, ``logits = h_root W_out + b_out``.

Three ways to compute the same numbers:

- **recursion** (``tree_forward`` / ``tree_backward``): one tree, one node at a time;
- **height** (``height_forward`` / ``height_backward``): all nodes of one height across the
  whole batch in one matrix product, as many steps as the tallest tree (the dynamic batching
  of TensorFlow Fold and DyNet);
- **stack** (``stack_forward`` / ``stack_backward``): SPINN's shift-reduce transitions run side
  by side; at every step the examples that reduce compose in one matrix product (2n - 1 steps
  for n leaves). Backward runs the transitions in reverse.

``prepare_batch`` (``nnlib.treebatch``) turns trees into the arrays both batched methods use.
Deliberately left out: the TreeLSTM cell and SPINN's tracker.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import tanh, tanh_slope
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax, softmax_cross_entropy
from nnlib.model import Model
from nnlib.treebatch import TreeBatch, embedding_backward, prepare_batch
from nnlib.treedata import is_tree, leaves
from nnlib.validation import check_choice, check_labels, check_number, check_rng

METHODS = ("height", "stack", "recursion")


# --- the composition layer: one reduce --------------------------------------------------------

def pairs_forward(X, W, b):
    """The composition on pairs already side by side: ``h = tanh(X W + b)``, ``X`` (..., 2H).

    Returns ``(h, cache)``; arrays are trusted (inner loop). ``X`` holds ``[h_left; h_right]``.
    """
    a, _ = affine_forward(X, W, b)
    h = tanh(a)
    return h, (X, W, h)


def pairs_backward(dh, cache):
    """Backward of ``pairs_forward``: returns ``(dX (..., 2H), dW (2H, H), db (H,))``.

    Notes
    -----
    da = dh (1 - h^2);  dX = da W^T;  dW = X^T da;  db = sum of da over the batch.
    """
    X, W, h = cache
    return affine_backward(dh * tanh_slope(h), (X, W))


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

def tree_forward(tree, params: dict, index: dict):
    """Encode one tree by recursion: returns ``(h_root, cache)``, ``h_root`` (H,)."""
    if isinstance(tree, str):
        token = index[tree]
        return params["E"][token], token
    h_left, cache_left = tree_forward(tree[0], params, index)
    h_right, cache_right = tree_forward(tree[1], params, index)
    h, cache = compose_forward(h_left, h_right, params["W"], params["b"])
    return h, (cache_left, cache_right, cache)


def tree_backward(dh, cache, grads: dict) -> None:
    """Backpropagation through structure: add the gradients of ``E``, ``W``, ``b`` to ``grads``.

    Each node passes the gradient it receives to its two children; shared weights and repeated
    tokens accumulate (+=) over every node where they were used.
    """
    if not isinstance(cache, tuple):  # a leaf: its token id
        grads["E"][cache] += dh
        return
    cache_left, cache_right, compose_cache = cache
    dh_left, dh_right, dW, db = compose_backward(dh, compose_cache)
    grads["W"] += dW
    grads["b"] += db
    tree_backward(dh_left, cache_left, grads)
    tree_backward(dh_right, cache_right, grads)


# --- batching by node height ------------------------------------------------------------------

def height_forward(batch: TreeBatch, params: dict):
    """Encode a prepared batch level by level: returns ``(roots (B, H), cache)``.

    Level k composes every node of height k in the batch at once; its children (lower levels)
    are ready. ``nodes[children]`` gathers each pair as (n, 2, H), i.e. ``[h_left; h_right]``.
    """
    E, W, b = params["E"], params["W"], params["b"]
    nodes = np.empty((batch.n_nodes, E.shape[1]))
    nodes[:batch.n_leaves] = E[batch.token_ids]
    caches = []
    for start, stop, children in batch.levels:
        X = nodes[children].reshape(stop - start, -1)
        nodes[start:stop], cache = pairs_forward(X, W, b)
        caches.append(cache)
    return nodes[batch.roots], (batch, nodes.shape, W.shape, caches)


def height_backward(droots, cache) -> dict:
    """Backward of ``height_forward``: gradients of ``E``, ``W``, ``b`` from ``droots`` (B, H)."""
    batch, shape, W_shape, caches = cache
    dnodes = np.zeros(shape)
    dnodes[batch.roots] = droots  # every tree has its own root row
    dW, db = np.zeros(W_shape), np.zeros(shape[1])
    for (start, stop, children), level_cache in zip(batch.levels[::-1], caches[::-1]):
        dX, dW_level, db_level = pairs_backward(dnodes[start:stop], level_cache)
        dW += dW_level
        db += db_level
        # Each node has one parent, so no row repeats within a level and += is safe here.
        dnodes[children] += dX.reshape(stop - start, 2, -1)
    return {"E": embedding_backward(dnodes[:batch.n_leaves], batch), "W": dW, "b": db}


# --- batching by shift-reduce transitions (SPINN) --------------------------------------------

def stack_forward(batch: TreeBatch, params: dict):
    """Run the transitions of a prepared batch side by side: returns ``(roots (B, H), cache)``.

    ``stack[i, k]`` is slot k of example i's stack. A shift writes the next token's embedding
    on top; a reduce composes the two top slots (k, k + 1) into slot k.
    """
    E, W, b = params["E"], params["W"], params["b"]
    stack = np.zeros((len(batch), batch.stack_depth, E.shape[1]))
    caches = []
    for shift_rows, shift_slots, shift_tokens, _, reduce_rows, reduce_slots in batch.steps:
        stack[shift_rows, shift_slots] = E[shift_tokens]
        if len(reduce_rows):
            X = stack[reduce_rows, reduce_slots].reshape(len(reduce_rows), -1)
            h, cache = pairs_forward(X, W, b)
            stack[reduce_rows[:, 0], reduce_slots[:, 0]] = h
            caches.append(cache)
        else:
            caches.append(None)
    return stack[:, 0].copy(), (batch, stack.shape, W.shape, caches)


def stack_backward(droots, cache) -> dict:
    """Backward of ``stack_forward``: the steps in reverse; gradients of ``E``, ``W``, ``b``."""
    batch, shape, W_shape, caches = cache
    dstack = np.zeros(shape)
    dstack[:, 0] = droots
    dleaves, dW, db = np.empty((batch.n_leaves, shape[2])), np.zeros(W_shape), np.zeros(shape[2])
    for step, step_cache in zip(batch.steps[::-1], caches[::-1]):
        shift_rows, shift_slots, _, shift_leaves, reduce_rows, reduce_slots = step
        if step_cache is not None:
            dX, dW_step, db_step = pairs_backward(
                dstack[reduce_rows[:, 0], reduce_slots[:, 0]], step_cache)
            dW += dW_step
            db += db_step
            # Before this reduce, slots k and k + 1 held the two children.
            dstack[reduce_rows, reduce_slots] = dX.reshape(len(reduce_rows), 2, -1)
        dleaves[shift_leaves] = dstack[shift_rows, shift_slots]
    return {"E": embedding_backward(dleaves, batch), "W": dW, "b": db}


ENCODERS = {"height": (height_forward, height_backward), "stack": (stack_forward, stack_backward)}


# --- the model --------------------------------------------------------------------------------

class TreeNet(Model):
    """Recursive network with a softmax classifier on the root (notebook 09).

    Parameters
    ----------
    vocab : list of str, the V distinct leaf tokens
    hidden_size : int >= 1, H
    n_classes : int >= 2, C
    rng : np.random.Generator, draws the starting parameters

    ``X`` is a list of N trees (``nnlib.treedata``) or a batch from ``prepare_batch``; ``y``
    holds N labels 0 .. C-1. The loss is the mean softmax cross-entropy over the trees (nats).
    Parameters: ``E`` (V, H) embeddings, ``W`` (2H, H) and ``b`` (H,) composition,
    ``W_out`` (H, C) and ``b_out`` (C,) classifier.
    """

    def __init__(self, vocab, hidden_size: int, n_classes: int, rng: np.random.Generator):
        if (not isinstance(vocab, (list, tuple)) or not vocab
                or not all(isinstance(t, str) and is_tree(t) for t in vocab)
                or len(set(vocab)) != len(vocab)):
            raise ValueError(f"vocab must be a non-empty list of distinct tokens (str without "
                             f"spaces), got {vocab!r:.80}.")
        self.vocab = list(vocab)
        self.index = {token: i for i, token in enumerate(self.vocab)}
        self.hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        self.n_classes = check_number("n_classes", n_classes, minimum=2, integer=True)
        check_rng(rng)
        H, C = self.hidden_size, self.n_classes
        self.params = {"E": rng.normal(0.0, 1.0, (len(vocab), H)) / np.sqrt(H),
                       "W": rng.normal(0.0, 1.0, (2 * H, H)) / np.sqrt(2 * H),
                       "b": np.zeros(H),
                       "W_out": rng.normal(0.0, 1.0, (H, C)) / np.sqrt(H),
                       "b_out": np.zeros(C)}

    @property
    def config(self) -> dict:
        return {"vocab": list(self.vocab), "hidden_size": self.hidden_size,
                "n_classes": self.n_classes}

    def check_inputs(self, X):
        if isinstance(X, TreeBatch):
            if X.vocab_size != len(self.vocab):
                raise ValueError(f"X was prepared for a vocabulary of {X.vocab_size} tokens; "
                                 f"this model has {len(self.vocab)}.")
            return X
        return self.prepare_batch(X)

    def check_targets(self, y, X):
        return check_labels("y", y, (len(X),), self.n_classes)

    def prepare_batch(self, trees) -> TreeBatch:
        """Check a list of trees and turn it into the arrays of both batched methods."""
        if not isinstance(trees, list):
            raise ValueError(f"trees must be a list of trees, got {type(trees).__name__}.")
        for i, tree in enumerate(trees):
            if not is_tree(tree):
                raise ValueError(f"trees[{i}] must be a tree: a token (str) or a pair (left, "
                                 f"right) of trees, got {tree!r:.80}.")
            unknown = [t for t in leaves(tree) if t not in self.index]
            if unknown:
                raise ValueError(f"trees[{i}] holds the token {unknown[0]!r}, which is not in "
                                 f"the vocabulary ({len(self.vocab)} tokens).")
        return prepare_batch(trees, self.index)

    def encode(self, tree) -> np.ndarray:
        """The root vector (H,) of one tree, by recursion."""
        self.prepare_batch([tree])  # checks the tree and its tokens
        return tree_forward(tree, self.params, self.index)[0]

    def encode_batch(self, batch_or_trees, method: str = "height") -> np.ndarray:
        """Root vectors (B, H) of a prepared batch or a list of trees, batched by ``method``."""
        check_choice("method", method, ("height", "stack"))
        batch = self.check_inputs(batch_or_trees)
        return ENCODERS[method][0](batch, self.params)[0]

    def loss_and_grads_by(self, X, y, method: str = "height"):
        """``loss_and_grads`` computed by "height", "stack" or "recursion" (same numbers)."""
        check_choice("method", method, METHODS)
        X = self.check_inputs(X)
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


__all__ = ["METHODS", "TreeBatch", "TreeNet", "compose_backward", "compose_forward",
           "height_backward", "height_forward", "pairs_backward", "pairs_forward",
           "prepare_batch", "stack_backward",
           "stack_forward", "tree_backward", "tree_forward"]
