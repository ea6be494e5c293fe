"""百日冲刺 (hundred-day sprint): the countdown, what is left to do and the pace it needs.

A sprint of ``days`` days from ``start`` covers start … start+days−1 (a 100-day sprint from
2023-08-24 ends on 2023-12-01). As of a date:

- ``days_elapsed`` counts the sprint days up to and including ``as_of`` (0 before the start, ``days``
  after the end); ``days_left`` = days − days_elapsed (the sprint days after ``as_of``);
- ``working_days_left`` counts the Chinese working days among those (``WorkCalendar``: it raises
  ``CalendarError`` when they run into a year without holiday data and no override);
- ``remaining`` = max(0, target − done); ``per_day`` = remaining / days_left, ``per_week`` = 7 ×
  per_day, ``per_working_day`` = remaining / working_days_left (None when no day is left but work is);
- ``on_track``: done ≥ target × days_elapsed / days (a straight line over the sprint).

Groups (units, command posts …) get the same figures, vectorised, from a frame of
(group, target, done); ``group_targets`` builds that frame from a ledger.

A sprint is measured on the work left when it started, not on the year's completion against a
fraction of the annual plan. ``sprint_targets`` (what ``kp sprint`` and the ``SprintCountdown``
widget call; ``ledger_targets`` over a bare projects frame) takes the figures at the start from,
in order:

1. ``baseline``: the ledger as it stood at the start (``kp sprint --baseline``);
2. ``start_snapshot``: the history snapshot on or before the start, of the same year;
3. the monthly columns (1月 … 12月) of the months closed before the start (a sprint starting on
   24 August starts from 1-7月; one starting in January from nothing);
4. the ledger itself when its figures are of a date on or before the start (a 1-7月 ledger and a
   sprint from 24 August: what was done by 31 July is the start, nothing is done since);
5. otherwise the year's task (annual plan against completed this year), with ``warning`` saying
   the start could not be measured.

The target is then plan − completed at the start (at least 0) and done is completed now −
completed at the start, per project, summed per group and in total.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from keyproject.dates import parse_date
from keyproject.engine.calendar import WorkCalendar
from keyproject.errors import KPError
from keyproject.ledger import Ledger

if TYPE_CHECKING:
    from keyproject.engine.history import History

MISSING_GROUP = "（未填写）"  # label of projects whose group cell is empty

# the keys of SprintStatus.to_dict(), i.e. of `kp sprint --json`
SPRINT_KEYS: tuple[str, ...] = (
    "start", "end", "days", "days_elapsed", "days_left", "working_days_left", "target", "done",
    "remaining", "per_day", "per_week", "per_working_day", "on_track", "groups", "basis", "basis_note",
)
# the keys of each entry of ``groups``
GROUP_KEYS: tuple[str, ...] = (
    "group", "projects", "target", "done", "remaining", "expected", "per_day", "per_week",
    "per_working_day", "on_track",
)


@dataclass(frozen=True)
class SprintStatus:
    """Where a sprint stands as of a date (see the module docstring for each figure)."""

    start: dt.date
    end: dt.date
    days: int
    days_elapsed: int
    days_left: int
    working_days_left: int
    target: float
    done: float
    remaining: float
    per_day: float | None
    per_week: float | None
    per_working_day: float | None
    on_track: bool
    groups: list[dict[str, Any]] = field(default_factory=list)
    as_of: dt.date | None = None
    basis: str | None = None  # SprintTargets.basis when measured from a ledger
    basis_note: str | None = None  # SprintTargets.note (Chinese)

    @property
    def expected(self) -> float:
        """What a straight line over the sprint expects done by ``as_of``."""
        return self.target * self.days_elapsed / self.days

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``kp sprint --json``: exactly ``SPRINT_KEYS``; dates as ISO text."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "days_elapsed": self.days_elapsed,
            "days_left": self.days_left,
            "working_days_left": self.working_days_left,
            "target": _num(self.target),
            "done": _num(self.done),
            "remaining": _num(self.remaining),
            "per_day": _num(self.per_day),
            "per_week": _num(self.per_week),
            "per_working_day": _num(self.per_working_day),
            "on_track": bool(self.on_track),
            "groups": [{k: _json_value(g.get(k)) for k in GROUP_KEYS} for g in self.groups],
            "basis": self.basis,
            "basis_note": self.basis_note,
        }


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), digits)


def _json_value(x: Any) -> Any:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return _num(float(x))
    if x is None or x is pd.NA:
        return None
    return x


def _as_date(d: Any, name: str) -> dt.date:
    return parse_date(d, name)


def sprint_window(start: dt.date, days: int = 100) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a sprint of ``days`` days from ``start``."""
    start = _as_date(start, "start")
    if int(days) < 1:
        raise ValueError("a sprint lasts at least one day")
    return start, start + dt.timedelta(days=int(days) - 1)


