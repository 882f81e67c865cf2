"""Binary trees, their shift-reduce transitions, and ListOps-style data (notebook 09).

A *tree* is a token (a ``str``: a leaf) or a pair ``(left, right)`` of trees. A bracketed
string writes one: ``"( ( the ceiling ) . )"`` is ``(("the", "ceiling"), ".")``. The same tree
read left to right as instructions for a stack is its *transitions*: ``"S"`` (shift: push the
next token) for every leaf and ``"R"`` (reduce: pop two, push their composition) after the two
children, 2n - 1 transitions for n leaves.

The data set is in the style of ListOps (Nangia and Bowman, 2018): nested lists such as
``[MAX 2 9 [MIN 4 7 ] 0 ]`` whose value (here 9) is a digit computed from the nesting. An
expression is a digit (``int``) or a pair ``(operator, arguments)``. Each list becomes a
left-branching binary tree over its tokens ``"[MAX"``, the arguments and ``"]"``. Everything
is generated offline from a seeded ``np.random.Generator``.

Deliberately left out: natural-language parses, the SNLI corpus, and unbalanced brackets
recovery (a malformed string is rejected with a message).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib.validation import check_number, check_rng

OPERATORS = {"MAX": max, "MIN": min, "SM": lambda *args: sum(args) % 10}
LISTOPS_VOCAB = [f"[{name}" for name in OPERATORS] + ["]"] + [str(d) for d in range(10)]


# --- trees -------------------------------------------------------------------------------------

def is_tree(obj) -> bool:
    """True if ``obj`` is a token (non-empty str without spaces or brackets) or a pair of trees."""
    if isinstance(obj, str):
        return bool(obj) and not any(c.isspace() for c in obj) and obj not in ("(", ")")
    return isinstance(obj, tuple) and len(obj) == 2 and all(is_tree(child) for child in obj)


def leaves(tree) -> list[str]:
    """The tokens of ``tree``, left to right."""
    return [tree] if isinstance(tree, str) else leaves(tree[0]) + leaves(tree[1])


def height(tree) -> int:
    """0 for a leaf, 1 + the taller child's height otherwise (sequential compositions)."""
    return 0 if isinstance(tree, str) else 1 + max(height(tree[0]), height(tree[1]))


def left_to_right(tree):
    """The same tokens as a chain read left to right: ``(((t1, t2), t3), ...)``.

    A tree network on this chain is a plain recurrent network (an Elman RNN whose first state
    is the first token's embedding): ``h_t = tanh([h_{t-1}; e_t] W + b)``.
    """
    tokens = leaves(tree)
    chain = tokens[0]
    for token in tokens[1:]:
        chain = (chain, token)
    return chain


def one_hot_sequences(trees, index: dict, length: int) -> np.ndarray:
    """The trees' tokens, left to right, as one-hot rows (N, length, V) for a sequence model.

    Left-padded with zero rows, so that every sequence ends at the last step (where a
    last-step classifier reads it); ``length`` must be at least the longest tree's leaf count.
    """
    X = np.zeros((len(trees), length, len(index)))
    for n, tree in enumerate(trees):
        ids = [index[token] for token in leaves(tree)]
        if len(ids) > length:
            raise ValueError(f"length must be at least {len(ids)} (trees[{n}] has that many "
                             f"tokens), got {length}.")
        X[n, np.arange(length - len(ids), length), ids] = 1.0
    return X


