"""nnlib.notebook: unknown papermill parameters, output paths, budgets."""

import os

import nbformat
import pytest

from nnlib.notebook import (check_budget, check_output_path, check_papermill_parameters,
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


def test_papermill_with_a_misspelt_parameter_stops_naming_the_known_ones(tmp_path):
    import papermill

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(
        "import nnlib.notebook\nnnlib.notebook.check_papermill_parameters()\nprint('ran')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, tmp_path / "n.ipynb")
    papermill.execute_notebook(str(tmp_path / "n.ipynb"), str(tmp_path / "ok.ipynb"),
                               parameters={"seed": 2}, progress_bar=False)
    with pytest.raises(papermill.PapermillExecutionError, match="Unknown parameter nosuch: this "
                       "notebook's parameters are seed, learning_rate"):
        papermill.execute_notebook(str(tmp_path / "n.ipynb"), str(tmp_path / "bad.ipynb"),
                                   parameters={"nosuch": 1}, progress_bar=False)


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