def sprint_status(start: dt.date, days: int = 100, target: float = 0.0, done: float = 0.0,
                  as_of: dt.date | None = None, calendar: WorkCalendar | None = None,
                  groups: pd.DataFrame | None = None) -> SprintStatus:
    """The sprint as of ``as_of`` (required: domain code never reads the clock).

    ``target`` and ``done`` are amounts (万元 for investment). ``groups`` is an optional frame with
    columns ``group``, ``target``, ``done`` (and optionally ``projects``), e.g. from
    ``group_targets``; each group gets the same figures and the list is sorted by group order.
    """
    if as_of is None:
        raise TypeError("sprint_status() needs as_of")
    start, end = sprint_window(start, days)
    days = int(days)
    as_of = _as_date(as_of, "as_of")
    target = float(target)
    done = float(done)
    if as_of < start:
        elapsed = 0
    elif as_of > end:
        elapsed = days
    else:
        elapsed = (as_of - start).days + 1
    days_left = days - elapsed
    if days_left > 0:
        first_left = max(start, as_of + dt.timedelta(days=1))
        cal = calendar if calendar is not None else WorkCalendar()
        working_left = int(cal.workdays_between(first_left, end))
    else:
        working_left = 0
    per = _pace(np.array([target]), np.array([done]), days_left, working_left)
    group_rows = _group_rows(groups, days, elapsed, days_left, working_left) if groups is not None else []
    return SprintStatus(
        start=start, end=end, days=days, days_elapsed=elapsed, days_left=days_left,
        working_days_left=working_left, target=target, done=done,
        remaining=float(per["remaining"][0]), per_day=_opt(per["per_day"][0]),
        per_week=_opt(per["per_week"][0]), per_working_day=_opt(per["per_working_day"][0]),
        on_track=bool(done >= target * elapsed / days), groups=group_rows, as_of=as_of,
    )


