"""Chapter 09's pairs (notebook 09_tree_networks and nnlib.tree, nnlib.data.trees)."""

import numpy as np

from twin_cases import Twin

WORDS = ["a", "b", "c", "d"]


def _random_tree(rng, n_leaves):
    if n_leaves == 1:
        return WORDS[rng.integers(len(WORDS))]
    split = int(rng.integers(1, n_leaves))
    return (_random_tree(rng, split), _random_tree(rng, n_leaves - split))


def _params(rng, H=3):
    return {"E": rng.normal(size=(len(WORDS), H)), "W": rng.normal(size=(2 * H, H)) / 2,
            "b": rng.normal(size=H)}


def _transitions(rng):
    return (_random_tree(rng, int(rng.integers(1, 12))),), {}


def _compose_forward(rng):
    return (rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(6, 3)),
            rng.normal(size=3)), {}


def _compose_backward(rng):
    from nnlib.tree import compose_forward

    _, cache = compose_forward(rng.normal(size=(5, 3)), rng.normal(size=(5, 3)),
                               rng.normal(size=(6, 3)), rng.normal(size=3))
    return (rng.normal(size=(5, 3)), cache), {}


def _tree_forward(rng):
    return (_random_tree(rng, int(rng.integers(1, 10))), _params(rng),
            {word: i for i, word in enumerate(WORDS)}), {}


def _tree_backward(rng):
    # Both twins add into the same dict and return None: the case holds the name and the
    # signature; tests/test_tree.py compares the gradients they accumulate.
    from nnlib.tree import tree_forward

    params = _params(rng)
    _, cache = tree_forward(_random_tree(rng, 6), params, {w: i for i, w in enumerate(WORDS)})
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    return (rng.normal(size=3), cache, grads), {}


CASES = [
    Twin("09", "transitions", "nnlib.data.trees.transitions", _transitions),
    Twin("09", "compose_forward", "nnlib.tree.compose_forward", _compose_forward),
    Twin("09", "compose_backward", "nnlib.tree.compose_backward", _compose_backward),
    Twin("09", "tree_forward", "nnlib.tree.tree_forward", _tree_forward),
    Twin("09", "tree_backward", "nnlib.tree.tree_backward", _tree_backward),
]
