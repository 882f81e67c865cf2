"""Reading the entries of a weight file without trusting it (used by ``nnlib.serialization``).

The zip directory is checked first (only stored entries, sizes within the file's own size),
then the JSON header, then each entry's ``.npy`` header against it, before any array is built,
so memory and time are bounded by the file's size. Every defect is a ``WeightFileError``.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np

FORMAT_NAME = "nnlib-params"
FORMAT_VERSION = 1
META_KEY = "__meta__"
MAX_HEADER_BYTES = 1 << 20


class WeightFileError(ValueError):
    """A weight file is missing, unreadable, or does not hold what was expected."""


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
