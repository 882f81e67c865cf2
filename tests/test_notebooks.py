"""Rules every committed notebook keeps, and its papermill interface.

nbval (run by the same test command) compares every output; these tests check what nbval
cannot: how the notebook is built, and how it behaves with other parameters.
"""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from notebook_run import execute_notebook  # noqa: E402  (how the course runs a notebook)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


def test_kernel_and_execution(notebook):
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert "papermill" not in notebook.metadata  # refresh strips run-specific metadata
    for cell in code_cells(notebook):
        assert cell.execution_count is not None, cell.source[:60]
        assert "papermill" not in cell.metadata


def test_first_code_cell_is_an_annotated_and_commented_parameters_cell(notebook):
    first = code_cells(notebook)[0]
    assert "parameters" in first.metadata.get("tags", [])
    lines = [line for line in first.source.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert re.match(r"^\w+: (int|float|str|bool) = .+  # \S", line), line
    # Every parameter is checked, by name, before it is used: the second code cell calls its
    # chapter's course.parameters.chNN.check, whose rules name the same parameters in order.
    names = [ast.parse(line).body[0].target.id for line in lines]
    second = code_cells(notebook)[1].source
    match = re.search(r"^(ch\d\d)\.check\(globals\(\)\)", second, re.MULTILINE)
    assert match, "the second code cell must call its chapter's chNN.check(globals())"
    rules = importlib.import_module(f"course.parameters.{match.group(1)}").RULES
    assert [rule.name for rule in rules] == names, "the rules must name every parameter, in order"


def test_outputs_are_clean(notebook):
    for cell in code_cells(notebook):
        for output in cell.outputs:
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert "np.float64(" not in text, cell.source[:60]
            assert not re.search(r"(?<![\w.])-0\.0+(?![\d.]*[1-9])\b", text), text
            assert output.output_type != "error"
            assert output.get("name") != "stderr", f"stderr output: {text[:200]}"


def test_exactly_one_headline_cell_at_the_end(notebook):
    tagged = [c for c in code_cells(notebook) if "headline" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code_cells(notebook)[-1]
    assert tagged[0].outputs and tagged[0].outputs[0]["text"].strip()


@pytest.mark.slow  # a papermill process per notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_help_notebook_documents_every_parameter(path):
    out = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(path)],
                         capture_output=True, text=True, check=True).stdout
    source = code_cells(nbformat.read(path, as_version=4))[0].source
    for line in source.splitlines():
        name, comment = line.split(":")[0], line.split("#", 1)[1].strip()
        assert re.search(rf"^  {name}: \w+ \(default [^)]*\)", out, re.M), name
        assert comment[:30] in out


def run_with(path, tmp_path, **parameters):
    return execute_notebook(path, tmp_path / path.name, parameters=parameters, cwd=path.parent)


SINGLE_NEURON = ROOT / "notebooks" / "01_single_neuron.ipynb"


@pytest.mark.slow  # papermill runs
def test_other_seed_and_epochs_run_to_the_end(tmp_path):
    result = run_with(SINGLE_NEURON, tmp_path, seed=3, epochs=500, learning_rate=2.0)
    text = result.cells[-1].outputs[0]["text"]
    assert "0.99993704 (original run)" in text
    assert "(nnlib, seed 3, 500 epochs)" in text


def parameter_names(path):
    return list(papermill.inspect_notebook(str(path)))


@pytest.mark.slow  # papermill runs
@pytest.mark.parametrize("path, name", [(path, name) for path in NOTEBOOKS
                                        for name in parameter_names(path)],
                         ids=lambda value: value.stem if isinstance(value, Path) else value)
def test_a_parameter_of_the_wrong_type_stops_at_once_naming_it(tmp_path, path, name):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        run_with(path, tmp_path, **{name: "not-a-number"})
    assert raised.value.ename == "ValueError"
    assert raised.value.evalue.startswith(f"{name} must be")
    # It stopped in the cell right after the parameters (and the injected parameters).
    assert raised.value.exec_count <= 3


@pytest.mark.slow  # papermill runs
@pytest.mark.parametrize("parameters, name", [
    (dict(epochs=-5), "epochs"),
    (dict(seed=1.5), "seed"),
    (dict(record_every=0), "record_every"),
])
def test_an_out_of_range_value_stops_at_once_naming_it(tmp_path, parameters, name):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        run_with(SINGLE_NEURON, tmp_path, **parameters)
    assert raised.value.ename == "ValueError"
    assert raised.value.evalue.startswith(f"{name} must be")
    assert raised.value.exec_count <= 3


@pytest.mark.slow  # papermill runs
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_misspelt_parameter_stops_at_once_listing_the_known_ones(tmp_path, path):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        run_with(path, tmp_path, nosuch_parameter=1)
    assert raised.value.ename == "ValueError"
    assert raised.value.evalue.startswith("Unknown parameter nosuch_parameter: this notebook's "
                                          f"parameters are {parameter_names(path)[0]}")
    assert raised.value.exec_count <= 3
