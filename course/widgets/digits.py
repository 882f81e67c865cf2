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
from course.plotting.digits import plot_confusion, plot_digits
from nnlib.train import fit
from nnlib.validation import check_number
from course.widgets.common import Explorer

SHOWN_MISTAKES = 8


class DigitsExplorer(Explorer):
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

    description = ("DigitsExplorer: change the hidden units, learning rate or epochs to "
                   "retrain (interactive in JupyterLab)")

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
        self._outputs(plot_width="760px", progress_max=epochs)
        self.model = self.history = self.error = None
        self._assemble([[self.hidden_size, self.learning_rate], [self.epochs, self.progress]],
                       [self.hidden_size, self.learning_rate, self.epochs])

    def update(self) -> None:
        """Retrain with the current control values, then redraw."""
        architecture = make_architecture([self.X_train.shape[1], self.hidden_size.value,
                                          CLASSES], hidden_activation="relu")
        self.model = MLP(architecture, np.random.default_rng(self.seed), init="glorot")
        epochs = self.epochs.value
        self.history = self._train(lambda: fit(
            self.model, self.X_train, self.y_train, Adam(self.learning_rate.value), epochs,
            batch_size=self.batch_size, rng=np.random.default_rng(self.seed),
            X_val=self.X_val, y_val=self.y_val, progress=self._advance), epochs)
        self._show(self._figure())

    def _figure(self) -> Figure:
        figure = Figure(figsize=(9.0, 4.0), layout="constrained")
        if self.history is None:
            self._show_divergence(figure.subplots())
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

    def __repr__(self) -> str:
        return (f"DigitsExplorer(hidden_size={self.hidden_size.value}, "
                f"learning_rate={self.learning_rate.value:.3g}, epochs={self.epochs.value})")
