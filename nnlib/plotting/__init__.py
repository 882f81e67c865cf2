"""Figures the notebooks draw (presentation layer: imports matplotlib).

One module per notebook topic; nothing in nnlib's core imports this package.
"""

from nnlib.plotting.neuron import plot_neuron_history, plot_sigmoid
from nnlib.plotting.twolayer import plot_loss_curves, plot_network, plot_predictions

# The MLP and RNN figures: import them from nnlib.plotting.mlp and nnlib.plotting.rnn.

__all__ = ["plot_loss_curves", "plot_network", "plot_neuron_history", "plot_predictions",
           "plot_sigmoid"]
