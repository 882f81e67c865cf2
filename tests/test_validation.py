import numpy as np
import pytest

from nnlib.validation import as_float_array, check_number


def test_as_float_array_converts_ints_and_bools_to_float64():
    out = as_float_array("X", [[1, 0], [True, False]], shape=(2, 2))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 0.0], [1.0, 0.0]])


def test_named_dimensions_must_agree():
    sizes = {}
    as_float_array("X", np.zeros((4, 3)), shape=("N", "D"), sizes=sizes)
    assert sizes == {"N": 4, "D": 3}
    with pytest.raises(ValueError, match=r"w must have shape \(D, 1\) \(with D=3\), got \(2, 1\)"):
        as_float_array("w", np.zeros((2, 1)), shape=("D", 1), sizes=sizes)


def test_wrong_number_of_dimensions():
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\), got \(4,\)"):
        as_float_array("X", np.zeros(4), shape=("N", "D"))


def test_nonfinite_is_rejected_with_its_index_unless_allowed():
    with pytest.raises(ValueError, match=r"contains inf at index \(1, 0\)"):
        as_float_array("X", [[0.0], [np.inf]])
    assert np.isnan(as_float_array("X", [np.nan], allow_nonfinite=True)[0])


@pytest.mark.parametrize("value, kwargs, message", [
    (-5, dict(minimum=0, integer=True), r"iterations must be an integer >= 0, got -5"),
    (2.5, dict(minimum=0, integer=True), r"must be an integer >= 0, got 2.5 of type float"),
    (True, dict(minimum=0, integer=True), r"got True of type bool"),
    ("fast", dict(minimum=0), r"must be a number >= 0, got 'fast' of type str"),
    (float("nan"), dict(minimum=0), r"must be a finite number >= 0, got nan"),
    (0.0, dict(minimum=0, maximum=10, exclusive_minimum=True), r"in the range \(0, 10\], got 0.0"),
    (11, dict(minimum=0, maximum=10), r"in the range \[0, 10\], got 11"),
])
def test_check_number_rejects(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_number("iterations", value, **kwargs)


def test_check_number_accepts_and_normalises():
    assert check_number("learning_rate", 1, minimum=0, exclusive_minimum=True) == 1.0
    assert isinstance(check_number("seed", np.int64(3), integer=True), int)


def test_check_finite_loss_names_the_step_and_suggests_a_smaller_rate():
    from nnlib.validation import DivergenceError, check_finite_loss

    assert check_finite_loss(0.5, step=3) == 0.5
    with pytest.raises(DivergenceError, match=r"loss became nan at step 12\. The learning rate "
                                              r"5 is probably too large: try 0\.5"):
        check_finite_loss(float("nan"), step=12, learning_rate=5.0)
    with pytest.raises(ValueError, match="inf at step 1"):
        check_finite_loss(float("inf"), step=1)
