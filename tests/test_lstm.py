import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from course.lstm import adding_run, hidden_gradient_norms
from nnlib.data.lagtasks import ADDING_BASELINE_MSE, adding_problem, marked_positions
from nnlib.lstm import (LSTM, lstm_backward, lstm_forward, lstm_step_backward,
                        lstm_step_forward)
from nnlib.gru import GRU, gru_step_forward
from nnlib.model import Model, build_model
from nnlib.optim import Adam
from nnlib.rnn import RNN, rnn_step_forward
from nnlib.train import fit


def small_problem(seed=0, N=3, T=5, D=2, H=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)),
            rng.normal(size=(D, 4 * H)) / 2, rng.normal(size=(H, 4 * H)) / 2,
            rng.normal(size=4 * H) / 2, rng)


def sigmoid_reference(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_step_known_value():
    # One unit, D = 1: a = x Wx + h Wh + b with the blocks i, f, o, g.
    x, h_prev, c_prev = np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]])
    Wx, Wh = np.array([[1.0, -1.0, 0.5, 2.0]]), np.array([[2.0, 0.0, -2.0, 1.0]])
    b = np.array([0.0, 1.0, 0.0, -1.0])
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    i, f, o = sigmoid_reference(2.0), sigmoid_reference(0.0), sigmoid_reference(-0.5)
    g = np.tanh(1.5)
    assert c[0, 0] == pytest.approx(f * 2.0 + i * g, rel=1e-14)
    assert h[0, 0] == pytest.approx(o * np.tanh(f * 2.0 + i * g), rel=1e-14)


def test_forget_gate_open_and_input_gate_shut_keeps_the_cell():
    # The constant error carousel: f = 1, i = 0 copies c unchanged, whatever x is.
    H = 3
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -1e3, 1e3
    c_prev = np.array([[0.3, -0.7, 1.5]])
    _, c, _ = lstm_step_forward([[5.0]], np.zeros((1, H)), c_prev, np.ones((1, 4 * H)),
                                np.zeros((H, 4 * H)), b)
    np.testing.assert_array_equal(c, c_prev)


