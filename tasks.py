#!/usr/bin/env python3
"""The course's task runner. Standard library only up to the environment: a fresh machine
needs nothing but python3 (3.11 or newer) and pip.

    python3 tasks.py course        run every notebook headlessly into build/ and summarise
    python3 tasks.py test          unit tests + nbval (full mode) over every notebook
    python3 tasks.py test --fast   unit tests and the notebooks' cheap checks (< 3 minutes)
    python3 tasks.py lab           JupyterLab on your workbook (--solutions: the course notebooks)
    python3 tasks.py --help        every task; python3 tasks.py TASK --help for one of them

Every task first makes sure the environment in .venv exists, matches requirements.txt and
constraints.txt, and works (its key packages are whole); it is created, updated or repaired
when it does not, and the task then runs inside it (tools/course_env.py, docs/setup.md).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))  # course_env, notebook_run, classroom, ...

import course_env  # noqa: E402  (standard library only)

NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
FAST_LIMIT_SECONDS = 180
CHECKED = "NN_FROM_SCRATCH_ENV_CHECKED"  # set for the re-executed process: checked already
# Tasks that hand the arguments they do not know on to the program they run (pytest, JupyterLab,
# tools/sweep.py, tools/parameter_matrix.py, tools/classroom).
PASS_ON = {"test", "lab", "sweep", "parameters", "student", "grade", "feedback"}


def notebook_paths(names: "list[str] | None" = None) -> "list[Path]":
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        wanted = {Path(name).stem for name in names}
        unknown = wanted - {path.stem for path in paths}
        if unknown:
            sys.exit(f"No such notebook: {', '.join(sorted(unknown))}. "
                     f"Choose from: {', '.join(path.stem for path in paths)}")
        paths = [path for path in paths if path.stem in wanted]
    return paths


def _run(command: "list[str]", env: "dict[str, str] | None" = None,
         check: bool = True) -> int:
    import subprocess

    print("+ " + " ".join(str(part) for part in command), flush=True)
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    if check and code != 0:
        sys.exit(code)
    return code


# ------------------------------------------------------------------------------------------
# The tasks (they run inside .venv)

def task_course(args) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import nullcontext
    from functools import partial

    from notebook_run import run_for_course

    failed = []
    folder = BUILD / "notebooks"
    paths = notebook_paths(args.notebooks)
    jobs = max(1, min(args.jobs, len(paths)))
    print(f"Executing notebooks into {folder.relative_to(ROOT)}/ ({jobs} at a time, one BLAS "
          "thread each)", flush=True)
    start = time.perf_counter()
    # Notebooks are independent: on a machine with two cores, two run at once. Results are
    # printed in course order; each notebook's time is its own wall time.
    with ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else nullcontext() as pool:
        # One callable per notebook giving (seconds, headline, error): a submitted job's
        # result, or (one at a time) the run itself, in this process.
        pending = [pool.submit(run_for_course, path, folder / path.name).result if pool
                   else partial(run_for_course, path, folder / path.name) for path in paths]
        for path, result in zip(paths, pending):
            seconds, text, error = result()
            if error is not None:  # report and go on: one broken notebook must not hide the rest
                target = folder / path.name
                failed.append(f"{path.stem} (" + (
                    f"see {target.relative_to(ROOT)}, written by this run" if target.exists()
                    else "it stopped before writing an executed copy") + ")")
                print(f"{path.stem:<20} FAILED: {error}", flush=True)
            else:
                print(f"{path.stem:<20} {text}   ({seconds:.0f} s)", flush=True)
    print(f"{len(paths)} notebooks in {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: {'; '.join(failed)}.")


def task_refresh(args) -> None:
    import nbformat
    from notebook_run import clean_metadata, execute_notebook, headline

    for path in notebook_paths(args.notebooks):
        target = BUILD / "refresh" / path.name
        print(f"refreshing {path.name}", flush=True)
        execute_notebook(path, target)
        notebook = nbformat.read(target, as_version=4)
        clean_metadata(notebook)
        nbformat.write(notebook, path)
        print(f"  {headline(notebook)}", flush=True)


def nbval_command(paths: "list[Path]") -> "list[str]":
    return [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", str(SANITIZE.relative_to(ROOT)), "-p", "no:cacheprovider",
            *[str(path.relative_to(ROOT)) for path in paths]]


def test_command(fast: bool, extra: "list[str]") -> "list[str]":
    """One pytest run over the unit tests (and, unless ``fast``, every notebook under nbval),
    test files spread over the cores (a notebook's cells stay together: --dist loadfile)."""
    spread = ["-n", "auto", "--dist", "loadfile", "--durations=15"]
    if fast:  # the tests marked slow (see pyproject.toml) and nbval stay for the full run
        return [sys.executable, "-m", "pytest", "tests", *spread, "-m", "not slow",
                "-p", "no:cacheprovider", *extra]
    command = nbval_command(notebook_paths())
    command[command.index("-p"):command.index("-p")] = ["tests", *spread]
    return command + extra


def task_test(args) -> None:
    from notebook_run import execution_environment

    start = time.perf_counter()
    code = _run(test_command(args.fast, args.rest), env=execution_environment(), check=False)
    minutes, seconds = divmod(round(time.perf_counter() - start), 60)
    mode = "test --fast" if args.fast else "test (full)"
    print(f"{mode} took {minutes} min {seconds:02d} s"
          + (f" (the fast mode's limit is {FAST_LIMIT_SECONDS // 60} min)" if args.fast else ""))
    sys.exit(code)


def task_determinism(args) -> None:
    import determinism

    sys.exit(determinism.main(notebook_paths(args.notebooks), full=args.full,
                              repeat=args.repeat, nbval=nbval_command))


def lab_arguments(extra: "list[str]", euid: int) -> "list[str]":
    """JupyterLab refuses to run as root without --allow-root (containers, cloud VMs)."""
    if euid == 0 and "--allow-root" not in extra:
        print("Running as root (a container?): passing --allow-root to JupyterLab.", flush=True)
        return [*extra, "--allow-root"]
    return extra


def task_lab(args) -> None:
    """JupyterLab on the learner's workbook, or with ``--solutions`` on the course notebooks."""
    from notebook_run import pinned_cpu_path

    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"
    # The learner's kernels on the numeric path of the committed outputs (x86-64 with AVX2).
    os.environ.update({**pinned_cpu_path(), **os.environ})
    root = NOTEBOOKS
    if not args.solutions:
        root = ROOT / "workbook"
        _run([sys.executable, str(ROOT / "tools" / "classroom"), "workbook", str(root)])
    os.execv(sys.executable, [sys.executable, "-m", "jupyter", "lab",
                              f"--ServerApp.root_dir={root}",
                              *lab_arguments(args.rest, os.geteuid())])


# Optional peers for the benchmarks, installed into .venv on demand, never required by the course.
# torch==2.13.0 is the CPU build available on these machines; plain "torch" would fetch CUDA.
BENCHMARK_EXTRAS = {"torch": "torch==2.13.0", "sklearn": "scikit-learn"}


def task_benchmark(args) -> None:
    import importlib.util

    from notebook_run import execution_environment

    scripts = [ROOT / "benchmarks" / f"{name}.py" for name in args.names] or sorted(
        (ROOT / "benchmarks").glob("*.py"))
    missing = [spec for module, spec in BENCHMARK_EXTRAS.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        _run([sys.executable, "-m", "pip", "install", "--quiet", *missing])
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        _run([sys.executable, str(script)], env=execution_environment())


def task_offline(args) -> None:
    """The course, executed in a network namespace with only loopback (kernels talk over it)."""
    import shutil

    if shutil.which("unshare") is None or shutil.which("ip") is None:
        sys.exit("offline needs unshare (util-linux) and ip (iproute2).")
    inner = (f"ip link set lo up && {sys.executable} {Path(__file__).resolve()} course "
             + " ".join(args.notebooks))
    code = _run(["unshare", "--net", "sh", "-c", inner], check=False)
    if code != 0:
        sys.exit(f"offline run failed (exit {code}); unshare --net needs root or user "
                 "namespaces.")
    print("The whole course ran with no network but loopback.")


def task_pythons(args) -> None:
    import python_matrix

    sys.exit(python_matrix.main(args.versions, keep=args.keep))


def pass_on(script: str, *first: str):
    def task(args) -> None:
        from notebook_run import execution_environment

        sys.exit(_run([sys.executable, str(ROOT / script), *first, *args.rest],
                      env=execution_environment(), check=False))
    return task


# ------------------------------------------------------------------------------------------
# The command line (parsed before the environment is touched: bad arguments stop at once)

class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        sys.exit(f"{self.prog}: {message}; see {self.prog} --help")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python3 tasks.py", description=__doc__.split("\n\n")[0],
                    formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    tasks = parser.add_subparsers(dest="task", metavar="TASK", parser_class=Parser)

    def add(name, function, help, notebooks=False):
        # A task that runs a tool of its own lets the tool answer --help with all its options.
        tool = function.__name__ == "task" and name in PASS_ON
        sub = tasks.add_parser(name, help=help, description=help, allow_abbrev=False,
                               add_help=not tool)
        sub.set_defaults(function=function)
        if notebooks:
            sub.add_argument("notebooks", nargs="*", metavar="NB", help="notebook names "
                             "(default: all), e.g. 01_single_neuron")
        return sub

    course = add("course", task_course, "run every notebook headlessly into build/notebooks/ "
                 "and print each one's headline", notebooks=True)
    course.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks executed at once (default: 2, or 1 on one core)")
    test = add("test", task_test, "unit tests and nbval over every notebook (what CI runs); "
               "other arguments go to pytest")
    test.add_argument("--fast", action="store_true", help="skip the tests marked slow and "
                      "nbval: the unit tests and the notebooks' cheap checks, in < 3 minutes")
    lab = add("lab", task_lab, "JupyterLab on your workbook (student versions with "
              "self-checks, in workbook/: made once, never overwritten); other arguments go "
              "to JupyterLab")
    lab.add_argument("--solutions", action="store_true", help="open the solution notebooks")
    add("refresh", task_refresh, "re-execute notebooks in place: the only way outputs change",
        notebooks=True)
    determinism = add("determinism", task_determinism, "nbval under several BLAS thread "
                      "counts and CPU kernels", notebooks=True)
    determinism.add_argument("--full", action="store_true", help="threads 1,2 x kernels "
                             "default,Haswell,Sandybridge, 3 runs each")
    determinism.add_argument("--repeat", type=positive_int, help="runs per setting "
                             "(default 1, or 3 with --full)")
    benchmark = add("benchmark", task_benchmark, "run benchmarks/NAME.py (all by default), "
                    "peers included")
    benchmark.add_argument("names", nargs="*", metavar="NAME", help="benchmark names "
                           f"(default: all): {', '.join(benchmark_names())}")
    add("parameters", pass_on("tools/parameter_matrix.py"), "papermill runs with edge and "
        "invalid values of every parameter")
    add("sweep", pass_on("tools/sweep.py"), "rerun a notebook over a parameter grid "
        "(NB --grid NAME=V1,V2 ...)")
    add("offline", task_offline, "run the course with networking cut off (unshare -n, as "
        "root)", notebooks=True)
    pythons = add("pythons", task_pythons, "run the course on every supported Python this "
                  "machine has and check the headlines agree (docs/setup.md)")
    pythons.add_argument("versions", nargs="*", metavar="X.Y", help="only these versions")
    pythons.add_argument("--keep", action="store_true", help="keep build/pythons/ afterwards")
    add("student", pass_on("tools/classroom", "student"), "make the student versions "
        "(nbgrader) in build/classroom/release")
    add("grade", pass_on("tools/classroom", "grade"), "autograde FOLDER/<student>/<notebook>"
        ".ipynb on Dask and write a report (--student NAME, --assignment NB, --scheduler ADDR)")
    add("feedback", pass_on("tools/classroom", "feedback"), "HTML feedback per student and "
        "notebook (nbgrader)")
    return parser


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"needs a whole number of runs >= 1, got {text!r}")
    return int(text)


def benchmark_names() -> "list[str]":
    return sorted(path.stem for path in (ROOT / "benchmarks").glob("*.py"))


def parse(argv: "list[str]") -> argparse.Namespace:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.task is None:
        parser.print_help()
        sys.exit(2)
    if rest and args.task not in PASS_ON:
        sys.exit(f"python3 tasks.py: {args.task} does not know {' '.join(rest)}; see "
                 f"python3 tasks.py {args.task} --help")
    args.rest = rest
    if getattr(args, "notebooks", None):
        notebook_paths(args.notebooks)  # an unknown notebook name stops here
    unknown = sorted(set(getattr(args, "names", [])) - set(benchmark_names()))
    if unknown:
        sys.exit(f"No such benchmark: {' '.join(unknown)}. Choose from: "
                 f"{', '.join(benchmark_names())}")
    return args


def main(argv: "list[str]") -> None:
    refusal = course_env.python_refusal()
    if refusal:
        sys.exit(refusal)
    args = parse(argv)
    if os.environ.get(CHECKED) != str(ROOT):
        notice = course_env.untested_notice()
        if notice:
            print(notice, flush=True)
        environment = course_env.Environment(ROOT)
        environment.ensure()
        if Path(sys.prefix).resolve() != environment.venv.resolve():
            os.environ[CHECKED] = str(ROOT)
            os.execv(str(environment.python),
                     [str(environment.python), str(Path(__file__).resolve()), *argv])
    args.function(args)


if __name__ == "__main__":
    main(sys.argv[1:])
