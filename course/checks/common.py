"""What every self-check shares: the failure type and the type/shape/value comparison."""

from __future__ import annotations

import importlib
import sys

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


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def fresh_check(name: str):
    """The check called ``name`` from a fresh import of nnlib and course, from their files on disk.

    Graded cells call this in their hidden block, so that an answer cell that replaced
    ``course.checks.check_...``, a reference function the check compares against, or the
    ``nnlib`` entries in ``sys.modules``, is graded by the genuine check all the same. The
    learner's modules are put back afterwards; the fresh copy lives only in the returned
    function. It protects against rebinding names, not against deliberate subversion of
    NumPy or Python's import machinery: the checks give formative grades, not exam grades.
    """
    if not (isinstance(name, str) and name.startswith("check_")):
        raise ValueError(f"name must be the name of a check such as 'check_train_step', "
                         f"got {name!r}.")
    saved = {key: sys.modules.pop(key) for key in list(sys.modules) if _is_graded(key)}
    try:
        # With their entries gone from sys.modules, both packages are executed again from
        # their files on disk.
        importlib.import_module("nnlib")
        checks = importlib.import_module("course.checks")
        if not hasattr(checks, name):
            raise ValueError(f"name must be a check in course.checks, got {name!r}.")
        return getattr(checks, name)
    finally:
        for key in [key for key in sys.modules if _is_graded(key)]:
            del sys.modules[key]
        sys.modules.update(saved)


def _is_graded(module_name: str) -> bool:
    return module_name.split(".")[0] in ("nnlib", "course")
