"""Former name of ``nnlib.checks.rnn`` (one module stem per chapter); kept only until
``nnlib/checks/__init__.py`` imports from ``nnlib.checks.rnn``. Delete it then."""

from nnlib.checks.rnn import check_bptt, check_step_backward

__all__ = ["check_bptt", "check_step_backward"]
