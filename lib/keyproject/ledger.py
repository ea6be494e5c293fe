"""The result of reading a ledger: clean projects, where each came from, and the problems found.

Besides the projects, a ``Ledger`` carries the reader's decisions as data (typed fields, not
messages to parse), in the manner of frictionless/pandera reports:

- ``sheet_decisions``: one ``SheetDecision`` per sheet entry of the workbook, in workbook order:
  whether its projects were read (``action="read"``), it was read as a side table (问题清单, 设置…:
  ``"side"``) or skipped (``"skipped"``), and why (``reason``, a stable code; ``message``, Chinese);
- ``column_decisions``: one ``ColumnDecision`` per used column of every sheet read: the field it
  became, or why it was left to ``extras`` (unknown header, another year, a more specific column…);
- ``period``: the report year and month with the source that gave them (``ReportPeriod``) and every
  other source seen; ``recorded_as_of``: the as_of an earlier refresh recorded in the workbook
  (custom property ``schema.PERIOD_PROPERTY``), exposed as it is, with no policy attached.

When the reader cannot decide (two sheets of equal standing, two columns for one field), it raises
``errors.AmbiguousLedgerError`` instead, carrying the candidates and the option or 设置 key that decides.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from keyproject.errors import where

# error: cannot be read as typed; warning: read, but the user should look; info: a decision worth
# knowing (a state typed into a date column, the column chosen among several)
Severity = Literal["error", "warning", "info"]
SheetAction = Literal["read", "side", "skipped"]
ColumnAction = Literal["field", "extra", "owned"]


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
        tag = {"error": "错误", "warning": "警告"}.get(self.severity, "提示")
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


@dataclass(frozen=True)
class SheetDecision:
    """What the reader did with one sheet entry of the workbook.

    ``reason`` codes: ``projects`` (read: its rows are projects), ``selected`` (read: named by
    ``--sheet`` or the 设置 key 台账工作表), ``latest_month`` (read: the newest of the month copies),
    ``problems`` / ``milestones`` / ``settings`` (side tables), ``owned`` (written by keyproject),
    ``summary`` (a 汇总 of cross-sheet formulas or a repeat of the other sheets), ``older_month``,
    ``unfilled_month`` (a newer month copy with no completion figures yet), ``hidden`` (a hidden
    sheet while visible sheets hold the ledger), ``different_layout``, ``no_header`` (no 项目名称
    column), ``no_projects``, ``too_large``, ``not_worksheet`` (chart, dialog or macro sheet, VBA
    module, an entry without data), ``not_selected`` (another sheet was named).
    """

    sheet: str
    action: SheetAction
    reason: str
    message: str  # Chinese, for users
    kind: str = "worksheet"  # worksheet / chartsheet / dialogsheet / macrosheet / module / missing
    state: str = "visible"  # visible / hidden / veryHidden
    header_rows: tuple[int, ...] = ()  # Excel rows of its header, when one was found
    projects: int = 0  # projects read from it (0 when skipped)
    fills: str | None = None  # the field its name fills for its projects (command_post/category/town)
    period: str | None = None  # the period its name states ("2024年7月"), when it states one

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["header_rows"] = list(self.header_rows)
        return d


@dataclass(frozen=True)
class ColumnDecision:
    """What one column of a sheet that was read became.

    ``reason`` codes: ``label`` / ``alias`` / ``pattern`` (how the header matched the field),
    ``setting`` (named by a 设置 key such as 年度计划投资列), ``report_year`` (chosen among columns
    of several years), and for columns left to ``extras``: ``unknown`` (no field has this header),
    ``other_year``, ``other_month`` (a 1-N月 column of another month), ``hidden_duplicate``,
    ``less_specific``, ``duplicate`` (another column keeps the field), ``overridden`` (a 设置 key named
    another column), ``no_header`` (values under no header); ``owned`` for keyproject's own columns.
    """

    sheet: str
    column: str  # Excel letter
    header: str  # as read, header rows joined with "/"
    field: str | None  # the canonical field, or None
    action: ColumnAction
    reason: str
    message: str = ""  # Chinese; empty for a plain match
    year: int | None = None  # the year its header states ("2024年计划投资" → 2024)
    hidden: bool = False
    factor: float = 1.0  # to 万元

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PeriodSource:
    """One place that states the report period.

    ``kind``: ``completion_header`` (the year-to-date column, "1-7月完成投资"), ``title``, ``note``
    (a cell such as "截至2024年7月31日", never a 填报时间/打印日期), ``sheet_name`` ("7月",
    "2024年7月"), ``header`` (another header cell, "1-7月计划"), ``year_header`` (a header stating
    only a year, "2024年计划投资").
    """

    kind: str
    text: str
    sheet: str | None = None
    cell: str | None = None  # "A1"; None for a sheet name
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> int:
        """3 a day, 2 a month with its year, 1 a month, 0 a year only."""
        if self.month is None:
            return 0
        if self.day is not None and self.year is not None:
            return 3
        return 2 if self.year is not None else 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReportPeriod:
    """The report period the ledger states: the most precise source wins (a day over a month with its
    year over a month alone; then the completion column over the title over a note over the sheet
    name over other headers); ``warnings`` say where sources disagreed."""

    year: int | None = None
    month: int | None = None
    day: int | None = None  # only when a source states the day ("截至2024年7月25日")
    source: PeriodSource | None = None  # the source of the month
    year_source: PeriodSource | None = None
    candidates: tuple[PeriodSource, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def as_of(self) -> dt.date | None:
        """The stated day, else the month's last day; None without both year and month."""
        if self.year is None or self.month is None:
            return None
        day = self.day or calendar.monthrange(self.year, self.month)[1]
        return dt.date(self.year, self.month, day)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "month": self.month, "day": self.day,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "source": self.source.to_dict() if self.source else None,
                "year_source": self.year_source.to_dict() if self.year_source else None,
                "candidates": [c.to_dict() for c in self.candidates], "warnings": list(self.warnings)}


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


