"""Integers <-> bit arrays, and the binary-addition data set built from them (notebooks 04, 05).

Bits are stored as ``int8`` arrays of 0s and 1s, one bit per time step, so that a recurrent
network can read a number one bit at a time. ``bit_order`` chooses which end comes first:

- ``"lsb"``: least significant bit first (index 0 is 2**0), the order in which a person
  adds with carries, and the order in which a recurrent network can learn addition;
- ``"msb"``: most significant bit first (index 0 is 2**(n_bits-1)), the order numbers are
  written in, and the order ``np.unpackbits`` returns.

Widths are not limited to 8 (or 64): values are Python-or-NumPy integers, and the conversion
works bit by bit with integer arithmetic. Only NumPy is imported.
"""

from __future__ import annotations

import numbers

import numpy as np

from nnlib.validation import check_choice, check_memory, check_number, check_rng

BIT_ORDERS = ("lsb", "msb")
#: The widest bit sequence made here: far beyond any sequence a network in the course reads
#: (notebook 04 tests up to 128 bits), and small enough that every conversion ends at once.
MAX_BITS = 65_536


def _as_integers(name: str, values) -> np.ndarray:
    """Integers as an array: int64 when they fit, else an object array of Python ints."""
    if isinstance(values, (bool, np.bool_)):
        raise ValueError(f"{name} must hold non-negative integers, got {values!r}.")
    array = np.asarray(values)
    if array.size == 0 and array.dtype == np.float64 and not isinstance(values, np.ndarray):
        return array.astype(np.int64)       # an empty list holds no non-integer
    if array.dtype == object:
        flat = array.ravel().tolist()
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in flat):
            raise ValueError(f"{name} must hold non-negative integers, got a non-integer entry.")
        return array
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold non-negative integers, got dtype {array.dtype}.")
    return array


def int_to_bits(values, n_bits: int, bit_order: str = "lsb") -> np.ndarray:
    """The binary digits of non-negative integers, ``n_bits`` bits each.

    Parameters
    ----------
    values : int or array_like of int, shape (...)
        Each must satisfy 0 <= value < 2**n_bits. Python ints of any size are accepted
        (for widths above 63 pass them as a list or an object array).
    n_bits : int, 1 to ``MAX_BITS`` (65 536)
        Bits per number (time steps T).
    bit_order : "lsb" or "msb"
        Least or most significant bit first.

    Returns
    -------
    bits : ndarray of int8, shape (..., T) with T = n_bits, values 0 or 1.

    Examples
    --------
    >>> int_to_bits(6, 4).tolist(), int_to_bits(6, 4, "msb").tolist()
    ([0, 1, 1, 0], [0, 1, 1, 0])
    >>> int_to_bits(1, 4).tolist(), int_to_bits(1, 4, "msb").tolist()
    ([1, 0, 0, 0], [0, 0, 0, 1])
    """
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=MAX_BITS, integer=True)
    check_choice("bit_order", bit_order, BIT_ORDERS)
    array = _as_integers("values", values)
    # The bits, their int64 work array (up to 63 positions) and the reversed copy for "msb".
    check_memory("the bits", array.size * (2 * n_bits + 8 * min(n_bits, 63)),
                 "n_bits or the number of values", itemsize=1)
    width = 0                                   # the longest value's bit length
    if array.size:
        smallest, largest = int(array.min()), int(array.max())
        width = largest.bit_length()
        if smallest < 0 or width > n_bits:
            top = f" = {2**n_bits - 1}" if n_bits <= 64 else ""
            raise ValueError(f"values must lie in 0 .. 2**{n_bits} - 1{top} to fit in "
                             f"n_bits={n_bits} bits, got values from {_short(smallest)} to "
                             f"{_short(largest)}.")
    bits = np.zeros(array.shape + (n_bits,), dtype=np.int8)
    if array.dtype != object:                   # int64: at most 63 bits are ever set
        shifts = np.arange(min(n_bits, 63), dtype=np.int64)
        bits[..., :len(shifts)] = (array[..., None].astype(np.int64) >> shifts) & 1
    else:
        # Arbitrary precision: Python ints, one bit position at a time, up to the longest.
        remaining = np.array(array, dtype=object)
        for position in range(width):
            # np.asarray: on a 0-d object array, & and >> return plain Python ints.
            bits[..., position] = np.asarray(remaining & 1).astype(np.int8)
            remaining = np.asarray(remaining >> 1, dtype=object)
    return bits if bit_order == "lsb" else bits[..., ::-1].copy()


