"""course.hopfield: the crosstalk prediction, and the capacity experiment's counts."""

import numpy as np
import pytest

from nnlib.hopfield import flip_bits, hebbian_weights, recall
from course.hopfield import capacity_experiment, crosstalk_error_rate


def test_crosstalk_prediction_known_value_and_against_measurement():
    # At the critical load 0.138 the crosstalk standard deviation is sqrt(0.138) = 0.371, and
    # the normal tail Phi(-2.692) is 0.00355 (Amit, Gutfreund & Sompolinsky's 0.36 % of bits).
    assert abs(crosstalk_error_rate(1_000_000, 138_000) - 0.00355) < 2e-5
    assert crosstalk_error_rate(100, 1) == 0.0
    result = capacity_experiment(500, [0.15], 0.1, np.random.default_rng(0), min_probes=150)
    assert abs(result["bit_errors"][0] / result["predicted_bit_errors"][0] - 1) < 0.15


def test_capacity_experiment_separates_low_and_high_load():
    result = capacity_experiment(200, [0.05, 0.3], 0.1, np.random.default_rng(1), min_probes=40)
    np.testing.assert_array_equal(result["patterns"], [10, 60])
    assert result["recalled"][0] == 1.0 and result["fixed"][0] == 1.0
    assert result["recalled"][1] < 0.2 and result["overlap"][1] < 0.6


