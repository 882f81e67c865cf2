"""The notebook/library pairs of every chapter, one module per chapter stem (see
tests/test_notebook_twins.py)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import NamedTuple


class Twin(NamedTuple):
    notebook: str           # "03"
    name: str               # the function's name in the notebook and in the library
    twin: str               # dotted path of the library's function
    make_inputs: Callable   # rng -> (args, kwargs)


def _collect() -> list[Twin]:
    cases = []
    for module in pkgutil.iter_modules(__path__):
        cases.extend(importlib.import_module(f"{__name__}.{module.name}").CASES)
    return cases


ALL_CASES = _collect()
