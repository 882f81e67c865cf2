"""Grading that no answer cell can bend: private copies of the grading code, and a re-check.

An answer cell runs any Python in the kernel, so nothing the kernel computes after it can be
trusted, and anything the kernel's user may write can be changed. The grader therefore:

1. takes a **snapshot** of the grading code when a run starts (``GRADING_PACKAGES`` and the
   re-check package ``recheck``, as ``RECHECK_NAME``): every file's SHA-256, kept by the grading
   process;
2. gives each student's notebook its **own read-only copy**, written from verified bytes and put
   first on the kernel's ``PYTHONPATH``: an answer cell that rewrites a check rewrites only its
   own copy, which is compared with the snapshot afterwards and reported;
3. **records** in the kernel what the learner's functions returned for the checks' inputs
   (``recheck.record``) and, after the kernel has ended, **re-checks** those answers in a fresh
   ``python -I -S`` (no environment variables, no ``.pth`` files, no bytecode but the run's own,
   verified: ``bytecode_cache``) that imports
   another copy written from the snapshot just then (``recheck.replay``). A graded cell keeps its
   points only if the genuine check passes the recorded answers; patching NumPy or a check in
   the kernel, or rewriting a check file, earns nothing;
4. verifies the installed files of ``VERIFIED_DISTRIBUTIONS`` (NumPy, which the re-check imports)
   against their pip ``RECORD`` hashes before trusting a re-check, and the repository's grading
   code against the snapshot at the end of the run.

Limits: see the README's "What the grades are worth".
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The packages a graded cell imports its checks from, copied for every notebook and re-check.
GRADING_PACKAGES = ("nnlib", "course")
RECHECK_NAME = "classroom_recheck"
RECHECK_SOURCE = Path(__file__).resolve().parent / "recheck"
# Installed distributions the re-check imports, verified against pip's RECORD before each use.
VERIFIED_DISTRIBUTIONS = ("numpy", "threadpoolctl")
RECHECK_TIMEOUT = 300


class GradingCodeChanged(RuntimeError):
    """A file of the grading code differs from the run's snapshot."""


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(root: Path = ROOT) -> dict[str, list[str]]:
    """``{relative path in a copy: [source file, SHA-256]}`` of the grading code, now."""
    sources = [(root / name, name) for name in GRADING_PACKAGES]
    sources.append((RECHECK_SOURCE, RECHECK_NAME))
    manifest = {}
    for folder, name in sources:
        if not (folder / "__init__.py").is_file():
            raise GradingCodeChanged(f"the grading package {name} is missing at {folder}")
        for path in _files(folder):
            manifest[f"{name}/{path.relative_to(folder).as_posix()}"] = [
                str(path), _sha256(path.read_bytes())]
    return manifest


def write_copy(manifest: dict, folder: Path, read_only: bool = True) -> None:
    """Write the snapshot's files into ``folder`` (emptied first) from bytes that match it."""
    remove_copy(folder)
    for relative, (source, digest) in manifest.items():
        data = Path(source).read_bytes()
        if _sha256(data) != digest:
            raise GradingCodeChanged(f"{relative} changed during this run (its source "
                                     f"{source} differs from the snapshot)")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if read_only:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.chmod(0o555 if path.is_dir() else 0o444)
        folder.chmod(0o555)


def remove_copy(folder: Path) -> None:
    """Delete a copy made by ``write_copy``, read-only or changed by a kernel."""
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
        return
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(stat.S_IRWXU)
    shutil.rmtree(folder)


def changed_files(manifest: dict, folder: Path) -> list[str]:
    """Files of the copy in ``folder`` that differ from the snapshot, added or missing."""
    found = {path.relative_to(folder).as_posix(): path for path in _files(folder)} \
        if folder.is_dir() else {}
    changed = [relative for relative, (_, digest) in manifest.items()
               if relative not in found or _sha256(found[relative].read_bytes()) != digest]
    return sorted(changed + [relative for relative in found if relative not in manifest])


def changed_sources(manifest: dict) -> list[str]:
    """Source files (in the repository) that no longer match the snapshot."""
    changed = []
    for relative, (source, digest) in manifest.items():
        path = Path(source)
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            changed.append(str(path))
    return changed


def changed_distribution_files(names: tuple[str, ...] = VERIFIED_DISTRIBUTIONS) -> list[str]:
    """Installed files of the named distributions that differ from pip's RECORD hashes."""
    from importlib import metadata

    changed = []
    for name in names:
        for item in metadata.files(name) or []:
            if item.hash is None:
                continue
            path = Path(item.locate())
            try:
                data = path.read_bytes()
            except OSError:
                changed.append(str(path))
                continue
            digest = base64.urlsafe_b64encode(
                hashlib.new(item.hash.mode, data).digest()).rstrip(b"=").decode()
            if digest != item.hash.value:
                changed.append(str(path))
    return changed


