"""The MLP explorer of notebook 03: layers, activation, optimiser, learning rate -> retrain."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.architecture import HIDDEN_ACTIVATIONS, make_architecture
from nnlib.mlp import MLP
from nnlib.optim import OPTIMIZERS, make_optimizer
from course.plotting.mlp import plot_decision_boundary
from nnlib.train import fit
from nnlib.validation import check_number
from course.widgets.common import Explorer

ARCHITECTURES = {
    "2-8-1": [2, 8, 1],
    "2-16-16-1": [2, 16, 16, 1],
    "2-25-50-50-25-1 (tutorial)": [2, 25, 50, 50, 25, 1],
    "2-64-64-1": [2, 64, 64, 1],
}


class MLPExplorer(Explorer):
    """Architecture, hidden activation, optimiser, learning rate and epochs -> retrain, redraw.

    Every retraining starts from parameters drawn by ``np.random.default_rng(seed)`` and, for
    mini-batches, shuffles with a generator seeded the same way, so only the controls change
    the result. A progress bar follows the epochs while it trains.

    Parameters
    ----------
    X_train, y_train : ndarray (N, 2), (N,) labels 0/1
    X_val, y_val : ndarray (N_val, 2), (N_val,): the validation points it scores and draws
    seed : int
    architecture : a key of ``ARCHITECTURES``
    activation : "relu", "tanh", "sigmoid" or "identity" (hidden layers)
    optimizer : "sgd", "momentum" or "adam"
    learning_rate : float
    epochs : int
    batch_size : int or None (full batch)
    """

    description = ("MLPExplorer: change the layers, activation, optimiser, learning rate or "
                   "epochs to retrain (interactive in JupyterLab)")

    def __init__(self, X_train, y_train, X_val, y_val, seed: int = 0,
                 architecture: str = "2-16-16-1", activation: str = "relu",
                 optimizer: str = "adam", learning_rate: float = 0.01, epochs: int = 20,
                 batch_size: int | None = 32):
        self.X_train, self.y_train = X_train, y_train
        self.X_val, self.y_val = X_val, y_val
        self.seed = check_number("seed", seed, minimum=0, integer=True)
        self.batch_size = batch_size
        self.architecture = widgets.Dropdown(options=list(ARCHITECTURES), value=architecture,
                                             description="layers")
        self.activation = widgets.Dropdown(options=list(HIDDEN_ACTIVATIONS), value=activation,
                                           description="hidden")
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                          description="optimiser")
        self.learning_rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=-4, max=1,
                                                    step=0.1, description="learning rate",
                                                    continuous_update=False)
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=300, description="epochs",
                                        continuous_update=False)
        self._outputs(plot_width="560px", progress_max=epochs)
        self.model = self.history = self.error = None
        self._assemble([[self.architecture, self.activation, self.optimizer],
                        [self.learning_rate, self.epochs, self.progress]],
                       [self.architecture, self.activation, self.optimizer, self.learning_rate,
                        self.epochs])

    def update(self) -> None:
        """Retrain with the current control values, then redraw the decision boundary."""
        architecture = make_architecture(ARCHITECTURES[self.architecture.value],
                                         hidden_activation=self.activation.value)
        self.model = MLP(architecture, np.random.default_rng(self.seed))
        epochs = self.epochs.value
        self.history = self._train(lambda: fit(
            self.model, self.X_train, self.y_train,
            make_optimizer(self.optimizer.value, self.learning_rate.value), epochs,
            batch_size=self.batch_size, rng=np.random.default_rng(self.seed),
            X_val=self.X_val, y_val=self.y_val,
            record_every=max(1, epochs // 50), progress=self._advance), epochs)
        figure = Figure(figsize=(5.2, 3.8), layout="constrained")
        ax = figure.subplots()
        if self.history is None:
            self._show_divergence(ax)
        else:
            accuracy = self.history.val_metric[-1]
            reached = self.history.epochs_to_reach(0.95)
            self.status.value = (
                f"{self.model!r}<br>after {epochs} epochs: validation accuracy "
                f"<b>{100 * accuracy:.1f}%</b>, train loss {self.history.train_loss[-1]:.4f}; "
                + (f"95% first reached after epoch {reached}" if reached is not None
                   else "95% not reached"))
            plot_decision_boundary(self.model, self.X_val, self.y_val, ax=ax,
                                   title="decision boundary (validation points)",
                                   resolution=100)
        self._show(figure)

    def __repr__(self) -> str:
        return (f"MLPExplorer(layers={self.architecture.value!r}, "
                f"activation={self.activation.value!r}, optimizer={self.optimizer.value!r}, "
                f"learning_rate={self.learning_rate.value:.3g}, epochs={self.epochs.value})")
