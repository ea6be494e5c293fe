"""keyproject's own sheets, replaced on every refresh: 汇总, 红黄绿灯, 排名, 问题清单, 通报.

Their content is ``keyproject.views.sheets``' views (the same the Excel button writes); ``render``
lays a ``SheetView`` out as a generated worksheet part (``package.worksheet.Sheet``), cell for cell
where ``views.sheets.view_rows`` puts the values: the title, a blank row, then each block's heading,
header and rows with a blank row after it.

How it looks, decided here once: each cell kind has its number format (amounts ``#,##0`` or
``#,##0.00`` as the view's decimals say, rates ``0.00%``, points and ratios ``0.00``, counts ``0``,
dates ``yyyy-mm-dd``, flags 是/否); a ``Light`` shows its label on the light's fill; headers are
bold on a pale fill, wrapped and centred; columns are as wide as their content (a CJK character
counts two) up to a limit, and text wider than its column wraps with the row made tall enough, so no
label is clipped on screen or on paper. Each sheet prints on A4 fitted to one page wide, landscape
(the 通报 portrait); list sheets freeze their header on screen and repeat it on every printed page.

Which sheets are keyproject's is recorded in the workbook's marks, so a later refresh replaces exactly
those. A user's sheet that happens to carry one of these names is never touched: keyproject writes its
sheet under "名称(keyproject)" instead and says so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keyproject.package.cells import Cell, CellValue, column_letter
from keyproject.package.package import Package
from keyproject.package.styles import Style
from keyproject.package.worksheet import PageSetup, Row, Sheet, worksheet_xml
from keyproject.views import Column, Facts, Light, Paragraphs, SheetView, Table, Value
from keyproject.workbook.cells import (
    FMT_AMOUNT,
    FMT_COUNT,
    FMT_DATE,
    FMT_POINTS,
    FMT_RATE,
    FMT_WHOLE,
    HEADER,
    HEADING,
    THIN,
    TITLE,
    WRAP_ALIGN,
    combine,
    light_style,
    text_style,
)

BULLETIN_WIDTH = 70.0  # characters of column A: an A4 portrait page
_MIN_WIDTH = 8.0
_MAX_WIDTH = 40.0  # wider text wraps
_HEADER_MAX = 12.0  # headers wrap; the data sets the width
_WRAP_MAX = 36.0
_LINE = 15.0  # points per line of 11-point CJK text
_BORDERED = Style(border=THIN)
_WRAPPED = Style(border=THIN, alignment=WRAP_ALIGN)
_PLAIN_WRAP = Style(alignment=WRAP_ALIGN)


def text_width(text: str) -> float:
    """Display width in Excel character units: a CJK (or full-width) character counts two."""
    return float(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))


def _number_format(kind: str, decimals: int | None) -> str | None:
    if kind == "amount":
        return FMT_WHOLE if decimals == 0 else (FMT_AMOUNT if decimals is None else "#,##0." + "0" * decimals)
    if kind == "rate":
        return FMT_RATE if decimals is None else ("0%" if decimals == 0 else "0." + "0" * decimals + "%")
    if kind in ("points", "ratio"):
        return FMT_POINTS if decimals is None else ("0" if decimals == 0 else "0." + "0" * decimals)
    if kind == "count":
        return FMT_COUNT
    if kind == "date":
        return FMT_DATE
    return None


def shown(value: CellValue, fmt: str | None) -> str:
    """The text a cell shows, for its width."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return "2023-12-31"
    if isinstance(value, (int, float)):
        if fmt is None or fmt == "General":
            return f"{value:g}" if isinstance(value, float) else str(value)
        if fmt.endswith("%"):
            places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
            return f"{value * 100:,.{places}f}%"
        places = len(fmt.split(".")[1]) if "." in fmt else 0
        return f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}"
    return str(value)


@dataclass
class _Cell:
    row: int
    col: int
    value: CellValue
    style: Style | None
    fmt: str | None
    kind: str  # title / heading / header / wrap / text / number / paragraph


