"""Helpers shared by the explorers."""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

from nnlib.validation import DivergenceError


SCREEN_DPI = 80  # the explorers' figures are shown at 80 pixels per inch, drawn at twice that


def figure_png(figure: Figure, dpi: int = 2 * SCREEN_DPI) -> bytes:
    """Render a matplotlib figure (one not attached to pyplot) to PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def png_width(png: bytes) -> int:
    """The width in pixels written in a PNG's header."""
    return int.from_bytes(png[16:20], "big")


def fixed_text_bundle(widget, text: str, png: bytes | None = None, **kwargs) -> dict:
    """The widget's display bundle with a fixed ``text/plain``, for stable committed outputs,
    and, when ``png`` is given, that picture as ``image/png``: a front end with a live kernel
    shows the widget, one without (GitHub, nbviewer, a saved notebook) the picture. nbval does
    not compare images, so the committed outputs stay stable."""
    bundle = widget._repr_mimebundle_(**kwargs)
    bundle["text/plain"] = text
    if png:
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


class Explorer:
    """What every explorer shares: controls that retrain or redraw when moved, a status line, a
    figure shown as a PNG, an optional training progress bar, and a fixed ``text/plain``.

    A subclass makes its controls, calls ``_assemble(rows, controls)`` once, and writes
    ``update()``; ``description`` is the one line shown where widgets cannot be (committed
    outputs, a terminal). Training explorers call ``_train(run)``, which turns a
    ``DivergenceError`` into a red progress bar and a message instead of a crash.
    """

    description = ""

    def _outputs(self, plot_width: str | None = None, progress_max: int | None = None) -> None:
        """Create ``status``, ``plot`` and, when ``progress_max`` is given, ``progress``."""
        self.status = widgets.HTML()
        layout = widgets.Layout(max_width=plot_width) if plot_width else widgets.Layout()
        self.plot = widgets.Image(format="png", layout=layout)
        if progress_max is not None:
            self.progress = widgets.IntProgress(value=0, min=0, max=progress_max,
                                                description="training")

    def _assemble(self, rows, controls) -> None:
        """Watch ``controls`` (each change calls ``update()``) and lay out ``rows`` of widgets
        above the status line and the figure; then draw once."""
        for control in controls:
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(row)) for row in rows]
                                   + [self.status, self.plot])
        self.update()

    def _on_change(self, _change) -> None:
        self.update()

    def _advance(self, epoch: int) -> None:
        self.progress.value = epoch

    def _train(self, run, epochs: int):
        """Call ``run()`` (it trains, moving the bar through ``_advance``) and return its result,
        or None after a ``DivergenceError``, whose message is kept in ``self.error``."""
        self.progress.max, self.progress.value = epochs, 0
        self.progress.bar_style = "info"
        self.status.value = "training…"
        try:
            result, self.error = run(), None
        except DivergenceError as error:  # show it in the status line; do not crash the UI
            result, self.error = None, str(error)
        self.progress.bar_style = "danger" if self.error else "success"
        return result

    def _show_divergence(self, ax) -> None:
        """State the divergence in the status line and on ``ax``."""
        self.status.value = f"<b>{html.escape(self.error)}</b>"
        ax.text(0.5, 0.5, "training diverged", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()

    def _show(self, figure: Figure) -> None:
        png = figure_png(figure)
        self.plot.value = png
        self.plot.width = str(png_width(png) // 2)  # sharp on high-density screens

    def update(self) -> None:  # pragma: no cover - every explorer defines it
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        """``(bundle, metadata)``: the widget, its fixed one-line description and a PNG of its
        current figure (when displayed at the end of its cell: the opening state), so static
        views keep a picture, shown at the widget's size."""
        plot = getattr(self, "plot", None)
        png = plot.value if plot is not None else None
        bundle = fixed_text_bundle(self.widget, self.description, png=png, **kwargs)
        # Drawn at twice the screen density: shown at half its pixel width, like the widget.
        if not png:
            return bundle, {}
        height = int.from_bytes(png[20:24], "big")
        return bundle, {"image/png": {"width": png_width(png) // 2, "height": height // 2}}
