"""Helpers shared by the explorers."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def figure_png(figure: Figure, dpi: int = 80) -> bytes:
    """Render a matplotlib figure (one not attached to pyplot) to PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def fixed_text_bundle(widget, text: str, **kwargs) -> dict:
    """The widget's display bundle with a fixed ``text/plain``, for stable committed outputs."""
    bundle = widget._repr_mimebundle_(**kwargs)
    bundle["text/plain"] = text
    return bundle
