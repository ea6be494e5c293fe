"""The result of reading a ledger: clean projects, where each came from, and the problems found."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from keyproject.errors import where

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a workbook, located to the cell where possible."""

    severity: Severity
    message: str  # Chinese
    sheet: str | None = None
    row: int | None = None  # Excel row, 1-based
    column: str | None = None  # Excel column letter
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("file")
        return {"severity": d["severity"], "sheet": d["sheet"], "row": d["row"], "column": d["column"],
                "message": d["message"]}

    def __str__(self) -> str:
        tag = "错误" if self.severity == "error" else "警告"
        loc = where(self.file, self.sheet, self.row, self.column)
        return f"[{tag}] {loc}：{self.message}" if loc else f"[{tag}] {self.message}"


@dataclass(frozen=True)
class ColumnMap:
    """How one sheet column was understood."""

    letter: str  # Excel column letter
    index: int  # 0-based column index in the sheet
    header: str  # the header text as read (merged header rows joined with "/")
    key: str | None  # canonical field key, or None for a user column keyproject does not know
    factor: float = 1.0  # multiply values by this to get 万元 (亿元 → 10000)


@dataclass
class SheetLayout:
    """How one sheet that holds projects was read: where its header is and what each column means.

    A ledger may span several sheets (one per 指挥部, category or town); each project's
    ``projects["sheet"]`` and ``projects["row"]`` say which layout and Excel row it came from.
    Writers place keyproject's columns and submitted figures per layout.
    """

    sheet: str
    header_rows: list[int]  # Excel rows of the header, 1-based
    columns: list[ColumnMap]
    owned_columns: list[ColumnMap] = field(default_factory=list)
    last_column: int = 0  # the last column of the table (1-based), user columns included
    title: str | None = None
    unit: str = "万元"

    def column_of(self, key: str) -> ColumnMap | None:
        """The sheet column that holds field ``key``, if the sheet has one."""
        return next((c for c in self.columns if c.key == key), None)

    @property
    def first_data_row(self) -> int:
        return max(self.header_rows) + 1 if self.header_rows else 1


@dataclass
class Ledger:
    """A ledger read from a workbook.

    ``projects`` has one row per project: the canonical fields of ``schema.LEDGER`` (amounts as
    floats in 万元, dates as datetime64, text as str; absent fields are all-null) plus ``row`` and
    ``sheet``, the Excel row and sheet each project came from. ``extras`` holds the user's unknown
    columns, raw and untouched, on the same index, keyed by header.

    ``layouts`` has one ``SheetLayout`` per sheet the projects were read from, in workbook order.
    ``sheet``, ``header_rows``, ``columns``, ``owned_columns`` and ``last_column`` describe the
    first of them (the only one for a single-sheet ledger); code that writes back into the
    workbook must go through ``layouts`` / ``layout(sheet)``.
    """

    path: Path | None
    sheet: str
    header_rows: list[int]  # Excel rows of the header, 1-based
    columns: list[ColumnMap]
    unit: str  # "万元" or "亿元" (what the sheet said; values are always converted to 万元)
    report_month: int | None
    report_year: int | None
    projects: pd.DataFrame
    extras: pd.DataFrame = field(default_factory=pd.DataFrame)
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    # the 问题清单 sheet of the same workbook, read with schema.PROBLEMS, when there is one
    problems: pd.DataFrame | None = None
    # key/value rows of the 设置 sheet, when there is one
    settings: dict[str, Any] | None = None
    # keyproject's own columns found in the sheet (headers in schema.OWNED_COLUMNS, from an earlier
    # refresh): never read as user data, never in ``extras``; refresh rewrites them in place
    owned_columns: list[ColumnMap] = field(default_factory=list)
    # the last column of the table (1-based), user columns included; refresh appends after it
    last_column: int = 0
    # every sheet the projects came from; filled from the fields above when not given
    layouts: list[SheetLayout] = field(default_factory=list)
    # the report date an earlier refresh recorded in the workbook (custom property
    # ``schema.PERIOD_PROPERTY``); ``keyproject.context`` prefers it to the period in the title
    recorded_as_of: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.layouts:
            self.layouts = [SheetLayout(self.sheet, list(self.header_rows), list(self.columns),
                                        list(self.owned_columns), self.last_column, self.title, self.unit)]

    def layout(self, sheet: str) -> SheetLayout:
        """The layout of the project sheet ``sheet`` (KeyError when the ledger has no such sheet)."""
        for lay in self.layouts:
            if lay.sheet == sheet:
                return lay
        raise KeyError(sheet)

    @property
    def sheets(self) -> list[str]:
        """The sheets the projects were read from, in workbook order."""
        return [lay.sheet for lay in self.layouts]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def column_of(self, key: str) -> ColumnMap | None:
        """The sheet column that holds field ``key``, if the sheet has one."""
        return next((c for c in self.columns if c.key == key), None)

    @property
    def first_data_row(self) -> int:
        return max(self.header_rows) + 1 if self.header_rows else 1
