"""course.checks.common.library_refused and course.parameters: the shared machinery."""

import numpy as np
import pytest

import nnlib
import nnlib.activations
from course.checks.common import CheckFailed, call_refusing, library_refused
from course.parameters import Rule, check_parameters
from nnlib.activations import sigmoid as imported_sigmoid

FORBIDDEN = {"nnlib.activations": ("sigmoid",)}


def honest(z):
    return 1 / (1 + np.exp(-z))


def through_package(z):
    return nnlib.sigmoid(z)


def through_import(z):
    return imported_sigmoid(z)


def through_default(z, f=nnlib.activations.sigmoid):
    return f(z)


def test_an_honest_answer_runs_and_a_twin_call_is_refused_by_every_route():
    z = np.linspace(-3, 3, 7)
    assert np.allclose(call_refusing(honest, (z,), FORBIDDEN), nnlib.sigmoid(z))
    for answer in (through_package, through_import, through_default):
        with pytest.raises(CheckFailed, match="nnlib.activations.sigmoid"):
            call_refusing(answer, (z,), FORBIDDEN)
    assert np.allclose(nnlib.sigmoid(z), honest(z))  # restored afterwards


def test_the_library_is_restored_when_the_answer_raises_something_else():
    with pytest.raises(ZeroDivisionError):
        with library_refused(FORBIDDEN):
            1 / 0
    assert nnlib.sigmoid(np.array([0.0]))[0] == 0.5


def test_arrays_are_copied_so_an_answer_cannot_edit_the_check_inputs():
    z = np.zeros(3)

    def editor(a):
        a += 1
        return a
    call_refusing(editor, (z,), FORBIDDEN)
    assert np.all(z == 0)


def test_parameters_are_normalised_stored_and_printed(capsys):
    namespace = {"seed": 2, "learning_rate": 1, "mode": "msb"}
    rules = [Rule("seed", minimum=0, integer=True),
             Rule("learning_rate", minimum=0, exclusive_minimum=True),
             Rule("mode", choices=("lsb", "msb"))]
    values = check_parameters(namespace, rules)
    assert values == {"seed": 2, "learning_rate": 1.0, "mode": "msb"}
    assert isinstance(namespace["learning_rate"], float)
    assert capsys.readouterr().out == "seed=2, learning_rate=1, mode='msb'\n"


@pytest.mark.parametrize("namespace, message", [
    ({"seed": -1, "learning_rate": 1, "mode": "msb"}, "seed must be an integer >= 0"),
    ({"seed": 0, "learning_rate": 0, "mode": "msb"}, "learning_rate"),
    ({"seed": 0, "learning_rate": 1, "mode": "MSB"}, "mode must be one of 'lsb', 'msb'"),
    ({"seed": 0, "learning_rate": 1, "mode": ["msb"]}, "mode must be one of"),
])
def test_a_bad_value_stops_naming_the_parameter(namespace, message):
    rules = [Rule("seed", minimum=0, integer=True),
             Rule("learning_rate", minimum=0, exclusive_minimum=True),
             Rule("mode", choices=("lsb", "msb"))]
    with pytest.raises(ValueError, match=message):
        check_parameters(namespace, rules)


def test_a_cross_parameter_rule_runs_after_the_single_ones():
    def extra(values):
        if values["low"] >= values["high"]:
            raise ValueError("low must be below high")
    with pytest.raises(ValueError, match="low must be below high"):
        check_parameters({"low": 3, "high": 2}, [Rule("low"), Rule("high")], extra)


def test_a_cell_ending_in_the_check_shows_nothing_but_the_printed_line():
    from IPython.core.formatters import DisplayFormatter

    values = check_parameters({"seed": 1}, [Rule("seed", minimum=0, integer=True)])
    assert values == {"seed": 1}
    assert DisplayFormatter().format(values) == ({}, {})
