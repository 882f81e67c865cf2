"""Rerun a notebook over a grid of parameters with papermill, in parallel, and aggregate.

    python tools/sweep.py NOTEBOOK --grid NAME=V1,V2,... [--grid ...] [--set NAME=VALUE ...]
                          [--name NAME] [--out FOLDER] [--jobs 2] [--over seed]
                          [--x hidden_size] [--metrics m1,m2] [--scheduler ADDRESS]

Every combination of the ``--grid`` values (``--set`` fixes a parameter for every run) is one
run: papermill executes the notebook into ``FOLDER/runs/<run id>/notebook.ipynb`` with the
notebook's working directory, one BLAS thread, and the parameter ``results_path`` pointing at
``FOLDER/runs/<run id>/results.json``, which the notebook writes at its end as

    {"complete": true, "parameters": {...}, "metrics": {"name": number, ...}}

Afterwards:

- **Where runs execute.** Each run is a task on Dask's distributed scheduler: by default a local
  cluster of ``--jobs`` single-threaded workers on 127.0.0.1; with ``--scheduler
  tcp://host:8786`` an existing Dask cluster, whose workers see this repository and the sweep
  folder at the same paths (the engine is the classroom's, ``tools/classroom/cluster.py``).
- **Resume.** A run is skipped when its ``results.json`` is complete (it parses, says
  ``"complete": true``, holds metrics) and its executed notebook records the same parameters
  (``metadata.papermill.parameters``). Interrupt a sweep and start the same command again: only
  the missing runs execute.
- **Failures.** A run that raises is reported with the parameters that broke it and the error
  (``FOLDER/failures.json``); the other runs go on. The exit status is 1 if any run failed.
- **Aggregate.** The parameters of every run are read back from its executed notebook (never
  from printed text), its metrics from its JSON file. Runs that differ only in ``--over``
  (default ``seed``) are grouped; each metric becomes mean ± std over them. Written to
  ``FOLDER/summary.json`` (every run and every group, sorted, no timestamps: two sweeps with the
  same runs give the same file), ``FOLDER/summary.md`` (the table, also printed) and
  ``FOLDER/summary.png`` (the metrics against ``--x``, one line per other combination).

The default ``FOLDER`` is ``build/sweeps/<name>/``, ``<name>`` defaulting to the notebook's stem.
Values on the command line are read as JSON where possible (``8`` is an int, ``1.0`` a float,
``true`` a bool) and as strings otherwise (``lsb``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/: the classroom package

from classroom.cluster import run_tasks  # noqa: E402
from notebook_run import execute_notebook  # noqa: E402
RESULTS_PARAMETER = "results_path"


# ----------------------------------------------------------------------------------------
# The grid

def parse_value(text: str):
    """``'8'`` -> 8, ``'0.5'`` -> 0.5, ``'true'`` -> True, anything else stays a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_assignment(text: str, many: bool):
    if "=" not in text:
        raise ValueError(f"expected NAME=VALUE{',VALUE...' if many else ''}, got {text!r}")
    name, values = text.split("=", 1)
    if many:
        return name.strip(), [parse_value(value) for value in values.split(",") if value != ""]
    return name.strip(), parse_value(values)


def grid_runs(grid: dict[str, list], fixed: dict | None = None) -> list[dict]:
    """Every combination of the grid's values (the first parameter varying slowest)."""
    names = list(grid)
    return [{**(fixed or {}), **dict(zip(names, values))}
            for values in itertools.product(*(grid[name] for name in names))]


