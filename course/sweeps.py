"""Summary statistics of parameter sweeps (``tools/sweep.py``, notebook 05): group, mean, std.

Runs are dicts ``{"run": str, "parameters": dict, "metrics": dict}``; runs that differ only in
one parameter (usually the seed) form a group. A core module: it imports neither NumPy's
plotting partners nor widgets; the figure of a sweep is ``course.plotting.order.plot_sweep``.
"""

from __future__ import annotations

import math
import numbers

from nnlib.formatting import fmt


def sort_key(value):
    """Sort key for parameter values: numbers numerically, then everything else as text
    (8 before 16, "lsb" before "msb")."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def sweep_table(records: list[dict], over: str = "seed",
                metrics: list[str] | None = None) -> list[dict]:
    """Group runs that differ only in ``over`` and summarise each metric as mean and std.

    Parameters
    ----------
    records : list of {"run": str, "parameters": dict, "metrics": dict}, one per finished run.
    over : the parameter averaged over (usually the seed).
    metrics : names to summarise (default: every metric of the first run).

    Returns
    -------
    list of {"parameters": dict (without ``over``), "runs": int, ``over``: list of its values,
    "mean": {metric: float}, "std": {metric: float}}, sorted by the parameters' values.

    Notes
    -----
    std is the sample standard deviation (divisor n - 1), 0 for a single run. Sums use
    ``math.fsum``, so the result does not depend on the order of the runs.
    """
    if not records:
        return []
    metrics = list(metrics or records[0]["metrics"])
    names = sorted({name for record in records for name in record["parameters"]} - {over})
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        key = tuple((name, record["parameters"].get(name)) for name in names)
        groups.setdefault(key, []).append(record)
    rows = []
    for key in sorted(groups, key=lambda key: [sort_key(value) for _, value in key]):
        members = sorted(groups[key], key=lambda r: sort_key(r["parameters"].get(over)))
        mean, std = {}, {}
        for metric in metrics:
            values = [float(r["metrics"][metric]) for r in members if metric in r["metrics"]]
            n = len(values)
            mean[metric] = math.fsum(values) / n if n else float("nan")
            std[metric] = (math.sqrt(math.fsum((v - mean[metric]) ** 2 for v in values)
                                     / (n - 1)) if n > 1 else 0.0)
        rows.append({"parameters": dict(key), "runs": len(members),
                     over: [r["parameters"].get(over) for r in members],
                     "mean": mean, "std": std})
    return rows


def format_sweep_table(groups: list[dict], over: str = "seed", digits: int = 2) -> str:
    """The groups as a Markdown table: one row per group, ``mean ± std`` per metric.

    Metrics whose means are all below 1 in size (losses) get two more decimals.
    """
    if not groups:
        return "(no finished runs)"
    names = list(groups[0]["parameters"])
    metrics = list(groups[0]["mean"])
    decimals = {m: digits + 2 if all(abs(g["mean"][m]) < 1 for g in groups) else digits
                for m in metrics}
    header = names + [f"runs ({over})"] + [f"{metric} (mean ± std)" for metric in metrics]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for group in groups:
        cells = [str(group["parameters"][name]) for name in names]
        cells.append(f"{group['runs']} ({', '.join(str(v) for v in group[over])})")
        cells += [f"{fmt(group['mean'][m], decimals[m])} ± {fmt(group['std'][m], decimals[m])}"
                  for m in metrics]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = ["format_sweep_table", "sort_key", "sweep_table"]
