"""tasks.py: clear errors for bad arguments and old Pythons, a set-up that proves and repairs
.venv, failure messages about this run, and ``lab`` as root."""

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import course_env  # noqa: E402
import notebook_run  # noqa: E402


def run_task(*args, python=sys.executable, cwd=ROOT):
    return subprocess.run([python, str(cwd / "tasks.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["determinism", "--repeat"], "argument --repeat: expected one argument"),
    (["determinism", "--repeat", "two"], "needs a whole number of runs >= 1, got 'two'"),
    (["determinism", "--repeat", "0"], "got '0'"),
    (["determinism", "--fast"], "determinism does not know --fast"),
    (["determinism", "99_nothing"], "No such notebook: 99_nothing"),
    (["course", "--solutions"], "course does not know --solutions"),
    (["nosuchtask"], "invalid choice: 'nosuchtask'"),
    (["benchmark", "nosuch"], "No such benchmark: nosuch. Choose from:"),
    pytest.param(["grade", "/nonexistent"], "grade: '/nonexistent' is not a folder; give the "
                 "folder", marks=pytest.mark.slow),  # slow: the classroom imports nbgrader
    pytest.param(["grade", "README.md"], "grade: 'README.md' is not a folder",
                 marks=pytest.mark.slow),
])
def test_bad_arguments_stop_at_once_with_a_message(args, message):
    result = run_task(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, nothing else
    assert "pip install" not in result.stdout  # nothing was installed first


def test_help_lists_every_task():
    result = run_task("--help")
    assert result.returncode == 0
    for task in ("course", "test", "lab", "refresh", "determinism", "pythons", "grade"):
        assert f"\n    {task}" in result.stdout


# ------------------------------------------------------------------------------------------
# The supported Pythons

def test_the_python_range_is_the_same_in_pyproject_readme_and_tasks():
    low = ".".join(map(str, course_env.MINIMUM_PYTHON))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={low}"
    assert f"Python {low} or newer" in (ROOT / "README.md").read_text()
    assert course_env.TESTED_PYTHONS[0] == low


@pytest.mark.parametrize("version, refused", [((3, 10, 13), True), ((3, 6, 15), True),
                                              ((3, 11, 0), False), ((3, 13, 1), False)])
def test_python_refusal_names_the_range_and_how_to_get_one(version, refused):
    message = course_env.python_refusal(version, "/usr/bin/python3")
    assert (message is not None) == refused
    if refused:
        assert f"Python {'.'.join(map(str, version))}" in message
        assert "needs Python 3.11 or newer" in message and "pyenv install 3.11" in message
        assert "\n" not in message


def _old_pythons():
    """One interpreter each of 3.6, 3.8 and 3.10 from pyenv, where this machine has them."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for minor in (6, 8, 10):
        found += sorted(versions.glob(f"3.{minor}.*/bin/python3"))[:1]
    return found


@pytest.mark.parametrize("python", _old_pythons() or [None],
                         ids=lambda path: path.parts[-3] if path else "none")
def test_an_old_python_is_refused_in_one_line_before_any_venv(python, tmp_path):
    if python is None:
        pytest.skip("no Python older than 3.11 on this machine")
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tasks.py", tmp_path)
    shutil.copy(ROOT / "tools" / "course_env.py", tmp_path / "tools")
    env = {key: value for key, value in os.environ.items() if not key.startswith("NN_FROM")}
    result = subprocess.run([str(python), "tasks.py", "course"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("nn-from-scratch needs Python 3.11 or newer")
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert not (tmp_path / ".venv").exists()


# ------------------------------------------------------------------------------------------
# The environment: set-up, proof, repair (on fake environments: no real installs)

@pytest.fixture
def environment(tmp_path):
    for name in course_env.ENV_INPUTS:
        (tmp_path / name).write_text(name)
    return course_env.Environment(tmp_path)


def fake_venv(environment, broken=()):
    """A real (pip-less) venv whose key packages are tiny stand-ins; ``broken`` ones lose a
    file, as a damaged installation would."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment.venv)],
                   check=True)
    site = next(environment.venv.glob("lib/python3*/site-packages"))
    for module, distribution in course_env.KEY_PACKAGES.items():
        (site / module).mkdir()
        (site / module / "__init__.py").write_text("from .execute import run\n")
        (site / module / "execute.py").write_text("def run():\n    pass\n")
        record = site / f"{distribution}-1.0.dist-info"  # what pip records of an installation
        record.mkdir()
        (record / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\n"
                                         "Version: 1.0\n")
        (record / "RECORD").write_text(f"{module}/__init__.py,,\n{module}/execute.py,,\n"
                                       f"{record.name}/METADATA,,\n{record.name}/RECORD,,\n")
    for module in broken:
        (site / module / "execute.py").unlink()
    environment.stamp.write_text(environment.fingerprint())
    return site


def test_the_probe_finds_a_deleted_file_and_a_deleted_init(environment):
    site = fake_venv(environment)
    assert environment.broken_packages() == {}
    (site / "papermill" / "execute.py").unlink()
    (site / "numpy" / "__init__.py").unlink()
    broken = environment.broken_packages()
    assert sorted(broken) == ["numpy", "papermill"]
    assert "1 installed file(s) missing, e.g. papermill/execute.py" in broken["papermill"]
    assert "numpy/__init__.py" in broken["numpy"]


def test_the_probe_imports_the_light_packages(environment):
    site = fake_venv(environment)
    (site / "matplotlib" / "execute.py").write_text("raise ImportError('a broken build')\n")
    assert environment.broken_packages() == {"matplotlib": "ImportError: a broken build"}


def test_a_damaged_package_is_reinstalled_while_the_stamp_matches(environment, monkeypatch,
                                                                  capsys):
    site = fake_venv(environment, broken=["papermill"])
    commands = []

    def fake_pip(command, check=True):  # "reinstalls" by putting the file back
        commands.append(command)
        (site / "papermill" / "execute.py").write_text("def run():\n    pass\n")
        return 0

    monkeypatch.setattr(environment, "run", fake_pip)
    monkeypatch.setattr(environment, "set_up", lambda fingerprint: pytest.fail("rebuilt"))
    environment.ensure()
    assert len(commands) == 1
    assert "--force-reinstall" in commands[0] and commands[0][-1] == "papermill"
    assert "papermill is broken" in capsys.readouterr().out
    assert environment.broken_packages() == {}


def test_a_venv_that_reinstalling_cannot_fix_is_rebuilt(environment, monkeypatch):
    fake_venv(environment, broken=["nbgrader"])
    monkeypatch.setattr(environment, "run", lambda command, check=True: 0)  # fixes nothing
    rebuilt = []
    monkeypatch.setattr(environment, "set_up", rebuilt.append)
    environment.ensure()
    assert not environment.venv.exists()  # removed before the set-up
    assert rebuilt == [environment.fingerprint()]


def test_a_working_venv_with_a_matching_stamp_is_left_alone(environment, monkeypatch):
    fake_venv(environment)
    monkeypatch.setattr(environment, "run", lambda *a, **k: pytest.fail("ran " + str(a)))
    monkeypatch.setattr(environment, "set_up", lambda fingerprint: pytest.fail("set up"))
    environment.ensure()


def test_a_venv_without_pip_is_rebuilt(environment, monkeypatch):
    broken = environment.venv / "bin"
    broken.mkdir(parents=True)
    (broken / "python").write_text("#!/bin/sh\nexit 1\n")  # a Python that cannot import pip
    (broken / "python").chmod(0o755)
    calls = []

    def fake_create():
        calls.append("create")
        assert not environment.venv.exists()  # the broken one was removed first
        fake_venv(environment)

    monkeypatch.setattr(environment, "create", fake_create)
    monkeypatch.setattr(environment, "run", lambda command, **kwargs: calls.append(command[1:3]))
    environment.ensure()
    assert calls[0] == "create"
    assert environment.stamp.read_text() == environment.fingerprint()


def test_a_venv_made_by_another_python_is_rebuilt(environment, monkeypatch, capsys):
    fake_venv(environment)
    config = environment.venv / "pyvenv.cfg"
    config.write_text(config.read_text().replace("version = 3.", "version = 2."))
    environment.stamp.unlink()
    monkeypatch.setattr(environment, "create", lambda: fake_venv(environment))
    monkeypatch.setattr(environment, "run", lambda command, **kwargs: 0)
    environment.ensure()
    assert "was made by Python 2." in capsys.readouterr().out
    assert environment.venv_python_version() == f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_two_set_ups_at_once_run_one_after_the_other(environment, monkeypatch):
    (environment.venv / "bin").mkdir(parents=True)
    (environment.venv / "bin" / "python").symlink_to(sys.executable)
    active, overlaps, runs = [0], [], []

    def slow_setup(fingerprint):
        active[0] += 1
        overlaps.append(active[0])
        time.sleep(0.3)
        runs.append(fingerprint)
        environment.stamp.write_text(fingerprint)
        active[0] -= 1

    monkeypatch.setattr(environment, "set_up", slow_setup)
    monkeypatch.setattr(environment, "broken_packages", lambda: {})
    threads = [threading.Thread(target=environment.ensure) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert max(overlaps) == 1  # never two at once
    assert len(runs) == 1      # the second found the environment ready


# ------------------------------------------------------------------------------------------
# Running notebooks

@pytest.fixture
def tasks_module(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "BUILD", tmp_path / "build")
    monkeypatch.setattr(module, "NOTEBOOKS", tmp_path / "notebooks")
    (tmp_path / "notebooks").mkdir()
    for stem in ("01_good", "02_bad", "03_dies"):
        (tmp_path / "notebooks" / f"{stem}.ipynb").write_text("{}")
    return module


@pytest.mark.parametrize("jobs", [["--jobs", "1"], []], ids=["in-process", "two-processes"])
def test_course_failures_name_the_files_this_run_wrote(tasks_module, tmp_path, monkeypatch,
                                                       capsys, jobs):
    import nbformat

    stale = tmp_path / "build" / "notebooks" / "03_dies.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("an executed copy from an earlier run")

    def fake_execute(source, target):
        if source.stem == "03_dies":
            raise RuntimeError("Kernel died before replying")
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "print('ok')", metadata={"tags": ["headline"]},
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="ok\n")])])
        nbformat.write(notebook, target)
        if source.stem == "02_bad":
            raise RuntimeError("ValueError: bad")

    monkeypatch.setattr(notebook_run, "execute_notebook", fake_execute)
    with pytest.raises(SystemExit) as stopped:
        tasks_module.task_course(tasks_module.parse(["course", *jobs]))
    message = str(stopped.value)
    assert message.startswith("2 notebook(s) failed")
    assert "02_bad (see build/notebooks/02_bad.ipynb, written by this run)" in message
    assert "03_dies (it stopped before writing an executed copy)" in message
    assert not stale.exists()  # the earlier run's copy cannot be mistaken for this one's
    assert "01_good              ok" in capsys.readouterr().out


