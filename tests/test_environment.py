"""The dependency lists cannot drift apart, and the core stays free of presentation imports."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_requirements_equal_environment_yml_pip_section():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_part = [item for item in environment["dependencies"] if isinstance(item, str)]
    pip_part = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert sorted(re.split(r"[=<>]", item)[0] for item in conda_part) == ["pip", "python"]
    assert pip_part == requirement_lines((ROOT / "requirements.txt").read_text())


def test_constraints_pin_every_requirement_within_its_lower_bound():
    pins = {}
    for line in requirement_lines((ROOT / "constraints.txt").read_text()):
        name, version = line.split("==")
        pins[name.lower().replace("_", "-")] = tuple(int(p) for p in version.split(".")[:2])
    for line in requirement_lines((ROOT / "requirements.txt").read_text()):
        if line.startswith("-e"):
            continue
        name, bound = line.split(">=")
        name = name.split("[")[0]  # dask[distributed] is pinned as dask (and its extras' packages)
        assert name in pins, f"{name} is required but not pinned in constraints.txt"
        assert pins[name] >= tuple(int(p) for p in bound.split(".")[:2]), name


def test_package_dependencies_are_in_the_course_list():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    course = requirement_lines((ROOT / "requirements.txt").read_text())
    for dependency in project["dependencies"]:
        assert dependency in course


def test_no_pickle_anywhere():
    pattern = re.compile(r"import pickle|allow_pickle\s*=\s*True|cloudpickle|joblib")
    for path in [*ROOT.glob("nnlib/**/*.py"), *ROOT.glob("course/**/*.py"),
                 *ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("tools/**/*.py")]:
        assert not pattern.search(path.read_text()), path.name


def test_nothing_reaches_for_the_network():
    # The course runs offline: no downloads, no sockets, no URLs to fetch data from.
    pattern = re.compile(r"import (socket|urllib|requests|http)|from (socket|urllib|requests|http)"
                         r"|urlopen|fetch_openml|load_dataset\(")
    for path in [*ROOT.glob("nnlib/**/*.py"), *ROOT.glob("notebooks/*.ipynb")]:
        assert not pattern.search(path.read_text()), path.name