def test_capacity_experiment_counts_what_it_says():
    # Rebuild the experiment's single network by hand with the same draws and count.
    num_units, load, noise = 100, 0.2, 0.1
    result = capacity_experiment(num_units, [load], noise, np.random.default_rng(3),
                                 min_probes=20)
    rng = np.random.default_rng(3)
    X = rng.choice([-1.0, 1.0], size=(20, num_units))
    W = hebbian_weights(X)
    fields = X @ W
    # A bit is wrong when its field points the other way; a field of 0 (P (N - 1) = 1980 terms
    # of +-1/N can cancel, and rounding leaves +-1e-16) keeps the bit.
    wrong = fields * X < -1e-9
    assert np.any(np.abs(fields) < 1e-9)  # this network has ties: the test can tell
    final = recall(W, flip_bits(X, noise, rng), rng)
    overlaps = np.mean(final * X, axis=1)
    assert result["fixed"][0] == np.mean(~wrong.any(axis=1))
    assert result["bit_errors"][0] == wrong.mean()
    assert result["recalled"][0] == np.mean(overlaps >= 0.9)
    assert result["overlap"][0] == pytest.approx(overlaps.mean(), rel=1e-12)
    assert result["predicted_fixed"][0] == pytest.approx(
        (1 - crosstalk_error_rate(num_units, 20)) ** num_units, rel=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: crosstalk_error_rate(1, 1), "num_units must be an integer >= 2"),
    (lambda: crosstalk_error_rate(10, 0), "num_patterns must be an integer >= 1"),
    (lambda: capacity_experiment(100, [0.1], 1.5, np.random.default_rng(0)), "noise must be"),
    (lambda: capacity_experiment(100, [[0.1]], 0.1, np.random.default_rng(0)), "loads must"),
    (lambda: capacity_experiment(100, [0.1], 0.1, 0), "rng must be a np.random.Generator"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the exact bit-error law, the basins, the shipped sweep --------------------------------------

def test_the_binomial_law_is_exact_against_a_direct_count():
    import math

    from course.hopfield import binomial_error_rate

    def direct(N, P):
        M = (P - 1) * (N - 1)
        return sum(math.comb(M, k) for k in range(M + 1) if 2 * k > M + N - 1) / 2 ** M
    for N, P in ((10, 3), (20, 5), (50, 15), (7, 2), (9, 1)):
        assert binomial_error_rate(N, P) == pytest.approx(direct(N, P), rel=1e-10, abs=1e-300)
    assert binomial_error_rate(100, 30) == pytest.approx(0.030990, abs=1e-6)   # 3.10 %
    assert crosstalk_error_rate(100, 30) == pytest.approx(0.032327, abs=1e-6)  # normal: 3.23 %


def test_the_binomial_law_matches_the_measured_bit_errors_of_small_networks():
    from course.hopfield import binomial_error_rate
    rng = np.random.default_rng(5)
    N, P = 16, 6
    wrong = []
    for _ in range(3000):
        X = rng.choice([-1.0, 1.0], size=(P, N))
        wrong.append(np.mean(X @ hebbian_weights(X) * X < -1e-9))
    # 288 000 bits: the standard error of the rate is about 0.0004
    assert abs(np.mean(wrong) - binomial_error_rate(N, P)) < 0.0015


def test_basin_experiment_recall_falls_with_noise_and_load():
    from course.hopfield import basin_experiment
    result = basin_experiment(200, [0.05, 0.2], [0.0, 0.1, 0.4], np.random.default_rng(0),
                              min_probes=20)
    assert result["recalled"].shape == (2, 3) and result["overlap"].shape == (2, 3)
    np.testing.assert_array_equal(result["recalled"][0, :2], [1.0, 1.0])
    assert result["recalled"][1, 2] < result["recalled"][1, 0]
    assert result["recalled"][1, 1] < result["recalled"][0, 1]


def test_the_shipped_sweep_loads_and_one_point_reruns_exactly():
    from course.hopfield import SWEEP_SETTINGS, load_sweep
    sweep = load_sweep()
    assert sweep["settings"] == SWEEP_SETTINGS
    assert sorted(sweep["capacity"]) == [1000, 2000]
    assert sweep["basins"]["recalled"].shape == (len(SWEEP_SETTINGS["basin_loads"]),
                                                 len(SWEEP_SETTINGS["basin_noise"]))
    live = capacity_experiment(1000, SWEEP_SETTINGS["capacity_loads"][:1], 0.1,
                               np.random.default_rng(1000), min_probes=100)
    assert live["recalled"][0] == pytest.approx(sweep["capacity"][1000]["recalled"][0], abs=1e-6)


# --- notebook 08's parameters --------------------------------------------------------------------

def _namespace(**changes):
    values = dict(seed=0, picture_noise=0.25, noise=0.1, capacity_probes=60, modern_units=100,
                  beta=0.5)
    values.update(changes)
    return values


def test_chapter_08_parameters_accept_the_defaults_and_name_a_bad_value(capsys):
    from course.parameters import ch08
    ch08.check(_namespace())
    assert "capacity_probes=60" in capsys.readouterr().out
    for name, bad, message in (("noise", 0.7, "noise"), ("beta", 0.0, "beta"),
                               ("capacity_probes", 5, "capacity_probes"),
                               ("modern_units", 2.5, "modern_units")):
        with pytest.raises(ValueError, match=f"^{message}"):
            ch08.check(_namespace(**{name: bad}))


def test_chapter_08_budget_refuses_an_over_budget_combination():
    from course.parameters import ch08
    ch08.check(_namespace(capacity_probes=2000))   # each alone within the range and budget
    with pytest.raises(ValueError, match="minutes of running time.*reduce capacity_probes or "
                       "modern_units"):
        ch08.check(_namespace(capacity_probes=2000, modern_units=2000))


# --- the figures ------------------------------------------------------------------------------------

def test_the_hopfield_figures_draw_within_the_style():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.plotting import style
    from course.plotting.hopfield import (plot_basins_by_load, plot_capacity, plot_overlaps,
                                          plot_recall_by_size, plot_rules, plot_state_grid)
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(3, 16))
    figure = plot_state_grid([list(X)], (4, 4), ["row"], ["a", "b", "c"],
                             changed=[[X[0] > 0, None, None]], failed=[[False, True, False]])
    assert figure.get_figwidth() <= style.MAX_WIDTH
    framed = figure.axes[1]
    assert framed.spines["top"].get_edgecolor()[:3] == matplotlib.colors.to_rgb(
        style.color("error"))
    assert len(figure.axes[0].collections) == 1           # the changed pixels are marked
    plt.close(figure)
    fig, ax = plt.subplots()
    overlaps = plot_overlaps(ax, X, ["a", "b", "c"])
    np.testing.assert_allclose(overlaps, overlaps.T)
    assert fig.axes[-1].get_ylabel().startswith("overlap")  # a labelled colour bar
    plt.close(fig)
    results = {n: capacity_experiment(n, [0.05, 0.3], 0.1, np.random.default_rng(n),
                                      min_probes=10) for n in (30, 60)}
    axes = plot_capacity(results)
    assert axes[0].figure.get_figwidth() <= style.MAX_WIDTH
    assert axes[2].get_yscale() == "log"
    predictions = [line for line in axes[2].lines if line.get_linestyle() == "--"]
    assert predictions and all(line.get_color() == style.color("bound") for line in predictions)
    plt.close(axes[0].figure)
    fig, axes = plt.subplots(1, 3)
    plot_recall_by_size(axes[0], results, shipped=(60,))
    plot_basins_by_load(axes[1], {"load": np.array([0.1, 0.2]), "noise": np.array([0.0, 0.1]),
                                  "recalled": np.array([[1.0, 1.0], [1.0, 0.5]])})
    plot_rules(axes[1:], [0.1, 0.2], {"Hebb": {"fixed": [1, 0.5], "recalled": [1, 0.4]},
                                      "projection": {"fixed": [1, 1], "recalled": [1, 1]}})
    for text in fig.findobj(matplotlib.text.Text):
        assert text.get_fontsize() >= 9 or not text.get_text()
    plt.close(fig)
