"""The two tests every chapter's self-checks share, made from that chapter's table of cases.

A chapter's ``tests/test_checks_<stem>.py`` lists ``CASES = [(check, right, [(wrong, message),
...]), ...]`` and gets both tests with::

    test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)
"""

import pytest

from course.checks import CheckFailed


def _case_id(value) -> str:
    return value if isinstance(value, str) else getattr(value, "__name__", "")


def self_check_tests(cases, unpack: bool = False):
    """Both tests for ``cases``. With ``unpack``, ``right`` and each ``wrong`` are tuples of the
    check's arguments (``check(*right)``); otherwise they are the learner's answer
    (``check(right)``)."""

    def call(check, answer, **options):
        return check(*answer, **options) if unpack else check(answer, **options)

    @pytest.mark.parametrize("check, right", [(check, right) for check, right, _ in cases],
                             ids=_case_id)
    def test_a_right_answer_passes(check, right, capsys):
        call(check, right)
        call(check, right, hidden=True)
        out = capsys.readouterr().out
        assert "public checks passed" in out and "hidden checks passed" in out

    @pytest.mark.parametrize("check, wrong, message",
                             [(check, wrong, message) for check, _, mistakes in cases
                              for wrong, message in mistakes], ids=_case_id)
    def test_each_typical_mistake_is_named(check, wrong, message):
        with pytest.raises(CheckFailed, match=message):
            call(check, wrong)

    return test_a_right_answer_passes, test_each_typical_mistake_is_named
