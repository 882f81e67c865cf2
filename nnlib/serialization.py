"""Weight files without pickle: one ``.npz`` file per model, checked before it is trusted.

A weight file is an uncompressed zip archive in NumPy's ``.npz`` layout (``np.load`` reads it):
one ``.npy`` entry of little-endian float64 per parameter and one more, ``__meta__``, a 0-d
unicode array holding a JSON header that records the format and its version, every
parameter's shape and dtype, and the model's description (``save_model`` stores the model's
class and ``config`` there, so ``load_model`` rebuilds any model of the protocol).

Reading never trusts the file: the zip directory is checked first (only stored entries, sizes
within the file's own size), then the header, then each entry's ``.npy`` header against the
JSON header, before any array is built; memory and time are bounded by the file's size. Every
defect raises a ``WeightFileError`` (a ``ValueError``) saying what is wrong and what to do.
Writing goes to a uniquely named temporary file in the target folder, flushed to disk and
renamed over the target in one atomic step, so concurrent readers and writers never see half a
file. The temporary name is short (any legal target name can be saved) and records the writer's
process id: a save removes what a killed earlier save to the same path left behind. Deliberately left out: compression, float32 storage, objects other than arrays and JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nnlib.validation import as_float_array
from nnlib.weightfile import (FORMAT_NAME, FORMAT_VERSION, META_KEY, WeightFileError,
                              _pickled, _read_entries, _unreadable)

NPY_MAGIC = b"\x93NUMPY"


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def save_params(path, params: dict, meta: dict | None = None) -> Path:
    """Write ``params`` and ``meta`` to the ``.npz`` file ``path``; return the path.

    Parameters
    ----------
    path : str or os.PathLike
        A new file or an existing regular file, which is replaced (``~`` is expanded; no
        suffix is added; ``.npz`` is the convention).
    params : dict of str -> ndarray
        Finite real arrays, stored as float64. Names are identifiers such as ``"W1"``.
    meta : dict, optional
        JSON-serialisable description of the model (e.g. ``{"layer_sizes": [2, 3, 1]}``).

    Returns
    -------
    pathlib.Path
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    if not isinstance(params, dict) or not params:
        raise ValueError(f"params must be a non-empty dict of name -> array, got {params!r}.")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError(f"meta must be a dict of JSON values (or None), got {meta!r}.")
    arrays = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier() or name == META_KEY:
            raise ValueError(f"parameter names must be identifiers other than {META_KEY!r}, "
                             f"got {name!r}.")
        arrays[name] = np.require(as_float_array(name, value), dtype="<f8", requirements="C")
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
              "params": {name: {"shape": list(a.shape), "dtype": "<f8"}
                         for name, a in arrays.items()},
              "meta": {} if meta is None else meta}
    try:
        text = json.dumps(header, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"meta must hold only JSON values (dict, list, str, finite number, "
                         f"bool, None): {error}.") from None
    _check_target(path)
    entries = [(META_KEY, np.array(text))] + list(arrays.items())
    _remove_stale_partials(path)
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=_partial_prefix(path),
                                                 suffix=".partial")
        with os.fdopen(descriptor, "wb") as file:
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
                for key, array in entries:
                    archive.writestr(f"{key}.npy", _npy_bytes(array))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise WeightFileError(f"Could not write {path.name!r}: {error.strerror or error}. "
                                  f"Check the free space (and free inodes) and the permissions "
                                  f"of its folder {str(path.parent)!r}.") from None
        raise
    return path


