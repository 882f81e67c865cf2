import time

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import softmax_cross_entropy
from nnlib.model import build_model
from nnlib.optim import Adam
from nnlib.train import fit
from nnlib.tree import (METHODS, TreeNet, compose_backward, compose_forward, height_forward,
                        stack_forward, tree_backward, tree_forward)
from nnlib.treebatch import embedding_backward, prepare_batch
from nnlib.data import (LISTOPS_VOCAB, from_transitions, height, is_tree, leaves, listops_depth,
                        listops_text, listops_tree, listops_value, make_listops, parse,
                        parse_listops, to_string, transitions)
from notebook_code import code_sources, notebook_definitions

WORDS = ["a", "b", "c", "d"]


def random_tree(rng, n_leaves, vocab=WORDS):
    """A random binary tree over n_leaves tokens (random split points, any shape)."""
    if n_leaves == 1:
        return vocab[rng.integers(len(vocab))]
    split = int(rng.integers(1, n_leaves))
    return (random_tree(rng, split, vocab), random_tree(rng, n_leaves - split, vocab))


@pytest.fixture
def trees():
    rng = np.random.default_rng(7)
    return [random_tree(rng, int(n)) for n in rng.integers(1, 12, size=9)] + ["a", ("a", "a")]


# --- data ---------------------------------------------------------------------------------------

def test_parse_and_transitions_known_values():
    tree = parse("( ( The church ) ( ( has ( cracks ( in ( the ceiling ) ) ) ) . ) )")
    assert tree[0] == ("The", "church")
    assert "".join(transitions(tree)) == "SSRSSSSSRRRRSRR"  # the source tutorial's sequence
    assert to_string(parse("( ( a b ) c )")) == "( ( a b ) c )"
    assert height((("a", "b"), "c")) == 2 and leaves((("a", "b"), "c")) == ["a", "b", "c"]


def test_transitions_round_trip(trees):
    for tree in trees:
        moves = transitions(tree)
        assert len(moves) == 2 * len(leaves(tree)) - 1
        assert from_transitions(leaves(tree), moves) == tree
        assert parse(to_string(tree)) == tree


@pytest.mark.parametrize("text", ["( a b c )", "( a", "a )", "( a b ) c", ""])
def test_parse_rejects_malformed(text):
    with pytest.raises(ValueError, match="text must"):
        parse(text)


def test_from_transitions_rejects_impossible_moves():
    with pytest.raises(ValueError, match=r"moves\[1\] = 'R' is not possible"):
        from_transitions(["a", "b"], ["S", "R", "S"])
    with pytest.raises(ValueError, match="use every token"):
        from_transitions(["a", "b"], ["S"])


def test_listops_known_values():
    expr = parse_listops("[MAX 2 9 [MIN 4 7 ] 0 ]")
    assert listops_value(expr) == 9 and listops_depth(expr) == 2
    assert listops_text(expr) == "[MAX 2 9 [MIN 4 7 ] 0 ]"
    assert listops_value(parse_listops("[SM 5 8 [MAX 1 3 ] ]")) == 6   # (5 + 8 + 3) mod 10
    assert listops_tree(parse_listops("[MAX 2 9 ]")) == ((("[MAX", "2"), "9"), "]")


@pytest.mark.parametrize("text", ["[MAX 2 9", "[FOO 1 2 ]", "[MAX 12 ]", "3", "[MAX ]"])
def test_parse_listops_rejects(text):
    with pytest.raises(ValueError, match="text must"):
        parse_listops(text)


def test_make_listops_is_seeded_and_labelled():
    trees, y, depth, texts = make_listops(60, [1, 2, 4], rng=np.random.default_rng(3))
    again = make_listops(60, [1, 2, 4], rng=np.random.default_rng(3))
    assert trees == again[0] and texts == again[3]
    assert sorted(set(depth.tolist())) == [1, 2, 4]
    assert all(listops_value(parse_listops(t)) == label for t, label in zip(texts, y))
    assert all(leaves(tree) == t.split() for tree, t in zip(trees, texts))
    with pytest.raises(ValueError, match="depths must"):
        make_listops(5, [0], rng=np.random.default_rng(0))


