"""Input checks shared by every nnlib function.

Each check raises ``ValueError`` with a message that names the argument, says what was
wrong and what was expected, so that a learner never meets a silent NaN or a traceback
from deep inside NumPy. Nothing here imports anything but NumPy.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
import os
from collections.abc import Sequence

import numpy as np

Shape = Sequence[int | str | None]


def _describe_shape(shape: Shape) -> str:
    parts = ["?" if dim is None else str(dim) for dim in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def as_float_array(name: str, value, shape: Shape | None = None, allow_nonfinite: bool = False,
                   sizes: dict[str, int] | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array after checking its dtype, shape and finiteness.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : array_like
        Real numbers (bool, integer or float). Strings, objects and complex numbers are rejected.
    shape : sequence of int, str or None, optional
        Expected shape. An int fixes a dimension, ``None`` accepts any size, and a letter
        such as ``"N"`` must take the same size everywhere it appears in one call chain
        (the sizes seen so far are kept in ``sizes``).
    allow_nonfinite : bool
        Accept NaN and infinity (default: reject them).
    sizes : dict, optional
        Named dimension sizes already fixed by earlier arguments; updated in place.

    Returns
    -------
    ndarray of float64, of the checked shape.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists, unconvertible objects
        raise ValueError(f"{name} must be an array of numbers with one length per dimension "
                         f"(no ragged lists); NumPy could not convert it: {error}") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}. "
                         f"Convert it with np.asarray({name}, dtype=float).")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got complex dtype {array.dtype}.")
    array = array.astype(np.float64, copy=False)
    if shape is not None:
        check_shape(name, array, shape, sizes)
    if not allow_nonfinite and not np.all(np.isfinite(array)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} contains {array[where]} at index {where}; "
                         f"every entry must be a finite number.")
    return array


def check_shape(name: str, array: np.ndarray, shape: Shape,
                sizes: dict[str, int] | None = None) -> None:
    """Raise ``ValueError`` unless ``array.shape`` matches ``shape`` (see ``as_float_array``)."""
    sizes = {} if sizes is None else sizes
    new_sizes: dict[str, int] = {}
    ok = array.ndim == len(shape)
    if ok:
        for got, dim in zip(array.shape, shape):
            if isinstance(dim, str):
                want = sizes.get(dim, new_sizes.get(dim))
                if want is None:
                    new_sizes[dim] = got
                elif got != want:
                    ok = False
            elif dim is not None and got != dim:
                ok = False
    if not ok:
        known = ", ".join(f"{d}={sizes[d]}" for d in dict.fromkeys(shape)
                          if isinstance(d, str) and d in sizes)
        hint = f" (with {known})" if known else ""
        raise ValueError(f"{name} must have shape {_describe_shape(shape)}{hint}, "
                         f"got {array.shape}.")
    sizes.update(new_sizes)


def check_number(name: str, value, minimum: float | None = None, maximum: float | None = None,
                 integer: bool = False, exclusive_minimum: bool = False) -> float | int:
    """Check one scalar setting (a learning rate, an iteration count) and return it.

    Booleans are rejected: ``True`` is not a learning rate. Integers are accepted where
    a float is asked for; a float is not accepted where an integer is asked for.
    """
    kind = "an integer" if integer else "a number"
    wanted = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise ValueError(f"{name} must be {kind}{_range_text(minimum, maximum, exclusive_minimum)}"
                         f", got {value!r} of type {type(value).__name__}.")
    if not integer:
        try:
            float(value)
        except OverflowError:  # an int too large for a float (e.g. a 401-digit learning rate)
            raise ValueError(f"{name} must be a finite number"
                             f"{_range_text(minimum, maximum, exclusive_minimum)}, got an "
                             f"integer of {len(str(abs(int(value))))} digits.") from None
    if not integer and not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number"
                         f"{_range_text(minimum, maximum, exclusive_minimum)}, got {value!r}.")
    too_small = minimum is not None and (value <= minimum if exclusive_minimum
                                         else value < minimum)
    too_large = maximum is not None and value > maximum
    if too_small or too_large:
        raise ValueError(f"{name} must be {kind}{_range_text(minimum, maximum, exclusive_minimum)}"
                         f", got {value!r}.")
    return int(value) if integer else float(value)


def _range_text(minimum, maximum, exclusive_minimum) -> str:
    if minimum is not None and maximum is not None:
        left = "(" if exclusive_minimum else "["
        return f" in the range {left}{minimum}, {maximum}]"
    if minimum is not None:
        return f" {'>' if exclusive_minimum else '>='} {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Raise ``ValueError`` unless ``rng`` is a ``np.random.Generator``; return it."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a np.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}.")
    return rng


def check_choice(name: str, value, choices) -> str:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``; return it."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}.")
    return value


def check_labels(name: str, labels, shape, classes: int) -> np.ndarray:
    """Integer class labels of the given shape with values in 0 .. classes-1, as int64."""
    labels = np.asarray(labels)
    if labels.dtype == bool or not (np.issubdtype(labels.dtype, np.integer)
                                    or (np.issubdtype(labels.dtype, np.floating)
                                        and np.all(np.isfinite(labels))
                                        and np.all(labels == np.round(labels)))):
        raise ValueError(f"{name} must hold integer class labels 0 .. {classes - 1}, got dtype "
                         f"{labels.dtype}.")
    check_shape(name, labels, shape)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{name} must hold class labels 0 .. {classes - 1}, got values from "
                         f"{labels.min():g} to {labels.max():g}.")
    return labels.astype(np.int64)


class DivergenceError(ValueError):
    """Training produced a loss that is NaN or infinite."""


def check_finite_loss(loss: float, step: int, learning_rate: float | None = None,
                      input_scale: float | None = None, limit: float = np.inf) -> float:
    """Return ``loss`` if it is finite (and below ``limit``); otherwise stop training with a
    message naming the step and the likely cause.

    Parameters
    ----------
    loss : float, the loss just computed, before the update
    step : int, the update about to be made (or made)
    learning_rate : float, optional, named in the advice
    input_scale : float, optional
        The largest |entry| of the inputs. Inputs far from unit scale (beyond 1e3) are the
        likely cause, whatever the learning rate: the advice says to standardise them.
    limit : float
        A finite loss above it counts as divergence too (the training loop passes a bound far
        above any loss a working run reaches, so an explosion stops at once, not at overflow).
    """
    if math.isfinite(loss) and loss <= limit:  # math, not NumPy: this runs at every step
        return loss
    what = f"the loss became {loss}" if not np.isfinite(loss) else (
        f"the loss exploded to {loss:.3g}")
    if input_scale is not None and input_scale > 1e3:
        advice = (f" The inputs reach {input_scale:.3g} in absolute value: standardise each "
                  f"feature (subtract its mean, divide by its standard deviation) before "
                  f"tuning the learning rate.")
    elif learning_rate is not None and learning_rate > 0:
        advice = (f" The learning rate {learning_rate:g} is probably too large: try "
                  f"{learning_rate / 10:g}.")
    else:
        advice = ""
    raise DivergenceError(f"Training diverged: {what} at step {step}.{advice}")


# Far above anything the course allocates (its largest arrays are tens of MB), far below what a
# typo such as hidden_size=10**6 asks for; NNLIB_MEMORY_BUDGET_GB changes it.
MEMORY_BUDGET_BYTES = int(float(os.environ.get("NNLIB_MEMORY_BUDGET_GB", "2")) * 2**30)
_budget = contextvars.ContextVar("nnlib_memory_budget", default=MEMORY_BUDGET_BYTES)


@contextlib.contextmanager
def memory_budget(limit_bytes: int):
    """Within the block, ``check_memory`` refuses more than ``limit_bytes`` (never more than
    the global budget). ``load_model`` builds a model inside one sized by the file's arrays, so
    a hand-edited header cannot make it allocate far more than the file holds."""
    token = _budget.set(min(int(limit_bytes), _budget.get()))
    try:
        yield
    finally:
        _budget.reset(token)


def check_memory(what: str, values: int, parameters: str, itemsize: int = 8) -> None:
    """Refuse, before allocating it, an array of ``values`` numbers above the memory budget.

    ``values`` is computed with Python integers (no overflow); the message gives the estimate
    and names the ``parameters`` to change, e.g. ``check_memory("the weights", D * H,
    "input_size or hidden_size")``.
    """
    needed, budget = int(values) * itemsize, _budget.get()
    if needed > budget:
        raise ValueError(f"{what} would need {needed / 2**30:.3g} GiB, more than the budget of "
                         f"{budget / 2**30:.3g} GiB (NNLIB_MEMORY_BUDGET_GB): make {parameters} "
                         f"smaller.")
