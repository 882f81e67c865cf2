"""The self-checks of notebook 05 accept a right answer, name each typical mistake, and refuse
the shortcuts: calling the library's twin, or an output hard-coded from one run.

Also: chapter 05's parameters (course.parameters.ch05) refuse a bad value naming it, and the
budget refuses an over-budget combination.
"""

import numpy as np
import pytest

from course import checks
from selfcheck_cases import self_check_tests


def carry_probability(n_bits, p_one=0.5, out=False, closed_form=False, exactly_one=None,
                      both=None, zeros=0.0):
    if closed_form:
        return 0.5 - 0.5 ** (np.arange(n_bits) + 1)
    q = p_one
    exactly_one = 2 * q * (1 - q) if exactly_one is None else exactly_one(q)
    p = np.zeros(n_bits + 1)
    for i in range(1, n_bits + 1):
        generate = q**2 if both is None else both(q, p[i - 1])
        p[i] = generate + exactly_one * p[i - 1] + zeros * (1 - q) ** 2 * p[i - 1]
    return p[1:] if out else p[:-1]


def carry_probability_library(n_bits, p_one=0.5):
    # Counts every pair's carries with the library, weighted: the exercise done by enumeration.
    from nnlib.data.bits import all_pairs, carry_bits, int_to_bits
    a, b = all_pairs(n_bits - 1)
    ones = int_to_bits(a, n_bits).sum(axis=1) + int_to_bits(b, n_bits).sum(axis=1)
    weights = p_one ** ones * (1 - p_one) ** (2 * (n_bits - 1) - ones)
    out = (weights[:, None] * carry_bits(a, b, n_bits)).sum(axis=0)
    return np.concatenate([[0.0], out[:-1]])


CARRY_TABLE = carry_probability(8, 0.5)   # hard-coded from one run of the public case


def carry_probability_hard_coded(n_bits, p_one=0.5):
    return CARRY_TABLE.copy()


def birnn_backward(dhidden, cache, reverse=True, flip_dX=True, swap_halves=False):
    from nnlib.rnn import rnn_backward

    H = dhidden.shape[-1] // 2
    forward_part = dhidden[..., H:] if swap_halves else dhidden[..., :H]
    dX_f, dh0_f, dU_f, dW_f, db_f = rnn_backward(forward_part, cache.forward)
    upstream = dhidden[:, ::-1, H:] if reverse else dhidden[..., H:]
    dX_r, dh0_b, dU_b, dW_b, db_b = rnn_backward(upstream, cache.backward)
    return (dX_f + (dX_r[:, ::-1] if flip_dX else dX_r), dh0_f, dh0_b, dU_f, dW_f, db_f,
            dU_b, dW_b, db_b)


def birnn_backward_library(dhidden, cache):
    import nnlib
    return nnlib.birnn_backward(dhidden, cache)


def _one_run():
    from nnlib.birnn import birnn_forward
    rng = np.random.default_rng(5)
    N, T, D, H = 3, 6, 2, 4
    X = rng.integers(0, 2, size=(N, T, D)).astype(float)
    weights = [rng.normal(size=shape) for shape in ((D, H), (H, H), (H,)) * 2]
    hidden, cache = birnn_forward(X, rng.normal(size=(N, H)), rng.normal(size=(N, H)), *weights)
    return birnn_backward(rng.normal(size=hidden.shape), cache)


BIRNN_TABLE = _one_run()   # hard-coded from one run of a public-sized case


def birnn_backward_hard_coded(dhidden, cache):
    return tuple(g.copy() for g in BIRNN_TABLE)


