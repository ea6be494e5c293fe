"""What keyproject writes into cells: values made safe, and the few formats it uses.

Text from any workbook is data. A string that starts with ``=``, ``+``, ``-`` or ``@`` would be
taken as a formula by Excel if typed; keyproject writes every string as a string cell (never a
formula) and gives formula-like text the quote prefix, so editing the cell in Excel or WPS keeps it
text too.

The formats are ``package.styles.Style`` changes applied over a base format: the user's own cell
format for keyproject's columns in a ledger, the workbook's default format for keyproject's sheets.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from keyproject.formats import excel_format
from keyproject.package.cells import CellValue
from keyproject.package.styles import Alignment, Border, Fill, Font, Style

_FORMULA_START = ("=", "+", "-", "@")

# numbers' formats are keyproject.formats.excel_format's; a date written into a user's cell formatted
# General gets the date format that rule gives
FMT_DATE = excel_format("date") or "yyyy-mm-dd"

# soft fills that print legibly in black and white too
LIGHT_FILLS = {"green": "FFC6EFCE", "yellow": "FFFFEB9C", "red": "FFFFC7CE", "blue": "FFBDD7EE"}
LIGHT_FONTS = {"green": "FF006100", "yellow": "FF9C5700", "red": "FF9C0006", "blue": "FF1F4E79"}

CENTER = Alignment(horizontal="center", vertical="center")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap=True)
WRAP_ALIGN = Alignment(vertical="top", wrap=True)
THIN = Border("FF808080")

TITLE = Style(font=Font(bold=True, size=14))
HEADING = Style(font=Font(bold=True))
HEADER = Style(font=Font(bold=True), fill=Fill("FFD9E1F2"), border=THIN, alignment=HEADER_ALIGN)
OWNED_HEADER = Style(alignment=HEADER_ALIGN)  # over the user's own header format
NO_FILL = Style(fill=Fill(None))
QUOTED = Style(quote_prefix=True)


def light_style(key: str, label: str | None = None) -> Style:
    """A 灯号 cell's format: the light's fill and font, centred. The Zhaoqing preset calls green 蓝:
    such a cell is blue."""
    kind = "blue" if label == "蓝" else key
    font = Font(bold=True, color=LIGHT_FONTS[kind])
    return Style(fill=Fill(LIGHT_FILLS[kind]), font=font, alignment=CENTER)


def light_rgb(key: str, label: str | None = None) -> tuple[int, int, int]:
    """A 灯号 cell's fill as (red, green, blue), for writers that set a colour through a program's
    object model (the Excel button): the same fill as ``light_style``."""
    argb = LIGHT_FILLS["blue" if label == "蓝" else key]
    return int(argb[2:4], 16), int(argb[4:6], 16), int(argb[6:8], 16)


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def to_value(value: Any) -> CellValue:
    """A Python/numpy/pandas value as a cell value (missing → None, lists joined with "；")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def text_style(value: CellValue) -> Style | None:
    """The quote prefix for text that looks like a formula; None otherwise."""
    return QUOTED if isinstance(value, str) and is_formula_like(value) else None


def combine(*styles: Style | None) -> Style | None:
    """Several format changes as one (later ones win field by field)."""
    out: Style | None = None
    for s in styles:
        if s is None:
            continue
        if out is None:
            out = s
            continue
        out = Style(
            number_format=s.number_format if s.number_format is not None else out.number_format,
            font=s.font if s.font is not None else out.font,
            fill=s.fill if s.fill is not None else out.fill,
            border=s.border if s.border is not None else out.border,
            alignment=s.alignment if s.alignment is not None else out.alignment,
            quote_prefix=s.quote_prefix if s.quote_prefix is not None else out.quote_prefix,
        )
    return out
