"""Run every notebook with edge and invalid values of every parameter, through papermill.

For each parameter the notebook's own validation is asked for its accepted range (by passing
a value of the wrong type and reading the error it raises), then the notebook is run with:

- the smallest and the largest accepted value (when the range has them),
- invalid values: wrong type, negative, zero, NaN, absurdly large.

Each run must either complete with finite results (no "nan"/"inf" in any output line that the
committed notebook does not print too, such as a demonstration of a rejected NaN, and that is
not a DivergenceError message), or stop in
its first cells (the parameters, the injected parameters, the validation cell) with a
``ValueError`` whose message names the parameter. An edge value may also be stopped there by
the notebook's time or memory budget (its cost with the other parameters at their defaults),
with a message naming what to reduce ("over budget"), or by a rule that ties it to another
parameter, with a message naming both ("combination", e.g. a training depth above the
default test depth). Anything else — a traceback from deep inside
NumPy, a late failure, a silent NaN, a run past the time limit — is reported as a failure.

    python3 tasks.py parameters [NOTEBOOK ...] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import papermill

from notebook_run import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIRST_CELLS = 3  # parameters, injected parameters, validation
RANGE = re.compile(r"in the range ([\[(])(-?[\d.e+]+), (-?[\d.e+]+)\]|(>=|>) (-?[\d.e+]+)")
BUDGET = re.compile(r"more than the [\d.e+]+ \S+ this notebook allows: reduce ")
NONFINITE = re.compile(r"(?<![\w.])-?(nan|inf)(?![\w])", re.IGNORECASE)


@dataclass
class Case:
    notebook: str
    parameter: str
    value: object
    kind: str  # "edge" or "invalid"
    parameter_type: str = ""  # as papermill infers it: "int", "float", "str", ...
    outcome: str = ""  # "completed", "rejected", "over budget", "combination" or "FAILED: ..."
    seconds: float = 0.0
    others: tuple = ()  # the notebook's other parameters


def _run(notebook: Path, parameters: dict, timeout: int):
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / notebook.name
        try:
            execute_notebook(notebook, target, parameters=parameters, timeout=timeout)
            return None, nbformat.read(target, as_version=4)
        except papermill.PapermillExecutionError as error:
            return error, None


def accepted_range(notebook: Path, name: str, timeout: int):
    """Ask the notebook's validation for the range of ``name`` by giving it a string.

    Returns ``(low, high, low_is_exclusive)``; ``None`` for a side without a bound.
    """
    error, _ = _run(notebook, {name: "not-a-number"}, timeout)
    match = RANGE.search(error.evalue) if error is not None else None
    if not match:
        return None, None, False  # a str parameter, or one without a stated range
    if match.group(1) is not None:
        return float(match.group(2)), float(match.group(3)), match.group(1) == "("
    return float(match.group(5)), None, match.group(4) == ">"


def _accepts(value, low, high, exclusive: bool, integer: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return False
    if integer and isinstance(value, float):
        return False
    above = low is None or (value > low if exclusive else value >= low)
    return above and (high is None or value <= high)


def _output_lines(notebook) -> list[str]:
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            lines.extend(text.splitlines())
    return lines


def _names(parameter: str, message: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(parameter)}(?![\w])", message) is not None


def run_case(case: Case, notebook: Path, timeout: int) -> Case:
    start = time.perf_counter()
    try:
        error, executed = _run(notebook, {case.parameter: case.value}, timeout)
    except Exception as unexpected:  # e.g. a timeout raised by nbclient
        case.outcome = f"FAILED: {type(unexpected).__name__}: {str(unexpected)[:200]}"
        case.seconds = time.perf_counter() - start
        return case
    case.seconds = time.perf_counter() - start
    if error is None:
        expected = set(_output_lines(nbformat.read(notebook, as_version=4)))
        # A DivergenceError shown on purpose (a too-large learning rate demonstrated) is the
        # clear message this matrix asks for, not a silent NaN.
        bad = [line for line in _output_lines(executed)
               if NONFINITE.search(line) and line not in expected
               and "DivergenceError" not in line]
        case.outcome = ("FAILED: non-finite value printed: " + bad[0][:120]) if bad \
            else "completed"
    elif case.kind == "edge" and error.exec_count is not None and \
            error.exec_count <= FIRST_CELLS and error.ename == "ValueError" and \
            BUDGET.search(error.evalue):
        # An edge value the notebook accepts alone but whose cost with the other parameters
        # at their defaults is over the notebook's budget: stopped at once, naming what to
        # change (course.notebook.check_budget), which is what the matrix requires.
        case.outcome = "over budget"
    elif case.kind == "edge" and error.exec_count is not None and \
            error.exec_count <= FIRST_CELLS and error.ename == "ValueError" and \
            _names(case.parameter, error.evalue) and \
            any(_names(other, error.evalue) for other in case.others):
        # An edge value that conflicts with another parameter's default (a largest training
        # depth above the default test depth): stopped at once, naming both.
        case.outcome = "combination"
    elif error.exec_count is not None and error.exec_count <= FIRST_CELLS and \
            error.ename in ("ValueError", "TypeError") and case.parameter in error.evalue \
            and (RANGE.search(error.evalue) or "one of" in error.evalue
                 or case.parameter_type == "str" and f"{case.parameter} must be" in error.evalue):
        case.outcome = "rejected"
    else:
        case.outcome = (f"FAILED: {error.ename} in cell {error.exec_count}: "
                        f"{error.evalue[:200]}")
    return case


def cases_for(notebook: Path, timeout: int) -> list[Case]:
    cases = []
    parameters = papermill.inspect_notebook(str(notebook))
    for name, info in parameters.items():
        others = tuple(other for other in parameters if other != name)
        kind = info["inferred_type_name"]
        low, high, exclusive = accepted_range(notebook, name, timeout)
        integer = kind == "int"
        edges = [high] if exclusive else [low, high]
        for value in edges:
            if value is not None:
                cases.append(Case(notebook.stem, name, int(value) if integer else value, "edge",
                                  kind, others=others))
        if kind == "str":
            invalid = [123, "no-such-option"]
        else:
            invalid = ["not-a-number", -1, 0, 10**12, math.nan, 1e300, 2.5]
        for value in invalid:
            if kind != "str" and _accepts(value, low, high, exclusive, integer):
                continue  # e.g. seed = 0 is valid: an edge value, not an invalid one
            cases.append(Case(notebook.stem, name, value, "invalid", kind, others=others))
    return cases


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--report", default=str(ROOT / "build" / "parameter_matrix.json"))
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        paths = [p for p in paths if p.stem in {Path(n).stem for n in args.notebooks}]
    all_cases = []
    for path in paths:
        cases = cases_for(path, args.timeout)
        print(f"{path.stem}: {len(cases)} cases", flush=True)
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_case, case, path, args.timeout) for case in cases]
            for future in futures:
                case = future.result()
                all_cases.append(case)
                print(f"  {case.parameter}={case.value!r:<16} {case.kind:<8} {case.outcome}"
                      f"  ({case.seconds:.0f} s)", flush=True)
    failures = [case for case in all_cases if case.outcome.startswith("FAILED")]
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps([asdict(c) for c in all_cases], indent=1,
                                            default=repr))
    edge = sum(case.kind == "edge" for case in all_cases)
    budget = sum(case.outcome == "over budget" for case in all_cases)
    combination = sum(case.outcome == "combination" for case in all_cases)
    print(f"\nParameter matrix: {len(all_cases)} runs over {len(paths)} notebooks "
          f"({edge} edge values, {len(all_cases) - edge} invalid values): "
          f"{len(all_cases) - len(failures)} as expected ({budget} edge values refused at once "
          f"by the notebook's time or memory budget, {combination} as conflicting with another "
          f"parameter's default), {len(failures)} failed.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
