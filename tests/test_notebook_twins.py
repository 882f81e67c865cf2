"""Notebook code = library code: every function a notebook defines that the library also has
(same name) runs side by side with its library twin on random inputs, and they agree.

Each chapter lists its pairs in ``tests/twin_cases/<stem>.py`` as ``CASES``: a list of
``Twin(notebook, name, twin, make_inputs)`` where ``twin`` is the library function's dotted path
and ``make_inputs(rng)`` returns ``(args, kwargs)``. The test requires

- the notebook to still define ``name`` (a rename in the notebook fails here),
- the same parameter names, in the same order, as the library's function,
- equal outputs (arrays compared to 1e-10, tuples and dicts element by element) on three
  random draws;

and every function a notebook defines under the name of a public library function to have a
case (so a new twin cannot go unchecked).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import nnlib
from notebook_code import NOTEBOOKS, defined_functions, notebook_definitions, notebook_path
from twin_cases import ALL_CASES, Twin


def _resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _library_names() -> set[str]:
    names = set()
    for module in pkgutil.walk_packages(nnlib.__path__, "nnlib."):
        loaded = importlib.import_module(module.name)
        names.update(name for name, value in vars(loaded).items()
                     if not name.startswith("_") and (inspect.isfunction(value)
                                                     or inspect.isclass(value))
                     and getattr(value, "__module__", "").startswith("nnlib"))
    return names


def assert_same(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (tuple, list)) and not isinstance(theirs, str):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(theirs, (np.ndarray, float, int, np.generic)):
        np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                                   rtol=1e-10, atol=1e-12, err_msg=where)
    elif hasattr(theirs, "_fields") or hasattr(theirs, "__dataclass_fields__"):
        fields = getattr(theirs, "_fields", None) or list(theirs.__dataclass_fields__)
        for field in fields:
            assert_same(getattr(ours, field), getattr(theirs, field), f"{where}.{field}")
    else:
        assert ours == theirs, where


def _case_id(case: Twin) -> str:
    return f"{case.notebook}:{case.name}"


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_notebook_definition_matches_its_library_twin(case):
    definitions = notebook_definitions(case.notebook)
    assert case.name in definitions, (
        f"notebook {notebook_path(case.notebook).name} no longer defines {case.name}; "
        f"the library calls it {case.twin}: keep the names equal")
    ours, theirs = definitions[case.name], _resolve(case.twin)
    assert list(inspect.signature(ours).parameters) == \
        list(inspect.signature(theirs).parameters), (
        f"{case.name} in notebook {case.notebook} takes "
        f"{list(inspect.signature(ours).parameters)}, {case.twin} takes "
        f"{list(inspect.signature(theirs).parameters)}")
    for seed in range(3):
        args, kwargs = case.make_inputs(np.random.default_rng(seed))
        copies = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
        assert_same(ours(*args, **kwargs), theirs(*copies, **kwargs),
                    f"{case.name} (seed {seed})")


NOTEBOOK_STEMS = sorted(path.name[:2] for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("stem", NOTEBOOK_STEMS)
def test_every_library_name_a_notebook_defines_has_a_case(stem):
    shared = defined_functions(stem) & _library_names()
    covered = {case.name for case in ALL_CASES if case.notebook == stem}
    missing = sorted(shared - covered)
    assert not missing, (f"notebook {stem} defines {missing} under library names: add them to "
                         f"tests/twin_cases/ with inputs, or rename them if they differ on purpose")
