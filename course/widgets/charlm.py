"""The sampling explorer of notebook 10: pick a temperature, a priming text and a length; the
model writes, and the figure shows its distribution for the first character it writes."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course.plotting.charlm import plot_next_character
from course.widgets.common import Explorer
from nnlib.charlm import sample
from nnlib.losses import softmax


def first_distribution(model, prime_ids: np.ndarray, temperature: float) -> np.ndarray:
    """The model's distribution over the character after ``prime_ids``, at ``temperature``
    (0: all the mass on the likeliest character)."""
    probabilities = model.predict_proba(np.eye(model.input_size)[prime_ids][None])[0, -1]
    if temperature == 0:
        peaked = np.zeros_like(probabilities)
        peaked[np.argmax(probabilities)] = 1.0
        return peaked
    return softmax(np.log(probabilities)[None] / temperature)[0]


class SampleExplorer(Explorer):
    """Sample from a character language model; every change of a control samples again.

    Parameters
    ----------
    model : an ``RNN``/``LSTM`` language model (see ``nnlib.charlm.sample``)
    vocabulary : ``nnlib.data.text.Vocabulary`` the model reads
    prime : str, the initial priming text (characters outside the vocabulary are refused)
    temperature : float, initial temperature (0 .. 3)
    length : int, initial number of characters to write (20 .. 600)
    seed : int, seeds the sampling: the same settings always write the same text
    """

    description = ("SampleExplorer: move 'temperature' or 'length', or edit 'prime' "
                   "(interactive in JupyterLab)")

    def __init__(self, model, vocabulary, prime: str = "def ", temperature: float = 1.0,
                 length: int = 200, seed: int = 0):
        self.model, self.vocabulary, self.seed = model, vocabulary, seed
        self.temperature = widgets.FloatSlider(value=temperature, min=0.0, max=3.0, step=0.1,
                                               description="temperature",
                                               continuous_update=False)
        self.length = widgets.IntSlider(value=length, min=20, max=600, step=20,
                                        description="length", continuous_update=False)
        self.prime = widgets.Text(value=prime, description="prime", continuous_update=False)
        self._outputs(plot_width="640px")
        self._assemble([[self.temperature, self.length], [self.prime]],
                       [self.temperature, self.length, self.prime])

    def update(self) -> None:
        """Sample with the current settings, then show the text and the first distribution."""
        try:
            prime_ids = self.vocabulary.encode(self.prime.value)
            if len(prime_ids) == 0:
                raise ValueError("prime must hold at least one character.")
        except ValueError as error:
            self.status.value = f"<b>{html.escape(str(error))}</b>"
            return
        temperature = self.temperature.value
        ids = sample(self.model, prime_ids, self.length.value, rng=np.random.default_rng(self.seed),
                     temperature=temperature)
        self.text = self.vocabulary.decode(ids)
        self.status.value = (f"<pre style='line-height:1.2'><b>{html.escape(self.prime.value)}"
                             f"</b>{html.escape(self.text)}</pre>")
        figure = Figure(figsize=(7, 2.6), layout="constrained")
        plot_next_character(first_distribution(self.model, prime_ids, temperature),
                            self.vocabulary.chars, ax=figure.subplots(),
                            title=f"the next character after the prime, temperature "
                                  f"{temperature:g}")
        self._show(figure)

    def __repr__(self) -> str:
        return (f"SampleExplorer(temperature={self.temperature.value:g}, "
                f"length={self.length.value}, prime={self.prime.value!r})")
