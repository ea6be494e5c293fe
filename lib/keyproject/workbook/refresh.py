"""Refresh a ledger workbook in place: consolidate, compute, light, summarise, lose nothing.

Order of work: lock check → open the package, refuse what cannot be edited safely → open the history
(a bad URL, a missing driver or an unreachable server stops here, before anything is written; the
SQLite file beside the workbook is created only when the snapshot is recorded) → read → consolidate
submissions, every file accounted for → the context (``keyproject.engine.context``: the date asked for,
else the period recorded in the workbook, else the report month; a date that does not fit the
ledger's period, or earlier than the newest snapshot, is refused unless asked for) → report, with
who reported this period → history changes and the 通报 text → backup → for each project sheet:
place keyproject's columns (差距, 灯号, 三类项目, 本期报送) and edit the sheet's XML (its columns, the
submitted figures, the user's period texts moved to the new period unless ``keep_headers``, other
cell edits, keyproject's conditional formats with ``live``, nothing else) → keyproject's sheets
generated from the views → full recalculation on open, marks (sheets, columns, conditional formats,
period) → save to a temporary file (every untouched entry copied raw)
→ atomic replace (or write to ``out``) → history snapshot (a date recorded again replaces its
snapshot, and the result says so).

The monthly cycle this makes: a refresh with August submissions moves a 1-7月 ledger to 8月31日,
rewrites "1-7月" and "截至7月31日" in its titles and headers (each changed cell listed), writes
本期报送 ("8月已报" / "未报送") and records the period; a plain refresh later reads August again.

No openpyxl on this path: the package is edited part by part (``keyproject.package``).

``live=True`` writes 差距(百分点) and 灯号 as native formulas (``workbook.live``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from lxml import etree

from keyproject.dates import cn_date
from keyproject.engine.context import resolve, resolve_rules
from keyproject.engine.history import History, Recorded
from keyproject.engine.period_text import PeriodEdit, period_edits
from keyproject.engine.reporting import REPORTED, Reporting
from keyproject.engine.rules import Rules
from keyproject.errors import KPError, LedgerFileError, RefreshRefused
from keyproject.ledger import Issue, Ledger, SheetLayout, layout_projects
from keyproject.package.cells import column_letter, split_ref
from keyproject.package.marks import Marks
from keyproject.package.package import Package
from keyproject.package.relationships import TABLE
from keyproject.package.sheet_edit import SheetEdits, edit_sheet
from keyproject.package.xml import parse
from keyproject.schema import REPORTING_COLUMN
from keyproject.submissions import SubmittedFile
from keyproject.views.sheets import SHEETS, sheet_views
from keyproject.workbook.backup import atomic_write, backup_copy, leftover_temps
from keyproject.workbook.columns import (
    THREE,
    ColumnsFor,
    OwnedColumn,
    Placement,
    column_edits,
    locate,
    standard_columns,
)
from keyproject.workbook.guard import (
    Loss,
    check_editable,
    check_not_open,
    describe_losses,
    find_losses,
    remove_signature,
)
from keyproject.workbook.settings_sheet import recorded_keys, write_settings
from keyproject.workbook.sheets import write_sheets
from keyproject.workbook.updates import CellEdit, EditLog, add_edits, submitted_edits

if TYPE_CHECKING:
    from keyproject.engine.history import Changes
    from keyproject.engine.report import Report
    from keyproject.workbook.live import LiveInfo
    from keyproject.xlsx import Workbook

Progress = Callable[[str, float], None]  # (Chinese step name, fraction done 0..1)

_SUFFIXES = (".xlsx", ".xlsm")
_LEGACY = (".xls", ".et", ".ett", ".xlt")
_THREE_CLASS_DATES = ("signed_date", "land_date")
_PLACEMENT_TRIES = 5


@dataclass
class RefreshResult:
    """What a refresh did."""

    source: Path  # the workbook read
    path: Path  # the workbook written (the source itself, or ``out``)
    backup: Path | None  # the backup copy of the source (in-place writes only)
    as_of: dt.date
    sheet: str  # the (first) ledger sheet
    columns: dict[str, str]  # keyproject's columns in the (first) ledger sheet: header → letter
    sheets: dict[str, str]  # keyproject's sheets: canonical name → name used
    lights: dict[str, int]  # red / yellow / green / none counts
    updates: pd.DataFrame  # submitted figures written into the user's cells
    issues: list[Issue] = field(default_factory=list)  # consolidation issues (unmatched, duplicates …)
    warnings: list[str] = field(default_factory=list)  # Chinese
    losses: list[Loss] = field(default_factory=list)  # what could not be kept (only with force/out)
    history: str | None = None  # where the snapshot went
    report: Report | None = None
    changes: Changes | None = None  # what changed since the previous snapshot
    # every project sheet's columns: sheet → header → letter
    sheet_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    edits: list[CellEdit] = field(default_factory=list)  # other cell edits written (``cell_edits``)
    changed_parts: list[str] = field(default_factory=list)  # zip entries written anew or added
    live: LiveInfo | None = None  # what a live refresh wrote (``live=True``)
    # every submitted file, consolidated or with the reason it could not be used (CLI exit 1)
    submitted_files: list[SubmittedFile] = field(default_factory=list)
    snapshot: Recorded | None = None  # what the history recorded (a replaced snapshot is said so)
    period_edits: list[PeriodEdit] = field(default_factory=list)  # the user's period texts rewritten
    headers_kept: str | None = None  # what --keep-headers left as it was (Chinese), when it did

    @property
    def unused_files(self) -> list[SubmittedFile]:
        return [f for f in self.submitted_files if not f.used]

    @property
    def in_place(self) -> bool:
        return self.path.resolve() == self.source.resolve()


def _step(progress: Progress | None, text: str, fraction: float) -> None:
    if progress is not None:
        progress(text, fraction)


def _load_rules(rules: Rules | str | Path | None) -> Rules | None:
    """A rules file read now (before anything is written), as keyproject.engine.context reads one."""
    return None if rules is None else resolve_rules(None, rules)[0]


def _check_paths(source: Path, target: Path) -> None:
    if not source.exists():
        raise LedgerFileError("找不到台账工作簿", file=source)
    suffix = source.suffix.lower()
    if suffix in _LEGACY:
        raise LedgerFileError(f"{suffix} 工作簿不能直接刷新（刷新只能在 .xlsx/.xlsm 上原样保留用户的内容）："
                              "请先在 Excel 或 WPS 中另存为 .xlsx，再刷新另存后的文件", file=source)
    if suffix not in _SUFFIXES:
        raise LedgerFileError("只能刷新 .xlsx 或 .xlsm 工作簿", file=source)
    out_suffix = target.suffix.lower()
    if out_suffix not in _SUFFIXES:
        raise KPError("输出文件应为 .xlsx 或 .xlsm", file=target)
    if suffix == ".xlsm" and out_suffix != ".xlsm":
        raise KPError("源工作簿含宏（.xlsm），输出文件也应为 .xlsm，否则宏会丢失", file=target)
    if suffix == ".xlsx" and out_suffix == ".xlsm":
        raise KPError("源工作簿是 .xlsx，输出文件也应为 .xlsx（扩展名与文件格式不符时 Excel 拒绝打开）",
                      file=target)
    if not target.parent.is_dir():
        raise KPError("输出文件所在的文件夹不存在", file=target)


def _read(wb: Workbook, sheet: str | None, marks: Marks) -> Ledger:
    """The ledger, never taken from keyproject's own sheets of an earlier refresh (the reader skips
    those itself; here the sheet an earlier refresh wrote columns into is preferred)."""
    from keyproject.reader import read_ledger

    if sheet is None and len(marks.columns) == 1:  # the ledger sheet an earlier refresh wrote into
        sheet = next(iter(marks.columns))
        if sheet in marks.sheets:
            sheet = None
    if sheet is not None and sheet not in wb.sheet_names:
        sheet = None if sheet in marks.columns else sheet  # a recorded sheet renamed since: the reader looks
    ledger = read_ledger(wb, sheet=sheet)
    if ledger.sheet in marks.sheets:
        raise LedgerFileError(f"“{ledger.sheet}”是 keyproject 生成的工作表，不是台账；"
                              "请用 --sheet 指定台账工作表", file=wb.path)
    return ledger


_sheet_projects = layout_projects  # the projects read from a layout's sheet, in sheet order


def _want_three_class(layout: SheetLayout, projects: pd.DataFrame, recorded: dict[str, str]) -> bool:
    if THREE in recorded:
        return True
    if "three_class" not in projects.columns:
        return False
    return any(layout.column_of(k) is not None for k in _THREE_CLASS_DATES)


def default_columns(report: Report, layout: SheetLayout, projects: pd.DataFrame, recorded: dict[str, str]
                    ) -> list[OwnedColumn]:
    """keyproject's standard columns for one project sheet, and 本期报送 once the period's reporting
    is known (``keyproject.engine.reporting``)."""
    out = standard_columns(projects, report.rules, _want_three_class(layout, projects, recorded))
    if report.reporting is not None:
        labels = report.reporting.labels().reindex(projects.index)
        out.append(OwnedColumn(REPORTING_COLUMN, labels.astype(object).where(labels.notna(), None).tolist(),
                               "General", 9.0))
    return out


def _period_texts(wb: Workbook, layout: SheetLayout, old: tuple[int, int], new: dt.date) -> list[PeriodEdit]:
    """The period texts of one project sheet's title rows and header cells, moved to ``new``."""
    values = wb.grid(layout.sheet).values
    header_rows = set(layout.header_rows or [1])
    nrows, ncols = values.shape
    width = min(ncols, max(layout.last_column, 1))
    month = layout.column_of("month_completed")
    cells: dict[str, str] = {}
    month_cells: set[str] = set()
    for r in range(min(max(header_rows), nrows)):
        for c in range(width if r + 1 in header_rows else ncols):
            v = values[r, c]
            if isinstance(v, str) and v.strip():
                ref = f"{column_letter(c + 1)}{r + 1}"
                cells[ref] = v
                if month is not None and c == month.index and r + 1 in header_rows:
                    month_cells.add(ref)
    return period_edits(layout.sheet, cells, old, new, month_cells)


