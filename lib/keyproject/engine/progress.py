"""序时进度 (time progress), completion rates, gaps, earned value and 双过半, over whole frames.

Three bases (``Rules.basis``, 设置 key 序时口径, ``kp report --basis``):

- ``month``: report month / 12 (a 1-7月 report is 58.33%);
- ``day``: day of year / days in the year;
- ``plan``: each project's cumulative monthly plan to the report month over its annual plan, what
  offices mean by "完成1-N月投资计划的X%": the plan to date is the ledger's 1-N月计划 column
  (``ytd_plan``) when the project has it, else the sum of its monthly plans p01…pN. A project with
  neither (or without an annual plan) falls back to the month basis, and ``plan_basis_warning`` says
  how many did. Over several projects the time progress is Σ plan to date / Σ annual plan.

``time_progress(as_of, basis)`` is the calendar share (for ``plan`` it is the month basis, the
fallback); ``row_time_progress`` and ``time_progress_of`` give the per-project and overall figures a
frame's monthly plans imply.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from keyproject._arrays import amounts, as_of_timestamp
from keyproject.dates import DateLike
from keyproject.engine.rules import BASES, Rules
from keyproject.errors import KPError
from keyproject.schema import MONTH_PLAN_KEYS


def time_progress(as_of: DateLike, basis: str = "month") -> float:
    """Share of the year gone by ``as_of``: month/12, or day of year / days in year (``plan``: the
    month share, which the plan basis falls back to for projects without monthly plans)."""
    ts = as_of_timestamp(as_of)
    if basis in ("month", "plan"):
        return ts.month / 12
    if basis == "day":
        return ts.day_of_year / (366 if ts.is_leap_year else 365)
    raise KPError(f"序时口径“{basis}”无效，应为 {'、'.join(BASES)}（按月、按日、按月度计划）")


def plan_to_date(frame: pd.DataFrame, month: int) -> np.ndarray:
    """Each project's plan to the end of ``month`` (万元): the 1-N月计划 column, else p01…pN summed;
    NaN where the project has neither."""
    n = len(frame)
    given = amounts(frame, "ytd_plan")
    keys = [k for k in MONTH_PLAN_KEYS[:month] if k in frame.columns]
    if keys:
        monthly = np.column_stack([amounts(frame, k) for k in keys])
        has = ~np.isnan(monthly).all(axis=1)
        summed = np.where(has, np.nansum(monthly, axis=1), np.nan)
    else:
        summed = np.full(n, np.nan)
    return np.where(~np.isnan(given), given, summed)


def row_time_progress(frame: pd.DataFrame, as_of: DateLike, rules: Rules | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(time progress per project, True where the plan basis fell back to the month basis)."""
    rules = rules or Rules()
    ts = as_of_timestamp(as_of)
    calendar_tp = time_progress(ts, rules.basis)
    n = len(frame)
    if rules.basis != "plan":
        return np.full(n, calendar_tp), np.zeros(n, dtype=bool)
    plan = amounts(frame, "annual_plan")
    cum = plan_to_date(frame, ts.month)
    ok = ~np.isnan(cum) & (plan > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tp = np.where(ok, cum / plan, calendar_tp)
    return tp, ~ok


def time_progress_of(frame: pd.DataFrame, as_of: DateLike, rules: Rules | None = None) -> float:
    """The time progress of a set of projects: the calendar share for month/day; for ``plan``,
    Σ (annual plan × the project's time progress) / Σ annual plan (the month share without plans)."""
    rules = rules or Rules()
    if rules.basis != "plan":
        return time_progress(as_of, rules.basis)
    tp, _ = row_time_progress(frame, as_of, rules)
    plan = amounts(frame, "annual_plan")
    has = plan > 0
    total = float(np.nansum(plan[has]))
    if total <= 0:
        return time_progress(as_of, rules.basis)
    return float(np.nansum(plan[has] * tp[has]) / total)


def plan_basis_warning(frame: pd.DataFrame, as_of: DateLike, rules: Rules) -> str | None:
    """Chinese note when the plan basis fell back to the month basis for some projects."""
    if rules.basis != "plan" or frame.empty:
        return None
    ts = as_of_timestamp(as_of)
    _, fallback = row_time_progress(frame, ts, rules)
    with_plan = amounts(frame, "annual_plan") > 0
    missing = int((fallback & with_plan).sum())
    if not missing:
        return None
    share = f"{ts.month}/12"
    if missing == int(with_plan.sum()):
        return (f"序时口径为“按月度计划”，但台账没有1-{ts.month}月的月度计划，"
                f"全部项目按月份口径（{share}）计算序时进度")
    return (f"序时口径为“按月度计划”，{missing}个项目没有1-{ts.month}月的月度计划，"
            f"按月份口径（{share}）计算序时进度")


def completion_rate(ytd: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """ytd / plan; a missing ytd counts as 0, no (or non-positive) plan gives NaN."""
    ytd = np.nan_to_num(np.asarray(ytd, dtype="float64"), nan=0.0)
    plan = np.asarray(plan, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(plan > 0, ytd / plan, np.nan)


def spreadsheet_round(values: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Rounded as ROUND rounds in Excel, WPS and LibreOffice (四舍五入): the value read to 15
    significant digits, a half away from zero. numpy's round works on the binary value and rounds
    a half to even: 3.125 would be 3.12 where every spreadsheet, and every office, says 3.13, and a
    live light formula (``kp refresh --live``) would disagree with ``kp report`` at the boundary."""
    given = np.asarray(values, dtype="float64")
    a = given.ravel()
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore"):
        scaled = a * scale
        out = np.round(scaled) / scale  # away from a half, every rounding agrees
        near = np.abs(np.abs(scaled) % 1 - 0.5) < 1e-6  # a half, or a half but for binary noise
    if near.any():
        step = Decimal(1).scaleb(-decimals)
        halves = [Decimal(f"{v:.15g}").quantize(step, rounding=ROUND_HALF_UP) for v in a[near].tolist()]
        out[near] = [float(h) for h in halves]
    return out.reshape(given.shape)


def gap_points(rate: np.ndarray | float, tp: np.ndarray | float) -> np.ndarray:
    """(rate − time progress) × 100, rounded to 2 decimals as a spreadsheet's ROUND does (the
    thresholds apply to this); ``tp`` per project under the plan basis."""
    return spreadsheet_round((np.asarray(rate, dtype="float64") - np.asarray(tp, dtype="float64")) * 100, 2)


def progress_frame(frame: pd.DataFrame, as_of: DateLike, rules: Rules | None = None) -> pd.DataFrame:
    """Per project: completion_rate, gap_points, pv, ev, spi, double_half (same index as frame).

    ``double_half`` is null before the 双过半 month and for projects without a plan.
    """
    rules = rules or Rules()
    ts = as_of_timestamp(as_of)
    tp, _ = row_time_progress(frame, ts, rules)
    plan = amounts(frame, "annual_plan")
    ytd = np.nan_to_num(amounts(frame, "ytd_completed"), nan=0.0)
    rate = completion_rate(ytd, plan)
    pv = np.where(plan > 0, plan * tp, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        spi = np.where(pv > 0, ytd / pv, np.nan)
    ev = np.where(plan > 0, ytd, np.nan)
    dh = pd.array(rate >= rules.double_half_rate, dtype="boolean")
    dh[np.isnan(rate)] = pd.NA
    if ts.month < rules.double_half_month:
        dh[:] = pd.NA
    return pd.DataFrame(
        {"completion_rate": rate, "gap_points": gap_points(rate, tp), "pv": pv, "ev": ev, "spi": spi,
         "double_half": dh},
        index=frame.index,
    )


def totals(frame: pd.DataFrame, as_of: DateLike, rules: Rules | None = None) -> dict[str, Any]:
    """Sums and the overall rate, gap, SPI and 双过半 of all projects (projects without a plan
    count in the sums of what they report, and not in the plan)."""
    rules = rules or Rules()
    ts = as_of_timestamp(as_of)
    tp = time_progress_of(frame, ts, rules)
    plan = amounts(frame, "annual_plan")
    ytd = amounts(frame, "ytd_completed")
    total_inv = amounts(frame, "total_investment")
    plan_sum = float(np.nansum(plan))
    ytd_sum = float(np.nansum(ytd))
    rate = ytd_sum / plan_sum if plan_sum > 0 else None
    gap = float(gap_points(rate, tp)) if rate is not None else None
    spi = ytd_sum / (plan_sum * tp) if plan_sum > 0 and tp > 0 else None
    double_half = None
    if rate is not None and ts.month >= rules.double_half_month:
        double_half = bool(rate >= rules.double_half_rate)
    return {
        "projects": len(frame),
        "total_investment": float(np.nansum(total_inv)),
        "annual_plan": plan_sum,
        "ytd_completed": ytd_sum,
        "completion_rate": rate,
        "gap_points": gap,
        "double_half": double_half,
        "spi": spi,
        "time_progress": tp,
    }