def _short(value: int) -> str:
    # A huge integer's decimal digits would flood the message.
    return str(value) if value.bit_length() <= 256 else f"a {value.bit_length()}-bit integer"


def bits_to_int(bits, bit_order: str = "lsb") -> np.ndarray | int:
    """The integers that bit arrays encode (the inverse of ``int_to_bits``).

    Parameters
    ----------
    bits : array_like of 0/1 (int or bool), shape (..., T)
    bit_order : "lsb" or "msb"

    Returns
    -------
    values : ndarray, shape (...)
        int64 for T <= 62, else an object array of Python ints (exact for any T). A single
        bit array (shape (T,)) gives a 0-d array; use ``int(...)`` for a Python int.
    """
    check_choice("bit_order", bit_order, BIT_ORDERS)
    array = np.asarray(bits)
    if array.dtype == bool:
        array = array.astype(np.int8)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"bits must hold the integers 0 and 1, got dtype {array.dtype}.")
    if array.ndim < 1 or array.shape[-1] == 0:
        raise ValueError(f"bits must have shape (..., T) with T >= 1, got {array.shape}.")
    if np.any((array != 0) & (array != 1)):
        raise ValueError("bits must hold only 0 and 1.")
    if bit_order == "msb":
        array = array[..., ::-1]
    n_bits = array.shape[-1]
    if n_bits <= 62:
        return (array.astype(np.int64) << np.arange(n_bits, dtype=np.int64)).sum(axis=-1)
    weights = np.array([1 << k for k in range(n_bits)], dtype=object)
    return (array.astype(object) * weights).sum(axis=-1)


def addition_data(a, b, n_bits: int, bit_order: str = "lsb") -> tuple[np.ndarray, np.ndarray]:
    """Binary-addition sequences: the bits of ``a`` and ``b`` in, the bits of ``a + b`` out.

    Parameters
    ----------
    a, b : array_like of int, shape (N,)
        Addends with 0 <= a + b < 2**n_bits (so that the sum fits in ``n_bits`` bits).
    n_bits : int >= 1
        Time steps T.
    bit_order : "lsb" or "msb"

    Returns
    -------
    X : ndarray of float64, shape (N, T, 2)
        X[n, t] = (bit t of a[n], bit t of b[n]).
    y : ndarray of int64, shape (N, T)
        Bit t of a[n] + b[n], in the same order.
    """
    a_arr = _as_integers("a", a)
    b_arr = _as_integers("b", b)
    if a_arr.ndim != 1 or b_arr.shape != a_arr.shape:
        raise ValueError(f"a and b must have the same shape (N,), got {a_arr.shape} and "
                         f"{b_arr.shape}.")
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=MAX_BITS, integer=True)
    # X (float64, two per step), y (int64) and the int8 bits of a, b and the sum on the way.
    check_memory("the addition data", a_arr.size * n_bits * 27, "n_bits or the number of pairs",
                 itemsize=1)
    if a_arr.dtype == object or b_arr.dtype == object or n_bits > 62:
        total = a_arr.astype(object) + b_arr.astype(object)  # exact Python ints
    else:
        total = a_arr.astype(np.int64) + b_arr.astype(np.int64)
    if total.size and int(total.max()).bit_length() > n_bits:
        raise ValueError(f"a + b must be below 2**{n_bits} to fit in n_bits={n_bits} bits; the "
                         f"largest sum is {_short(int(total.max()))}.")
    X = np.stack([int_to_bits(a_arr, n_bits, bit_order), int_to_bits(b_arr, n_bits, bit_order)],
                 axis=-1).astype(np.float64)
    y = int_to_bits(total, n_bits, bit_order).astype(np.int64)
    return X, y


def random_addends(rng: np.random.Generator, count: int, n_bits: int) -> tuple[np.ndarray, ...]:
    """``count`` pairs (a, b), each uniform in 0 .. 2**n_bits - 1, so a + b < 2**(n_bits + 1).

    Parameters
    ----------
    rng : np.random.Generator
    count : int >= 0
    n_bits : int >= 1
        Bits of each addend; the sum needs one more. Above 62 the draws are exact Python ints.

    Returns
    -------
    a, b : ndarrays, shape (N,) with N = count
    """
    check_rng(rng)
    count = check_number("count", count, minimum=0, integer=True)
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=MAX_BITS - 1, integer=True)
    check_memory("the addends", 2 * count * (8 if n_bits <= 62 else n_bits),
                 "count or n_bits", itemsize=1)
    if n_bits <= 62:
        return (rng.integers(0, 2**n_bits, size=count, dtype=np.int64),
                rng.integers(0, 2**n_bits, size=count, dtype=np.int64))
    # Wider numbers: assemble each from random 0/1 digits (exact, any n_bits).
    digits = rng.integers(0, 2, size=(2, count, n_bits), dtype=np.int8)
    a = bits_to_int(digits[0]) if count else np.zeros(0, dtype=object)
    b = bits_to_int(digits[1]) if count else np.zeros(0, dtype=object)
    return np.asarray(a, dtype=object), np.asarray(b, dtype=object)


