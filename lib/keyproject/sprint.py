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
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from keyproject.calendar import WorkCalendar
from keyproject.dates import parse_date

MISSING_GROUP = "（未填写）"  # label of projects whose group cell is empty

# the keys of SprintStatus.to_dict(), i.e. of `kp sprint --json`
SPRINT_KEYS: tuple[str, ...] = (
    "start", "end", "days", "days_elapsed", "days_left", "working_days_left", "target", "done",
    "remaining", "per_day", "per_week", "per_working_day", "on_track", "groups",
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
    records = frame.to_dict("records")
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
