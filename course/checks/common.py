"""What every self-check shares: the failure type and the type/shape/value comparison."""

from __future__ import annotations


import secrets

import numpy as np


class CheckFailed(AssertionError):
    """A learner's function returned something that differs from the reference."""


def report_passed(name: str, hidden: bool) -> None:
    print(f"{'hidden' if hidden else 'public'} checks passed: {name}")


def compare_array(name: str, got, expected: np.ndarray, what: str,
                  hint: str = "") -> np.ndarray:
    """Type, then shape, then values; returns ``got`` as an array."""
    if not isinstance(got, (np.ndarray, float, np.floating)):
        raise CheckFailed(f"{name} returned {type(got).__name__}, expected a NumPy array "
                          f"({what}). Did you forget a return statement?")
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        raise CheckFailed(f"{name} returned shape {got.shape}, expected {expected.shape} "
                          f"({what}).{' ' + hint if hint else ''}")
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name} returned NaN or inf values ({what}).")
    return got


# The seeds of the hidden inputs: drawn fresh on every run of a check, and written down while
# the grader records a graded cell (``SEED_LOG``), so that its re-check in a separate process
# draws the same genuine inputs (``SEED_REPLAY``). A forged seed gains nothing: the inputs are
# still drawn by the genuine check, and the answers must be right for them.
SEED_LOG: list[int] | None = None
SEED_REPLAY: list[int] | None = None


def fresh_rng() -> np.random.Generator:
    """A generator for a check's inputs, fresh on every run (a hard-coded answer cannot pass)."""
    if SEED_REPLAY is not None:
        if not SEED_REPLAY:
            raise CheckFailed("the record holds fewer seeds than the check draws")
        seed = int(SEED_REPLAY.pop(0))
    else:
        seed = secrets.randbits(63)
    if SEED_LOG is not None:
        SEED_LOG.append(seed)
    return np.random.default_rng(seed)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))
