"""The tree explorer of notebook 09: type a ListOps expression, see its tree, its transitions,
its value and what a trained tree network predicts."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course.plotting import style
from course.plotting.tree import draw_tree
from nnlib.treedata import (leaves, listops_depth, listops_tree, listops_value, parse_listops,
                            transitions)
from course.widgets.common import Explorer


ERROR_COLOUR = style.color("error")

class TreeExplorer(Explorer):
    """Type an expression such as ``[MAX 2 9 [MIN 4 7 ] 0 ]``; see the tree drawn, the S/R
    transitions, the true value and the network's prediction.

    Parameters
    ----------
    model : nnlib.tree.TreeNet trained on ListOps trees (10 classes, the digits).
    text : str, the first expression shown.
    examples : list of str, optional: expressions the "example" slider loads into the box.

    Nothing is trained here: each change runs one forward pass.
    """

    description = ("TreeExplorer: type a ListOps expression or move 'example' "
                   "(interactive in JupyterLab)")

    def __init__(self, model, text: str = "[MAX 2 9 [MIN 4 7 ] 0 ]", examples=None):
        self.model = model
        self.examples = list(examples or [text])
        self.text = widgets.Text(value=text, description="expression",
                                 continuous_update=False,
                                 layout=widgets.Layout(width="520px"))
        self.example = widgets.IntSlider(value=0, min=0, max=len(self.examples) - 1,
                                         description="example", continuous_update=False)
        self._outputs()
        self.predicted = self.value = None
        self.example.observe(self._on_example, names="value")
        self._assemble([[self.text, self.example]], [self.text])

    def _on_example(self, change) -> None:
        self.text.value = self.examples[change["new"]]  # triggers update()

    def update(self) -> None:
        """Parse the expression; describe and draw it, or say what is wrong with it."""
        try:
            expr = parse_listops(self.text.value)
        except ValueError as error:
            self.predicted = self.value = None
            self.status.value = (f"<span style='color:{ERROR_COLOUR}'>"
                                 f"{html.escape(str(error))}</span>")
            return
        tree = listops_tree(expr)
        unknown = [t for t in leaves(tree) if t not in self.model.index]
        if unknown:
            self.predicted = self.value = None
            self.status.value = (f"<span style='color:{ERROR_COLOUR}'>"
                                 f"the network has no embedding for "
                                 f"{html.escape(unknown[0])}</span>")
            return
        probabilities = self.model.predict_proba([tree])[0]
        self.value, self.predicted = listops_value(expr), int(np.argmax(probabilities))
        verdict = "right" if self.predicted == self.value else "wrong"
        moves = transitions(tree)
        self.status.value = (
            f"value <b>{self.value}</b>, nesting depth {listops_depth(expr)}; the network "
            f"predicts <b>{self.predicted}</b> (probability {probabilities[self.predicted]:.2f}, "
            f"{verdict}).<br>transitions ({len(moves)} = 2 &times; {len(leaves(tree))} tokens "
            f"&minus; 1): <code>{' '.join(moves)}</code>")
        figure = Figure(figsize=(min(14, 1 + 0.55 * len(leaves(tree))), 3.6),
                        layout="constrained")
        draw_tree(tree, figure.subplots(), fontsize=9,
                  title="numbers: the order of the reduces (R) on the stack")
        self._show(figure)

    def __repr__(self) -> str:
        return f"TreeExplorer(text={self.text.value!r})"