def _moved_period_texts(wb: Workbook, ledger: Ledger, header: tuple[int | None, int | None], as_of: dt.date,
                        keep_headers: bool) -> tuple[list[PeriodEdit], str | None]:
    """The user's period texts moved forward to ``as_of`` ("1-7月" → "1-8月") in every project
    sheet; with ``keep_headers`` none, and the Chinese note saying what was kept."""
    year, month = header
    if not year or not month or as_of.year != year or as_of.month < month:
        return [], None  # no period in the texts, a new year's ledger, or a date asked for before them
    texts = [e for layout in ledger.layouts for e in _period_texts(wb, layout, (year, month), as_of)]
    if texts and keep_headers:
        return [], (f"按 --keep-headers 保留了标题和表头中的期间文字（{len(texts)}处，仍为{month}月）；"
                    f"报告期{cn_date(as_of)}已记录在工作簿中")
    return texts, None


def _edit_cell(e: PeriodEdit) -> CellEdit:
    row, col = split_ref(e.cell)
    return CellEdit(e.sheet, row, col, e.new, "text")


def _reporting_in_workbook(wb: Workbook, ledger: Ledger, as_of: dt.date) -> Reporting | None:
    """The 本期报送 column an earlier refresh of the same month wrote ("8月已报"), read back; None
    when the workbook has none for this month. The workbook keeps its statuses even without its
    history (a copied workbook, a new history database)."""
    done = f"{as_of.month}月{REPORTED}"
    reported = pd.Series(False, index=ledger.projects.index, dtype=bool)
    found = False
    for layout in ledger.layouts:
        col = next((c for c in layout.owned_columns if c.header.split("/")[-1] == REPORTING_COLUMN), None)
        if col is None:
            continue
        values = wb.grid(layout.sheet).values
        mine = ledger.projects[ledger.projects["sheet"] == layout.sheet] if "sheet" in ledger.projects \
            else ledger.projects
        for label, row in zip(mine.index, mine["row"], strict=True):
            r = int(row) - 1
            text = values[r, col.index] if 0 <= r < values.shape[0] and col.index < values.shape[1] else None
            if isinstance(text, str) and text.strip():
                found = True
                reported[label] = text.strip() == done
    return Reporting((as_of.year, as_of.month), reported) if found and reported.any() else None


