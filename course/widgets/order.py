"""The bit-order explorer of notebook 05: one addition, read by the LSB-first and the MSB-first
network side by side, next to the best any MSB-first reader can do on that addition."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course.plotting import style
from nnlib.data.bits import addition_data, bits_to_int, carry_bits
from course.widgets.common import Explorer


class OrderExplorer(Explorer):
    """Choose a and b; see each network's probability for every bit of the sum.

    Parameters
    ----------
    models : dict {"lsb": RNN, "msb": RNN}
        Trained networks with the softmax head, reading bits in that order.
    n_bits : int, bits of the sum T (addends below 2**(T-1)).
    carry_probability : ndarray, shape (T,), p_i = P(carry into bit i) for independent
        uniform addends, indexed from the least significant bit (bit 0).
    a, b : initial addends.

    Notes
    -----
    The best causal MSB-first reader gives the true bit i the probability 1 - p_i when no
    carry comes into bit i and p_i when one does: its guess is "no carry". The explorer draws
    this per-example bound, so an addition with carries shows the reader's unavoidable misses.
    """

    description = ("OrderExplorer: move 'a' or 'b' (interactive in JupyterLab)")

    def __init__(self, models: dict, n_bits: int, carry_probability, a: int = 75, b: int = 46):
        self.models, self.n_bits = models, n_bits
        self.carry_probability = np.asarray(carry_probability, dtype=np.float64)
        largest = 2 ** (n_bits - 1) - 1
        self.a = widgets.IntSlider(value=min(a, largest), min=0, max=largest, description="a",
                                   continuous_update=False)
        self.b = widgets.IntSlider(value=min(b, largest), min=0, max=largest, description="b",
                                   continuous_update=False)
        self._outputs(plot_width="760px")
        self.predicted = {}
        self._assemble([[self.a, self.b]], [self.a, self.b])

    def probabilities_by_bit(self, order: str) -> tuple[np.ndarray, np.ndarray]:
        """P(bit = 1) and the true bits, both indexed from the least significant bit, (T,)."""
        X, y = addition_data([self.a.value], [self.b.value], self.n_bits, order)
        p = self.models[order].predict_proba(X)[0, :, 1]  # P(bit = 1), (T,)
        if order == "msb":  # bring both into the same order: bit 0 first
            return p[::-1], y[0, ::-1]
        return p, y[0]

    def example_bound(self) -> np.ndarray:
        """P(true bit) of the best causal MSB-first reader on (a, b), shape (T,), bit 0 first."""
        carry_out = carry_bits([self.a.value], [self.b.value], self.n_bits)[0]
        carry_in = np.concatenate([[0], carry_out[:-1]])
        p = self.carry_probability
        return np.where(carry_in == 1, p, 1 - p)

    def update(self) -> None:
        """Run both networks on (a, b), then restate and redraw."""
        a, b = self.a.value, self.b.value
        figure = Figure(figsize=(9.0, 3.4), layout="constrained")
        ax = figure.subplots()
        positions = np.arange(self.n_bits)
        lines = []
        for order, marker in (("lsb", "o"), ("msb", "s")):
            p, truth = self.probabilities_by_bit(order)
            bits = (p > 0.5).astype(np.int64)
            self.predicted[order] = int(bits_to_int(bits, "lsb"))
            confidence = np.where(truth == 1, p, 1 - p)  # probability given to the true bit
            ax.plot(positions, confidence, **style.line(order), label=f"{order.upper()}-first",
                    zorder=3)  # over the bound, which the MSB-first line often meets
            right = int(np.sum(bits == truth))
            verdict = ("exact" if self.predicted[order] == a + b
                       else f"{right} of {self.n_bits} bits right")
            lines.append(f"{order.upper()}-first says <b>{self.predicted[order]}</b> ({verdict})")
        ax.plot(positions, self.example_bound(), **style.line("bound"), lw=1.5,
                drawstyle="steps-mid", zorder=2,
                label="best any MSB-first reader can do on this addition")
        ax.set_xticks(positions, [f"bit {i}" for i in positions])
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("P(true bit)")
        ax.set_title(f"{a} + {b} = {a + b}: probability each network gives the true bit")
        ax.legend(loc="lower left")
        self._show(figure)
        self.status.value = f"{a} + {b} = <b>{a + b}</b>. " + "; ".join(lines) + "."

    def __repr__(self) -> str:
        return f"OrderExplorer(a={self.a.value}, b={self.b.value}, n_bits={self.n_bits})"
