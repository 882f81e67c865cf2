"""tasks.py: clear errors for bad arguments, and a set-up that repairs a broken .venv."""

import importlib.util
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_task(*args):
    return subprocess.run([sys.executable, str(ROOT / "tasks.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["determinism", "--repeat"], "--repeat needs a whole number of runs >= 1, got 'nothing'"),
    (["determinism", "--repeat", "two"], "got 'two'"),
    (["determinism", "--repeat", "0"], "got '0'"),
    (["determinism", "--fast"], "determinism does not know --fast"),
    (["determinism", "99_nothing"], "No such notebook: 99_nothing"),
    (["benchmark", "nosuch"], "No such benchmark: nosuch. Choose from:"),
    (["grade", "/nonexistent"], "grade: '/nonexistent' is not a folder; give the folder"),
    (["grade", "README.md"], "grade: 'README.md' is not a folder"),
])
def test_bad_arguments_stop_at_once_with_a_message(args, message):
    result = run_task(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, nothing else
    assert "pip install" not in result.stdout  # nothing was installed first


@pytest.fixture
def tasks_module(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("requirements.txt", "constraints.txt", "pyproject.toml"):
        (tmp_path / name).write_text(name)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "VENV_PYTHON", tmp_path / ".venv" / "bin" / "python")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / ".course-env-stamp")
    return module


def test_a_venv_without_pip_is_rebuilt(tasks_module, tmp_path, monkeypatch):
    broken = tmp_path / ".venv" / "bin"
    broken.mkdir(parents=True)
    (broken / "python").write_text("#!/bin/sh\nexit 1\n")  # a Python that cannot import pip
    (broken / "python").chmod(0o755)
    calls = []

    def fake_create():
        calls.append("create")
        assert not (tmp_path / ".venv").exists()  # the broken one was removed first
        broken.mkdir(parents=True)
        (broken / "python").symlink_to(sys.executable)

    monkeypatch.setattr(tasks_module, "_create_venv", fake_create)
    monkeypatch.setattr(tasks_module, "_run", lambda command, **kwargs: calls.append(command[1:3]))
    tasks_module.ensure_environment()
    assert calls[0] == "create"
    assert tasks_module.STAMP.read_text() == tasks_module._env_fingerprint()


def test_two_set_ups_at_once_run_one_after_the_other(tasks_module, tmp_path, monkeypatch):
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    active, overlaps, runs = [0], [], []

    def slow_setup(fingerprint):
        active[0] += 1
        overlaps.append(active[0])
        time.sleep(0.3)
        runs.append(fingerprint)
        tasks_module.STAMP.write_text(fingerprint)
        active[0] -= 1

    monkeypatch.setattr(tasks_module, "_set_up_environment", slow_setup)
    threads = [threading.Thread(target=tasks_module.ensure_environment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert max(overlaps) == 1  # never two at once
    assert len(runs) == 1      # the second found the environment ready


def _kernel_stderr(ipython_dir: Path, folder: Path) -> str:
    """Start an IPython kernel over TCP as papermill and nbval do, run one cell, stop it."""
    import os

    from jupyter_client import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    connection, _ = write_connection_file(str(folder / "kernel.json"), ip="127.0.0.1")
    kernel = subprocess.Popen([sys.executable, "-m", "ipykernel_launcher", "-f", connection],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "IPYTHONDIR": str(ipython_dir)})
    client = BlockingKernelClient(connection_file=connection)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive("1 + 1", timeout=30)
    finally:
        client.shutdown()
        client.stop_channels()
        kernel.wait(timeout=30)
    return kernel.stderr.read()


def test_kernels_started_by_tasks_do_not_print_the_unencrypted_tcp_notice(tasks_module,
                                                                          tmp_path, monkeypatch):
    monkeypatch.setattr(tasks_module, "BUILD", tmp_path / "build")
    tasks_module._prepare_ipython_dir()
    notice = "running over TCP without encryption"
    # Without the course's kernel configuration the notice is printed (so the test can fail)...
    assert notice in _kernel_stderr(tmp_path / "plain", tmp_path)
    # ...and with the IPYTHONDIR that tasks.py gives every kernel it is not.
    assert notice not in _kernel_stderr(tmp_path / "build" / "ipython", tmp_path)
