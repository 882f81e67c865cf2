"""tools/python_matrix.py (``python3 tasks.py pythons``): which Pythons it finds, and how it
judges a run (the real runs take a venv and the whole course each: docs/setup.md)."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import python_matrix  # noqa: E402


@pytest.mark.slow  # starts every Python on the machine
def test_finds_the_running_python_once():
    found = python_matrix.find_pythons()
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert version in found
    assert list(found) == sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def _fake_course(folder: Path, exit_code: int, headlines: dict[str, str]) -> str:
    """A stand-in for ``pythonX.Y tasks.py course``: writes executed notebooks with the given
    headlines into build/notebooks and exits with ``exit_code``."""
    for stem, text in headlines.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "print()", metadata={"tags": ["headline"]},
            outputs=[nbformat.v4.new_output("stream", name="stdout", text=text + "\n")])])
        target = folder / "build" / "notebooks" / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    script = folder.parent / "fake-python"
    script.write_text(f"#!/bin/sh\nexit {exit_code}\n")
    script.chmod(0o755)
    return str(script)


def test_equal_headlines_pass_and_one_different_digit_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(python_matrix, "ROOT", tmp_path)
    expected = {"01_a": "accuracy 95.00 %", "02_b": "loss 0.25"}
    copy = tmp_path / "3.12"
    ok, detail = python_matrix.check_course(_fake_course(copy, 0, expected), copy, expected)
    assert ok and detail == "all 2 headlines equal the committed ones"
    python = _fake_course(copy, 0, {"01_a": "accuracy 95.01 %"})
    ok, detail = python_matrix.check_course(python, copy, expected)
    assert not ok and "1 headlines differ: 01_a: 'accuracy 95.01 %'" in detail


def test_a_failed_run_fails_even_with_equal_headlines(tmp_path, monkeypatch):
    monkeypatch.setattr(python_matrix, "ROOT", tmp_path)
    expected = {"01_a": "accuracy 95.00 %"}
    copy = tmp_path / "3.13"
    ok, detail = python_matrix.check_course(_fake_course(copy, 1, expected), copy, expected)
    assert not ok and detail.startswith("exit 1")


def test_a_refusal_must_be_one_line_and_leave_no_venv(tmp_path):
    copy = tmp_path / "3.10"
    copy.mkdir()
    script = tmp_path / "refusing-python"
    script.write_text("#!/bin/sh\necho 'nn-from-scratch needs Python 3.11 or newer' >&2\nexit 1\n")
    script.chmod(0o755)
    assert python_matrix.check_refusal(str(script), copy)[0]
    (copy / ".venv").mkdir()  # a refusal that created .venv first is not one
    assert not python_matrix.check_refusal(str(script), copy)[0]
