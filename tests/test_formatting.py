import numpy as np
import pytest

from nnlib.formatting import fmt, fmt_sci


@pytest.mark.parametrize("value, digits, expected", [
    (0.999937040001, 8, "0.99993704"),
    (np.float64(2.5), 2, "2.50"),
    (-0.00001, 3, "0.000"),      # no "-0.000"
    (-0.0, 1, "0.0"),
    (-0.0006, 3, "-0.001"),      # a real negative keeps its sign
    (7, 0, "7"),
])
def test_fmt_scalars(value, digits, expected):
    assert fmt(value, digits) == expected


def test_fmt_arrays_nest_without_numpy_reprs():
    assert fmt(np.array([[1, -0.0], [0.25, 3]]), 2) == "[[1.00, 0.00], [0.25, 3.00]]"
    assert "np.float64" not in fmt([np.float64(1.5)], 1)


def test_fmt_sci():
    assert fmt_sci(0.0000123456, 3) == "1.235e-05"
    assert fmt_sci(-1e-30, 2) == "-1.00e-30"
    assert fmt_sci([1.0, 0.0], 1) == "[1.0e+00, 0.0e+00]"
