import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.data.bits import (addition_data, all_pairs, bits_to_int, carry_bits, int_to_bits,
                        random_addends)


def test_known_values_in_both_orders():
    assert int_to_bits(6, 4).tolist() == [0, 1, 1, 0]
    assert int_to_bits(1, 4).tolist() == [1, 0, 0, 0]
    assert int_to_bits(1, 4, "msb").tolist() == [0, 0, 0, 1]
    assert int_to_bits([[3, 4]], 3).tolist() == [[[1, 1, 0], [0, 0, 1]]]
    assert int(bits_to_int([1, 0, 1, 1], "lsb")) == 13
    assert int(bits_to_int([1, 0, 1, 1], "msb")) == 11


def test_msb_order_matches_numpy_unpackbits():
    table = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1)
    np.testing.assert_array_equal(int_to_bits(np.arange(256), 8, "msb"), table)


@given(st.integers(min_value=1, max_value=200), st.data(), st.sampled_from(["lsb", "msb"]))
def test_round_trip_any_width(width, data, order):
    value = data.draw(st.integers(min_value=0, max_value=2**width - 1))
    bits = int_to_bits([value], width, order)
    assert bits.shape == (1, width) and bits.dtype == np.int8
    assert int(bits_to_int(bits, order)[0]) == value
    # The two orders are mirror images.
    np.testing.assert_array_equal(int_to_bits([value], width, "lsb")[0],
                                  int_to_bits([value], width, "msb")[0, ::-1])


def test_addition_data_and_carries():
    X, y = addition_data([75, 3], [46, 1], 8)
    assert X.shape == (2, 8, 2) and y.shape == (2, 8)
    np.testing.assert_array_equal(bits_to_int(y), [121, 4])
    np.testing.assert_array_equal(bits_to_int(X[..., 0].astype(int)), [75, 3])
    # 75 + 46 by hand: carries out of positions 1, 2 and 3.
    np.testing.assert_array_equal(carry_bits([75], [46], 8)[0], [0, 1, 1, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(carry_bits([75], [46], 8, "msb")[0], [0, 0, 0, 0, 1, 1, 1, 0])
    X_msb, y_msb = addition_data([75], [46], 8, "msb")
    np.testing.assert_array_equal(X_msb[0], X[0, ::-1])
    np.testing.assert_array_equal(y_msb[0], y[0, ::-1])


def test_carry_agrees_with_integer_arithmetic():
    a, b = all_pairs(5)
    carry = carry_bits(a, b, 6)
    for t in range(6):
        mask = 2 ** (t + 1) - 1
        np.testing.assert_array_equal(carry[:, t], ((a & mask) + (b & mask)) >> (t + 1))


def test_wide_random_addends_are_exact():
    a, b = random_addends(np.random.default_rng(0), 50, 100)
    X, y = addition_data(a, b, 101)
    assert all(int(s) == int(p) + int(q) for s, p, q in zip(bits_to_int(y), a, b))
    assert max(int(v) for v in a) >= 2**90  # really wide numbers were drawn


def test_all_pairs():
    a, b = all_pairs(2)
    assert list(zip(a.tolist(), b.tolist()))[:5] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]
    assert len(a) == 16


@pytest.mark.parametrize("call, message", [
    (lambda: int_to_bits(16, 4), r"values must lie in 0 .. 2\*\*4 - 1 = 15 .* got values from 16"),
    (lambda: int_to_bits(-1, 4), "got values from -1"),
    (lambda: int_to_bits(1.5, 4), "must hold non-negative integers, got dtype float64"),
    (lambda: int_to_bits(True, 4), "must hold non-negative integers"),
    (lambda: int_to_bits(3, 0), r"n_bits must be an integer in the range \[1, 65536\], got 0"),
    (lambda: int_to_bits(3, 4, "little"), r"bit_order must be one of \('lsb', 'msb'\)"),
    (lambda: bits_to_int([0, 2, 1]), "bits must hold only 0 and 1"),
    (lambda: bits_to_int([0.0, 1.0]), "bits must hold the integers 0 and 1"),
    (lambda: addition_data([200], [100], 8), r"a \+ b must be below 2\*\*8"),
    (lambda: addition_data([1, 2], [1], 8), "a and b must have the same shape"),
    (lambda: random_addends(0, 5, 8), "rng must be a np.random.Generator"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- bounded work and memory (issue 31) --------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: int_to_bits(5, 10**9), r"n_bits must be an integer in the range \[1, 65536\], "
                                    r"got 1000000000"),
    (lambda: int_to_bits(5, 10**12), r"n_bits must be an integer in the range \[1, 65536\]"),
    (lambda: int_to_bits(np.zeros(10**6, dtype=np.int64), 60_000),
     r"the bits would need .* GiB.*make n_bits or the number of values smaller"),
    (lambda: addition_data(np.zeros(10**5, dtype=np.int64), np.zeros(10**5, dtype=np.int64),
                           60_000), r"the addition data would need .* GiB"),
    (lambda: addition_data([1], [2], 10**9), r"n_bits must be an integer in the range"),
    (lambda: random_addends(np.random.default_rng(0), 10**12, 8),
     r"the addends would need .* GiB.*make count or n_bits smaller"),
    (lambda: int_to_bits(2**70_000, 65_536), r"got values from a 70001-bit integer to a 70001-bit integer"),
])
def test_huge_sizes_are_refused_at_once(call, message):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=message):
        call()
    assert time.perf_counter() - start < 1.0


def test_empty_values_give_empty_bits():
    assert int_to_bits([], 8).shape == (0, 8) and int_to_bits([], 8).dtype == np.int8
    assert int_to_bits(np.zeros(0, dtype=np.int64), 3, "msb").shape == (0, 3)


def test_wide_widths_stay_fast_and_exact():
    import time

    start = time.perf_counter()
    bits = int_to_bits([5, 2**100 + 1], 65_536, "msb")
    assert time.perf_counter() - start < 1.0
    assert bits.shape == (2, 65_536) and bits[:, :-101].sum() == 0
    assert [int(v) for v in bits_to_int(bits[:, -200:], "msb")] == [5, 2**100 + 1]
    np.testing.assert_array_equal(int_to_bits(5, 70)[:3], [1, 0, 1])
    assert int_to_bits(5, 70)[3:].sum() == 0