def _reporting(consolidated: Reporting | None, same: Reporting | None, in_cycle: bool,
               projects: pd.DataFrame, as_of: dt.date) -> Reporting | None:
    """Who reported: this run's submissions and what was known of the same date (the history's
    snapshot, else the workbook's own 本期报送 column). A ledger already in the cycle (本期报送
    written before) moved to a period nobody has reported for has every project 未报送."""
    if consolidated is not None:
        return consolidated.merged(same)
    if same is not None:
        return same
    if in_cycle:
        return Reporting((as_of.year, as_of.month), pd.Series(False, index=projects.index, dtype=bool))
    return None


def _table_columns(pkg: Package, part: str) -> set[int]:
    """Columns covered by the Excel tables (ListObjects) of a sheet: keyproject's columns keep out."""
    from keyproject.package.cells import parse_range

    out: set[int] = set()
    for rel in pkg.rels(part).of_type(TABLE):
        if rel.part is None or not pkg.exists(rel.part):
            continue
        try:
            root = parse(pkg.read(rel.part), rel.part)
            _, c0, _, c1 = parse_range(root.get("ref") or "")
        except (ValueError, LedgerFileError, etree.XMLSyntaxError):
            continue
        out.update(range(c0, c1 + 1))
    return out


@dataclass
class _SheetWrite:
    placement: Placement
    formulas: bool  # the sheet holds formulas (their cached results may be stale after updates)
    conditional: tuple[str, ...] = ()  # the ranges of keyproject's conditional formats


