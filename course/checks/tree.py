"""Self-checks for notebook 09: the transitions of a bracketed string, one reduce backwards, and
backpropagation through a whole tree."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.activations import tanh
from course.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.tree import compose_backward, compose_forward, tree_backward, tree_forward
from nnlib.treedata import parse, to_string, transitions

PUBLIC_TEXTS = ["( ( The church ) ( ( has ( cracks ( in ( the ceiling ) ) ) ) . ) )"]
HIDDEN_TEXTS = ["word", "( a b )", "( a ( b c ) )", "( ( ( a b ) c ) ( d ( e f ) ) )",
                "(a (b c))"]


def check_transitions(to_transitions: Callable, hidden: bool = False) -> None:
    """Check ``to_transitions(text) -> list of "S" / "R"`` for bracketed strings."""
    name = "to_transitions"
    for text in HIDDEN_TEXTS if hidden else PUBLIC_TEXTS:
        expected = transitions(parse(text))
        got = to_transitions(text)
        if isinstance(got, str):
            got = got.split() if " " in got else list(got)
        if not isinstance(got, (list, tuple)):
            raise CheckFailed(f"{name} returned {type(got).__name__}, expected a list of 'S' and "
                              "'R'. Did you forget a return statement?")
        got = list(got)
        if got == expected:
            continue
        tokens = text.replace("(", " ( ").replace(")", " ) ").split()
        n_words = sum(t not in "()" for t in tokens)
        opens = ["R" if t == "(" else "S" for t in tokens if t != ")"]
        if got == opens:
            raise CheckFailed(f"{name}: you wrote an R for every '(': a reduce happens when a "
                              "pair is complete, at its ')'. Drop the '(' and turn ')' into R.")
        if len(got) == len(tokens):
            raise CheckFailed(f"{name}: {len(got)} transitions for {len(tokens)} symbols; the "
                              "'(' brackets produce no transition (only words and ')' do).")
        if got.count("S") != n_words:
            raise CheckFailed(f"{name}: {got.count('S')} shifts for {n_words} words in "
                              f"{text!r}; every word is shifted exactly once.")
        if sorted(got) == sorted(expected):
            raise CheckFailed(f"{name}: right counts (S per word, R per ')') in the wrong order "
                              f"for {text!r}: read the string left to right and emit each "
                              f"transition where its symbol stands; expected {''.join(expected)}, "
                              f"got {''.join(got)}.")
        raise CheckFailed(f"{name}: for {text!r} expected {''.join(expected)}, got "
                          f"{''.join(map(str, got))}.")
    report_passed(name, hidden)


def _compose_problem(rng, N, H):
    h_left, h_right = tanh(rng.normal(size=(N, H))), tanh(rng.normal(size=(N, H)))
    W, b = rng.normal(size=(2 * H, H)) / np.sqrt(2 * H), rng.normal(size=H) / 2
    return h_left, h_right, W, b


def check_compose_backward(compose_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``compose_backward(dh, cache) -> (dh_left, dh_right, dW, db)``, with
    ``cache = (X, W, h)``, ``X = [h_left; h_right]`` and ``h = tanh(X W + b)``."""
    name = "compose_backward"
    rng = np.random.default_rng(909 if hidden else 9)
    labels = ("dh_left", "dh_right", "dW", "db")
    for N, H in ([(4, 3), (1, 5), (7, 2)] if hidden else [(4, 3)]):
        h_left, h_right, W, b = _compose_problem(rng, N, H)
        h, cache = compose_forward(h_left, h_right, W, b)
        dh = rng.normal(size=h.shape)
        expected = compose_backward(dh, cache)
        result = compose_backward_fn(dh.copy(), tuple(a.copy() for a in cache))
        if not isinstance(result, tuple) or len(result) != 4:
            raise CheckFailed(f"{name} must return a tuple of 4: ({', '.join(labels)}).")
        hints = {"dh_left": "the first H columns of da @ W.T, shape (N, H)",
                 "dh_right": "the last H columns of da @ W.T, shape (N, H)",
                 "dW": "X.T @ da, shape (2H, H)", "db": "da.sum(axis=0), shape (H,)"}
        got = [compare_array(f"{name}: {label}", value, want, hints[label])
               for label, value, want in zip(labels, result, expected)]
        if close(got[0], expected[1]) and close(got[1], expected[0]):
            raise CheckFailed(f"{name}: dh_left and dh_right are swapped. X = [h_left; h_right], "
                              "so the left child's gradient is the FIRST H columns of dX.")
        untouched = dh @ W.T
        for index, label in enumerate(labels):
            if close(got[index], expected[index]):
                continue
            if index < 2 and close(got[index], untouched[:, index * H:(index + 1) * H]):
                raise CheckFailed(f"{name}: {label} skips the tanh: first da = dh * (1 - h**2), "
                                  "the slope of tanh written with its output h.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values "
                              f"({hints[label]}, with da = dh * (1 - h**2)).")
    report_passed(name, hidden)


