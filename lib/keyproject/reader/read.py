"""The public functions: a workbook (or sheets in memory) → ``Ledger``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keyproject.errors import AmbiguousLedgerError, LedgerFileError
from keyproject.ledger import Issue, Ledger, SheetDecision
from keyproject.reader import period, sheets
from keyproject.reader.columns import Ambiguity
from keyproject.reader.headers import HEADER_SCAN_ROWS, find_header, norm
from keyproject.reader.settings import (
    SETTINGS_SHEETS,
    column_overrides,
    read_settings,
    sheet_setting,
    split_sheets,
)
from keyproject.reader.table import SheetRead, read_sheet
from keyproject.schema import LEDGER, PROBLEMS, Schema
from keyproject.xlsx import MemoryWorkbook, SheetGrid, Workbook

_Book = Workbook | MemoryWorkbook


def _open(path: str | Path | _Book) -> _Book:
    return path if isinstance(path, (Workbook, MemoryWorkbook)) else Workbook(path)


def _raise_ambiguity(a: Ambiguity, read: SheetRead, path: Path | None) -> None:
    label = LEDGER[a.field].label if a.field in LEDGER.by_key else a.field
    letters = tuple(letter for letter, _ in a.columns)
    labels = tuple(f"{letter}列“{h}”" for letter, h in a.columns)
    if a.what == "year":
        msg = f"有几个年份的“{label}”列，而台账中看不出报告年份（标题、完成投资列表头都没有写年份）"
    else:
        msg = f"有几个同样可能是“{label}”的列"
    raise AmbiguousLedgerError(msg, what=a.what, candidates=letters, labels=labels, setting=f"{label}列",
                               file=path, sheet=read.sheet)


def _combine(path: Path | None, reads: list[SheetRead], fills: dict[str, str], fmt: str) -> Ledger:
    frames = []
    for r in reads:
        p = r.projects
        f = fills.get(r.sheet)
        if f is not None and len(p):
            p = p.assign(**{f: pd.Series([r.sheet] * len(p), index=p.index, dtype="str")})
        frames.append(p)
    projects = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    if len(frames) > 1:  # every frame is conformed already: the same columns, of the same dtypes
        extras = pd.concat([r.extras for r in reads], ignore_index=True)
        extras.index = projects.index
    else:
        extras = reads[0].extras.reset_index(drop=True)
    issues = [i for r in reads for i in r.issues]
    if len(reads) > 1:
        issues += _cross_sheet_duplicates(projects, path)
    first = reads[0]
    return Ledger(path=path, sheet=first.sheet, header_rows=list(first.layout.header_rows),
                  columns=list(first.layout.columns), unit=first.unit, report_month=None, report_year=None,
                  projects=projects, extras=extras, issues=issues, title=first.title,
                  owned_columns=list(first.layout.owned_columns), last_column=first.layout.last_column,
                  layouts=[r.layout for r in reads], column_decisions=[d for r in reads for d in r.decisions],
                  format=fmt)


def _cross_sheet_duplicates(projects: pd.DataFrame, path: Path | None) -> list[Issue]:
    """A project name found on two sheets: warned on the later one (within a sheet ``duplicates``
    warns)."""
    out = []
    first: dict[str, tuple[str, int]] = {}
    normed: dict[str, str] = {}
    for shown, sheet, row in zip(projects["name"].tolist(), projects["sheet"].tolist(),
                                 projects["row"].tolist(), strict=True):
        if not isinstance(shown, str):
            continue
        key = normed.get(shown)
        if key is None:
            key = normed[shown] = norm(shown)
        here = (str(sheet), int(row))
        if key not in first:
            first[key] = here
        elif first[key][0] != here[0]:
            where = f"工作表“{first[key][0]}”第{first[key][1]}行"
            out.append(Issue("warning", f"项目名称“{shown}”也在{where}，可能重复计算", here[0], here[1],
                             None, str(path) if path else None))
    return out


def read_ledger(path: str | Path | Workbook | MemoryWorkbook, sheet: str | list[str] | None = None, *,
                columns: dict[str, str] | None = None, year: int | None = None) -> Ledger:
    """Read a key-project ledger (台账) from a workbook: .xlsx/.xlsm, .xls or WPS .et (or sheets in
    memory).

    Every sheet that holds projects is read into one ledger (``keyproject.reader.sheets`` says how
    sheets are chosen; ``Ledger.sheet_decisions`` says what was done with each); ``sheet`` names the
    sheet, or a list (or "A,B") of sheets, to read instead — as does the 设置 key 台账工作表.
    ``columns`` (field → column letter or header) decides between columns that could hold one field,
    as do the 设置 keys ``<字段>列``; ``year`` is the report year when the caller knows it (from
    ``--as-of``) and the workbook does not say.

    Also reads the workbook's problem list (a sheet named as in ``schema.PROBLEMS.sheet_names``,
    not one keyproject wrote itself) into ``Ledger.problems`` and the key/value rows of a 设置 sheet
    into ``Ledger.settings``.

    Raises ``LedgerFileError`` when the file is unsafe or unreadable or holds no ledger, and its
    subclass ``AmbiguousLedgerError`` when it cannot decide between sheets or columns of equal
    standing (the error lists them and the option or 设置 key that decides).
    """
    wb = _open(path)
    settings_sheet = next((s for s in SETTINGS_SHEETS if s in wb.sheet_names), None)
    settings = read_settings(wb, settings_sheet) if settings_sheet else None
    overrides = {**column_overrides(settings), **(columns or {})}
    named = sheet if sheet is not None else sheet_setting(settings)
    if isinstance(named, str):
        named = split_sheets(named, wb.sheet_names)
    choice = sheets.choose(wb, LEDGER, named or None, overrides=overrides, year_hint=year)

    # one period for the whole ledger; sheets read with another one are read again with it
    per = period.resolve([s for r in choice.reads for s in r.sources], year)
    reads = []
    for r in choice.reads:
        if (r.period.year, r.period.month) != (per.year, per.month):
            grid = wb.grid(r.sheet)
            header = find_header(grid, LEDGER)
            assert header is not None
            r = read_sheet(wb.path, grid, LEDGER, header, overrides=overrides, fixed=per, year_hint=year)
        reads.append(r)
    for r in reads:
        if r.ambiguities:
            _raise_ambiguity(r.ambiguities[0], r, wb.path)

    fmt = wb.info.format if isinstance(wb, Workbook) else "memory"
    ledger = _combine(wb.path, reads, choice.fills, fmt)
    ledger.report_year, ledger.report_month = per.year, per.month
    ledger.period = per
    ledger.recorded_as_of = wb.info.recorded_as_of
    for w in per.warnings:
        ledger.issues.append(Issue("warning", w, None, None, None, str(wb.path)))
    ledger.issues.extend(choice.issues)

    problem_sheet = next((s for s in PROBLEMS.sheet_names
                          if s in wb.sheet_names and s not in wb.info.owned_sheets), None)
    if problem_sheet and problem_sheet not in ledger.sheets:
        try:
            table = read_table(wb, PROBLEMS, problem_sheet)
        except LedgerFileError as exc:
            msg = f"问题清单无法读取：{exc.message}"
            ledger.issues.append(Issue("warning", msg, problem_sheet, None, None, str(wb.path)))
        else:
            ledger.problems = table.projects
            ledger.issues.extend(table.issues)
    if settings_sheet:
        ledger.settings = settings
    ledger.sheet_decisions = [choice.decisions.get(e.name) or SheetDecision(
        e.name, "skipped", "not_selected", "未读取", e.kind, e.state) for e in wb.info.entries]
    return ledger


def read_table(path: str | Path | Workbook | MemoryWorkbook, schema: Schema,
               sheet: str | None = None) -> Ledger:
    """Read one table of ``schema`` (problems, milestones, a one-sheet ledger) from a workbook.

    The result is a ``Ledger`` whose ``projects`` holds the table's records (every field of
    ``schema`` as a column) and whose ``issues`` locate what could not be read. Without ``sheet``
    the sheet named as the schema expects, else the one whose header names most fields (hidden
    sheets last) is read.
    """
    wb = _open(path)
    name = sheet if sheet is not None else _best_sheet(wb, schema)
    grid = wb.grid(wb.info.sheet(name).name)
    header = find_header(grid, schema)
    if header is None:
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(f"不是{schema.title}：在前{HEADER_SCAN_ROWS}行没有找到“{req.label}”列",
                              file=wb.path, sheet=name, reason="not_ledger")
    r = read_sheet(wb.path, grid, schema, header)
    for a in r.ambiguities:
        _raise_ambiguity(a, r, wb.path)
    ledger = _combine(wb.path, [r], {}, wb.info.format if isinstance(wb, Workbook) else "memory")
    ledger.report_year, ledger.report_month, ledger.period = r.period.year, r.period.month, r.period
    return ledger


def _best_sheet(wb: _Book, schema: Schema) -> str:
    info = wb.info
    preferred = [s for s in schema.sheet_names if s in wb.sheet_names and s not in info.owned_sheets]
    rest = [s for s in wb.sheet_names if s not in preferred and s not in info.owned_sheets]
    order = sorted(preferred + rest, key=lambda s: info.sheet(s).state != "visible")
    best: tuple[int, str] | None = None
    for s in order:
        if info.sheet(s).too_large:
            continue
        h = find_header(wb.grid(s), schema)
        if h is None:
            continue
        if s in preferred and h.score >= 2:
            return s
        if best is None or h.score > best[0]:
            best = (h.score, s)
    if best is None:
        for s in wb.sheet_names:
            if info.sheet(s).too_large:
                wb.grid(s)  # raises the clear error about the sheet's extent
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(f"不是{schema.title}：没有哪个工作表有“{req.label}”列", file=wb.path,
                              reason="not_ledger")
    return best[1]


def read_grid(grid: SheetGrid, schema: Schema = LEDGER, file: str | Path | None = None) -> Ledger:
    """Read a table from a grid already in memory (values from A1, e.g. handed over by Excel).

    The same machinery as ``read_table``; ``file`` only names the source in messages.
    """
    src = Path(file) if file is not None else None
    header = find_header(grid, schema)
    if header is None:
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(f"不是{schema.title}：在前{HEADER_SCAN_ROWS}行没有找到“{req.label}”列",
                              file=src, sheet=grid.name, reason="not_ledger")
    r = read_sheet(src, grid, schema, header)
    for a in r.ambiguities:
        _raise_ambiguity(a, r, src)
    ledger = _combine(src, [r], {}, "memory")
    ledger.report_year, ledger.report_month, ledger.period = r.period.year, r.period.month, r.period
    for w in r.period.warnings:
        ledger.issues.append(Issue("warning", w, None, None, None, str(src) if src else None))
    return ledger