def layout_projects(projects: pd.DataFrame, layout: SheetLayout, first: bool) -> pd.DataFrame:
    """The rows of ``projects`` (a ledger's or a report's) read from ``layout``'s sheet, in sheet
    order; without a ``sheet`` column all of them belong to the ``first`` layout. Every writer
    that puts values beside the projects (the file refresh, the Excel button) takes them so."""
    if "sheet" in projects.columns and projects["sheet"].notna().any():
        sel = projects[projects["sheet"] == layout.sheet]
    else:
        sel = projects if first else projects.iloc[0:0]
    sel = sel[sel["row"].notna()]
    return sel.sort_values("row", kind="stable")


@dataclass
class Ledger:
    """A ledger read from a workbook.

    ``projects`` has one row per project: the canonical fields of ``schema.LEDGER`` (amounts as
    floats in 万元, dates as datetime64, text as str; absent fields are all-null) plus ``row`` and
    ``sheet``, the Excel row and sheet each project came from, and (read from a file) the milestone
    flags of ``schema.DONE_COLUMNS`` (a state such as 已开工 typed into a date cell). ``extras``
    holds the user's unknown columns, raw and untouched, on the same index, keyed by header.

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
    # the reader's decisions, as data (see the module docstring)
    sheet_decisions: list[SheetDecision] = field(default_factory=list)
    column_decisions: list[ColumnDecision] = field(default_factory=list)
    period: ReportPeriod = field(default_factory=ReportPeriod)
    # the as_of an earlier refresh recorded (schema.PERIOD_PROPERTY); None when never refreshed
    recorded_as_of: dt.date | None = None
    format: str = "xlsx"  # the file's format: xlsx (also xlsm) or xls (BIFF: .xls and WPS .et)

    def __post_init__(self) -> None:
        if not self.layouts:
            self.layouts = [SheetLayout(self.sheet, list(self.header_rows), list(self.columns),
                                        list(self.owned_columns), self.last_column, self.title, self.unit)]
        if "sheet" not in self.projects.columns:  # a ledger built by hand: its one sheet
            at = 1 if "row" in self.projects.columns else 0
            projects = self.projects.copy()
            projects.insert(at, "sheet", pd.Series(self.sheet, index=projects.index, dtype="str"))
            self.projects = projects

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
