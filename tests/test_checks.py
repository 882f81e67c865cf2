"""The exercises' self-checks: a right answer passes, each typical mistake is named."""

import numpy as np
import pytest

from nnlib import checks
from nnlib.activations import sigmoid
from nnlib.checks import CheckFailed


# Reference answers, written independently of the checks' own reference calls.
def sigmoid_slope(output):
    return output * (1 - output)


def train_step(X, y, w, learning_rate=1.0, sign=1, slope=True, rate=True):
    output = sigmoid(X @ w)
    error = sign * (y - output)
    delta = X.T @ (error * (output * (1 - output) if slope else 1))
    return w + (learning_rate if rate else 1) * delta


def affine_backward(dout, cache, db_mean=False, transpose=False):
    X, W = cache
    dW = X.T @ dout
    return dout @ W.T, dW.T if transpose else dW, dout.mean(0) if db_mean else dout.sum(0)


def two_layer_backward(X, y, W1, W2, factor=2, hidden_slope=True):
    A1 = sigmoid(X @ W1)
    y_hat = sigmoid(A1 @ W2)
    delta2 = factor * (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * (A1 * (1 - A1) if hidden_slope else 1)
    return X.T @ delta1, A1.T @ delta2


def step_backward(dh, cache, U, W, through_tanh=True):
    x, h_prev, h = cache
    da = dh * (1 - h**2) if through_tanh else dh
    return da @ U.T, da @ W.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def bptt(dhidden, caches, U, W, carry_back=True):
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0])
    dh_next = np.zeros_like(dhidden[:, 0])
    for t in reversed(range(len(caches))):
        _, dh_prev, dU_t, dW_t, db_t = step_backward(
            dhidden[:, t] + (dh_next if carry_back else 0), caches[t], U, W)
        dh_next = dh_prev
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    return dU, dW, db


def carry_probability(width, out=False):
    p = np.zeros(width + 1)
    for i in range(1, width + 1):
        p[i] = 0.25 + 0.5 * p[i - 1]
    return p[1:] if out else p[:-1]


def bidirectional_backward(dhidden, cache_f, cache_b, reverse=True, flip_dX=True):
    from nnlib.rnn import rnn_backward

    H = dhidden.shape[-1] // 2
    dX_f, _, dU_f, dW_f, db_f = rnn_backward(dhidden[..., :H], cache_f)
    upstream = dhidden[:, ::-1, H:] if reverse else dhidden[..., H:]
    dX_r, _, dU_b, dW_b, db_b = rnn_backward(upstream, cache_b)
    return dX_f + (dX_r[:, ::-1] if flip_dX else dX_r), dU_f, dW_f, db_f, dU_b, dW_b, db_b


CASES = [
    (checks.check_sigmoid_slope, (sigmoid_slope,), [
        ((lambda o: sigmoid(o) * (1 - sigmoid(o)),), "applied the sigmoid again"),
        ((lambda o: o * (1 + o),), "sign wrong"),
        ((lambda o: None,), "returned NoneType"),
    ]),
    (checks.check_train_step, (train_step,), [
        ((lambda *a: train_step(*a, sign=-1),), "moves the weights uphill"),
        ((lambda *a: train_step(*a, slope=False),), "forgot the sigmoid's slope"),
        ((lambda *a: train_step(*a, rate=False),), "ignores learning_rate"),
    ]),
    (checks.check_affine_backward, (affine_backward,), [
        ((lambda d, c: affine_backward(d, c, db_mean=True),), "db is the mean"),
        ((lambda d, c: affine_backward(d, c, transpose=True),),
         r"dW returned shape \(3, 4\), expected \(4, 3\)"),
        ((lambda d, c: affine_backward(d, c)[:2],), "expected a tuple of 3"),
    ]),
    (checks.check_two_layer_backward, (two_layer_backward,), [
        ((lambda *a: two_layer_backward(*a, factor=1),), "half the gradient"),
        ((lambda *a: two_layer_backward(*a, hidden_slope=False),), "dW2 is right but dW1"),
    ]),
    (checks.check_step_backward, (step_backward,), [
        ((lambda *a: step_backward(*a, through_tanh=False),), "skips the tanh"),
    ]),
    (checks.check_bptt, (bptt,), [
        ((lambda *a: bptt(*a, carry_back=False),), "flows back through time"),
    ]),
    (checks.check_carry_probability, (carry_probability,), [
        ((lambda w: carry_probability(w, out=True),), "carries OUT of each bit"),
    ]),
    (checks.check_bidirectional_backward, (bidirectional_backward,), [
        ((lambda *a: bidirectional_backward(*a, reverse=False),), "reversed time"),
        ((lambda *a: bidirectional_backward(*a, flip_dX=False),), "dX is wrong"),
    ]),
]


@pytest.mark.parametrize("check, right, _", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_right_answer_passes_public_and_hidden_checks(check, right, _, capsys):
    check(*right)
    check(*right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out
    assert "all tests passed" not in out.lower()


@pytest.mark.parametrize("check, wrong, message",
                         [(check, w, m) for check, _, mistakes in CASES for w, m in mistakes],
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", ""))
def test_each_typical_mistake_is_named(check, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check(*wrong)
