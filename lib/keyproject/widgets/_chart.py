"""Charts for the widgets: matplotlib figures (no pyplot, no global state) rendered to PNG bytes."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from keyproject.fonts import matplotlib_cjk_font


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of a font with Chinese glyphs matplotlib can use, or None. Font files found on the
    system are registered directly when matplotlib's font cache does not list them (a cache built
    before the CJK font was installed): see ``keyproject.fonts.matplotlib_cjk_font``."""
    return matplotlib_cjk_font()


@contextmanager
def chinese_text() -> Iterator[None]:
    """Matplotlib settings for Chinese labels: the CJK font first, DejaVu Sans for what it lacks."""
    font = cjk_font()
    if font is not None:
        with rc_context({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}):
            yield
        return
    # no Chinese font on this machine: the labels show boxes; the widget says so once, not per glyph
    with rc_context({"font.family": ["DejaVu Sans"], "axes.unicode_minus": False}), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        yield


def new_figure(width: float, height: float, *, dpi: int = 90, constrained: bool = True) -> Figure:
    """A figure on an Agg canvas; a chart redrawn on every change passes ``constrained=False`` and
    fixes its margins (constrained layout doubles the drawing time)."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    """Draw once and encode quickly (``savefig`` would draw again)."""
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # new_figure made it
    canvas.draw()
    return encode_png(canvas)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as PNG, fast compression (the chart is small)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()
