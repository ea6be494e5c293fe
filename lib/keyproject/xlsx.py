"""Load worksheets as grids of raw cell values, through python-calamine, after the safety checks.

Where python-calamine cannot be installed (xlwings Lite on a Pyodide release without its wheel),
openpyxl reads the same grids instead (slower; the values are made the same as calamine's: dates at
midnight as ``date``, numbers as ``float``).

A grid is a 2-D numpy object array indexed from A1 (``grid[r, c]`` is Excel row r+1, column c+1):
str, float, bool, datetime.date/datetime/time/timedelta, or ``""`` for an empty cell. Formulas come
back as their cached values (``""`` when the file holds none, e.g. saved by openpyxl and never
recalculated). Merged ranges are 0-based inclusive ``(r0, c0, r1, c1)``; only the top-left cell of
a merged range holds the value.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

try:
    import python_calamine as pc
except ImportError:  # xlwings Lite without calamine's Emscripten wheel: openpyxl reads instead
    pc = None  # type: ignore[assignment]

from keyproject.errors import LedgerFileError
from keyproject.safety import Limits, SheetInfo, WorkbookInfo, check_workbook

MergedRange = tuple[int, int, int, int]


@dataclass(frozen=True)
class SheetGrid:
    name: str
    values: np.ndarray  # object array, shape (rows, cols), from A1
    merged: list[MergedRange]

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]


class Workbook:
    """An xlsx/xlsm file that passed ``safety.check_workbook``; sheets load on demand, once."""

    def __init__(self, path: str | Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.info: WorkbookInfo = check_workbook(self.path, limits)
        self._book: Any
        self._grids: dict[str, SheetGrid] = {}
        if pc is None:
            self._book = _OpenpyxlBook(self.path)
            return
        try:
            if self.path.suffix.lower() in (".xlsx", ".xlsm"):
                self._book = pc.CalamineWorkbook.from_path(str(self.path))
            else:  # calamine picks its parser by extension; the content is a checked xlsx zip
                self._book = pc.CalamineWorkbook.from_filelike(io.BytesIO(self.path.read_bytes()))
        except pc.PasswordError:
            raise LedgerFileError("工作簿设置了密码，无法读取", file=self.path, reason="password") from None
        except Exception as exc:  # calamine's own errors (ZipError, XmlError, CalamineError)
            raise LedgerFileError(f"无法读取工作簿（{type(exc).__name__}：{exc}）", file=self.path) from None

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order (chart sheets excluded)."""
        return self.info.sheet_names

    def grid(self, name: str) -> SheetGrid:
        if name not in self._grids:
            self._grids[name] = self._load(name)
        return self._grids[name]

    def _load(self, name: str) -> SheetGrid:
        info = self.info.sheet(name)
        if info.too_large:
            raise LedgerFileError(
                f"工作表的数据范围过大（有内容的单元格远到{info.far_cell}，共约{info.rows}行×{info.cols}列），"
                f"超过上限{self.info.limits.max_cells}个单元格：请删除远处的多余内容后再试",
                file=self.path, sheet=name)
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except Exception as exc:
            raise LedgerFileError(f"无法读取工作表（{type(exc).__name__}：{exc}）", file=self.path,
                                  sheet=name) from None
        return SheetGrid(name, _to_array(rows), merged)


class MemoryWorkbook:
    """Sheets already in memory (values from A1, e.g. handed over by Excel through xlwings), with
    the same interface as ``Workbook`` so the reader treats them exactly as a file."""

    def __init__(self, sheets: dict[str, list[list[object]]], path: str | Path | None = None,
                 owned_sheets: frozenset[str] = frozenset()) -> None:
        self.path = Path(path) if path is not None else Path("工作簿")
        self._grids = {name: SheetGrid(name, _to_array(rows), []) for name, rows in sheets.items()}
        infos = [SheetInfo(name, "", "visible", None, g.shape[0], g.shape[1], True)
                 for name, g in self._grids.items()]
        self.info = WorkbookInfo(path=self.path, sheets=infos, owned_sheets=owned_sheets)

    @property
    def sheet_names(self) -> list[str]:
        return self.info.sheet_names

    def grid(self, name: str) -> SheetGrid:
        self.info.sheet(name)  # a clear error for an unknown name
        return self._grids[name]


class _OpenpyxlSheet:
    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def to_python(self, skip_empty_area: bool = False) -> list[list[object]]:
        rows = self._ws.iter_rows(min_row=1, min_col=1, max_row=self._ws.max_row, max_col=self._ws.max_column,
                                  values_only=True)
        return [[_as_calamine(v) for v in r] for r in rows]

    @property
    def merged_cell_ranges(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
                for m in self._ws.merged_cells.ranges]


class _OpenpyxlBook:
    """calamine's small surface (``get_sheet_by_name``, ``to_python``, ``merged_cell_ranges``) over
    openpyxl, for where calamine is not installed."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        try:
            self._wb = load_workbook(io.BytesIO(path.read_bytes()), data_only=True)
        except Exception as exc:  # openpyxl's own errors (InvalidFileException, BadZipFile, KeyError)
            raise LedgerFileError(f"无法读取工作簿（{type(exc).__name__}：{exc}）", file=path) from None

    def get_sheet_by_name(self, name: str) -> _OpenpyxlSheet:
        return _OpenpyxlSheet(self._wb[name])


def _as_calamine(v: object) -> object:
    """A value as calamine gives it: empty "", whole-day datetimes as dates, numbers as float."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _to_array(rows: list[list[object]]) -> np.ndarray:
    if not rows:
        return np.empty((0, 0), dtype=object)
    width = max(len(r) for r in rows)
    arr = np.empty((len(rows), width), dtype=object)
    arr[...] = ""
    for i, r in enumerate(rows):  # rows from calamine are already padded; this loop is per row
        arr[i, : len(r)] = ["" if v is None else v for v in r] if None in r else r
    return arr


def sheet_names(path: str | Path) -> list[str]:
    """The worksheet names of a workbook (after the safety checks)."""
    return Workbook(path).sheet_names


def load_sheet(path: str | Path, sheet: str | int = 0) -> SheetGrid:
    """One worksheet as a grid; ``sheet`` is a name or a 0-based index."""
    wb = Workbook(path)
    name = wb.sheet_names[sheet] if isinstance(sheet, int) else sheet
    return wb.grid(name)
