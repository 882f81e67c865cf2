"""The single-neuron explorer of notebook 01: iterations and learning rate -> retrain, redraw."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.formatting import fmt
from nnlib.neuron import NeuronHistory, neuron_predict, train_neuron
from nnlib.plotting.neuron import plot_neuron_history
from nnlib.widgets.common import figure_png, fixed_text_bundle


class NeuronExplorer:
    """Iterations and learning rate -> retrain the single neuron and redraw its curves.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N, 1)
    w0 : ndarray, shape (D, 1)
        Initial weights: every retraining starts from these, so only the controls change.
    new_case : array_like, shape (D,)
        The unseen input whose prediction is shown.
    iterations, learning_rate : initial control values.
    """

    def __init__(self, X, y, w0, new_case, iterations: int = 10_000,
                 learning_rate: float = 1.0):
        self.X, self.y, self.w0 = X, y, np.array(w0, dtype=np.float64)
        self.new_case = np.asarray(new_case, dtype=np.float64).reshape(1, -1)
        self.iterations = widgets.IntSlider(value=iterations, min=10, max=50_000, step=10,
                                            description="iterations",
                                            continuous_update=False,
                                            style={"description_width": "initial"})
        self.learning_rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=-3,
                                                    max=1.5, step=0.05,
                                                    description="learning rate",
                                                    continuous_update=False,
                                                    style={"description_width": "initial"})
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="training")
        self.status = widgets.HTML()
        self.plot = widgets.Image(format="png")
        self.history = None
        self.prediction = None
        self.iterations.observe(self._on_change, names="value")
        self.learning_rate.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.iterations, self.learning_rate, self.progress]),
            self.status, self.plot])
        self.update()

    def _on_change(self, _change) -> None:
        self.update()

    def update(self) -> None:
        """Retrain with the current control values, then redraw and restate the prediction."""
        self.history = self._train_with_progress(self.iterations.value, self.learning_rate.value)
        self.prediction = float(neuron_predict(self.new_case, self.history.w)[0, 0])
        figure = Figure(figsize=(11, 3.6), layout="constrained")
        plot_neuron_history(self.history, axes=figure.subplots(1, 2))
        self.plot.value = figure_png(figure)
        # The status line changes last, so whoever watches it sees the new figure too.
        case = fmt(self.new_case[0], 0)
        self.status.value = (f"prediction for {case} = <b>{fmt(self.prediction, 8)}</b>, "
                             f"final mean |error| = {fmt(self.history.mean_abs_error[-1], 6)}")

    def _train_with_progress(self, iterations: int, learning_rate: float) -> NeuronHistory:
        """``train_neuron`` in ten chunks, moving the progress bar after each.

        Every chunk but the last is a multiple of ``record_every``, so the joined history is
        exactly the one a single call would record (a test checks it).
        """
        every = max(1, iterations // 500)
        chunk = every * max(1, (iterations // every) // 10)
        self.progress.max, self.progress.value = iterations, 0
        w, done, parts = self.w0, 0, []
        while done < iterations:
            part = train_neuron(self.X, self.y, w, min(chunk, iterations - done), learning_rate,
                                record_every=every)
            skip = 1 if parts else 0  # a chunk's first record is the previous chunk's last
            parts.append((part.steps[skip:] + done, part.weights[skip:],
                          part.mean_abs_error[skip:]))
            w, done = part.w, done + int(part.steps[-1])
            self.progress.value = done
        steps, weights, errors = (np.concatenate(column) for column in zip(*parts))
        return NeuronHistory(w=w, steps=steps, weights=weights, mean_abs_error=errors)

    def _repr_mimebundle_(self, **kwargs):
        return fixed_text_bundle(self.widget, "NeuronExplorer: move 'iterations' or "
                                 "'learning rate' to retrain (interactive in JupyterLab)", **kwargs)

    def __repr__(self) -> str:
        return (f"NeuronExplorer(iterations={self.iterations.value}, "
                f"learning_rate={self.learning_rate.value:.3g})")