def run_id(parameters: dict, names: list[str]) -> str:
    """A folder name from the grid parameters: ``bit_order-lsb_seed-0_hidden_size-8``."""
    parts = [f"{name}-{parameters[name]}" for name in names]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(parts))


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Every parameter must be one the notebook declares (papermill would silently add it)."""
    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"{notebook.name} has no parameter {', '.join(unknown)}; "
                         f"it has {', '.join(declared)}.")
    if RESULTS_PARAMETER not in declared:
        raise ValueError(f"{notebook.name} must declare a parameter {RESULTS_PARAMETER!r} "
                         f"(where the run writes its results as JSON).")


# ----------------------------------------------------------------------------------------
# One run

def recorded_parameters(executed: Path) -> dict | None:
    """The parameters papermill injected into an executed notebook, from its metadata."""
    if not executed.exists():
        return None
    try:
        notebook = nbformat.read(executed, as_version=4)
    except Exception:  # a notebook cut off mid-write is simply not finished
        return None
    return dict(notebook.metadata.get("papermill", {}).get("parameters", {})) or None


def read_results(path: Path) -> dict | None:
    """The run's results if its JSON file is complete, else None."""
    try:
        results = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(results, dict) or results.get("complete") is not True:
        return None
    if not isinstance(results.get("metrics"), dict) or not results["metrics"]:
        return None
    return results


def is_finished(folder: Path, parameters: dict) -> bool:
    recorded = recorded_parameters(folder / "notebook.ipynb")
    wanted = {**parameters, RESULTS_PARAMETER: str(folder / "results.json")}
    return (read_results(folder / "results.json") is not None and recorded is not None
            and all(recorded.get(name) == value for name, value in wanted.items()))


def execute_run(notebook: str, folder: str, parameters: dict, cwd: str) -> dict:
    """Execute one run (in a worker process). Returns a report, never raises."""
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    results = folder_path / "results.json"
    results.unlink(missing_ok=True)  # never mistake an older run's file for this one's
    start = time.perf_counter()
    try:
        # The kernel inherits the worker's environment, set by execute_notebook.
        execute_notebook(notebook, folder_path / "notebook.ipynb",
                         parameters={**parameters, RESULTS_PARAMETER: str(results)}, cwd=cwd)
    except Exception as error:  # report with the parameters and go on with the other runs
        if isinstance(error, papermill.PapermillExecutionError):
            message = f"{error.ename}: {error.evalue} (cell {error.exec_count})"
        else:
            message = f"{type(error).__name__}: {str(error).strip().splitlines()[-1:]}"
        return {"parameters": parameters, "ok": False, "error": message,
                "seconds": time.perf_counter() - start}
    if read_results(results) is None:
        return {"parameters": parameters, "ok": False, "seconds": time.perf_counter() - start,
                "error": f"the notebook ran but did not write complete results to "
                         f"{RESULTS_PARAMETER}"}
    return {"parameters": parameters, "ok": True, "seconds": time.perf_counter() - start}


# ----------------------------------------------------------------------------------------
# The sweep

