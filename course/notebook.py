"""Checks for a notebook's papermill parameters, called from its validation cell.

A notebook's first code cell (tagged ``parameters``) assigns every parameter; papermill runs a
cell it injects (starting with the comment ``# Parameters``) right after it with the values
given on its command line. ``check_papermill_parameters`` compares the two, so a misspelt
``-p learning_rte 0.1`` stops the run with the list of known names instead of silently using
the defaults. ``check_output_path`` expands and checks a path a notebook will write to, before
any training; ``check_budget`` stops a combination of parameters projected to need too much
time or memory, naming the parameter to change. Pure Python: no NumPy, no IPython import.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

INJECTED_MARKER = "# Parameters"
PROBE_BYTES = 4096  # written and removed by check_output_path


def _assigned_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        names += [target.id for target in targets if isinstance(target, ast.Name)]
    return names


def unknown_parameters(executed_sources: list[str]) -> tuple[list[str], list[str]]:
    """The names papermill injected that the parameters cell does not define, and the known.

    Parameters
    ----------
    executed_sources : list of str
        The sources of the cells run so far, in order (IPython's ``In`` without its empty
        first entry); the first is the parameters cell.

    Returns
    -------
    unknown : list of str, sorted
    known : list of str, in the order the parameters cell assigns them
    """
    if not executed_sources:
        return [], []
    known = _assigned_names(executed_sources[0])
    injected = [name for source in executed_sources[1:]
                if source.lstrip().startswith(INJECTED_MARKER)
                for name in _assigned_names(source)]
    return sorted(set(injected) - set(known)), known


def check_papermill_parameters() -> None:
    """Raise ``ValueError`` if papermill was given a parameter this notebook does not have.

    Call it in the validation cell (the second code cell). Outside IPython, or when the
    notebook runs without injected parameters, it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    sources = [source for source in shell.user_ns.get("In", [])[1:] if source]
    unknown, known = unknown_parameters(sources)
    if unknown:
        raise ValueError(f"Unknown parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(unknown)}: this notebook's parameters are "
                         f"{', '.join(known)}. Check the spelling of -p NAME VALUE.")


def check_output_path(name: str, value, suffix: str | None = None) -> Path:
    """Check a path the notebook will write, before any work: return it expanded.

    ``~`` is expanded; the folder must exist and take a small test file (written, flushed to
    disk and removed: a full disk or a read-only folder is found now, not after the work); the
    path must not be a folder or a special file; ``suffix`` (e.g. ``".json"``), when given,
    must end the name.
    """
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ValueError(f"{name} must be a file path, got {value!r}.")
    path = Path(os.path.expanduser(os.fspath(value)))
    if path.is_dir():
        raise ValueError(f"{name} is a folder ({os.fspath(value)!r}); give a file name in it.")
    if suffix is not None and path.suffix != suffix:
        raise ValueError(f"{name} must be a path ending in {suffix}, got {os.fspath(value)!r}.")
    if path.exists() and not path.is_file():
        raise ValueError(f"{name} ({os.fspath(value)!r}) exists and is not a regular file.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{name}: the folder {str(folder)!r} does not exist; create it first.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{name}: {os.fspath(value)!r} cannot be written (permission denied); "
                         f"choose a file you can write to.")
    _probe_folder(name, value, folder)
    return path


def _probe_folder(name: str, value, folder: Path) -> None:
    # Write, flush and delete a small file in the folder: this finds what os.access cannot (a
    # full disk, a read-only file system, root on a locked folder) before any work is done.
    try:
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".write-check.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(bytes(PROBE_BYTES))
                file.flush()
                os.fsync(file.fileno())
        finally:
            os.unlink(probe)
    except OSError as error:
        raise ValueError(f"{name}: {os.fspath(value)!r} cannot be written here "
                         f"({error.strerror or error}); choose a folder you can write to, "
                         f"with free space.") from None


def check_budget(what: str, estimate: float, limit: float, unit: str, parameter: str,
                 upper_bound: bool = False) -> None:
    """Stop at once if ``estimate`` (of ``what``, in ``unit``) exceeds ``limit``.

    Example: ``check_budget("memory", 8.5, 2, "GB", "n_bits")`` raises a ValueError saying the
    run would need about 8.5 GB, more than the 2 GB allowed, and that ``n_bits`` sets it.
    ``parameter`` completes "reduce ...", e.g. ``"n_seeds, or raise batch_size"``. With
    ``upper_bound=True`` the estimate is a worst case (no early stop) and is worded "up to".
    """
    if estimate > limit:
        amount = "could need up to" if upper_bound else "would need about"
        raise ValueError(f"These parameters {amount} {estimate:.3g} {unit} of {what}, "
                         f"more than the {limit:g} {unit} this notebook allows: reduce "
                         f"{parameter}.")
