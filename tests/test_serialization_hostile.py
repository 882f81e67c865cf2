"""Weight files against hostile input and concurrent use (bounded memory, atomic writes)."""

import io
import json
import multiprocessing
import os
import stat
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.serialization import (FORMAT_NAME, FORMAT_VERSION, META_KEY, WeightFileError,
                                 load_params, save_params)


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def header_text(records, meta=None):
    return json.dumps({"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                       "params": records, "meta": meta or {}})


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_a_compressed_bomb_is_rejected_before_it_is_decompressed(tmp_path):
    # 40 M float64 zeros deflate to about 300 kB; the loader must not inflate them.
    W = {"W": {"shape": [2], "dtype": "<f8"}}
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr(f"{META_KEY}.npy", npy(np.array(header_text(W))))
        archive.writestr("W.npy", npy(np.ones(2)))
        archive.writestr("extra.npy", npy(np.zeros(40_000_000)), compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(WeightFileError, match="holds a compressed entry 'extra.npy'"):
            load_params(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def file_declaring(path, shape, data: bytes = b""):
    """A weight file whose header and .npy entry declare float64 ``W`` of ``shape``, followed by
    only ``data``."""
    records = {"W": {"shape": shape, "dtype": "<f8"}}
    fake_header = np.lib.format.header_data_from_array_1_0(np.ones(1))
    fake_header["shape"] = tuple(shape)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, fake_header)
    return write_zip(path, {f"{META_KEY}.npy": npy(np.array(header_text(records))),
                            "W.npy": buffer.getvalue() + data})


def test_a_tiny_file_declaring_a_huge_shape_is_rejected_in_bounded_memory(tmp_path):
    # 1e11 float64 = 745 GiB
    path = file_declaring(tmp_path / "huge.npz", [100_000, 1_000_000], b"\0" * 16)
    assert path.stat().st_size < 2000
    tracemalloc.start()
    try:
        with pytest.raises(WeightFileError, match="truncated, corrupted"):
            load_params(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("records", ["a string", [1, 2], {"W": "shape"},
                                     {"W": {"shape": "2"}}, {"W": {"shape": [-1]}},
                                     {"W": {"shape": [True]}}, {"W 1": {"shape": [2]}}])
def test_malformed_header_records_are_named(tmp_path, records):
    path = write_zip(tmp_path / "w.npz", {f"{META_KEY}.npy": npy(np.array(header_text(records))),
                                          "W.npy": npy(np.ones(2))})
    with pytest.raises(WeightFileError, match="header of 'w.npz'"):
        load_params(path)


@pytest.mark.parametrize("name", ["allow_pickle", "file", "compress", "args", "kwds"])
def test_parameter_names_cannot_collide_with_the_writer(tmp_path, name):
    path = save_params(tmp_path / "w.npz", {name: np.arange(3.0)})
    loaded, _ = load_params(path)
    np.testing.assert_array_equal(loaded[name], np.arange(3.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]


def test_big_endian_entries_get_a_consistent_message(tmp_path):
    records = {"W": {"shape": [2], "dtype": "<f8"}}
    path = write_zip(tmp_path / "w.npz", {f"{META_KEY}.npy": npy(np.array(header_text(records))),
                                          "W.npy": npy(np.ones(2, dtype=">f8"))})
    with pytest.raises(WeightFileError, match=r"has dtype >f8 \(>f8\); weight files hold "
                                              r"little-endian float64"):
        load_params(path)


def test_save_refuses_special_files_folders_and_missing_folders(tmp_path):
    if os.path.exists("/dev/null"):
        with pytest.raises(WeightFileError, match="not a regular file"):
            save_params("/dev/null", {"W": np.ones(2)})
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(WeightFileError, match="is a folder"):
        save_params(tmp_path, {"W": np.ones(2)})
    with pytest.raises(WeightFileError, match="does not exist"):
        save_params(tmp_path / "no" / "w.npz", {"W": np.ones(2)})
    with pytest.raises(ValueError, match="meta must be a dict"):
        save_params(tmp_path / "w.npz", {"W": np.ones(2)}, meta=[1, 2])
    assert list(tmp_path.iterdir()) == []


def test_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    save_params("~/w.npz", {"W": np.ones(2)})
    assert (tmp_path / "w.npz").is_file()
    assert load_params("~/w.npz")[0]["W"].shape == (2,)


def _writer(path, value, count):
    for _ in range(count):
        save_params(path, {"W": np.full(5000, float(value)), "b": np.full(3, float(value))})


def _reader(path, count, queue):
    bad, seen = 0, set()
    for _ in range(count):
        try:
            params, _ = load_params(path)
        except WeightFileError:
            bad += 1
            continue
        values = set(np.unique(params["W"])) | set(np.unique(params["b"]))
        bad += len(values) != 1  # one writer's file, never a mixture
        seen |= values
    queue.put((bad, sorted(float(v) for v in seen)))


@pytest.mark.parametrize("writers, readers", [(4, 2), (2, 4)])
def test_concurrent_writers_and_readers_never_see_half_a_file(tmp_path, writers, readers):
    path = tmp_path / "shared.npz"
    save_params(path, {"W": np.zeros(5000), "b": np.zeros(3)})
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = ([context.Process(target=_writer, args=(path, k + 1, 40)) for k in range(writers)]
                 + [context.Process(target=_reader, args=(path, 200, queue))
                    for _ in range(readers)])
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in range(readers)]
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0  # every save succeeded (a failed save raises)
    assert [bad for bad, _ in results] == [0] * readers
    # The readers really ran while the file was being replaced: they saw several writers' files.
    assert len(set().union(*(seen for _, seen in results))) >= 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.npz"]  # no temporary left


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_escape_as_anything_but_weight_file_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("random") / "w.npz"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(WeightFileError):
            load_params(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # a 3 kB file never costs more than a megabyte to refuse


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=4), children, max_size=3),
                           max_leaves=8)


@pytest.mark.slow  # many generated files
@settings(max_examples=60, deadline=None)
@given(json_values, st.lists(st.integers(-2, 4), max_size=3))
def test_random_headers_never_escape_as_anything_but_weight_file_errors(tmp_path_factory,
                                                                        records, shape):
    path = tmp_path_factory.mktemp("headers") / "w.npz"
    entries = {f"{META_KEY}.npy": npy(np.array(header_text(records))),
               "W.npy": npy(np.ones([max(d, 0) for d in shape]))}
    write_zip(path, entries)
    try:
        load_params(path)
    except WeightFileError:
        pass


# --- structured hostile files: a valid zip, a JSON header and .npy entries, every field random -
# Each field is usually right and sometimes wrong, so that the examples reach every check (a
# header that is wrong everywhere would only ever exercise the first one).


def mostly(right, *wrong):
    return st.sampled_from([right] * (4 * len(wrong) + 4) + list(wrong))


def usually(right, wrong):
    """``right`` nine times in ten, ``wrong`` otherwise."""
    return st.integers(0, 9).flatmap(lambda k: wrong if k == 9 else right)


small_or_huge = usually(st.integers(0, 3), st.one_of(st.integers(2**20, 2**40 - 1),
                                                    st.integers(0, 2**63 - 1)))
shapes = st.lists(small_or_huge, max_size=3)
odd_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**41), st.text(max_size=4),
                       st.lists(st.integers(-1, 2**41), max_size=3))
