"""The addition stepper of notebook 04: choose a and b, step through time, watch the carry."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib.data.bits import addition_data, bits_to_int, carry_bits
from course.plotting.rnn import plot_hidden_and_carry
from course.widgets.common import Explorer


class AdditionStepper(Explorer):
    """Pick two numbers and a time step; see the inputs, hidden state, output bit and carry.

    Parameters
    ----------
    model : nnlib.rnn.RNN, already trained to add (input_size 2), least significant bit first.
    a, b : int, initial addends.
    n_bits : int, time steps T (bits of the sum); addends range over 0 .. 2**(n_bits-1) - 1.
    unit_order : sequence of int, optional, rows of the heat map (e.g. carry units first).

    Nothing is trained here: moving a control only runs the forward pass for one example.
    """

    description = ("AdditionStepper: move 'a', 'b' or 'time step' (interactive in "
                   "JupyterLab)")

    def __init__(self, model, a: int = 75, b: int = 46, n_bits: int = 8, unit_order=None):
        self.model, self.n_bits = model, int(n_bits)
        self.unit_order = unit_order
        largest = 2 ** (self.n_bits - 1) - 1
        self.a = widgets.IntSlider(value=a, min=0, max=largest, description="a",
                                   continuous_update=False)
        self.b = widgets.IntSlider(value=b, min=0, max=largest, description="b",
                                   continuous_update=False)
        self.step = widgets.IntSlider(value=self.n_bits - 1, min=0, max=self.n_bits - 1,
                                      description="time step", continuous_update=False)
        self._outputs()
        self.predicted_sum = None
        self._assemble([[self.a, self.b, self.step]], [self.a, self.b, self.step])

    def update(self) -> None:
        """Run the network on (a, b), then describe and draw time step ``step``."""
        a, b, t = self.a.value, self.b.value, self.step.value
        X, y = addition_data([a], [b], self.n_bits, "lsb")
        hidden = self.model.hidden_states(X)[0]
        probabilities = self.model.predict_proba(X)[0, :, 1]  # P(bit = 1), (T,)
        bits = (probabilities > 0.5).astype(np.int64)
        carry = carry_bits([a], [b], self.n_bits)[0]
        self.predicted_sum = int(bits_to_int(bits))
        self.output_bits, self.carry, self.hidden = bits, carry, hidden
        verdict = "right" if self.predicted_sum == a + b else "wrong"
        self.status.value = (
            f"step t = {t} (bit worth 2<sup>{t}</sup>): inputs a<sub>t</sub> = "
            f"{int(X[0, t, 0])}, b<sub>t</sub> = {int(X[0, t, 1])}; "
            f"P(output bit = 1) = {probabilities[t]:.3f} so the output bit is <b>{bits[t]}</b> "
            f"(true {y[0, t]}); carry out = <b>{carry[t]}</b>. "
            f"Whole sum: {a} + {b} = <b>{self.predicted_sum}</b> ({verdict}).")
        # Only the steps up to t have happened yet: blank the future.
        shown = np.where(np.arange(self.n_bits)[:, None] <= t, hidden, np.nan)
        figure = Figure(figsize=(11, 4.2), layout="constrained")
        axes = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        plot_hidden_and_carry(shown, carry, X[0, :, 0], X[0, :, 1], bits,
                              unit_order=self.unit_order, axes=axes, current_step=t,
                              title=f"Hidden state after step {t}", true_bits=y[0],
                              value_range=(-1, 1) if self.model.activation == "tanh" else (0, 1))
        self._show(figure)

    def __repr__(self) -> str:
        return (f"AdditionStepper(a={self.a.value}, b={self.b.value}, "
                f"step={self.step.value}, n_bits={self.n_bits})")
