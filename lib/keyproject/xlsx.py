"""Load worksheets as grids of raw cell values, through python-calamine, after the safety checks.

Where python-calamine cannot be installed (xlwings Lite on a Pyodide release without its wheel),
openpyxl reads the same grids of .xlsx/.xlsm files instead (slower; the values are made the same as
calamine's: dates at midnight as ``date``, numbers as ``float``); .xls/.et then cannot be read.

A grid is a 2-D numpy object array indexed from A1 (``grid[r, c]`` is Excel row r+1, column c+1):
str, float, int, bool, datetime.date/datetime/time/timedelta, or ``""`` for an empty cell. Formulas
come back as their cached values (``""`` when the file holds none, e.g. saved by openpyxl and never
recalculated). Merged ranges are 0-based inclusive ``(r0, c0, r1, c1)``, clipped to the grid (a
whole-column merge such as ``B:B`` ends at the grid's last row); only the top-left cell of a merged
range holds the value.

Formats: .xlsx/.xlsm (also under another extension: the content decides) and BIFF .xls / WPS .et.
When ``safety.check_workbook`` noted parts python-calamine cannot open as they are (a macro sheet's
entry, a ``state="show"``, an entry without a relationship, UTF-16 XML, whole-row or whole-column
merge references, a malformed ``<dimension>``), calamine is handed an in-memory copy of the package
with exactly those normalised; the user's file is never changed.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

try:
    import python_calamine as pc
except ImportError:  # xlwings Lite without calamine's Emscripten wheel: openpyxl reads instead
    pc = None  # type: ignore[assignment]

from keyproject.errors import LedgerFileError
from keyproject.package.frame import fix_refs
from keyproject.package.relationships import Relationships, rels_part
from keyproject.package.workbook import PART as _WORKBOOK
from keyproject.package.workbook import WorkbookPart
from keyproject.package.xml import to_utf8_part, without_declaration
from keyproject.safety import Limits, SheetInfo, WorkbookInfo, check_workbook, formula_stats

MergedRange = tuple[int, int, int, int]
_WHAT_TO_DO = "请在Excel或WPS中打开（必要时用“打开并修复”），另存为.xlsx后再试"


@dataclass(frozen=True)
class SheetGrid:
    name: str
    values: np.ndarray  # object array, shape (rows, cols), from A1
    merged: list[MergedRange]
    hidden_columns: frozenset[int] = frozenset()  # 0-based

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape


class Workbook:
    """A workbook that passed ``safety.check_workbook``; sheets load on demand, once."""

    def __init__(self, path: str | Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.info: WorkbookInfo = check_workbook(self.path, limits)
        self._book: Any
        self._grids: dict[str, SheetGrid] = {}
        self._formulas: dict[str, tuple[Mapping[int, int], Mapping[int, int]]] = {}
        if pc is None:
            if self.info.format == "xls":
                raise LedgerFileError("这里没有安装读取旧版.xls/.et文件所需的python-calamine："
                                      "请另存为.xlsx后再试", file=self.path)
            self._book = _OpenpyxlBook(self.path)
            return
        try:
            repaired = _repaired_package(self.path, self.info) if self.info.repairs else None
            if repaired is not None:
                self._book = pc.CalamineWorkbook.from_filelike(io.BytesIO(repaired))
            elif self.path.suffix.lower() in ((".xls",) if self.info.format == "xls" else (".xlsx", ".xlsm")):
                self._book = pc.CalamineWorkbook.from_path(str(self.path))
            else:  # calamine picks its parser by extension; the content decides here
                self._book = pc.CalamineWorkbook.from_filelike(io.BytesIO(self.path.read_bytes()))
        except pc.PasswordError:
            raise LedgerFileError("工作簿设置了密码，无法读取：请在Excel或WPS中取消密码后另存为.xlsx",
                                  file=self.path, reason="password") from None
        except Exception as exc:  # calamine's own errors (ZipError, XmlError, CalamineError)
            raise LedgerFileError(_calamine_message(exc, None), file=self.path) from None
        if self.info.format == "xls":
            self.info = _with_calamine_names(self.info, self._book)

    @property
    def format(self) -> str:
        """"xlsx" or "xls" (BIFF: .xls and WPS .et)."""
        return self.info.format

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order (chart, dialog and macro sheets excluded)."""
        return self.info.sheet_names

    def grid(self, name: str) -> SheetGrid:
        if name not in self._grids:
            self._grids[name] = self._load(name)
        return self._grids[name]

    def formula_stats(self, name: str) -> tuple[Mapping[int, int], Mapping[int, int]]:
        """Per 0-based column of sheet ``name``: formula cells, and those citing another sheet."""
        info = self.info.sheet(name)
        if self.info.format == "xls" or not info.part or not info.may_cite_sheets:
            return info.formula_cells, info.cross_sheet_cells
        if name not in self._formulas:
            self._formulas[name] = formula_stats(self.path, info.part)
        return self._formulas[name]

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
            raise LedgerFileError(_calamine_message(exc, name), file=self.path, sheet=name) from None
        values = _to_array(rows)
        return SheetGrid(name, values, _clip(merged, values.shape), info.hidden_columns)


