"""Weight files: the failure cases of issue 31 (different-size writers, long names, save errors,
stale temporary files, special files, a header that describes a far bigger model)."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from nnlib.model import load_model, save_model
from nnlib.serialization import WeightFileError, load_params, save_params
from nnlib.twolayer import TwoLayerNet


def _sized_writer(path, size, count):
    for _ in range(count):
        save_params(path, {"W": np.full(size, float(size))})


def _sized_reader(path, count, queue):
    bad, sizes = [], set()
    for _ in range(count):
        try:
            params, _ = load_params(path)
        except WeightFileError as error:
            bad.append(str(error))
            continue
        values = np.unique(params["W"])
        if len(values) != 1 or values[0] != params["W"].size:
            bad.append("mixed")
        sizes.add(params["W"].size)
    queue.put((bad, sorted(sizes)))


def test_writers_of_different_sizes_never_make_a_reader_fail(tmp_path):
    # the size check must read the file actually opened, not whatever the path names later
    path = tmp_path / "shared.npz"
    save_params(path, {"W": np.full(10, 10.0)})
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    writers = [context.Process(target=_sized_writer, args=(path, size, 150))
               for size in (10, 20_000)]
    readers = [context.Process(target=_sized_reader, args=(path, 1000, queue)) for _ in range(2)]
    for process in writers + readers:
        process.start()
    results = [queue.get(timeout=300) for _ in readers]
    for process in writers + readers:
        process.join(timeout=300)
        assert process.exitcode == 0
    assert [bad[:3] for bad, _ in results] == [[], []]       # 0 errors in 2 000 loads
    assert set().union(*(sizes for _, sizes in results)) == {10, 20_000}  # they did overlap


def test_the_longest_legal_name_saves_and_loads(tmp_path):
    path = tmp_path / ("w" * 251 + ".npz")                    # 255 bytes, the file-system limit
    save_params(path, {"W": np.ones(3)})
    assert load_params(path)[0]["W"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_saving_into_a_read_only_folder_is_a_weight_file_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WeightFileError, match="Could not write 'w.npz'.*permissions"):
            save_params(folder / "w.npz", {"W": np.ones(2)})
    finally:
        folder.chmod(0o700)


def test_saving_on_a_read_only_file_system_is_a_weight_file_error(tmp_path):
    # as root, a read-only bind mount is the one place writing fails for permissions
    if os.geteuid() != 0:
        pytest.skip("needs root to mount")
    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        with pytest.raises(WeightFileError, match="Could not write 'w.npz'.*Read-only"):
            save_params(folder / "w.npz", {"W": np.ones(2)})
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_killed_save_leaves_nothing_the_next_save_does_not_remove(tmp_path):
    path = tmp_path / "w.npz"
    code = ("import numpy as np, os, signal\n"
            "import nnlib.serialization as s\n"
            "real = os.replace\n"
            "def die(*args):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "s.os.replace = die\n"
            f"s.save_params({str(path)!r}, {{'W': np.ones(1000)}})\n")
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    stale = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert len(stale) == 1 and stale[0].stat().st_size > 8000   # the killed save's full file
    save_params(path, {"W": np.zeros(2)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    path = tmp_path / "w.npz"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        from nnlib.serialization import _partial_prefix
        live = tmp_path / (_partial_prefix(path, pid=sleeper.pid) + "abc.partial")
        live.write_bytes(b"being written")
        save_params(path, {"W": np.zeros(2)})
        assert live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_loading_something_that_is_not_a_file_says_what_it_is(tmp_path, kind):
    if kind == "folder":
        path, message = tmp_path, "is a folder, not a weight file"
    elif kind == "fifo":
        path, message = tmp_path / "pipe", "not a regular file"
        os.mkfifo(path)
    else:
        path, message = "/dev/zero", "not a regular file"
    start = time.monotonic()
    with pytest.raises(WeightFileError, match=message):
        load_params(path)
    assert time.monotonic() - start < 1.0


def test_a_header_describing_a_far_bigger_model_is_refused_at_once(tmp_path):
    path = tmp_path / "edited.npz"
    save_model(path, TwoLayerNet(2, 3, 1, rng=np.random.default_rng(0)))
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(str(np.load(io.BytesIO(entries["__meta__.npy"]))))
    meta["meta"]["config"].update(input_size=20_000, hidden_size=20_000)
    new = np.array(json.dumps(meta, sort_keys=True))
    from nnlib.serialization import _npy_bytes
    entries["__meta__.npy"] = _npy_bytes(new)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    start = time.monotonic()
    with pytest.raises(WeightFileError, match="cannot be built.*budget"):
        load_model(path)
    assert time.monotonic() - start < 1.0
