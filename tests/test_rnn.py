import numpy as np
import pytest

from nnlib.data.bits import addition_data, all_pairs, random_addends
from nnlib.gradcheck import numerical_gradient, relative_error
from course.rnn import train_addition
from nnlib.addition import exact_sum_accuracy, exact_sums
from nnlib.data.bits import split_pairs, split_sizes
from nnlib.model import Model
from nnlib.optim import SGD
from nnlib.rnn import (RNN, bit_loss, rnn_backward, rnn_forward, rnn_step_backward,
                       rnn_step_forward)
from nnlib.train import fit
from nnlib.validation import DivergenceError


def small_problem(seed=0, N=3, T=5, D=2, H=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
            rng.normal(size=(H, H)) / 2, rng.normal(size=H), rng)


def test_step_known_value():
    a = np.array
    h, _ = rnn_step_forward(a([[1.0, 0.0]]), a([[0.5]]), a([[2.0], [3.0]]), a([[-2.0]]), a([0.5]))
    assert h[0, 0] == pytest.approx(np.tanh(2.0 - 1.0 + 0.5))
    h, _ = rnn_step_forward(a([[0.0, 0.0]]), a([[0.0]]), a([[2.0], [3.0]]), a([[-2.0]]), a([0.0]),
                            "sigmoid")
    assert h[0, 0] == 0.5


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_step_backward_gradcheck(activation):
    X, h0, U, W, b, rng = small_problem()
    x = X[:, 0].copy()
    dh = rng.normal(size=h0.shape)

    def f():
        return float(np.sum(rnn_step_forward(x, h0, U, W, b, activation)[0] * dh))

    _, cache = rnn_step_forward(x, h0, U, W, b, activation)
    grads = rnn_step_backward(dh, cache)
    for analytic, value in zip(grads, (x, h0, U, W, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_whole_sequence_backward_gradcheck(activation):
    X, h0, U, W, b, rng = small_problem(seed=1, T=7)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], U.shape[1]))

    def f():
        return float(np.sum(rnn_forward(X, h0, U, W, b, activation)[0] * dhidden))

    _, cache = rnn_forward(X, h0, U, W, b, activation)
    grads = rnn_backward(dhidden, cache)
    for analytic, value in zip(grads, (X, h0, U, W, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


def test_forward_is_a_loop_of_steps():
    X, h0, U, W, b, _ = small_problem()
    hidden, _ = rnn_forward(X, h0, U, W, b)
    h = h0
    for t in range(X.shape[1]):
        h, _ = rnn_step_forward(X[:, t], h, U, W, b)
        np.testing.assert_allclose(hidden[:, t], h, rtol=0, atol=1e-15)


def test_backward_equals_a_loop_of_step_backwards():
    X, h0, U, W, b, rng = small_problem(seed=4, T=6)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], U.shape[1]))
    caches, h = [], h0
    for t in range(X.shape[1]):
        h, cache = rnn_step_forward(X[:, t], h, U, W, b)
        caches.append(cache)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)
    dX, dh = np.zeros_like(X), np.zeros_like(h0)
    for t in reversed(range(X.shape[1])):
        dX[:, t], dh, dU_t, dW_t, db_t = rnn_step_backward(dhidden[:, t] + dh, caches[t])
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    _, cache = rnn_forward(X, h0, U, W, b)
    for looped, fused in zip((dX, dh, dU, dW, db), rnn_backward(dhidden, cache)):
        np.testing.assert_allclose(fused, looped, rtol=1e-12, atol=1e-14)


def targets(model, rng, N, T):
    if model.head == "regression":
        return rng.normal(size=(N, model.output_size))
    classes = 2 if model.head == "sigmoid" else model.output_size
    return rng.integers(0, classes, size=(N, T) if model.output == "sequence" else N)


@pytest.mark.parametrize("settings", [
    dict(head="softmax", activation="tanh"), dict(head="sigmoid", activation="sigmoid"),
    dict(head="sigmoid", activation="tanh"), dict(head="softmax", activation="sigmoid"),
    dict(head="softmax", output_size=3),
    dict(output="last", head="regression"), dict(output="last", head="regression",
                                                 output_size=2),
    dict(output="last", head="softmax", output_size=4), dict(output="last", head="sigmoid")])
