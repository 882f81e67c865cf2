"""Notebook 09's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np
import pytest

from course.checks.common import CheckFailed
from course.checks.tree import check_compose_backward, check_transitions, check_tree_backward


# Reference answers, written independently of the checks' own reference calls.
def to_transitions(text, mode="right"):
    moves = []
    for token in text.replace("(", " ( ").replace(")", " ) ").split():
        if token == ")":
            if mode != "open":
                moves.append("R")
        elif token == "(":
            if mode == "open":
                moves.append("R")
            elif mode == "all":
                moves.append("S")
        else:
            moves.append("S")
    if mode == "shift_first":  # right counts, wrong order: every shift, then every reduce
        return sorted(moves, key=lambda move: move == "R")
    return moves


def compose_backward(dh, cache, swap=False, slope=True, mean=False, scalar_db=False):
    X, W, h = cache
    da = dh * (1 - h**2) if slope else dh
    dX = da @ W.T
    H = W.shape[1]
    left, right = dX[..., :H], dX[..., H:]
    if swap:
        left, right = right, left
    X_rows, da_rows = X.reshape(-1, 2 * H), da.reshape(-1, H)
    db = da.sum(axis=0) if scalar_db else da_rows.mean(0) if mean else da_rows.sum(0)
    return left, right, X_rows.T @ da_rows, db


def compose_backward_rows_only(dh, cache):
    # The batch-only answer: fine for dh (N, H), a ValueError for one pair (H,).
    X, W, h = cache
    da = dh * (1 - h**2)
    dX = da @ W.T
    H = W.shape[1]
    return dX[:, :H], dX[:, H:], X.T @ da, da.sum(axis=0)


def transitions_hard_coded(text):
    # The transitions of the sentence printed in the notebook, whatever the input.
    return list("SSRSSSSSRRRRSRR")


def transitions_library_twin(text):
    from nnlib.data import parse, transitions
    return transitions(parse(text))


def compose_backward_library_twin(dh, cache):
    from nnlib.tree import compose_backward as twin
    return twin(dh, cache)


def tree_backward_library_twin(dh, cache, grads):
    from nnlib.tree import tree_backward as twin
    twin(dh, cache, grads)


def tree_backward_compose_twin(dh, cache, grads):
    # Writes the recursion but lets the library do each reduce: refused too.
    from nnlib.tree import compose_backward as twin
    if not isinstance(cache, tuple):
        grads["E"][cache] += dh
        return
    left, right, compose_cache = cache
    d_left, d_right, dW, db = twin(dh, compose_cache)
    grads["W"] += dW
    grads["b"] += db
    tree_backward_compose_twin(d_left, left, grads)
    tree_backward_compose_twin(d_right, right, grads)


def tree_backward(dh, cache, grads, accumulate=True, embed_assign=False, swap=False):
    if not isinstance(cache, tuple):
        if embed_assign:
            grads["E"][cache] = dh
        else:
            grads["E"][cache] += dh
        return
    cache_left, cache_right, (X, W, h) = cache
    da = dh * (1 - h**2)
    dX = da @ W.T
    H = W.shape[1]
    if accumulate:
        grads["W"] += np.outer(X, da)
        grads["b"] += da
    else:
        grads["W"][...] = np.outer(X, da)
        grads["b"][...] = da
    left, right = (dX[H:], dX[:H]) if swap else (dX[:H], dX[H:])
    tree_backward(left, cache_left, grads, accumulate, embed_assign, swap)
    tree_backward(right, cache_right, grads, accumulate, embed_assign, swap)


@pytest.mark.parametrize("hidden", [False, True])
def test_right_answers_pass(hidden, capsys):
    check_transitions(to_transitions, hidden=hidden)
    check_compose_backward(compose_backward, hidden=hidden)
    check_tree_backward(tree_backward, hidden=hidden)
    assert capsys.readouterr().out.count("checks passed") == 3


@pytest.mark.parametrize("mode, message", [
    ("open", "R for every '\\('"),
    ("all", "'\\(' brackets produce no transition"),
    ("shift_first", "wrong order"),
])
def test_transition_mistakes_named(mode, message):
    with pytest.raises(CheckFailed, match=message):
        check_transitions(lambda text: to_transitions(text, mode), hidden=True)


def test_transitions_missing_return():
    with pytest.raises(CheckFailed, match="forget a return"):
        check_transitions(lambda text: None)


@pytest.mark.parametrize("kwargs, message", [
    ({"swap": True}, "swapped"),
    ({"slope": False}, "skips the tanh"),
    ({"mean": True}, "MEAN of da over the pairs"),
    ({"scalar_db": True}, r"db \(one pair.*returned shape \(\), expected \(\d,\).*da itself"),
])
def test_compose_mistakes_named(kwargs, message):
    with pytest.raises(CheckFailed, match=message):
        check_compose_backward(lambda dh, cache: compose_backward(dh, cache, **kwargs))


def test_compose_wrong_arity():
    with pytest.raises(CheckFailed, match="tuple of 4"):
        check_compose_backward(lambda dh, cache: compose_backward(dh, cache)[:3])


@pytest.mark.parametrize("kwargs, message", [
    ({"accumulate": False}, "one node's share only"),
    ({"embed_assign": True}, "SUM of their gradients"),
    ({"swap": True}, "children's gradients swapped"),
])
def test_tree_backward_mistakes_named(kwargs, message):
    with pytest.raises(CheckFailed, match=message):
        check_tree_backward(lambda dh, cache, grads: tree_backward(dh, cache, grads, **kwargs),
                            hidden=True)


def test_tree_backward_that_rebinds_is_named():
    def rebinds(dh, cache, grads):
        grads = {key: value + 1 for key, value in grads.items()}  # noqa: F841

    with pytest.raises(CheckFailed, match="still zero"):
        check_tree_backward(rebinds)


def test_a_batch_only_compose_backward_is_told_what_exercise_3_needs():
    with pytest.raises(CheckFailed, match=r"fails on one pair, dh of shape \(H,\).*reshape X"):
        check_compose_backward(compose_backward_rows_only)


@pytest.mark.parametrize("check, answer, message", [
    (check_transitions, transitions_hard_coded, "to_transitions: "),
    (check_transitions, transitions_library_twin, "nnlib.data.trees.parse"),
    (check_compose_backward, compose_backward_library_twin, "nnlib.tree.compose_backward"),
    (check_tree_backward, tree_backward_library_twin, "nnlib.tree.tree_backward"),
    (check_tree_backward, tree_backward_compose_twin, "nnlib.tree.compose_backward"),
])
@pytest.mark.parametrize("hidden", [False, True])
def test_shortcuts_fail_public_and_hidden(check, answer, message, hidden):
    with pytest.raises(CheckFailed, match=message):
        check(answer, hidden=hidden)


def test_inputs_are_fresh_on_every_call():
    seen = []
    for _ in range(2):
        check_transitions(lambda text: seen.append(text) or to_transitions(text))
    assert seen[:3] != seen[3:]
