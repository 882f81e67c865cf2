"""The lag sweep of notebook 07: plain RNN against LSTM on the adding problem, T = 5 .. 100.

    .venv/bin/python tools/lstm_sweep.py            (writes notebooks/data/lstm_adding_sweep.json)
    .venv/bin/python tools/lstm_sweep.py --lags 5 10 --seeds 2 --out /tmp/sweep.json
    .venv/bin/python tools/lstm_sweep.py --lags 50 --cells rnn --hidden-size 34 --out wide.json

Each run is ``course.lstm.adding_run(cell, T, seed)`` with the settings written into the
file's ``settings``: the same function, settings and seeds that the notebook calls for its live
run, so any entry can be recomputed there and compared. The file records, per run, the updates
made when the validation MSE first fell below ``solved_mse`` (null: not within the budget) and
the validation MSE after every epoch. One BLAS thread (nnlib's default); a few minutes on one
core, most of it the LSTM at T = 100.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.lstm import ADDING_SETTINGS, adding_run  # noqa: E402

DEFAULT_OUT = ROOT / "notebooks" / "data" / "lstm_adding_sweep.json"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lags", type=int, nargs="+", default=[5, 10, 20, 50, 100])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. SEEDS-1 per lag")
    parser.add_argument("--cells", nargs="+", choices=("rnn", "lstm"), default=["rnn", "lstm"])
    parser.add_argument("--hidden-size", type=int, default=ADDING_SETTINGS["hidden_size"],
                        help="H of both cells (the file's settings record it)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    settings = {**ADDING_SETTINGS, "hidden_size": args.hidden_size}
    runs = []
    for T in args.lags:
        for cell in args.cells:
            for seed in range(args.seeds):
                _, history, solved_at = adding_run(cell, T, seed, **settings)
                runs.append({"cell": cell, "T": T, "seed": seed, "solved_at": solved_at,
                             "steps": [int(s) for s in history.steps],
                             "val_mse": [round(float(v), 6) for v in history.val_loss]})
                verdict = ("not solved" if solved_at is None
                           else f"solved after {solved_at} updates")
                print(f"T={T:<4} {cell:<5} seed {seed}: {verdict}, last validation MSE "
                      f"{history.val_loss[-1]:.4f}", flush=True)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join([".venv/bin/python tools/lstm_sweep.py", *given])
    result = {"made_by": command, "settings": settings, "lags": args.lags,
              "seeds": args.seeds, "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {len(runs)} runs", flush=True)


if __name__ == "__main__":
    main()
