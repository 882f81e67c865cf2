import numpy as np
import pytest

from course.rnn import train_addition
from nnlib.data.bits import split_pairs
from nnlib.optim import SGD
from nnlib.rnn import RNN
from course.widgets.rnn import AdditionStepper


@pytest.fixture(scope="module")
def trained():
    model = RNN(2, 16, rng=np.random.default_rng(0))
    train, _ = split_pairs(8, 0.75, np.random.default_rng(4))
    train_addition(model, train, SGD(1.0), 2, np.random.default_rng(1))
    return model


def test_stepper_shows_the_sum_and_the_carry(trained):
    stepper = AdditionStepper(trained, a=75, b=46)
    assert stepper.predicted_sum == 121
    assert "75 + 46 = <b>121</b> (right)" in stepper.status.value
    np.testing.assert_array_equal(stepper.carry, [0, 1, 1, 1, 0, 0, 0, 0])
    assert stepper.plot.value[:4] == b"\x89PNG"


def test_moving_controls_updates(trained):
    stepper = AdditionStepper(trained, a=75, b=46)
    png = stepper.plot.value
    stepper.step.value = 0
    assert "step t = 0" in stepper.status.value and "carry out = <b>0</b>" in stepper.status.value
    assert stepper.plot.value != png
    stepper.a.value, stepper.b.value = 127, 127
    assert stepper.predicted_sum == 254
    assert "AdditionStepper(a=127, b=127, step=0" in repr(stepper)


def test_plain_text_form_is_stable(trained):
    bundle = AdditionStepper(trained)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("AdditionStepper: move 'a', 'b'")
    assert "application/vnd.jupyter.widget-view+json" in bundle
