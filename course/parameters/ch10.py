"""Notebook 10 (character language models): what its papermill parameters may be."""

from __future__ import annotations

from course.parameters import Rule, check_parameters

RULES = (Rule("seed", minimum=0, integer=True),
         Rule("live_updates", minimum=1, maximum=200, integer=True),
         Rule("truncate", minimum=1, maximum=128, integer=True),  # 128 is the whole window
         Rule("temperature", minimum=0, maximum=3))  # 0 is greedy


def check(namespace) -> dict:
    """Check notebook 10's parameters in ``namespace`` (its ``globals()``); see
    ``course.parameters.check_parameters``."""
    return check_parameters(namespace, RULES)