def _opt(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _pace(target: np.ndarray, done: np.ndarray, days_left: int, working_left: int) -> dict[str, np.ndarray]:
    """remaining and the pace it needs, vectorised; NaN where work is left but no day is."""
    remaining = np.maximum(0.0, target - done)

    def per(n: int) -> np.ndarray:
        if n > 0:
            return remaining / n
        return np.where(remaining > 0, np.nan, 0.0)

    per_day = per(days_left)
    return {"remaining": remaining, "per_day": per_day, "per_week": per_day * 7,
            "per_working_day": per(working_left)}


def _group_rows(groups: pd.DataFrame, days: int, elapsed: int, days_left: int,
                working_left: int) -> list[dict[str, Any]]:
    missing = {"group", "target", "done"} - set(groups.columns)
    if missing:
        raise ValueError(f"groups frame lacks columns {sorted(missing)}")
    target = pd.to_numeric(groups["target"], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
    done = pd.to_numeric(groups["done"], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
    pace = _pace(target, done, days_left, working_left)
    expected = target * elapsed / days
    frame = pd.DataFrame({
        "group": groups["group"].astype(object).where(groups["group"].notna(), MISSING_GROUP).to_numpy(),
        "projects": (groups["projects"].to_numpy() if "projects" in groups.columns
                     else np.full(len(groups), None, dtype=object)),
        "target": target, "done": done, "remaining": pace["remaining"], "expected": expected,
        "per_day": pace["per_day"], "per_week": pace["per_week"],
        "per_working_day": pace["per_working_day"], "on_track": done >= expected,
    })
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    for r in records:
        for k in ("per_day", "per_week", "per_working_day"):
            if isinstance(r[k], float) and math.isnan(r[k]):
                r[k] = None
    return records


def group_targets(projects: pd.DataFrame, by: str, *, baseline: pd.DataFrame | None = None,
                  target_column: str = "annual_plan", done_column: str = "ytd_completed") -> pd.DataFrame:
    """Per-group sprint targets from a ledger: a frame of group, projects, target, done.

    Without ``baseline`` (one ledger): a group's target is its year's task, the sum of
    ``target_column`` (annual plan), and done is the sum of ``done_column`` (completed this year);
    what remains and the pace it needs are then exact, and ``on_track`` compares the year's
    completion with a straight line over the sprint (strict for a sprint that starts mid-year).

    With ``baseline`` (the same ledger as it stood at the sprint's start, e.g. a history snapshot):
    the target is what remained of the year at the start (plan − completed then, at least 0) and
    done is what was completed since (completed now − completed then), matched by group.

    Rows with an empty group cell form the group ``MISSING_GROUP``. Sorted by target, largest first.
    """
    for col in (by, target_column, done_column):
        if col not in projects.columns:
            raise ValueError(f"projects frame lacks column {col!r}")
    now = _sums(projects, by, target_column, done_column)
    if baseline is None:
        out = now.rename(columns={"plan": "target", "completed": "done"})
    else:
        then = _sums(baseline, by, target_column, done_column)
        joined = now.merge(then[["group", "completed"]], on="group", how="left", suffixes=("", "_start"))
        at_start = joined["completed_start"].fillna(0.0)
        out = pd.DataFrame({
            "group": joined["group"],
            "projects": joined["projects"],
            "target": (joined["plan"] - at_start).clip(lower=0.0),
            "done": joined["completed"] - at_start,
        })
    out = out[["group", "projects", "target", "done"]]
    return out.sort_values(["target", "group"], ascending=[False, True], kind="stable").reset_index(drop=True)


SprintBasis = Literal["baseline", "snapshot", "monthly", "ledger", "annual"]
ALL = "全部"  # the one group of the whole-ledger totals


@dataclass(frozen=True)
class SprintTargets:
    """A sprint's target and what is done since its start, measured from a ledger."""

    target: float  # 万元: plan − completed at the start
    done: float  # 万元: completed since the start
    groups: pd.DataFrame | None  # group, projects, target, done (``group_targets``), when asked for
    basis: SprintBasis  # where the figures at the start came from (see the module docstring)
    basis_date: dt.date | None  # the date of those figures
    note: str  # Chinese: how the sprint was measured
    warning: str | None = None  # Chinese: the start could not be measured (basis "annual")


def _month_sums(projects: pd.DataFrame, months: int) -> pd.Series | None:
    """Per project, the sum of the monthly columns 1 … ``months`` (None when the ledger lacks them)."""
    if months == 0:
        return pd.Series(0.0, index=projects.index)
    keys = [f"m{m:02d}" for m in range(1, months + 1)]
    if not all(k in projects.columns for k in keys):
        return None
    frame = projects[keys].apply(pd.to_numeric, errors="coerce")
    if frame.isna().all().all():
        return None
    return frame.fillna(0.0).sum(axis=1)


def ledger_targets(projects: pd.DataFrame, start: dt.date, *, by: str | None = None,
                   figures_date: dt.date | None = None, baseline: pd.DataFrame | None = None,
                   start_snapshot: pd.Series | None = None, snapshot_date: dt.date | None = None,
                   need_plan: bool = True) -> SprintTargets:
    """The sprint's target and done from a ledger (see the module docstring for the order).

    ``figures_date`` is the date the ledger's figures are for (its report date);
    ``start_snapshot`` the completed-this-year of each project (same index as ``projects``) in the
    history snapshot of ``snapshot_date``, on or before ``start``. ``by`` adds per-group figures.
    Without any annual plan the target cannot be had: ``KPError`` unless not ``need_plan`` (the
    caller gives the target).
    """
    start = parse_date(start, "冲刺开始日期")
    has_plan = "annual_plan" in projects.columns and bool(projects["annual_plan"].notna().any())
    if need_plan and not has_plan:
        raise KPError("台账中没有年度计划投资，无法得出冲刺目标；请用 --target 指定（万元）")
    ytd = (pd.to_numeric(projects["ytd_completed"], errors="coerce") if "ytd_completed" in projects.columns
           else pd.Series(np.nan, index=projects.index))
    basis: SprintBasis
    warning = None
    at_start: pd.Series | None
    if baseline is not None:
        basis, when = "baseline", None
        note = "按冲刺开始时的台账计算：目标为开始时尚未完成的年度任务，已完成为开始以来新增的投资"
        at_start = None
    elif start_snapshot is not None and snapshot_date is not None and snapshot_date.year == start.year:
        basis, when, at_start = "snapshot", snapshot_date, start_snapshot.reindex(projects.index)
        note = f"按{snapshot_date.month}月{snapshot_date.day}日的历史快照计算冲刺开始时的完成情况"
    elif (sums := _month_sums(projects, start.month - 1)) is not None and (
            figures_date is None or figures_date.month >= start.month - 1):
        basis, at_start = "monthly", sums
        when = dt.date(start.year, start.month, 1) - dt.timedelta(days=1) if start.month > 1 else None
        note = (f"按1-{start.month - 1}月各月完成投资计算冲刺开始时的完成情况" if start.month > 1
                else "冲刺自1月开始，目标为全年任务")
    elif figures_date is not None and figures_date <= start:
        basis, when, at_start = "ledger", figures_date, ytd
        note = (f"台账数据截至{figures_date.month}月{figures_date.day}日，早于冲刺开始：目标为届时尚未完成的"
                "年度任务，开始以来的完成情况待下次报送")
    else:
        basis, when, at_start = "annual", None, None
        note = "按全年任务计算：目标为年度计划投资，已完成为本年累计完成投资"
        warning = ("无法取得冲刺开始时的完成情况（无历史快照、无月度完成数据），目标按全年任务计算，"
                   "进度判断偏严；可用 --baseline 给出冲刺开始时的台账")
    work = projects.assign(_all=ALL) if has_plan else projects.assign(_all=ALL, annual_plan=0.0)
    if at_start is not None:
        base = work.assign(ytd_completed=pd.to_numeric(at_start, errors="coerce").fillna(0.0))
    elif baseline is not None:
        base = baseline.assign(_all=ALL)
    else:
        base = None
    totals = group_targets(work, "_all", baseline=base)
    groups = group_targets(work, by, baseline=base) if by else None
    return SprintTargets(target=float(totals["target"].sum()), done=float(totals["done"].sum()),
                         groups=groups, basis=basis, basis_date=when, note=note, warning=warning)


def sprint_targets(ledger: Ledger, start: dt.date, *, by: str | None = None, history: History | None = None,
                   baseline: Ledger | None = None, need_plan: bool = True) -> SprintTargets:
    """``ledger_targets`` for a ledger: its report date from ``keyproject.engine.context``, the figures at
    the start from ``baseline`` or the ``history`` snapshot on or before ``start``."""
    from keyproject.engine.context import resolve_as_of

    start = parse_date(start, "冲刺开始日期")
    try:
        figures_date: dt.date | None = resolve_as_of(ledger)[0]
    except KPError:  # a ledger without a report month: its figures' date is not known
        figures_date = None
    snapshot = history.at_or_before(start) if history is not None and baseline is None else None
    at_start = snapshot.aligned(ledger.projects, "ytd_completed") if snapshot is not None else None
    try:
        return ledger_targets(
            ledger.projects, start, by=by, figures_date=figures_date,
            baseline=baseline.projects if baseline is not None else None,
            start_snapshot=at_start, snapshot_date=snapshot.as_of if snapshot is not None else None,
            need_plan=need_plan)
    except KPError as exc:
        raise KPError(exc.message, file=ledger.path, sheet=ledger.sheet) from None


def _sums(projects: pd.DataFrame, by: str, target_column: str, done_column: str) -> pd.DataFrame:
    key = projects[by].astype("str").str.strip()
    key = key.where(key.notna() & (key != ""), MISSING_GROUP)
    frame = pd.DataFrame({
        "group": key,
        "plan": pd.to_numeric(projects[target_column], errors="coerce").fillna(0.0),
        "completed": pd.to_numeric(projects[done_column], errors="coerce").fillna(0.0),
    })
    g = frame.groupby("group", sort=True)
    return pd.DataFrame({
        "projects": g.size(),
        "plan": g["plan"].sum(),
        "completed": g["completed"].sum(),
    }).reset_index()


def time_left(now: dt.datetime, end_date: dt.date) -> tuple[int, int, int, int]:
    """(days, hours, minutes, seconds) from ``now`` to the end of ``end_date`` (its midnight).

    Zero once past. An aware ``now`` counts to midnight in its own time zone.
    """
    end_date = _as_date(end_date, "end_date")
    deadline = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return (0, 0, 0, 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return (days, hours, minutes, secs)
