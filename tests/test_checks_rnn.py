"""The self-checks of notebook 04 accept a right answer, name each typical mistake, and refuse
the shortcuts: an answer that calls the library's twin, and an answer hard-coded for one draw."""

import numpy as np
import pytest

import nnlib
from course import checks
from course.checks import CheckFailed
from course.parameters import ch04
from nnlib.rnn import rnn_forward, rnn_step_forward
from selfcheck_cases import self_check_tests


# Reference answers written independently of the checks, each with a switch for one mistake.
def rnn_step_backward(dh, cache, through_tanh=True, dW_from_h=False, sign=1):
    da = sign * dh * (1 - cache.h**2) if through_tanh else dh
    dW = (cache.h if dW_from_h else cache.h_prev).T @ da
    return (da @ cache.U.T, da @ cache.W.T, cache.x.T @ da, dW, da.sum(axis=0))


def rnn_backward(dhidden, caches, carry_back=True, wrong_dh0=False, through_tanh=True,
                 forwards=False, only_last_step=False, mean_over_time=False):
    N, T, H = dhidden.shape
    dX = np.zeros((N, T, caches[0].x.shape[1]))
    dU, dW, db = np.zeros_like(caches[0].U), np.zeros_like(caches[0].W), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in (range(T) if forwards else reversed(range(T))):
        dX[:, t], dh_prev, dU_t, dW_t, db_t = rnn_step_backward(
            dhidden[:, t] + (dh_next if carry_back else 0), caches[t], through_tanh)
        dh_next = dh_prev
        if only_last_step:
            if t == T - 1:
                dU, dW, db = dU_t, dW_t, db_t
        else:
            dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
    if mean_over_time:
        dU, dW, db = dU / T, dW / T, db / T
    return dX, (2 * dh_next if wrong_dh0 else dh_next), dU, dW, db


# Shortcuts. The names of the twin calls say "library": the grading re-check replays outputs,
# so it cannot see a twin call, and tests/test_classroom_isolation.py leaves those rows out.
def library_rnn_step_backward(dh, cache):
    return nnlib.rnn_step_backward(dh, cache)


def library_rnn_backward(dhidden, caches):
    return nnlib.rnn_backward(dhidden, caches)


def _fixed_draw(N=3, T=5, D=2, H=4):
    # The problem of one fixed draw, as the checks drew it before their inputs were fresh.
    rng = np.random.default_rng(6)
    X = rng.integers(0, 2, size=(N, T, D)).astype(np.float64)
    U, W, b = rng.normal(size=(D, H)), rng.normal(size=(H, H)) / 2, rng.normal(size=H)
    _, caches = rnn_forward(X, np.zeros((N, H)), U, W, b)
    return rng.normal(size=(N, T, H)), caches


_STEP_ANSWER = rnn_step_backward(np.ones((3, 4)), rnn_step_forward(
    np.ones((3, 2)), np.zeros((3, 4)), np.ones((2, 4)), np.eye(4), np.zeros(4))[1])
_BPTT_ANSWER = rnn_backward(*_fixed_draw())


def hard_coded_step_backward(dh, cache):
    return tuple(a.copy() for a in _STEP_ANSWER)


def hard_coded_rnn_backward(dhidden, caches):
    return tuple(a.copy() for a in _BPTT_ANSWER)


