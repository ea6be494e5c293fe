"""The plain functions behind the KP_* formulas: Excel-shaped arguments in, a 2-D result out.

Each function takes the door's ``Context`` (its rules, today; ``Context.rules_for`` adds a 设置
range's rules as ``keyproject.engine.context`` does for a ledger) and the formula's arguments as a
spreadsheet hands them over (single values or 2-D lists of rows; ``None``/``""`` for blanks;
datetimes, serial numbers or date text for dates) and returns a 2-D list: one value per input cell
for column formulas, a table with its header row for the others. A cell that cannot be read gets a
short Chinese message in its result cell and the other cells are still computed; a call that cannot
be made at all raises ``KPError`` (``keyproject.formulas.call`` turns it into a one-cell message).

They are thin: shapes come from ``keyproject.excel_shapes``, answers from the engine
(``progress``, ``lights``, ``stages``, ``calendar``, ``sprint``, ``backplan``, ``excel_tables``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from keyproject import excel_shapes as xs
from keyproject.engine.calendar import WorkCalendar
from keyproject.engine.progress import completion_rate, gap_points, time_progress
from keyproject.engine.rules import parse_basis
from keyproject.errors import KPError
from keyproject.formulas.spec import Context

Grid = xs.Grid

NO_AS_OF = "缺少统计截止日期"


def _unique_map(values: np.ndarray, compute: Callable[[pd.Timestamp], Any]) -> np.ndarray:
    """``compute`` once per distinct date (a column usually shares one report date), NaN for NaT."""
    out = np.full(len(values), np.nan)
    ok = ~np.isnat(values)
    if ok.any():
        uniq, inverse = np.unique(values[ok], return_inverse=True)
        results = np.array([compute(pd.Timestamp(u)) for u in uniq], dtype=float)
        out[ok] = results[inverse]
    return out


def _optional_date(value: Any, what: str) -> Any:
    """A single optional date argument: None when left out or blank."""
    return None if xs.is_blank(xs.scalar(value)) else xs.one_date(value, what)


# -- progress ---------------------------------------------------------------------------------------

def timeprogress(ctx: Context, as_of: Any, basis: Any = None, settings_range: Any = None) -> Grid:
    """序时进度 of each date (``progress.time_progress``); a blank basis is the rules'."""
    text = xs.scalar(basis)
    if xs.is_blank(text):
        key = ctx.rules_for(settings_range).basis
    else:
        try:
            key = parse_basis(text)  # the 设置 sheet's words (按月, 按日, 按月度计划)
        except ValueError:
            raise KPError(f"序时口径“{text}”无效，应为“按月”或“按日”") from None
    d = xs.dates(as_of, "统计截止日期")
    tp = _unique_map(d.values, lambda ts: time_progress(ts, key))
    return xs.column_out(tp, d.errors, d.shape)


def _rate_inputs(done: Any, plan: Any, *more: xs.Cells) -> tuple[xs.Cells, xs.Cells, tuple[int, int]]:
    d = xs.numbers(done, "完成投资")
    p = xs.numbers(plan, "计划投资")
    shape = xs.common_shape(d.shape, p.shape, *(m.shape for m in more))
    return xs.broadcast(d, shape), xs.broadcast(p, shape), shape


def rate(ctx: Context, done: Any, plan: Any) -> Grid:
    """完成率 of each row (``progress.completion_rate``)."""
    d, p, shape = _rate_inputs(done, plan)
    return xs.column_out(completion_rate(d.values, p.values), xs.merge_errors(d, p), shape)


def gap(ctx: Context, done: Any, plan: Any, as_of: Any, settings_range: Any = None) -> Grid:
    """差距 in points of each row (``progress.gap_points`` against ``progress.time_progress``)."""
    rules = ctx.rules_for(settings_range)
    a = xs.dates(as_of, "统计截止日期")
    d, p, shape = _rate_inputs(done, plan, a)
    a = xs.broadcast(a, shape)
    tp = _unique_map(a.values, lambda ts: time_progress(ts, rules.basis))
    result = gap_points(completion_rate(d.values, p.values), tp)
    errors = xs.merge_errors(d, p, a)
    errors[np.isnat(a.values) & pd.isna(errors)] = NO_AS_OF
    return xs.column_out(result, errors, shape)


def light(ctx: Context, done: Any, plan: Any, as_of: Any, planned_start: Any = None,
          actual_start: Any = None, settings_range: Any = None) -> Grid:
    """The light of each row, labelled by the rules (``lights.evaluate``)."""
    from keyproject.engine.lights import evaluate

    rules = ctx.rules_for(settings_range)
    a = xs.dates(as_of, "统计截止日期")
    ps = xs.dates(planned_start, "计划开工时间")
    ac = xs.dates(actual_start, "实际开工时间")
    d, p, shape = _rate_inputs(done, plan, a, ps, ac)
    a, ps, ac = (xs.broadcast(c, shape) for c in (a, ps, ac))
    frame = pd.DataFrame({"ytd_completed": d.values, "annual_plan": p.values,
                          "planned_start": ps.values, "actual_start": ac.values})
    out = np.full(len(frame), "", dtype=object)
    labels = {k: rules.light_label(k) for k in ("green", "yellow", "red")}
    ok = ~np.isnat(a.values)
    if ok.any():
        uniq, inverse = np.unique(a.values[ok], return_inverse=True)
        rows = np.flatnonzero(ok)
        for k, as_of_day in enumerate(uniq):
            take = rows[inverse == k]
            part = frame.iloc[take].reset_index(drop=True)
            lights = evaluate(part, pd.Timestamp(as_of_day), rules)["light"]
            out[take] = lights.map(labels).fillna("").to_numpy(dtype=object)
    errors = xs.merge_errors(d, p, a, ps, ac)
    errors[~ok & pd.isna(errors)] = NO_AS_OF
    return xs.column_out(out, errors, shape)