def run_sweep(notebook: Path, grid: dict[str, list], out: Path, fixed: dict | None = None,
              jobs: int = 2, log=print, scheduler: str | None = None) -> dict:
    """Execute the runs of the grid that are not finished yet; returns what happened.

    Returns
    -------
    dict with ``skipped`` (run ids already finished), ``ran`` (run ids executed now) and
    ``failures`` (a list of {"run", "parameters", "error"}).
    """
    notebook = Path(notebook).resolve()
    runs = grid_runs(grid, fixed)
    check_parameters(notebook, runs[0] if runs else {})
    names = list(grid)
    pending, skipped = [], []
    for parameters in runs:
        folder = (out / "runs" / run_id(parameters, names)).resolve()
        (skipped if is_finished(folder, parameters) else pending).append((folder, parameters))
    log(f"{len(runs)} runs: {len(skipped)} already finished, {len(pending)} to run "
        f"({jobs} at a time)")
    failures, ran = [], []
    # Workers import the task by module name: when this file runs as a script its functions
    # live in __main__, so take them from the module "sweep" (tools/ is on sys.path).
    task = execute_run
    if task.__module__ == "__main__":
        import importlib
        task = importlib.import_module("sweep").execute_run
    calls = [(str(notebook), str(folder), parameters, str(notebook.parent))
             for folder, parameters in pending]
    results = (run_tasks(task, calls, scheduler, workers=jobs, scratch=out / "dask-scratch")
               if calls else [])
    for arguments, report, error in results:
        name = Path(arguments[1]).name
        if error is not None:  # the worker itself failed (a run's own errors are reports)
            report = {"parameters": arguments[2], "ok": False, "seconds": 0.0,
                      "error": f"{type(error).__name__}: {error}"}
        ran.append(name)
        if report["ok"]:
            log(f"  done    {name}  ({report['seconds']:.0f} s)")
        else:
            text = ", ".join(f"{k}={v!r}" for k, v in report["parameters"].items())
            log(f"  FAILED  {name}  with {text}: {report['error']}")
            failures.append({"run": name, "parameters": report["parameters"],
                             "error": report["error"]})
    failures.sort(key=lambda failure: failure["run"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "failures.json").write_text(json.dumps(failures, indent=1) + "\n")
    return {"skipped": sorted(folder.name for folder, _ in skipped), "ran": sorted(ran),
            "failures": failures}


def collect(out: Path) -> list[dict]:
    """Every finished run under ``out/runs``: parameters from the executed notebook's papermill
    metadata, metrics from its JSON file. Sorted by run folder, so the order is reproducible."""
    records = []
    for folder in sorted((out / "runs").glob("*")):
        results = read_results(folder / "results.json")
        parameters = recorded_parameters(folder / "notebook.ipynb")
        if results is None or parameters is None:
            continue
        parameters.pop(RESULTS_PARAMETER, None)  # a path, not an experimental setting
        records.append({"run": folder.name, "parameters": parameters,
                        "metrics": results["metrics"]})
    return records


def aggregate(out: Path, over: str = "seed", x: str | None = None,
              metrics: list[str] | None = None, log=print) -> dict:
    """Group the finished runs, write summary.json, summary.md and summary.png; return it."""
    from course.sweeps import format_sweep_table, sweep_table

    records = collect(out)
    groups = sweep_table(records, over=over, metrics=metrics)
    summary = {"over": over, "runs": records, "groups": groups}
    (out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    table = format_sweep_table(groups, over=over)
    (out / "summary.md").write_text(table + "\n")
    log(table)
    if groups:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from course.plotting.order import plot_sweep
        figure = plot_sweep(groups, x=x, metrics=metrics)
        # No timestamp in the PNG's metadata: the same runs give the same file.
        figure.savefig(out / "summary.png", dpi=100, metadata={"Software": None})
        plt.close(figure)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2",
                        help="a parameter and its values (repeat for more parameters)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter fixed for every run")
    parser.add_argument("--name", help="sweep name (default: the notebook's stem)")
    parser.add_argument("--out", type=Path, help="sweep folder (default build/sweeps/NAME)")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (default 2)")
    parser.add_argument("--over", default="seed", help="parameter averaged over (default seed)")
    parser.add_argument("--x", help="parameter on the plot's x axis (default: the last grid "
                                    "parameter other than --over)")
    parser.add_argument("--metrics", help="comma-separated metrics to plot (default: all)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler, e.g. "
                                            "tcp://127.0.0.1:8786 (default: a local cluster "
                                            "of --jobs workers)")
    args = parser.parse_args(argv)
    try:
        grid = dict(parse_assignment(text, many=True) for text in args.grid)
        fixed = dict(parse_assignment(text, many=False) for text in args.set)
    except ValueError as error:
        parser.error(str(error))
    if not grid:
        parser.error("give at least one --grid NAME=V1,V2")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    notebook = args.notebook.resolve()
    out = (args.out or ROOT / "build" / "sweeps" / (args.name or notebook.stem)).resolve()
    start = time.perf_counter()
    try:
        result = run_sweep(notebook, grid, out, fixed, jobs=args.jobs, scheduler=args.scheduler)
    except ValueError as error:
        print(f"sweep: {error}", file=sys.stderr)
        return 2
    x = args.x or next((name for name in reversed(list(grid)) if name != args.over), None)
    aggregate(out, over=args.over, x=x,
              metrics=args.metrics.split(",") if args.metrics else None)
    print(f"{len(result['ran'])} runs executed, {len(result['skipped'])} skipped (finished "
          f"before), {len(result['failures'])} failed, in {time.perf_counter() - start:.0f} s; "
          f"results in {out}")
    for failure in result["failures"]:
        print(f"  failed: {failure['parameters']}: {failure['error']}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # nnlib, when run from a checkout without installing
    sys.exit(main())