CASES = [
    (checks.check_rnn_step_backward, (rnn_step_backward,), [
        ((lambda *a: rnn_step_backward(*a, through_tanh=False),), "skips the tanh"),
        ((lambda *a: rnn_step_backward(*a, dW_from_h=True),), "dW uses h"),
        ((lambda *a: rnn_step_backward(*a, sign=-1),), "wrong sign"),
        ((lambda *a: rnn_step_backward(*a)[:4],), "expected a tuple of 5"),
        ((library_rnn_step_backward,), "calls the library's nnlib.rnn_layers.rnn_step_backward"),
        ((hard_coded_step_backward,), "right shape but wrong values"),
    ]),
    (checks.check_rnn_backward, (rnn_backward,), [
        ((lambda *a: rnn_backward(*a, carry_back=False),), "flows back through time"),
        ((lambda *a: rnn_backward(*a, through_tanh=False),), "skips the tanh"),
        ((lambda *a: rnn_backward(*a, forwards=True),), "runs forwards in time"),
        ((lambda *a: rnn_backward(*a, only_last_step=True),), "one step only"),
        ((lambda *a: rnn_backward(*a, mean_over_time=True),), "or their mean"),
        ((lambda *a: rnn_backward(*a, wrong_dh0=True),), "dh0 is the dh_prev of step 0"),
        ((lambda *a: rnn_backward(*a)[2:],), "expected a tuple of 5"),
        ((library_rnn_backward,), "calls the library's nnlib.rnn_layers.rnn_backward"),
        ((hard_coded_rnn_backward,), "right shape but wrong values"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)


def test_a_bptt_answer_built_on_the_library_step_is_refused():
    def bptt_on_the_library_step(dhidden, caches):
        dX = np.zeros((*dhidden.shape[:2], caches[0].x.shape[1]))
        grads, dh_next = None, np.zeros_like(dhidden[:, 0])
        for t in reversed(range(dhidden.shape[1])):
            dX[:, t], dh_next, *step = nnlib.rnn_step_backward(dhidden[:, t] + dh_next, caches[t])
            grads = step if grads is None else [g + s for g, s in zip(grads, step)]
        return (dX, dh_next, *grads)
    with pytest.raises(CheckFailed, match="nnlib.rnn_layers.rnn_step_backward"):
        checks.check_rnn_backward(bptt_on_the_library_step)
    assert nnlib.rnn_step_backward is not None  # and the library works again afterwards
    checks.check_rnn_backward(rnn_backward)


def test_every_call_draws_new_inputs():
    seen = []

    def spy(dhidden, caches):
        seen.append(dhidden.copy())
        return rnn_backward(dhidden, caches)
    checks.check_rnn_backward(spy)
    checks.check_rnn_backward(spy)
    assert not np.allclose(seen[0], seen[1])


# --- notebook 04's parameters (course.parameters.ch04) ------------------------------------

DEFAULTS = dict(seed=0, hidden_size=16, learning_rate=1.0, sigmoid_learning_rate=3.0,
                held_out=0.9, epochs=20, batch_size=32, n_bits=8, test_pairs=2000)


def test_the_default_parameters_pass_and_are_printed(capsys):
    namespace = dict(DEFAULTS)
    ch04.check(namespace)
    assert capsys.readouterr().out.startswith("seed=0, hidden_size=16, learning_rate=1, ")


@pytest.mark.parametrize("name, value, message", [
    ("hidden_size", 0, "hidden_size"), ("hidden_size", 2.5, "hidden_size"),
    ("learning_rate", 0, "learning_rate"),
    ("held_out", 1, r"held_out must be a number in the range \(0, 0.999\]"),
    ("n_bits", 11, "n_bits"), ("batch_size", 0, "batch_size"), ("epochs", -1, "epochs"),
])
def test_a_bad_value_is_refused_naming_the_parameter(name, value, message):
    with pytest.raises(ValueError, match=message):
        ch04.check(dict(DEFAULTS, **{name: value}))


@pytest.mark.parametrize("changes, message", [
    (dict(test_pairs=16_384, hidden_size=256), "about 12.9 GB of memory"),
    (dict(epochs=2000, hidden_size=64), "up to 45.8 minutes of running time"),
])
def test_the_budget_refuses_an_over_budget_combination(changes, message):
    with pytest.raises(ValueError, match=message):
        ch04.check(dict(DEFAULTS, **changes))


def test_a_held_out_share_that_leaves_no_pair_to_train_on_is_refused():
    # 0.999 is accepted alone (16 of the 16 384 pairs of 8-bit sums left to train on) but
    # keeps all 16 pairs of 3-bit sums out of training.
    ch04.check(dict(DEFAULTS, held_out=0.999))
    with pytest.raises(ValueError, match="held_out=0.999 leaves none of the 16 pairs of 3-bit "
                                         "sums to train on: lower held_out or raise n_bits"):
        ch04.check(dict(DEFAULTS, held_out=0.999, n_bits=3))
