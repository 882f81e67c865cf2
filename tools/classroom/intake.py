"""Reading a submissions folder: which file is which assignment, and which cannot be graded.

Every file is read with nbformat before grading. A notebook saved by a browser as
``01_single_neuron (1).ipynb`` is accepted as ``01_single_neuron``; any other name that is not an
assignment (``03-mlp-two-moons.ipynb``) is reported with the intended name; a file that is not a
notebook is reported as unreadable. Nothing is skipped silently: each problem is a ``Problem``,
and what in the class folder is not a student's folder (a file, a tool's folder such as
``.ipynb_checkpoints``) is a note. Every other folder is a student, whatever its name (``*``,
``--force``, ``.hidden``, spaces, newlines, any Unicode): names are data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

BROWSER_SUFFIX = re.compile(r"^(?P<stem>.+?) ?\(\d+\)$")
# Folders that tools make beside the students' (Jupyter, git, Python, macOS): not students.
TOOL_FOLDERS = frozenset({".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store",
                          "__MACOSX", ".Trash-1000"})


class SubmissionsError(ValueError):
    """The class folder or the named students cannot be graded at all (nothing is written)."""


@dataclass
class Problem:
    student: str
    notebook: str  # the assignment it concerns, or the file name when none is recognised
    message: str
    attention: bool = True


@dataclass
class Intake:
    """``files[student][assignment]`` is the notebook to grade; ``problems`` the rest;
    ``notes`` what in the class folder is not a student (one line each)."""
    files: dict[str, dict[str, Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def intended_name(stem: str, known: list[str]) -> str | None:
    """The assignment a misnamed file was probably meant to be, or None."""
    def normal(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    by_normal = {normal(name): name for name in known}
    if normal(stem) in by_normal:
        return by_normal[normal(stem)]
    close = difflib.get_close_matches(normal(stem), list(by_normal), n=1, cutoff=0.6)
    if close:
        return by_normal[close[0]]
    number = re.match(r"\d\d", stem)
    matches = [name for name in known if number and name.startswith(number.group())]
    return matches[0] if len(matches) == 1 else None


def _unreadable(path: Path) -> str | None:
    """Why nbformat cannot read ``path`` as a notebook, or None if it can."""
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # any reason at all: report it, never stop the class
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"{type(error).__name__}{': ' + reason[:160] if reason else ''}"
    return None


def read_submissions(submissions: Path, known: list[str],
                     students: list[str] | None = None) -> Intake:
    """Sort ``submissions/<student>/*.ipynb`` into gradable files and problems."""
    intake = Intake()
    folders = []
    for path in sorted(submissions.iterdir()):
        if path.is_dir() and path.name not in TOOL_FOLDERS:
            folders.append(path)
        elif not students:
            what = "a tool's folder" if path.is_dir() else "not a folder"
            intake.notes.append(f"{path.name!r} in the class folder was not graded: {what}; "
                                "each student's notebooks go in <class folder>/<student>/")
    if not folders:
        raise SubmissionsError(f"no student folders in {submissions}: expected "
                               "<folder>/<student>/<notebook>.ipynb; the reports were left as "
                               "they were.")
    unknown = [name for name in students or [] if name not in {f.name for f in folders}]
    if unknown:
        known = ", ".join(repr(f.name) for f in folders[:10]) + (
            " …" if len(folders) > 10 else "")
        raise SubmissionsError(f"--student {unknown[0]!r} has no folder in {submissions} "
                               f"(the students there: {known}); the reports were left as "
                               "they were.")
    for folder in folders:
        student = folder.name
        if students and student not in students:
            continue
        intake.files[student] = {}
        candidates: dict[str, list[Path]] = {}
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir() or path.name == "timestamp.txt":
                continue
            stem = path.stem if path.suffix == ".ipynb" else path.name
            browser = BROWSER_SUFFIX.match(stem)
            if path.suffix == ".ipynb" and stem in known:
                candidates.setdefault(stem, []).insert(0, path)
            elif path.suffix == ".ipynb" and browser and browser["stem"] in known:
                candidates.setdefault(browser["stem"], []).append(path)
            else:
                guess = intended_name(stem, known)
                hint = (f"rename it to {guess}.ipynb" if guess
                        else f"the assignments are {', '.join(known)}")
                intake.problems.append(Problem(student, guess or path.name,
                                               f"misnamed file {path.name!r}: {hint}"))
        for assignment, paths in sorted(candidates.items()):
            chosen, *others = paths
            for other in others:
                intake.problems.append(Problem(
                    student, assignment, f"{other.name!r} ignored: {chosen.name!r} is graded"))
            reason = _unreadable(chosen)
            if reason:
                intake.problems.append(Problem(
                    student, assignment, f"unreadable notebook {chosen.name!r} ({reason})"))
            else:
                intake.files[student][assignment] = chosen
    return intake
