"""keyproject as Excel formulas (xlwings): =KP_LIGHT(D5:D64, E5:E64, $B$2, ...).

One module serves three runtimes through the same decorators:
- the classic xlwings add-in on Windows desktop Excel (an ``xlwings.conf`` sheet with
  ``UDF Modules`` = ``keyproject_udfs``, then Import Functions on the xlwings ribbon tab);
- xlwings Server and xlwings Lite custom functions (Excel 365 on Windows, Mac and the web);
- plain Python: elsewhere the decorators are pass-through, so tests call the functions directly.

Every function is a thin adapter over a ``keyproject`` library function. Arguments are positional
(xlwings has no keyword arguments); each takes whole columns (2-D ranges) as well as single cells
and returns a whole column, so one formula serves 10,000 rows. A cell that cannot be read gets a
short Chinese message in its result cell; a call that cannot be made returns the message in one
cell. Never a traceback.

Parameters carry no type annotations on purpose: xlwings turns annotations into converters, and
the conversions here (serial dates, date text, amounts typed as text) are keyproject's own
(``keyproject.excel_shapes``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw
from xlwings import arg, func, script

from keyproject import excel_shapes as xs
from keyproject.calendar import WorkCalendar
from keyproject.errors import CalendarError, KPError
from keyproject.progress import completion_rate, gap_points, time_progress
from keyproject.rules import Rules

__all__ = [
    "KP_BACKPLAN",
    "KP_GAP",
    "KP_LIGHT",
    "KP_RANK",
    "KP_RATE",
    "KP_SPRINT",
    "KP_SUMMARY",
    "KP_THREECLASS",
    "KP_TIMEPROGRESS",
    "KP_WORKDAYS",
    "refresh_workbook",
]

RULES = Rules()  # the default thresholds (DOMAIN.md); the refresh reads a workbook's 设置 sheet

_BASIS = {"month": "month", "day": "day", "月": "month", "按月": "month", "日": "day", "按日": "day",
          "天": "day", "按天": "day"}


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Any failure becomes a short Chinese message in one cell (Excel shows no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except CalendarError as exc:  # the library's message explains the CLI option too; keep the cell short
            year = re.search(r"(\d{4})年", exc.message)
            which = f"{year.group(1)}年" if year else "该年份"
            return [[f"{which}没有节假日数据，请传入节假日表（日期、班/休两列）"]]
        except KPError as exc:
            return [[exc.message]]
        except Exception as exc:  # the cell must get a message, whatever went wrong
            return [[f"计算出错：{type(exc).__name__} {str(exc)[:60]}".strip()]]

    return wrapper


def _unique_map(values: np.ndarray, compute: Callable[[pd.Timestamp], Any]) -> np.ndarray:
    """``compute`` once per distinct date (a column usually shares one report date), NaN for NaT."""
    out = np.full(len(values), np.nan)
    ok = ~np.isnat(values)
    if ok.any():
        uniq, inverse = np.unique(values[ok], return_inverse=True)
        results = np.array([compute(pd.Timestamp(u)) for u in uniq], dtype=float)
        out[ok] = results[inverse]
    return out


# -- progress ---------------------------------------------------------------------------------------
@func
@arg("as_of", ndim=2, doc="统计截止日期（可选一列）")
@arg("basis", doc="序时口径：month/按月（默认）或 day/按日")
@_guarded
def KP_TIMEPROGRESS(as_of, basis="month"):
    """序时进度：1-7月报表（2023-07-31）为 7/12 = 0.5833。"""
    key = _BASIS.get(str(xs.scalar(basis) or "month").strip().lower())
    if key is None:
        return [[f"序时口径“{basis}”无效，应为“按月”或“按日”"]]
    d = xs.dates(as_of, "统计截止日期")
    tp = _unique_map(d.values, lambda ts: time_progress(ts, key))
    return xs.column_out(tp, d.errors, d.shape)


def _rate_inputs(done: Any, plan: Any, *more: xs.Cells) -> tuple[xs.Cells, xs.Cells, tuple[int, int]]:
    d = xs.numbers(done, "完成投资")
    p = xs.numbers(plan, "计划投资")
    shape = xs.common_shape(d.shape, p.shape, *(m.shape for m in more))
    return xs.broadcast(d, shape), xs.broadcast(p, shape), shape


@func
@arg("done", ndim=2, doc="累计完成投资（万元，可选一列）")
@arg("plan", ndim=2, doc="年度计划投资（万元，可选一列）")
@_guarded
def KP_RATE(done, plan):
    """完成率 = 累计完成投资 ÷ 年度计划投资（没有计划的项目为空）。"""
    d, p, shape = _rate_inputs(done, plan)
    rate = completion_rate(d.values, p.values)
    return xs.column_out(rate, xs.merge_errors(d, p), shape)


@func
@arg("done", ndim=2, doc="累计完成投资（万元）")
@arg("plan", ndim=2, doc="年度计划投资（万元）")
@arg("as_of", ndim=2, doc="统计截止日期")
@_guarded
def KP_GAP(done, plan, as_of):
    """与序时进度的差距（百分点，保留2位小数）：完成率 − 序时进度。"""
    a = xs.dates(as_of, "统计截止日期")
    d, p, shape = _rate_inputs(done, plan, a)
    a = xs.broadcast(a, shape)
    tp = _unique_map(a.values, lambda ts: time_progress(ts, RULES.basis))
    gap = gap_points(completion_rate(d.values, p.values), tp)
    errors = xs.merge_errors(d, p, a)
    errors[np.isnat(a.values) & pd.isna(errors)] = "缺少统计截止日期"
    return xs.column_out(gap, errors, shape)


@func
@arg("done", ndim=2, doc="累计完成投资（万元）")
@arg("plan", ndim=2, doc="年度计划投资（万元）")
@arg("as_of", ndim=2, doc="统计截止日期")
@arg("planned_start", ndim=2, doc="计划开工时间（可选）")
@arg("actual_start", ndim=2, doc="实际开工时间（可选）")
@_guarded
def KP_LIGHT(done, plan, as_of, planned_start=None, actual_start=None):
    """红黄绿灯：投资进度灯与开工灯取最差者，返回“绿”“黄”“红”，无规则适用时为空。"""
    from keyproject.lights import evaluate

    a = xs.dates(as_of, "统计截止日期")
    ps = xs.dates(planned_start, "计划开工时间")
    ac = xs.dates(actual_start, "实际开工时间")
    d, p, shape = _rate_inputs(done, plan, a, ps, ac)
    a, ps, ac = (xs.broadcast(c, shape) for c in (a, ps, ac))
    frame = pd.DataFrame({"ytd_completed": d.values, "annual_plan": p.values,
                          "planned_start": ps.values, "actual_start": ac.values})
    out = np.full(len(frame), "", dtype=object)
    labels = {k: RULES.light_label(k) for k in ("green", "yellow", "red")}
    ok = ~np.isnat(a.values)
    if ok.any():
        uniq, inverse = np.unique(a.values[ok], return_inverse=True)
        rows = np.flatnonzero(ok)
        for k, as_of_day in enumerate(uniq):
            take = rows[inverse == k]
            part = frame.iloc[take].reset_index(drop=True)
            lights = evaluate(part, pd.Timestamp(as_of_day), RULES)["light"]
            out[take] = lights.map(labels).fillna("").to_numpy(dtype=object)
    errors = xs.merge_errors(d, p, a, ps, ac)
    errors[~ok & pd.isna(errors)] = "缺少统计截止日期"
    return xs.column_out(out, errors, shape)


# -- stages -----------------------------------------------------------------------------------------
@func
@arg("signed", ndim=2, doc="签约时间")
@arg("land", ndim=2, doc="供地时间")
@arg("started", ndim=2, doc="实际开工时间")
@arg("completed", ndim=2, doc="竣工时间")
@arg("as_of", ndim=2, doc="统计截止日期（可选：此后的日期不计）")
@_guarded
def KP_THREECLASS(signed, land, started, completed, as_of=None):
    """三类项目：已签约未供地 / 已供地未动工 / 已动工未竣工，其余为空。"""
    from keyproject.stages import three_class

    cells = [xs.dates(v, w) for v, w in ((signed, "签约时间"), (land, "供地时间"),
                                          (started, "开工时间"), (completed, "竣工时间"))]
    shape = xs.common_shape(*(c.shape for c in cells))
    cells = [xs.broadcast(c, shape) for c in cells]
    when = xs.one_date(as_of, "统计截止日期") if not xs.is_blank(xs.scalar(as_of)) else None
    classes = three_class(*(c.values for c in cells), as_of=when)  # milestones after as_of do not count
    out = np.array(["" if v is None else v for v in classes], dtype=object)
    return xs.column_out(out, xs.merge_errors(*cells), shape)


# -- calendar, sprint, backward plan ----------------------------------------------------------------
def _calendar(calendar_range: Any) -> WorkCalendar:
    if calendar_range is None:
        return WorkCalendar()
    rows = [r for r in xs.grid(calendar_range) if not all(xs.is_blank(v) for v in r)]
    if rows and len(rows[0]) < 2:
        raise xs.ShapeError("节假日表需要两列：日期、班/休")
    # serial numbers and date text are read by the calendar's own table reader
    return WorkCalendar.from_table(rows, source="节假日表")


@func
@arg("start", ndim=2, doc="开始日期（可选一列）")
@arg("end", ndim=2, doc="结束日期（可选一列）")
@arg("calendar_range", ndim=2, doc="节假日表（可选）：两列，日期、班/休")
@_guarded
def KP_WORKDAYS(start, end, calendar_range=None):
    """两个日期之间（含首尾）的工作日天数，按中国法定节假日和调休计算。"""
    s = xs.dates(start, "开始日期")
    e = xs.dates(end, "结束日期")
    shape = xs.common_shape(s.shape, e.shape)
    s, e = xs.broadcast(s, shape), xs.broadcast(e, shape)
    cal = _calendar(calendar_range)
    counts = cal.workdays_between(pd.Series(s.values), pd.Series(e.values))
    values = counts.astype("float64").to_numpy(na_value=np.nan)
    return xs.column_out([None if np.isnan(v) else int(v) for v in values], xs.merge_errors(s, e), shape)


def _sum(value: Any, what: str) -> float:
    c = xs.numbers(value, what)
    bad = ~pd.isna(c.errors)
    if bad.any():
        raise KPError(str(c.errors[np.flatnonzero(bad)[0]]))
    return float(np.nansum(c.values))


def _yes_no(flag: Any) -> str:
    return "是" if flag else "否"


@func
@arg("start", doc="冲刺开始日期")
@arg("days", doc="冲刺天数（如100）")
@arg("target", ndim=2, doc="冲刺目标（万元，可选一列，求和）")
@arg("done", ndim=2, doc="已完成（万元，可选一列，求和）")
@arg("as_of", doc="统计日期（可选，默认今天）")
@_guarded
def KP_SPRINT(start, days, target, done, as_of=None):
    """百日冲刺：结束日期、已过天数、剩余天数、剩余工作日、剩余任务、日均/周均需完成、是否达序时。"""
    from keyproject.sprint import sprint_status

    first = xs.one_date(start, "冲刺开始日期")
    n = xs.numbers(xs.scalar(days), "冲刺天数")
    count = float(n.values[0])
    if n.errors[0] is not None or np.isnan(count) or count < 1 or not count.is_integer():
        return [["冲刺天数应为正整数"]]
    # the formula may leave the date out; the adapter (not the library) then reads the clock
    when = xs.one_date(as_of, "统计日期") if not xs.is_blank(xs.scalar(as_of)) else dt.date.today()
    st = sprint_status(first, int(count), _sum(target, "冲刺目标"), _sum(done, "已完成"), when)
    return xs.table_out([
        ("指标", "值"),
        ("结束日期", st.end),
        ("已过天数", st.days_elapsed),
        ("剩余天数", st.days_left),
        ("剩余工作日", st.working_days_left),
        ("剩余任务", st.remaining),
        ("日均需完成", st.per_day),
        ("周均需完成", st.per_week),
        ("是否达序时", _yes_no(st.on_track)),
    ])


@func
@arg("target_date", doc="目标日期（如开工日期）")
@arg("steps_range", ndim=2, doc="节点表（可选）：节点名称、所需工作日")
@arg("calendar_range", ndim=2, doc="节假日表（可选）：两列，日期、班/休")
@_guarded
def KP_BACKPLAN(target_date, steps_range=None, calendar_range=None):
    """倒排工期：从目标日期倒推每个节点的最晚开始和最晚完成日期（按工作日）。"""
    from keyproject.backplan import backward_plan

    target = xs.one_date(target_date, "目标日期")
    steps = _steps_from_range(steps_range) if steps_range is not None else None
    plan = backward_plan(target, steps, _calendar(calendar_range))
    return xs.table_out([
        ("节点", "工作日", "最晚开始", "最晚完成"),
        *plan[["step", "days", "latest_start", "latest_finish"]].itertuples(index=False, name=None),
    ])


def _steps_from_range(steps_range: Any) -> Any:
    """A (节点, 工作日) range, with or without its header row, as backward_plan takes it."""
    rows = [r for r in xs.grid(steps_range) if not all(xs.is_blank(v) for v in r)]
    if not rows or len(rows[0]) < 2:
        raise xs.ShapeError("节点表需要两列：节点名称、所需工作日")
    first = xs.numbers(rows[0][1])
    if first.errors[0] is not None or np.isnan(first.values[0]):  # a header row
        return pd.DataFrame(rows[1:], columns=[xs.texts(h).values[0] or "" for h in rows[0]])
    return rows


# -- ledger ranges ----------------------------------------------------------------------------------
@func
@arg("ledger_range", ndim=2, doc="台账区域（含标题行）")
@arg("as_of", doc="统计截止日期")
@_guarded
def KP_SUMMARY(ledger_range, as_of):
    """台账汇总：项目数、计划投资、完成投资、完成率、序时进度、差距、红黄绿灯个数、双过半。"""
    from keyproject.excel_tables import projects_from_range, summary_rows

    when = xs.one_date(as_of, "统计截止日期")
    projects = projects_from_range(ledger_range)
    return xs.table_out(summary_rows(projects, when, RULES))


@func
@arg("group_range", ndim=2, doc="分组列（责任单位、乡镇、指挥部……）")
@arg("done_range", ndim=2, doc="累计完成投资列")
@arg("plan_range", ndim=2, doc="年度计划投资列")
@arg("as_of", doc="统计截止日期（可选，用于差距；默认今天）")
@_guarded
def KP_RANK(group_range, done_range, plan_range, as_of=None):
    """比学赶超排名：按分组汇总计划和完成投资，按完成率排名。"""
    from keyproject.excel_tables import rank_rows

    g = xs.texts(group_range)
    d, p, shape = _rate_inputs(done_range, plan_range, g)
    g = xs.broadcast(g, shape)
    errors = xs.merge_errors(d, p)
    bad = ~pd.isna(errors)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return [[f"第{i + 1}行：{errors[i]}"]]
    when = xs.one_date(as_of, "统计截止日期") if not xs.is_blank(xs.scalar(as_of)) else dt.date.today()
    return xs.table_out(rank_rows(g.values, d.values, p.values, when, RULES))


# -- the refresh button -----------------------------------------------------------------------------
@script
def refresh_workbook(book: xw.Book = None):  # type: ignore[assignment]
    """刷新本工作簿：重算台账的差距、灯号、三类项目列和汇总、红黄绿灯、排名、问题清单、通报各表。"""
    if book is None:  # classic add-in: called from a button or RunPython
        book = xw.Book.caller()
    try:
        refresh_book(book)
    except KPError as exc:  # scripts have no cell to write to: Excel shows the message
        raise KPError(f"keyproject 刷新失败：{exc}") from None


def _sheet_values(sheet: Any) -> list[list[Any]]:
    """A sheet's values from A1 to the last used cell (the reader counts rows from A1)."""
    last = sheet.used_range.last_cell
    return xs.grid(sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value)


def refresh_book(book: Any) -> dict[str, Any]:
    """Refresh an open workbook through Excel's object model (xlwings ``Book``), values only.

    Reads every sheet's values, builds the report exactly as ``kp refresh`` does (the 设置 sheet's
    rules, the 问题清单 sheet), then writes keyproject's columns (差距(百分点), 灯号 with its fill,
    三类项目) into the ledger sheet and its sheets 汇总, 红黄绿灯, 排名, 问题清单, 通报. A user's
    sheet with one of those names is left alone: keyproject writes "名称(keyproject)" instead.
    Returns what was written (for the caller's status line and for tests).
    """
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

    values = {sh.name: _sheet_values(sh) for sh in book.sheets}
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
    return {"sheet": ledger.sheet, "projects": len(ledger.projects), "columns": columns, "sheets": written,
            "as_of": report.as_of}
