"""course.notebook: unknown papermill parameters, output paths, budgets."""

import os
import sys
from pathlib import Path

import nbformat
import pytest

from course.notebook import (check_budget, check_output_path, check_papermill_parameters,
                            unknown_parameters)

PARAMETERS = "seed: int = 0  # the seed\nlearning_rate: float = 0.1  # step\n"


def test_unknown_parameters_compares_the_injected_cell_with_the_parameters_cell():
    injected = "# Parameters\nseed = 3\nlearning_rte = 0.5\n"
    assert unknown_parameters([PARAMETERS, injected, "x = 1"]) == (
        ["learning_rte"], ["seed", "learning_rate"])
    assert unknown_parameters([PARAMETERS, "# Parameters\nseed = 3\n"])[0] == []
    assert unknown_parameters([PARAMETERS, "y = 2"])[0] == []  # no injection: nothing to check
    assert unknown_parameters([]) == ([], [])


def test_outside_ipython_the_check_does_nothing():
    check_papermill_parameters()


@pytest.mark.slow  # papermill runs
def test_papermill_with_a_misspelt_parameter_stops_naming_the_known_ones(tmp_path):
    import papermill

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(
        "import course.notebook\ncourse.notebook.check_papermill_parameters()\nprint('ran')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, tmp_path / "n.ipynb")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from notebook_run import execute_notebook  # how the course runs a notebook

    execute_notebook(tmp_path / "n.ipynb", tmp_path / "ok.ipynb", parameters={"seed": 2},
                     cwd=tmp_path)
    with pytest.raises(papermill.PapermillExecutionError, match="Unknown parameter nosuch: this "
                       "notebook's parameters are seed, learning_rate"):
        execute_notebook(tmp_path / "n.ipynb", tmp_path / "bad.ipynb", parameters={"nosuch": 1},
                         cwd=tmp_path)


def test_output_paths_are_expanded_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert check_output_path("results_path", "~/r.json", ".json") == tmp_path / "r.json"
    with pytest.raises(ValueError, match="results_path is a folder"):
        check_output_path("results_path", tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        check_output_path("results_path", tmp_path / "no" / "r.json")
    with pytest.raises(ValueError, match="must be a path ending in .json"):
        check_output_path("results_path", tmp_path / "r.txt", ".json")
    with pytest.raises(ValueError, match="must be a file path"):
        check_output_path("results_path", 3)
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ValueError, match="cannot be written"):
            check_output_path("results_path", locked / "r.json")


def test_budget_names_the_parameter_and_the_estimate():
    check_budget("memory", 1.0, 2.0, "GB", "n_bits")
    with pytest.raises(ValueError, match=r"about 8.5 GB of memory, more than the 2 GB this "
                                         r"notebook allows: reduce n_bits"):
        check_budget("memory", 8.5, 2, "GB", "n_bits")
    with pytest.raises(ValueError, match=r"could need up to 19.4 minutes of running time, more "
                                         r"than the 10 minutes this notebook allows: reduce "
                                         r"n_seeds, or raise batch_size\.$"):
        check_budget("running time", 19.43, 10, "minutes", "n_seeds, or raise batch_size",
                     upper_bound=True)


def _mounted_tmpfs(folder, options):
    """Mount a small tmpfs on ``folder`` (root only; otherwise the test is skipped)."""
    import shutil
    import subprocess

    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    return folder


def _unmount(folder):
    import subprocess

    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_found_before_any_work(tmp_path):
    disk = _mounted_tmpfs(tmp_path / "disk", "size=64k")
    try:
        with open(disk / "filler", "wb") as filler:
            try:
                filler.write(bytes(1 << 20))
                filler.flush()
            except OSError:
                pass  # the disk is now full
        with pytest.raises(ValueError, match=r"^results_path: '.*r\.json' cannot be written here "
                                             r"\(No space left on device\)"):
            check_output_path("results_path", disk / "r.json", ".json")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no probe left behind
    finally:
        _unmount(disk)


def test_a_read_only_file_system_is_found_even_as_root(tmp_path):
    disk = _mounted_tmpfs(tmp_path / "disk", "size=64k,ro")
    try:
        with pytest.raises(ValueError, match=r"cannot be written here \(Read-only file system\)"):
            check_output_path("results_path", disk / "r.json", ".json")
    finally:
        _unmount(disk)


# --- the validation cells of the notebooks, run alone (no kernel: fast) ------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run_validation_cell(stem, **parameters):
    """Run a notebook's parameters cell, then ``parameters`` as papermill would inject them,
    then its validation cell (the next code cell); return the namespace."""
    path = next(NOTEBOOKS.glob(f"{stem}_*.ipynb"))
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    namespace = {}
    exec(compile(cells[0], f"{path.name}[parameters]", "exec"), namespace)
    namespace.update(parameters)
    exec(compile(cells[1], f"{path.name}[validation]", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("stem", ["01", "02", "03", "04", "05", "07", "08", "10"])
def test_the_default_parameters_pass_every_budget(stem, capsys):
    run_validation_cell(stem)


@pytest.mark.parametrize("stem, parameters", [("04", dict(epochs=2000)), ("05", dict(epochs=500))])
def test_the_largest_documented_epochs_pass_the_budget(stem, parameters):
    # A documented maximum must be usable with the other parameters at their defaults.
    run_validation_cell(stem, **parameters)


@pytest.mark.parametrize("stem, parameters, message", [
    # notebook 02 printing every epoch of 100 000: 100 000 lines
    ("02", dict(print_every=1, epochs=100_000), r"about 1e\+05 printed lines of output, more "
     r"than the 1000 printed lines this notebook allows: reduce print_every \(or epochs\)"),
    # notebook 04 scoring 16 384 pairs at 128 bits with 256 hidden units (8.5 GB measured)
    ("04", dict(test_pairs=16_384, hidden_size=256), r"about 12.9 GB of memory, more than the "
     r"2 GB this notebook allows: reduce test_pairs, n_bits or hidden_size"),
    # notebook 04 scoring all 262 144 pairs of 10 bits after every epoch, 64 hidden units
    ("04", dict(n_bits=10, hidden_size=64), r"about 3.36 GB of memory"),
    # notebook 04 training two networks of 64 hidden units for its longest 2 000 epochs
    ("04", dict(epochs=2000, hidden_size=64), r"could need up to 45.8 minutes of running time, "
     r"more than the 20 minutes this notebook allows: reduce epochs, n_bits, hidden_size or "
     r"test_pairs"),
    # notebook 03: one example per update, ten seeds, no run stopping early
    ("03", dict(batch_size=1, n_seeds=10), r"could need up to 67.\d minutes of running time, more "
     r"than the 20 minutes this notebook allows: reduce n_seeds or epochs, or raise batch_size"),
    # notebook 05: 262 144 pairs of 10 bits through 64 hidden units per direction
    ("05", dict(n_bits=10, hidden_size=64), r"about 6.04 GB of memory, more than the 2 GB this "
     r"notebook allows: reduce n_bits or hidden_size"),
    ("05", dict(epochs=500, hidden_size=64), r"could need up to 50.\d minutes of running time, "
     r"more than the 20 minutes this notebook allows: reduce epochs, n_bits or hidden_size, or "
     r"raise batch_size"),
    ("05", dict(batch_size=1, n_bits=10, held_out=0.01), r"could need up to \d+ minutes of "
     r"running time"),
])
def test_enormous_combinations_stop_in_the_validation_cell(stem, parameters, message):
    with pytest.raises(ValueError, match=message):
        run_validation_cell(stem, **parameters)


def test_notebook_05_checks_its_results_path_before_training(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    namespace = run_validation_cell("05", results_path="~/r.json")
    assert namespace["results_path"] == str(tmp_path / "r.json")
    assert not (tmp_path / "~").exists() and list(tmp_path.iterdir()) == []
    for bad, message in ((str(tmp_path), "results_path is a folder"),
                         (str(tmp_path / "no" / "r.json"), "does not exist"),
                         (str(tmp_path / "r.txt"), "must be a path ending in .json")):
        with pytest.raises(ValueError, match=message):
            run_validation_cell("05", results_path=bad)


def test_a_401_digit_learning_rate_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^learning_rate must be a finite number .*got an "
                                         r"integer of 401 digits"):
        run_validation_cell("01", learning_rate=10**400)
