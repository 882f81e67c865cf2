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


def test_a_tiny_file_declaring_a_huge_shape_is_rejected_in_bounded_memory(tmp_path):
    shape = [100_000, 1_000_000]  # 1e11 float64 = 745 GiB
    records = {"W": {"shape": shape, "dtype": "<f8"}}
    fake_header = np.lib.format.header_data_from_array_1_0(np.ones(1))
    fake_header["shape"] = tuple(shape)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, fake_header)
    path = write_zip(tmp_path / "huge.npz", {f"{META_KEY}.npy": npy(np.array(header_text(records))),
                                             "W.npy": buffer.getvalue() + b"\0" * 16})
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
    bad = 0
    for _ in range(count):
        try:
            params, _ = load_params(path)
        except WeightFileError:
            bad += 1
            continue
        values = set(np.unique(params["W"])) | set(np.unique(params["b"]))
        bad += len(values) != 1  # one writer's file, never a mixture
    queue.put(bad)


def test_concurrent_writers_and_readers_never_see_half_a_file(tmp_path):
    path = tmp_path / "shared.npz"
    save_params(path, {"W": np.zeros(5000), "b": np.zeros(3)})
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    writers = [context.Process(target=_writer, args=(path, k + 1, 40)) for k in range(4)]
    readers = [context.Process(target=_reader, args=(path, 200, queue)) for _ in range(2)]
    for process in writers + readers:
        process.start()
    for process in writers + readers:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert [queue.get(timeout=5) for _ in readers] == [0, 0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.npz"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_escape_as_anything_but_weight_file_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("random") / "w.npz"
    path.write_bytes(data)
    with pytest.raises(WeightFileError):
        load_params(path)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=4), children, max_size=3),
                           max_leaves=8)


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