records = st.dictionaries(
    mostly("W", "b", "W 1", "__meta__", ""),
    usually(st.fixed_dictionaries({"shape": shapes, "dtype": mostly("<f8", ">f8", "x")}),
            odd_values),
    max_size=2)
headers = st.fixed_dictionaries(
    {"format": mostly(FORMAT_NAME, "other", 1),
     "format_version": mostly(FORMAT_VERSION, 0, 2, "1", None),
     "params": usually(records, odd_values),
     "meta": usually(st.dictionaries(st.text(max_size=3), odd_values, max_size=2), odd_values)})


@st.composite
def entries_for(draw, header):
    """.npy entries for the header's records (or others), each declaring any dtype and shape,
    with the right amount of data or not, one sometimes compressed, one sometimes extra."""
    recorded = header["params"] if isinstance(header["params"], dict) else {}
    names = [key for key in recorded if key != META_KEY and draw(mostly(True, False))]
    names += draw(st.lists(st.sampled_from(["W", "b", "extra"]), max_size=1))
    entries = {}
    for key in dict.fromkeys(names):
        record = recorded.get(key)
        shape = record.get("shape") if isinstance(record, dict) else None
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)
                and draw(mostly(True, False))):
            shape = draw(shapes)
        descr = draw(mostly("<f8", ">f8", "<f4", "<i8", "|u1", "|O", "<U4", "|V8"))
        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buffer, {"descr": descr, "fortran_order": draw(st.booleans()), "shape": tuple(shape)})
        count = int(np.prod(shape)) if max(shape, default=0) < 64 else 0
        size = draw(mostly(8 * count, 0, 7, 8 * count + 8, 200))
        data = draw(mostly(b"\0", b"\xff")) * size  # zeros, or NaNs if read as float64
        entries[key] = (buffer.getvalue() + data, draw(mostly(zipfile.ZIP_STORED,
                                                              zipfile.ZIP_DEFLATED)))
    return entries


@pytest.mark.slow  # many generated files
@settings(max_examples=300, deadline=None)
@given(headers.flatmap(lambda header: st.tuples(st.just(header), entries_for(header))),
       mostly(False, True))
def test_random_structured_files_never_escape_and_stay_within_bounded_memory(
        tmp_path_factory, header_and_entries, header_not_a_string):
    header, entries = header_and_entries
    path = tmp_path_factory.mktemp("structured") / "w.npz"
    text = json.dumps(header)
    meta = npy(np.array(text) if not header_not_a_string else np.zeros(3))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{META_KEY}.npy", meta)
        for key, (data, compression) in entries.items():
            archive.writestr(f"{key}.npy", data, compress_type=compression)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        params, _ = load_params(path)
    except WeightFileError:
        params = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # Whatever the header declares (up to 2**63 values a dimension), memory stays a small
    # multiple of the file's own size: sizes are refused before anything is allocated.
    assert peak < 1_000_000 + 20 * size
    if params is not None:  # accepted: then it is exactly what its header records
        assert sorted(params) == sorted(header["params"])
        for key, array in params.items():
            assert array.dtype == np.float64 and list(array.shape) == header["params"][key]["shape"]
            assert np.all(array == 0)


def test_a_product_of_huge_dimensions_cannot_wrap_around(tmp_path):
    # 2**64 values: in int64 arithmetic the count wraps around to 0; and no data at all
    path = file_declaring(tmp_path / "wrap.npz", [2**32, 2**32])
    with pytest.raises(WeightFileError, match=r"W holds 0 bytes, not 147573952589676412928"):
        load_params(path)
