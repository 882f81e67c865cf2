"""Binary trees as nested pairs: checking, traversing, writing and reading them.

A *tree* is a token (a ``str``: a leaf) or a pair ``(left, right)`` of trees. A bracketed
string writes one: ``"( ( the ceiling ) . )"`` is ``(("the", "ceiling"), ".")``. The same tree
read left to right as instructions for a stack is its *transitions*: ``"S"`` (shift: push the
next token) for every leaf and ``"R"`` (reduce: pop two, push their composition) after the two
children, 2n - 1 transitions for n leaves.

Every traversal here uses an explicit stack, never Python recursion, so a deep tree (a chain of
10 000 pairs) is no harder than a wide one. A tuple may be used twice inside one tree (Python
itself shares equal constant tuples); what counts is the tree it unfolds to, and a tree of more
than ``MAX_TREE_NODES`` nodes is refused (``count_nodes`` counts it in time proportional to the
distinct objects, so ``t = (t, t)`` forty times is refused at once, not unfolded to 2**41 nodes).

Deliberately left out: natural-language parsing (a malformed string is rejected with a message).
"""

from __future__ import annotations

import reprlib

#: The most nodes (leaves and pairs) one tree may unfold to: a bound on the work of a traversal.
MAX_TREE_NODES = 1_000_000


# --- trees -------------------------------------------------------------------------------------

def _fold(tree, leaf, pair):
    """Post-order fold without recursion: ``leaf(token)`` at a leaf, ``pair(left, right)`` above.

    Each distinct tuple is folded once (remembered by ``id`` while ``tree`` keeps it alive).
    """
    done: dict[int, object] = {}
    stack = [tree]
    while stack:
        node = stack[-1]
        if isinstance(node, str):
            stack.pop()
            done[id(node)] = leaf(node)
        elif id(node) in done:
            stack.pop()
        elif all(id(child) in done for child in node):
            stack.pop()
            done[id(node)] = pair(done[id(node[0])], done[id(node[1])])
        else:
            stack.extend(child for child in node[::-1] if id(child) not in done)
    return done[id(tree)]


def _scan(obj):
    """``(nodes, tokens)`` of the tree ``obj`` unfolds to (its node count and set of distinct
    tokens), or None if ``obj`` is not a tree; one pass over the distinct objects."""
    counts: dict[int, int] = {}           # id of a checked pair -> its node count
    tokens: set[str] = set()
    stack = [obj]
    while stack:
        node = stack[-1]
        if isinstance(node, str):
            stack.pop()
            if node not in tokens:
                if not node or any(c.isspace() for c in node) or node in ("(", ")"):
                    return None
                tokens.add(node)
            continue
        if id(node) in counts:
            stack.pop()
            continue
        if not (isinstance(node, tuple) and len(node) == 2):
            return None
        left, right = node
        ready = True
        for child in (right, left):   # children first: unchecked tokens, uncounted pairs
            if child not in tokens if isinstance(child, str) else id(child) not in counts:
                stack.append(child)
                ready = False
        if ready:
            stack.pop()
            counts[id(node)] = (1 + (1 if isinstance(left, str) else counts[id(left)])
                                + (1 if isinstance(right, str) else counts[id(right)]))
    return (1 if isinstance(obj, str) else counts[id(obj)]), tokens


def is_tree(obj) -> bool:
    """True if ``obj`` is a token (non-empty str without spaces or brackets) or a pair of trees."""
    return _scan(obj) is not None


def count_nodes(tree) -> int:
    """Leaves plus pairs of the tree ``tree`` unfolds to (2n - 1 for n leaves), in time
    proportional to its distinct objects."""
    return check_tree("tree", tree, limit=None)[0]


def check_tree(name: str, tree, limit: int | None = MAX_TREE_NODES) -> tuple[int, set]:
    """Check that ``tree`` is a tree of at most ``limit`` nodes (``MAX_TREE_NODES``); return its
    node count and its set of distinct tokens."""
    scanned = _scan(tree)
    if scanned is None:
        raise ValueError(f"{name} must be a tree: a token (str without spaces) or a pair (left, "
                         f"right) of trees, got {reprlib.repr(tree)}.")
    if limit is not None and scanned[0] > limit:
        raise ValueError(f"{name} unfolds to {scanned[0]:.3g} nodes, more than MAX_TREE_NODES = "
                         f"{limit:,} (a pair used many times is counted every time): "
                         f"pass a smaller tree.")
    return scanned


def _leaves(tree) -> list[str]:
    tokens, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            tokens.append(node)
        else:
            stack.extend((node[1], node[0]))
    return tokens


def leaves(tree) -> list[str]:
    """The tokens of ``tree``, left to right."""
    check_tree("tree", tree)
    return _leaves(tree)


def height(tree) -> int:
    """0 for a leaf, 1 + the taller child's height otherwise (sequential compositions)."""
    if not is_tree(tree):
        check_tree("tree", tree)  # raises, naming the argument
    return _fold(tree, lambda token: 0, lambda left, right: 1 + max(left, right))


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
                raise ValueError(f"text must be a bracketed binary tree; {text!r:.80} has a ')' "
                                 "that does not close a pair of exactly two trees.")
            pair = tuple(stack.pop())
            stack[-1].append(pair)
        else:
            stack[-1].append(token)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError(f"text must hold exactly one bracketed binary tree, got {text!r:.80}.")
    return stack[0][0]


def to_string(tree) -> str:
    """The bracketed string of ``tree`` (the inverse of ``parse``)."""
    names = {id(_OPEN): "(", id(_CLOSE): ")"}
    return " ".join(names.get(id(item), item) for item in _walk(tree))


def transitions(tree) -> list[str]:
    """Shift-reduce transitions of ``tree``: "S" per leaf, "R" after both children (post-order).

    Examples
    --------
    >>> transitions((("a", "b"), "c"))
    ['S', 'S', 'R', 'S', 'R']
    """
    return ["R" if item is _CLOSE else "S" for item in _walk(tree) if item is not _OPEN]


_OPEN, _CLOSE = object(), object()


def _walk(tree) -> list:
    # The leaves in order, with the marker _OPEN before each pair and _CLOSE after it.
    check_tree("tree", tree)
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            out.append(_OPEN)
            stack.extend((_CLOSE, node[1], node[0]))
        else:
            out.append(node)   # a token, or the _CLOSE pushed after a pair's children
    return out


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


__all__ = ["MAX_TREE_NODES", "check_tree", "count_nodes", "from_transitions", "height", "is_tree",
           "leaves", "left_to_right", "parse", "to_string", "transitions"]