def test_model_gradcheck_over_whole_sequences(settings):
    rng = np.random.default_rng(3)
    model = RNN(2, 5, rng=rng, **settings)
    for name in model.params:  # move off the zero biases so that every path is exercised
        model.params[name] += rng.normal(scale=0.5, size=model.params[name].shape)
    X = rng.integers(0, 2, size=(4, 6, 2)).astype(float)
    y = targets(model, rng, 4, 6)
    loss, grads = model.loss_and_grads(X, y)
    assert loss == pytest.approx(model.loss(X, y), rel=1e-12)  # training path = checked path
    assert set(grads) == set(model.params)
    for name, value in model.params.items():
        assert grads[name].shape == value.shape
        numerical = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[name], numerical) < 1e-7, name


def test_bit_loss_known_values_and_heads_agree():
    # A two-way softmax with logits (0, z) is a sigmoid of z: the heads give the same loss.
    z = np.array([[[-1.0], [2.0], [0.0]]])
    y = np.array([[0, 1, 1]])
    loss_sigmoid, d_sigmoid = bit_loss(z, y, "sigmoid")
    loss_softmax, d_softmax = bit_loss(np.concatenate([np.zeros_like(z), z], axis=-1), y,
                                       "softmax")
    expected = np.mean([np.log1p(np.exp(-1.0)), np.log1p(np.exp(-2.0)), np.log(2.0)])
    assert loss_sigmoid == pytest.approx(expected, rel=1e-12)
    assert loss_softmax == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(d_sigmoid[..., 0], d_softmax[..., 1], atol=1e-15)
    assert np.isfinite(bit_loss(np.full((1, 2, 1), 1e3), np.array([[0, 1]]), "sigmoid")[0])


def test_untrained_loss_is_about_a_coin_flip():
    model = RNN(2, 16, rng=np.random.default_rng(0))
    X, y = addition_data(*all_pairs(4), 5)
    assert abs(model.loss(X, y) - np.log(2)) < 0.15
    assert model.predict(X).shape == y.shape
    assert model.predict_proba(X).shape == y.shape + (2,)
    assert model.hidden_states(X).shape == (X.shape[0], 5, 16)
    assert "hidden_size=16" in repr(model)


def test_initialisation_is_seeded():
    one = RNN(2, 8, rng=np.random.default_rng(5)).params
    two = RNN(2, 8, rng=np.random.default_rng(5)).params
    three = RNN(2, 8, rng=np.random.default_rng(6)).params
    assert all(np.array_equal(one[k], two[k]) for k in one)
    assert not np.array_equal(one["W"], three["W"])


@pytest.mark.parametrize("head, activation, lr", [("softmax", "tanh", 1.0),
                                                  ("sigmoid", "sigmoid", 3.0)])
def test_learns_addition_on_held_out_pairs_and_generalises_in_length(head, activation, lr):
    model = RNN(2, 16, rng=np.random.default_rng(0), head=head, activation=activation)
    train, held = split_pairs(8, 0.75, np.random.default_rng(4))
    history = train_addition(model, train, SGD(lr), 20, np.random.default_rng(1),
                             val_pairs=held, stop_at_perfect=True)
    assert history.val_metric[-1] == 1.0 and history.epochs[-1] < 20
    assert history.metric == "exact_sums" and history.val_metric[0] < 0.05
    a, b = random_addends(np.random.default_rng(2), 300, 31)
    assert exact_sum_accuracy(model, a, b, 32) > 0.99


def test_split_pairs_is_a_partition():
    (a_train, b_train), (a_held, b_held) = split_pairs(6, 0.25, np.random.default_rng(0))
    assert len(a_held) == 256 and len(a_train) == 768
    assert split_sizes(6, 0.25) == (768, 256)
    train = set(zip(a_train.tolist(), b_train.tolist()))
    held = set(zip(a_held.tolist(), b_held.tolist()))
    assert not train & held and len(train | held) == 1024


def test_msb_first_does_not_learn_to_add():
    model = RNN(2, 16, rng=np.random.default_rng(0))
    train, held = split_pairs(8, 0.5, np.random.default_rng(4))
    history = train_addition(model, train, SGD(1.0), 2, np.random.default_rng(1),
                             bit_order="msb", val_pairs=held)
    assert history.val_metric[-1] < 0.5