# -- stages -----------------------------------------------------------------------------------------

def threeclass(ctx: Context, signed: Any, land: Any, started: Any, completed: Any,
               as_of: Any = None) -> Grid:
    """三类项目 of each row (``stages.three_class``)."""
    from keyproject.engine.stages import three_class

    cells = [xs.dates(v, w) for v, w in ((signed, "签约时间"), (land, "供地时间"),
                                          (started, "开工时间"), (completed, "竣工时间"))]
    shape = xs.common_shape(*(c.shape for c in cells))
    cells = [xs.broadcast(c, shape) for c in cells]
    when = _optional_date(as_of, "统计截止日期")
    signed_at, land_at, started_at, completed_at = (c.values for c in cells)
    # milestones after as_of do not count
    classes = three_class(signed_at, land_at, started_at, completed_at, as_of=when)
    out = np.array(["" if v is None else v for v in classes], dtype=object)
    return xs.column_out(out, xs.merge_errors(*cells), shape)


# -- calendar, sprint, backward plan ----------------------------------------------------------------

def _calendar(calendar_range: Any) -> WorkCalendar:
    if calendar_range is None:
        return WorkCalendar()
    rows = [r for r in xs.grid(calendar_range) if not all(xs.is_blank(v) for v in r)]
    if not rows:
        return WorkCalendar()
    if len(rows[0]) < 2:
        raise xs.ShapeError("节假日表需要两列：日期、班/休")
    # serial numbers and date text are read by the calendar's own table reader
    return WorkCalendar.from_table(rows, source="节假日表")


def workdays(ctx: Context, start: Any, end: Any, calendar_range: Any = None) -> Grid:
    """Working days between two dates, both ends included (``calendar.WorkCalendar``)."""
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


def sprint(ctx: Context, start: Any, days: Any, target: Any, done: Any, as_of: Any = None) -> Grid:
    """The 百日冲刺 table (``sprint.sprint_status``); ``as_of`` left out is the door's today."""
    from keyproject.engine.sprint import sprint_status

    first = xs.one_date(start, "冲刺开始日期")
    n = xs.numbers(xs.scalar(days), "冲刺天数")
    count = float(n.values[0])
    if n.errors[0] is not None or np.isnan(count) or count < 1 or not count.is_integer():
        raise KPError("冲刺天数应为正整数")
    when = _optional_date(as_of, "统计日期") or ctx.today
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


def _steps_from_range(steps_range: Any) -> Any:
    """A (节点, 工作日) range, with or without its header row, as backward_plan takes it."""
    rows = [r for r in xs.grid(steps_range) if not all(xs.is_blank(v) for v in r)]
    if not rows or len(rows[0]) < 2:
        raise xs.ShapeError("节点表需要两列：节点名称、所需工作日")
    first = xs.numbers(rows[0][1])
    if first.errors[0] is not None or np.isnan(first.values[0]):  # a header row
        return pd.DataFrame(rows[1:], columns=[xs.texts(h).values[0] or "" for h in rows[0]])
    return rows


def backplan(ctx: Context, target_date: Any, steps_range: Any = None, calendar_range: Any = None) -> Grid:
    """The 倒排工期 table (``backplan.backward_plan``)."""
    from keyproject.engine.backplan import backward_plan

    target = xs.one_date(target_date, "目标日期")
    steps = _steps_from_range(steps_range) if steps_range is not None else None
    plan = backward_plan(target, steps, _calendar(calendar_range))
    return xs.table_out([
        ("节点", "工作日", "最晚开始", "最晚完成"),
        *plan[["step", "days", "latest_start", "latest_finish"]].itertuples(index=False, name=None),
    ])


# -- ledger ranges ----------------------------------------------------------------------------------

def summary(ctx: Context, ledger_range: Any, as_of: Any, settings_range: Any = None) -> Grid:
    """The summary table of a ledger range (``excel_tables.summary_rows``)."""
    from keyproject.excel_tables import projects_from_range, summary_rows

    rules = ctx.rules_for(settings_range)
    when = xs.one_date(as_of, "统计截止日期")
    projects = projects_from_range(ledger_range)
    return xs.table_out(summary_rows(projects, when, rules))


def rank(ctx: Context, group_range: Any, done_range: Any, plan_range: Any, as_of: Any = None,
         settings_range: Any = None) -> Grid:
    """The ranking table by group (``excel_tables.rank_rows``); ``as_of`` left out is today."""
    from keyproject.excel_tables import rank_rows

    rules = ctx.rules_for(settings_range)
    g = xs.texts(group_range)
    d, p, shape = _rate_inputs(done_range, plan_range, g)
    g = xs.broadcast(g, shape)
    errors = xs.merge_errors(d, p)
    bad = ~pd.isna(errors)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise KPError(f"第{i + 1}行：{errors[i]}")
    when = _optional_date(as_of, "统计截止日期") or ctx.today
    return xs.table_out(rank_rows(g.values, d.values, p.values, when, rules))
