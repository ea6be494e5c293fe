"""keyproject's own sheets, replaced on every refresh: 汇总, 红黄绿灯, 排名, 问题清单, 通报.

Their content is ``keyproject.views.sheets``' views (the same the Excel button writes); this module
renders a view into an openpyxl sheet.

Which sheets are keyproject's is recorded in a custom document property of the workbook, so a later
refresh replaces exactly those. A user's sheet that happens to carry one of these names is never
touched: keyproject writes its sheet under "名称(keyproject)" instead and says so.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from keyproject.report import Report
from keyproject.schema import OWNED_COLUMNS_PROPERTY, OWNED_SHEETS_PROPERTY
from keyproject.views import Facts, Light, Paragraphs, SheetView, Table, Value
from keyproject.views.sheets import SHEETS, sheet_views
from keyproject.workbook.cells import (
    BORDER,
    FMT_AMOUNT,
    FMT_DATE,
    FMT_POINTS,
    FMT_RATE,
    HEADER_ALIGN,
    HEADER_FILL,
    HEADER_FONT,
    LIGHT_FILLS,
    LIGHT_FONTS,
    TITLE_FONT,
    WRAP_ALIGN,
    put,
    restyle,
)

PROP_SHEETS = OWNED_SHEETS_PROPERTY
PROP_COLUMNS = OWNED_COLUMNS_PROPERTY
_FORMATS: dict[str, str] = {"count": "0", "rate": FMT_RATE, "points": FMT_POINTS, "ratio": "0.00",
                            "date": FMT_DATE}


def _fmt(kind: str, decimals: int | None, value: Any) -> str | None:
    if kind == "amount":
        return "#,##0" if decimals == 0 else FMT_AMOUNT
    if isinstance(value, (dt.date, dt.datetime)):
        return FMT_DATE
    return _FORMATS.get(kind) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _clean(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# -- ownership -------------------------------------------------------------------------------------
def _prop(wb: Workbook, name: str) -> Any:
    for p in wb.custom_doc_props.props:
        if p.name == name:
            try:
                return json.loads(p.value)
            except (TypeError, ValueError):
                return None
    return None


def _set_prop(wb: Workbook, name: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    props = wb.custom_doc_props
    for p in list(props.props):
        if p.name == name:
            props.props.remove(p)
    props.append(StringProperty(name=name, value=text))


def owned_sheets(wb: Workbook) -> list[str]:
    value = _prop(wb, PROP_SHEETS)
    return [str(v) for v in value] if isinstance(value, list) else []


def recorded_columns(wb: Workbook, sheet: str) -> dict[str, str]:
    value = _prop(wb, PROP_COLUMNS)
    if isinstance(value, dict) and isinstance(value.get(sheet), dict):
        return {str(k): str(v) for k, v in value[sheet].items()}
    return {}


def record_columns(wb: Workbook, sheet: str, letters: Mapping[str, str]) -> None:
    value = _prop(wb, PROP_COLUMNS)
    value = value if isinstance(value, dict) else {}
    value[sheet] = dict(letters)
    _set_prop(wb, PROP_COLUMNS, value)


def _fresh_sheet(wb: Workbook, name: str, owned: set[str], warnings: list[str]) -> Worksheet:
    """An empty sheet for ``name``: keyproject's old one replaced in place, a user's left alone."""
    candidate = name
    n = 0
    while candidate in wb.sheetnames and candidate not in owned:
        n += 1
        candidate = f"{name}(keyproject)" if n == 1 else f"{name}(keyproject{n})"
    if candidate != name:
        warnings.append(f"工作簿中已有用户自己的工作表“{name}”，未作改动；"
                        f"keyproject 的{name}写在“{candidate}”")
    if candidate in wb.sheetnames:
        old = wb[candidate]
        index = wb.sheetnames.index(candidate)
        wb.remove(old)
        return wb.create_sheet(candidate, index)
    return wb.create_sheet(candidate)


# -- layout helpers --------------------------------------------------------------------------------
def _width(value: Any, limit: int = 60) -> float:
    """Display width in Excel character units (a CJK character counts two)."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else (f"{value:,.2f}" if isinstance(value, float) else str(value))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:limit]) + 2