def test_history_counts_epochs_and_steps():
    model = RNN(2, 4, rng=np.random.default_rng(0))
    train = (np.arange(20) % 8, np.arange(20) // 8)
    history = train_addition(model, train, SGD(0.5), 3, np.random.default_rng(1),
                             batch_size=8, n_bits=4)
    np.testing.assert_array_equal(history.epochs, [0, 1, 2, 3])
    np.testing.assert_array_equal(history.steps, [0, 3, 6, 9])
    X, y = addition_data(*train, 4)
    assert history.train_metric[-1] == exact_sums(model, X, y)


def test_train_addition_is_data_plus_fit():
    train = split_pairs(6, 0.5, np.random.default_rng(0))[0]
    one, two = (RNN(2, 6, rng=np.random.default_rng(3)) for _ in range(2))
    train_addition(one, train, SGD(1.0), 2, np.random.default_rng(1), n_bits=6)
    X, y = addition_data(*train, 6)
    fit(two, X, y, SGD(1.0), 2, batch_size=32, rng=np.random.default_rng(1))
    for key in one.params:
        np.testing.assert_array_equal(one.params[key], two.params[key])


def test_divergence_is_reported():
    model = RNN(2, 4, rng=np.random.default_rng(0))
    model.params["V"][:] = np.nan
    with pytest.raises(DivergenceError, match="step 0"):
        train_addition(model, split_pairs(4, 0.5, np.random.default_rng(0))[0], SGD(0.5), 5,
                       np.random.default_rng(1), n_bits=4)


def test_protocol_config_rebuilds_and_predictions():
    model = RNN(2, 3, rng=np.random.default_rng(0), output="last", head="softmax", output_size=3)
    assert isinstance(model, Model)
    rebuilt = type(model)(**model.config, rng=np.random.default_rng(0))
    assert rebuilt.config == model.config
    assert all(np.array_equal(rebuilt.params[k], model.params[k]) for k in model.params)
    X = np.random.default_rng(1).normal(size=(5, 4, 2))
    proba = model.predict_proba(X)
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    regression = RNN(2, 3, rng=np.random.default_rng(0), output="last", head="regression")
    assert regression.predict(X).shape == (5, 1)
    assert regression.task == "regression" and not hasattr(regression, "predict_proba")
    for head in ("softmax", "sigmoid"):
        bits = RNN(2, 3, rng=np.random.default_rng(0), head=head)
        assert bits.task == "classification" and bits.output_size == 2
        proba = bits.predict_proba(X)
        assert proba.shape == (5, 4, 2)              # [P(bit = 0), P(bit = 1)] at every step
        np.testing.assert_allclose(proba.sum(axis=-1), 1.0, atol=1e-15)
        np.testing.assert_array_equal(bits.predict(X), (proba[..., 1] > 0.5).astype(int))
    last = RNN(2, 3, rng=np.random.default_rng(0), head="sigmoid", output="last")
    assert last.predict_proba(X).shape == (5, 2) and last.params["V"].shape == (3, 1)


def test_last_step_regression_learns_to_sum_its_inputs():
    # The smallest adding-style task: the target is the sum of the first input over 3 steps.
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(256, 3, 2))
    y = X[:, :, 0].sum(axis=1, keepdims=True)
    model = RNN(2, 8, rng=np.random.default_rng(1), output="last", head="regression")
    before = model.loss(X, y)
    fit(model, X, y, SGD(0.1), 40, batch_size=16, rng=rng, metric=None)
    assert model.loss(X, y) < 0.05 * before