def _site_folders() -> list[str]:
    """Folders that hold the verified distributions (appended to the re-check's sys.path)."""
    import importlib.util

    folders = []
    for name in VERIFIED_DISTRIBUTIONS:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise GradingCodeChanged(f"{name} is not installed")
        origin = Path(spec.origin).resolve()
        folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
        if str(folder) not in folders:
            folders.append(str(folder))
    return folders


def bytecode_cache(folder: Path) -> dict:
    """Compile the verified distributions into ``folder`` (a ``pycache_prefix`` tree) from
    their just-verified sources, once per run; ``{"folder", "files": {path: SHA-256}}``.

    Each re-check copies these files, verified, into its own empty prefix, so it does not
    compile NumPy again (about a second each) and never reads bytecode a kernel could write.
    """
    changed = changed_distribution_files()
    if changed:
        raise GradingCodeChanged(f"{len(changed)} installed file(s) differ from pip's record, "
                                 f"e.g. {changed[0]}; reinstall the environment (delete .venv "
                                 "and run a task) and grade again")
    remove_copy(folder)
    folder.mkdir(parents=True)
    program = (f"import sys; sys.path += {_site_folders()!r}; "
               f"import {', '.join(VERIFIED_DISTRIBUTIONS)}")
    subprocess.run([sys.executable, "-I", "-S", "-X", f"pycache_prefix={folder}", "-c", program],
                   check=True, capture_output=True, timeout=RECHECK_TIMEOUT)
    return {"folder": str(folder), "files": {
        path.relative_to(folder).as_posix(): _sha256(path.read_bytes())
        for path in sorted(folder.rglob("*.pyc"))}}


def _copy_bytecode(bytecode: dict | None, target: Path) -> None:
    """The run's bytecode, verified file by file, into the empty prefix ``target``."""
    for relative, digest in (bytecode or {}).get("files", {}).items():
        data = (Path(bytecode["folder"]) / relative).read_bytes()
        if _sha256(data) != digest:
            raise GradingCodeChanged(f"the run's bytecode {relative} changed during this run; "
                                     "grade again")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def recheck(manifest: dict, plan: dict, records: Path, folder: Path,
            environment: dict[str, str], bytecode: dict | None = None) -> dict[str, str]:
    """The genuine checks' verdicts on the recorded answers: ``{grade_id: "" or why not}``.

    ``plan`` is ``{grade_id: [call, ...]}`` from the course's own source notebook (never from the
    kernel); ``bytecode`` is ``bytecode_cache``'s result (without it NumPy is compiled).
    Raises ``GradingCodeChanged`` when NumPy's files or the snapshot's sources changed, and
    ``RuntimeError`` when the re-check itself fails.
    """
    changed = changed_distribution_files()
    if changed:
        raise GradingCodeChanged(f"{len(changed)} installed file(s) differ from pip's record, "
                                 f"e.g. {changed[0]}; reinstall the environment (delete .venv "
                                 "and run a task) and grade again")
    write_copy(manifest, folder / "code", read_only=True)
    (folder / "plan.json").write_text(json.dumps({"cells": plan,
                                                  "packages": list(GRADING_PACKAGES)}))
    program = ("import sys; sys.path[:0] = [{code!r}]; sys.path += {site!r}; "
               "from {name}.replay import main; sys.exit(main(sys.argv[1:]))").format(
        code=str(folder / "code"), site=_site_folders(), name=RECHECK_NAME)
    with tempfile.TemporaryDirectory(prefix="recheck-pycache-") as cache:
        _copy_bytecode(bytecode, Path(cache))
        from notebook_run import BLAS_VARIABLES

        keep = ("PATH", "HOME", "LANG", *BLAS_VARIABLES)
        completed = subprocess.run(
            [sys.executable, "-I", "-S", "-B", "-X", f"pycache_prefix={cache}", "-c", program,
             str(folder / "plan.json"), str(records), str(folder / "verdicts.json")],
            cwd=folder, env={k: v for k, v in environment.items() if k in keep},
            capture_output=True, text=True, timeout=RECHECK_TIMEOUT)
    if completed.returncode != 0 or not (folder / "verdicts.json").is_file():
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the re-check failed (exit {completed.returncode}): {last[:300]}")
    return json.loads((folder / "verdicts.json").read_text())
