"""Notebook 11 (attention and a small transformer): what its papermill parameters may be."""

from __future__ import annotations

from course.parameters import Rule, check_parameters

RULES = (Rule("seed", minimum=0, integer=True),
         Rule("live_updates", minimum=0, maximum=30, integer=True),  # about 0.2 CPU s each
         Rule("temperature", minimum=0, maximum=5))  # 0 means always the likeliest


def check(namespace) -> dict:
    """Check notebook 11's parameters in ``namespace`` (its ``globals()``); see
    ``course.parameters.check_parameters``."""
    return check_parameters(namespace, RULES)