@pytest.mark.parametrize("call, message", [
    (lambda: RNN(2, 0, rng=np.random.default_rng(0)), "hidden_size must be an integer >= 1"),
    (lambda: RNN(2, 4, rng=0), "rng must be a np.random.Generator"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), head="relu"), "head must be one of"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), activation="relu"), "activation must be one of"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 1)),
                                                                np.zeros((2, 3), int)),
     r"X must have shape \(N, T, 2\), got \(2, 3, 1\)"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 2)),
                                                                np.full((2, 3), 0.5)),
     "y must hold integer class labels 0 .. 1"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 2)),
                                                                np.full((2, 3), 2)),
     "y must hold class labels 0 .. 1"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).predict(np.full((1, 2, 2), np.nan)),
     "X contains nan"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).predict(np.zeros((0, 2, 2))),
     r"X holds no sequences \(N = 0\)"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0)).predict(np.zeros((1, 0, 2))),
     "X must hold at least one time step"),
    (lambda: train_addition(RNN(3, 4, rng=np.random.default_rng(0)), ([1], [2]), SGD(1.0), 1,
                            np.random.default_rng(0)), "model must be an RNN with input_size 2"),
    (lambda: train_addition(RNN(2, 4, rng=np.random.default_rng(0)), ([1], [2]), SGD(1.0), 1,
                            np.random.default_rng(0), bit_order="mid"),
     "bit_order must be one of"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), head="regression"),
     "head='regression' needs output='last'"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), head="sigmoid", output_size=1),
     "head='sigmoid' scores two classes"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), output="first"), "output must be one of"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), output="last").loss(np.zeros((2, 3, 2)),
                                                                      np.zeros((2, 3), int)),
     r"y must have shape \(2,\)"),
    (lambda: RNN(2, 4, rng=np.random.default_rng(0), output="last", head="regression").loss(
        np.zeros((2, 3, 2)), np.zeros(2)), r"y must have shape \(2, 1\)"),
    (lambda: split_pairs(4, 1.0, np.random.default_rng(0)),
     "held_out=1 leaves none of the 64 pairs of 4-bit sums to train on"),
    # 0.99 of 16 pairs rounds to 16 held out: nothing left to train on.
    (lambda: split_pairs(3, 0.99, np.random.default_rng(0)),
     "held_out=0.99 leaves none of the 16 pairs of 3-bit sums to train on"),
    (lambda: bit_loss(np.zeros((1, 2, 2)), np.zeros((1, 2), int), "sigmoid"),
     r"logits must have shape \(N, T, 1\)"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_core_module_imports_no_presentation_packages():
    import subprocess
    import sys
    code = ("import sys, nnlib.rnn, nnlib.data.bits, nnlib.addition; "
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_notebook_sequence_loss_is_the_models_loss():
    # The notebook's whole-network loss (its own functions; their library twins are compared in
    # tests/test_notebook_twins.py) gives the model's loss and gradients.
    from notebook_code import notebook_definitions

    sequence_loss_and_grads = notebook_definitions("04")["sequence_loss_and_grads"]
    X, _, _, _, _, rng = small_problem(seed=7, T=6)
    model = RNN(2, 4, rng=np.random.default_rng(8))
    for value in model.params.values():
        value += rng.normal(scale=0.5, size=value.shape)
    y = rng.integers(0, 2, size=X.shape[:2])
    loss_nb, grads_nb = sequence_loss_and_grads(X, y, **model.params)
    loss_lib, grads_lib = model.loss_and_grads(X, y)
    assert loss_nb == pytest.approx(loss_lib, rel=1e-12)
    for key in grads_lib:
        np.testing.assert_allclose(grads_nb[key], grads_lib[key], rtol=1e-10, atol=1e-13)


# --- truncated backpropagation through time ----------------------------------------------------

def _step_caches(X, h0, U, W, b, activation):
    caches, h = [], h0
    for t in range(X.shape[1]):
        h, cache = rnn_step_forward(X[:, t], h, U, W, b, activation)
        caches.append(cache)
    return caches


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_truncated_bptt_is_the_sum_of_each_windows_full_bptt(k, activation):
    # Truncation cannot be gradient-checked (it is not the gradient of the loss); its defining
    # property is checked instead: each window of k steps is run on its own from the state the
    # full forward pass reached, held fixed, and its full BPTT gradients are summed.
    X, h0, U, W, b, rng = small_problem(seed=5, T=7)
    T = X.shape[1]
    dhidden = rng.normal(size=(X.shape[0], T, U.shape[1]))
    hidden, cache = rnn_forward(X, h0, U, W, b, activation)
    dX, dh0, dU, dW, db = rnn_backward(dhidden, cache, truncate=k)
    sums, dX_windows = [np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)], []
    for start in range(0, T, k):
        h_start = h0 if start == 0 else hidden[:, start - 1].copy()
        window_hidden, window_cache = rnn_forward(X[:, start:start + k], h_start, U, W, b,
                                                  activation)
        np.testing.assert_allclose(window_hidden, hidden[:, start:start + k], atol=1e-15)
        window_dX, window_dh0, *window_grads = rnn_backward(dhidden[:, start:start + k],
                                                            window_cache)
        if start == 0:
            np.testing.assert_allclose(dh0, window_dh0, rtol=1e-12, atol=1e-14)
        dX_windows.append(window_dX)
        sums = [total + part for total, part in zip(sums, window_grads)]
    np.testing.assert_allclose(dX, np.concatenate(dX_windows, axis=1), rtol=1e-12, atol=1e-14)
    for got, want in zip((dU, dW, db), sums):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    if 1 < k < T:  # the cut is real: full BPTT differs
        assert not np.allclose(rnn_backward(dhidden, cache)[3], dW)


def test_truncation_at_the_sequence_length_is_full_bptt_and_at_one_is_per_step():
    X, h0, U, W, b, rng = small_problem(seed=6, T=6)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], U.shape[1]))
    _, cache = rnn_forward(X, h0, U, W, b)
    full = rnn_backward(dhidden, cache)
    for k in (6, 7, 100):
        for got, want in zip(rnn_backward(dhidden, cache, truncate=k), full):
            np.testing.assert_array_equal(got, want)
    # k = 1: every step's gradient stops at its own input state, so each step is on its own.
    per_step = rnn_backward(dhidden, cache, truncate=1)
    sums = [np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)]
    for t, step_cache in enumerate(_step_caches(X, h0, U, W, b, "tanh")):
        dx, dh_prev, *step = rnn_step_backward(dhidden[:, t], step_cache)
        np.testing.assert_allclose(per_step[0][:, t], dx, rtol=1e-12, atol=1e-14)
        if t == 0:
            np.testing.assert_allclose(per_step[1], dh_prev, rtol=1e-12, atol=1e-14)
        sums = [total + part for total, part in zip(sums, step)]
    for got, want in zip(per_step[2:], sums):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls_name", ["RNN", "BiRNN"])