# --- the three encoders agree ------------------------------------------------------------------

def test_prepare_batch_schedules(trees):
    index = {w: i for i, w in enumerate(WORDS)}
    batch = prepare_batch(trees, index)
    assert len(batch.levels) == max(height(t) for t in trees)
    assert len(batch.steps) == max(len(transitions(t)) for t in trees)
    assert batch.n_leaves == sum(len(leaves(t)) for t in trees)
    assert batch.n_nodes == sum(2 * len(leaves(t)) - 1 for t in trees)


def test_every_method_gives_the_same_roots_and_gradients(trees):
    model = TreeNet(WORDS, 5, 3, rng=np.random.default_rng(0))
    y = np.arange(len(trees)) % 3
    recursive = np.array([model.encode(tree) for tree in trees])
    batch = model.prepare_batch(trees)
    for method in ("height", "stack"):
        np.testing.assert_allclose(model.encode_batch(batch, method), recursive, rtol=0,
                                   atol=1e-12)
        np.testing.assert_allclose(model.encode_batch(trees, method), recursive, rtol=0,
                                   atol=1e-12)
    reference_loss, reference = model.loss_and_grads_by(trees, y, "recursion")
    for method in ("height", "stack"):
        loss, grads = model.loss_and_grads_by(batch, y, method)
        assert abs(loss - reference_loss) < 1e-12
        for key in model.params:
            np.testing.assert_allclose(grads[key], reference[key], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_gradient_check(method, trees):
    model = TreeNet(WORDS, 4, 3, rng=np.random.default_rng(1))
    for value in model.params.values():  # non-zero biases, so that b and b_out are tested
        value += np.random.default_rng(2).normal(0, 0.3, value.shape)
    y = np.arange(len(trees)) % 3
    _, grads = model.loss_and_grads_by(trees, y, method)
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(trees, y), value)
        assert relative_error(grads[key], numeric) < 1e-7, key


def test_compose_is_the_formula_and_its_backward_checks():
    rng = np.random.default_rng(4)
    h_left, h_right, W, b = (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                             rng.normal(size=(4, 2)), rng.normal(size=2))
    h, cache = compose_forward(h_left, h_right, W, b)
    np.testing.assert_allclose(h, np.tanh(h_left @ W[:2] + h_right @ W[2:] + b))
    dh = rng.normal(size=h.shape)
    grads = compose_backward(dh, cache)
    for array, grad in zip((h_left, h_right, W, b), grads):
        numeric = numerical_gradient(
            lambda: float(np.sum(compose_forward(h_left, h_right, W, b)[0] * dh)), array)
        assert relative_error(grad, numeric) < 1e-7


def test_recursion_known_value():
    model = TreeNet(["x", "y"], 2, 2, rng=np.random.default_rng(0))
    E, W, b = model.params["E"], model.params["W"], model.params["b"]
    inner = np.tanh(np.concatenate([E[0], E[1]]) @ W + b)
    expected = np.tanh(np.concatenate([inner, E[0]]) @ W + b)
    np.testing.assert_allclose(model.encode((("x", "y"), "x")), expected, rtol=0, atol=1e-15)
    h, cache = tree_forward((("x", "y"), "x"), model.params, model.index)
    grads = {key: np.zeros_like(model.params[key]) for key in ("E", "W", "b")}
    tree_backward(np.ones(2), cache, grads)
    assert np.all(grads["E"][0] != 0)   # x is used twice: both uses accumulate
    assert grads["E"].shape == E.shape


def test_embedding_backward_sums_repeated_tokens():
    batch = prepare_batch([(("a", "a"), "b"), "a"], {w: i for i, w in enumerate(WORDS)})
    dleaves = np.arange(8.0).reshape(4, 2)
    expected = np.zeros((4, 2))
    np.add.at(expected, batch.token_ids, dleaves)
    np.testing.assert_array_equal(embedding_backward(dleaves, batch), expected)