def check_tree_backward(tree_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``tree_backward(dh, cache, grads)``, which adds the gradients of ``E``, ``W`` and
    ``b`` into ``grads`` for a cache from ``nnlib.tree.tree_forward``."""
    name = "tree_backward"
    rng = np.random.default_rng(919 if hidden else 19)
    vocab = ["a", "b", "c"]
    index = {token: i for i, token in enumerate(vocab)}
    texts = (["( ( a b ) ( a c ) )", "( a ( ( b b ) ( c ( a a ) ) ) )", "c"] if hidden
             else ["( ( a b ) ( a c ) )"])
    for text in texts:
        tree, H = parse(text), 3
        params = {"E": rng.normal(size=(3, H)), "W": rng.normal(size=(2 * H, H)) / 2,
                  "b": rng.normal(size=H) / 2}
        _, cache = tree_forward(tree, params, index)
        dh = rng.normal(size=H)
        expected = {key: np.zeros_like(value) for key, value in params.items()}
        tree_backward(dh, cache, expected)
        grads = {key: np.zeros_like(value) for key, value in params.items()}
        returned = tree_backward_fn(dh.copy(), cache, grads)
        if returned is not None and isinstance(returned, dict) and returned is not grads:
            grads = returned
        for key in ("W", "b", "E"):
            got = compare_array(f"{name}: grads[{key!r}]", grads[key], expected[key],
                                f"the shape of params[{key!r}]")
            if close(got, expected[key]):
                continue
            if not np.any(got):
                raise CheckFailed(f"{name}: grads[{key!r}] is still zero: add each node's share "
                                  "into grads (grads[key] += ...), do not rebind the name.")
            if close(got, _swapped_children(cache, dh, params)[key]):
                raise CheckFailed(f"{name}: grads[{key!r}] is what you get with the children's "
                                  "gradients swapped: X = [h_left; h_right], so dX[:H] goes to "
                                  "the LEFT child (cache_left) and dX[H:] to the right one.")
            if key in ("W", "b") and _one_node_only(got, key, tree, params, index, dh):
                raise CheckFailed(f"{name}: grads[{key!r}] holds one node's share only: the "
                                  "weights are shared by every node, so ACCUMULATE "
                                  "(grads[key] += ...) instead of assigning.")
            if key == "E":
                raise CheckFailed(f"{name}: grads['E'] is wrong for {to_string(tree)!r} while W "
                                  "and b are right: a token used at several leaves must receive "
                                  "the SUM of their gradients (grads['E'][token] += dh), and "
                                  "each leaf gets the gradient its parent sent it (left part to "
                                  "the left child, right part to the right child).")
            raise CheckFailed(f"{name}: grads[{key!r}] has the right shape but wrong values for "
                              f"{to_string(tree)!r}. Check that each child receives its own "
                              "half of dX (left first) and that the recursion visits both "
                              "children.")
    report_passed(name, hidden)


def _one_node_only(got, key, tree, params, index, dh) -> bool:
    # Would a single node's gradient (any node) explain what the learner returned?
    _, cache = tree_forward(tree, params, index)
    shares = []

    def walk(d, node_cache):
        if not isinstance(node_cache, tuple):
            return
        left, right, compose_cache = node_cache
        d_left, d_right, dW, db = compose_backward(d, compose_cache)
        shares.append(dW if key == "W" else db)
        walk(d_left, left)
        walk(d_right, right)

    walk(dh, cache)
    return len(shares) > 1 and any(close(got, share) for share in shares)


def _swapped_children(cache, dh, params) -> dict:
    # The gradients a tree_backward that sends dX[H:] left and dX[:H] right would produce.
    grads = {key: np.zeros_like(value) for key, value in params.items()}

    def walk(d, node_cache):
        if not isinstance(node_cache, tuple):
            grads["E"][node_cache] += d
            return
        left, right, compose_cache = node_cache
        d_left, d_right, dW, db = compose_backward(d, compose_cache)
        grads["W"] += dW
        grads["b"] += db
        walk(d_right, left)
        walk(d_left, right)

    walk(dh, cache)
    return grads