def test_model_truncate_setting(cls_name):
    from nnlib.birnn import BiRNN
    cls = {"RNN": RNN, "BiRNN": BiRNN}[cls_name]
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(3, 6, 2)), rng.integers(0, 2, size=(3, 6))
    full = cls(2, 4, rng=np.random.default_rng(0))
    cut = cls(2, 4, rng=np.random.default_rng(0), truncate=2)
    whole = cls(2, 4, rng=np.random.default_rng(0), truncate=6)
    assert cut.config["truncate"] == 2 and full.config["truncate"] is None
    assert type(cut)(**cut.config, rng=np.random.default_rng(0)).truncate == 2
    loss_full, grads_full = full.loss_and_grads(X, y)
    loss_cut, grads_cut = cut.loss_and_grads(X, y)
    assert loss_cut == loss_full  # truncation changes the gradient, never the loss
    for key in grads_full:
        np.testing.assert_array_equal(whole.loss_and_grads(X, y)[1][key], grads_full[key])
    recurrent = "W" if cls is RNN else "W_f"
    assert not np.allclose(grads_cut[recurrent], grads_full[recurrent])
    np.testing.assert_array_equal(grads_cut["V"], grads_full["V"])  # the head is not cut
    for bad in (0, -1, 2.5, "2"):
        with pytest.raises(ValueError, match="truncate"):
            cls(2, 4, rng=np.random.default_rng(0), truncate=bad)


def test_per_step_classifier_over_a_vocabulary():
    # Chapter 10's character model: V classes at every step, inputs one-hot over V.
    V, H, N, T = 5, 6, 4, 7
    rng = np.random.default_rng(8)
    model = RNN(V, H, rng=rng, head="softmax", output="sequence", output_size=V, truncate=3)
    X = np.eye(V)[rng.integers(0, V, size=(N, T))]
    y = rng.integers(0, V, size=(N, T))
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (N, T, V)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), probabilities.argmax(axis=-1))
    expected = -np.mean(np.log(np.take_along_axis(probabilities, y[..., None], -1)))
    assert model.loss(X, y) == pytest.approx(expected, rel=1e-12)
    before = model.loss(X, y)
    fit(model, X, y, SGD(0.5), epochs=20, metric=None)
    assert model.loss(X, y) < before