def _write_sheet(pkg: Package, wb: Workbook, layout: SheetLayout, projects: pd.DataFrame,
                 columns: list[OwnedColumn], recorded: dict[str, str], cell_edits: Sequence[CellEdit],
                 log: EditLog, warnings: list[str], engine: str,
                 recorded_conditional: frozenset[str] = frozenset()) -> _SheetWrite:
    entry = pkg.workbook.sheet(layout.sheet)
    if entry is None or entry.part is None or entry.kind != "worksheet" or not pkg.exists(entry.part):
        raise LedgerFileError(f"工作簿中没有工作表“{layout.sheet}”的数据", file=pkg.path, sheet=layout.sheet)
    data = pkg.read(entry.part)
    grid = wb.grid(layout.sheet)
    rows = [int(r) for r in projects["row"].tolist()]
    blocked = _table_columns(pkg, entry.part)
    styles = pkg.styles
    want = [c.header for c in columns]
    for _ in range(_PLACEMENT_TRIES):
        notes: list[str] = []
        placement = locate(grid, layout, rows, want, recorded, blocked, notes)
        edits = SheetEdits(date1904=pkg.workbook.date1904, derive=styles.derive, dxf=styles.dxf,
                           own_conditional=recorded_conditional)
        column_edits(edits, layout, placement, columns, rows)
        attempt = EditLog()
        add_edits(edits, cell_edits, styles, attempt)
        result = edit_sheet(data, edits, engine)
        if not result.conflicts:
            break
        blocked |= result.conflicts  # a formula without a cached result looked empty: go further right
    else:
        raise KPError("找不到可以写入 keyproject 列的空白列", file=pkg.path, sheet=layout.sheet)
    warnings.extend(notes)
    log.written.extend(attempt.written)
    log.formulas.extend(attempt.formulas)
    pkg.write(entry.part, result.data)
    chain = pkg.calc_chain
    if chain is not None:
        if result.removed_formulas:
            chain.remove(entry.sheet_id, result.removed_formulas)
        if result.added_formulas:
            chain.add(entry.sheet_id, result.added_formulas)
    # (only asked when figures were written into the sheet: their formulas' cached results may be stale)
    has_formulas = bool(attempt.written) and (data.find(b"<f>") >= 0 or data.find(b"<f ") >= 0)
    return _SheetWrite(placement, has_formulas, tuple(cf.sqref for cf in edits.conditional))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the package is written: the writing makes
    hundreds of thousands of small acyclic objects, and each collection they trigger walks the whole
    heap (the ledger's frames, the report). Profiled at 3,000 projects: writing keyproject's sheets took
    0.20 s CPU with the collector, 0.12 s without."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Written:
    names: dict[str, str]
    sheet_columns: dict[str, dict[str, str]]
    updates: pd.DataFrame
    edits: list[CellEdit]
    live: LiveInfo | None = None


def _write_package(pkg: Package, wb: Workbook, ledger: Ledger, report: Report, text: str, marks: Marks,
                   updates: pd.DataFrame, cell_edits: Sequence[CellEdit], columns_for: ColumnsFor,
                   warnings: list[str], engine: str, live: bool = False, explicit_rules: bool = False
                   ) -> _Written:
    """Every edit of the package: the project sheets, keyproject's sheets, the workbook's marks."""
    submitted, records = submitted_edits(ledger, updates, warnings)
    log = EditLog()
    sheet_columns: dict[str, dict[str, str]] = {}
    sheet_conditional: dict[str, tuple[str, ...]] = {}
    stale_formulas = False
    all_edits = [*submitted, *cell_edits]
    live_info = None
    settings_plan = None
    if live:
        from keyproject.workbook.live import live_lights

        lights = live_lights(ledger, report, wb, all_edits, explicit_rules)
        columns_for = lights.columns(columns_for)
        live_info = lights.info
        settings_plan = lights.settings
        if settings_plan is not None:
            write_settings(pkg, settings_plan)
    for i, layout in enumerate(ledger.layouts):
        projects = _sheet_projects(report.projects, layout, first=i == 0)
        if len(projects) == 0:
            continue
        recorded = marks.columns_of(layout.sheet)
        owned = columns_for(report, layout, projects, recorded)
        mine = [e for e in all_edits if e.sheet == layout.sheet]
        written = _write_sheet(pkg, wb, layout, projects, owned, recorded, mine, log, warnings, engine,
                               marks.conditional_of(layout.sheet))
        sheet_columns[layout.sheet] = written.placement.letters()
        sheet_conditional[layout.sheet] = written.conditional
        stale_formulas |= written.formulas and any(e.sheet == layout.sheet for e in log.written)
    for e in log.formulas:
        what = "报送数据" if id(e) in records else "新值"
        warnings.append(f"工作表“{e.sheet}”{e.ref}是公式，{what}未写入，保留原公式")
    if stale_formulas:
        warnings.append("台账中的公式已标记为打开时重新计算；在 Excel/WPS 打开并保存之前，"
                        "只读缓存值的程序看到的仍是写入报送数据之前的计算结果")
    names = write_sheets(pkg, sheet_views(report, text.splitlines()), marks.sheets, warnings)
    pkg.workbook.request_full_calculation()  # Excel and WPS recompute the user's formulas on open
    kept = {s: c for s, c in marks.columns.items() if s not in sheet_columns and s not in names.values()}
    kept_conditional = {s: c for s, c in marks.conditional.items()
                        if s not in sheet_columns and s not in names.values()}
    pkg.set_marks(Marks(tuple(names[n] for n in SHEETS), {**kept, **sheet_columns}, report.as_of,
                        {**kept_conditional, **sheet_conditional},
                        recorded_keys(marks.settings, settings_plan, {e.name for e in pkg.sheets()})))
    written_updates = [records[id(e)] for e in log.written if id(e) in records]
    if live_info is not None:
        coloured = {s: list(c) for s, c in sheet_conditional.items() if c}
        live_info = dataclasses.replace(live_info, conditional=coloured)
    return _Written(names, sheet_columns, pd.DataFrame(written_updates),
                    [e for e in log.written if id(e) not in records], live_info)


def refresh_workbook(
    path: str | Path,
    as_of: object = None,
    submissions: Sequence[str | Path] = (),
    rules: Rules | str | Path | None = None,
    out: str | Path | None = None,
    force: bool = False,
    sheet: str | None = None,
    history_url: str | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    *,
    history_scope: str = "",
    any_date: bool = False,
    keep_headers: bool = False,
    cell_edits: Sequence[CellEdit] = (),
    columns: ColumnsFor | None = None,
    engine: str = "auto",
    live: bool = False,
) -> RefreshResult:
    """Refresh the ledger workbook at ``path`` (see the module docstring); raise ``RefreshRefused``
    when it is open elsewhere or holds what an edit cannot keep (unless ``out`` or ``force``).

    ``as_of`` is checked and defaulted by ``keyproject.engine.context`` (``any_date`` accepts a date that
    does not fit the ledger's period); ``keep_headers`` leaves the user's period texts as they are;
    ``history_scope`` names the ledger in a shared ``history_url``.
    ``cell_edits``: further values for the user's cells (their formats kept, formulas left alone).
    ``columns``: the owned columns of a project sheet (default ``default_columns``).
    ``live``: 差距(百分点) and 灯号 as native formulas over the row's cells and the 设置 thresholds
    (constants when ``rules`` is given), the lights coloured by conditional formats
    (``workbook.live``); without it they are values with fills.
    ``engine``: how the project sheets are edited (``package.sheet_edit.edit_sheet``)."""
    from keyproject.bulletin import bulletin_text
    from keyproject.engine.comparison import comparison_for
    from keyproject.engine.history import snapshot_of
    from keyproject.engine.report import build_report

    source = Path(path)
    target = Path(out) if out is not None else source
    _check_paths(source, target)
    in_place = target.resolve() == source.resolve()
    now = now or dt.datetime.now()
    columns_for = columns or default_columns

    _step(progress, "检查工作簿", 0.0)
    check_not_open(source)
    if not in_place and target.exists():
        check_not_open(target)
    from keyproject.xlsx import Workbook

    # the safety checks (size, zip bombs, DTDs, damaged entries) before any part of the file is parsed
    wb = Workbook(source)
    with Package(source) as pkg:
        check_editable(pkg)
        losses = find_losses(pkg)
        if losses and in_place and not force:
            raise RefreshRefused(
                "工作簿含有刷新无法原样保留的内容，为避免损失，未在原文件上刷新：\n"
                f"{describe_losses(losses)}\n请用 --out 另存为新文件（原文件不动），或确认后加 --force",
                file=source,
            )
        warnings: list[str] = []
        for tmp in leftover_temps(target):
            warnings.append(f"发现之前中断的刷新留下的临时文件“{tmp.name}”（原文件未受影响），确认无刷新在运行后可删除")
        if losses:
            warnings.append("以下内容在刷新后的文件中无法原样保留：\n" + describe_losses(losses))
        marks = pkg.marks()
        # a bad --history (URL, driver, server) stops the refresh here, before anything is written;
        # the SQLite file beside the workbook is created only when the snapshot is recorded
        history = (History.open(history_url, scope=history_scope) if history_url
                   else History.existing_for(target, scope=history_scope))
        try:
            _step(progress, "读取台账", 0.1)
            ledger = _read(wb, sheet, marks)
            if len(ledger.projects) == 0:
                raise LedgerFileError("台账中没有找到项目行", file=source, sheet=ledger.sheet)
            header_period = (ledger.report_year, ledger.report_month)
            rules = _load_rules(rules)
            explicit_rules = rules is not None

            issues: list[Issue] = []
            updates = pd.DataFrame()
            newer: tuple[int, int] | None = None
            consolidated: Reporting | None = None
            submitted: list[SubmittedFile] = []
            if submissions:
                _step(progress, "汇总各单位报送", 0.2)
                from keyproject.submissions import consolidate

                cons = consolidate(ledger, list(submissions))
                issues, updates = list(cons.issues), cons.updates
                consolidated, submitted = cons.reporting, cons.submitted_files
                recorded = ledger.recorded_as_of
                current = (recorded.year, recorded.month) if recorded is not None else header_period
                period = cons.report_period
                if period is not None and current[1] is not None and period > (current[0] or period[0],
                                                                                 current[1]):
                    newer = period  # the submissions are for a later month: report as of that month
                ledger = dataclasses.replace(ledger, projects=cons.projects)

            _step(progress, "计算进度与灯号", 0.3)
            context = resolve(ledger, as_of=as_of, rules=rules, any_date=any_date,
                              latest=history.latest() if history is not None else None,
                              period=newer, as_of_name="--as-of")
            same = history.reporting(context.as_of, ledger.projects) if history is not None else None
            if same is None:
                same = _reporting_in_workbook(wb, ledger, context.as_of)
            in_cycle = any(REPORTING_COLUMN in marks.columns_of(lay.sheet) for lay in ledger.layouts)
            reporting = _reporting(consolidated, same, in_cycle, ledger.projects, context.as_of)
            report = build_report(ledger, context=context, reporting=reporting)
            this_period = snapshot_of(report)  # its project frame serves the changes, 环比 and the record
            changes = history.changes(report, this_period.projects) if history is not None else None
            # the 通报 sheet says what kp bulletin says: 环比 against the history, 同比 from 上年月度
            text = bulletin_text(report, changes, comparison=comparison_for(report, history, wb, this_period))
            texts, kept = _moved_period_texts(wb, ledger, header_period, report.as_of, keep_headers)
            if kept:
                warnings.append(kept)
            text_edits = {(e.sheet, e.cell): _edit_cell(e) for e in texts}

            _step(progress, "备份原文件", 0.4)
            backup = backup_copy(source, now) if in_place else None
            if losses and any(loss.what.startswith("数字签名") for loss in losses):
                remove_signature(pkg)

            _step(progress, "写入灯号列、报送数据和汇总表", 0.5)
            with _collector_paused():
                written = _write_package(pkg, wb, ledger, report, text, marks, updates,
                                         [*text_edits.values(), *cell_edits], columns_for, warnings, engine,
                                         live, explicit_rules)
                _step(progress, "保存", 0.85)
                atomic_write(target, lambda tmp: pkg.save(tmp, now))

            _step(progress, "记录历史", 0.95)
            if history is None:
                history = History.for_workbook(target, scope=history_scope)
            snapshot = history.record(report, source=source, taken_at=now.replace(microsecond=0),
                                      projects=this_period.projects)
            where = history.url if history_url else str(History.path_for(target))
        finally:
            if history is not None:
                history.close()
        changed = pkg.changed_parts()
    _step(progress, "完成", 1.0)

    written_ids = {id(e) for e in written.edits}
    lights = {k: int(v) for k, v in report.lights.items()}
    first = ledger.layouts[0].sheet
    return RefreshResult(
        source=source, path=target, backup=backup, as_of=pd.Timestamp(report.as_of).date(), sheet=first,
        columns=written.sheet_columns.get(first, {}), sheets=written.names, lights=lights,
        updates=written.updates, issues=issues, warnings=warnings, losses=losses, history=where,
        report=report, changes=changes, sheet_columns=written.sheet_columns,
        edits=[e for e in written.edits if id(e) not in {id(t) for t in text_edits.values()}],
        changed_parts=changed, submitted_files=submitted, snapshot=snapshot,
        period_edits=[t for t in texts if id(text_edits[(t.sheet, t.cell)]) in written_ids],
        headers_kept=kept, live=written.live,
    )