def test_the_cpu_path_is_pinned_where_the_cpu_can_run_it(monkeypatch):
    import numpy._core._multiarray_umath as umath

    pinned = notebook_run.pinned_cpu_path()
    if not umath.__cpu_features__.get("X86_V3"):
        assert pinned == {}  # no AVX2 (or not x86): nothing to pin
        return
    assert pinned["OPENBLAS_CORETYPE"] == "Haswell"
    # Only dispatch targets this NumPy has and this CPU runs are switched off: NumPy warns on
    # any other name, and a warning at import would be printed in every notebook.
    clean = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    result = subprocess.run([sys.executable, "-W", "error", "-c", "import numpy"],
                            env={**clean, **pinned}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    # A value the caller sets wins over the pinned one.
    env = notebook_run.execution_environment({"OPENBLAS_CORETYPE": "Sandybridge"})
    assert env["OPENBLAS_CORETYPE"] == "Sandybridge"
    assert notebook_run.execution_environment({})["OPENBLAS_CORETYPE"] == "Haswell"


def test_one_execution_environment_for_every_runner():
    env = notebook_run.execution_environment({"PATH": "/bin"}, OPENBLAS_NUM_THREADS="2")
    assert env["PATH"] == "/bin" and env["OPENBLAS_NUM_THREADS"] == "2"
    assert env["MKL_NUM_THREADS"] == "1" and env["IPYTHONDIR"].endswith("build/ipython")
    # Nothing else in the repository writes its own copy of these settings or calls papermill
    # (but the wheel test, which runs a notebook on purpose in the wheel's own kernel).
    for path in [ROOT / "tasks.py", *ROOT.glob("tools/**/*.py"), *ROOT.glob("tests/*.py")]:
        if path.name in ("notebook_run.py", "test_wheel.py", "test_tasks.py"):
            continue
        text = path.read_text()
        assert "papermill.execute_notebook" not in text, path
        assert "PYDEVD_DISABLE_FILE_VALIDATION" not in text, path  # a copied environment
        assert "MKL_NUM_THREADS" not in text, path


def test_fast_mode_leaves_out_the_slow_tests_and_nbval(tasks_module, monkeypatch):
    monkeypatch.setattr(tasks_module, "ROOT", ROOT)
    monkeypatch.setattr(tasks_module, "NOTEBOOKS", ROOT / "notebooks")
    fast = tasks_module.test_command(True, ["-x"])
    full = tasks_module.test_command(False, [])
    assert fast[fast.index("-m", 2) + 1] == "not slow" and "--nbval" not in fast
    assert fast[-1] == "-x"
    assert "--nbval" in full and "not slow" not in full
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["markers"]
    assert any(marker.startswith("slow:") for marker in markers)


# ------------------------------------------------------------------------------------------
# JupyterLab as root

def test_lab_passes_allow_root_only_for_root(tasks_module, capsys):
    assert tasks_module.lab_arguments(["--no-browser"], 0) == ["--no-browser", "--allow-root"]
    assert "passing --allow-root" in capsys.readouterr().out
    assert tasks_module.lab_arguments(["--no-browser"], 1000) == ["--no-browser"]
    assert capsys.readouterr().out == ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow  # starts a JupyterLab server
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: JupyterLab's root check")
def test_lab_as_root_starts_and_serves(tmp_path):
    port, token = _free_port(), "course-test-token"
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        lab = subprocess.Popen([sys.executable, str(ROOT / "tasks.py"), "lab", "--solutions",
                                "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                                f"--IdentityProvider.token={token}"],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and lab.poll() is None and status != 200:
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                            timeout=5) as response:
                    status = response.status
            except OSError:
                continue
        assert status == 200, log.read_text()[-2000:]
        assert "passing --allow-root to JupyterLab" in log.read_text()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(timeout=30)


def _kernel_stderr(ipython_dir: Path, folder: Path) -> str:
    """Start an IPython kernel over TCP as papermill and nbval do, run one cell, stop it."""
    from jupyter_client import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    connection, _ = write_connection_file(str(folder / "kernel.json"), ip="127.0.0.1")
    kernel = subprocess.Popen([sys.executable, "-m", "ipykernel_launcher", "-f", connection],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "IPYTHONDIR": str(ipython_dir)})
    client = BlockingKernelClient(connection_file=connection)
    client.load_connection_file()
    # No heartbeat: on a loaded machine a late beat would be taken for a dead kernel.
    client.start_channels(hb=False)
    try:
        client.wait_for_ready(timeout=120)
        client.execute_interactive("1 + 1", timeout=60)
    finally:
        client.shutdown()
        client.stop_channels()
        try:
            kernel.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kernel.kill()  # the kernel this test started, and nothing else
            kernel.wait(timeout=30)
    return kernel.stderr.read()


def test_kernels_started_by_tasks_do_not_print_the_unencrypted_tcp_notice(tmp_path):
    notebook_run.prepare_ipython_dir(tmp_path / "build" / "ipython")
    notice = "running over TCP without encryption"
    # Without the course's kernel configuration the notice is printed (so the test can fail)...
    assert notice in _kernel_stderr(tmp_path / "plain", tmp_path)
    # ...and with the IPYTHONDIR that tasks.py gives every kernel it is not.
    assert notice not in _kernel_stderr(tmp_path / "build" / "ipython", tmp_path)
