"""A batch of trees as index arrays, and the two batched encoders that run on them.

``prepare_batch(trees, index)`` walks B trees once, as SPINN's data pipeline prepares the
transitions before training, and returns a ``TreeBatch``: the leaves' token ids, the internal
nodes numbered by height (one ``Level`` of rows per height) and, per transition step, the
examples that shift and those that reduce (a ``StackStep``). The encoders only index it:
**height** (``height_forward``/``_backward``: all nodes of one height across the batch in one
product, as many steps as the tallest tree; the dynamic batching of TensorFlow Fold and DyNet)
and **stack** (``stack_forward``/``_backward``: SPINN's transitions side by side, 2n - 1 steps
for n leaves; backward runs them in reverse). Both use the composition layer on pairs already
side by side (``pairs_forward``); the recursion and the model are in ``nnlib.tree``. Caches are
named tuples. Deliberately left out: padding to fixed shapes (NumPy needs none), the tracker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nnlib.activations import tanh, tanh_slope
from nnlib.layers import affine_backward, affine_forward


class Level(NamedTuple):
    """The nodes of one height: rows ``start`` .. ``stop - 1`` of the node table, and
    ``children`` (n, 2) int, the rows of their left and right children."""
    start: int
    stop: int
    children: np.ndarray


class StackStep(NamedTuple):
    """One transition step of the batch: the examples that shift (into which stack slot, which
    token, which leaf row), and those that reduce, ``reduce_rows`` (n, 1) and ``reduce_slots``
    (n, 2), slots k and k + 1, composed into slot k."""
    shift_rows: np.ndarray
    shift_slots: np.ndarray
    shift_tokens: np.ndarray
    shift_leaves: np.ndarray
    reduce_rows: np.ndarray
    reduce_slots: np.ndarray


@dataclass
class TreeBatch:
    """B trees turned into the index arrays of the two batched encoders.

    Node table: rows 0 .. L-1 are the leaves (tree by tree, left to right), then the internal
    nodes sorted by height. Attributes:

    trees : list of the B trees; vocab_size : V; n_leaves : L; n_nodes : all nodes
    token_ids : ndarray of int, shape (L,), each leaf's token
    levels : list of ``Level``, one per height 1, 2, ...
    roots : ndarray of int, shape (B,), each tree's root row
    steps : list of ``StackStep``, one per transition step
    stack_depth : int, the most slots any stack uses
    leaf_order, token_starts, tokens_present : the leaves sorted by token, where each present
        token's run starts, and those tokens (for summing the embedding gradient in one call)
    """

    trees: list
    vocab_size: int
    n_leaves: int
    n_nodes: int
    token_ids: np.ndarray
    levels: list
    roots: np.ndarray
    steps: list
    stack_depth: int
    leaf_order: np.ndarray
    token_starts: np.ndarray
    tokens_present: np.ndarray

    def __len__(self) -> int:
        return len(self.trees)

    def __getitem__(self, i):
        return self.trees[i]

    def __repr__(self) -> str:
        return (f"TreeBatch({len(self)} trees, {self.n_nodes} nodes, {len(self.levels)} "
                f"height steps, {len(self.steps)} transition steps)")


def prepare_batch(trees: list, index: dict) -> TreeBatch:
    """Turn a list of trees (already checked: ``TreeNet.prepare_batch`` is the public door) into
    a ``TreeBatch``; ``index`` maps token -> id. No recursion: any height works."""
    token_ids: list[int] = []
    internal: list[tuple[int, int, int]] = []  # (left ref, right ref, height)
    moves: list[bool] = []                     # the transitions, True = shift, tree after tree

    def visit(tree) -> tuple[int, int]:  # (ref, height); a leaf ref >= 0, an internal ref < 0
        # Post-order with an explicit stack (no recursion limit): left subtree, right, the pair.
        stack, done = [(tree, False)], []
        while stack:
            node, expanded = stack.pop()
            if isinstance(node, str):
                token_ids.append(index[node])
                moves.append(True)
                done.append((len(token_ids) - 1, 0))
            elif expanded:
                (left, h_left), (right, h_right) = done[-2], done[-1]
                del done[-2:]
                height = 1 + (h_left if h_left > h_right else h_right)
                internal.append((left, right, height))
                moves.append(False)
                done.append((-len(internal), height))
            else:
                stack.extend(((node, True), (node[1], False), (node[0], False)))
        return done[0]

    root_refs, lengths = [], []
    for tree in trees:
        before = len(moves)
        root_refs.append(visit(tree)[0])
        lengths.append(len(moves) - before)
    root_refs = np.array(root_refs, dtype=np.int64)
    n_leaves = len(token_ids)
    table = np.array(internal, dtype=np.int64).reshape(-1, 3)
    order = np.argsort(table[:, 2], kind="stable")
    row_of_internal = np.empty(len(table), dtype=np.int64)
    row_of_internal[order] = n_leaves + np.arange(len(table))

    def rows(refs):
        if not len(table):
            return refs
        return np.where(refs >= 0, refs, row_of_internal[np.where(refs < 0, -refs - 1, 0)])

    heights = table[order, 2]
    levels = []
    for level in range(1, int(heights.max(initial=0)) + 1):
        start, stop = np.searchsorted(heights, [level, level + 1])
        if stop > start:
            chosen = table[order[start:stop]]
            levels.append(Level(n_leaves + int(start), n_leaves + int(stop),
                           np.stack([rows(chosen[:, 0]), rows(chosen[:, 1])], axis=1)))
    token_ids = np.array(token_ids, dtype=np.int64)
    steps, stack_depth = _stack_schedule(np.array(moves, dtype=bool),
                                         np.array(lengths, dtype=np.int64), token_ids)
    leaf_order = np.argsort(token_ids, kind="stable")
    tokens_present, token_starts = np.unique(token_ids[leaf_order], return_index=True)
    return TreeBatch(list(trees), len(index), n_leaves, n_leaves + len(table), token_ids, levels,
                     rows(root_refs), steps, stack_depth, leaf_order, token_starts,
                     tokens_present)


def embedding_backward(dleaves, batch: TreeBatch) -> np.ndarray:
    """Gradient (V, H) of the embedding table from the leaves' gradients ``dleaves`` (L, H).

    A token used at many leaves receives the sum of their gradients (in one ``reduceat`` over
    the leaves sorted by token, the same sums as ``np.add.at(dE, token_ids, dleaves)``).
    """
    dE = np.zeros((batch.vocab_size, dleaves.shape[1]))
    if batch.n_leaves:
        dE[batch.tokens_present] = np.add.reduceat(dleaves[batch.leaf_order], batch.token_starts)
    return dE


def _stack_schedule(moves, lengths, token_ids):
    # For every step t: which examples shift (slot, token, leaf) and which reduce (slot pair).
    # moves: (M,) bool, True = shift, tree after tree; lengths: (B,) transitions per tree.
    example = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    t = np.arange(len(moves)) - starts[example]
    delta = np.where(moves, 1, -1)
    top_after = np.cumsum(delta)
    if len(lengths):
        top_after -= (top_after[starts] - delta[starts])[example]   # restart at every tree
    slot = top_after - 1  # the slot written: a shift's new top, a reduce's left child's slot
    leaf = np.cumsum(moves) - 1
    # Sort by step, shifts before reduces, examples in order (a stable sort keeps them).
    key = 2 * t + ~moves
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(2 * int(lengths.max(initial=0)) + 1))
    rows, slots, leaves_ = example[order], slot[order], leaf[order]
    tokens = token_ids[np.maximum(leaves_, 0)] if len(token_ids) else leaves_
    pairs = slots[:, None] + np.array([0, 1])
    steps = []
    for step in range(int(lengths.max(initial=0))):
        a, m, z = bounds[2 * step], bounds[2 * step + 1], bounds[2 * step + 2]
        steps.append(StackStep(rows[a:m], slots[a:m], tokens[a:m], leaves_[a:m], rows[m:z, None],
                      pairs[m:z]))
    return steps, max(1, int(top_after.max(initial=1)))


# --- the composition layer: one reduce --------------------------------------------------------

class PairsCache(NamedTuple):
    """What ``pairs_backward`` needs: the inputs X (..., 2H), the weights W (2H, H), the
    outputs h (..., H)."""
    X: np.ndarray
    W: np.ndarray
    h: np.ndarray


def pairs_forward(X, W, b):
    """The composition on pairs already side by side: ``h = tanh(X W + b)``, ``X`` (..., 2H).

    Returns ``(h, cache)``; arrays are trusted (inner loop). ``X`` holds ``[h_left; h_right]``.
    """
    a, _ = affine_forward(X, W, b)
    h = tanh(a)
    return h, PairsCache(X, W, h)


def pairs_backward(dh, cache):
    """Backward of ``pairs_forward``: returns ``(dX (..., 2H), dW (2H, H), db (H,))``.

    Notes
    -----
    da = dh (1 - h^2);  dX = da W^T;  dW = X^T da;  db = sum of da over the batch.
    """
    return affine_backward(dh * tanh_slope(cache.h), (cache.X, cache.W))


# --- batching by node height ------------------------------------------------------------------

class HeightCache(NamedTuple):
    batch: TreeBatch
    nodes_shape: tuple      # (all nodes, H)
    W_shape: tuple          # (2H, H)
    level_caches: list      # a PairsCache per Level


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
    return nodes[batch.roots], HeightCache(batch, nodes.shape, W.shape, caches)


def height_backward(droots, cache) -> dict:
    """Backward of ``height_forward``: gradients of ``E``, ``W``, ``b`` from ``droots`` (B, H)."""
    batch = cache.batch
    dnodes = np.zeros(cache.nodes_shape)
    dnodes[batch.roots] = droots  # every tree has its own root row
    dW, db = np.zeros(cache.W_shape), np.zeros(cache.nodes_shape[1])
    for (start, stop, children), level_cache in zip(batch.levels[::-1],
                                                     cache.level_caches[::-1]):
        dX, dW_level, db_level = pairs_backward(dnodes[start:stop], level_cache)
        dW += dW_level
        db += db_level
        # Each node has one parent, so no row repeats within a level and += is safe here.
        dnodes[children] += dX.reshape(stop - start, 2, -1)
    return {"E": embedding_backward(dnodes[:batch.n_leaves], batch), "W": dW, "b": db}


# --- batching by shift-reduce transitions (SPINN) --------------------------------------------

class StackCache(NamedTuple):
    batch: TreeBatch
    stack_shape: tuple      # (B, stack depth, H)
    W_shape: tuple          # (2H, H)
    step_caches: list       # a PairsCache per StackStep, None where no example reduces


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
    return stack[:, 0].copy(), StackCache(batch, stack.shape, W.shape, caches)


def stack_backward(droots, cache) -> dict:
    """Backward of ``stack_forward``: the steps in reverse; gradients of ``E``, ``W``, ``b``."""
    batch, shape = cache.batch, cache.stack_shape
    dstack = np.zeros(shape)
    dstack[:, 0] = droots
    dleaves = np.empty((batch.n_leaves, shape[2]))
    dW, db = np.zeros(cache.W_shape), np.zeros(shape[2])
    for step, step_cache in zip(batch.steps[::-1], cache.step_caches[::-1]):
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


__all__ = ["ENCODERS", "HeightCache", "Level", "PairsCache", "StackCache", "StackStep",
           "TreeBatch", "embedding_backward", "height_backward", "height_forward",
           "pairs_backward", "pairs_forward", "prepare_batch", "stack_backward", "stack_forward"]
