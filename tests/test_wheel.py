"""The package as a teacher's JupyterHub image would get it: a wheel, not an editable install.

From a clean copy of the tracked files: build the wheel, check it holds every module of the
source tree, install it (no ``-e``) into a fresh virtual environment, import every module
there, and execute notebook 01 in a kernel running that environment's Python. The fresh
environment borrows the course environment's third-party packages (numpy, matplotlib, ...)
through a ``.pth`` line, which adds their folder but not the editable install's finder, so
``import nnlib`` can only find the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # left out by `python3 tasks.py test --fast`


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the clean copy is made from git's file list")
    return [line for line in listed.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    for name in _tracked_files():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(source)], check=True,
                   timeout=300)
    wheel = next(dist.glob("nnlib-*.whl"))
    venv = base / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "course-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, timeout=300)
    return {"wheel": wheel, "python": python, "site": site, "base": base}


def test_the_wheel_ships_every_module(installed):
    with zipfile.ZipFile(installed["wheel"]) as archive:
        shipped = {name for name in archive.namelist() if name.endswith(".py")}
    sources = {path.relative_to(ROOT).as_posix() for path in (ROOT / "nnlib").rglob("*.py")
               if "__pycache__" not in path.parts}
    assert sources - shipped == set()


def _environment() -> dict:
    # No PYTHONPATH: the fresh interpreter must find nnlib through its own site folder only.
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_every_module_imports_from_the_installed_wheel(installed):
    code = ("import importlib, pkgutil, nnlib\n"
            "assert nnlib.__file__.startswith(%r), nnlib.__file__\n"
            "names = [m.name for m in pkgutil.walk_packages(nnlib.__path__, 'nnlib.')]\n"
            "[importlib.import_module(name) for name in names]\n"
            "print(len(names))" % str(installed["site"]))
    result = subprocess.run([str(installed["python"]), "-c", code], capture_output=True,
                            text=True, cwd=installed["base"], env=_environment(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 20


def test_notebook_01_runs_against_the_installed_wheel(installed, tmp_path):
    import nbformat
    import papermill

    kernels = tmp_path / "jupyter" / "kernels" / "nnlib-wheel"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(installed["python"]), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "nnlib from the wheel", "language": "python"}))
    notebook = nbformat.read(ROOT / "notebooks" / "01_single_neuron.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import nnlib\nprint(nnlib.__file__)"))
    source = tmp_path / "01.ipynb"
    nbformat.write(notebook, source)
    if (ROOT / "notebooks" / "data").is_dir():
        shutil.copytree(ROOT / "notebooks" / "data", tmp_path / "data")
    previous = {key: os.environ.get(key) for key in ("JUPYTER_PATH", "PYTHONPATH")}
    os.environ["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    os.environ.pop("PYTHONPATH", None)
    try:
        papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"),
                                   kernel_name="nnlib-wheel", cwd=str(tmp_path),
                                   progress_bar=False, log_output=False)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    printed = "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    assert printed.strip().startswith(str(installed["site"]))
