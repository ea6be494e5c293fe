"""An open workbook held in memory, with the part of xlwings' object model ``keyproject.open_book``
uses (``Book.sheets``, ``Sheet.range``/``used_range``/``clear_contents``, ``Range.value``/``color``),
filled from a file's cell values the way Excel hands them to xlwings (numbers as floats, date cells
as datetimes). Tests drive the Excel button's refresh (``refresh_open_book``) with it where no Excel
runs; what it does not model (formats, formulas) the refresh does not touch either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.utils.cell import coordinate_from_string


def _excel_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return float(v)  # Excel has one number type
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime.combine(v, dt.time())
    return v


class MemoryRange:
    def __init__(self, sheet: MemorySheet, first: tuple[int, int], last: tuple[int, int],
                 ndim: int | None = None) -> None:
        self.sheet, self.first, self.last, self.ndim = sheet, first, last, ndim

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    @property
    def last_cell(self) -> MemoryRange:
        return MemoryRange(self.sheet, self.last, self.last)

    def options(self, **kwargs: Any) -> MemoryRange:
        return MemoryRange(self.sheet, self.first, self.last, kwargs.get("ndim"))

    @property
    def value(self) -> Any:
        (r0, c0), (r1, c1) = self.first, self.last
        rows = [[self.sheet.cells.get((r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows if len(rows) > 1 and len(rows[0]) > 1 else [v for r in rows for v in r]

    @value.setter
    def value(self, value: Any) -> None:
        r0, c0 = self.first
        rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    self.sheet.cells.pop((r0 + i, c0 + j), None)
                else:
                    self.sheet.cells[(r0 + i, c0 + j)] = _excel_value(v)

    @property
    def color(self) -> Any:
        return self.sheet.colors.get(self.first)

    @color.setter
    def color(self, rgb: Any) -> None:
        (r0, c0), (r1, c1) = self.first, self.last
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if rgb is None:
                    self.sheet.colors.pop((r, c), None)
                else:
                    self.sheet.colors[(r, c)] = rgb


class MemorySheet:
    def __init__(self, name: str, cells: dict[tuple[int, int], Any] | None = None):
        self.name = name
        self.cells: dict[tuple[int, int], Any] = cells or {}
        self.colors: dict[tuple[int, int], Any] = {}

    @property
    def used_range(self) -> MemoryRange:
        rows = [r for r, _ in self.cells] or [1]
        cols = [c for _, c in self.cells] or [1]
        return MemoryRange(self, (1, 1), (max(rows), max(cols)))

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> MemoryRange:
        return MemoryRange(self, first, last or first)

    def clear_contents(self) -> None:
        self.cells.clear()

    def __getitem__(self, address: str) -> MemoryRange:
        letters, row = coordinate_from_string(address)
        cell = (row, column_index_from_string(letters))
        return MemoryRange(self, cell, cell)

    def column_values(self, col: int, rows: range) -> list[Any]:
        return [self.cells.get((r, col)) for r in rows]


class MemorySheets:
    def __init__(self, sheets: list[MemorySheet]):
        self._sheets = sheets

    def __iter__(self) -> Iterator[MemorySheet]:
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: str | int) -> MemorySheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name: str, after: MemorySheet) -> MemorySheet:
        sheet = MemorySheet(name)
        self._sheets.insert(self._sheets.index(after) + 1, sheet)
        return sheet


class MemoryBook:
    def __init__(self, name: str, sheets: list[MemorySheet]):
        self.name = name
        self.sheets = MemorySheets(sheets)

    @classmethod
    def from_file(cls, path: Path) -> MemoryBook:
        wb = load_workbook(path, data_only=True)
        sheets = []
        for ws in wb.worksheets:
            cells = {(c.row, c.column): _excel_value(c.value) for row in ws.iter_rows() for c in row
                     if c.value is not None}
            sheets.append(MemorySheet(ws.title, cells))
        return cls(path.name, sheets)
