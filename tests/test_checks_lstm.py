"""Notebook 07's self-checks: a right answer passes, each typical mistake is named, and the
shortcuts (calling the library's twin, returning outputs computed once) are refused."""

import numpy as np
import pytest

from course.checks import CheckFailed
import nnlib.lstm
from course.checks.lstm import check_lstm_backward, check_lstm_step_backward


# Reference answers written independently of the checks, each with a switch for one mistake.
def step_backward(dh, dc, cache, tanh_slope=True, forget_old_cell=True, carry_dc=True,
                  swap_gates=False):
    x, h_prev, c_prev, tanh_c, Wx, Wh = (cache.x, cache.h_prev, cache.c_prev, cache.tanh_c,
                                         cache.Wx, cache.Wh)
    H = h_prev.shape[1]
    i, f, o, g = cache.i, cache.f, cache.o, cache.g
    c = f * c_prev + i * g
    dc_total = (dc if carry_dc else 0) + dh * o * ((1 - tanh_c**2) if tanh_slope else 1)
    di, df = dc_total * g, dc_total * (c_prev if forget_old_cell else c)
    do, dg = dh * tanh_c, dc_total * i
    if swap_gates:
        di, df = df, di
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)])
    assert da.shape[1] == 4 * H
    return da @ Wx.T, da @ Wh.T, dc_total * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def lstm_backward(dHs, caches, carry_c=True, carry_h=True, last_only=False):
    N, T, H = dHs.shape
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    dX, totals = np.zeros((N, T, caches[0].x.shape[1])), [0, 0, 0]
    for t in reversed(range(T)):
        dX[:, t], dh_prev, dc_prev, dWx, dWh, db = step_backward(dHs[:, t] + dh_next, dc_next,
                                                                 caches[t])
        dh_next = dh_prev if carry_h else 0 * dh_prev
        dc_next = dc_prev if carry_c else 0 * dc_prev
        totals = [dWx, dWh, db] if last_only else [
            a + b for a, b in zip(totals, (dWx, dWh, db))]
    return (dX, dh_prev, *totals)


def test_step_backward_right_answer_passes(capsys):
    check_lstm_step_backward(step_backward)
    check_lstm_step_backward(step_backward, hidden=True)
    assert "public checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    ({"tanh_slope": False}, "tanh slope is missing"),
    ({"forget_old_cell": False}, "multiplies the OLD cell"),
    ({"carry_dc": False}, "incoming dc is missing"),
    ({"swap_gates": True}, "right shape but wrong values"),
])
def test_step_backward_mistakes_named(mistake, message):
    with pytest.raises(CheckFailed, match=message):
        check_lstm_step_backward(lambda dh, dc, cache: step_backward(dh, dc, cache, **mistake))


def test_step_backward_wrong_type_and_shape():
    with pytest.raises(CheckFailed, match="expected a tuple of 6"):
        check_lstm_step_backward(lambda dh, dc, cache: step_backward(dh, dc, cache)[:5])
    with pytest.raises(CheckFailed, match="forget a return"):
        check_lstm_step_backward(lambda dh, dc, cache: (None,) * 6)
    with pytest.raises(CheckFailed, match=r"dWx returned shape \(16, 2\)"):
        check_lstm_step_backward(lambda dh, dc, cache: tuple(
            part.T if k == 3 else part for k, part in enumerate(step_backward(dh, dc, cache))))


def test_lstm_backward_right_answer_passes(capsys):
    check_lstm_backward(lstm_backward)
    check_lstm_backward(lstm_backward, hidden=True)
    assert "public checks passed: lstm_backward" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    ({"carry_c": False}, "misses the cell's own path"),
    ({"carry_h": False}, "misses the gradient through h"),
    ({"last_only": True}, "right shape but wrong values"),
])
def test_lstm_backward_mistakes_named(mistake, message):
    with pytest.raises(CheckFailed, match=message):
        check_lstm_backward(lambda dHs, caches: lstm_backward(dHs, caches, **mistake))


def test_lstm_backward_wrong_type():
    with pytest.raises(CheckFailed, match="expected a tuple of 5"):
        check_lstm_backward(lambda dHs, caches: lstm_backward(dHs, caches)[2:])


# Shortcuts: the library's twin (refused while the answer runs, by every route), and a
# hard-coded answer (the outputs of one call, returned again: the check's inputs are fresh).
def step_twin(dh, dc, cache):
    return nnlib.lstm.lstm_step_backward(dh, dc, cache)


def sequence_twin(dHs, caches):
    return nnlib.lstm.lstm_backward(dHs, caches)


def sequence_twin_inside(dHs, caches):
    from nnlib.lstm_layers import lstm_backward as library   # another route to the same code
    return library(dHs, caches, None)


def hard_coded(check, answer):
    """An answer that returns what ``answer`` returned on the check's first call."""
    recorded = []

    def replay(*args):
        if not recorded:
            recorded.append(answer(*args))
        return recorded[0]

    check(replay)      # the first call passes: its outputs are right for those inputs
    return replay


@pytest.mark.parametrize("check, shortcut, message", [
    (check_lstm_step_backward, step_twin, "calls the library's nnlib.lstm_layers.lstm_step_backward"),
    (check_lstm_backward, sequence_twin, "calls the library's nnlib.lstm_layers.lstm_backward"),
    (check_lstm_backward, sequence_twin_inside, "calls the library's nnlib.lstm_layers.lstm_backward"),
], ids=["step twin", "sequence twin", "sequence twin, other route"])
def test_shortcuts_are_refused(check, shortcut, message):
    with pytest.raises(CheckFailed, match=message):
        check(shortcut)
    with pytest.raises(CheckFailed, match=message):
        check(shortcut, hidden=True)


@pytest.mark.parametrize("check, answer", [(check_lstm_step_backward, step_backward),
                                           (check_lstm_backward, lstm_backward)],
                         ids=["step", "sequence"])
def test_a_hard_coded_answer_fails_on_the_next_run(check, answer, capsys):
    replay = hard_coded(check, answer)
    with pytest.raises(CheckFailed, match="wrong values|is wrong"):
        check(replay)


def test_the_library_still_works_after_a_refused_answer():
    with pytest.raises(CheckFailed):
        check_lstm_step_backward(step_twin)
    rng = np.random.default_rng(0)
    _, _, cache = nnlib.lstm.lstm_step_forward(rng.normal(size=(2, 3)), rng.normal(size=(2, 4)),
                                               rng.normal(size=(2, 4)), rng.normal(size=(3, 16)),
                                               rng.normal(size=(4, 16)), rng.normal(size=16))
    dh, dc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    assert all(np.allclose(a, b) for a, b in zip(nnlib.lstm.lstm_step_backward(dh, dc, cache),
                                                 step_backward(dh, dc, cache)))
