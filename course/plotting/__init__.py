"""Figures the notebooks draw (presentation layer: imports matplotlib).

One module per notebook topic; nothing in nnlib's core imports this package.
"""

from course.plotting import style
from course.plotting.neuron import plot_neuron_history, plot_sigmoid
from course.plotting.twolayer import plot_loss_curves, plot_network, plot_predictions

style.use()  # every figure drawn through the course package gets the course style

# The MLP and RNN figures: import them from course.plotting.mlp and course.plotting.rnn.

__all__ = ["plot_loss_curves", "plot_network", "plot_neuron_history", "plot_predictions",
           "plot_sigmoid", "style"]
