#!/usr/bin/env python3
"""The course's task runner: one file, standard library only, so a fresh machine needs nothing
but python3 and pip.

    python3 tasks.py course        run every notebook headlessly into build/ and summarise
    python3 tasks.py test          unit tests + nbval (full mode) over every notebook
    python3 tasks.py lab           open JupyterLab on your workbook (student versions with
                                   self-checks, in workbook/: made once, never overwritten)
    python3 tasks.py lab --solutions  open JupyterLab on the solution notebooks instead
    python3 tasks.py refresh [NB]  re-execute notebooks in place: the only way outputs change
    python3 tasks.py determinism   nbval under several BLAS thread counts and CPU kernels
                                   (--full: threads 1,2 x kernels default,Haswell,Sandybridge x 3)
    python3 tasks.py benchmark [NAME]  run benchmarks/NAME.py (all by default), peers included
    python3 tasks.py parameters [NB]  papermill runs with edge and invalid values of every parameter
    python3 tasks.py sweep NB --grid NAME=V1,V2 ...  rerun a notebook over a parameter grid
    python3 tasks.py offline       run the course with networking cut off (unshare -n, as root)
    python3 tasks.py student [NB]  make the student versions (nbgrader) in build/classroom/release
    python3 tasks.py grade FOLDER  autograde FOLDER/<student>/<notebook>.ipynb on Dask, write a
                                   report (--student NAME, --assignment NB, --scheduler ADDRESS)
    python3 tasks.py feedback      HTML feedback per student and notebook (nbgrader)

Every task first makes sure the environment in .venv exists and matches requirements.txt and
constraints.txt (it is created or updated when missing or stale), then runs inside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
ENV_INPUTS = ("requirements.txt", "constraints.txt", "pyproject.toml")
STAMP = VENV / ".course-env-stamp"

# One BLAS thread wherever notebooks execute: timings stay stable on a 2-core machine, and the
# determinism task proves the outputs do not depend on it.
EXECUTION_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # Use the kernel spec installed in .venv, not one from the user's home.
    "JUPYTER_PREFER_ENV_PATH": "1",
    # Silences debugpy's frozen-modules warning in kernels (stderr is compared by nbval).
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    # Kernels read build/ipython/profile_default/ipython_kernel_config.py (see
    # _prepare_ipython_dir): it drops the kernel's "running over TCP without encryption" notice,
    # which every local run would otherwise print on the terminal.
    "IPYTHONDIR": str(BUILD / "ipython"),
}

KERNEL_CONFIG = '''# Written by tasks.py. The course's kernels talk to papermill and nbval over loopback only.
import logging


class _DropUnencryptedTcpNotice(logging.Filter):
    def filter(self, record):
        return "without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_DropUnencryptedTcpNotice())
'''


def _prepare_ipython_dir() -> None:
    config = BUILD / "ipython" / "profile_default" / "ipython_kernel_config.py"
    if not config.exists() or config.read_text() != KERNEL_CONFIG:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(KERNEL_CONFIG)


def _env_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ENV_INPUTS:
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+ " + " ".join(str(part) for part in command), flush=True)
    completed = subprocess.run(command, cwd=ROOT, env=env)
    if check and completed.returncode != 0:
        sys.exit(completed.returncode)
    return completed.returncode


def _create_venv() -> None:
    if _run([sys.executable, "-m", "venv", str(VENV)], check=False) == 0:
        return
    # Debian-style Pythons without ensurepip: fall back to virtualenv from PyPI.
    print("python3 -m venv failed; trying virtualenv instead", flush=True)
    _run([sys.executable, "-m", "pip", "install", "--user", "--quiet", "virtualenv"])
    _run([sys.executable, "-m", "virtualenv", str(VENV)])


def _venv_works() -> bool:
    # An interrupted first run can leave a .venv without pip (or without a working Python).
    if not VENV_PYTHON.exists():
        return False
    probe = subprocess.run([str(VENV_PYTHON), "-c", "import pip"], capture_output=True)
    return probe.returncode == 0


def ensure_environment() -> None:
    """Create or update .venv so that it matches the dependency files.

    Safe to interrupt and to run twice at once: a lock file serialises set-ups, the stamp is
    written only after everything installed, and a .venv that cannot run pip is rebuilt.
    """
    fingerprint = _env_fingerprint()
    if VENV_PYTHON.exists() and STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    import fcntl

    with open(ROOT / ".venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second first run waits here for the first
        if VENV_PYTHON.exists() and STAMP.exists() and STAMP.read_text() == fingerprint:
            return
        _set_up_environment(fingerprint)


def _set_up_environment(fingerprint: str) -> None:
    print(f"Setting up the course environment in {VENV.relative_to(ROOT)}/ "
          "(a few minutes the first time)", flush=True)
    if VENV.exists() and not _venv_works():
        print(f"{VENV.relative_to(ROOT)}/ is incomplete (an interrupted set-up?): rebuilding it",
              flush=True)
        if VENV.is_symlink():
            VENV.unlink()
        else:
            shutil.rmtree(VENV)
    if not VENV_PYTHON.exists():
        _create_venv()
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run(pip + ["--upgrade", "pip"])
    _run(pip + ["-r", "requirements.txt", "-c", "constraints.txt"])
    # The kernel named python3 must be this environment's Python, for papermill and JupyterLab.
    _run([str(VENV_PYTHON), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
          "--display-name", "Python 3 (nn-from-scratch)"])
    # Build matplotlib's font cache now: the first import prints a notice to stderr, which
    # nbval would compare against the committed (silent) output.
    _run([str(VENV_PYTHON), "-c", "import matplotlib.pyplot"])
    STAMP.write_text(fingerprint)


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def notebook_paths(names: list[str] | None = None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        wanted = {Path(name).stem for name in names}
        unknown = wanted - {path.stem for path in paths}
        if unknown:
            sys.exit(f"No such notebook: {', '.join(sorted(unknown))}. "
                     f"Choose from: {', '.join(path.stem for path in paths)}")
        paths = [path for path in paths if path.stem in wanted]
    return paths


def execute_notebook(source: Path, target: Path, parameters: dict | None = None):
    """Execute ``source`` with papermill into ``target``, in the notebooks folder, like nbval."""
    import papermill

    os.environ.update(EXECUTION_ENV)
    _prepare_ipython_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    return papermill.execute_notebook(
        str(source), str(target), parameters=parameters or {}, kernel_name="python3",
        cwd=str(NOTEBOOKS), progress_bar=False, log_output=False)


def headline(notebook) -> str:
    """The text printed by the notebook's cell tagged ``headline``."""
    for cell in notebook.cells:
        if "headline" in cell.get("metadata", {}).get("tags", []):
            texts = [out.get("text", "") for out in cell.get("outputs", [])
                     if out.get("output_type") == "stream"]
            return "".join(texts).strip()
    return "(no cell tagged 'headline')"


