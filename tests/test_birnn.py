import numpy as np
import pytest

from course.rnn import train_addition
from nnlib.addition import exact_sum_accuracy
from nnlib.data.bits import split_pairs
from nnlib.birnn import BiRNN, birnn_backward, birnn_forward
from nnlib.data.bits import addition_data, all_pairs
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.optim import SGD
from nnlib.rnn import RNN, rnn_forward


def small_problem(seed=0, N=3, T=6, D=2, H=4):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(D, H)), rng.normal(size=(H, H)) / 2, rng.normal(size=H),
               rng.normal(size=(D, H)), rng.normal(size=(H, H)) / 2, rng.normal(size=H)]
    return rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)), \
        weights, rng


def test_known_value_one_step_each_way():
    # T = 1: both directions see the single input; f = tanh(x U_f + h0_f W_f + b_f).
    a = np.array
    hidden, _ = birnn_forward(a([[[1.0, 0.0]]]), a([[0.5]]), a([[0.0]]), a([[2.0], [3.0]]),
                              a([[-2.0]]), a([0.5]), a([[1.0], [1.0]]), a([[4.0]]), a([0.0]))
    assert hidden.shape == (1, 1, 2)
    assert hidden[0, 0, 0] == pytest.approx(np.tanh(2.0 - 1.0 + 0.5))
    assert hidden[0, 0, 1] == pytest.approx(np.tanh(1.0))


def test_halves_are_a_forward_and_a_reversed_rnn():
    X, h0_f, h0_b, (U_f, W_f, b_f, U_b, W_b, b_b), _ = small_problem()
    hidden, _ = birnn_forward(X, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b)
    forward, _ = rnn_forward(X, h0_f, U_f, W_f, b_f)
    backward, _ = rnn_forward(X[:, ::-1], h0_b, U_b, W_b, b_b)
    np.testing.assert_array_equal(hidden[..., :4], forward)
    np.testing.assert_array_equal(hidden[..., 4:], backward[:, ::-1])
    # The backward half at the first step has read the whole sequence: change the last input
    # and it moves, while the forward half at the first step does not.
    X2 = X.copy()
    X2[:, -1] += 1.0
    hidden2, _ = birnn_forward(X2, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b)
    np.testing.assert_array_equal(hidden2[:, 0, :4], hidden[:, 0, :4])
    assert np.all(np.abs(hidden2[:, 0, 4:] - hidden[:, 0, 4:]) > 0)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_whole_sequence_backward_gradcheck(activation):
    X, h0_f, h0_b, weights, rng = small_problem(seed=1, T=7)
    dhidden = rng.normal(size=(X.shape[0], X.shape[1], 8))

    def f():
        return float(np.sum(birnn_forward(X, h0_f, h0_b, *weights, activation)[0] * dhidden))

    _, cache = birnn_forward(X, h0_f, h0_b, *weights, activation)
    grads = birnn_backward(dhidden, cache)
    assert len(grads) == 9
    for analytic, value in zip(grads, (X, h0_f, h0_b, *weights)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


@pytest.mark.parametrize("settings", [dict(head="softmax", activation="tanh"),
                                      dict(head="sigmoid", activation="sigmoid"),
                                      dict(head="regression", output="last")])
def test_model_gradcheck_over_whole_sequences(settings):
    rng = np.random.default_rng(3)
    model = BiRNN(2, 4, rng=rng, **settings)
    for name in model.params:  # move off the zero biases so that every path is exercised
        model.params[name] += rng.normal(scale=0.5, size=model.params[name].shape)
    X = rng.integers(0, 2, size=(4, 6, 2)).astype(float)
    y = (rng.normal(size=(4, 1)) if model.head == "regression"
         else rng.integers(0, 2, size=(4, 6)))
    loss, grads = model.loss_and_grads(X, y)
    assert loss == pytest.approx(model.loss(X, y), rel=1e-12)
    assert set(grads) == set(model.params)
    for name, value in model.params.items():
        assert grads[name].shape == value.shape
        numerical = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[name], numerical) < 1e-7, name


def test_shapes_seeding_and_repr():
    model = BiRNN(2, 5, rng=np.random.default_rng(0))
    assert {k: v.shape for k, v in model.params.items()} == {
        "U_f": (2, 5), "W_f": (5, 5), "b_f": (5,), "U_b": (2, 5), "W_b": (5, 5), "b_b": (5,),
        "V": (10, 2), "c": (2,)}
    same = BiRNN(2, 5, rng=np.random.default_rng(0))
    assert all(np.array_equal(model.params[k], same.params[k]) for k in model.params)
    X, y = addition_data(*all_pairs(3), 4, "msb")
    assert model.hidden_states(X).shape == (64, 4, 10)
    assert model.predict(X).shape == y.shape
    assert abs(model.loss(X, y) - np.log(2)) < 0.15
    assert repr(model) == ("BiRNN(input_size=2, hidden_size=5, head='softmax', "
                           "activation='tanh', output='sequence', output_size=2, truncate=None)")
    assert type(model)(**model.config, rng=np.random.default_rng(0)).config == model.config


def test_learns_msb_first_addition_where_a_one_way_rnn_cannot():
    bi = BiRNN(2, 8, rng=np.random.default_rng(0))
    train, held = split_pairs(8, 0.75, np.random.default_rng(4))
    history = train_addition(bi, train, SGD(1.0), 20, np.random.default_rng(1),
                             bit_order="msb", val_pairs=held, stop_at_perfect=True)
    assert history.val_metric[-1] == 1.0 and history.epochs[-1] < 20
    a, b = all_pairs(7)
    assert exact_sum_accuracy(bi, a, b, 8, "msb") == 1.0
    one_way = RNN(2, 8, rng=np.random.default_rng(0))
    train_addition(one_way, train, SGD(1.0), int(history.epochs[-1]), np.random.default_rng(1),
                   bit_order="msb")
    assert exact_sum_accuracy(one_way, a, b, 8, "msb") < 0.2


def test_imports_no_private_names_of_rnn():
    import ast
    import inspect

    import nnlib.birnn
    tree = ast.parse(inspect.getsource(nnlib.birnn))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    assert not [name for name in imported if name.startswith("_")]


@pytest.mark.parametrize("call, message", [
    (lambda: BiRNN(2, 0, rng=np.random.default_rng(0)), "hidden_size must be an integer >= 1"),
    (lambda: BiRNN(2, 4, rng=0), "rng must be a np.random.Generator"),
    (lambda: BiRNN(2, 4, rng=np.random.default_rng(0), head="relu"), "head must be one of"),
    (lambda: BiRNN(2, 4, rng=np.random.default_rng(0), activation="relu"),
     "activation must be one of"),
    (lambda: BiRNN(2, 4, rng=np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 1)),
                                                                  np.zeros((2, 3), int)),
     r"X must have shape \(N, T, 2\), got \(2, 3, 1\)"),
    (lambda: BiRNN(2, 4, rng=np.random.default_rng(0)).loss_and_grads(np.zeros((2, 3, 2)),
                                                                  np.full((2, 3), 2)),
     "y must hold class labels 0 .. 1"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