def parse(text: str):
    """The tree written by a bracketed string, e.g. ``"( ( a b ) c )"`` -> ``(("a", "b"), "c")``.

    Tokens are separated by spaces; every ``(`` opens a pair that holds exactly two trees.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}.")
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()
    stack: list[list] = [[]]
    for token in tokens:
        if token == "(":
            stack.append([])
        elif token == ")":
            if len(stack) == 1 or len(stack[-1]) != 2:
                raise ValueError(f"text must be a bracketed binary tree; {text!r} has a ')' "
                                 "that does not close a pair of exactly two trees.")
            pair = tuple(stack.pop())
            stack[-1].append(pair)
        else:
            stack[-1].append(token)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError(f"text must hold exactly one bracketed binary tree, got {text!r}.")
    return stack[0][0]


def to_string(tree) -> str:
    """The bracketed string of ``tree`` (the inverse of ``parse``)."""
    if isinstance(tree, str):
        return tree
    return f"( {to_string(tree[0])} {to_string(tree[1])} )"


def transitions(tree) -> list[str]:
    """Shift-reduce transitions of ``tree``: "S" per leaf, "R" after both children (post-order).

    Examples
    --------
    >>> transitions((("a", "b"), "c"))
    ['S', 'S', 'R', 'S', 'R']
    """
    if isinstance(tree, str):
        return ["S"]
    return transitions(tree[0]) + transitions(tree[1]) + ["R"]


def from_transitions(tokens, moves):
    """Rebuild the tree from its leaves and transitions (the inverse of ``transitions``)."""
    buffer, stack = list(tokens)[::-1], []
    for index, move in enumerate(moves):
        if move == "S" and buffer:
            stack.append(buffer.pop())
        elif move == "R" and len(stack) >= 2:
            right = stack.pop()
            stack.append((stack.pop(), right))
        else:
            raise ValueError(f"moves[{index}] = {move!r} is not possible here: a shift needs a "
                             "token left in the buffer and a reduce two trees on the stack.")
    if buffer or len(stack) != 1:
        raise ValueError(f"moves must use every token and leave one tree; {len(buffer)} tokens "
                         f"left, {len(stack)} trees on the stack.")
    return stack[0]


# --- a batch of trees as arrays ---------------------------------------------------------------

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
    """Turn a list of trees (already checked) into a ``TreeBatch``; ``index`` maps token -> id.

    Both schedules are computed once here, as SPINN's data pipeline computes the transitions
    before training, so the encoders only index arrays.
    """
    token_ids: list[int] = []
    internal: list[tuple[int, int, int]] = []  # (left ref, right ref, height)
    moves: list[bool] = []                     # the transitions, True = shift, tree after tree

    def visit(tree) -> tuple[int, int]:  # (ref, height); a leaf ref >= 0, an internal ref < 0
        if isinstance(tree, str):
            token_ids.append(index[tree])
            moves.append(True)
            return len(token_ids) - 1, 0
        (left, h_left), (right, h_right) = visit(tree[0]), visit(tree[1])
        height = 1 + (h_left if h_left > h_right else h_right)
        internal.append((left, right, height))
        moves.append(False)
        return -len(internal), height

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


# --- ListOps-style expressions -----------------------------------------------------------------

def listops_value(expr) -> int:
    """The digit an expression evaluates to (MAX, MIN, SM = sum modulo 10)."""
    if isinstance(expr, (int, np.integer)):
        return int(expr)
    operator, arguments = expr
    return int(OPERATORS[operator](*(listops_value(a) for a in arguments)))


def listops_text(expr) -> str:
    """The expression written out: ``[MAX 2 9 [MIN 4 7 ] 0 ]``."""
    if isinstance(expr, (int, np.integer)):
        return str(int(expr))
    operator, arguments = expr
    return " ".join([f"[{operator}", *(listops_text(a) for a in arguments), "]"])


def listops_tree(expr):
    """The binary tree of an expression: each list left-branching over its tokens.

    ``[MAX 2 9 ]`` becomes ``((("[MAX", "2"), "9"), "]")``.
    """
    if isinstance(expr, (int, np.integer)):
        return str(int(expr))
    operator, arguments = expr
    tree = f"[{operator}"
    for argument in arguments:
        tree = (tree, listops_tree(argument))
    return (tree, "]")


def parse_listops(text: str):
    """The expression written by ``text`` (the inverse of ``listops_text``)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}.")
    stack: list[list] = [["", []]]
    for token in text.split():
        if token.startswith("[") and token[1:] in OPERATORS:
            stack.append([token[1:], []])
        elif token == "]" and len(stack) > 1 and stack[-1][1]:
            operator, arguments = stack.pop()
            stack[-1][1].append((operator, tuple(arguments)))
        elif token.isdigit() and len(token) == 1 and len(stack) > 1:
            stack[-1][1].append(int(token))
        else:
            raise ValueError(f"text must be a ListOps expression such as '[MAX 2 9 [MIN 4 7 ] "
                             f"0 ]' (operators {sorted(OPERATORS)}, digits 0-9 inside lists); "
                             f"cannot read {token!r} in {text!r}.")
    if len(stack) != 1 or len(stack[0][1]) != 1:
        raise ValueError(f"text must hold exactly one complete list, got {text!r}.")
    return stack[0][1][0]


def listops_depth(expr) -> int:
    """Nesting depth: 0 for a digit, else 1 + the deepest argument's (a list of digits: 1)."""
    if isinstance(expr, (int, np.integer)):
        return 0
    return 1 + max(listops_depth(a) for a in expr[1])


def random_listops(rng: np.random.Generator, depth: int, max_args: int = 4,
                   operators=tuple(OPERATORS)):
    """One random expression of exactly nesting ``depth`` (>= 1).

    A list has 2 .. ``max_args`` arguments; one of them (at a random place) is a list of depth
    ``depth - 1``, the others are digits or, with probability 1/4, shallower lists.
    """
    operator = operators[rng.integers(len(operators))]
    count = int(rng.integers(2, max_args + 1))
    deep = int(rng.integers(count)) if depth > 1 else -1
    arguments = []
    for index in range(count):
        if index == deep:
            arguments.append(random_listops(rng, depth - 1, max_args, operators))
        elif depth > 2 and rng.random() < 0.25:
            shallower = int(rng.integers(1, depth - 1))
            arguments.append(random_listops(rng, shallower, max_args, operators))
        else:
            arguments.append(int(rng.integers(10)))
    return (operator, tuple(arguments))


def make_listops(n: int, depths, rng: np.random.Generator, max_args: int = 4,
                 operators=tuple(OPERATORS)):
    """``n`` expressions with depths drawn evenly from ``depths``, as trees with labels.

    Returns
    -------
    trees : list of n trees (``listops_tree``)
    y : ndarray of int, shape (n,), the values 0..9 (the class labels)
    depth : ndarray of int, shape (n,), each expression's nesting depth
    texts : list of n str, the expressions written out (``listops_text``)
    """
    n = check_number("n", n, minimum=0, integer=True)
    check_rng(rng)
    depths = [check_number("depths", d, minimum=1, integer=True) for d in np.atleast_1d(depths)]
    max_args = check_number("max_args", max_args, minimum=2, integer=True)
    if not depths or any(op not in OPERATORS for op in operators):
        raise ValueError(f"depths must list at least one depth and operators must come from "
                         f"{sorted(OPERATORS)}; got depths={depths}, operators={operators}.")
    exprs = [random_listops(rng, depths[i % len(depths)], max_args, tuple(operators))
             for i in range(n)]
    return ([listops_tree(e) for e in exprs], np.array([listops_value(e) for e in exprs]),
            np.array([listops_depth(e) for e in exprs]), [listops_text(e) for e in exprs])


__all__ = ["LISTOPS_VOCAB", "OPERATORS", "TreeBatch", "embedding_backward", "from_transitions",
           "height", "is_tree", "leaves", "left_to_right", "listops_depth", "listops_text",
           "listops_tree", "listops_value", "make_listops", "one_hot_sequences", "parse",
           "parse_listops", "prepare_batch", "random_listops", "to_string", "transitions"]
