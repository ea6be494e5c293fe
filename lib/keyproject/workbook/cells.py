"""Writing values into cells safely, and the few styles keyproject uses (created once, reused).

Text from any workbook is data: a string that starts with ``=``, ``+``, ``-`` or ``@`` would be
taken as a formula by Excel (formula injection); it is written as a text cell with a quote prefix.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from copy import copy
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

_FORMULA_START = ("=", "+", "-", "@")

LIGHT_LABELS = {"green": "绿", "yellow": "黄", "red": "红", "blue": "蓝"}
# soft fills that print legibly in black and white too
LIGHT_FILLS = {
    "green": PatternFill("solid", fgColor="FFC6EFCE"),
    "yellow": PatternFill("solid", fgColor="FFFFEB9C"),
    "red": PatternFill("solid", fgColor="FFFFC7CE"),
    "blue": PatternFill("solid", fgColor="FFBDD7EE"),
}
LIGHT_FONTS = {
    "green": Font(color="FF006100", bold=True),
    "yellow": Font(color="FF9C5700", bold=True),
    "red": Font(color="FF9C0006", bold=True),
    "blue": Font(color="FF1F4E79", bold=True),
}
NO_FILL = PatternFill(fill_type=None)

THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_ALIGN = Alignment(vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center")

FMT_AMOUNT = "#,##0.00"
FMT_POINTS = "0.00"
FMT_RATE = "0.00%"
FMT_DATE = "yyyy-mm-dd"


# (style before, change) -> style after, per workbook (style ids index that workbook's style lists)
_RESTYLED: WeakKeyDictionary[Any, dict[tuple[Any, Hashable], Any]] = WeakKeyDictionary()


def restyle(cell: Cell, change: Hashable, apply: Callable[[Cell], None]) -> Cell:
    """Apply a style change (``apply``, named by ``change``) through a per-workbook cache.

    openpyxl's style setters hash the whole Font/Fill/Border on every assignment: profiling a
    3,000-project refresh showed most of the sheet writing spent there. The same change from the same
    starting style always gives the same style ids, so it is computed once and copied after that
    (copying ``_style`` is openpyxl's own idiom, as in its worksheet copier)."""
    cache = _RESTYLED.get(cell.parent.parent)
    if cache is None:
        cache = _RESTYLED[cell.parent.parent] = {}
    before = cell._style  # None on a cell never styled
    key = (None if before is None else tuple(before), change)
    after = cache.get(key)
    if after is None:
        apply(cell)
        cache[key] = copy(cell._style)
    else:
        cell._style = copy(after)
    return cell


def _light_style(kind: str) -> Callable[[Cell], None]:
    def apply(cell: Cell) -> None:
        cell.fill = LIGHT_FILLS[kind]
        cell.font = LIGHT_FONTS[kind]
        cell.alignment = CENTER

    return apply


def _no_fill(cell: Cell) -> None:
    cell.fill = NO_FILL


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def to_excel(value: Any) -> Any:
    """A Python/numpy/pandas value as something openpyxl writes (missing → None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def put(cell: Cell, value: Any) -> Cell:
    """Write ``value`` into ``cell``; strings are always text, never formulas."""
    value = to_excel(value)
    if isinstance(value, str):
        cell.value = value
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif cell.quotePrefix:
            cell.quotePrefix = False
    else:
        cell.value = value
    return cell


def put_light(cell: Cell, light: str | None, label: str | None = None) -> None:
    """A 灯号 cell: the Chinese label with its fill and font, or an empty unfilled cell."""
    if light is None or (isinstance(light, float) and math.isnan(light)) or light not in LIGHT_FILLS:
        cell.value = None
        restyle(cell, "no_fill", _no_fill)
        return
    text = label or LIGHT_LABELS[light]
    kind = "blue" if text == "蓝" else light  # the Zhaoqing preset names green 蓝
    cell.value = text
    restyle(cell, ("light", kind), _light_style(kind))