def test_stack_and_height_encoders_directly(trees):
    model = TreeNet(WORDS, 3, 2, rng=np.random.default_rng(5))
    batch = model.prepare_batch(trees)
    np.testing.assert_allclose(height_forward(batch, model.params)[0],
                               stack_forward(batch, model.params)[0], rtol=0, atol=1e-12)


# --- the model protocol ------------------------------------------------------------------------

def test_protocol_config_and_repr():
    model = TreeNet(WORDS, 6, 3, rng=np.random.default_rng(0))
    assert set(model.params) == {"E", "W", "b", "W_out", "b_out"}
    assert model.params["W"].shape == (12, 6) and model.params["E"].shape == (4, 6)
    rebuilt = type(model)(**model.config, rng=np.random.default_rng(0))
    assert all(np.array_equal(rebuilt.params[k], model.params[k]) for k in model.params)
    assert build_model("TreeNet", model.config).config == model.config
    assert repr(model) == "TreeNet(vocab=['a', 'b', 'c', 'd'], hidden_size=6, output_size=3)"


def test_predict_and_loss(trees):
    model = TreeNet(WORDS, 5, 3, rng=np.random.default_rng(0))
    y = np.arange(len(trees)) % 3
    probabilities = model.predict_proba(trees)
    assert probabilities.shape == (len(trees), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(trees), probabilities.argmax(axis=1))
    logits = np.log(probabilities)
    assert abs(model.loss(trees, y) - softmax_cross_entropy(logits, y)[0]) < 1e-12


def test_fit_learns_listops_with_minibatches():
    trees, y, _, _ = make_listops(300, [1, 2], rng=np.random.default_rng(0), operators=("MAX",))
    model = TreeNet(LISTOPS_VOCAB, 16, 10, rng=np.random.default_rng(1))
    history = fit(model, trees, y, Adam(0.02), 15, batch_size=32, rng=np.random.default_rng(2))
    assert history.train_metric[-1] > 0.8 > history.train_metric[0]


