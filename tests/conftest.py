"""Test configuration shared by every test file."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hypothesis import settings

# The test command must give the same verdict on every run: hypothesis draws its examples from
# a fixed seed. To search harder for new counterexamples, run
#   .venv/bin/python -m pytest tests/test_properties.py --hypothesis-profile=explore
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=1000, derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory):
    """A Dask scheduler and one worker, each its own process, on 127.0.0.1 only."""
    folder = tmp_path_factory.mktemp("dask")
    address_file = folder / "scheduler.json"
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    common = dict(cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1",
                                   "--port", "0", "--no-dashboard", "--scheduler-file",
                                   str(address_file)], **common)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start within 60 s"
            time.sleep(0.2)
        processes.append(subprocess.Popen(
            [str(bin_dir / "dask"), "worker", "--scheduler-file", str(address_file), "--host",
             "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], **common))
        yield json.loads(address_file.read_text())["address"]
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)
