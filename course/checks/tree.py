"""Self-checks for notebook 09: the transitions of a bracketed string, one reduce backwards, and
backpropagation through a whole tree.

Every check draws its inputs afresh on each call (``fresh_rng``: a hard-coded answer cannot
pass) and runs the answer with the library functions that would do the exercise's work refused
(``call_refusing``): ``transitions(parse(text))`` or ``nnlib.tree.compose_backward`` earn no
credit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.activations import tanh
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.tree import compose_backward, compose_forward, tree_backward, tree_forward
from nnlib.data import to_string, transitions

WORDS = ["a", "b", "c", "dog", "the", "."]
#: The library functions that would do an exercise's work (module -> names).
FORBIDDEN_TRANSITIONS = {"nnlib.data.trees": ("parse", "transitions", "from_transitions",
                                              "to_string", "leaves")}
FORBIDDEN_BACKWARD = {"nnlib.tree": ("compose_backward", "tree_backward"),
                      "nnlib.treebatch": ("pairs_backward", "height_backward", "stack_backward"),
                      "nnlib.layers": ("affine_backward",)}


def random_tree(rng: np.random.Generator, n_leaves: int, words=WORDS):
    """A binary tree with ``n_leaves`` leaves drawn from ``words``, split points uniform."""
    if n_leaves == 1:
        return str(words[rng.integers(len(words))])
    split = int(rng.integers(1, n_leaves))
    return (random_tree(rng, split, words), random_tree(rng, n_leaves - split, words))


def _texts(rng: np.random.Generator, hidden: bool) -> list[str]:
    """Fresh bracketed strings: a few trees of 2-9 leaves (hidden: also one word, tight spacing)."""
    texts = [to_string(random_tree(rng, int(rng.integers(2, 10)))) for _ in range(3)]
    if hidden:
        texts += [str(rng.choice(WORDS)),
                  to_string(random_tree(rng, int(rng.integers(4, 12)))).replace("( ", "(")
                  .replace(" )", ")")]
    return texts


def check_transitions(to_transitions: Callable, hidden: bool = False) -> None:
    """Check ``to_transitions(text) -> list of "S" / "R"`` for bracketed strings."""
    name = "to_transitions"
    for text in _texts(fresh_rng(), hidden):
        tokens = text.replace("(", " ( ").replace(")", " ) ").split()
        expected = transitions(_read(tokens))
        got = call_refusing(to_transitions, (text,), FORBIDDEN_TRANSITIONS)
        if isinstance(got, str):
            got = got.split() if " " in got else list(got)
        if not isinstance(got, (list, tuple)):
            raise CheckFailed(f"{name} returned {type(got).__name__}, expected a list of 'S' and "
                              "'R'. Did you forget a return statement?")
        got = list(got)
        if got == expected:
            continue
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


def _read(tokens: list[str]):
    # The check's own reader of a well-formed bracketed string (its inputs are generated).
    stack: list[list] = [[]]
    for token in tokens:
        if token == "(":
            stack.append([])
        elif token == ")":
            pair = tuple(stack.pop())
            stack[-1].append(pair)
        else:
            stack[-1].append(token)
    return stack[0][0]


def _compose_problem(rng, shape, H):
    h_left, h_right = tanh(rng.normal(size=(*shape, H))), tanh(rng.normal(size=(*shape, H)))
    W, b = rng.normal(size=(2 * H, H)) / np.sqrt(2 * H), rng.normal(size=H) / 2
    return h_left, h_right, W, b


def check_compose_backward(compose_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``compose_backward(dh, cache) -> (dh_left, dh_right, dW, db)``, with
    ``cache = (X, W, h)``, ``X = [h_left; h_right]`` and ``h = tanh(X W + b)``, for a batch
    ``dh`` (N, H) and for one pair ``dh`` (H,) (what exercise 3 needs)."""
    name = "compose_backward"
    rng = fresh_rng()
    labels = ("dh_left", "dh_right", "dW", "db")
    cases = [((int(rng.integers(2, 8)),), int(rng.integers(2, 6))), ((), int(rng.integers(2, 6)))]
    if hidden:
        cases += [((1,), int(rng.integers(2, 6))), ((), 1), ((int(rng.integers(2, 8)),), 1)]
    for shape, H in cases:
        one_pair = shape == ()
        what = "one pair, dh of shape (H,)" if one_pair else "a batch, dh of shape (N, H)"
        h_left, h_right, W, b = _compose_problem(rng, shape, H)
        h, cache = compose_forward(h_left, h_right, W, b)
        dh = rng.normal(size=h.shape)
        expected = compose_backward(dh, cache)
        try:
            result = call_refusing(compose_backward_fn, (dh, tuple(cache)), FORBIDDEN_BACKWARD)
        except (ValueError, IndexError) as error:
            if one_pair:
                raise CheckFailed(f"{name} fails on {what} ({type(error).__name__}: {error}). "
                                  "Exercise 3 calls it on one pair: there X (2H,) and da (H,) "
                                  "are 1-D, X.T does not turn them into a column and a row, and "
                                  "dX[:, :H] has one index too many. Work on rows: reshape X "
                                  "to (-1, 2H) and da to (-1, H) for dW and db, and split dX "
                                  "with dX[..., :H].") from None
            raise
        if not isinstance(result, tuple) or len(result) != 4:
            raise CheckFailed(f"{name} must return a tuple of 4: ({', '.join(labels)}).")
        rows = "(N, H)" if not one_pair else "(H,)"
        hints = {"dh_left": f"the first H entries of da @ W.T along the last axis, shape {rows}",
                 "dh_right": f"the last H entries of da @ W.T along the last axis, shape {rows}",
                 "dW": "the sum over pairs of the outer product of X and da, shape (2H, H)",
                 "db": "da summed over the pairs, shape (H,)"}
        if one_pair:
            hints["dW"] += ("; for one pair X (2H,) and da (H,) are 1-D and .T does nothing "
                            "to them, so a batch formula fails on them: work on rows "
                            "(X.reshape(-1, 2 * H), da.reshape(-1, H)) so that one formula "
                            "serves both shapes")
            hints["db"] += "; for one pair da itself (da.sum(axis=0) of a 1-D da is a number)"
        got = [compare_array(f"{name}: {label} ({what})", value, want, hints[label])
               for label, value, want in zip(labels, result, expected)]
        if H > 1 and close(got[0], expected[1]) and close(got[1], expected[0]):
            raise CheckFailed(f"{name}: dh_left and dh_right are swapped. X = [h_left; h_right], "
                              "so the left child's gradient is the FIRST H entries of dX.")
        untouched = dh @ W.T
        skipped = (untouched[..., :H], untouched[..., H:],
                   np.reshape(cache.X, (-1, 2 * H)).T @ np.reshape(dh, (-1, H)),
                   np.reshape(dh, (-1, H)).sum(axis=0))
        for index, label in enumerate(labels):
            if close(got[index], expected[index]):
                continue
            if close(got[index], skipped[index]):
                raise CheckFailed(f"{name}: {label} skips the tanh: first da = dh * (1 - h**2), "
                                  "the slope of tanh written with its output h.")
            if label == "db" and not one_pair and close(got[index], expected[index] / shape[0]):
                raise CheckFailed(f"{name}: db is the MEAN of da over the pairs; the bias is "
                                  "used by every pair, so its gradient is their SUM.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values for {what} "
                              f"({hints[label]}, with da = dh * (1 - h**2)).")
    report_passed(name, hidden)


def check_tree_backward(tree_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``tree_backward(dh, cache, grads)``, which adds the gradients of ``E``, ``W`` and
    ``b`` into ``grads`` for a cache from ``nnlib.tree.tree_forward``."""
    name = "tree_backward"
    rng = fresh_rng()
    vocab = ["a", "b", "c"]
    index = {token: i for i, token in enumerate(vocab)}
    # Fresh trees over three words: with 4 or more leaves some word repeats (E accumulates).
    sizes = [int(rng.integers(4, 8))] + ([int(rng.integers(5, 12)), 2, 1] if hidden else [])
    for n_leaves in sizes:
        tree, H = random_tree(rng, n_leaves, vocab), int(rng.integers(2, 5))
        params = {"E": rng.normal(size=(3, H)), "W": rng.normal(size=(2 * H, H)) / 2,
                  "b": rng.normal(size=H) / 2}
        _, cache = tree_forward(tree, params, index)
        dh = rng.normal(size=H)
        expected = {key: np.zeros_like(value) for key, value in params.items()}
        tree_backward(dh, cache, expected)
        grads = {key: np.zeros_like(value) for key, value in params.items()}
        returned = call_refusing(tree_backward_fn, (dh, cache, grads), FORBIDDEN_BACKWARD)
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