def test_step_backward_gradcheck():
    X, h0, Wx, Wh, b, rng = small_problem()
    x, c0 = X[:, 0].copy(), rng.normal(size=h0.shape)
    dh, dc = rng.normal(size=h0.shape), rng.normal(size=h0.shape)

    def f():
        h, c, _ = lstm_step_forward(x, h0, c0, Wx, Wh, b)
        return float(np.sum(h * dh) + np.sum(c * dc))

    _, _, cache = lstm_step_forward(x, h0, c0, Wx, Wh, b)
    grads = lstm_step_backward(dh, dc, cache)
    assert len(grads) == 6
    for analytic, value in zip(grads, (x, h0, c0, Wx, Wh, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


def test_whole_sequence_backward_gradcheck():
    X, h0, Wx, Wh, b, rng = small_problem(seed=1, T=7)
    dHs = rng.normal(size=(X.shape[0], X.shape[1], h0.shape[1]))

    def f():
        return float(np.sum(lstm_forward(X, h0, Wx, Wh, b)[0] * dHs))

    _, cache = lstm_forward(X, h0, Wx, Wh, b)
    grads = lstm_backward(dHs, cache)
    for analytic, value in zip(grads, (X, h0, Wx, Wh, b)):
        assert relative_error(analytic, numerical_gradient(f, value)) < 1e-7


def test_forward_and_backward_are_loops_of_steps():
    X, h0, Wx, Wh, b, rng = small_problem(seed=2, T=6)
    Hs, cache = lstm_forward(X, h0, Wx, Wh, b)
    h, c, caches = h0, np.zeros_like(h0), []
    for t in range(X.shape[1]):
        h, c, step_cache = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
        caches.append(step_cache)
        np.testing.assert_allclose(Hs[:, t], h, rtol=0, atol=1e-15)
    dHs = rng.normal(size=Hs.shape)
    dX, dh0, dWx, dWh, db = lstm_backward(dHs, cache)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(h0)
    sums = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
    for t in reversed(range(X.shape[1])):
        dx, dh_next, dc_next, *step = lstm_step_backward(dHs[:, t] + dh_next, dc_next, caches[t])
        np.testing.assert_allclose(dX[:, t], dx, rtol=1e-12, atol=1e-14)
        sums = [total + part for total, part in zip(sums, step)]
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-12, atol=1e-14)
    for got, want in zip((dWx, dWh, db), sums):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_no_overflow_warnings_at_large_inputs():
    X, h0, Wx, Wh, b, _ = small_problem()
    Hs, cache = lstm_forward(1e3 * X, h0, 1e3 * Wx, Wh, b)
    assert np.all(np.isfinite(Hs)) and np.all(np.abs(Hs) <= 1)
    assert all(np.all(np.isfinite(g)) for g in lstm_backward(np.ones_like(Hs), cache))


@pytest.mark.parametrize("call, message", [
    (lambda: LSTM(2, 4, rng=np.random.default_rng(0)).predict(np.zeros((2, 3, 1))),
     r"X must have shape \(N, T, 2\)"),
    (lambda: LSTM(2, 4, rng=np.random.default_rng(0)).predict(np.full((1, 3, 2), np.inf)),
     "X contains inf"),
    (lambda: LSTM(2, 4, rng=np.random.default_rng(0)).predict(np.zeros((1, 0, 2))),
     "X must hold at least one time step"),
    (lambda: LSTM(2, 4, rng=np.random.default_rng(0), truncate=0), "truncate"),
])
def test_bad_inputs_rejected_at_the_model(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the adding problem -------------------------------------------------------------------

def test_adding_problem():
    X, y = adding_problem(500, 9, np.random.default_rng(0))
    assert X.shape == (500, 9, 2) and y.shape == (500, 1)
    assert np.all(X[..., 1].sum(axis=1) == 2)
    first, second = marked_positions(X)
    assert np.all(first < 4) and np.all(second >= 4)
    rows = np.arange(500)
    np.testing.assert_array_equal(y[:, 0], X[rows, first, 0] + X[rows, second, 0])
    # Predicting the mean (1) scores about the variance of the sum, 1/6.
    big_y = adding_problem(20_000, 10, np.random.default_rng(1))[1]
    assert np.mean((big_y - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, abs=0.005)


def test_adding_problem_is_seeded_and_checked():
    a = adding_problem(4, 6, np.random.default_rng(3))
    b = adding_problem(4, 6, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="T must be"):
        adding_problem(4, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng must be"):
        adding_problem(4, 6, 0)


# --- the model ------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, target", [
    ({"head": "regression", "output": "last"}, "regression"),
    ({"head": "softmax", "output": "sequence"}, "bits"),
    ({"head": "softmax", "output": "last", "output_size": 3}, "classes"),
])
def test_model_gradcheck(settings, target):
    rng = np.random.default_rng(4)
    model = LSTM(2, 3, rng=rng, **settings)
    for value in model.params.values():
        value += rng.normal(scale=0.3, size=value.shape)
    X = rng.normal(size=(4, 5, 2))
    y = {"regression": rng.normal(size=(4, 1)), "bits": rng.integers(0, 2, size=(4, 5)),
         "classes": rng.integers(0, 3, size=4)}[target]
    _, grads = model.loss_and_grads(X, y)
    assert set(grads) == set(model.params) == {"Wx", "Wh", "b", "V", "c"}
    for key, value in model.params.items():
        numerical = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numerical) < 1e-7, key


def test_model_matches_the_functions():
    rng = np.random.default_rng(5)
    model = LSTM(2, 4, rng=rng, head="regression", output="last")
    p = model.params
    X = rng.normal(size=(3, 6, 2))
    Hs, _ = lstm_forward(X, np.zeros((3, 4)), p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(model.predict(X), Hs[:, -1] @ p["V"] + p["c"], rtol=1e-14)
    internals = model.internals(X)
    np.testing.assert_array_equal(internals["h"], Hs)
    assert np.all(internals["f"][:, 0] > 0) and internals["c"].shape == (3, 6, 4)


def test_model_protocol_and_config():
    model = LSTM(2, 5, rng=np.random.default_rng(0), head="regression", output="last",
                 forget_bias=2.0)
    assert isinstance(model, Model) and isinstance(model, RNN)
    assert model.params["b"][5:10].tolist() == [2.0] * 5
    assert model.params["b"][:5].tolist() == [0.0] * 5
    rebuilt = type(model)(**model.config, rng=np.random.default_rng(0))
    for key in model.params:
        np.testing.assert_array_equal(rebuilt.params[key], model.params[key])
    assert repr(model).startswith("LSTM(input_size=2, hidden_size=5, head='regression'")
    built = build_model("LSTM", model.config)
    assert type(built) is LSTM and built.config == model.config
    with pytest.raises(ValueError, match="forget_bias"):
        LSTM(2, 5, rng=np.random.default_rng(0), forget_bias="one")


def test_lstm_learns_the_adding_problem_where_the_budget_is_small():
    X, y = adding_problem(512, 10, np.random.default_rng(0))
    X_val, y_val = adding_problem(256, 10, np.random.default_rng(1))
    model = LSTM(2, 8, rng=np.random.default_rng(2), head="regression", output="last")
    history = fit(model, X, y, Adam(0.01, clip_norm=1.0), epochs=12, batch_size=32,
                  rng=np.random.default_rng(3), X_val=X_val, y_val=y_val, metric=None)
    assert history.val_loss[0] > 0.1
    assert history.val_loss[-1] < 0.02


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_hidden_gradient_norms_match_a_numerical_gradient(cell):
    rng = np.random.default_rng(6)
    build = {"lstm": LSTM, "rnn": RNN, "gru": GRU}[cell]
    model = build(2, 3, rng=rng, head="regression", output="last")
    X, y = adding_problem(4, 6, rng)
    norms = hidden_gradient_norms(model, X, y)
    assert norms.shape == (6,) and np.all(norms > 0)
    # dL/dh_{T-2}, numerically: rerun the last step from a perturbed h_{T-2} (and c_{T-2}).
    p, H = model.params, 3
    h, c, states = np.zeros((4, H)), np.zeros((4, H)), []
    for t in range(5):
        if cell == "lstm":
            h, c, _ = lstm_step_forward(X[:, t], h, c, p["Wx"], p["Wh"], p["b"])
        elif cell == "gru":
            h, _ = gru_step_forward(X[:, t], h, p["Wx"], p["Wh"], p["b"])
        else:
            h, _ = rnn_step_forward(X[:, t], h, p["U"], p["W"], p["b"])
    h_before = h.copy()

    def loss():
        if cell == "lstm":
            last = lstm_step_forward(X[:, 5], h_before, c, p["Wx"], p["Wh"], p["b"])[0]
        elif cell == "gru":
            last = gru_step_forward(X[:, 5], h_before, p["Wx"], p["Wh"], p["b"])[0]
        else:
            last = rnn_step_forward(X[:, 5], h_before, p["U"], p["W"], p["b"])[0]
        return float(np.mean((last @ p["V"] + p["c"] - y) ** 2))

    assert loss() == pytest.approx(model.loss(X, y), rel=1e-12)
    numerical = numerical_gradient(loss, h_before)
    assert np.linalg.norm(numerical) == pytest.approx(norms[4], rel=1e-6)


def test_hidden_gradient_norms_needs_the_regression_head():
    model = LSTM(2, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="head='regression'"):
        hidden_gradient_norms(model, np.zeros((2, 4, 2)), np.zeros((2, 4), dtype=int))


def test_adding_run_is_deterministic_and_stops_when_solved():
    _, history, solved_at = adding_run("lstm", 5, 0, epochs=12)
    assert solved_at == 144 == history.steps[-1]  # the shipped sweep's entry for T=5, seed 0
    assert history.val_loss[-1] < 0.01 <= history.val_loss[-2]
    with pytest.raises(ValueError, match="cell must be one of 'rnn', 'lstm', 'gru'"):
        adding_run("transformer", 5, 0)
    model, _, _ = adding_run("lstm", 5, 0, epochs=1, forget_bias=0.0)
    assert np.all(model.params["b"][16:32] != 0.0)  # the forget block, trained away from 0 ...
    start = LSTM(2, 16, rng=np.random.default_rng([0, 0]), forget_bias=0.0)
    assert np.all(start.params["b"] == 0.0)         # ... which forget_bias=0 sets


def test_ablation_driver_writes_what_the_notebook_reads(tmp_path, monkeypatch):
    import json

    import course.lstm

    monkeypatch.setitem(course.lstm.ABLATIONS, "tiny", {"cell": "gru", "lags": [3],
                                                        "learning_rate": 0.02, "epochs": 1})
    lines = []
    written = course.lstm.write_ablations(tmp_path / "a.json", ["tiny"], seeds=[0, 1],
                                          progress=lines.append)
    assert json.loads((tmp_path / "a.json").read_text()) == written
    assert written["settings"] == course.lstm.ADDING_SETTINGS
    assert [(run["ablation"], run["cell"], run["T"], run["seed"]) for run in written["runs"]] == [
        ("tiny", "gru", 3, 0), ("tiny", "gru", 3, 1)]
    assert len(lines) == 2 and len(written["runs"][0]["val_mse"]) == 2   # start and epoch 1
    _, history, solved_at = adding_run("gru", 3, 1, **{**course.lstm.ADDING_SETTINGS,
                                                       "learning_rate": 0.02, "epochs": 1})
    assert written["runs"][1]["val_mse"] == [round(float(v), 6) for v in history.val_loss]


def test_chapter_parameters_refuse_bad_values_and_long_runs():
    from course.parameters import ch07

    namespace = {"seed": 0, "lag": 50}
    assert ch07.check(namespace) == {"seed": 0, "lag": 50}
    for bad, message in (({"seed": -1}, "seed must be"), ({"lag": 3}, "lag must be"),
                         ({"lag": 2.5}, "lag must be")):
        with pytest.raises(ValueError, match=message):
            ch07.check({**namespace, **bad})
    assert ch07.live_run_minutes(100) < ch07.LIVE_MINUTES       # the shipped lags fit
    with pytest.raises(ValueError, match=r"could need up to 14.7 minutes of running time, more "
                       r"than the 10 minutes this notebook allows: reduce lag"):
        ch07.check({**namespace, "lag": 1000})


def test_sweep_tool_records_the_settings_it_ran_with(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "lstm_sweep.py"
    spec = importlib.util.spec_from_file_location("lstm_sweep", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / "sweep.json"
    tool.main(["--lags", "2", "--seeds", "1", "--cells", "rnn", "--hidden-size", "3",
               "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["settings"]["hidden_size"] == 3
    assert [(run["cell"], run["T"], run["seed"]) for run in result["runs"]] == [("rnn", 2, 0)]
    _, history, solved_at = adding_run("rnn", 2, 0, **result["settings"])
    assert result["runs"][0]["solved_at"] == solved_at
    assert result["made_by"].endswith("--hidden-size 3 --out " + str(out))


# --- truncated backpropagation through time ----------------------------------------------------

def _window_bptt(X, h, c, Wx, Wh, b, dHs):
    """Full BPTT over one window from fixed initial states h, c, written as a loop of steps."""
    caches = []
    for t in range(X.shape[1]):
        h, c, cache = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
        caches.append(cache)
    dh_next, dc_next = np.zeros_like(h), np.zeros_like(h)
    sums, dX = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)], np.zeros_like(X)
    for t in reversed(range(X.shape[1])):
        dX[:, t], dh_next, dc_next, *step = lstm_step_backward(dHs[:, t] + dh_next, dc_next,
                                                               caches[t])
        sums = [total + part for total, part in zip(sums, step)]
    return dX, dh_next, sums


@pytest.mark.parametrize("k", [1, 2, 3, 4, 6])
def test_truncated_bptt_is_the_sum_of_each_windows_full_bptt(k):
    # Not a gradient of the loss, so no numerical check: the block structure is checked. The
    # states at each window's start come from the full forward pass and are held fixed there.
    X, h0, Wx, Wh, b, rng = small_problem(seed=6, T=7)
    T = X.shape[1]
    dHs = rng.normal(size=(X.shape[0], T, h0.shape[1]))
    Hs, cache = lstm_forward(X, h0, Wx, Wh, b)
    h, c, starts = h0, np.zeros_like(h0), {}
    for t in range(T):
        if t % k == 0:
            starts[t] = (h, c)
        h, c, _ = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
    dX, dh0, dWx, dWh, db = lstm_backward(dHs, cache, truncate=k)
    sums, dX_windows = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)], []
    for start, (h_start, c_start) in starts.items():
        window_dX, window_dh0, window_grads = _window_bptt(
            X[:, start:start + k], h_start, c_start, Wx, Wh, b, dHs[:, start:start + k])
        if start == 0:
            np.testing.assert_allclose(dh0, window_dh0, rtol=1e-12, atol=1e-14)
        dX_windows.append(window_dX)
        sums = [total + part for total, part in zip(sums, window_grads)]
    np.testing.assert_allclose(dX, np.concatenate(dX_windows, axis=1), rtol=1e-12, atol=1e-14)
    for got, want in zip((dWx, dWh, db), sums):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    full = lstm_backward(dHs, cache)
    if k < T:
        assert not np.allclose(full[3], dWh)
    for k_full in (T, T + 1):
        for got, want in zip(lstm_backward(dHs, cache, truncate=k_full), full):
            np.testing.assert_array_equal(got, want)


def test_model_truncate_setting_and_per_step_classifier():
    V, H, N, T = 5, 4, 3, 6
    rng = np.random.default_rng(9)
    X = np.eye(V)[rng.integers(0, V, size=(N, T))]
    y = rng.integers(0, V, size=(N, T))
    full = LSTM(V, H, rng=np.random.default_rng(0), head="softmax", output="sequence",
                output_size=V)
    cut = LSTM(V, H, rng=np.random.default_rng(0), head="softmax", output="sequence",
               output_size=V, truncate=2)
    assert cut.config["truncate"] == 2 and build_model("LSTM", cut.config).truncate == 2
    probabilities = cut.predict_proba(X)
    assert probabilities.shape == (N, T, V)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-12)
    loss_full, grads_full = full.loss_and_grads(X, y)
    loss_cut, grads_cut = cut.loss_and_grads(X, y)
    assert loss_cut == loss_full
    assert not np.allclose(grads_cut["Wh"], grads_full["Wh"])
    np.testing.assert_array_equal(grads_cut["V"], grads_full["V"])
    before = cut.loss(X, y)
    fit(cut, X, y, Adam(0.05), epochs=20, metric=None)
    assert cut.loss(X, y) < before
    with pytest.raises(ValueError, match="truncate"):
        LSTM(V, H, rng=np.random.default_rng(0), truncate=0)


def test_huge_sizes_are_refused_at_once():
    import time

    from nnlib.birnn import BiRNN

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"the LSTM's parameters would need .* GiB"):
        LSTM(2, 10**7, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"the BiRNN's parameters would need .* GiB"):
        BiRNN(2, 10**7, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"n must be an integer >= 1, got 1000000.0"):
        adding_problem(1e6, 1e6, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"the adding problem would need .* GiB.*make n or T"):
        adding_problem(10**6, 10**6, np.random.default_rng(0))
    assert time.perf_counter() - start < 1.0
