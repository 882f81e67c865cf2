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
file. Deliberately left out: compression, float32 storage, objects other than arrays and JSON.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nnlib.validation import as_float_array

FORMAT_NAME = "nnlib-params"
FORMAT_VERSION = 1
META_KEY = "__meta__"
MAX_HEADER_BYTES = 1 << 20
NPY_MAGIC = b"\x93NUMPY"


class WeightFileError(ValueError):
    """A weight file is missing, unreadable, or does not hold what was expected."""


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
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as file:
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
                for key, array in entries:
                    archive.writestr(f"{key}.npy", _npy_bytes(array))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise WeightFileError(f"Could not write {path.name!r}: {error.strerror or error}. "
                                  f"Check the free space and permissions of its folder.") from None
        raise
    return path


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
    if not path.is_file():
        raise WeightFileError(f"There is no weight file {name}: check the name and folder, "
                              f"or save the model first.")
    with open(path, "rb") as file:
        start = file.read(8)
    if start.startswith(NPY_MAGIC):
        raise WeightFileError(f"{name} is a single .npy array, not a weight file; write weight "
                              f"files with save_params.")
    if start[:1] == b"\x80":
        raise _pickled(name)
    try:
        with zipfile.ZipFile(path) as archive:
            contents = _read_entries(archive, name, path.stat().st_size)
    except WeightFileError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
            RuntimeError, ValueError, KeyError, OverflowError, SyntaxError) as error:
        raise _unreadable(name, error) from None
    if expected is not None:
        check_expected_shapes(contents[0], expected, name)
    return contents


def _read_entries(archive: zipfile.ZipFile, name: str, size: int) -> tuple[dict, dict]:
    infos = {info.filename: info for info in archive.infolist()}
    for info in infos.values():
        if info.compress_type != zipfile.ZIP_STORED:
            raise WeightFileError(f"{name} holds a compressed entry {info.filename!r}; nnlib "
                                  f"writes uncompressed files only. Save the model again.")
        if info.compress_size > size or info.file_size != info.compress_size:
            raise _unreadable(name, ValueError(f"entry {info.filename!r} claims "
                                               f"{info.file_size} bytes"))
    meta_info = infos.get(f"{META_KEY}.npy")
    if meta_info is None:
        raise WeightFileError(f"{name} has no {META_KEY!r} entry, so it was not written by "
                              f"nnlib's save_params; its shapes cannot be checked.")
    if meta_info.file_size > MAX_HEADER_BYTES:
        raise WeightFileError(f"The header of {name} is {meta_info.file_size} bytes, more than "
                              f"any weight file's ({MAX_HEADER_BYTES}).")
    header = _parse_header(name, _read_npy(archive, meta_info, name, None, None))
    recorded = header["params"]
    present = {key[:-4] for key in infos if key.endswith(".npy")} - {META_KEY}
    missing = sorted(set(recorded) - present)
    extra = sorted(set(infos) - {f"{key}.npy" for key in recorded} - {f"{META_KEY}.npy"})
    if missing:
        raise WeightFileError(f"{name} is missing {', '.join(missing)}, which its header lists: "
                              f"the file is incomplete or was edited. Save the model again.")
    if extra:
        raise WeightFileError(f"{name} holds unexpected entries {', '.join(extra)} that its "
                              f"header does not list. Save the model again.")
    params = {}
    for key, record in recorded.items():
        array = _read_npy(archive, infos[f"{key}.npy"], name, key, tuple(record["shape"]))
        if not np.all(np.isfinite(array)):
            raise WeightFileError(f"{key} in {name} contains NaN or infinite values; the model "
                                  f"that was saved had diverged.")
        params[key] = array
    return params, header["meta"]


def _read_npy(archive, info, name: str, key: str | None, shape: tuple | None) -> np.ndarray:
    # The whole entry is read (at most the file's size, checked above), so the zip checksum is
    # verified; its .npy header is checked before the array is built.
    buffer = io.BytesIO(archive.read(info))
    version = np.lib.format.read_magic(buffer)
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    got_shape, fortran, dtype = read_header(buffer)
    if dtype.hasobject:
        raise _pickled(name)
    if key is None:  # the JSON header: a 0-d unicode array
        if got_shape != () or dtype.kind != "U":
            raise WeightFileError(f"{name} has a {META_KEY!r} entry of dtype {dtype} and shape "
                                  f"{got_shape}, expected a single string.")
        return np.frombuffer(buffer.read(), dtype=dtype, count=1).reshape(())
    if dtype != np.dtype("<f8"):
        raise WeightFileError(f"{key} in {name} has dtype {dtype} ({dtype.str}); weight files "
                              f"hold little-endian float64 ('<f8'). Save the model again.")
    if got_shape != shape:
        raise WeightFileError(f"{key} in {name} has shape {got_shape}, but the header records "
                              f"{shape}.")
    count = math.prod(shape)  # exact: a product of huge dimensions cannot wrap around
    data = buffer.read()
    if len(data) != 8 * count:
        raise _unreadable(name, ValueError(f"{key} holds {len(data)} bytes, not {8 * count}"))
    array = np.frombuffer(data, dtype="<f8").reshape(shape, order="F" if fortran else "C")
    return array.astype(np.float64, order="C")


def _parse_header(name: str, meta: np.ndarray) -> dict:
    try:
        header = json.loads(str(meta))
    except json.JSONDecodeError as error:
        raise WeightFileError(f"The header of {name} is not valid JSON ({error}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise WeightFileError(f"{name} is not an {FORMAT_NAME} file.")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise WeightFileError(f"{name} uses format version {version!r}; this nnlib reads "
                              f"version {FORMAT_VERSION}. Use the nnlib that wrote it, or save "
                              f"the model again.")
    records, meta_record = header.get("params"), header.get("meta")
    if not isinstance(records, dict) or not isinstance(meta_record, dict):
        raise WeightFileError(f"The header of {name} lacks its 'params' or 'meta' record.")
    for key, record in records.items():
        shape = record.get("shape") if isinstance(record, dict) else None
        if (not isinstance(key, str) or not key.isidentifier() or not isinstance(shape, list)
                or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**40
                           for d in shape)):
            raise WeightFileError(f"The header of {name} has a malformed record for "
                                  f"{key!r}: {record!r}.")
    return header


def _pickled(name: str) -> WeightFileError:
    return WeightFileError(f"{name} contains pickled Python objects, which are never loaded "
                           f"(unpickling can run arbitrary code). Save the model with "
                           f"save_model (or save_params), which stores plain arrays.")


def _unreadable(name: str, error: Exception) -> WeightFileError:
    return WeightFileError(f"{name} cannot be read as a weight file: it is truncated, corrupted "
                           f"or not an .npz archive ({type(error).__name__}: {error}). "
                           f"Save the model again.")


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