def _clip(merged: list[MergedRange], shape: tuple[int, ...]) -> list[MergedRange]:
    nrows, ncols = (shape[0], shape[1]) if len(shape) == 2 else (0, 0)
    out = []
    for r0, c0, r1, c1 in merged:
        if r0 < nrows and c0 < ncols:
            out.append((r0, c0, min(r1, nrows - 1), min(c1, ncols - 1)))
    return out


def _calamine_message(exc: Exception, sheet: str | None) -> str:
    """A Chinese message for an error python-calamine raised (its own text is English)."""
    text = str(exc)
    what = "这个工作表" if sheet else "工作簿"
    if "Xml" in type(exc).__name__ or "xml" in text.lower():
        return f"{what}的XML内容无效，无法读取：{_WHAT_TO_DO}"
    if "Zip" in type(exc).__name__ or "zip" in text.lower():
        return f"文件的压缩包结构已损坏，无法读取：{_WHAT_TO_DO}"
    if "Cfb" in text or "OLE" in text:
        return f"旧版Excel文件（.xls/.et）的容器结构已损坏，无法读取：{_WHAT_TO_DO}"
    return f"{what}的内容与Excel格式不符或已损坏，无法读取：{_WHAT_TO_DO}"


def _with_calamine_names(info: WorkbookInfo, book: pc.CalamineWorkbook) -> WorkbookInfo:
    """BIFF sheet names as calamine decoded them (the same order as the BOUNDSHEET records)."""
    names = [m.name for m in book.sheets_metadata]
    if len(names) != len(info.entries):
        return info

    def renamed(s: SheetInfo) -> SheetInfo:
        return replace(s, name=names[s.position]) if names[s.position] != s.name else s

    return replace(info, sheets=[renamed(s) for s in info.sheets], others=[renamed(s) for s in info.others])


# -- the in-memory copy calamine opens when the package needs normalising -------------------------

_SKIP_PREFIXES = ("xl/media/", "xl/embeddings/", "docProps/thumbnail")  # no cell data: not copied
_STATES = ("visible", "hidden", "veryHidden")


def _repaired_package(path: Path, info: WorkbookInfo) -> bytes:
    drop = {s.name for s in info.others if s.kind in ("macrosheet", "missing")}
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        names = set(zin.namelist())
        for item in zin.infolist():
            name = item.filename
            if name.endswith("/") or name.startswith(_SKIP_PREFIXES):
                continue
            data = zin.read(item)
            fixes = info.repairs.get(name, frozenset())
            if "utf16" in fixes:
                data = to_utf8_part(data)
            if "sheets" in fixes:
                rels = rels_part(name)
                data = _fix_sheet_entries(data, zin.read(rels) if rels in names else None, drop)
            if "refs" in fixes:
                data = fix_refs(data, name)
            zout.writestr(name, data)
    return buf.getvalue()


