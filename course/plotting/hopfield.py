"""Figures for notebook 08 (Hopfield networks). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

CRITICAL_LOAD = 0.138  # Amit, Gutfreund & Sompolinsky (1985)


def show_state(ax, state, shape, title: str = "", changed=None, failed: bool = False):
    """Draw one +-1 state as a black-on-white picture of ``shape`` (rows, columns).

    ``changed`` (bool (N,), optional) outlines those pixels in the "error" colour; ``failed``
    frames the whole picture in it (a recall that did not end at its letter).
    """
    ax.imshow(np.reshape(state, shape), cmap=style.cmap("ink"), vmin=-1, vmax=1,
              interpolation="nearest")
    if changed is not None and np.any(changed):
        rows, columns = np.nonzero(np.reshape(changed, shape))
        ax.scatter(columns, rows, s=36, marker="s", facecolors="none",
                   edgecolors=style.color("error"), linewidths=1.2)
    ax.set_xticks([])
    ax.set_yticks([])
    if failed:
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor(style.color("error"))
            spine.set_linewidth(3)
    if title:
        ax.set_title(title, fontsize=9, color=style.color("error" if failed else "ink"))
    return ax


def plot_state_grid(rows, shape, row_labels, column_titles=None, figure=None, size=1.3,
                    changed=None, failed=None):
    """A grid of pictures: ``rows`` is a list of lists of states (N,), one list per row.

    ``changed`` (same nesting as ``rows``, entries None or bool (N,)) marks pixels;
    ``failed`` (same nesting, bools) frames pictures. Returns the figure (a new pyplot figure
    unless ``figure`` is given).
    """
    num_rows, num_columns = len(rows), max(len(row) for row in rows)
    if figure is None:
        figure = plt.figure(figsize=(min(size * num_columns + 0.8, style.MAX_WIDTH),
                                     size * num_rows + 0.3), layout="constrained")
    axes = np.atleast_2d(figure.subplots(num_rows, num_columns, squeeze=False))
    for r, row in enumerate(rows):
        for c in range(num_columns):
            ax = axes[r, c]
            if c < len(row):
                title = column_titles[c] if (column_titles and r == 0) else ""
                show_state(ax, row[c], shape, title,
                           changed=None if changed is None else changed[r][c],
                           failed=bool(failed is not None and failed[r][c]))
            else:
                ax.axis("off")
        axes[r, 0].set_ylabel(row_labels[r], fontsize=9)
    return figure


def plot_overlaps(ax, patterns, names):
    """The overlap matrix m = X X^T / N of the stored patterns: symmetric, 1 on the diagonal,
    drawn on the diverging map (red positive, blue negative) with its values written in."""
    overlaps = patterns @ patterns.T / patterns.shape[1]
    image = ax.imshow(overlaps, cmap=style.cmap("diverging"), vmin=-1, vmax=1)
    for (r, c), value in np.ndenumerate(overlaps):
        ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=9,
                color=style.color("paper") if abs(value) > 0.6 else style.color("ink"))
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.figure.colorbar(image, ax=ax, label="overlap $m = \\xi \\cdot \\xi' / N$", shrink=0.9)
    ax.set_title("Overlaps between the letters")
    return overlaps


def plot_energy(ax, energies, updates_per_sweep: int | None = None, label: str | None = None,
                title: str = "Energy during recall"):
    """Energy against the number of single-unit updates (or of synchronous steps)."""
    steps = np.arange(len(energies))
    ax.plot(steps, energies, drawstyle="steps-post", label=label)
    if updates_per_sweep:
        for sweep_end in range(updates_per_sweep, len(energies), updates_per_sweep):
            ax.axvline(sweep_end, color=style.color("guide"), lw=0.8, zorder=0)
        ax.set_xlabel("single-unit updates (grey lines: end of a sweep)")
    else:
        ax.set_xlabel("synchronous steps")
    ax.set_ylabel("energy E = -1/2 s^T W s")
    ax.set_title(title)
    return ax


def plot_basin(ax, noise_levels, recall_rates, labels):
    """Recall rate against the fraction of flipped pixels, one line per setting."""
    for rates, label in zip(recall_rates, labels):
        ax.plot(noise_levels, rates, marker="o", label=label)
    ax.set_xlabel("fraction of pixels flipped in the probe")
    ax.set_ylabel("fraction recalled exactly")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Basins of attraction")
    ax.legend()
    return ax


def plot_capacity(results: dict, axes=None):
    """Three panels from ``{N: capacity_experiment(...)}``: recalled from noise, fixed points,
    and the bit-error rate (log axis) against the crosstalk laws.

    Measured values are coloured markers (one colour per N, joined by thin lines); every
    prediction is the "bound" concept, black and dashed (the normal approximation of the bit
    error, dotted, beside the exact binomial law); the critical load 0.138 is a grey dash-dot
    threshold.
    """
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(style.MAX_WIDTH, 3.6), layout="constrained")
    ax_recalled, ax_fixed, ax_bits = axes
    colours = style.sequence(len(results))
    for colour, (num_units, result) in zip(colours, results.items()):
        load = result["load"]
        measured = dict(color=colour, marker="o", ms=3.5, lw=0.8)
        ax_recalled.plot(load, result["recalled"], label=f"N = {num_units}", **measured)
        ax_fixed.plot(load, result["fixed"], **measured)
        ax_fixed.plot(load, result["predicted_fixed"], **style.line("bound", markers=False),
                      lw=1)
        errors = np.asarray(result["bit_errors"], dtype=float)
        shown = errors > 0  # a log axis cannot show 0 (no unstable bit measured)
        ax_bits.plot(load[shown], errors[shown], ls="none", color=colour, marker="o", ms=3.5,
                     label=f"measured, N = {num_units}")
    smallest = results[min(results)]
    ax_bits.plot(smallest["load"], smallest["binomial_bit_errors"],
                 **style.line("bound", markers=False), lw=1.2,
                 label=f"exact binomial, N = {min(results)}")
    ax_bits.plot(smallest["load"], smallest["predicted_bit_errors"],
                 color=style.color("bound"), ls=":", lw=1.2,
                 label=f"normal approx., N = {min(results)}")
    ax_bits.set_yscale("log")
    ax_bits.set_ylim(1e-5, 0.1)
    for ax in axes:
        ax.axvline(CRITICAL_LOAD, **style.line("threshold", markers=False), lw=1)
        ax.set_xlabel("load P / N")
    ax_recalled.text(CRITICAL_LOAD, 0.04, " 0.138", color=style.color("threshold"),
                     fontsize=9, transform=ax_recalled.get_xaxis_transform())
    for ax in (ax_recalled, ax_fixed):
        ax.set_ylim(-0.03, 1.03)
    ax_recalled.set_ylabel("fraction recalled (overlap >= 0.9)")
    ax_recalled.set_title("Recall from noise")
    ax_fixed.set_ylabel("fraction of stored patterns")
    ax_fixed.set_title("Exact fixed points")
    ax_fixed.plot([], [], **style.line("bound", markers=False), lw=1,
                  label="(1 - bit error)$^N$")
    ax_fixed.legend(fontsize=9, loc="upper right")
    ax_bits.set_ylabel("fraction of unstable bits")
    ax_bits.set_title("One bit: the crosstalk")
    ax_recalled.legend(fontsize=9)
    ax_bits.legend(fontsize=9, loc="lower right")
    return axes


def plot_recall_by_size(ax, results: dict, shipped=()):
    """Recall from noise against the load for every network size: ``results`` measured in
    the notebook, the sizes in ``shipped`` (keys of ``results``) from the precomputed sweep
    (open markers); the half-way level and the critical load as references."""
    colours = style.sequence(len(results))
    for colour, (num_units, result) in zip(colours, sorted(results.items())):
        ax.plot(result["load"], result["recalled"], color=colour, lw=1, ms=4, marker="o",
                markerfacecolor=style.color("paper") if num_units in shipped else colour,
                label=f"N = {num_units}{' (shipped sweep)' if num_units in shipped else ''}")
    ax.axhline(0.5, **style.line("baseline", markers=False), lw=1)
    ax.axvline(CRITICAL_LOAD, **style.line("threshold", markers=False), lw=1)
    ax.text(CRITICAL_LOAD, 0.04, " 0.138", color=style.color("threshold"), fontsize=9,
            transform=ax.get_xaxis_transform())
    ax.set_xlim(0.09, 0.25)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("load P / N")
    ax.set_ylabel("fraction recalled (overlap >= 0.9)")
    ax.set_title("Half-way load against N")
    ax.legend(fontsize=9)
    return ax


def plot_basins_by_load(ax, basins: dict, start_noise: float = 0.1):
    """Fraction recalled against the noise of the probe, one line per load (dark = low);
    a grey dash-dot line at ``start_noise``, the noise of the capacity experiment."""
    colours = style.sequence(len(basins["load"]))
    for colour, load, row in zip(colours, basins["load"], basins["recalled"]):
        ax.plot(basins["noise"], row, color=colour, marker="o", ms=4, lw=1,
                label=f"load {load:.2f}")
    ax.axvline(start_noise, **style.line("threshold", markers=False), lw=1)
    ax.axhline(0.5, **style.line("baseline", markers=False), lw=1)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("fraction of bits flipped in the probe")
    ax.set_ylabel("fraction recalled (overlap >= 0.9)")
    ax.set_title("Basins shrink with the load")
    ax.legend(fontsize=9)
    return ax


def plot_rules(axes, loads, rules: dict):
    """Two panels, exact fixed points and recall from noise against the load, one line per
    learning rule: ``rules`` maps a name to {"fixed": (L,), "recalled": (L,)}."""
    for k, (name, result) in enumerate(rules.items()):
        settings = style.line("hopfield") if k == 0 else dict(style.cycle(3), marker="s")
        for ax, key in zip(axes, ("fixed", "recalled")):
            ax.plot(loads, result[key], ms=4, label=name, **settings)
    for ax, title in zip(axes, ("Exact fixed points", "Recall from noise")):
        ax.axvline(CRITICAL_LOAD, **style.line("threshold", markers=False), lw=1)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("load P / N")
        ax.set_title(title)
    axes[0].set_ylabel("fraction of stored patterns")
    axes[1].set_ylabel("fraction recalled (overlap >= 0.9)")
    axes[1].legend(fontsize=9)
    return axes


def plot_recall_frames(figure, frames, energies, shape, updates_per_sweep: int | None,
                       frame_titles):
    """The explorer's figure: the recall as a row of pictures, and the energy curve below."""
    grid = figure.add_gridspec(2, len(frames), height_ratios=[1, 1.1])
    for k, (state, title) in enumerate(zip(frames, frame_titles)):
        show_state(figure.add_subplot(grid[0, k]), state, shape, title)
    plot_energy(figure.add_subplot(grid[1, :]), energies, updates_per_sweep)
    return figure
