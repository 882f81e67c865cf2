"""Interactive explorers for the notebooks (presentation layer: imports ipywidgets).

Each explorer keeps its logic in its module, where a test can set the controls from Python and
check the result; the notebook only displays it. Conventions every explorer follows:

- Building it trains once with the initial values and never waits for input, so headless runs
  (papermill, nbval) do not block.
- Its plain-text form (``text/plain``) is a fixed one-line description, so the committed output
  is stable; nbval does not compare the widget view itself (its model ids are random).
- Figures are rendered to PNG into an ``Image`` widget (``figure_png``), not captured by an
  ``Output`` widget: output capture depends on the front end (JupyterLab and nbclient capture,
  nbval does not), a PNG does not.
"""

from nnlib.widgets.common import figure_png
from nnlib.widgets.digits import DigitsExplorer
from nnlib.widgets.hopfield import HopfieldExplorer
from nnlib.widgets.lstm import LagExplorer
from nnlib.widgets.mlp import MLPExplorer
from nnlib.widgets.neuron import NeuronExplorer
from nnlib.widgets.order import OrderExplorer
from nnlib.widgets.rnn import AdditionStepper
from nnlib.widgets.tree import TreeExplorer
from nnlib.widgets.twolayer import TwoLayerExplorer

__all__ = ["AdditionStepper", "DigitsExplorer", "HopfieldExplorer", "LagExplorer",
           "MLPExplorer", "NeuronExplorer", "OrderExplorer", "TreeExplorer",
           "TwoLayerExplorer", "figure_png"]
