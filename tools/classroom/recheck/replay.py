"""Fresh-process side: the genuine checks, answered from the kernel's records.

Run as ``python -I -S -X pycache_prefix=EMPTY replay.py PLAN RECORDS OUT`` from a folder the
grader has just written from its snapshot (this package and the grading packages), with NumPy's
folder appended to ``sys.path`` by the grader (no ``.pth`` file of the environment runs). For
each graded cell of ``PLAN`` (JSON: ``{grade_id: [{"module", "check", "functions",
"options"}]}``) it calls the genuine check with stand-ins for the learner's functions. A
stand-in takes the next recorded call: its inputs must equal what the genuine check passes
(else the answers were recorded for other inputs), then it leaves the inputs as the learner's
call left them and returns (or raises) what the learner's function did. Writes ``OUT``:
``{grade_id: ""}`` when every call of the cell passed, else ``{grade_id: "why"}``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import sys
from pathlib import Path

MAX_RECORD_BYTES = 64 * 2**20


class Mismatch(Exception):
    """The record does not answer the call the genuine check makes."""


def _stand_in(slot: int, calls: list[dict], codec):
    def stand_in(*args, **kwargs):
        if not calls:
            raise Mismatch("the notebook's check made fewer calls to the answer than the "
                           "genuine check does (was the check replaced in the notebook?)")
        call = calls.pop(0)
        if call.get("slot") != slot:
            raise Mismatch("the functions were called in another order than in the notebook")
        if call.get("args") != codec.encode(list(args)) or \
                call.get("kwargs") != codec.encode(kwargs):
            raise Mismatch("the answers were recorded for other inputs than the genuine check "
                           "gives")
        after = codec.decode(call.get("after", call["args"]))
        for live, changed in zip(args, after):
            codec.apply_in_place(live, changed)
        if "raised" in call:
            raise RuntimeError(f"the function raised {call['raised']}")
        if "result" not in call:
            raise Mismatch("the record has no result for this call")
        return codec.decode(call["result"])
    return stand_in


SEEDS_MODULE = "course.checks.common"  # where the checks draw their random inputs' seeds


def recheck(plan: dict, records: Path, allowed: tuple[str, ...]) -> dict[str, str]:
    """``{grade_id: ""}`` for each cell whose every recorded call passes, else the reason."""
    from . import codec
    from .record import record_path

    verdicts = {}
    for grade_id, calls in plan.items():
        verdicts[grade_id] = ""
        for index, call in enumerate(calls):
            path = record_path(records, grade_id, index)
            try:
                if call["module"].split(".")[0] not in allowed:
                    raise Mismatch(f"{call['module']} is not grading code")
                if not path.is_file():
                    raise Mismatch("the graded cell never reached its recorded check")
                if path.stat().st_size > MAX_RECORD_BYTES:
                    raise Mismatch("its record is larger than any check makes")
                content = json.loads(path.read_text())
                recorded, seeds = content["calls"], content.get("seeds", [])
                if not isinstance(recorded, list) or not isinstance(seeds, list) or not all(
                        isinstance(seed, int) and 0 <= seed < 2**63 for seed in seeds):
                    raise Mismatch("its record is malformed")
                check = getattr(importlib.import_module(call["module"]), call["check"])
                stand_ins = [_stand_in(slot, recorded, codec)
                             for slot in range(int(call["functions"]))]
                common = importlib.import_module(SEEDS_MODULE)
                common.SEED_REPLAY = list(seeds)  # the genuine check draws these inputs again
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        check(*stand_ins, **call["options"])
                finally:
                    common.SEED_REPLAY = None
                if recorded:
                    raise Mismatch("the notebook's check made more calls to the answer than "
                                   "the genuine check does")
            except Mismatch as error:
                verdicts[grade_id] = f"{error}"
            except Exception as error:  # the genuine check's verdict on the recorded answers
                text = str(error) if str(error).isprintable() else " ".join(str(error).split())
                verdicts[grade_id] = f"{type(error).__name__}: {text}"[:400]
            if verdicts[grade_id]:
                break
    return verdicts


def main(argv: list[str]) -> int:
    plan_path, records, out = argv
    plan = json.loads(Path(plan_path).read_text())
    verdicts = recheck(plan["cells"], Path(records), tuple(plan["packages"]))
    Path(out).write_text(json.dumps(verdicts, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    package = importlib.import_module(here.name + ".replay")
    sys.exit(package.main(sys.argv[1:]))
