"""The course's Python environment in ``.venv``: the supported Pythons, set-up, proof, repair.

Standard library only: ``tasks.py`` imports this module with the system's ``python3`` before
``.venv`` exists. It deliberately leaves out running anything inside the environment (that is
``tasks.py``'s and ``notebook_run``'s job).

Written so that Python 3.6 and newer can import it and read the refusal of an old Python.

The environment is ready when three things hold: ``.venv``'s Python is the version running
``tasks.py``, the stamp equals the fingerprint of the dependency files, and the course's key
packages work in ``.venv`` (one subprocess: every file pip recorded for them exists, and the
light ones import). Whatever fails is repaired: a broken package is reinstalled, and if that
does not help (or ``.venv`` cannot run pip, or was made by another Python) the environment is
rebuilt from scratch.
"""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

# Measured on 2026-12-07 (docs/setup.md): 3.11, 3.12 and 3.13 print the committed headlines;
# 3.10 cannot install the pinned NumPy (>= 2.4 needs 3.11).
MINIMUM_PYTHON = (3, 11)
TESTED_PYTHONS = ("3.11", "3.12", "3.13")
ENV_INPUTS = ("requirements.txt", "constraints.txt", "pyproject.toml")
# Module -> distribution: the packages every task needs. Every file that pip recorded for them
# must be there, and the light ones are imported too; importing papermill, nbgrader and
# JupyterLab as well would cost seconds of CPU on every task.
KEY_PACKAGES = {"numpy": "numpy", "matplotlib": "matplotlib", "ipywidgets": "ipywidgets",
                "ipykernel": "ipykernel", "nbval": "nbval", "papermill": "papermill",
                "nbgrader": "nbgrader", "jupyterlab": "jupyterlab"}
IMPORTED = ("numpy", "matplotlib", "ipywidgets", "ipykernel", "nbval")
PROBE = """
import importlib, importlib.metadata, json, sys
packages, imported = json.loads(sys.argv[1]), json.loads(sys.argv[2])
broken = {}
for name, distribution in packages.items():
    try:
        files = importlib.metadata.distribution(distribution).files or []
        missing = [str(f) for f in files if f.suffix != ".pyc" and not f.locate().exists()]
        if missing:
            raise FileNotFoundError(f"{len(missing)} installed file(s) missing, e.g. {missing[0]}")
        if name in imported:
            module = importlib.import_module(name)
            if getattr(module, "__file__", None) is None:  # a folder without its __init__.py
                raise ImportError(f"{name} is an empty namespace (its __init__.py is missing)")
    except Exception as error:
        broken[name] = f"{type(error).__name__}: {error}".splitlines()[0]
print(json.dumps(broken))
"""


def python_refusal(version_info=sys.version_info,
                   executable: str = sys.executable) -> "str | None":
    """The one-sentence refusal for an unsupported Python, or ``None`` for a supported one."""
    if tuple(version_info[:2]) >= MINIMUM_PYTHON:
        return None
    low = ".".join(map(str, MINIMUM_PYTHON))
    running = ".".join(map(str, version_info[:3]))
    return (f"nn-from-scratch needs Python {low} or newer (tested on "
            f"{', '.join(TESTED_PYTHONS)}) but {executable} is Python {running}: install one "
            f"(apt-get install python3.{MINIMUM_PYTHON[1]}, pyenv install "
            f"{low}, or python.org) and run it, e.g. python{low} tasks.py course")


def untested_notice(version_info=sys.version_info) -> "str | None":
    minor = f"{version_info[0]}.{version_info[1]}"
    if python_refusal(version_info) is None and minor not in TESTED_PYTHONS:
        return (f"Note: Python {minor} is newer than the versions the course was tested on "
                f"({', '.join(TESTED_PYTHONS)}); if something fails, try one of those.")
    return None


