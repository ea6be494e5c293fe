"""Live lights: 差距(百分点) and 灯号 as native spreadsheet formulas, for ``kp refresh --live``.

Each project row gets two formulas that read the row's own plan, completion, date, stage and
nature cells and the thresholds in the workbook's 设置 sheet, so the light changes as staff type,
in WPS, Excel or LibreOffice, with no add-in. They compute exactly what ``keyproject.engine.lights``
computes (``kp report``):

- investment light from the gap ``ROUND((completed ÷ plan − time progress) × 100, 2)`` against
  黄灯差距 and 红灯差距; no light without a plan;
- start light when the planned start has passed and the project has not started (an actual start,
  completion or production date on or before the report date, a stage at or past 在建, or 续建):
  yellow, red from 开工滞后红灯月数 months late;
- the worse of the two, labelled by the rules (绿/黄/红, 蓝/黄/红 …).

A formula reads a cell natively when it holds what a spreadsheet can read exactly as keyproject
does: a number (an amount, times the column's unit), a date between 1990 and 2099, a blank, stage
and nature text. What keyproject read in any other form (text such as "2023年3月" or "约500", a
date typed into an amount column …) is written into that row's formula as a guard: while the cell
still holds exactly what it held at the refresh, the formula uses keyproject's reading; once it
holds something else that a formula cannot read, the cells show ``待刷新`` until the next refresh.

The report date and the time progress are fixed at the refresh (they come from the ledger's "1-N月"
header or ``--as-of``); so are the 序时口径 and the light names. Under the 按月度计划 basis a row's
time progress is its plan to date over its annual plan, read live from its 1-N月计划 cell or its
monthly plan cells (whichever keyproject read it from at the refresh; a row that had neither takes
the month share, as the engine does).

Everything here is pure: column letters, cell values and rules in, formula text out.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyproject.engine.rules import Rules

NEEDS_REFRESH = "待刷新"  # a cell changed into something only a refresh can read

_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN = (dt.date(1990, 1, 1) - _EPOCH).days  # keyproject.values reads bare numbers as dates in here
SERIAL_MAX = (dt.date(2099, 12, 31) - _EPOCH).days
UNKNOWN = object()  # what the native reading gives for a cell it cannot read

# stage words (keyproject.engine.stages): at or past 在建 when one of these occurs …
STAGE_DONE_WORDS: tuple[str, ...] = ("投产", "运营", "投用", "投入使用", "竣工", "完工", "建成")
STAGE_NEGATORS: tuple[str, ...] = ("未", "待", "拟")  # … not right after one of these
STAGE_PRODUCING = "达产"  # always past 在建
STAGE_NOT_STARTED: tuple[str, ...] = tuple(f"{a}{b}" for a in ("未", "待", "拟", "计划", "准备")
                                           for b in ("开工", "动工", "施工"))
STAGE_STARTED_WORDS: tuple[str, ...] = ("在建", "续建", "开工", "施工", "动工", "建设中", "主体", "新建中")
CONTINUING = "续建"  # 建设性质: started in an earlier year


@dataclass(frozen=True)
class Seen:
    """A cell as keyproject read it at the refresh: the raw value, and what keyproject made of it
    (an amount in 万元, a ``date``, or a flag: started by stage, 续建)."""

    raw: Any
    value: Any


@dataclass(frozen=True)
class LiveColumns:
    """The column letters of a ledger sheet that a light reads."""

    annual_plan: str | None
    ytd: tuple[str, ...]  # the year-to-date column, or the month columns summed when there is none
    planned_start: str | None
    started: tuple[str, ...]  # actual start, actual completion, production date (those present)
    stage: str | None = None
    nature: str | None = None
    factors: Mapping[str, float] = field(default_factory=dict)  # letter → unit factor to 万元
    investment: bool = True  # False when the ledger has no completion figures: no investment light
    ytd_plan: str | None = None  # 1-N月计划 (the 按月度计划 basis)
    month_plans: tuple[str, ...] = ()  # N月计划, months 1..N (the 按月度计划 basis)


@dataclass(frozen=True)
class Threshold:
    """One threshold: a constant, or a cell of the 设置 sheet."""

    value: float  # what keyproject uses now
    ref: str | None = None  # '设置'!$B$2
    blank: float | None = None  # what an empty cell means (the preset's or the default value)
    seen: Any = None  # the cell's raw value at the refresh


@dataclass(frozen=True)
class Thresholds:
    green_gap: Threshold
    red_gap: Threshold
    start_red_months: Threshold

    @classmethod
    def constant(cls, rules: Rules) -> Thresholds:
        return cls(Threshold(rules.green_gap), Threshold(rules.red_gap), Threshold(rules.start_red_months))


@dataclass(frozen=True)
class LiveRow:
    """One project row: its number, every referenced cell as seen at the refresh (by letter), and
    the cell to read instead where a merged block holds the value (its first cell)."""

    row: int
    seen: Mapping[str, Seen] = field(default_factory=dict)
    refs: Mapping[str, str] = field(default_factory=dict)
    plan_to_date: str | None = None  # the 按月度计划 basis: "ytd_plan", "months", or None (month share)

    def ref(self, letter: str) -> str:
        return self.refs.get(letter, f"{letter}{self.row}")


# -- what a native formula reads from a raw value (the mirror of the expressions below) -------------

def _serial(v: Any) -> float | None:
    if isinstance(v, dt.datetime):
        return (v - dt.datetime(1899, 12, 30)).total_seconds() / 86_400
    if isinstance(v, dt.date):
        return float((v - _EPOCH).days)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return None


def _blank(v: Any) -> bool:
    return v is None or v == ""


def native_amount(raw: Any, factor: float) -> Any:
    """What ``amount_expr`` gives: a number (times the unit, negatives as 0), 0 for a blank."""
    if _blank(raw):
        return 0.0
    x = _serial(raw)
    if x is None or math.isnan(x):
        return UNKNOWN
    return max(x, 0.0) * factor


def native_date(raw: Any) -> Any:
    """What ``date_expr`` gives: the serial day of a date in 1990–2099, 0 for a blank."""
    if _blank(raw):
        return 0
    x = _serial(raw)
    if x is None or not SERIAL_MIN <= x <= SERIAL_MAX:
        return UNKNOWN
    return math.floor(x)


def _count(text: str, word: str) -> int:
    return text.count(word)


def native_stage_started(raw: Any) -> bool:
    """What ``stage_expr`` gives: the stage text is at or past 在建 (keyproject.engine.stages' ladder)."""
    if not isinstance(raw, str):
        return False  # numbers, dates, TRUE/FALSE hold no stage word
    if STAGE_PRODUCING in raw:
        return True
    for w in STAGE_DONE_WORDS:
        if _count(raw, w) > sum(_count(raw, n + w) for n in STAGE_NEGATORS):
            return True
    if any(w in raw for w in STAGE_NOT_STARTED):
        return False
    return any(w in raw for w in STAGE_STARTED_WORDS)


def native_continuing(raw: Any) -> bool:
    return isinstance(raw, str) and CONTINUING in raw


def _kp_amount(value: Any) -> float:
    """keyproject's amount as the formula carries it: a missing or negative amount is 0 (no plan:
    no rate; no completion: nothing done)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value < 0:
        return 0.0
    return float(value)


def _kp_date(value: Any) -> int:
    if value is None or value != value:  # None, NaN, NaT
        return 0
    if isinstance(value, dt.datetime):
        value = value.date()
    return int((value - _EPOCH).days)


# -- formula text -----------------------------------------------------------------------------------

def literal(v: Any) -> str:
    """A cell value as a formula literal."""
    if v is None or v == "":
        return '""'
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    x = _serial(v)
    if x is None:
        raise TypeError(f"no formula literal for {type(v).__name__}")
    return _number(x)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _guard(ref: str, seen: Seen | None, native: Any, keyproject: Any, kp_literal: str, expr: str) -> str:
    """``expr``, or keyproject's reading while the cell still holds what it held at the refresh,
    when the two differ there."""
    if seen is None or native == keyproject:
        return expr
    if isinstance(seen.raw, str) and len(seen.raw) > 250:
        return expr  # longer than a formula's text literal may be: the cell shows 待刷新 instead
    return f"IF({ref}={literal(seen.raw)},{kp_literal},{expr})"


def amount_expr(ref: str, factor: float = 1.0, seen: Seen | None = None) -> str:
    scaled = "MAX({r},0)" if factor == 1 else "MAX({r},0)*" + _number(factor)
    expr = f'IF(ISNUMBER({ref}),{scaled.format(r=ref)},IF({ref}="",0,NA()))'
    if seen is None:
        return expr
    kp = _kp_amount(seen.value)
    return _guard(ref, seen, native_amount(seen.raw, factor), kp, _number(kp), expr)


def date_expr(ref: str, seen: Seen | None = None) -> str:
    expr = (f'IF(ISNUMBER({ref}),IF(AND({ref}>={SERIAL_MIN},{ref}<={SERIAL_MAX}),INT({ref}),NA()),'
            f'IF({ref}="",0,NA()))')
    if seen is None:
        return expr
    kp = _kp_date(seen.value)
    return _guard(ref, seen, native_date(seen.raw), kp, str(kp), expr)


def _array(words: Sequence[str]) -> str:
    return "{" + ",".join(literal(w) for w in words) + "}"


def stage_expr(ref: str, seen: Seen | None = None) -> str:
    """TRUE when the stage text is at or past 在建 (the ladder of keyproject.engine.stages)."""
    done = _array(STAGE_DONE_WORDS)
    count = "(LEN({r})-LEN(SUBSTITUTE({r},{w},\"\")))"
    negated = "+".join(count.format(r=ref, w=f'"{n}"&{done}') for n in STAGE_NEGATORS)
    done_not_negated = (f"SUMPRODUCT(--({count.format(r=ref, w=done)}/LEN({done})>"
                        f"({negated})/(LEN({done})+1)))>0")
    not_started = f"SUMPRODUCT(--ISNUMBER(FIND({_array(STAGE_NOT_STARTED)},{ref})))>0"
    started = f"SUMPRODUCT(--ISNUMBER(FIND({_array(STAGE_STARTED_WORDS)},{ref})))>0"
    expr = (f'OR(ISNUMBER(FIND("{STAGE_PRODUCING}",{ref})),{done_not_negated},'
            f"AND(NOT({not_started}),{started}))")
    if seen is None:
        return expr
    kp = bool(seen.value)
    return _guard(ref, seen, native_stage_started(seen.raw), kp, "TRUE" if kp else "FALSE", expr)


def continuing_expr(ref: str, seen: Seen | None = None) -> str:
    expr = f'ISNUMBER(FIND("{CONTINUING}",{ref}))'
    if seen is None:
        return expr
    kp = bool(seen.value)
    return _guard(ref, seen, native_continuing(seen.raw), kp, "TRUE" if kp else "FALSE", expr)


@functools.lru_cache(maxsize=64)  # the same few thresholds in every row's formula
def threshold_expr(t: Threshold) -> str:
    if t.ref is None:
        return _number(t.value)
    blank = _number(t.blank if t.blank is not None else t.value)
    expr = f'IF(ISNUMBER({t.ref}),{t.ref},IF({t.ref}="",{blank},NA()))'
    native = (t.blank if t.blank is not None else t.value) if _blank(t.seen) else _serial(t.seen)
    return _guard(t.ref, Seen(t.seen, t.value), native, t.value, _number(t.value), expr)


def time_progress_text(as_of: dt.date, basis: str) -> str:
    """``keyproject.engine.progress.time_progress`` as formula text: 7/12, or 212/365."""
    if basis == "day":
        days = 366 if (dt.date(as_of.year, 12, 31) - dt.date(as_of.year, 1, 1)).days == 365 else 365
        return f"({as_of.timetuple().tm_yday}/{days})"
    return f"({as_of.month}/12)"


def _amount(columns: LiveColumns, row: LiveRow, letter: str) -> str:
    return amount_expr(row.ref(letter), columns.factors.get(letter, 1.0), row.seen.get(letter))


def _inputs(columns: LiveColumns, row: LiveRow) -> tuple[str, str]:
    """(plan, completed) expressions of a row, in 万元."""
    plan = _amount(columns, row, columns.annual_plan) if columns.annual_plan else "0"
    done = "+".join(_amount(columns, row, letter) for letter in columns.ytd) if columns.ytd else "0"
    return plan, f"({done})"


def _time_progress(columns: LiveColumns, row: LiveRow, as_of: dt.date, rules: Rules, plan: str) -> str:
    """The row's time progress: the calendar share, or (按月度计划) its plan to date ÷ its plan."""
    if rules.basis == "plan":
        if row.plan_to_date == "ytd_plan" and columns.ytd_plan:
            return f"({_amount(columns, row, columns.ytd_plan)}/{plan})"
        if row.plan_to_date == "months" and columns.month_plans:
            summed = "+".join(_amount(columns, row, letter) for letter in columns.month_plans)
            return f"(({summed})/{plan})"
    return time_progress_text(as_of, rules.basis)


def _gap_core(columns: LiveColumns, row: LiveRow, plan: str, done: str, as_of: dt.date, rules: Rules) -> str:
    return f"ROUND(({done}/{plan}-{_time_progress(columns, row, as_of, rules, plan)})*100,2)"


def gap_formula(columns: LiveColumns, row: LiveRow, as_of: dt.date, rules: Rules) -> str:
    """=… for the 差距(百分点) cell of ``row``: the gap in points, empty without a plan."""
    if not columns.investment or not columns.annual_plan:
        return '=""'
    plan, done = _inputs(columns, row)
    return f'=IFERROR(IF({plan}>0,{_gap_core(columns, row, plan, done, as_of, rules)},""),"{NEEDS_REFRESH}")'


def light_formula(columns: LiveColumns, row: LiveRow, as_of: dt.date, rules: Rules,
                  thresholds: Thresholds | None = None) -> str:
    """=… for the 灯号 cell of ``row``: the light's label, empty when no rule applies."""
    t = thresholds or Thresholds.constant(rules)
    date = f"DATE({as_of.year},{as_of.month},{as_of.day})"
    if columns.investment and columns.annual_plan:
        plan, done = _inputs(columns, row)
        gap = _gap_core(columns, row, plan, done, as_of, rules)
        investment = (f"IF({plan}>0,IF({gap}>={threshold_expr(t.green_gap)},1,"
                      f"IF({gap}>={threshold_expr(t.red_gap)},2,3)),0)")
    else:
        investment = "0"
    if columns.planned_start:
        reached = []
        for letter in columns.started:
            d = date_expr(row.ref(letter), row.seen.get(letter))
            reached.append(f"AND({d}>0,{d}<={date})")
        if columns.stage:
            reached.append(stage_expr(row.ref(columns.stage), row.seen.get(columns.stage)))
        if columns.nature:
            reached.append(continuing_expr(row.ref(columns.nature), row.seen.get(columns.nature)))
        started = f"OR({','.join(reached)})" if reached else "FALSE"
        planned = date_expr(row.ref(columns.planned_start), row.seen.get(columns.planned_start))
        months = f"{as_of.year * 12 + as_of.month}-(YEAR({planned})*12+MONTH({planned}))"
        start = (f"IF(AND({planned}>0,{planned}<={date},NOT({started})),"
                 f"IF({months}>={threshold_expr(t.start_red_months)},3,2),0)")
    else:
        start = "0"
    labels = ",".join(literal(n) for n in rules.light_names)
    return f'=IFERROR(CHOOSE(MAX({investment},{start})+1,"",{labels}),"{NEEDS_REFRESH}")'
