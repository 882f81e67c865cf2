"""The head explorer of notebook 11: pick a position of a passage and see, for every layer and
head, how much that position attends to each earlier character."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course.plotting.transformer import COLORS
from course.widgets.common import Explorer


class HeadExplorer(Explorer):
    """Every head's attention from one position of a passage.

    Parameters
    ----------
    model : ``nnlib.transformer.Transformer``
    vocabulary : ``nnlib.data.text.Vocabulary`` the model reads
    passage : str, at most ``model.context_size`` characters of the vocabulary
    position : int, the initial position (1 .. len(passage) - 1)
    """

    description = "HeadExplorer: move 'position' to see where every head looks from it " \
                  "(interactive in JupyterLab)"

    def __init__(self, model, vocabulary, passage: str, position: int = 10):
        ids = vocabulary.encode(passage)
        if not 2 <= len(ids) <= model.context_size:
            raise ValueError(f"passage must hold 2 to {model.context_size} characters, got "
                             f"{len(ids)}.")
        self.model, self.passage = model, passage
        self.maps = model.attention_maps(ids[None])[:, 0]  # (layers, heads, T, T), computed once
        self.position = widgets.IntSlider(value=min(max(position, 1), len(ids) - 1), min=1,
                                          max=len(ids) - 1, description="position",
                                          continuous_update=False)
        self._outputs(plot_width="720px")
        self._assemble([[self.position]], [self.position])

    def update(self) -> None:
        """Mark the chosen character and draw each head's weights over the passage."""
        t = self.position.value
        before, char = self.passage[:t], self.passage[t]
        self.status.value = (f"<pre>{html.escape(before)}<b style='color:"
                             f"{COLORS['transformer']}'>{html.escape(char)}</b></pre>"
                             f"position {t} reads {char!r}; each panel: its weights on "
                             f"positions 0 .. {t}")
        layers, heads = self.maps.shape[:2]
        figure = Figure(figsize=(2.4 * heads, 1.9 * layers), layout="constrained")
        axes = figure.subplots(layers, heads, squeeze=False)
        labels = [repr(c)[1:-1] for c in self.passage[:t + 1]]
        for layer in range(layers):
            for head in range(heads):
                ax = axes[layer, head]
                ax.bar(np.arange(t + 1), self.maps[layer, head, t, :t + 1],
                       color=COLORS["transformer"])
                ax.set_ylim(0, 1)
                ax.set_title(f"layer {layer}, head {head}", fontsize=9)
                ax.set_xticks(np.arange(t + 1))
                ax.set_xticklabels(labels if layer == layers - 1 else [], fontsize=9,
                                   family="monospace")
        self._show(figure)

    def __repr__(self) -> str:
        return self.description
