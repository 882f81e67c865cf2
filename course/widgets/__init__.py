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

from course.widgets.charlm import SampleExplorer
from course.widgets.common import figure_png
from course.widgets.digits import DigitsExplorer
from course.widgets.hopfield import HopfieldExplorer
from course.widgets.lstm import LagExplorer
from course.widgets.mlp import MLPExplorer
from course.widgets.neuron import NeuronExplorer
from course.widgets.order import OrderExplorer
from course.widgets.rnn import AdditionStepper
from course.widgets.tree import TreeExplorer
from course.widgets.twolayer import TwoLayerExplorer

__all__ = ["AdditionStepper", "DigitsExplorer", "HopfieldExplorer", "LagExplorer",
           "MLPExplorer", "NeuronExplorer", "OrderExplorer", "SampleExplorer", "TreeExplorer",
           "TwoLayerExplorer", "figure_png"]
