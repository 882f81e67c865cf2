"""Exact JSON for what checks pass to a learner's function and what it returns (no pickle).

``encode`` gives plain JSON values; ``decode`` reverses it, reading only data. Arrays keep
dtype, shape and bytes; tuples, lists and dicts (any encodable keys) keep their kind and order;
a ``np.random.Generator`` keeps its state; a callable is recorded as "a callable" (the check's
own helper, such as the ``f`` given to ``numerical_gradient``); anything else as an opaque
token naming its type, which a re-check cannot reproduce.
"""

from __future__ import annotations

import base64

import numpy as np

MAX_DEPTH = 64
ARRAY_KINDS = "biufcUS"  # bool, integers, floats, complex, fixed-width strings: raw bytes


class RecordError(ValueError):
    """A record that cannot be read back: too deep, or not made by ``encode``."""


def encode(value, depth: int = 0):
    """``value`` as JSON-able data (see the module docstring)."""
    if depth > MAX_DEPTH:
        raise RecordError(f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return {"scalar": encode(np.asarray(value), depth + 1)}
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return {"float": value.hex()}
    if isinstance(value, complex):
        return {"complex": [value.real.hex(), value.imag.hex()]}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            return {"opaque": f"array of dtype {value.dtype}"}
        data = value.copy(order="C")  # np.ascontiguousarray would make a 0-d array 1-d
        return {"array": data.dtype.str, "shape": list(data.shape),
                "data": base64.b64encode(data.tobytes()).decode("ascii")}
    if isinstance(value, tuple):
        return {"tuple": [encode(item, depth + 1) for item in value]}
    if isinstance(value, list):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        return {"generator": value.bit_generator.state}
    if callable(value):
        return {"callable": True}
    return {"opaque": type(value).__name__}


class Unreproducible:
    """Stands for a value a record could not hold (its type name is kept)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind}: not reproducible by the re-check>"


def _generator(state) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"):
        raise RecordError(f"unknown bit generator {name!r}")
    generator = np.random.Generator(getattr(np.random, name)())
    generator.bit_generator.state = state
    return generator


def decode(data, depth: int = 0):
    """The value ``encode`` made ``data`` from; ``RecordError`` for anything else."""
    if depth > MAX_DEPTH:
        raise RecordError(f"nested deeper than {MAX_DEPTH} levels")
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, list):
        return [decode(item, depth + 1) for item in data]
    if not (isinstance(data, dict) and len(data) in (1, 3)):
        raise RecordError(f"unexpected {type(data).__name__} in a record")
    try:
        if "float" in data:
            return float.fromhex(data["float"])
        if "complex" in data:
            return complex(float.fromhex(data["complex"][0]), float.fromhex(data["complex"][1]))
        if "bytes" in data:
            return base64.b64decode(data["bytes"], validate=True)
        if "array" in data:
            dtype = np.dtype(data["array"])
            if dtype.kind not in ARRAY_KINDS:
                raise RecordError(f"array dtype {dtype} is not allowed")
            shape = tuple(int(n) for n in data["shape"])
            raw = base64.b64decode(data["data"], validate=True)
            if len(raw) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
                raise RecordError("array data does not match its shape")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if "scalar" in data:
            return decode(data["scalar"], depth + 1)[()]
        if "tuple" in data:
            return tuple(decode(item, depth + 1) for item in data["tuple"])
        if "dict" in data:
            return {_key(decode(k, depth + 1)): decode(v, depth + 1) for k, v in data["dict"]}
        if "generator" in data:
            return _generator(data["generator"])
        if "callable" in data:
            return Unreproducible("a function")
        if "opaque" in data:
            return Unreproducible(str(data["opaque"]))
    except (TypeError, ValueError, KeyError, IndexError) as error:
        if isinstance(error, RecordError):
            raise
        raise RecordError(f"malformed record entry ({type(error).__name__})") from None
    raise RecordError(f"unknown record entry {sorted(data)[:3]}")


def _key(key):
    if isinstance(key, (list, dict, np.ndarray, Unreproducible)):
        raise RecordError("a dict key in a record is not hashable")
    return key


def apply_in_place(live, after) -> None:
    """Make the mutable parts of ``live`` equal to ``after``, as the learner's call left them."""
    if isinstance(live, np.ndarray) and isinstance(after, np.ndarray):
        if live.shape == after.shape and live.flags.writeable:
            live[...] = after
    elif isinstance(live, dict) and isinstance(after, dict):
        for key in [key for key in live if key not in after]:
            del live[key]
        for key, value in after.items():
            if key in live and _mutable(live[key]):
                apply_in_place(live[key], value)
            else:
                live[key] = value
    elif isinstance(live, list) and isinstance(after, list):
        if len(live) == len(after):
            for index, value in enumerate(after):
                if _mutable(live[index]):
                    apply_in_place(live[index], value)
                else:
                    live[index] = value
        else:
            live[:] = after
    elif isinstance(live, tuple) and isinstance(after, tuple) and len(live) == len(after):
        for item, value in zip(live, after):
            apply_in_place(item, value)
    elif isinstance(live, np.random.Generator) and isinstance(after, np.random.Generator):
        live.bit_generator.state = after.bit_generator.state


def _mutable(value) -> bool:
    return isinstance(value, (np.ndarray, dict, list, tuple, np.random.Generator))
