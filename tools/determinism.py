"""nbval under several BLAS settings: the notebooks' outputs must not depend on them.

Run through ``python3 tasks.py determinism [--full] [--repeat N] [NB ...]``. The default
settings are one and two BLAS threads and a forced Haswell kernel, one run each; ``--full`` is
the whole matrix (threads 1, 2 x kernels default, Haswell, Sandybridge), three runs each.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path

from notebook_run import BUILD, ROOT, execution_environment

SETTINGS = [
    {"OPENBLAS_NUM_THREADS": "1"},
    {"OPENBLAS_NUM_THREADS": "2"},
    {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"},
]
# The full matrix: both thread counts under the default kernel and two forced CPU kernels.
MATRIX = [
    {"OPENBLAS_NUM_THREADS": threads, **({"OPENBLAS_CORETYPE": core} if core else {})}
    for threads in ("1", "2") for core in (None, "Haswell", "Sandybridge")
]


def failing_cells(report: Path) -> tuple[int, list[str]]:
    """(cells compared, ids of the cells that failed or errored) from a JUnit XML report."""
    compared, failing = 0, []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        compared += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failing.append(f"{case.get('classname')}::{case.get('name')}")
    return compared, failing


def main(notebooks: list[Path], full: bool, repeat: int | None,
         nbval: Callable[[list[Path]], list[str]]) -> int:
    """Run the command ``nbval(notebooks)`` under every setting ``repeat`` times; returns 1 if
    any run differed, else 0."""
    repeat = repeat or (3 if full else 1)
    results = []  # (label, run, cells compared, failing cell ids)
    for setting in MATRIX if full else SETTINGS:
        env = execution_environment(**setting)
        label = " ".join(f"{key}={value}" for key, value in setting.items())
        for run in range(1, repeat + 1):
            print(f"\n== nbval with {label} (run {run}/{repeat}) ==", flush=True)
            report = BUILD / "determinism" / f"run-{len(results)}.xml"
            report.parent.mkdir(parents=True, exist_ok=True)
            report.unlink(missing_ok=True)  # never read an earlier run's report
            command = nbval(notebooks) + ["-q", f"--junitxml={report}"]
            print("+ " + " ".join(command), flush=True)
            subprocess.run(command, cwd=ROOT, env=env)
            if not report.exists():
                results.append((label, run, 0, ["(pytest wrote no report)"]))
                continue
            results.append((label, run, *failing_cells(report)))
    print("\nDeterminism report")
    for label, run, compared, failing in results:
        status = "identical" if not failing else f"{len(failing)} cells differ: {failing[:3]}"
        print(f"  {label:<50} run {run}: {compared} cells compared, {status}")
    flaky = sum(bool(failing) for *_, failing in results)
    print(f"{len(results)} nbval runs, {flaky} with differences (flakes).")
    return 1 if flaky else 0
