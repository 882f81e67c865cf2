"""The Hopfield explorer of notebook 08: stored patterns, noise, update mode -> recall again."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.formatting import fmt
from nnlib.hopfield import flip_bits, hebbian_weights, recall_path
from course.plotting.hopfield import plot_recall_frames
from course.widgets.common import Explorer

MAX_FRAMES = 6


class HopfieldExplorer(Explorer):
    """Store the first k patterns, corrupt the first one, recall it and draw the way there.

    Parameters
    ----------
    patterns : ndarray, shape (P, N), entries -1 or +1; the first ``stored`` are stored
    shape : (rows, columns) with rows * columns = N, for drawing the states
    names : list of P str, optional: what each pattern shows
    seed : int. The noise and the asynchronous order come from ``default_rng(seed)``, so the
        same controls always give the same recall.
    stored, noise, mode : initial control values (mode "async" or "sync").
    max_sweeps : int, sweeps before giving up (a synchronous 2-cycle never settles).
    """

    description = ("HopfieldExplorer: move 'stored patterns' or 'noise', or switch the "
                   "update (interactive in JupyterLab)")

    def __init__(self, patterns, shape, names=None, seed: int = 0, stored: int = 3,
                 noise: float = 0.2, mode: str = "async", max_sweeps: int = 20):
        self.patterns = np.asarray(patterns, dtype=np.float64)
        self.shape, self.seed, self.max_sweeps = tuple(shape), seed, max_sweeps
        count = self.patterns.shape[0]
        self.names = list(names) if names is not None else [str(i) for i in range(count)]
        style = {"description_width": "initial"}
        self.stored = widgets.IntSlider(value=stored, min=1, max=count, step=1,
                                        description="stored patterns", continuous_update=False,
                                        style=style)
        self.noise = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05,
                                         description="noise", continuous_update=False,
                                         readout_format=".2f", style=style)
        self.mode = widgets.ToggleButtons(options=["async", "sync"], value=mode,
                                          description="update", style=style)
        self._outputs()
        self.frames = self.energies = self.final = None
        self._assemble([[self.stored, self.noise, self.mode]],
                       [self.stored, self.noise, self.mode])

    def update(self) -> None:
        """Store, corrupt, recall and redraw with the current control values."""
        rng = np.random.default_rng(self.seed)
        W = hebbian_weights(self.patterns[:self.stored.value])
        target = self.patterns[0]
        probe = flip_bits(target, self.noise.value, rng)
        self.frames, self.energies = recall_path(W, probe, rng, mode=self.mode.value,
                                                 max_sweeps=self.max_sweeps, frames_per_sweep=4)
        self.final = self.frames[-1]
        shown = np.unique(np.linspace(0, len(self.frames) - 1, MAX_FRAMES).round().astype(int))
        # recall_path keeps 4 frames per asynchronous sweep, 1 per synchronous step.
        titles = (["probe"] + [f"{k / 4:g} sweeps" if self.mode.value == "async"
                               else f"step {k}" for k in shown[1:-1]] + ["final"])
        figure = Figure(figsize=(1.6 * MAX_FRAMES, 4.2), layout="constrained")
        async_mode = self.mode.value == "async"
        plot_recall_frames(figure, self.frames[shown], self.energies, self.shape,
                           target.size if async_mode else None, titles[:len(shown)])
        self._show(figure)
        overlap = float(np.mean(self.final * target))
        verdict = "recalled exactly" if overlap == 1.0 else "not recalled"
        # The status line changes last, so whoever watches it sees the new figure too.
        self.status.value = (f"stored {', '.join(self.names[:self.stored.value])}; probe: "
                             f"{self.names[0]} with {fmt(100 * self.noise.value, 0)} % flipped "
                             f"-> <b>{verdict}</b> (overlap {fmt(overlap, 3)}), energy "
                             f"{fmt(self.energies[0], 2)} -> {fmt(self.energies[-1], 2)}")

    def __repr__(self) -> str:
        return (f"HopfieldExplorer(stored={self.stored.value}, noise={self.noise.value:.2f}, "
                f"mode={self.mode.value!r})")
