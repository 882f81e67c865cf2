"""tools/sweep.py on a tiny notebook: runs in parallel, failures, resume, aggregation."""

import importlib.util
import json
import math
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("sweep", ROOT / "tools" / "sweep.py")
sweep = importlib.util.module_from_spec(spec)
sys.modules["sweep"] = sweep  # so that the worker processes can find execute_run
spec.loader.exec_module(sweep)

TINY_SOURCE = '''
import json, os
if seed == fail_on:
    raise ValueError(f"seed {seed} breaks this run")
metrics = {"value": 10 * x + seed, "half": (10 * x + seed) / 2}
if results_path:
    with open(results_path, "w") as file:
        json.dump({"complete": True, "parameters": {"x": x, "seed": seed},
                   "metrics": metrics}, file)
print(metrics)
'''


@pytest.fixture
def tiny(tmp_path):
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = new_code_cell('x: int = 1  # a setting\nseed: int = 0  # a seed\n'
                               'fail_on: int = -1  # the seed that raises\n'
                               'results_path: str = ""  # where to write the results')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, new_code_cell(TINY_SOURCE)]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def test_grid_values_and_run_ids():
    assert sweep.parse_value("8") == 8 and sweep.parse_value("0.5") == 0.5
    assert sweep.parse_value("lsb") == "lsb" and sweep.parse_value("true") is True
    assert sweep.parse_assignment("seed=0,1,2", many=True) == ("seed", [0, 1, 2])
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        sweep.parse_assignment("seed", many=False)
    runs = sweep.grid_runs({"bit_order": ["lsb", "msb"], "seed": [0, 1]}, {"n_bits": 8})
    assert runs[1] == {"n_bits": 8, "bit_order": "lsb", "seed": 1} and len(runs) == 4
    assert sweep.run_id(runs[1], ["bit_order", "seed"]) == "bit_order-lsb_seed-1"


def test_unknown_parameter_is_rejected_before_anything_runs(tiny, tmp_path):
    with pytest.raises(ValueError, match="has no parameter hidden_size"):
        sweep.run_sweep(tiny, {"hidden_size": [1]}, tmp_path / "out", log=lambda _: None)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_failures_resume_and_reproducible_aggregate(tiny, tmp_path, capsys):
    out = tmp_path / "sweep"
    argv = [str(tiny), "--out", str(out), "--grid", "x=1,2", "--grid", "seed=0,1,2",
            "--set", "fail_on=2", "--jobs", "2"]
    # seed 2 raises: both of its runs fail, are reported with their parameters, and the
    # other four finish; the exit status says something failed.
    assert sweep.main(argv) == 1
    printed = capsys.readouterr().out
    assert "4 runs executed" not in printed and "6 runs executed" in printed
    assert "FAILED  x-1_seed-2" in printed and "'seed': 2" in printed
    failures = json.loads((out / "failures.json").read_text())
    assert [f["parameters"] for f in failures] == [{"fail_on": 2, "x": 1, "seed": 2},
                                                   {"fail_on": 2, "x": 2, "seed": 2}]
    assert all("ValueError: seed 2 breaks this run" in f["error"] for f in failures)

    summary = json.loads((out / "summary.json").read_text())
    assert [r["run"] for r in summary["runs"]] == ["x-1_seed-0", "x-1_seed-1", "x-2_seed-0",
                                                   "x-2_seed-1"]
    # Parameters come from the executed notebooks' papermill metadata, not from the JSON.
    assert summary["runs"][0]["parameters"] == {"x": 1, "seed": 0, "fail_on": 2}
    first = summary["groups"][0]
    assert first["parameters"] == {"fail_on": 2, "x": 1} and first["seed"] == [0, 1]
    assert first["mean"]["value"] == 10.5
    assert first["std"]["value"] == pytest.approx(math.sqrt(0.5), rel=1e-15)
    row = "| 2 | 2 | 2 (0, 1) | 20.50 ± 0.71 | 10.25 ± 0.35 |"
    assert row in (out / "summary.md").read_text()
    assert (out / "summary.png").stat().st_size > 0
    table, picture = (out / "summary.json").read_bytes(), (out / "summary.png").read_bytes()

    # Resume: finished runs are skipped; a missing or truncated results file reruns its run.
    (out / "runs" / "x-1_seed-0" / "results.json").unlink()
    (out / "runs" / "x-2_seed-1" / "results.json").write_text('{"complete": tr')
    result = sweep.run_sweep(tiny, {"x": [1, 2], "seed": [0, 1, 2]}, out, {"fail_on": 2},
                             log=lambda _: None)
    assert result["skipped"] == ["x-1_seed-1", "x-2_seed-0"]
    assert result["ran"] == ["x-1_seed-0", "x-1_seed-2", "x-2_seed-1", "x-2_seed-2"]
    assert len(result["failures"]) == 2
    sweep.aggregate(out, log=lambda _: None)
    assert (out / "summary.json").read_bytes() == table  # the same runs, the same table
    assert (out / "summary.png").read_bytes() == picture

    # Other parameters for the same folder: the recorded parameters differ, so it reruns.
    result = sweep.run_sweep(tiny, {"x": [1], "seed": [0]}, out, {"fail_on": 5},
                             log=lambda _: None)
    assert result["ran"] == ["x-1_seed-0"] and not result["failures"]


def test_sweep_table_groups_over_the_seed_with_known_statistics():
    from course.sweeps import format_sweep_table, sweep_table
    records = [{"run": f"r{seed}{h}", "parameters": {"seed": seed, "hidden_size": h},
                "metrics": {"acc": value}}
               for seed, h, value in [(1, 16, 0.5), (0, 16, 0.7), (0, 8, 0.2)]]
    groups = sweep_table(records, over="seed")
    assert [g["parameters"] for g in groups] == [{"hidden_size": 8}, {"hidden_size": 16}]
    assert groups[1]["seed"] == [0, 1] and groups[1]["runs"] == 2
    assert groups[1]["mean"]["acc"] == pytest.approx(0.6)
    assert groups[1]["std"]["acc"] == pytest.approx(math.sqrt(0.02))
    assert groups[0]["std"]["acc"] == 0.0
    table = format_sweep_table(groups)
    assert "| 16 | 2 (0, 1) | 0.6000 ± 0.1414 |" in table
    assert sweep_table([]) == [] and format_sweep_table([]) == "(no finished runs)"


@pytest.mark.slow
def test_runs_on_an_existing_dask_scheduler(tiny, tmp_path, dask_scheduler):
    # A scheduler and a worker started as their own processes on 127.0.0.1 (tests/conftest.py):
    # the sweep sends its runs there unchanged and gets the same results as a local cluster.
    out = tmp_path / "remote"
    result = sweep.run_sweep(tiny, {"x": [3], "seed": [0, 1]}, out, log=lambda _: None,
                             scheduler=dask_scheduler)
    assert result["ran"] == ["x-3_seed-0", "x-3_seed-1"] and not result["failures"]
    values = sorted(json.loads((out / "runs" / run / "results.json").read_text())
                    ["metrics"]["value"] for run in result["ran"])
    assert values == [30, 31]