class _Writer:
    """Writes a view's blocks down a sheet, tracking column widths."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, float]] = []  # (row, column, text width) of wrapping cells

    def _note(self, col: int, value: Any, cap: float = 40) -> None:
        self.widths[col] = min(max(self.widths.get(col, 8), _width(value)), cap)

    def title(self, text: str) -> None:
        put(self.ws.cell(row=self.row, column=1), text).font = TITLE_FONT
        self.row += 2

    def heading(self, text: str) -> None:
        put(self.ws.cell(row=self.row, column=1), text).font = HEADER_FONT
        self.row += 1

    def header(self, labels: Sequence[str]) -> int:
        for j, text in enumerate(labels, start=1):
            c = put(self.ws.cell(row=self.row, column=j), text)
            c.font, c.fill, c.alignment, c.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, BORDER
            self._note(j, text, 12)  # headers wrap; the data sets the width
            self.wrapped.append((self.row, j, _width(text)))
        self.row += 1
        return self.row - 1

    def cell(self, col: int, value: Value, kind: str = "text", decimals: int | None = None) -> Any:
        if isinstance(value, Light):
            c = put(self.ws.cell(row=self.row, column=col), value.label)
            restyle(c, ("cell", None, False), _cell_style(None, False))
            light_cell(c, value.key)
            self._note(col, value.label)
            return c
        value = _clean(value)
        c = put(self.ws.cell(row=self.row, column=col), value)
        fmt = _fmt(kind, decimals, c.value)
        wrap = kind == "wrap"
        restyle(c, ("cell", fmt, wrap), _cell_style(fmt, wrap))
        if wrap:
            self._note(col, value, 36)
            self.wrapped.append((self.row, col, _width(c.value, 2000)))
        else:
            self._note(col, c.value if fmt != FMT_AMOUNT else f"{c.value:,.2f}")
        return c

    def facts(self, block: Facts) -> None:
        self.header(list(block.header))
        for f in block.items:
            self.cell(1, f.label)
            self.cell(2, f.value, f.kind, f.decimals)
            self.row += 1
        self.row += 1

    def table(self, block: Table) -> int | None:
        if not block.rows:
            put(self.ws.cell(row=self.row, column=1), block.empty)
            self.row += 2
            return None
        head = self.header([c.label for c in block.columns])
        for values in block.rows:
            for j, (col, v) in enumerate(zip(block.columns, values, strict=True), start=1):
                self.cell(j, v, col.kind, col.decimals)
            self.row += 1
        self.row += 1
        return head

    def paragraphs(self, block: Paragraphs, width: float) -> None:
        for para in block.lines:
            c = put(self.ws.cell(row=self.row, column=1), para)
            c.alignment = WRAP_ALIGN
            self.ws.row_dimensions[self.row].height = 15 * math.ceil(_width(para, 4000) / (width - 4)) + 4
            self.row += 1

    def finish(self, freeze: str | None = None, print_rows: str | None = None) -> None:
        for col, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = round(w, 1)
        # spreadsheet programs do not grow rows for wrapped text written by openpyxl: set heights
        lines: dict[int, int] = {}
        for r, col, need in self.wrapped:
            have = max(self.widths.get(col, 8) - 1, 1)
            lines[r] = max(lines.get(r, 1), math.ceil(need / have))
        for r, n in lines.items():
            if n > 1:
                self.ws.row_dimensions[r].height = 14.5 * n
        if freeze:
            self.ws.freeze_panes = freeze
        if print_rows:
            self.ws.print_title_rows = print_rows
        print_well(self.ws)


def print_well(ws: Worksheet) -> None:
    """Landscape A4, fit to one page wide, centred."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _cell_style(fmt: str | None, wrap: bool) -> Callable[[Any], None]:
    def apply(c: Any) -> None:
        c.border = BORDER
        if fmt:
            c.number_format = fmt
        if wrap:
            c.alignment = WRAP_ALIGN

    return apply


def _light_style(light: str) -> Callable[[Any], None]:
    def apply(c: Any) -> None:
        c.fill = LIGHT_FILLS[light]
        c.font = LIGHT_FONTS[light]

    return apply


def light_cell(cell: Any, light: Any) -> None:
    if isinstance(light, str) and light in LIGHT_FILLS:
        restyle(cell, ("light_cell", light), _light_style(light))


BULLETIN_WIDTH = 70  # characters of column A: an A4 portrait page


def render_view(ws: Worksheet, view: SheetView) -> None:
    """Write ``view`` into the empty sheet ``ws``: its title, then each block down the sheet."""
    w = _Writer(ws)
    if view.portrait:
        ws.column_dimensions["A"].width = BULLETIN_WIDTH
    put(ws.cell(row=1, column=1), view.title).font = TITLE_FONT
    w.row = 3  # a blank row under the title, as ``views.sheets.view_rows`` lays it out
    first_head: int | None = None
    for block in view.blocks:
        if block.title:
            w.heading(block.title)
        if isinstance(block, Facts):
            w.facts(block)
        elif isinstance(block, Table):
            head = w.table(block)
            first_head = first_head if first_head is not None else head
        else:
            w.paragraphs(block, BULLETIN_WIDTH)
    if view.portrait:
        print_well(ws)
        ws.page_setup.orientation = "portrait"
        ws.print_options.horizontalCentered = False
        return
    if view.list_sheet and first_head is not None:
        w.finish(freeze=f"C{first_head + 1}", print_rows=f"{first_head}:{first_head}")
    else:
        w.finish()


def write_sheets(wb: Workbook, report: Report, bulletin: str, warnings: list[str]) -> dict[str, str]:
    """Replace keyproject's sheets; return {canonical name: sheet name used}."""
    owned = set(owned_sheets(wb))
    active = wb.active.title if wb.active is not None else None
    names: dict[str, str] = {}
    for view in sheet_views(report, bulletin.splitlines()):
        ws = _fresh_sheet(wb, view.name, owned, warnings)
        names[view.name] = ws.title
        render_view(ws, view)
    # sheets keyproject made earlier under another name (e.g. "问题清单(keyproject)") that it no
    # longer uses are its own to remove
    for stale in owned - set(names.values()):
        if stale in wb.sheetnames:
            wb.remove(wb[stale])
    _set_prop(wb, PROP_SHEETS, [names[n] for n in SHEETS])
    if active in wb.sheetnames:
        wb.active = wb.sheetnames.index(active)
    for title in names.values():  # a new sheet is selected only when it is the active one
        wb[title].sheet_view.tabSelected = title == wb.active.title
    return names


def keyproject_marks(path: str | Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """keyproject's sheets and columns recorded in a workbook file by an earlier refresh, read
    straight from ``docProps/custom.xml`` (cheap: no workbook load); ([], {}) when there are none."""
    import zipfile

    from keyproject.safety import read_marks

    try:
        with zipfile.ZipFile(path) as zf:
            return read_marks(zf)
    except (OSError, zipfile.BadZipFile):
        return [], {}