@pytest.mark.parametrize("make, message", [
    (lambda: TreeNet([], 4, 2, rng=np.random.default_rng(0)), "vocab must be a non-empty list"),
    (lambda: TreeNet(["a", "a"], 4, 2, rng=np.random.default_rng(0)), "distinct tokens"),
    (lambda: TreeNet(["a b"], 4, 2, rng=np.random.default_rng(0)), "vocab must"),
    (lambda: TreeNet(WORDS, 0, 2, rng=np.random.default_rng(0)), "hidden_size must be an integer"),
    (lambda: TreeNet(WORDS, 4, 1, rng=np.random.default_rng(0)), "output_size must be an integer"),
    (lambda: TreeNet(WORDS, 4, 2, rng=0), "rng must be a np.random.Generator"),
])
def test_constructor_rejects(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_inputs_rejected_with_the_argument_named():
    model = TreeNet(WORDS, 4, 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="trees must be a list of trees, got tuple"):
        model.prepare_batch(("a", "b"))
    with pytest.raises(ValueError, match=r"trees\[1\] must be a tree"):
        model.prepare_batch(["a", ("a", "b", "c")])
    with pytest.raises(ValueError, match=r"trees\[0\] holds the token 'z'"):
        model.encode(("a", "z"))
    with pytest.raises(ValueError, match="method must be one of"):
        model.encode_batch(["a"], method="recursion")
    with pytest.raises(ValueError, match="y must hold class labels 0 .. 1"):
        model.loss_and_grads(["a", "b"], [0, 2])
    other = TreeNet(WORDS + ["e"], 4, 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="prepared for a vocabulary of 5 tokens"):
        model.predict(other.prepare_batch(["a"]))


# --- the notebook's code is the library's code ----------------------------------------------------

def test_notebook_functions_behave_like_nnlib(trees):
    import nnlib.tree as library

    notebook = notebook_definitions("09")  # the exercises' worked answers included
    model = TreeNet(WORDS, 3, 2, rng=np.random.default_rng(8))
    params = {k: v for k, v in model.params.items() if k in ("E", "W", "b")}
    for tree in trees:
        assert notebook["transitions"](tree) == transitions(tree)
        h_nb, cache_nb = notebook["tree_forward"](tree, params, model.index)
        h_lib, cache_lib = library.tree_forward(tree, params, model.index)
        np.testing.assert_allclose(h_nb, h_lib, rtol=0, atol=1e-15)
        dh = np.linspace(-1, 1, 3)
        grads_nb = {k: np.zeros_like(v) for k, v in params.items()}
        grads_lib = {k: np.zeros_like(v) for k, v in params.items()}
        notebook["tree_backward"](dh, cache_nb, grads_nb)
        library.tree_backward(dh, cache_lib, grads_lib)
        for key in params:
            np.testing.assert_allclose(grads_nb[key], grads_lib[key], rtol=0, atol=1e-14)
    h, cache = notebook["compose_forward"](np.ones((2, 3)), -np.ones((2, 3)), params["W"],
                                           params["b"])
    for got, want in zip(notebook["compose_backward"](np.ones((2, 3)), cache),
                         compose_backward(np.ones((2, 3)), compose_forward(
                             np.ones((2, 3)), -np.ones((2, 3)), params["W"], params["b"])[1])):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


def test_one_hot_sequences_left_pads():
    from nnlib.data import one_hot_sequences

    index = {w: i for i, w in enumerate(WORDS)}
    X = one_hot_sequences([("a", "b"), "c"], index, 3)
    assert X.shape == (2, 3, 4)
    np.testing.assert_array_equal(X[0].argmax(axis=1)[1:], [0, 1])
    assert not X[0, 0].any() and not X[1, :2].any() and X[1, 2, 2] == 1
    with pytest.raises(ValueError, match="length must be at least 2"):
        one_hot_sequences([("a", "b")], index, 1)


# --- the chain is an RNN; the notebook's budget ---------------------------------------------------

def test_tree_network_on_a_chain_is_an_rnn_with_mapped_weights():
    from nnlib.rnn_layers import rnn_forward
    from nnlib.data import left_to_right

    rng = np.random.default_rng(11)
    model = TreeNet(WORDS, 5, 3, rng=rng)
    model.params["b"] = rng.normal(size=5)
    E, W, b, H = model.params["E"], model.params["W"], model.params["b"], 5
    tree = ((("a", "b"), ("c", "d")), ("b", "a"))
    chain = left_to_right(tree)                     # (((((a, b), c), d), b), a)
    tokens = leaves(chain)
    # h_t = tanh([h_{t-1}; e_t] W + b) = tanh(x_t (E W_2) + h_{t-1} W_1 + b), from h_1 = E[t_1]:
    # notebook 04's recurrence with one-hot x_t, U = E W_2 (the bottom half of W) and W_1.
    X = np.eye(len(WORDS))[[model.index[t] for t in tokens[1:]]][None]        # (1, T - 1, V)
    h0 = E[model.index[tokens[0]]][None]
    hidden, _ = rnn_forward(X, h0, E @ W[H:], W[:H], b)
    np.testing.assert_allclose(hidden[0, -1], model.encode(chain), rtol=0, atol=1e-14)
    assert not np.allclose(model.encode(chain), model.encode(tree))  # the order of composition


@pytest.mark.slow
def test_expected_tokens_is_the_generators_mean_length():
    from course.tree import expected_tokens

    assert expected_tokens(0) == 1 and expected_tokens(1) == 5 and expected_tokens(2) == 9
    assert expected_tokens(3) == pytest.approx(15.0)
    for depth in (3, 5, 7):
        trees = make_listops(3000, [depth], rng=np.random.default_rng(depth))[0]
        mean = np.mean([len(leaves(tree)) for tree in trees])
        assert expected_tokens(depth) == pytest.approx(mean, rel=0.03)
    with pytest.raises(ValueError, match="depth must be an integer >= 0"):
        expected_tokens(-1)


def test_matched_hidden_sizes_stay_within_the_tree_networks_weights():
    from nnlib.lstm import LSTM
    from nnlib.rnn import RNN
    from course.tree import matched_hidden_sizes

    assert matched_hidden_sizes(32) == {"lstm": 19, "rnn": 42}
    for H in (4, 32, 100):
        budget = TreeNet(LISTOPS_VOCAB, H, 10, rng=np.random.default_rng(0)).num_params
        sizes = matched_hidden_sizes(H)
        for cls, name in ((LSTM, "lstm"), (RNN, "rnn")):
            for h, fits in ((sizes[name], True), (sizes[name] + 1, False)):
                model = cls(len(LISTOPS_VOCAB), h, rng=np.random.default_rng(0), head="softmax",
                            output="last", output_size=10)
                assert (model.num_params <= budget) == fits, (H, name, h)


# One-thread runs of the notebook's three models (fit with validation, then the test set) on
# the course's machine: (n_train, epochs, batch_size, hidden_size, max_train_depth,
# max_test_depth) -> measured CPU seconds and peak GB of the whole process.
MEASURED_RUNS = [((1500, 20, 32, 32, 3, 6), 7.1, 0.21), ((300, 3, 1, 32, 3, 3), 1.8, 0.06),
                 ((600, 3, 32, 128, 3, 6), 4.7, 0.64), ((400, 2, 64, 256, 3, 10), 27.5, 5.22),
                 ((1000, 2, 16, 64, 6, 6), 5.2, 0.38), ((2000, 5, 600, 32, 3, 6), 3.1, 0.23),
                 ((500, 2, 32, 32, 8, 8), 3.2, 0.40), ((600, 3, 32, 256, 4, 8), 28.9, 2.64)]


@pytest.mark.parametrize("settings, seconds, gigabytes", MEASURED_RUNS)
def test_comparison_cost_is_within_a_factor_of_two_of_measured_runs(settings, seconds,
                                                                     gigabytes):
    from course.tree import comparison_cost

    estimate = comparison_cost(*settings)
    assert 0.5 < estimate[0] / seconds < 2
    assert 0.5 < estimate[1] / gigabytes < 2


def test_comparison_cost_grows_with_every_setting():
    from course.tree import comparison_cost

    base = (1500, 20, 32, 32, 3, 6)
    seconds, gigabytes = comparison_cost(*base)
    for index, larger in enumerate((15000, 200, None, 128, 6, 10)):
        if larger is None:
            continue
        bigger = list(base)
        bigger[index] = larger
        assert comparison_cost(*bigger)[0] > seconds, index
    assert comparison_cost(1500, 20, 1, 32, 3, 6)[0] > seconds       # more updates
    assert comparison_cost(1500, 20, 32, 32, 3, 10)[1] > gigabytes


def notebook_validation(**parameters):
    """Run notebook 09's parameters and validation cells with some parameters replaced."""
    parameters_cell, validation_cell = code_sources("09")[:2]
    namespace: dict = {}
    exec(parameters_cell, namespace)
    namespace.update(parameters)
    exec(validation_cell, namespace)
    return namespace


def test_notebook_stops_enormous_runs_at_once_naming_the_parameter():
    namespace = notebook_validation()
    assert namespace["hidden_size"] == 32
    with pytest.raises(ValueError, match=r"about [\d.]+ minutes of time, more than the 10 "
                                         r"minutes this notebook allows: reduce n_train, epochs"):
        notebook_validation(n_train=30_000, epochs=1000)
    with pytest.raises(ValueError, match=r"GB of memory, more than the 2 GB this notebook "
                                         r"allows: reduce max_test_depth"):
        notebook_validation(hidden_size=256, max_test_depth=10)


@pytest.mark.parametrize("parameters", [dict(n_train=30_000), dict(epochs=1000),
                                        dict(hidden_size=256),
                                        dict(max_train_depth=8, max_test_depth=8)])
def test_each_documented_maximum_passes_the_budget(parameters):
    # A documented maximum must be usable with the other parameters at their defaults (the
    # test depth may not be below the training depth, so it rises with it).
    namespace = notebook_validation(**parameters)
    assert all(namespace[name] == value for name, value in parameters.items())


def test_comparison_cost_names_a_bad_argument():
    from course.tree import comparison_cost

    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        comparison_cost(1500, 20, 0, 32, 3, 6)


# --- bounded work: shared subtrees, deep trees, huge settings (issue 31) -------------------------

def shared_tree(doublings=40):
    """t = ("a", "b"), then t = (t, t): 2 + doublings objects unfolding to 2**(doublings + 1)
    leaves."""
    tree = ("a", "b")
    for _ in range(doublings):
        tree = (tree, tree)
    return tree


def left_chain(depth, token="a"):
    tree = token
    for _ in range(depth):
        tree = (tree, token)
    return tree


def refused_at_once(call, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message):
        call()
    assert time.perf_counter() - start < 1.0


def test_a_tree_of_shared_subtrees_is_counted_not_unfolded():
    from nnlib.data.trees import MAX_TREE_NODES, count_nodes

    tree = shared_tree(40)
    assert count_nodes(tree) == 2**42 - 1 and height(tree) == 41
    model = TreeNet(WORDS, 3, 2, rng=np.random.default_rng(0))
    for call in (lambda: model.predict([tree]), lambda: model.encode(tree),
                 lambda: leaves(tree), lambda: transitions(tree), lambda: to_string(tree)):
        refused_at_once(call, rf"unfolds to 4\.4e\+12 nodes, more than MAX_TREE_NODES")
    # A little sharing (Python shares equal constant tuples) is fine: the unfolded tree counts.
    small = shared_tree(3)
    assert count_nodes(small) == 31 <= MAX_TREE_NODES
    np.testing.assert_allclose(model.predict_proba([small]),
                               model.predict_proba([parse(to_string(small))]), rtol=1e-12)


def test_deep_trees_need_no_recursion():
    chain = left_chain(5_000)
    assert is_tree(left_chain(400)) and is_tree(chain) and height(chain) == 5_000
    text = "( " * 5_000 + "a" + " a )" * 5_000
    # (== on 5 000 nested tuples would itself recurse in C: compare the strings)
    assert to_string(chain) == text and to_string(parse(text)) == text
    moves = transitions(chain)
    assert moves == ["S"] + ["S", "R"] * 5_000 and len(leaves(chain)) == 5_001
    assert to_string(from_transitions(leaves(chain), moves)) == text
    deep = "[MAX " * 3000 + "1 " + "2 ] " * 3000
    assert listops_value(parse_listops(deep)) == 2 and listops_depth(parse_listops(deep)) == 3000


def test_the_model_takes_deep_trees_and_names_the_recursion_bound():
    chain = left_chain(2_000)  # twice Python's recursion limit
    model = TreeNet(WORDS, 3, 2, rng=np.random.default_rng(0))
    batch = model.prepare_batch([chain, "a"])
    assert model.predict(batch).shape == (2,)
    np.testing.assert_allclose(model.encode_batch(batch, method="stack"),
                               model.encode_batch(batch, method="height"), atol=1e-12)
    refused_at_once(lambda: model.loss_and_grads_by(batch, [0, 1], method="recursion"),
                    r"method='recursion' .* height up to MAX_RECURSION_HEIGHT = 500; a tree "
                    r"here has height 2000: use method='height' or 'stack'")
    refused_at_once(lambda: model.encode(chain), "MAX_RECURSION_HEIGHT")


def test_huge_settings_are_refused_with_the_figure_and_the_parameter():
    rng = np.random.default_rng(0)
    refused_at_once(lambda: make_listops(1, [10**6], rng=rng),
                    r"depths must be an integer in the range \[1, 100\], got 1000000")
    refused_at_once(lambda: make_listops(10**12, [1, 2], rng=rng),
                    r"1000000000000 ListOps expressions .* would need [\d.]+e\+05 GiB, more than "
                    r"the budget .*: make n or depths smaller")
    refused_at_once(lambda: TreeNet(WORDS, 10**6, 2, rng=rng),
                    r"the parameters would need [\d.e+]+ GiB.*make hidden_size smaller")
    from nnlib.data import one_hot_sequences
    refused_at_once(lambda: one_hot_sequences(["a"] * 1000, {"a": 0}, 10**9),
                    r"the one-hot sequences would need .* GiB.*make length")


# --- notebook 09's parameters (course/parameters/ch09.py) ------------------------------------------

CH09_DEFAULTS = {"seed": 0, "hidden_size": 32, "n_train": 1500, "epochs": 20, "batch_size": 32,
                 "learning_rate": 0.01, "operators": "MAX,MIN", "max_train_depth": 3,
                 "max_test_depth": 6}


@pytest.mark.parametrize("name, value, message", [
    ("seed", -1, "seed must be an integer >= 0"),
    ("hidden_size", 2, r"hidden_size must be an integer in the range \[3, 256\], got 2"),
    ("n_train", 10, r"n_train must be an integer in the range \[30, 30000\]"),
    ("learning_rate", 0, "learning_rate must be"),
    ("operators", "MAX,MEDIAN", "operators must be a comma-separated list of"),
    ("operators", ["MAX"], "operators must be a comma-separated list of"),
    ("max_test_depth", 2, "max_test_depth must be >= max_train_depth = 3, got 2"),
])
def test_ch09_refuses_a_bad_value_naming_the_parameter(name, value, message):
    from course.parameters import ch09

    with pytest.raises(ValueError, match=message):
        ch09.check({**CH09_DEFAULTS, name: value})


def test_ch09_budget_refuses_an_over_budget_combination_and_normalises_operators(capsys):
    from course.parameters import ch09

    with pytest.raises(ValueError, match="minutes this notebook allows: reduce n_train"):
        ch09.check({**CH09_DEFAULTS, "n_train": 30_000, "epochs": 1000})
    with pytest.raises(ValueError, match="GB this notebook allows: reduce max_test_depth"):
        ch09.check({**CH09_DEFAULTS, "hidden_size": 256, "max_test_depth": 10})
    namespace = {**CH09_DEFAULTS, "operators": "MIN,MAX,MIN", "learning_rate": 1}
    ch09.check(namespace)
    assert namespace["operators"] == "MIN,MAX" and isinstance(namespace["learning_rate"], float)
    assert "operators='MIN,MAX'" in capsys.readouterr().out


# --- the committed benchmark's claims (moved out of the notebook's learner path) -----------------

def test_committed_benchmark_height_batching_meets_the_goal_at_256_trees():
    import json
    from pathlib import Path

    record = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "data"
                         / "tree_timings.json").read_text())
    speedup = {(r["hidden_size"], r["batch_size"], r["method"]): r["speedup_over_recursion"]
               for r in record["results"] if r["pass"] == "forward+backward"}
    # The course's goal: the best batched path at least 10x recursion at 256 trees, H = 32.
    assert speedup[(32, 256, "height")] >= 10
    assert speedup[(32, 256, "height")] > speedup[(32, 256, "stack")]
    # The notebook's text: the advantage shrinks at H = 128, where the stack leads at 512 trees.
    assert speedup[(128, 256, "height")] < speedup[(32, 256, "height")]
    assert speedup[(128, 512, "stack")] > speedup[(128, 512, "height")]


# --- the headline reports this run ----------------------------------------------------------------

@pytest.mark.slow  # two papermill runs of notebook 09 with small settings
def test_headline_changes_with_the_parameters(tmp_path):
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tools"))
    from notebook_run import execute_notebook, headline

    source = root / "notebooks" / "09_tree_networks.ipynb"
    small = {"n_train": 120, "epochs": 2, "max_test_depth": 4}
    texts = [headline(execute_notebook(source, tmp_path / f"run{seed}.ipynb",
                                       parameters={**small, "seed": seed}))
             for seed in (0, 1)]
    assert texts[0] != texts[1]
    assert "this run (seed 0, H = 32, 2 epochs): depths 1-3" in texts[0]
    assert "deeper 4 tree" in texts[0] and "committed sweep means (5 seeds" in texts[0]