def clean_metadata(notebook) -> None:
    """Drop run-specific metadata (timestamps, durations, paths) that papermill records, and
    join consecutive stream outputs, which the kernel splits at timing-dependent points."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        joined = []
        for output in cell.outputs:
            if (joined and output.output_type == "stream" and joined[-1].output_type == "stream"
                    and joined[-1].name == output.name):
                joined[-1].text += output.text
            else:
                joined.append(output)
        cell.outputs = joined


def task_course(args: list[str]) -> None:
    import nbformat

    failures = 0
    print(f"Executing notebooks into {BUILD.relative_to(ROOT)}/notebooks/", flush=True)
    for path in notebook_paths(args):
        start = time.perf_counter()
        target = BUILD / "notebooks" / path.name
        try:
            execute_notebook(path, target)
        except Exception as error:  # report and go on: one broken notebook must not hide the rest
            failures += 1
            print(f"{path.stem:<20} FAILED: {str(error).strip().splitlines()[-1]}", flush=True)
            continue
        seconds = time.perf_counter() - start
        print(f"{path.stem:<20} {headline(nbformat.read(target, as_version=4))}"
              f"   ({seconds:.0f} s)", flush=True)
    if failures:
        sys.exit(f"{failures} notebook(s) failed; the executed copies in build/ show where.")


def task_refresh(args: list[str]) -> None:
    import nbformat

    for path in notebook_paths(args):
        target = BUILD / "refresh" / path.name
        print(f"refreshing {path.name}", flush=True)
        execute_notebook(path, target)
        notebook = nbformat.read(target, as_version=4)
        clean_metadata(notebook)
        nbformat.write(notebook, path)
        print(f"  {headline(notebook)}", flush=True)


def nbval_command(paths: list[Path]) -> list[str]:
    return [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", str(SANITIZE.relative_to(ROOT)), "-p", "no:cacheprovider",
            *[str(path.relative_to(ROOT)) for path in paths]]


def task_test(args: list[str]) -> None:
    os.environ.update(EXECUTION_ENV)
    _prepare_ipython_dir()
    # One pytest run: the unit tests and every notebook compared cell by cell, test files
    # spread over the cores (a notebook's cells stay together in one kernel: --dist loadfile).
    command = nbval_command(notebook_paths())
    # --durations: the slowest tests are listed at the end, to keep the suite's time honest.
    command[command.index("-p"):command.index("-p")] = ["tests", "-n", "auto",
                                                        "--dist", "loadfile", "--durations=15"]
    sys.exit(_run(command + args, env=os.environ.copy(), check=False))


DETERMINISM_SETTINGS = [
    {"OPENBLAS_NUM_THREADS": "1"},
    {"OPENBLAS_NUM_THREADS": "2"},
    {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"},
]
# The full matrix: both thread counts under the default kernel and two forced CPU kernels.
DETERMINISM_MATRIX = [
    {"OPENBLAS_NUM_THREADS": threads, **({"OPENBLAS_CORETYPE": core} if core else {})}
    for threads in ("1", "2") for core in (None, "Haswell", "Sandybridge")
]


def task_determinism(args: list[str]) -> None:
    """nbval under several BLAS settings; ``--full`` runs the whole matrix ``--repeat`` times."""
    import xml.etree.ElementTree as ElementTree

    full = "--full" in args
    repeat = 3 if full else 1
    if "--repeat" in args:
        where = args.index("--repeat")
        value = args[where + 1] if where + 1 < len(args) else ""
        if not value.isdigit() or int(value) < 1:
            sys.exit(f"--repeat needs a whole number of runs >= 1, got {value or 'nothing'!r}; "
                     f"e.g. python3 tasks.py determinism --repeat 3")
        repeat = int(value)
        args = args[:where] + args[where + 2:]
    unknown = [arg for arg in args if arg.startswith("--") and arg != "--full"]
    if unknown:
        sys.exit(f"determinism does not know {' '.join(unknown)}; it takes --full, "
                 f"--repeat N and notebook names.")
    names = [arg for arg in args if not arg.startswith("--")]
    notebook_paths(names)  # an unknown notebook name stops here, before any run
    _prepare_ipython_dir()
    settings = DETERMINISM_MATRIX if full else DETERMINISM_SETTINGS
    results = []  # (label, run, cells compared, failing cell ids)
    for setting in settings:
        env = {**os.environ, **EXECUTION_ENV, **setting}
        label = " ".join(f"{key}={value}" for key, value in setting.items())
        for run in range(1, repeat + 1):
            print(f"\n== nbval with {label} (run {run}/{repeat}) ==", flush=True)
            report = BUILD / "determinism" / f"run-{len(results)}.xml"
            report.parent.mkdir(parents=True, exist_ok=True)
            _run(nbval_command(notebook_paths(names)) + ["-q", f"--junitxml={report}"],
                 env=env, check=False)
            cases = ElementTree.parse(report).getroot().iter("testcase")
            compared, failing = 0, []
            for case in cases:
                compared += 1
                if case.find("failure") is not None or case.find("error") is not None:
                    failing.append(f"{case.get('classname')}::{case.get('name')}")
            results.append((label, run, compared, failing))
    print("\nDeterminism report")
    for label, run, compared, failing in results:
        status = "identical" if not failing else f"{len(failing)} cells differ: {failing[:3]}"
        print(f"  {label:<50} run {run}: {compared} cells compared, {status}")
    flaky = sum(bool(failing) for *_, failing in results)
    print(f"{len(results)} nbval runs, {flaky} with differences (flakes).")
    sys.exit(1 if flaky else 0)


# Optional peers for the benchmarks, installed into .venv on demand, never required by the course.
# torch==2.13.0 is the CPU build available on these machines; plain "torch" would fetch CUDA.
BENCHMARK_EXTRAS = ["torch==2.13.0", "scikit-learn"]


def task_benchmark(args: list[str]) -> None:
    import importlib.util

    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    unknown = sorted(set(args) - {path.stem for path in scripts})
    if unknown:  # before installing anything
        sys.exit(f"No such benchmark: {' '.join(unknown)}. Choose from: "
                 f"{', '.join(path.stem for path in scripts)}")
    if args:
        scripts = [path for path in scripts if path.stem in args]
    missing = [spec for spec in BENCHMARK_EXTRAS
               if importlib.util.find_spec(spec.split("==")[0].replace("scikit-learn", "sklearn"))
               is None]
    if missing:
        _run([sys.executable, "-m", "pip", "install", "--quiet", *missing])
    env = {**os.environ, **EXECUTION_ENV}
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        _run([sys.executable, str(script)], env=env)


def task_lab(args: list[str]) -> None:
    """JupyterLab on the learner's workbook, or with ``--solutions`` on the course notebooks."""
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"
    root = NOTEBOOKS
    if "--solutions" in args:
        args = [arg for arg in args if arg != "--solutions"]
    else:
        root = ROOT / "workbook"
        _run([sys.executable, str(ROOT / "tools" / "classroom"), "workbook", str(root)])
    os.execv(sys.executable, [sys.executable, "-m", "jupyter", "lab",
                              f"--ServerApp.root_dir={root}", *args])


