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

# CJK fonts in the order we prefer them; Debian's fonts-noto-cjk gives the first
CJK_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_CANDIDATES if n in names), None)


@contextmanager
def chinese_text() -> Iterator[None]:
    """Matplotlib settings for Chinese labels (falls back to the default font when none exists)."""
    font = cjk_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.family": family, "axes.unicode_minus": False}), warnings.catch_warnings():
        # without a CJK font the labels show boxes; say so once in the widget, not per glyph
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
    fig.canvas.draw()
    return encode_png(fig.canvas)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as PNG, fast compression (the chart is small)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()