class _Layout:
    """The cells of one view in place, before widths and heights are known."""

    def __init__(self) -> None:
        self.cells: list[_Cell] = []
        self.row = 1

    def put(self, col: int, value: CellValue, style: Style | None, kind: str, fmt: str | None = None) -> None:
        self.cells.append(_Cell(self.row, col, value, style, fmt, kind))

    def value_cell(self, col: int, value: Value, kind: str, decimals: int | None) -> None:
        if isinstance(value, Light):
            self.put(col, value.label, combine(_BORDERED, light_style(value.key, value.label)), "text")
            return
        if isinstance(value, bool):
            self.put(col, "是" if value else "否", _BORDERED, "text")
            return
        if isinstance(value, float) and math.isnan(value):
            value = None
        fmt = _number_format(kind, decimals) if isinstance(value, (int, float, dt.date)) else None
        if kind == "wrap":
            self.put(col, value, combine(_WRAPPED, text_style(value)), "wrap")
            return
        style = combine(_BORDERED, Style(number_format=fmt) if fmt else None, text_style(value))
        self.put(col, value, style, "text" if isinstance(value, str) or value is None else "number", fmt)

    def header(self, labels: Sequence[str]) -> None:
        for j, text in enumerate(labels, start=1):
            self.put(j, text, HEADER, "header")
        self.row += 1


def _lay_out(view: SheetView) -> tuple[_Layout, int | None]:
    """The view's cells (and the row of its first table's header, for list sheets)."""
    lay = _Layout()
    lay.put(1, view.title, TITLE, "title")
    lay.row = 3  # a blank row under the title, as views.sheets.view_rows lays it out
    first_head: int | None = None
    for block in view.blocks:
        if block.title:
            lay.put(1, block.title, HEADING, "heading")
            lay.row += 1
        if isinstance(block, Facts):
            lay.header(list(block.header))
            if not block.items:
                lay.put(1, block.empty, None, "text")
                lay.row += 1
            for fact in block.items:
                lay.value_cell(1, fact.label, "text", None)
                lay.value_cell(2, fact.value, fact.kind, fact.decimals)
                lay.row += 1
        elif isinstance(block, Table):
            if not block.rows:
                lay.put(1, block.empty, None, "text")
                lay.row += 1
            else:
                if first_head is None:
                    first_head = lay.row
                lay.header([c.label for c in block.columns])
                columns: Sequence[Column] = block.columns
                for values in block.rows:
                    for j, (column, v) in enumerate(zip(columns, values, strict=True), start=1):
                        lay.value_cell(j, v, column.kind, column.decimals)
                    lay.row += 1
        elif isinstance(block, Paragraphs):
            for line in block.lines:
                lay.put(1, line, _PLAIN_WRAP, "paragraph")
                lay.row += 1
            continue  # paragraphs run on: view_rows' blank row after them is the end of the sheet
        lay.row += 1
    return lay, first_head


def _widths(lay: _Layout, portrait: bool) -> dict[int, float]:
    if portrait:
        return {1: BULLETIN_WIDTH}
    widths: dict[int, float] = {}
    for c in lay.cells:
        if c.kind in ("title", "heading", "paragraph"):
            continue  # they run over the empty cells to their right
        need = text_width(shown(c.value, c.fmt)) + 2
        cap = _HEADER_MAX if c.kind == "header" else _WRAP_MAX if c.kind == "wrap" else _MAX_WIDTH
        if c.kind == "number":
            cap = max(cap, need)  # a number never wraps: its column fits it ("####" otherwise)
        widths[c.col] = round(min(max(widths.get(c.col, _MIN_WIDTH), need), cap), 1)
    return widths


