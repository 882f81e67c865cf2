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


def expected_tokens(depth: int, max_args: int = 4) -> float:
    """Mean number of tokens of ``random_listops`` expressions of nesting ``depth``.

    Notes
    -----
    With k ~ uniform{2 .. max_args} arguments, one of them a list of depth d - 1 and each other
    a digit or (d > 2, probability 1/4) a list of a depth uniform in 1 .. d - 2:
    L(0) = 1, L(d) = 2 + L(d - 1) + (E[k] - 1) m(d), with m(d) = 1 for d <= 2 and
    m(d) = 3/4 + 1/4 mean(L(1) .. L(d - 2)) for d > 2.
    """
    depth = check_number("depth", depth, minimum=0, integer=True)
    max_args = check_number("max_args", max_args, minimum=2, integer=True)
    means = [1.0]
    for d in range(1, depth + 1):
        other = 1.0 if d <= 2 else 0.75 + 0.25 * float(np.mean(means[1:d - 1]))
        means.append(2.0 + means[d - 1] + ((2 + max_args) / 2 - 1) * other)
    return means[depth]


def matched_hidden_sizes(hidden_size: int, vocab_size: int = len(LISTOPS_VOCAB),
                         n_classes: int = 10) -> dict[str, int]:
    """Hidden sizes of an LSTM and an RNN (one-hot inputs, a classifier on the last step) with
    the most weights that do not exceed a tree network's of ``hidden_size`` (never below 1:
    for ``hidden_size`` < 3 even an LSTM of one unit has more weights than the tree network).

    Counts: tree V H + 2H^2 + H + H C + C; LSTM 4H (V + H + 1) + H C + C; RNN H (V + H + 1)
    + H C + C.
    """
    H = check_number("hidden_size", hidden_size, minimum=1, integer=True)
    V, C = vocab_size, n_classes
    budget = V * H + 2 * H * H + H + H * C + C
    counts = {"lstm": lambda h: 4 * h * (V + h + 1) + h * C + C,
              "rnn": lambda h: h * (V + h + 1) + h * C + C}
    return {name: max([h for h in range(1, 2 * H + 1) if count(h) <= budget], default=1)
            for name, count in counts.items()}


def comparison_cost(n_train: int, epochs: int, batch_size: int, hidden_size: int,
                    max_train_depth: int, max_test_depth: int) -> tuple[float, float]:
    """Projected CPU seconds and peak gigabytes of notebook 09's comparison: a tree network,
    an LSTM and an RNN (``matched_hidden_sizes``) trained with ``nnlib.train.fit`` on ListOps
    (validation set n_train // 3, test set 200 per depth), then scored on the test set.

    A guard against enormous parameter combinations, not a measurement: fitted to one-thread
    runs on the course's machine, within about a factor of 2 (tests/test_tree.py lists the
    runs). The sequence models read every expression left-padded to the longest, taken here as
    2.5 x the mean length at the deepest depth (an upper guess: with the notebook's defaults
    the longest is 1.8 x it in training, 27 tokens, and 2.3 x in testing, 94); the largest
    arrays are the LSTM's cache when a whole set is scored at once and the one-hot sequences.
    """
    for name, value in (("n_train", n_train), ("epochs", epochs), ("batch_size", batch_size),
                        ("hidden_size", hidden_size), ("max_train_depth", max_train_depth),
                        ("max_test_depth", max_test_depth)):
        check_number(name, value, minimum=1, integer=True)
    sizes = matched_hidden_sizes(hidden_size)
    h_lstm, h_rnn, H, D = sizes["lstm"], sizes["rnn"], hidden_size, len(LISTOPS_VOCAB)
    tokens_train = float(np.mean([expected_tokens(d) for d in range(1, max_train_depth + 1)]))
    tokens_test = float(np.mean([expected_tokens(d) for d in range(1, max_test_depth + 1)]))
    T_train, T_test = 2.5 * expected_tokens(max_train_depth), 2.5 * expected_tokens(max_test_depth)
    n_val, n_test = max(n_train // 3, 10), 200 * max_test_depth
    # Seconds per expression and step (or tree node), forward and backward: a term per unit
    # plus the arithmetic at about 2e10 operations per second; a forward pass is about 1/3.
    per_step = (0.08e-6 * h_lstm + 24 * h_lstm * (D + h_lstm) / 1.8e10
                + 0.025e-6 * h_rnn + 6 * h_rnn * (D + h_rnn) / 1.8e10)
    per_node = 1.2e-6 + 12 * H * H / 3e10

    def rows(n, T, tokens):
        return n * (T * per_step + (2 * tokens - 1) * per_node)

    updates = epochs * -(-n_train // batch_size)
    per_update = 3 * 75e-6 + T_train * 20e-6 + (3 * max_train_depth + 2) * 30e-6
    records = epochs // max(1, epochs // 10) + 1      # fit scores loss and accuracy each time
    seconds = (epochs * rows(n_train, T_train, tokens_train) + updates * per_update
               + records * 2 / 3 * rows(n_train + n_val, T_train, tokens_train)
               + rows(n_test, T_test, tokens_test) / 3)
    cache = 8 * (7 * h_lstm + 2 * D)                  # bytes per expression and step
    gigabytes = (max(n_train * T_train, n_test * T_test) * cache
                 + 8 * D * ((n_train + n_val) * T_train + n_test * T_test)) / 1e9
    return float(seconds), float(gigabytes)


__all__ = ["LISTOPS_VOCAB", "OPERATORS", "comparison_cost", "expected_tokens",
           "from_transitions", "height", "is_tree", "leaves", "left_to_right", "listops_depth",
           "listops_text", "listops_tree", "listops_value", "make_listops",
           "matched_hidden_sizes", "one_hot_sequences", "parse", "parse_listops",
           "random_listops", "to_string", "transitions"]
