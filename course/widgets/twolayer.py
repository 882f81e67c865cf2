"""The two-layer explorer of notebook 02: hidden units, learning rate, epochs -> retrain."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.formatting import fmt, fmt_sci
from course.plotting.twolayer import plot_loss_curves, plot_network
from nnlib.optim import SGD
from nnlib.train import fit
from nnlib.twolayer import TwoLayerNet
from nnlib.validation import check_number
from course.widgets.common import Explorer


class TwoLayerExplorer(Explorer):
    """Hidden units, learning rate and epochs -> retrain a ``TwoLayerNet`` with ``fit``, redraw.

    Every retraining starts from weights drawn by ``np.random.default_rng(seed)``, so moving a
    control changes only what that control sets.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N, C)
    seed : int
        Seed of the generator that draws the initial weights.
    hidden_size, learning_rate, epochs : initial control values (full batch: one step per
        epoch).
    model_options : dict, optional
        Passed to ``TwoLayerNet`` (``init``, ``use_bias``, ``reduction``).
    describe : callable, optional
        ``describe(model) -> str``: an extra line of HTML for the status (e.g. a prediction).
    """

    description = ("TwoLayerExplorer: move 'hidden units', 'learning rate' or 'epochs' to "
                   "retrain (interactive in JupyterLab)")

    def __init__(self, X, y, seed: int = 0, hidden_size: int = 3, learning_rate: float = 1.0,
                 epochs: int = 1000, model_options: dict | None = None, describe=None):
        self.X, self.y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self.seed = check_number("seed", seed, minimum=0, integer=True)
        hidden_size = check_number("hidden_size", hidden_size, minimum=1, integer=True)
        learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                     exclusive_minimum=True)
        epochs = check_number("epochs", epochs, minimum=10, integer=True)
        self.model_options = dict(model_options or {})
        self.describe = describe
        # The ranges widen to include the initial values, which a slider would silently clip.
        self.hidden_size = widgets.IntSlider(value=hidden_size, min=1, max=max(12, hidden_size),
                                             description="hidden units",
                                             continuous_update=False)
        exponent = float(np.log10(learning_rate))
        self.learning_rate = widgets.FloatLogSlider(value=learning_rate, base=10,
                                                    min=min(-2.0, np.floor(exponent)),
                                                    max=max(1.5, np.ceil(exponent)),
                                                    step=0.05, description="learning rate",
                                                    continuous_update=False)
        self.epochs = widgets.IntSlider(value=epochs, min=10, max=max(5000, epochs), step=10,
                                        description="epochs", continuous_update=False)
        self._outputs(progress_max=1)
        self.model = self.history = self.error = None
        self._assemble([[self.hidden_size, self.learning_rate, self.epochs], [self.progress]],
                       [self.hidden_size, self.learning_rate, self.epochs])

    def _show_progress(self, epoch: int) -> None:
        # fit calls this after every record; the bar moves about twenty times per run.
        if epoch % max(1, self.epochs.value // 20) == 0 or epoch == self.epochs.value:
            self.progress.value = epoch

    def update(self) -> None:
        """Retrain with the current control values, then redraw the loss curve and the network."""
        self.model = TwoLayerNet(self.X.shape[1], self.hidden_size.value, self.y.shape[1],
                                 rng=np.random.default_rng(self.seed), **self.model_options)
        figure = Figure(figsize=(10, 3.4), layout="constrained")
        ax_loss, ax_net = figure.subplots(1, 2, width_ratios=[1.4, 1])
        epochs = self.epochs.value
        self.history = self._train(lambda: fit(
            self.model, self.X, self.y, SGD(self.learning_rate.value), epochs,
            record_every=max(1, epochs // 500), progress=self._show_progress, metric=None),
            epochs)
        if self.history is None:
            self._show_divergence(ax_loss)
        else:
            extra = f"; {self.describe(self.model)}" if self.describe else ""
            self.status.value = (f"final loss = <b>{fmt_sci(self.history.train_loss[-1], 2)}</b>, "
                                 f"predictions = {fmt(self.model.predict_proba(self.X)[:, 0], 3)}"
                                 f"{extra}")
            plot_loss_curves(self.history, ax=ax_loss,
                             title=f"{self.hidden_size.value} hidden units, learning rate "
                                   f"{self.learning_rate.value:.3g}")
            plot_network(self.model.layer_sizes, self.model.params, ax=ax_net)
        self._show(figure)

    def __repr__(self) -> str:
        return (f"TwoLayerExplorer(hidden_size={self.hidden_size.value}, "
                f"learning_rate={self.learning_rate.value:.3g}, "
                f"epochs={self.epochs.value})")
