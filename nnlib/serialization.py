"""Saving and loading parameters without pickle: one ``.npz`` file per model.

A weight file is an uncompressed ``np.savez`` archive holding one float64 array per parameter
and one more entry, ``__meta__``: a 0-d unicode array with a JSON object that records the file
format and its version, every parameter's shape and dtype, and whatever the model needs to
rebuild itself (layer sizes, activation names). Loading uses ``np.load(allow_pickle=False)``, so
a file can never run code, and checks everything before returning anything: a missing,
truncated, corrupted, pickled or mismatched file raises a ``WeightFileError`` (a
``ValueError``) that says what is wrong and what to do. Arrays round-trip bit for bit.

Deliberately left out: compression, float32 storage, and any object that is not a plain array
or JSON value.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nnlib.validation import as_float_array

FORMAT_NAME = "nnlib-params"
FORMAT_VERSION = 1
META_KEY = "__meta__"


class WeightFileError(ValueError):
    """A weight file is missing, unreadable, or does not hold what was expected."""


def save_params(path, params: dict, meta: dict | None = None) -> Path:
    """Write ``params`` and ``meta`` to the ``.npz`` file ``path``; return the path.

    Parameters
    ----------
    path : str or os.PathLike
        Written exactly as given (no suffix is added); ``.npz`` is the convention. The file is
        written beside its final place first and then renamed, so a crash never leaves half a
        file under the real name.
    params : dict of str -> ndarray
        Finite float64 arrays (other real dtypes are converted to float64). Names are
        identifiers such as ``"W1"``.
    meta : dict, optional
        JSON-serialisable description of the model (e.g. ``{"layer_sizes": [2, 3, 1]}``).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    if not isinstance(params, dict) or not params:
        raise ValueError(f"params must be a non-empty dict of name -> array, got {params!r}.")
    arrays = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier() or name == META_KEY:
            raise ValueError(f"parameter names must be identifiers other than {META_KEY!r}, "
                             f"got {name!r}.")
        # np.require keeps 0-d arrays 0-d (np.ascontiguousarray would make them 1-d).
        arrays[name] = np.require(as_float_array(name, value), requirements="C")
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "params": {name: {"shape": list(a.shape), "dtype": a.dtype.str}
                   for name, a in arrays.items()},
        "meta": {} if meta is None else meta,
    }
    try:
        text = json.dumps(header, sort_keys=True)
    except TypeError as error:
        raise ValueError(f"meta must hold only JSON values (dict, list, str, number, bool, "
                         f"None): {error}.") from None
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        np.savez(file, **{META_KEY: np.array(text)}, **arrays)
    os.replace(partial, path)
    return path


def load_params(path, expected: dict | None = None) -> tuple[dict, dict]:
    """Read a file written by ``save_params``, checking it before trusting it.

    Parameters
    ----------
    path : str or os.PathLike
    expected : dict of str -> tuple of int, optional
        The parameter names and shapes the caller's model has. When given, the file must
        hold exactly these names with exactly these shapes.

    Returns
    -------
    params : dict of str -> ndarray of float64
    meta : dict
        The ``meta`` given to ``save_params``.

    Raises
    ------
    WeightFileError
        If the file is missing, is not an ``.npz`` archive, is truncated or corrupted, holds a
        pickled object, lacks an entry, or its shapes or dtypes differ from the record or from
        ``expected``.
    """
    path = Path(path)
    name = repr(path.name)
    if not path.is_file():
        raise WeightFileError(f"There is no weight file {name}: check the name and folder, "
                              f"or save the model first.")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise WeightFileError(f"{name} is a single .npy array, not a weight file; "
                                  f"write weight files with save_params.")
        with loaded as archive:
            contents = {key: archive[key] for key in archive.files}
    except WeightFileError:
        raise
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise WeightFileError(f"{name} contains pickled Python objects, which are never "
                                  f"loaded (unpickling can run arbitrary code). Save weights "
                                  f"with save_params, which stores plain arrays.") from None
        raise _unreadable(name, error) from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, zlib.error,
            NotImplementedError, RuntimeError) as error:
        # A damaged zip directory can claim any compression method or encryption flag;
        # zipfile then raises NotImplementedError or RuntimeError (found by property tests).
        raise _unreadable(name, error) from None

    header = _read_header(name, contents)
    recorded = header["params"]
    missing = sorted(set(recorded) - set(contents))
    extra = sorted(set(contents) - set(recorded) - {META_KEY})
    if missing:
        raise WeightFileError(f"{name} is missing {', '.join(missing)}, which its header lists: "
                              f"the file is incomplete or was edited. Save the model again.")
    if extra:
        raise WeightFileError(f"{name} holds unexpected entries {', '.join(extra)} that its "
                              f"header does not list. Save the model again.")
    params = {}
    for key, record in recorded.items():
        array = contents[key]
        if array.dtype.str != record.get("dtype") or array.dtype != np.float64:
            raise WeightFileError(f"{key} in {name} has dtype {array.dtype}, expected float64 "
                                  f"as recorded ({record.get('dtype')}).")
        if list(array.shape) != record.get("shape"):
            raise WeightFileError(f"{key} in {name} has shape {array.shape}, but the header "
                                  f"records {tuple(record.get('shape', ()))}.")
        if not np.all(np.isfinite(array)):
            raise WeightFileError(f"{key} in {name} contains NaN or infinite values; the model "
                                  f"that was saved had diverged.")
        params[key] = array
    if expected is not None:
        check_expected_shapes(params, expected, name)
    return params, header["meta"]


def _unreadable(name: str, error: Exception) -> WeightFileError:
    return WeightFileError(f"{name} cannot be read as a weight file: it is truncated, corrupted "
                           f"or not an .npz archive ({type(error).__name__}: {error}). "
                           f"Save the model again.")


def _read_header(name: str, contents: dict) -> dict:
    if META_KEY not in contents:
        raise WeightFileError(f"{name} has no {META_KEY!r} entry, so it was not written by "
                              f"nnlib's save_params; its shapes cannot be checked.")
    meta = contents[META_KEY]
    if meta.shape != () or meta.dtype.kind != "U":
        raise WeightFileError(f"{name} has a {META_KEY!r} entry of dtype {meta.dtype} and "
                              f"shape {meta.shape}, expected a single string.")
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
    if not isinstance(header.get("params"), dict) or not isinstance(header.get("meta"), dict):
        raise WeightFileError(f"The header of {name} lacks its 'params' or 'meta' record.")
    return header


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
                                  f"another size. Build the model with the file's sizes, or "
                                  f"load it with the model's load() classmethod.")
