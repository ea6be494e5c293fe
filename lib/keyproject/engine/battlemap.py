"""The battle map (挂图作战): one bar per project on the year's time line, coloured by light.

Pure: builds the frame a chart draws from (``battle_frame``) and filters it (``filter_frame``);
the drawing lives in ``keyproject.widgets.battle_map``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from keyproject.engine.rules import Rules
from keyproject.errors import KPError
from keyproject.labels import LIGHT_ORDER, group_label, light_names

# the groups a map is drawn by, under the schema's words (keyproject.labels)
GROUP_FIELDS: dict[str, str] = {k: group_label(k) for k in ("command_post", "unit", "town", "leader")}
# the lights' words under the default rules; a map drawn under other rules names them by those
LIGHT_LABELS: dict[str, str] = light_names(Rules())
LIGHT_COLORS: dict[str, str] = {"red": "#d62728", "yellow": "#f2b600", "green": "#2ca02c", "none": "#9e9e9e"}
NO_GROUP = "未分组"


def _dates(projects: pd.DataFrame, key: str) -> pd.Series:
    if key not in projects.columns:
        return pd.Series(pd.NaT, index=projects.index, dtype="datetime64[us]")
    return pd.to_datetime(projects[key], errors="coerce").astype("datetime64[us]")


def battle_frame(
    projects: pd.DataFrame,
    as_of: dt.date,
    lights: pd.Series | Iterable[Any] | None = None,
    group_by: str = "command_post",
) -> pd.DataFrame:
    """One row per project with what its bar needs, sorted by group then planned start.

    Columns: name, group, light ("red"/"yellow"/"green"/"none"), start (planned start, else the
    actual start), end (planned completion), actual_start, bar_start/bar_end (the span drawn:
    a missing end runs to the end of the year and is flagged ``open_end``), not_started_late
    (planned start passed without an actual start), overdue (planned completion passed without
    an actual completion).
    """
    if group_by not in projects.columns:
        raise KPError(f"台账没有“{GROUP_FIELDS.get(group_by, group_by)}”列，无法按它分组")
    as_of_ts = pd.Timestamp(as_of)
    year_end = pd.Timestamp(dt.date(as_of.year, 12, 31))
    planned = _dates(projects, "planned_start")
    actual = _dates(projects, "actual_start")
    end = _dates(projects, "planned_completion")
    done = _dates(projects, "actual_completion")
    start = planned.fillna(actual)
    open_end = end.isna()
    bar_end = end.fillna(start.where(start > year_end, year_end))
    if lights is None:
        light = pd.Series("none", index=projects.index, dtype="str")
    else:
        raw = pd.Series(list(lights), index=projects.index, dtype=object)
        light = raw.where(raw.isin(["red", "yellow", "green"]), "none").astype("str")
    group = projects[group_by].astype("str").fillna(NO_GROUP)
    group = group.where(group.str.strip() != "", NO_GROUP)
    frame = pd.DataFrame(
        {
            "row": projects["row"] if "row" in projects.columns else pd.Series(pd.NA, index=projects.index),
            "name": projects["name"].astype("str").fillna(""),
            "group": group,
            "light": light,
            "start": start,
            "end": end,
            "actual_start": actual,
            "bar_start": start,
            "bar_end": bar_end,
            "open_end": open_end,
            "not_started_late": (planned <= as_of_ts) & actual.isna(),
            "overdue": (end < as_of_ts) & done.isna(),
        },
        index=projects.index,
    )
    order = frame["start"].fillna(pd.Timestamp.max.floor("D")).rename("_start")
    return (
        frame.assign(_start=order)
        .sort_values(["group", "_start", "name"], kind="stable")
        .drop(columns="_start")
        .reset_index(drop=True)
    )


def filter_frame(
    frame: pd.DataFrame, lights: Iterable[str] | None = None, groups: Iterable[str] | None = None
) -> pd.DataFrame:
    """Keep the projects whose light and group are selected (None or empty keeps all)."""
    keep = pd.Series(True, index=frame.index)
    lights = list(lights or ())
    groups = list(groups or ())
    if lights:
        keep &= frame["light"].isin(lights)
    if groups:
        keep &= frame["group"].isin(groups)
    return frame.loc[keep].reset_index(drop=True)


def light_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["light"].value_counts()
    return {k: int(counts.get(k, 0)) for k in LIGHT_ORDER}


def lights_for(projects: pd.DataFrame, as_of: dt.date, rules: Rules | None = None) -> pd.Series:
    """The engine's light per project (``keyproject.engine.lights.evaluate``)."""
    from keyproject.engine import lights as lights_mod

    return lights_mod.evaluate(projects, as_of, rules or Rules())["light"]


__all__ = [
    "GROUP_FIELDS",
    "LIGHT_COLORS",
    "LIGHT_LABELS",
    "LIGHT_ORDER",
    "NO_GROUP",
    "battle_frame",
    "filter_frame",
    "light_counts",
    "lights_for",
]