CASES = [
    (checks.check_carry_probability, (carry_probability,), [
        ((lambda n, q: carry_probability(n, q, out=True),), "carries OUT of each bit"),
        ((lambda n, q: carry_probability(n, q, closed_form=True),),
         "closed form .* holds only for p_one = 1/2"),
        ((lambda n, q: carry_probability(n, q, exactly_one=lambda q: q * (1 - q)),),
         "in two ways"),
        ((lambda n, q: carry_probability(n, q, exactly_one=lambda q: q),),
         r"2 q \(1 - q\) \(two ways, each q \(1 - q\)\), not q\."),
        ((lambda n, q: carry_probability(n, q, both=lambda q, p: q**2 * (1 - p)),),
         r"1 \+ 1 \+ 1 = 11"),
        ((lambda n, q: carry_probability(n, q, exactly_one=lambda q: 0.0),),
         r"depends on p_\(i-1\)"),
        ((lambda n, q: carry_probability(n, q, zeros=1.0),), "with both bits 0"),
        ((lambda n, q: carry_probability(n, q) + 0.01,), "right shape but wrong values"),
        ((carry_probability_library,), "calls the library's nnlib.data.bits.all_pairs"),
        ((carry_probability_hard_coded,), "returned shape|closed form"),
    ]),
    (checks.check_birnn_backward, (birnn_backward,), [
        ((lambda *a: birnn_backward(*a, reverse=False),), "reversed time"),
        ((lambda *a: birnn_backward(*a, flip_dX=False),), "dX is wrong"),
        ((lambda *a: birnn_backward(*a, swap_halves=True),), "first H columns of dhidden"),
        ((lambda *a: birnn_backward(*a)[:7],), "must return a tuple of 9"),
        ((birnn_backward_library,), "calls the library's nnlib.birnn.birnn_backward"),
        ((birnn_backward_hard_coded,), "wrong"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)


def test_the_reference_is_the_closed_form_at_one_half():
    from course.checks.order import _carry_reference
    np.testing.assert_allclose(_carry_reference(8, 0.5), 0.5 - 0.5 ** (np.arange(8) + 1))


def test_the_checks_draw_new_inputs_on_every_call(monkeypatch):
    # Two calls must see different hidden inputs: record what the answer is given.
    seen = []

    def spy(n_bits, p_one=0.5):
        seen.append((n_bits, p_one))
        return carry_probability(n_bits, p_one)

    checks.check_carry_probability(spy)
    checks.check_carry_probability(spy)
    assert len(seen) == 6 and seen[2] == seen[5] == (8, 0.5)   # the one fixed public case
    assert seen[0:2] != seen[3:5]                              # the drawn ones differ

    arrays = []

    def birnn_spy(dhidden, cache):
        arrays.append(dhidden.copy())
        return birnn_backward(dhidden, cache)

    checks.check_birnn_backward(birnn_spy)
    checks.check_birnn_backward(birnn_spy)
    assert not np.array_equal(arrays[0], arrays[1])


# --- course.parameters.ch05 -----------------------------------------------------------------

DEFAULTS = dict(seed=0, hidden_size=16, bit_order="lsb", epochs=20, learning_rate=1.0,
                batch_size=32, n_bits=8, held_out=0.5, results_path="")


def test_the_default_parameters_pass(capsys):
    from course.parameters import ch05
    namespace = dict(DEFAULTS)
    ch05.check(namespace)
    assert "hidden_size=16" in capsys.readouterr().out and namespace["results_path"] == ""


@pytest.mark.parametrize("name, value, message", [
    ("hidden_size", 0, "hidden_size must be"),
    ("hidden_size", 65, "hidden_size must be"),
    ("bit_order", "MSB", "bit_order must be one of 'lsb', 'msb'"),
    ("epochs", 2, "epochs must be"),
    ("learning_rate", 0, "learning_rate must be"),
    ("batch_size", 0.5, "batch_size must be"),
    ("n_bits", 11, "n_bits must be"),
    ("held_out", 1.0, r"held_out must be a number in the range \(0, 0.999\]"),
    ("results_path", 3, "results_path must be empty or a path ending in .json"),
    ("results_path", "r.txt", "must be a path ending in .json"),
])
def test_a_bad_value_is_refused_naming_the_parameter(name, value, message):
    from course.parameters import ch05
    with pytest.raises(ValueError, match=message):
        ch05.check({**DEFAULTS, name: value})


def test_the_budget_refuses_an_over_budget_combination():
    from course.parameters import ch05
    with pytest.raises(ValueError, match=r"could need up to 50.\d minutes of running time"):
        ch05.check({**DEFAULTS, "epochs": 500, "hidden_size": 64})
    with pytest.raises(ValueError, match=r"GB of memory, more than the 2 GB"):
        ch05.check({**DEFAULTS, "n_bits": 10, "hidden_size": 64})
    ch05.check({**DEFAULTS, "epochs": 500})   # the largest documented epochs fit


# --- course.order (the driver) and course.plotting.order (the figures) ------------------------

def test_delayed_data_writes_each_sum_bit_delay_steps_after_its_column():
    from course.order import delayed_addition_data
    from nnlib.data.bits import addition_data
    a, b = np.array([75, 3, 127]), np.array([46, 0, 127])
    X0, y0 = addition_data(a, b, 8, "msb")
    for delay in (0, 1, 3):
        X, y = delayed_addition_data(a, b, 8, delay)
        assert X.shape == (3, 8 + delay, 2) and y.shape == (3, 8 + delay)
        np.testing.assert_array_equal(X[:, :8], X0)
        assert not X[:, 8:].any() and not y[:, :delay].any()
        np.testing.assert_array_equal(y[:, delay:], y0)
    with pytest.raises(ValueError, match="delay"):
        delayed_addition_data(a, b, 8, -1)


def test_msb_loss_bound_is_the_mean_entropy_of_the_enumerated_carries():
    from course.order import msb_loss_bound
    for n_bits in (2, 5, 8):
        a, b = np.meshgrid(np.arange(2 ** (n_bits - 1)), np.arange(2 ** (n_bits - 1)))
        a, b = a.ravel(), b.ravel()
        mask = 2 ** np.arange(n_bits) - 1              # the bits below position i
        carry = ((a[:, None] & mask) + (b[:, None] & mask)) >> np.arange(n_bits)
        p = carry.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.nan_to_num(p * np.log(p)) - np.nan_to_num((1 - p) * np.log(1 - p))
        assert np.isclose(msb_loss_bound(n_bits), entropy.mean())
    assert round(msb_loss_bound(8), 4) == 0.5849


def test_sum_bits_right_ignores_the_leading_zeros():
    from course.order import sum_bits_right

    class Fixed:
        def predict(self, X):
            return np.array([[1, 0, 1], [0, 0, 0]])
    y = np.array([[0, 0, 1], [0, 0, 1]])
    assert sum_bits_right(1)(Fixed(), None, y) == 0.5
    assert sum_bits_right(0)(Fixed(), None, y) == 0.0


def test_a_cheap_rerun_repeats_the_start_of_a_full_run():
    from course.order import stage_epochs, train_delayed
    settings = dict(n_bits=4, epochs=5, hidden_size=3)
    full, start = train_delayed(1, settings), train_delayed(1, settings, stop_after=3)
    assert stage_epochs(5) == [2, 1, 2]
    assert len(full["exact_sums_per_epoch"]) == 6 and len(start["exact_sums_per_epoch"]) == 4
    assert full["exact_sums_per_epoch"][:4] == start["exact_sums_per_epoch"]
    assert len(full["bits_right_per_position"]) == 4


def _figure_rules(figure):
    from course.plotting import style
    assert figure.get_size_inches()[0] <= style.MAX_WIDTH
    for text in figure.findobj(lambda artist: hasattr(artist, "get_fontsize")):
        if getattr(text, "get_text", lambda: "x")():
            assert text.get_fontsize() >= style.SMALL_FONT_SIZE, text


def test_bars_start_at_zero_and_the_bound_is_drawn():
    import matplotlib.pyplot as plt
    from course.plotting import style
    from course.plotting.order import plot_per_bit_accuracy
    figure, ax = plt.subplots(figsize=(6, 3))
    plot_per_bit_accuracy({"LSB-first": np.ones(4), "MSB-first": np.full(4, 0.6)},
                          [1, 0.75, 0.62, 0.56], ax=ax)
    assert ax.get_ylim()[0] == 0
    colours = {patch.get_facecolor()[:3] for patch in ax.patches}
    from matplotlib.colors import to_rgb
    assert to_rgb(style.color("lsb")) in colours and to_rgb(style.color("msb")) in colours
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())   # the bound
    _figure_rules(figure)
    plt.close(figure)


def test_the_loss_excess_is_on_a_log_axis_and_reports_what_it_cannot_draw():
    import matplotlib.pyplot as plt
    from course.plotting.order import plot_loss_excess
    figure, ax = plt.subplots(figsize=(4, 3))
    hidden = plot_loss_excess({"MSB-first": ([0, 1, 2], [0.7, 0.6, 0.5])}, 0.55, ax=ax)
    assert ax.get_yscale() == "log" and hidden == {"MSB-first": 1}
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.15, 0.05])
    _figure_rules(figure)
    plt.close(figure)


