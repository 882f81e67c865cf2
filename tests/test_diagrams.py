"""The course's diagrams: each renders headlessly and carries the labelled elements it teaches."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course.plotting import diagrams, diagrams_structures, style  # noqa: E402
from nnlib.activations import sigmoid  # noqa: E402


def texts(figure) -> list[str]:
    """Every piece of text drawn on the figure: texts, titles, tick and axis labels."""
    figure.canvas.draw()
    found = []
    for ax in figure.axes:
        found += [t.get_text() for t in ax.texts]
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [t for t in found if t]


def contains(figure, *labels):
    found = texts(figure)
    missing = [label for label in labels if not any(label in text for text in found)]
    plt.close(figure)
    assert not missing, f"missing labels {missing} among {found}"


def test_circuit_numbers_are_nnlib_s_and_match_cs231n():
    values = diagrams.sigmoid_neuron_values()
    assert values["f"][0] == pytest.approx(sigmoid(1.0))
    gradient = sigmoid(1.0) * (1 - sigmoid(1.0))
    expected = {"w0": -1 * gradient, "x0": 2 * gradient, "w1": -2 * gradient,
                "x1": -3 * gradient, "w2": gradient}
    for name, value in expected.items():
        assert values[name][1] == pytest.approx(value)


def test_backprop_circuit_writes_values_above_and_gradients_below():
    figure = diagrams.backprop_circuit()
    found = texts(figure)
    for value in ("2.00", "-3.00", "-2.00", "6.00", "4.00", "1.00", "0.73"):  # forward
        assert value in found
    for value in ("-0.20", "0.39", "-0.39", "-0.59", "0.20"):  # gradients
        assert value in found
    colours = {t.get_text(): t.get_color() for t in figure.axes[0].texts}
    assert colours["-0.59"] == style.color("gradient")
    assert colours["0.73"] == style.color("forward")
    contains(figure, "×", "+", r"$\sigma$", "$w_0$", "$x_1$")


def test_a_different_neuron_gives_different_numbers():
    figure = diagrams.backprop_circuit(w=(1.0, 1.0, 0.0), x=(0.0, 0.0))
    found = texts(figure)
    plt.close(figure)
    assert "0.50" in found and "0.73" not in found


@pytest.mark.parametrize("make, labels", [
    (diagrams.bptt_unrolled, ["$x_0$", "$h_3$", "$L_2$", r"\partial L_1/\partial h_1",
                              r"\partial L/\partial h_2", "U", "V", "W"]),
    (diagrams.birnn_unrolled, [r"\overrightarrow{h}_0", r"\overleftarrow{h}_3", r"\hat y_2",
                               "left to right", "right to left"]),
    (diagrams.lstm_cell, ["$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$x_t$", "$f_t$", "$i_t$",
                          "$o_t$", r"\tilde c_t", "forget gate", "input gate", "output gate",
                          "tanh", r"$\sigma$", "×", "+"]),
    (diagrams.char_lm_unrolled, ["“h”", "“l”", "softmax", "target “o”", "$h_3$"]),
    (diagrams.attention_head, ["queries", "keys", "values", "softmax", "cat", r"\sqrt{d}"]),
    (diagrams_structures.shift_reduce, ["SHIFT", "REDUCE", "stack", "buffer", "( the cat )",
                                        "( ( the cat ) ( sat ( on mats ) ) )"]),
    (diagrams_structures.height_batching, ["step 1: 4 nodes", "step 2: 2 nodes",
                                           "step 3: 2 nodes", "height"]),
    (diagrams_structures.hopfield_energy, ["stored patterns", "mixture states",
                                           "random states", "E/N"]),
])
def test_each_diagram_renders_with_its_labels(make, labels):
    figure = make()
    assert figure.get_size_inches()[0] <= style.MAX_WIDTH
    contains(figure, *labels)


def test_unrolled_diagrams_follow_the_number_of_steps():
    figure = diagrams.bptt_unrolled(steps=6)
    found = texts(figure)
    plt.close(figure)
    assert "$h_5$" in found and "$h_6$" not in found


def test_shift_reduce_states_follow_nnlib_transitions():
    states = diagrams_structures.shift_reduce_states((("a", "b"), "c"))
    assert [move for move, _, _ in states] == ["start", "SHIFT", "SHIFT", "REDUCE", "SHIFT",
                                               "REDUCE"]
    assert states[-1][1] == [(("a", "b"), "c")] and states[-1][2] == []
    assert states[3][1] == [("a", "b")] and states[3][2] == ["c"]


def test_attention_weights_are_a_softmax_per_query():
    _, _, _, weights = diagrams.attention_weights(("a", "b", "c"))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    again = diagrams.attention_weights(("a", "b", "c"))[3]
    np.testing.assert_array_equal(weights, again)


def test_hopfield_energy_orders_stored_below_mixtures_below_random():
    energies = diagrams_structures.hopfield_energies()
    assert energies["stored patterns"].max() < energies["mixture states"].min()
    assert energies["mixture states"].max() < energies["random states"].min()
    assert len(energies["mixture states"]) == 10  # every 3 of 5 patterns


def test_height_batching_counts_nodes_per_height():
    assert diagrams_structures.node_heights((("a", "b"), "c")) == [0, 0, 1, 0, 2]