class Environment:
    """The ``.venv`` of the repository at ``root``."""

    def __init__(self, root: Path,
                 python: str = getattr(sys, "_base_executable", sys.executable)):
        self.root = Path(root)
        self.venv = self.root / ".venv"
        self.python = self.venv / "bin" / "python"
        self.stamp = self.venv / ".course-env-stamp"
        self.base_python = python  # the Python that creates .venv (never .venv's own)

    # -- small pieces -------------------------------------------------------------------------

    def run(self, command: "list[str]", check: bool = True) -> int:
        print("+ " + " ".join(str(part) for part in command), flush=True)
        code = subprocess.run(command, cwd=self.root).returncode
        if check and code != 0:
            sys.exit(f"Setting up .venv failed: `{' '.join(map(str, command))}` exited with "
                     f"{code} (see above); fix that, or delete .venv and run the task again.")
        return code

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for name in ENV_INPUTS:
            digest.update((self.root / name).read_bytes())
        digest.update(sys.version.encode())
        return digest.hexdigest()

    def stamp_matches(self, fingerprint: str) -> bool:
        return (self.python.exists() and self.stamp.exists()
                and self.stamp.read_text() == fingerprint)

    def venv_python_version(self) -> "str | None":
        """``major.minor`` of the Python that made .venv, from its pyvenv.cfg."""
        config = self.venv / "pyvenv.cfg"
        if not config.exists():
            return None
        for line in config.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                return ".".join(value.strip().split(".")[:2])
        return None

    def pip_works(self) -> bool:
        # An interrupted first run can leave a .venv without pip (or without a working Python).
        if not self.python.exists():
            return False
        probe = subprocess.run([str(self.python), "-c", "import pip"], capture_output=True)
        return probe.returncode == 0

    def broken_packages(self) -> "dict[str, str] | None":
        """``{module: error}`` for the key packages that are broken in .venv (``{}``: none);
        ``None`` if .venv's Python itself does not run."""
        try:
            probe = subprocess.run([str(self.python), "-c", PROBE, json.dumps(KEY_PACKAGES),
                                    json.dumps(IMPORTED)],
                                   capture_output=True, text=True, timeout=300)
            return json.loads(probe.stdout.strip().splitlines()[-1])
        except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
            return None

    def remove(self, reason: str) -> None:
        print(f".venv/ {reason}: rebuilding it", flush=True)
        if self.venv.is_symlink():
            self.venv.unlink()
        else:
            shutil.rmtree(self.venv)

    def create(self) -> None:
        if self.run([self.base_python, "-m", "venv", str(self.venv)], check=False) == 0:
            return
        # Debian-style Pythons without ensurepip: fall back to virtualenv from PyPI.
        print("python3 -m venv failed; trying virtualenv instead", flush=True)
        self.run([self.base_python, "-m", "pip", "install", "--user", "--quiet", "virtualenv"])
        self.run([self.base_python, "-m", "virtualenv", str(self.venv)])

    def pip(self) -> "list[str]":
        return [str(self.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

    # -- the whole job ------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create, update or repair .venv until it matches the dependency files and works.

        Safe to interrupt and to run twice at once: a lock file serialises set-ups, and the
        stamp is written only after everything installed and the key packages passed the probe.
        """
        fingerprint = self.fingerprint()
        if self.stamp_matches(fingerprint) and self.broken_packages() == {}:
            return
        import fcntl

        with open(self.root / ".venv.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a second first run waits here for the first
            if self.stamp_matches(fingerprint):
                broken = self.broken_packages()
                if broken == {}:
                    return
                if broken and self.repair(broken):
                    return
                self.remove("cannot run its Python" if broken is None else "is still broken")
            self.set_up(fingerprint)

    def repair(self, broken: "dict[str, str]") -> bool:
        """Reinstall the distributions of ``broken`` modules; True if they import again."""
        name, error = next(iter(broken.items()))
        print(f".venv/ is damaged: {', '.join(broken)} is broken ({name}: {error}); "
              "reinstalling", flush=True)
        self.run(self.pip() + ["--force-reinstall", "--no-deps", "-c", "constraints.txt",
                               *sorted({KEY_PACKAGES[module] for module in broken})], check=False)
        return self.broken_packages() == {}

    def set_up(self, fingerprint: str) -> None:
        print("Setting up the course environment in .venv/ (a few minutes the first time)",
              flush=True)
        running = f"{sys.version_info[0]}.{sys.version_info[1]}"
        if self.venv.exists() and self.venv_python_version() not in (None, running):
            self.remove(f"was made by Python {self.venv_python_version()}, this is {running}")
        elif self.venv.exists() and not self.pip_works():
            self.remove("is incomplete (an interrupted set-up?)")
        if not self.python.exists():
            self.create()
        self.run(self.pip() + ["--upgrade", "pip"])
        self.run(self.pip() + ["-r", "requirements.txt", "-c", "constraints.txt"])
        # The kernel named python3 must be this environment's Python, for papermill and Lab.
        self.run([str(self.python), "-m", "ipykernel", "install", "--sys-prefix", "--name",
                  "python3", "--display-name", "Python 3 (nn-from-scratch)"])
        # Build matplotlib's font cache now: the first import prints a notice to stderr, which
        # nbval would compare against the committed (silent) output.
        self.run([str(self.python), "-c", "import matplotlib.pyplot"])
        broken = self.broken_packages()
        if broken != {}:
            sys.exit(f"Setting up .venv finished but {', '.join(broken or ['its Python'])} "
                     "is still broken; delete .venv and run the task again.")
        self.stamp.write_text(fingerprint)