def _lines(text: str, room: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``room`` characters wide."""
    return max(1, math.ceil(text_width(text) / max(room - 2, 1)))


def render(view: SheetView, derive: Callable[[Style], int], selected: bool = False
           ) -> tuple[Sheet, tuple[int, int] | None]:
    """The worksheet for ``view`` and its print-title rows (None when it has none). ``derive`` turns
    a format change over the workbook's default format into a style index."""
    lay, first_head = _lay_out(view)
    widths = _widths(lay, view.portrait)
    last_col = max(widths, default=1)
    table = sum(widths.values())
    heights: dict[int, float] = {}
    merges: list[str] = []
    rows: dict[int, list[tuple[int, Cell]]] = {}
    for c in lay.cells:
        style = c.style
        lines = 1
        if isinstance(c.value, str) and c.kind != "number":
            if c.kind in ("title", "heading"):
                if not view.portrait and text_width(c.value) + 2 > table and last_col > 1:
                    # it would run off the table (and off the printed page): wrap it across the table
                    merges.append(f"A{c.row}:{column_letter(last_col)}{c.row}")
                    style = combine(style, _PLAIN_WRAP)
                    lines = _lines(c.value, table)
                elif view.portrait and text_width(c.value) + 2 > BULLETIN_WIDTH:
                    style = combine(style, _PLAIN_WRAP)
                    lines = _lines(c.value, BULLETIN_WIDTH)
            else:
                room = widths.get(c.col, _MIN_WIDTH)
                if text_width(c.value) + 2 > room:  # wrapped, never clipped
                    if c.kind == "text":
                        style = combine(style, Style(alignment=WRAP_ALIGN))
                    lines = _lines(c.value, room)
        if lines > 1 or c.kind == "paragraph":
            line = 21.0 if c.kind == "title" else _LINE
            heights[c.row] = max(heights.get(c.row, 0.0), line * lines + (4 if c.kind == "paragraph" else 2))
        cell = Cell(c.value, derive(style) if style is not None else None)
        rows.setdefault(c.row, []).append((c.col, cell))
    out = [Row(r, sorted(cells, key=lambda x: x[0]), heights.get(r)) for r, cells in sorted(rows.items())]
    head = first_head if view.list_sheet else None
    page = PageSetup(landscape=not view.portrait, center_horizontally=not view.portrait)
    sheet = Sheet(out, widths, merges, freeze=(head + 1, 3) if head is not None else None, page=page,
                  selected=selected)
    return sheet, (head, head) if head is not None else None


def _candidate(name: str, existing: set[str], owned: set[str]) -> str:
    candidate = name
    n = 0
    while candidate in existing and candidate not in owned:
        n += 1
        candidate = f"{name}(keyproject)" if n == 1 else f"{name}(keyproject{n})"
    return candidate


def write_sheets(pkg: Package, views: Sequence[SheetView], owned: Sequence[str], warnings: list[str]
                 ) -> dict[str, str]:
    """Write keyproject's sheets into ``pkg`` (replacing those it wrote before, ``owned``); return
    {canonical name: sheet name used}."""
    owned_set = set(owned)
    existing = {s.name for s in pkg.sheets()}
    names: dict[str, str] = {}
    for view in views:
        candidate = _candidate(view.name, existing | set(names.values()), owned_set)
        if candidate != view.name:
            warnings.append(f"工作簿中已有用户自己的工作表“{view.name}”，未作改动；"
                            f"keyproject 的{view.name}写在“{candidate}”")
        names[view.name] = candidate
    # sheets keyproject made earlier under another name (e.g. "问题清单(keyproject)") that it no
    # longer uses are its own to remove (first: removing shifts the sheet positions behind them)
    for stale in owned_set - set(names.values()):
        if stale in existing:
            pkg.remove_sheet(stale)
    styles = pkg.styles

    def derive(style: Style) -> int:
        return styles.derive(0, style)

    date1904 = pkg.workbook.date1904
    active = _active_tab(pkg)
    titles: dict[str, tuple[int, int] | None] = {}
    for view in views:
        name = names[view.name]
        entry = pkg.workbook.sheet(name)
        sheet, titles[name] = render(view, derive, selected=entry is not None and entry.index == active)
        data = worksheet_xml(sheet, date1904)
        if entry is not None and entry.part is not None and entry.kind == "worksheet":
            pkg.replace_worksheet(entry, data)
        else:
            if entry is not None:  # something else of keyproject's name that is not a worksheet
                pkg.remove_sheet(name)
            pkg.add_worksheet(name, data)
    for name, rows in titles.items():
        entry = pkg.workbook.sheet(name)
        if entry is not None:
            pkg.workbook.set_print_titles(entry.index, name, rows)
    return names


def _active_tab(pkg: Package) -> int:
    root = pkg.workbook.root
    for view in root.iter(f"{{{pkg.workbook.ns}}}workbookView"):
        value = view.get("activeTab")
        return int(value) if value and value.isdigit() else 0
    return 0