# --- bounded memory (issue 31) ---------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda: RNN(2, 10**7, rng=np.random.default_rng(0)),
    lambda: RNN(10**7, 40, rng=np.random.default_rng(0)),
    lambda: RNN(4, 40, rng=np.random.default_rng(0), output="last", output_size=10**9),
])
def test_huge_networks_are_refused_before_drawing_weights(build):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"the RNN's parameters would need .* GiB.*make "
                                         r"input_size, hidden_size or output_size smaller"):
        build()
    assert time.perf_counter() - start < 1.0


# --- notebook 04's figures (course.plotting.rnn) and the truncation driver (course.rnn) ------

def _gradient_arrows(ax):
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.colors import to_hex

    from course.plotting import style
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)
            and to_hex(p.get_edgecolor()) == style.color("gradient").lower()]


def test_unrolled_diagram_draws_bptt_arrows_and_cuts_them_at_window_starts():
    import matplotlib.pyplot as plt

    from course.plotting import style
    from course.plotting.rnn import plot_unrolled
    for T, truncate, expected in ((4, None, 4 + 3), (6, 2, 6 + 3), (6, 1, 6), (5, 3, 5 + 3)):
        ax = plot_unrolled(T=T, truncate=truncate)
        assert len(_gradient_arrows(ax)) == expected, (T, truncate)
        cuts = 0 if truncate is None else (T - 1) // truncate
        crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
        assert len(crosses) == cuts
        assert ax.figure.get_size_inches()[0] <= style.MAX_WIDTH
        plt.close(ax.figure)
    ax = plot_unrolled(T=4, backward=False)
    assert _gradient_arrows(ax) == []
    plt.close(ax.figure)


def _history(values):
    from types import SimpleNamespace
    values = np.asarray(values, float)
    return SimpleNamespace(epochs=np.arange(len(values)), val_metric=values,
                           train_metric=np.minimum(1, values + 0.1))


def test_accuracy_curves_put_the_splits_in_two_panels_so_both_100_lines_show():
    import matplotlib.pyplot as plt

    from course.plotting.rnn import plot_accuracy_curves
    axes = plot_accuracy_curves({"a": _history([0, 0.5, 1, 1]), "b": _history([0, 0.2, 1, 1])},
                                100)
    assert [ax.get_title() for ax in axes] == ["held-out pairs", "training pairs"]
    for ax in axes:
        data = [ln for ln in ax.get_lines() if ln.get_label() in ("a", "b")]
        assert len(data) == 2 and data[0].get_marker() != data[1].get_marker()
    assert axes[0].figure.get_size_inches()[0] <= 9
    plt.close(axes[0].figure)


def test_lag_task_uses_a_numeric_lag_axis():
    import matplotlib.pyplot as plt

    from course.plotting.rnn import plot_lag_task
    lags = [4, 8, 16, 24, 32]
    ax = plot_lag_task(lags, np.full((5, 3), 0.5), np.full((5, 3), 0.5))
    assert list(ax.get_xticks()) == lags
    mean_line = [ln for ln in ax.get_lines() if "mean" in ln.get_label()][0]
    assert list(mean_line.get_xdata()) == lags
    plt.close(ax.figure)


def test_clipping_runs_take_their_concepts_colours():
    import matplotlib.pyplot as plt

    from course.plotting import style
    from course.plotting.rnn import plot_clipping
    runs = {"no clipping": (np.ones(5), np.ones(5)), "clip_norm = 1": (np.ones(5), np.ones(5))}
    axes = plot_clipping(runs)
    colours = {ln.get_label(): ln.get_color() for ln in axes[0].get_lines()}
    assert colours == {"no clipping": style.color("unclipped"),
                       "clip_norm = 1": style.color("clipped")}
    plt.close(axes[0].figure)
    with pytest.raises(ValueError, match="clipped"):
        plot_clipping({"run": (np.ones(2), np.ones(2))})


