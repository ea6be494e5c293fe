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

    sheet: str  # the ledger sheet
    projects: int
    columns: dict[str, int]  # keyproject's column → 1-based column number
    sheets: dict[str, str] = field(default_factory=dict)  # canonical name → the name used
    as_of: dt.date | None = None


def sheet_values(sheet: SheetLike) -> list[list[Any]]:
    """A sheet's values from A1 to the last used cell (the reader counts rows from A1)."""
    last = sheet.used_range.last_cell
    return xs.grid(sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value)


def refresh_open_book(book: BookLike) -> OpenBookResult:
    """Refresh an open workbook: keyproject's columns (差距(百分点), 灯号 with its fill, 三类项目) in
    the ledger sheet and the sheets 汇总, 红黄绿灯, 排名, 问题清单, 通报. A user's sheet with one of
    those names is left alone: keyproject writes "名称(keyproject)" instead."""
    from keyproject.bulletin import bulletin_text
    from keyproject.excel_tables import (
        LIGHT_COLORS,
        is_own_sheet,
        ledger_from_values,
        owned_column_values,
        rectangular,
        sheet_tables,
    )
    from keyproject.report import build_report
    from keyproject.schema import OWNED_COLUMNS

    values = {sh.name: sheet_values(sh) for sh in book.sheets}
    ledger = ledger_from_values(values, book.name)
    if len(ledger.projects) == 0:
        raise KPError("台账中没有找到项目行", sheet=ledger.sheet)
    report = build_report(ledger)
    ws = book.sheets[ledger.sheet]

    owned = owned_column_values(report)
    header_row = max(ledger.header_rows)
    first, last = ledger.first_data_row, int(owned["row"].max())
    existing = {c.header.split("/")[-1]: c.index + 1 for c in ledger.owned_columns}
    next_col = ledger.last_column + 1
    columns: dict[str, int] = {}
    for name in OWNED_COLUMNS:
        if name in OWNED_COLUMNS[2:] and name not in existing and owned[name].isna().all():
            continue  # no milestone dates: no 三类项目 column; no reporting known: no 本期报送
        if name in existing:
            columns[name] = existing[name]
        else:
            columns[name] = next_col
            next_col += 1
        ws.range((header_row, columns[name])).value = name
        block: list[Any] = [None] * (last - first + 1)
        for row, v in zip(owned["row"].tolist(), owned[name].tolist(), strict=True):
            block[row - first] = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
        target = ws.range((first, columns[name]), (last, columns[name]))
        target.value = [[v] for v in block]
        if name == OWNED_COLUMNS[1]:
            target.color = None
            for row, light in zip(owned["row"].tolist(), owned["light"].tolist(), strict=True):
                if light in LIGHT_COLORS:
                    ws.range((row, columns[name])).color = LIGHT_COLORS[light]

    names = [sh.name for sh in book.sheets]
    written: dict[str, str] = {}
    for name, rows in sheet_tables(report, bulletin_text(report)).items():
        target_name = name
        if name in names and not is_own_sheet(name, book.sheets[name]["A1"].value):
            target_name = f"{name}(keyproject)"
        if target_name in names:
            sheet = book.sheets[target_name]
            sheet.clear_contents()
        else:
            sheet = book.sheets.add(name=target_name, after=book.sheets[len(book.sheets) - 1])
            names.append(target_name)
        sheet["A1"].value = rectangular(rows)
        written[name] = target_name
    return OpenBookResult(sheet=ledger.sheet, projects=len(ledger.projects), columns=columns, sheets=written,
                          as_of=report.as_of)
