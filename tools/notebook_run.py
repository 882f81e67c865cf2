"""How the course executes a notebook: the one environment and the one papermill call.

Everything that runs a notebook or a kernel uses this module: ``tasks.py`` (course, refresh,
test, determinism, benchmark), the sweeps (``tools/sweep.py``, ``tools/parameter_matrix.py``),
the grading (``tools/classroom``) and the tests. Import it with ``tools/`` on ``sys.path``
(``import notebook_run``), as the classroom package is imported.

It deliberately leaves out what a run is *for* (which notebooks, where the results go, how a
failure is reported): the callers decide that.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
IPYTHON_DIR = BUILD / "ipython"

# One BLAS thread wherever notebooks execute: timings stay stable on a 2-core machine, and the
# determinism task proves the outputs do not depend on it.
# The variables that pin the BLAS pool (and, when set, the CPU kernel), for a process that must
# inherit them and nothing else (the grader's isolated re-check).
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                  "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")

EXECUTION_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # Use the kernel spec installed in .venv, not one from the user's home.
    "JUPYTER_PREFER_ENV_PATH": "1",
    # Silences debugpy's frozen-modules warning in kernels (stderr is compared by nbval).
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    # Kernels read build/ipython/profile_default/ipython_kernel_config.py (see
    # prepare_ipython_dir): it drops the kernel's "running over TCP without encryption" notice,
    # which every local run would otherwise print on the terminal.
    "IPYTHONDIR": str(IPYTHON_DIR),
}

KERNEL_CONFIG = '''# Written by tools/notebook_run.py. The course's kernels talk to papermill and nbval
# over loopback only.
import logging


class _DropUnencryptedTcpNotice(logging.Filter):
    def filter(self, record):
        return "without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_DropUnencryptedTcpNotice())
'''


def prepare_ipython_dir(ipython_dir: Path | None = None) -> None:
    """Write the kernels' configuration into ``ipython_dir`` (``build/ipython``) if it differs."""
    config = Path(ipython_dir or IPYTHON_DIR) / "profile_default" / "ipython_kernel_config.py"
    if not config.exists() or config.read_text() != KERNEL_CONFIG:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(KERNEL_CONFIG)


_PINNED_CPU_PATH: dict[str, str] | None = None


def pinned_cpu_path() -> dict[str, str]:
    """The variables that put an x86-64 CPU with AVX2 on the numeric path of the committed
    outputs: OpenBLAS's Haswell kernels and NumPy's loops up to AVX2 (its AVX-512 loops off).

    Rounding differs between those paths, and a few chaotic training runs (notebook 07's
    clipping demonstration, notebook 09's 20-epoch runs) end in other digits on each: on an
    AVX-512 machine notebook 09's tracker rebuilt 68 % of the test trees with the default
    path, 70 % with Haswell kernels alone, 72 % (the committed figure) with both pinned. So
    the path is pinned like the number of BLAS threads. Nothing is pinned on a CPU without
    AVX2 or not x86 (its outputs can then differ in those cells); a variable already set in
    the environment wins (``execution_environment``).
    """
    global _PINNED_CPU_PATH
    if _PINNED_CPU_PATH is None:
        try:
            from numpy._core import _multiarray_umath as umath
            features, dispatch = umath.__cpu_features__, umath.__cpu_dispatch__
        except (ImportError, AttributeError):  # outside .venv, or another NumPy
            features, dispatch = {}, []
        pinned = {}
        if features.get("X86_V3"):
            pinned["OPENBLAS_CORETYPE"] = "Haswell"
            above_avx2 = [name for name in dispatch if features.get(name)
                          and (name == "X86_V4" or name.startswith("AVX512"))]
            if above_avx2:
                pinned["NPY_DISABLE_CPU_FEATURES"] = " ".join(above_avx2)
        _PINNED_CPU_PATH = pinned
    return dict(_PINNED_CPU_PATH)


def execution_environment(base: dict[str, str] | None = None,
                          **overrides: str) -> dict[str, str]:
    """``base`` (default: this process's environment) with the course's execution settings:
    ``EXECUTION_ENV`` and the pinned CPU path (``pinned_cpu_path``).

    Keyword arguments override single variables (e.g. ``OPENBLAS_NUM_THREADS="2"``). The
    kernels' configuration folder is prepared on the way, so the result is ready to use.
    """
    prepare_ipython_dir()
    return {**pinned_cpu_path(), **(os.environ if base is None else base), **EXECUTION_ENV,
            **overrides}


def use_execution_environment() -> None:
    """Apply the execution settings to this process, so every kernel it starts inherits them."""
    os.environ.update(execution_environment())


def execute_notebook(source: Path | str, target: Path | str, parameters: dict | None = None,
                     cwd: Path | str | None = None, timeout: int | None = None,
                     kernel_name: str = "python3", log_output: bool = False):
    """Execute ``source`` with papermill into ``target`` and return the executed notebook.

    The kernel starts in ``cwd`` (default: ``notebooks/``, where nbval runs them too) with the
    course's execution environment; ``timeout`` is papermill's per-cell limit in seconds
    (none by default). Raises papermill's ``PapermillExecutionError`` when a cell fails; the
    executed copy up to the failing cell is then in ``target``.
    """
    import papermill

    use_execution_environment()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return papermill.execute_notebook(
        str(source), str(target), parameters=parameters or {}, kernel_name=kernel_name,
        cwd=str(cwd or NOTEBOOKS), progress_bar=False, log_output=log_output,
        execution_timeout=timeout)


def run_for_course(source: Path, target: Path) -> tuple[float, str | None, str | None]:
    """Execute one notebook for ``tasks.py course`` (in a worker process).

    Returns ``(seconds, headline, error)``: on success the notebook's headline and None; on
    failure None and the error's last line (``target`` then exists only if the run got far
    enough to write an executed copy).
    """
    import nbformat

    start = time.perf_counter()
    target = Path(target)
    target.unlink(missing_ok=True)  # whatever is there after the run, this run wrote
    try:
        execute_notebook(source, target)
    except Exception as error:  # reported by the caller, which goes on with the others
        lines = str(error).strip().splitlines() or [type(error).__name__]
        return time.perf_counter() - start, None, lines[-1]
    return time.perf_counter() - start, headline(nbformat.read(target, as_version=4)), None


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
