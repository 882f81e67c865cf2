"""The lag explorer of notebook 07: pick a lag, a hidden size and a cell, train on the adding
problem with a progress bar, and compare the learning curve with the runs before it."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from course.lstm import ADDING_SETTINGS, adding_run
from nnlib.data.lagtasks import ADDING_BASELINE_MSE
from course.plotting.lstm import LABELS, plot_validation_curves
from course.widgets.common import Explorer

CELLS = {"LSTM": "lstm", "plain RNN": "rnn"}


class LagExplorer(Explorer):
    """Train an RNN or an LSTM on the adding problem; every change of a control retrains.

    Parameters
    ----------
    lag : int, initial sequence length T (5 .. 100)
    hidden_size : int, initial H (2 .. 32)
    cell : "lstm" or "rnn", the initial cell
    epochs : int, the budget of each run (``adding_run``'s epochs)
    seed : int, seeds every run (weights, data, batches)
    keep : int, how many earlier runs stay on the plot for comparison
    """

    description = ("LagExplorer: move 'lag T' or 'hidden size', or switch the cell "
                   "(interactive in JupyterLab)")

    def __init__(self, lag: int = 10, hidden_size: int = 16, cell: str = "lstm",
                 epochs: int = 40, seed: int = 0, keep: int = 3):
        self.epochs, self.seed, self.keep = epochs, seed, keep
        self.lag = widgets.IntSlider(value=lag, min=5, max=100, step=5, description="lag T",
                                     continuous_update=False)
        self.hidden = widgets.IntSlider(value=hidden_size, min=2, max=32,
                                        description="hidden size", continuous_update=False)
        names = {value: key for key, value in CELLS.items()}
        self.cell = widgets.ToggleButtons(options=list(CELLS), value=names[cell],
                                          description="cell")
        self._outputs(plot_width="720px", progress_max=epochs)
        self.runs: list[dict] = []
        self._assemble([[self.lag, self.hidden], [self.cell, self.progress]],
                       [self.lag, self.hidden, self.cell])

    def update(self) -> None:
        """Train with the current settings, then restate and redraw."""
        cell, T, H = CELLS[self.cell.value], self.lag.value, self.hidden.value
        self.progress.value, self.progress.bar_style = 0, "info"
        settings = {**ADDING_SETTINGS, "hidden_size": H, "epochs": self.epochs}
        _, history, solved_at = adding_run(cell, T, self.seed, progress=self._advance,
                                           **settings)
        self.progress.value = self.progress.max
        self.progress.bar_style = "success" if solved_at is not None else "warning"
        label = f"{LABELS[cell]}, T={T}, H={H}"
        self.runs = [run for run in self.runs if run["label"] != label][-(self.keep - 1):]
        self.runs.append({"label": label, "cell": cell, "steps": history.steps,
                          "val_mse": history.val_loss, "solved_at": solved_at})
        verdict = (f"solved (validation MSE below {settings['solved_mse']:g}) after "
                   f"<b>{solved_at}</b> updates" if solved_at is not None else
                   f"<b>not solved</b> within {int(history.steps[-1])} updates")
        self.status.value = (f"{label}: {verdict}; last validation MSE "
                             f"{history.val_loss[-1]:.4f} (predicting 1 scores "
                             f"{ADDING_BASELINE_MSE:.3f}).")
        figure = Figure(figsize=(8, 3.4), layout="constrained")
        ax = figure.subplots()
        curves = {run["label"]: (run["steps"], run["val_mse"], None) for run in self.runs}
        plot_validation_curves(curves, ADDING_BASELINE_MSE, settings["solved_mse"], ax=ax,
                               title="Adding problem: validation MSE while training")
        self._show(figure)

    def __repr__(self) -> str:
        return (f"LagExplorer(lag={self.lag.value}, hidden_size={self.hidden.value}, "
                f"cell={CELLS[self.cell.value]!r})")
