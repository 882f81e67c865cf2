"""A batch of trees as index arrays: the node-height schedule and the shift-reduce schedule.

``prepare_batch(trees, index)`` walks B trees once and returns a ``TreeBatch``: the leaves'
token ids, the internal nodes numbered by height (one contiguous block of rows per height, for
height batching) and, per transition step, which examples shift and which reduce (for SPINN's
stack), as SPINN's data pipeline prepares the transitions before training. The encoders in
``nnlib.tree`` only index these arrays. ``embedding_backward`` sums the leaves' gradients into
the embedding table.

Deliberately left out: padding to fixed shapes (NumPy needs none) and the tracker's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TreeBatch:
    """B trees turned into the index arrays of the two batched encoders (``nnlib.tree``).

    Node table: rows 0 .. L-1 are the leaves (tree by tree, left to right), then the internal
    nodes sorted by height. Attributes:

    trees : list of the B trees; vocab_size : V; n_leaves : L; n_nodes : all nodes
    token_ids : ndarray of int, shape (L,), each leaf's token
    levels : list of (start, stop, children), one per height 1, 2, ...: rows start..stop-1
        are the nodes of that height, ``children`` (n, 2) int their left and right children's rows
    roots : ndarray of int, shape (B,), each tree's root row
    steps : list of (shift_rows, shift_slots, shift_tokens, shift_leaves, reduce_rows,
        reduce_slots), one per transition step: the examples that shift (into which stack slot,
        which token, which leaf row), and those that reduce: ``reduce_rows`` (n, 1) and
        ``reduce_slots`` (n, 2), slots k and k + 1, composed into slot k
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
    a ``TreeBatch``; ``index`` maps token -> id. No recursion: any height works.

    Both schedules are computed once here, as SPINN's data pipeline computes the transitions
    before training, so the encoders only index arrays.
    """
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
            levels.append((n_leaves + int(start), n_leaves + int(stop),
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
        steps.append((rows[a:m], slots[a:m], tokens[a:m], leaves_[a:m], rows[m:z, None],
                      pairs[m:z]))
    return steps, max(1, int(top_after.max(initial=1)))


__all__ = ["TreeBatch", "embedding_backward", "prepare_batch"]
