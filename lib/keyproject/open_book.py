"""Refresh a workbook that is open in a spreadsheet program, through its object model, values only.

The Excel button (``refresh_workbook`` in ``addin/keyproject_udfs.py``, classic xlwings and
xlwings Server/Lite) hands over an xlwings ``Book``; anything with the same small surface works
(``BookLike`` below). The workbook's values are read exactly as ``kp refresh`` reads a file (the
设置 sheet's rules, the problem sheet), the report is the same, and keyproject's columns and sheets
are written as plain values: the user's formats, formulas and charts are the program's to keep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from keyproject import excel_shapes as xs
from keyproject.errors import KPError
from keyproject.ledger import SheetLayout, layout_projects
from keyproject.package.cells import CellValue
from keyproject.views import Light
from keyproject.workbook.cells import light_rgb
from keyproject.workbook.columns import LIGHT, OwnedColumn
from keyproject.xlsx import MemoryWorkbook, SheetGrid


class RangeLike(Protocol):
    value: Any
    color: Any

    @property
    def last_cell(self) -> RangeLike: ...
    @property
    def row(self) -> int: ...
    @property
    def column(self) -> int: ...
    def options(self, **kwargs: Any) -> RangeLike: ...


class SheetLike(Protocol):
    name: str

    @property
    def used_range(self) -> RangeLike: ...
    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> RangeLike: ...
    def clear_contents(self) -> None: ...
    def __getitem__(self, address: str) -> RangeLike: ...


class SheetsLike(Protocol):
    def __iter__(self) -> Iterator[SheetLike]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, key: str | int) -> SheetLike: ...
    def add(self, name: str, after: SheetLike) -> SheetLike: ...


class BookLike(Protocol):
    name: str

    @property
    def sheets(self) -> SheetsLike: ...


@dataclass
class OpenBookResult:
    """What a refresh of an open workbook wrote."""

    sheet: str  # the (first) ledger sheet
    projects: int
    columns: dict[str, int]  # keyproject's columns in the first ledger sheet: header → 1-based column
    sheets: dict[str, str] = field(default_factory=dict)  # canonical name → the name used
    as_of: dt.date | None = None
    # every project sheet's columns: sheet → header → 1-based column
    sheet_columns: dict[str, dict[str, int]] = field(default_factory=dict)


def sheet_values(sheet: SheetLike) -> list[list[Any]]:
    """A sheet's values from A1 to the last used cell (the reader counts rows from A1)."""
    last = sheet.used_range.last_cell
    return xs.grid(sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value)


def _grid(name: str, values: list[list[Any]]) -> SheetGrid:
    """Values as the reader's grid (blanks as ""); merges are not known through values."""
    array = np.array([["" if v is None else v for v in row] for row in values], dtype=object)
    return SheetGrid(name, array.reshape(len(values), -1) if values else np.empty((0, 0), dtype=object), [])


def _cell(value: CellValue | Light) -> Any:
    return value.label if isinstance(value, Light) else value


def _write_column(ws: SheetLike, layout: SheetLayout, col: int, column: OwnedColumn, rows: list[int],
                  grid: SheetGrid) -> None:
    """One of keyproject's columns as values: its header in the header's first row (the rows under
    it empty, as the file refresh merges them), a value per project, every other cell below the
    header emptied (a subtotal row, rows of removed projects)."""
    first = layout.first_data_row
    header_rows = sorted(layout.header_rows or [1])
    ws.range((header_rows[0], col)).value = column.header
    for r in header_rows[1:]:
        if r <= grid.shape[0] and col <= grid.shape[1] and grid.values[r - 1, col - 1] != "":
            ws.range((r, col)).value = None
    last = max(grid.shape[0], *rows)
    block: list[Any] = [None] * (last - first + 1)
    for row, value in zip(rows, column.values, strict=True):
        block[row - first] = _cell(value)
    target = ws.range((first, col), (last, col))
    target.value = [[v] for v in block]
    if column.header == LIGHT:
        target.color = None
        for row, value in zip(rows, column.values, strict=True):
            if isinstance(value, Light):
                ws.range((row, col)).color = light_rgb(value.key, value.label)


def refresh_open_book(book: BookLike) -> OpenBookResult:
    """Refresh an open workbook: keyproject's columns (差距(百分点), 灯号 with its fill, 三类项目) in
    every project sheet, placed as the file refresh places them (``workbook.columns.locate``,
    ``workbook.refresh.default_columns``), and the sheets 汇总, 红黄绿灯, 排名, 问题清单, 通报.
    A user's sheet with one of those names is left alone: keyproject writes "名称(keyproject)"
    instead. The button cannot read the workbook's marks of its columns, so a column whose header
    cell reads one of keyproject's headers is taken as keyproject's own."""
    from keyproject.bulletin import bulletin_text
    from keyproject.engine.comparison import comparison_for
    from keyproject.engine.report import build_report
    from keyproject.excel_tables import is_own_sheet, ledger_from_values, rectangular, sheet_tables
    from keyproject.workbook.columns import locate
    from keyproject.workbook.refresh import default_columns

    values = {sh.name: sheet_values(sh) for sh in book.sheets}
    ledger = ledger_from_values(values, book.name)
    if len(ledger.projects) == 0:
        raise KPError("台账中没有找到项目行", sheet=ledger.sheet)
    report = build_report(ledger)

    sheet_columns: dict[str, dict[str, int]] = {}
    for i, layout in enumerate(ledger.layouts):
        projects = layout_projects(report.projects, layout, first=i == 0)
        if len(projects) == 0:
            continue
        rows = [int(r) for r in projects["row"]]
        recorded = {_header(c.header): c.letter for c in layout.owned_columns}
        wanted = default_columns(report, layout, projects, recorded)
        grid = _grid(layout.sheet, values[layout.sheet])
        placement = locate(grid, layout, rows, [c.header for c in wanted], recorded)
        ws = book.sheets[layout.sheet]
        for column in wanted:
            _write_column(ws, layout, placement.positions[column.header], column, rows, grid)
        sheet_columns[layout.sheet] = dict(placement.positions)

    names = [sh.name for sh in book.sheets]
    written: dict[str, str] = {}
    # the 通报 as kp bulletin composes it (同比 from the 上年月度 sheet; no history beside values)
    comparison = comparison_for(report, None, MemoryWorkbook(values, book.name))
    for name, rows_ in sheet_tables(report, bulletin_text(report, comparison=comparison)).items():
        target_name = name
        if name in names and not is_own_sheet(name, book.sheets[name]["A1"].value):
            target_name = f"{name}(keyproject)"
        if target_name in names:
            sheet = book.sheets[target_name]
            sheet.clear_contents()
        else:
            sheet = book.sheets.add(name=target_name, after=book.sheets[len(book.sheets) - 1])
            names.append(target_name)
        sheet["A1"].value = rectangular(rows_)
        written[name] = target_name
    return OpenBookResult(sheet=ledger.sheet, projects=len(ledger.projects),
                          columns=sheet_columns.get(ledger.sheet, {}), sheets=written, as_of=report.as_of,
                          sheet_columns=sheet_columns)


def _header(text: str) -> str:
    return text.split("/")[-1].strip()
