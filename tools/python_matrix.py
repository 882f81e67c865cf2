"""The course on every Python this machine has: the same headlines on each supported one.

Run through ``python3 tasks.py pythons [X.Y ...] [--keep]``. For each Python 3 found (``python3.Y``
on PATH, ``/usr/bin``, ``/usr/local/bin`` and pyenv's versions), the repository's files (tracked
and new, as ``git ls-files`` lists them) are copied to ``build/pythons/X.Y/`` and
``pythonX.Y tasks.py course`` runs there from nothing, creating its own ``.venv``. A supported
Python passes when every notebook's headline equals the committed notebook's; an unsupported one
passes when ``tasks.py`` refuses it at once in one line, before creating ``.venv``. Slow (a venv
and the whole course per Python), so CI does not run it: docs/setup.md records the last result.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

import course_env
from notebook_run import BUILD, NOTEBOOKS, ROOT, headline

# Variables of this run that must not leak into a fresh run of the copy.
PRIVATE = ("VIRTUAL_ENV", "IPYTHONDIR", "NN_FROM_SCRATCH_ENV_CHECKED", "PYTHONPATH",
           "JUPYTER_PREFER_ENV_PATH")


def find_pythons() -> dict[str, str]:
    """``{"3.Y": executable}`` for every working Python 3 interpreter found, one per version."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(glob.glob(str(pyenv / "3.*" / "bin" / "python3")))
    for minor in range(6, 20):
        for folder in ("/usr/bin", "/usr/local/bin"):
            candidates.append(f"{folder}/python3.{minor}")
        found = shutil.which(f"python3.{minor}")
        if found:
            candidates.append(found)
    pythons: dict[str, str] = {}
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        try:  # a pyenv shim for a version that is not selected fails here
            version = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version.startswith("3.") and version not in pythons:
            pythons[version] = candidate
    return dict(sorted(pythons.items(), key=lambda item: tuple(map(int, item[0].split(".")))))


def copy_repository(target: Path) -> None:
    """The files a fresh clone would have (plus new, not yet committed ones) into ``target``."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    if target.exists():
        shutil.rmtree(target)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def committed_headlines() -> dict[str, str]:
    return {path.stem: headline(nbformat.read(path, as_version=4))
            for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def check_refusal(python: str, copy: Path) -> tuple[bool, str]:
    """An unsupported Python: tasks.py must refuse in one line and create nothing."""
    env = {key: value for key, value in os.environ.items() if key not in PRIVATE}
    result = subprocess.run([python, "tasks.py", "course"], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=120)
    lines = result.stderr.strip().splitlines()
    ok = (result.returncode != 0 and len(lines) == 1 and "needs Python" in lines[0]
          and not (copy / ".venv").exists())
    return ok, lines[-1] if lines else f"(no message, exit {result.returncode})"


def check_course(python: str, copy: Path, expected: dict[str, str]) -> tuple[bool, str]:
    """A supported Python: ``tasks.py course`` from nothing, then the headlines compared."""
    env = {key: value for key, value in os.environ.items() if key not in PRIVATE}
    log = copy.parent / f"{copy.name}.log"
    with open(log, "w") as out:
        code = subprocess.run([python, "tasks.py", "course"], cwd=copy, env=env, stdout=out,
                              stderr=subprocess.STDOUT).returncode
    differ = []
    for stem, wanted in expected.items():
        executed = copy / "build" / "notebooks" / f"{stem}.ipynb"
        got = headline(nbformat.read(executed, as_version=4)) if executed.exists() else None
        if got != wanted:
            differ.append(f"{stem}: {got!r} (committed: {wanted!r})")
    if code != 0 or differ:
        return False, (f"exit {code}; " if code else "") + f"{len(differ)} headlines differ: " \
            + "; ".join(differ[:3]) + f" (log: {log.relative_to(ROOT)})"
    return True, f"all {len(expected)} headlines equal the committed ones"


def main(versions: list[str], keep: bool = False) -> int:
    pythons = find_pythons()
    unknown = sorted(set(versions) - set(pythons))
    if unknown:
        print(f"No Python {', '.join(unknown)} on this machine; found: {', '.join(pythons)}",
              file=sys.stderr)
        return 2
    expected = committed_headlines()
    folder = BUILD / "pythons"
    rows = []
    for version, python in pythons.items():
        if versions and version not in versions:
            continue
        major_minor = tuple(int(part) for part in version.split("."))
        supported = course_env.python_refusal(major_minor + (0,)) is None
        copy = folder / version
        print(f"\n== Python {version} ({python}): "
              f"{'the course from nothing' if supported else 'must be refused'} ==", flush=True)
        copy_repository(copy)
        start = time.perf_counter()
        check = check_course if supported else check_refusal
        ok, detail = (check(python, copy, expected) if supported else check(python, copy))
        rows.append((version, supported, ok, time.perf_counter() - start, detail))
        print(f"   {'ok' if ok else 'FAILED'}: {detail}", flush=True)
        if not keep:
            shutil.rmtree(copy, ignore_errors=True)
    print(f"\nPythons on this machine, {time.strftime('%Y-%m-%d')}:")
    for version, supported, ok, seconds, detail in rows:
        kind = "supported" if supported else "refused  "
        print(f"  {version:<5} {kind} {'ok    ' if ok else 'FAILED'} {seconds:6.0f} s  {detail}")
    return 0 if rows and all(row[2] for row in rows) else 1
