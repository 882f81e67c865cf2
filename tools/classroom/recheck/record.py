"""Kernel side: run a check with the learner's functions wrapped, and record every call.

A graded cell's hidden block (as the grader prepares it) calls
``record(grade_id, index, check, *functions, **options)``: it runs ``check(*functions,
**options)`` as the cell would, with each function wrapped so that every call's arguments (before
and after the call: checks look at in-place changes), result or exception are written to
``$CLASSROOM_RECORD_DIR/<grade_id>.<index>.json``. Without that variable (a notebook run by hand)
it only runs the check.

Nothing here is trusted: an answer cell can replace this module or write the files itself. The
re-check (``replay``) trusts only what it computes from the genuine checks; a record can only
supply the learner's answers, and they must be right for the genuine inputs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from .codec import encode

ENVIRONMENT_VARIABLE = "CLASSROOM_RECORD_DIR"
MAX_CALLS = 10_000  # far above any check's; a runaway loop stops recording, not grading


def record_path(folder: Path, grade_id: str, index: int) -> Path:
    """Where the record of ``grade_id``'s ``index``-th check call is kept in ``folder``."""
    return Path(folder) / f"{re.sub(r'[^A-Za-z0-9_-]', '_', grade_id)}.{int(index)}.json"


def record(grade_id: str, index: int, check, *functions, **options):
    """Run ``check(*functions, **options)`` recording each call of each of ``functions``."""
    folder = os.environ.get(ENVIRONMENT_VARIABLE)
    if not folder:
        return check(*functions, **options)
    calls: list[dict] = []

    def wrap(slot: int, function):
        def recorded(*args, **kwargs):
            entry = {"slot": slot, "args": encode(list(args)), "kwargs": encode(kwargs)}
            if len(calls) < MAX_CALLS:
                calls.append(entry)
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                entry["raised"] = f"{type(error).__name__}: {error}"
                entry["after"] = encode(list(args))
                raise
            entry["result"] = encode(result)
            entry["after"] = encode(list(args))
            return result
        recorded.__name__ = getattr(function, "__name__", "function")
        recorded.__wrapped__ = function
        return recorded

    wrapped = [wrap(slot, f) if callable(f) else f for slot, f in enumerate(functions)]
    seeds: list[int] = []
    common = sys.modules.get("course.checks.common")  # where the checks draw their seeds
    if common is not None:
        common.SEED_LOG = seeds  # the check's random inputs are drawn again from these seeds
    try:
        return check(*wrapped, **options)
    finally:
        if common is not None:
            common.SEED_LOG = None
        path = record_path(Path(folder), grade_id, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"grade_id": grade_id, "index": index, "calls": calls,
                                    "seeds": seeds}))

