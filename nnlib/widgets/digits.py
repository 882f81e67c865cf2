"""The digits explorer of notebook 06: hidden units, learning rate, epochs -> retrain, redraw.

It shows the *validation* set, never the test set: a learner who tunes by eye on the test set
would make the test accuracy an optimistic estimate.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.digits import CLASSES, confusion_matrix
from nnlib.mlp import MLP, make_architecture
from nnlib.optim import Adam
from nnlib.plotting.digits import plot_confusion, plot_digits
from nnlib.train import fit
from nnlib.validation import DivergenceError, check_number
from nnlib.widgets.common import figure_png, fixed_text_bundle

SHOWN_MISTAKES = 8


class DigitsExplorer:
    """Hidden units, learning rate and epochs -> retrain the 64-H-10 MLP, redraw.

    Every retraining starts from parameters drawn by ``np.random.default_rng(seed)`` and
    shuffles the mini-batches with a generator seeded the same way, so only the controls
    change the result. A progress bar follows the epochs.

    Parameters
    ----------
    X_train, y_train : ndarray (N, 64), (N,) labels 0..9
    X_val, y_val : ndarray (N_val, 64), (N_val,)
    seed : int >= 0
    hidden_size, learning_rate, epochs : starting values of the controls
    batch_size : int >= 1, examples per Adam step
    """

    def __init__(self, X_train, y_train, X_val, y_val, seed: int = 0, hidden_size: int = 64,
                 learning_rate: float = 0.01, epochs: int = 10, batch_size: int = 32):
        self.X_train, self.y_train, self.X_val, self.y_val = X_train, y_train, X_val, y_val
        self.seed = check_number("seed", seed, minimum=0, integer=True)
        self.batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
        self.hidden_size = widgets.IntSlider(value=hidden_size, min=4, max=256, step=4,
                                             description="hidden units",
                                             continuous_update=False)
        self.learning_rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=-4, max=0,
                                                    step=0.1, description="learning rate",
                                                    continuous_update=False)
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=100, description="epochs",
                                        continuous_update=False)
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="training")
        self.status = widgets.HTML()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
        self.model = None
        self.history = None
        self.error = None
        for control in (self.hidden_size, self.learning_rate, self.epochs):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.hidden_size, self.learning_rate]),
            widgets.HBox([self.epochs, self.progress]), self.status, self.plot])
        self.update()

    def _on_change(self, _change) -> None:
        self.update()

    def _advance(self, epoch: int) -> None:
        self.progress.value = epoch

    def update(self) -> None:
        """Retrain with the current control values, then redraw."""
        architecture = make_architecture([self.X_train.shape[1], self.hidden_size.value,
                                          CLASSES], hidden_activation="relu")
        self.model = MLP(architecture, np.random.default_rng(self.seed), init="glorot")
        epochs = self.epochs.value
        self.progress.max = epochs
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.status.value = "training…"
        try:
            self.history = fit(self.model, self.X_train, self.y_train,
                               Adam(self.learning_rate.value), epochs,
                               batch_size=self.batch_size, rng=np.random.default_rng(self.seed),
                               X_val=self.X_val, y_val=self.y_val, progress=self._advance)
            self.error = None
        except DivergenceError as error:  # show it in the status line; do not crash the UI
            self.history, self.error = None, str(error)
        self.progress.bar_style = "danger" if self.error else "success"
        self.plot.value = figure_png(self._figure())

    def _figure(self) -> Figure:
        figure = Figure(figsize=(9.0, 4.0), layout="constrained")
        if self.history is None:
            self.status.value = f"<b>{self.error}</b>"
            ax = figure.subplots()
            ax.text(0.5, 0.5, "training diverged", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            return figure
        predicted = self.model.predict(self.X_val)
        wrong = np.flatnonzero(predicted != self.y_val)
        accuracy = self.history.val_metric[-1]
        self.status.value = (f"{self.model!r}<br>after {self.epochs.value} epochs: validation "
                             f"accuracy <b>{100 * accuracy:.1f}%</b> ({wrong.size} of "
                             f"{len(self.y_val)} wrong), train loss "
                             f"{self.history.train_loss[-1]:.4f}")
        left, right = figure.subfigures(1, 2, width_ratios=[1.1, 1])
        plot_confusion(confusion_matrix(self.y_val, predicted), ax=left.subplots(),
                       title="confusion matrix (validation set)")
        shown = wrong[:SHOWN_MISTAKES]
        axes = right.subplots(2, SHOWN_MISTAKES // 2)
        plot_digits(self.X_val[shown], [f"{self.y_val[i]} as {predicted[i]}" for i in shown],
                    axes=axes)
        right.suptitle("mistakes: true as predicted" if shown.size else "no mistakes",
                       fontsize=10)
        return figure

    def _repr_mimebundle_(self, **kwargs):
        return fixed_text_bundle(self.widget, "DigitsExplorer: change the hidden units, "
                                 "learning rate or epochs to retrain (interactive in "
                                 "JupyterLab)", **kwargs)

    def __repr__(self) -> str:
        return (f"DigitsExplorer(hidden_size={self.hidden_size.value}, "
                f"learning_rate={self.learning_rate.value:.3g}, epochs={self.epochs.value})")
