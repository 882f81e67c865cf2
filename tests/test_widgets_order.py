import numpy as np
import pytest

from course.rnn import train_addition
from nnlib.data.bits import split_pairs
from nnlib.optim import SGD
from nnlib.rnn import RNN
from course.widgets.order import OrderExplorer

N_BITS = 5


@pytest.fixture(scope="module")
def models():
    trained = {}
    for order in ("lsb", "msb"):
        model = RNN(2, 8, rng=np.random.default_rng(0), head="softmax")
        train, _ = split_pairs(N_BITS, 0.25, np.random.default_rng(4))
        train_addition(model, train, SGD(1.0), 100, np.random.default_rng(1), n_bits=N_BITS,
                       bit_order=order)
        trained[order] = model
    return trained


def bound():
    return 0.5 - 0.5 ** (np.arange(N_BITS) + 1)     # p_i = P(carry into bit i)


def test_explorer_shows_both_readers(models):
    explorer = OrderExplorer(models, N_BITS, bound(), a=11, b=6)
    assert explorer.predicted["lsb"] == 17  # the LSB-first network has learned to add
    assert "11 + 6 = <b>17</b>" in explorer.status.value
    assert "LSB-first says <b>17</b> (exact)" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_moving_a_control_reruns_both(models):
    explorer = OrderExplorer(models, N_BITS, bound(), a=11, b=6)
    before_status, before_png = explorer.status.value, explorer.plot.value
    explorer.a.value = 3
    assert explorer.predicted["lsb"] == 9
    assert explorer.status.value != before_status and explorer.plot.value != before_png


def test_probabilities_are_reordered_to_bit_zero_first(models):
    explorer = OrderExplorer(models, N_BITS, bound(), a=1, b=0)
    _, truth_lsb = explorer.probabilities_by_bit("lsb")
    _, truth_msb = explorer.probabilities_by_bit("msb")
    np.testing.assert_array_equal(truth_lsb, truth_msb)
    assert truth_lsb[0] == 1 and truth_lsb[1:].sum() == 0


def test_plain_text_is_fixed(models):
    bundle = OrderExplorer(models, N_BITS, bound())._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("OrderExplorer: move 'a' or 'b'")


def test_the_bound_is_per_example(models):
    explorer = OrderExplorer(models, N_BITS, bound(), a=3, b=1)    # carries into bits 1 and 2
    p = bound()
    np.testing.assert_allclose(explorer.example_bound(), [1, p[1], p[2], 1 - p[3], 1 - p[4]])