def test_the_sweep_figure_names_parameters_for_readers_and_draws_series_over_the_bound():
    import matplotlib.pyplot as plt
    from course.plotting.order import plot_sweep
    groups = [{"parameters": {"bit_order": order, "hidden_size": h},
               "mean": {"per_bit_accuracy": value}, "std": {"per_bit_accuracy": 0.3}}
              for order, value in (("lsb", 100.0), ("msb", 62.3)) for h in (8, 16)]
    figure = plot_sweep(groups, x="hidden_size", metrics=["per_bit_accuracy"],
                        references={"per_bit_accuracy": [(62.45, "MSB-first bound")]})
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "LSB-first" in labels and "MSB-first" in labels and ax.get_xlabel() == "hidden units"
    bound = [line for line in ax.get_lines() if line.get_label() == "MSB-first bound"][0]
    series = [c for c in ax.containers if c.get_label() == "MSB-first"][0].lines[0]
    assert series.get_zorder() > bound.get_zorder() and series.get_marker() not in (None, "")
    _figure_rules(figure)
    plt.close(figure)


def test_the_delay_figure_draws_the_bound_the_network_and_the_threshold():
    import matplotlib.pyplot as plt
    from course.plotting.order import plot_delay
    axes = plot_delay([0, 1, 2], [13, 40, 70], [12, 35, 60], [62, 84, 94], [62, 83, 90])
    for ax in axes:
        assert ax.get_ylim()[0] == 0 and len(ax.get_lines()) == 3
        assert any(line.get_linestyle() == "-." for line in ax.get_lines())   # 100 %
    _figure_rules(axes[0].figure)
    plt.close(axes[0].figure)
