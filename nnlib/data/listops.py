"""ListOps-style data (notebook 09): nested lists whose value is computed from their tree.

The data set is in the style of ListOps (Nangia and Bowman, 2018): nested lists such as
``[MAX 2 9 [MIN 4 7 ] 0 ]`` whose value (here 9) is a digit computed from the nesting. An
expression is a digit (``int``) or a pair ``(operator, arguments)``. Each list becomes a
left-branching binary tree (``nnlib.data.trees``) over its tokens ``"[MAX"``, the arguments and
``"]"``. Everything is generated offline from a seeded ``np.random.Generator``; expressions are
folded with an explicit stack, so a parsed text of any depth is evaluated without recursion.

Deliberately left out: the original data set's files and its long-sequence variant.
"""

from __future__ import annotations

import numpy as np

from nnlib.data.trees import leaves
from nnlib.validation import check_memory, check_number, check_rng

OPERATORS = {"MAX": max, "MIN": min, "SM": lambda *args: sum(args) % 10}
LISTOPS_VOCAB = [f"[{name}" for name in OPERATORS] + ["]"] + [str(d) for d in range(10)]
#: The deepest nesting ``make_listops`` draws (the expected length grows faster than the depth).
MAX_LISTOPS_DEPTH = 100


# --- ListOps-style expressions -----------------------------------------------------------------

def _fold_expression(expr, digit, lst):
    """Post-order fold of an expression without recursion: ``digit(d)`` at a digit,
    ``lst(operator, [folded arguments])`` at a list."""
    results, stack = [], [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if isinstance(node, (int, np.integer)):
            results.append(digit(int(node)))
        elif expanded:
            count = len(node[1])
            arguments = results[len(results) - count:]
            del results[len(results) - count:]
            results.append(lst(node[0], arguments))
        else:
            stack.append((node, True))
            stack.extend((argument, False) for argument in node[1][::-1])
    return results[0]


def listops_value(expr) -> int:
    """The digit an expression evaluates to (MAX, MIN, SM = sum modulo 10)."""
    return _fold_expression(expr, int, lambda op, args: int(OPERATORS[op](*args)))


def listops_text(expr) -> str:
    """The expression written out: ``[MAX 2 9 [MIN 4 7 ] 0 ]``."""
    return _fold_expression(expr, str, lambda op, args: " ".join([f"[{op}", *args, "]"]))


def _left_branching(operator, arguments):
    tree = f"[{operator}"
    for argument in arguments:
        tree = (tree, argument)
    return (tree, "]")


def listops_tree(expr):
    """The binary tree of an expression: each list left-branching over its tokens.

    ``[MAX 2 9 ]`` becomes ``((("[MAX", "2"), "9"), "]")``.
    """
    return _fold_expression(expr, str, _left_branching)


def listops_depth(expr) -> int:
    """Nesting depth: 0 for a digit, else 1 + the deepest argument's (a list of digits: 1)."""
    return _fold_expression(expr, lambda d: 0, lambda op, args: 1 + max(args))


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
                             f"cannot read {token!r:.20} in {text!r:.80}.")
    if len(stack) != 1 or len(stack[0][1]) != 1:
        raise ValueError(f"text must hold exactly one complete list, got {text!r:.80}.")
    return stack[0][1][0]


def _random_expression(depth: int, *, rng: np.random.Generator, max_args: int = 4,
                   operators=tuple(OPERATORS)):
    """One random expression of exactly nesting ``depth`` (1 .. ``MAX_LISTOPS_DEPTH``).

    A list has 2 .. ``max_args`` arguments; one of them (at a random place) is a list of depth
    ``depth - 1``, the others are digits or, with probability 1/4, shallower lists. (Called by
    ``make_listops``, which checks the arguments: the recursion is at most ``depth`` deep.)
    """
    operator = operators[rng.integers(len(operators))]
    count = int(rng.integers(2, max_args + 1))
    deep = int(rng.integers(count)) if depth > 1 else -1
    arguments = []
    for index in range(count):
        if index == deep:
            arguments.append(_random_expression(depth - 1, rng=rng, max_args=max_args,
                                            operators=operators))
        elif depth > 2 and rng.random() < 0.25:
            shallower = int(rng.integers(1, depth - 1))
            arguments.append(_random_expression(shallower, rng=rng, max_args=max_args,
                                            operators=operators))
        else:
            arguments.append(int(rng.integers(10)))
    return (operator, tuple(arguments))


def make_listops(n: int, depths, *, rng: np.random.Generator, max_args: int = 4,
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
    depths = [check_number("depths", getattr(d, "item", lambda: d)(), minimum=1,
                           maximum=MAX_LISTOPS_DEPTH, integer=True)
              for d in np.atleast_1d(np.asarray(depths, dtype=object))]
    max_args = check_number("max_args", max_args, minimum=2, integer=True)
    if not depths or any(op not in OPERATORS for op in operators):
        raise ValueError(f"depths must list at least one depth and operators must come from "
                         f"{sorted(OPERATORS)}; got depths={depths}, operators={operators}.")
    # Each list has at least 3 tokens of its own, so an expression of depth d has >= 3 d + 1;
    # a token is held about 12 times over (tree pairs, the text, the expression).
    full, rest = divmod(n, len(depths))
    least_tokens = sum((full + (i < rest)) * (3 * d + 1) for i, d in enumerate(depths))
    check_memory(f"{n} ListOps expressions (at least {least_tokens:.3g} tokens)",
                 12 * least_tokens, "n or depths")
    exprs = [_random_expression(depths[i % len(depths)], rng=rng, max_args=max_args,
                            operators=tuple(operators)) for i in range(n)]
    return ([listops_tree(e) for e in exprs], np.array([listops_value(e) for e in exprs]),
            np.array([listops_depth(e) for e in exprs]), [listops_text(e) for e in exprs])


def one_hot_sequences(trees, index: dict, length: int) -> np.ndarray:
    """The trees' tokens, left to right, as one-hot rows (N, length, V) for a sequence model.

    Left-padded with zero rows, so that every sequence ends at the last step (where a
    last-step classifier reads it); ``length`` must be at least the longest tree's leaf count.
    """
    length = check_number("length", length, minimum=1, integer=True)
    check_memory("the one-hot sequences", len(trees) * length * len(index),
                 "length or the number of trees")
    X = np.zeros((len(trees), length, len(index)))
    for n, tree in enumerate(trees):
        ids = [index[token] for token in leaves(tree)]
        if len(ids) > length:
            raise ValueError(f"length must be at least {len(ids)} (trees[{n}] has that many "
                             f"tokens), got {length}.")
        X[n, np.arange(length - len(ids), length), ids] = 1.0
    return X


__all__ = ["LISTOPS_VOCAB", "MAX_LISTOPS_DEPTH", "OPERATORS", "listops_depth", "listops_text",
           "listops_tree", "listops_value", "make_listops", "one_hot_sequences", "parse_listops"]