def task_parameters(args: list[str]) -> None:
    os.environ.update(EXECUTION_ENV)
    sys.exit(_run([sys.executable, str(ROOT / "tools" / "parameter_matrix.py"), *args],
                  check=False))


def task_offline(args: list[str]) -> None:
    """The course, executed in a network namespace with only loopback (kernels talk over it)."""
    import shutil

    if shutil.which("unshare") is None or shutil.which("ip") is None:
        sys.exit("offline needs unshare (util-linux) and ip (iproute2).")
    inner = (f"ip link set lo up && {sys.executable} {Path(__file__).resolve()} course "
             + " ".join(args))
    code = _run(["unshare", "--net", "sh", "-c", inner], check=False)
    if code != 0:
        sys.exit(f"offline run failed (exit {code}); unshare --net needs root or user "
                 "namespaces.")
    print("The whole course ran with no network but loopback.")


def task_sweep(args: list[str]) -> None:
    os.environ.update(EXECUTION_ENV)
    sys.exit(_run([sys.executable, str(ROOT / "tools" / "sweep.py"), *args], check=False))


def task_classroom(command: str):
    def task(args: list[str]) -> None:
        os.environ.update(EXECUTION_ENV)
        sys.exit(_run([sys.executable, str(ROOT / "tools" / "classroom"), command, *args],
                      check=False))
    return task


TASKS = {
    "course": task_course,
    "test": task_test,
    "lab": task_lab,
    "refresh": task_refresh,
    "determinism": task_determinism,
    "benchmark": task_benchmark,
    "parameters": task_parameters,
    "sweep": task_sweep,
    "offline": task_offline,
    "student": task_classroom("student"),
    "grade": task_classroom("grade"),
    "feedback": task_classroom("feedback"),
}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in TASKS:
        print(__doc__)
        sys.exit(0 if argv and argv[0] in ("-h", "--help") else 2)
    ensure_environment()
    if not _in_venv():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *argv])
    TASKS[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