def test_hidden_state_colour_bar_is_labelled_and_fonts_are_at_least_9_points():
    import matplotlib.pyplot as plt

    from course.plotting.rnn import plot_carry_tracking, plot_hidden_and_carry
    T, H = 8, 16
    rng = np.random.default_rng(0)
    axes = plot_hidden_and_carry(np.tanh(rng.normal(size=(T, H))), np.zeros(T), np.zeros(T),
                                 np.ones(T), np.ones(T))
    figure = axes[0].figure
    colour_bars = [ax for ax in figure.axes if ax not in axes]
    assert colour_bars and colour_bars[0].get_ylabel() == "value of the hidden unit"
    assert min(t.get_fontsize() for t in axes[0].get_yticklabels()) >= 9
    assert figure.get_size_inches()[0] <= 9
    plt.close(figure)
    axes = plot_carry_tracking(rng.uniform(-1, 1, H), rng.normal(size=50),
                               rng.integers(0, 2, 50), 3, strong=0.7, cut=0.1)
    levels = sorted(ln.get_ydata()[0] for ln in axes[0].get_lines() if ln.get_linestyle() == "-.")
    assert levels == [-0.7, 0.7]
    assert [ln.get_xdata()[0] for ln in axes[1].get_lines() if ln.get_linestyle() == "-."] == [0.1]
    plt.close(axes[0].figure)


def test_truncation_run_records_and_its_figure():
    import matplotlib.pyplot as plt

    from course import rnn as driver
    from course.plotting.rnn import plot_truncation
    settings = dict(driver.TRUNCATION_SETTINGS)
    try:
        driver.TRUNCATION_SETTINGS.update(epochs=2, long_pairs=20, held_out=0.98)
        record, model = driver.truncation_run(2, 0, return_model=True)
        assert driver.truncation_run(2, 0) == record            # seeded: the same run again
    finally:
        driver.TRUNCATION_SETTINGS.clear()
        driver.TRUNCATION_SETTINGS.update(settings)
    assert model.truncate == 2 and record["epochs"] == [0, 1, 2]
    assert record["n_train"] == 4 ** 7 - round(0.98 * 4 ** 7)
    runs = [dict(record, truncate=k, first_perfect=f) for k, f in ((1, None), (2, 2), (8, 1))]
    axes = plot_truncation(runs, dict(record, first_perfect=2))
    assert list(axes[1].get_xticks()) == [1, 2, 8]
    assert axes[0].figure.get_size_inches()[0] <= 9
    plt.close(axes[0].figure)


def test_original_backward_is_minus_the_library_gradient_and_the_naive_index_is_not():
    '''Notebook 04's reproduction calls course.rnn.original_backward: on one example from a
    random start its three changes are minus the library's BPTT gradients of half the squared
    error summed over the 8 bits; the "fixed" index gives a different W_in change.'''
    from course.rnn import original_backward
    from nnlib.activations import sigmoid, sigmoid_slope

    rng = np.random.default_rng(3)
    W_in, W_out, W_rec = (rng.uniform(-1, 1, s) for s in ((2, 16), (16, 1), (16, 16)))
    a_int, b_int = 9, 60
    row = lambda v: np.array([int(d) for d in format(v, "08b")])   # MSB first
    a, b, c = row(a_int), row(b_int), row(a_int + b_int)
    states, out_deltas = [np.zeros(16)], []
    for t in range(8):
        col = 7 - t
        h = sigmoid(np.array([[a[col], b[col]]]) @ W_in + states[-1] @ W_rec)
        y_hat = sigmoid(h @ W_out)
        out_deltas.append((c[col] - y_hat) * sigmoid_slope(y_hat))
        states.append(h.copy())
    d_in, d_out, d_rec = original_backward(a, b, states, out_deltas, (W_in, W_out, W_rec))

    X, y = addition_data([a_int], [b_int], 8)
    hidden, cache = rnn_forward(X, np.zeros((1, 16)), W_in, W_rec, np.zeros(16),
                                activation="sigmoid")
    y_hat = sigmoid(hidden @ W_out)
    dz = (y_hat - y[..., None]) * sigmoid_slope(y_hat)
    _, _, dU, dW, _ = rnn_backward(dz @ W_out.T, cache)
    dV = hidden[0].T @ dz[0]
    np.testing.assert_allclose(d_in, -dU, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d_out, -dV, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d_rec, -dW, rtol=1e-10, atol=1e-14)
    naive = original_backward(a, b, states, out_deltas, (W_in, W_out, W_rec),
                              naive_backward=True)
    assert not np.allclose(naive[0], d_in)