def _partial_prefix(path: Path, pid: int | None = None) -> str:
    # Short whatever the target's length (a 255-byte name stays savable); the hash ties the
    # file to its target and the pid to its writer.
    digest = hashlib.sha256(path.name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f".nnlib-{digest}-{os.getpid() if pid is None else pid}-"


def _remove_stale_partials(path: Path) -> None:
    """Remove temporary files that a killed save to ``path`` left (their writer is gone)."""
    digest_prefix = _partial_prefix(path, pid=0)[:-3]  # ".nnlib-<digest>"
    try:
        candidates = list(path.parent.glob(f"{digest_prefix}-*-*.partial"))
    except OSError:
        return
    for candidate in candidates:
        pid_text = candidate.name[len(digest_prefix) + 1:].split("-", 1)[0]
        if pid_text.isdigit() and not _process_alive(int(pid_text)):
            candidate.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not writing it now: an earlier save here was stopped
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise WeightFileError(f"{str(path)!r} is a folder; give a file name inside it, "
                              f"e.g. {str(path / 'model.npz')!r}.")
    if not path.parent.is_dir():
        raise WeightFileError(f"The folder {str(path.parent)!r} does not exist; create it "
                              f"first (Path(...).mkdir(parents=True)).")
    if path.exists() and not path.is_file():
        raise WeightFileError(f"{str(path)!r} exists and is not a regular file (a device, "
                              f"a pipe or a socket); weight files never replace one.")


def load_params(path, expected: dict | None = None) -> tuple[dict, dict]:
    """Read a file written by ``save_params``, checking it before trusting it.

    Parameters
    ----------
    path : str or os.PathLike
    expected : dict of str -> tuple of int, optional
        The parameter names and shapes the caller's model has; the file must match exactly.

    Returns
    -------
    params : dict of str -> ndarray of float64
    meta : dict, the ``meta`` given to ``save_params``

    Raises
    ------
    WeightFileError
        If the file is missing, is not a weight file, is truncated, corrupted, compressed,
        holds a pickled object, lacks an entry, or its shapes or dtypes differ from its header
        or from ``expected``.
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    name = repr(path.name)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the checks below refuse it.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise WeightFileError(f"There is no weight file {name}: check the name and folder, "
                              f"or save the model first.") from None
    except IsADirectoryError:
        raise WeightFileError(f"{str(path)!r} is a folder, not a weight file: give the file "
                              f"inside it, e.g. {str(path / 'model.npz')!r}.") from None
    except OSError as error:
        raise WeightFileError(f"Could not open {name}: {error.strerror or error}.") from None
    # Everything below reads this one open file: its size and its bytes belong together even
    # if another writer replaces the path meanwhile.
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise WeightFileError(f"{str(path)!r} is a folder, not a weight file: give the "
                                  f"file inside it, e.g. {str(path / 'model.npz')!r}.")
        raise WeightFileError(f"{str(path)!r} exists but is not a regular file (a device, a "
                              f"pipe or a socket), so it cannot be a weight file.")
    with os.fdopen(descriptor, "rb") as file:
        start = file.read(8)
        if start.startswith(NPY_MAGIC):
            raise WeightFileError(f"{name} is a single .npy array, not a weight file; write "
                                  f"weight files with save_params.")
        if start[:1] == b"\x80":
            raise _pickled(name)
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                contents = _read_entries(archive, name, status.st_size)
        except WeightFileError:
            raise
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
                RuntimeError, ValueError, KeyError, OverflowError, SyntaxError) as error:
            raise _unreadable(name, error) from None
    if expected is not None:
        check_expected_shapes(contents[0], expected, name)
    return contents


def check_expected_shapes(params: dict, expected: dict, name: str = "the file") -> None:
    """Raise ``WeightFileError`` unless ``params`` has exactly the names and shapes expected."""
    missing = sorted(set(expected) - set(params))
    extra = sorted(set(params) - set(expected))
    if missing or extra:
        raise WeightFileError(f"{name} holds parameters {sorted(params)}, but the model has "
                              f"{sorted(expected)}: it was saved from a different kind of model.")
    for key, shape in expected.items():
        if params[key].shape != tuple(shape):
            raise WeightFileError(f"{key} in {name} has shape {params[key].shape}, but this model "
                                  f"needs {tuple(shape)}: the file was saved from a model of "
                                  f"another size. Use load_model(path), which rebuilds the "
                                  f"model the file describes.")
