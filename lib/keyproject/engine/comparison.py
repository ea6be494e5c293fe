"""环比 and 同比: a period's figures against the previous dispatch and last year's same period.

Plain functions over snapshots (``keyproject.engine.history.Snapshot``; a ``Report`` becomes one with
``history.snapshot_of``). What each figure means, decided here once:

- 环比 (against the previous snapshot): ``increase`` is the investment completed since the
  previous snapshot (ytd now − ytd then; when the previous snapshot is of an earlier year, the
  year's figures restart and the increase is the whole ytd); ``rate_change`` and ``gap_change``
  are the changes of the completion rate and of the gap to 序时进度, in percentage points;
  ``lights_change`` the change of each light's count. ``mom_growth`` compares this period's
  completion with the previous period's (needs the snapshot before the previous one):
  increase / previous increase − 1.
- 同比 (against last year, from the workbook's 上年月度 sheet: twelve monthly totals):
  ``last_year_ytd`` is last year's 1-N月 sum (N = the month of as_of), ``yoy_growth`` = ytd /
  last_year_ytd − 1; ``last_year_month`` is last year's month N and ``yoy_month_growth`` this
  period's completion against it, only when the previous snapshot closes the month before (so the
  increase is exactly month N's completion).

Amounts are in 万元; growths are fractions (0.231 is 增长23.1%); None where a figure cannot be had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproject.engine.history import Snapshot, snapshot_of
from keyproject.values import finite_number

if TYPE_CHECKING:
    from keyproject.engine.history import History
    from keyproject.engine.report import Report
    from keyproject.xlsx import MemoryWorkbook, Workbook

_LIGHTS = ("red", "yellow", "green", "none")




def _growth(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before <= 0:
        return None
    return now / before - 1


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class Comparison:
    """One period against the previous snapshot (环比) and last year's same period (同比)."""

    as_of: dt.date
    ytd_completed: float | None
    completion_rate: float | None
    gap_points: float | None
    lights: dict[str, int] = field(default_factory=dict)
    previous_as_of: dt.date | None = None
    previous_ytd: float | None = None
    increase: float | None = None  # completed since the previous snapshot (万元)
    rate_change: float | None = None  # completion rate, percentage points
    gap_change: float | None = None  # gap to 序时进度, percentage points
    lights_change: dict[str, int] = field(default_factory=dict)
    previous_increase: float | None = None  # the previous period's completion (万元)
    mom_growth: float | None = None  # 环比增长: this period's completion against the previous one's
    last_year_ytd: float | None = None  # 上年同期 1-N月 (万元)
    yoy_growth: float | None = None  # 同比增长 of the year to date
    last_year_month: float | None = None  # 上年同月 (万元)
    yoy_month_growth: float | None = None  # 当月同比

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, amounts and rates rounded (4 decimals)."""
        out: dict[str, Any] = {}
        for k, v in vars(self).items():
            if isinstance(v, dt.date):
                out[k] = v.isoformat()
            elif isinstance(v, float):
                out[k] = round(v, 4)
            else:
                out[k] = v
        return out


def _figures(s: Snapshot) -> tuple[float | None, float | None, float | None]:
    t = s.totals
    return (finite_number(t.get("ytd_completed")), finite_number(t.get("completion_rate")),
            finite_number(t.get("gap_points")))


def _closes_month_before(previous: Snapshot, as_of: dt.date) -> bool:
    """The previous snapshot is the last day of the month before ``as_of``'s, in the same year."""
    nxt = previous.as_of + dt.timedelta(days=1)
    return (nxt.day == 1 and nxt.year == as_of.year and nxt.month == as_of.month)


def _increase(now: Snapshot, before: Snapshot | None) -> float | None:
    if before is None:
        return None
    ytd, _, _ = _figures(now)
    prev, _, _ = _figures(before)
    if before.as_of.year != now.as_of.year:
        return ytd  # a new year's figures start again from January
    return _diff(ytd, prev)


def compare(current: Snapshot, previous: Snapshot | None = None, earlier: Snapshot | None = None,
            last_year: Sequence[float] | None = None) -> Comparison:
    """``current`` against ``previous`` (and the period before it, ``earlier``) and ``last_year``'s
    twelve monthly totals (see the module docstring)."""
    ytd, rate, gap = _figures(current)
    lights = current.lights
    out: dict[str, Any] = {"as_of": current.as_of, "ytd_completed": ytd, "completion_rate": rate,
                           "gap_points": gap, "lights": lights}
    if previous is not None:
        p_ytd, p_rate, p_gap = _figures(previous)
        before = previous.lights
        inc = _increase(current, previous)
        prev_inc = _increase(previous, earlier)
        rc = _diff(rate, p_rate)
        gc = _diff(gap, p_gap)
        out.update(previous_as_of=previous.as_of, previous_ytd=p_ytd, increase=inc,
                   rate_change=None if rc is None else round(rc * 100, 2),
                   gap_change=None if gc is None else round(gc, 2),
                   lights_change={k: lights.get(k, 0) - before.get(k, 0) for k in _LIGHTS},
                   previous_increase=prev_inc, mom_growth=_growth(inc, prev_inc))
    if last_year is not None and len(last_year) == 12:
        n = current.as_of.month
        months = [finite_number(v) for v in last_year]
        if all(v is not None for v in months[:n]):
            ly = float(sum(v for v in months[:n] if v is not None))
            out.update(last_year_ytd=ly, yoy_growth=_growth(ytd, ly))
        ly_month = months[n - 1]
        out["last_year_month"] = ly_month
        if previous is not None and _closes_month_before(previous, current.as_of):
            out["yoy_month_growth"] = _growth(out.get("increase"), ly_month)
        elif n == 1 and previous is not None and previous.as_of.year < current.as_of.year:
            out["yoy_month_growth"] = _growth(ytd, ly_month)
    return Comparison(**out)


def compare_all(snapshots: Sequence[Snapshot], last_year: Sequence[float] | None = None) -> list[Comparison]:
    """Each snapshot (oldest first) against the one before it and last year: ``kp history``'s rows."""
    ordered = sorted(snapshots, key=lambda s: s.as_of)
    return [compare(s, ordered[i - 1] if i >= 1 else None, ordered[i - 2] if i >= 2 else None, last_year)
            for i, s in enumerate(ordered)]


def comparison_for(report: Report, history: History | None,
                   workbook: str | Path | Workbook | MemoryWorkbook | None,
                   current: Snapshot | None = None) -> Comparison:
    """The 通报's 环比 and 同比 for a report of the ledger in ``workbook`` (a path or an open workbook):
    against the history and the workbook's 上年月度 sheet. Every 通报 asks here: ``kp bulletin``,
    ``kp serve``'s bulletin, the 通报 sheet of ``kp refresh`` and of the Excel button."""
    from keyproject.engine.scenario import last_year_of

    values = last_year_of(workbook)
    return compare_report(report, history, None if values is None else [float(v) for v in values], current)


def compare_report(report: Report, history: History | None = None,
                   last_year: Sequence[float] | None = None, current: Snapshot | None = None) -> Comparison:
    """The report against the history's snapshots before its date and last year: the 通报's 环比
    and 同比 (a snapshot of the report's own date, e.g. an earlier refresh of it, is not used).
    ``current``: ``snapshot_of(report)`` when the caller has made it already."""
    if current is None:
        current = snapshot_of(report)
    previous = history.previous(report.as_of) if history is not None else None
    earlier = history.previous(previous.as_of) if history is not None and previous is not None else None
    return compare(current, previous, earlier, last_year)