def _fix_sheet_entries(data: bytes, rels: bytes | None, drop: set[str]) -> bytes:
    """Leave out the entries calamine cannot open (macro sheets, entries without a part); give any
    other ``state`` value one of the three it knows (``keyproject.package.workbook``)."""
    wb = WorkbookPart(without_declaration(to_utf8_part(data)), Relationships(_WORKBOOK, rels))
    for entry in wb.sheets():
        if entry.name in drop:
            wb.remove_sheet(entry.name)
        elif entry.state not in _STATES:
            wb.set_state(entry.name, "hidden" if entry.state.lower() in ("hidden", "hide") else "visible")
    wb.changed = True  # written back as UTF-8 under its own declaration
    return wb.to_bytes()


class MemoryWorkbook:
    """Sheets already in memory (values from A1, e.g. handed over by Excel through xlwings), with
    the same interface as ``Workbook`` so the reader treats them exactly as a file."""

    format = "memory"

    def __init__(self, sheets: dict[str, list[list[object]]], path: str | Path | None = None,
                 owned_sheets: frozenset[str] = frozenset()) -> None:
        self.path = Path(path) if path is not None else Path("工作簿")
        self._grids = {name: SheetGrid(name, _to_array(rows), []) for name, rows in sheets.items()}
        infos = [SheetInfo(name, "", "visible", None, g.shape[0], g.shape[1], True, position=i)
                 for i, (name, g) in enumerate(self._grids.items())]
        self.info = WorkbookInfo(path=self.path, sheets=infos, owned_sheets=owned_sheets)

    @property
    def sheet_names(self) -> list[str]:
        return self.info.sheet_names

    def grid(self, name: str) -> SheetGrid:
        self.info.sheet(name)  # a clear error for an unknown name
        return self._grids[name]

    def formula_stats(self, name: str) -> tuple[Mapping[int, int], Mapping[int, int]]:
        """Values only: no formulas are known."""
        return {}, {}


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
        except Exception:  # openpyxl's own errors (InvalidFileException, BadZipFile, KeyError)
            raise LedgerFileError(f"工作簿的内容与Excel格式不符或已损坏，无法读取：{_WHAT_TO_DO}",
                                  file=path) from None

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


def _to_array(rows: Sequence[Sequence[object]]) -> np.ndarray:
    if not rows:
        return np.empty((0, 0), dtype=object)
    width = max(len(r) for r in rows)
    arr = np.empty((len(rows), width), dtype=object)
    arr[...] = ""
    for i, r in enumerate(rows):  # rows from calamine are already padded; this loop is per row
        arr[i, : len(r)] = ["" if v is None else v for v in r] if None in r else list(r)
    return arr


def sheet_names(path: str | Path) -> list[str]:
    """The worksheet names of a workbook (after the safety checks)."""
    return Workbook(path).sheet_names


def table_rows(path: str | Path, columns: int, limit: int, what: str, sheet: str | int = 0
               ) -> list[tuple[object, ...]]:
    """The first ``columns`` columns of a small table a user hands keyproject beside a ledger (a
    holiday calendar, a list of steps), read as every workbook is: after the safety checks
    (``Workbook``), .xlsx/.xlsm/.xls/.et alike. Blank cells are None; the table ends at the last row
    with a value or after 100 blank rows (a stray far-away cell); more than ``limit`` rows is refused,
    ``what`` naming the table ("节假日表") in the message."""
    grid = load_sheet(path, sheet).values[:, :columns]
    rows: list[tuple[object, ...]] = []
    blank_run = 0
    for raw in grid:
        cells = tuple(None if v == "" else v for v in raw) + (None,) * (columns - len(raw))
        if all(v is None for v in cells):
            blank_run += 1
            if blank_run > 100:
                break
        else:
            blank_run = 0
        rows.append(cells)
        if len(rows) >= limit:
            raise LedgerFileError(f"{what}超过 {limit} 行", file=Path(path))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def load_sheet(path: str | Path, sheet: str | int = 0) -> SheetGrid:
    """One worksheet as a grid; ``sheet`` is a name or a 0-based index."""
    wb = Workbook(path)
    name = wb.sheet_names[sheet] if isinstance(sheet, int) else sheet
    return wb.grid(name)
