"""Figures for notebook 08 (Hopfield networks). Presentation layer: imports matplotlib."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course.plotting import style

CRITICAL_LOAD = 0.138  # Amit, Gutfreund & Sompolinsky (1985)


def show_state(ax, state, shape, title: str = ""):
    """Draw one +-1 state as a black-on-white picture of ``shape`` (rows, columns)."""
    ax.imshow(np.reshape(state, shape), cmap=style.cmap("ink"), vmin=-1, vmax=1,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_state_grid(rows, shape, row_labels, column_titles=None, figure=None, size=1.3):
    """A grid of pictures: ``rows`` is a list of lists of states (N,), one list per row.

    Returns the figure (a new pyplot figure unless ``figure`` is given).
    """
    num_rows, num_columns = len(rows), max(len(row) for row in rows)
    if figure is None:
        figure = plt.figure(figsize=(size * num_columns + 0.8, size * num_rows + 0.3),
                            layout="constrained")
    axes = np.atleast_2d(figure.subplots(num_rows, num_columns, squeeze=False))
    for r, row in enumerate(rows):
        for c in range(num_columns):
            ax = axes[r, c]
            if c < len(row):
                title = column_titles[c] if (column_titles and r == 0) else ""
                show_state(ax, row[c], shape, title)
            else:
                ax.axis("off")
        axes[r, 0].set_ylabel(row_labels[r], fontsize=9)
    return figure


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
    and the bit-error rate against the crosstalk prediction; the critical load 0.138 marked."""
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    ax_recalled, ax_fixed, ax_bits = axes
    for num_units, result in results.items():
        load = result["load"]
        line, = ax_recalled.plot(load, result["recalled"], marker="o", ms=3,
                                 color=style.sequence(len(results))[list(results).index(num_units)],
                                 label=f"N = {num_units}")
        ax_fixed.plot(load, result["fixed"], marker="o", ms=3, ls="none",
                      color=line.get_color(), label=f"measured, N = {num_units}")
        ax_fixed.plot(load, result["predicted_fixed"], color=line.get_color(), lw=1, ls="--")
        ax_bits.plot(load, result["bit_errors"], marker="o", ms=3, ls="none",
                     color=line.get_color(), label=f"measured, N = {num_units}")
    largest = results[max(results)]
    ax_bits.plot(largest["load"], largest["predicted_bit_errors"], **style.line("bound"), lw=1,
                 label=f"crosstalk prediction, N = {max(results)}")
    for ax in axes:
        ax.axvline(CRITICAL_LOAD, color=style.color("bound"), ls=style.linestyle("bound"), lw=1)
        ax.set_xlabel("load P / N")
    ax_recalled.text(CRITICAL_LOAD, 0.5, " 0.138", color=style.color("bound"),
                     transform=ax_recalled.get_xaxis_transform())  # y as a fraction of the axes
    for ax in (ax_recalled, ax_fixed):
        ax.set_ylim(-0.03, 1.03)
    ax_recalled.set_ylabel("fraction recalled (overlap >= 0.9)")
    ax_recalled.set_title("Recall from 10 % flipped bits")
    ax_fixed.set_ylabel("fraction of stored patterns")
    ax_fixed.set_title("Stored patterns that are fixed points")
    ax_fixed.plot([], [], color=style.color("muted"), lw=1, ls="--", label="(1 - bit error)^N")
    ax_fixed.legend(fontsize=8)
    ax_bits.set_ylabel("fraction of unstable bits")
    ax_bits.set_title("One bit's error: the crosstalk")
    ax_recalled.legend()
    ax_bits.legend(fontsize=8)
    return axes


def plot_recall_frames(figure, frames, energies, shape, updates_per_sweep: int | None,
                       frame_titles):
    """The explorer's figure: the recall as a row of pictures, and the energy curve below."""
    grid = figure.add_gridspec(2, len(frames), height_ratios=[1, 1.1])
    for k, (state, title) in enumerate(zip(frames, frame_titles)):
        show_state(figure.add_subplot(grid[0, k]), state, shape, title)
    plot_energy(figure.add_subplot(grid[1, :]), energies, updates_per_sweep)
    return figure
