"""The single-neuron explorer of notebook 01: epochs and learning rate -> retrain, redraw."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.formatting import fmt
from nnlib.neuron import Neuron, mean_abs_error
from nnlib.optim import SGD
from course.plotting.neuron import plot_neuron_history
from nnlib.train import fit
from course.widgets.common import Explorer


class NeuronExplorer(Explorer):
    """Epochs and learning rate -> retrain the single neuron with ``fit`` and redraw its curves.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N, 1)
    w0 : ndarray, shape (D, 1)
        Initial weights: every retraining starts from these, so only the controls change.
    new_case : array_like, shape (D,)
        The unseen input whose prediction is shown.
    epochs, learning_rate : initial control values (full batch: one step per epoch).
    """

    description = ("NeuronExplorer: move 'epochs' or 'learning rate' to retrain "
                   "(interactive in JupyterLab)")

    def __init__(self, X, y, w0, new_case, epochs: int = 10_000, learning_rate: float = 1.0):
        self.X, self.y, self.w0 = X, y, np.array(w0, dtype=np.float64)
        self.new_case = np.asarray(new_case, dtype=np.float64).reshape(1, -1)
        self.epochs = widgets.IntSlider(value=epochs, min=10, max=50_000, step=10,
                                        description="epochs", continuous_update=False,
                                        style={"description_width": "initial"})
        self.learning_rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=-3,
                                                    max=1.5, step=0.05,
                                                    description="learning rate",
                                                    continuous_update=False,
                                                    style={"description_width": "initial"})
        self._outputs(progress_max=1)
        self.model = self.history = self.weights = self.prediction = None
        self._assemble([[self.epochs, self.learning_rate, self.progress]],
                       [self.epochs, self.learning_rate])

    def train(self, epochs: int, learning_rate: float) -> None:
        """Train a neuron from ``w0``; record weights and mean |error| about 500 times, and move
        the progress bar through ``fit``'s ``progress`` callback."""
        self.model = Neuron.from_weights(self.w0)
        every = max(1, epochs // 500)
        bar_every = max(1, epochs // 20)
        self.progress.max, self.progress.value = epochs, 0
        weights = []

        def record(epoch: int) -> None:
            weights.append(self.model.params["w"][:, 0].copy())
            if epoch % bar_every == 0 or epoch == epochs:
                self.progress.value = epoch

        self.history = fit(self.model, self.X, self.y, SGD(learning_rate), epochs,
                           record_every=every, progress=record, metric=mean_abs_error)
        self.weights = np.array(weights)

    def update(self) -> None:
        """Retrain with the current control values, then redraw and restate the prediction."""
        self.train(self.epochs.value, self.learning_rate.value)
        self.prediction = float(self.model.predict_proba(self.new_case)[0, 0])
        figure = Figure(figsize=(11, 3.6), layout="constrained")
        plot_neuron_history(self.history, self.weights, axes=figure.subplots(1, 2))
        self._show(figure)
        # The status line changes last, so whoever watches it sees the new figure too.
        case = fmt(self.new_case[0], 0)
        self.status.value = (f"prediction for {case} = <b>{fmt(self.prediction, 8)}</b>, "
                             f"final mean |error| = {fmt(self.history.train_metric[-1], 6)}")

    def __repr__(self) -> str:
        return (f"NeuronExplorer(epochs={self.epochs.value}, "
                f"learning_rate={self.learning_rate.value:.3g})")
