"""Figures the notebooks draw (presentation layer: imports matplotlib).

One module per notebook topic; nothing in nnlib's core imports this package.
"""

from nnlib.plotting.neuron import plot_neuron_history, plot_sigmoid

__all__ = ["plot_neuron_history", "plot_sigmoid"]