def all_pairs(n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (a, b) with 0 <= a, b < 2**n_bits, a varying slowest: 4**n_bits pairs, (N,)."""
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=12, integer=True)
    values = np.arange(2**n_bits, dtype=np.int64)
    a, b = np.meshgrid(values, values, indexing="ij")
    return a.ravel(), b.ravel()


def carry_bits(a, b, n_bits: int, bit_order: str = "lsb") -> np.ndarray:
    """The carry out of each bit position when ``a + b`` is added by hand.

    Parameters
    ----------
    a, b : array_like of int, shape (N,), with a + b < 2**n_bits
    n_bits : int, time steps T
    bit_order : "lsb" or "msb" (the order of the returned positions)

    Returns
    -------
    carry : ndarray of int8, shape (N, T)
        carry[n, t] = 1 when adding position t (and the carry into it) overflows into the next
        more significant position.

    Notes
    -----
    With bits taken least significant first: carry_out_t = (a_t + b_t + carry_out_{t-1}) >= 2,
    carry_out_{-1} = 0.
    """
    X, _ = addition_data(a, b, n_bits, "lsb")
    digits = X.astype(np.int8)
    carry = np.zeros(digits.shape[:2], dtype=np.int8)
    previous = np.zeros(digits.shape[0], dtype=np.int8)
    for t in range(digits.shape[1]):
        previous = ((digits[:, t, 0] + digits[:, t, 1] + previous) >= 2).astype(np.int8)
        carry[:, t] = previous
    check_choice("bit_order", bit_order, BIT_ORDERS)
    return carry if bit_order == "lsb" else carry[:, ::-1].copy()


def addition_table(n_bits: int, bit_order: str = "lsb") -> np.ndarray:
    """Bits of every integer 0 .. 2**n_bits - 1, shape (2**n_bits, T) with T = n_bits."""
    n_bits = check_number("n_bits", n_bits, minimum=1, maximum=20, integer=True)
    return int_to_bits(np.arange(2**n_bits), n_bits, bit_order)


def split_sizes(n_bits: int, held_out: float) -> tuple[int, int]:
    """How many pairs ``split_pairs(n_bits, held_out, rng)`` trains on and holds out.

    Parameters
    ----------
    n_bits : int, 2 to 13, bits of the sum (4**(n_bits - 1) pairs of addends)
    held_out : float in (0, 1), share of the pairs kept out of training

    Returns
    -------
    (n_train, n_held) : ints, both at least 1; ``held_out`` so close to 1 that no pair would be
        left to train on raises ``ValueError``.
    """
    n_bits = check_number("n_bits", n_bits, minimum=2, maximum=13, integer=True)
    held_out = check_number("held_out", held_out, minimum=0, maximum=1, exclusive_minimum=True)
    n_pairs = 4 ** (n_bits - 1)
    n_held = max(1, int(round(held_out * n_pairs)))
    if n_held >= n_pairs:
        raise ValueError(f"held_out={held_out:g} leaves none of the {n_pairs} pairs of "
                         f"{n_bits}-bit sums to train on: lower held_out or raise n_bits.")
    return n_pairs - n_held, n_held


def split_pairs(n_bits: int, held_out: float, rng: np.random.Generator):
    """Every pair of addends below 2**(n_bits - 1), shuffled and cut into train and held out.

    Parameters
    ----------
    n_bits : int, 2 to 13, bits of the sum; the addends are below 2**(n_bits - 1), so there
        are 4**(n_bits - 1) pairs (16.8 million at 13: with their shuffle about 0.4 GB)
    held_out : float in (0, 1), share of the pairs kept out of training (``split_sizes`` gives
        the two counts; at least one pair must be left to train on)
    rng : np.random.Generator, draws the shuffle

    Returns
    -------
    (a_train, b_train), (a_held, b_held) : int64 arrays; no pair is in both sets.
    """
    _, n_held = split_sizes(n_bits, held_out)
    a, b = all_pairs(n_bits - 1)
    order = check_rng(rng).permutation(len(a))
    held, train = order[:n_held], order[n_held:]
    return (a[train], b[train]), (a[held], b[held])
