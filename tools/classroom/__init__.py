"""Classroom tools: student versions, autograding, feedback and the self-study workbook.

All the grading is done by nbgrader itself; the score report is read from its gradebook and its
graded notebooks. Students are graded in parallel as tasks on Dask's distributed scheduler.
Run through tasks.py (``python3 tasks.py student|grade|feedback|lab``), which provides the
course environment. See ``classroom.cli`` for the commands.
"""

from classroom.course import DEFAULT_COURSE, assignments, make_student_versions
from classroom.report import Grade

__all__ = ["DEFAULT_COURSE", "Grade", "assignments", "feedback", "grade",
           "make_student_versions", "workbook"]


def __getattr__(name):  # the commands import Dask lazily, only when they are used
    if name in ("grade", "feedback", "workbook", "main"):
        from classroom import cli
        return getattr(cli, name)
    raise AttributeError(name)
