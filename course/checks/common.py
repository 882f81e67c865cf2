"""What every self-check shares: the failure type and the type/shape/value comparison."""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Callable, Iterable, Mapping

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


# ---------------------------------------------------------------------------------------------
# Refusing the library's twin: an answer that calls the function it is meant to write gets no
# credit. While the answer runs, each forbidden function's code object is swapped for one that
# raises, so every route to it raises too (the module attribute, a name the notebook imported,
# a reference another nnlib module keeps, a default argument, a closure).

_REFUSED_MARK = "course.checks: a forbidden library function was called"


def _refusing_code(*args, **kwargs):
    # Runs with the library function's globals: only builtins may be named here.
    raise RuntimeError("course.checks: a forbidden library function was called")


@contextlib.contextmanager
def library_refused(forbidden: Mapping[str, Iterable[str]]):
    """Make the named library functions raise ``CheckFailed`` while the block runs.

    Parameters
    ----------
    forbidden : mapping of module name -> function names
        For example ``{"nnlib.neuron": ("train_step",), "nnlib.activations": ("sigmoid_slope",)}``.
        The modules must already be imported.

    Raises
    ------
    CheckFailed
        Naming the first forbidden function the block called.
    """
    swapped = []
    for module_name, names in forbidden.items():
        module = sys.modules[module_name]
        for name in names:
            function = getattr(module, name)
            if function.__code__.co_freevars:  # a closure's code cannot be swapped
                raise TypeError(f"{module_name}.{name} is a closure; refuse its callers")
            swapped.append((function, function.__code__, f"{module_name}.{name}"))
    called: list[str] = []
    for function, _code, dotted in swapped:
        function.__code__ = _refusing_code.__code__.replace(co_name=function.__code__.co_name)
        function.__course_refused__ = dotted
    try:
        yield called
    except RuntimeError as error:
        if error.args and error.args[0] == _REFUSED_MARK:
            frame = error.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            name = frame.tb_frame.f_code.co_name if frame is not None else "?"
            dotted = next((d for f, _c, d in swapped if d.rpartition(".")[2] == name), name)
            raise CheckFailed(f"your function calls the library's {dotted}: this exercise asks "
                              f"you to write that yourself with NumPy (derive it from the "
                              f"definition above).") from None
        raise
    finally:
        for function, code, _dotted in swapped:
            function.__code__ = code
            with contextlib.suppress(AttributeError):
                del function.__course_refused__


def call_refusing(answer: Callable, args: tuple, forbidden: Mapping[str, Iterable[str]]):
    """``answer(*args)`` (arrays copied) with the ``forbidden`` library functions refused."""
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    with library_refused(forbidden):
        return answer(*copies)
