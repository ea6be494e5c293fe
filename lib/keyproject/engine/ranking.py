"""比学赶超: rankings by unit, town, command post or leader, and the 红黑榜.

Offices rank 乡镇（街道） and 部门 in separate lists (Mianyang's 红黑榜 ranks 县区/园区 and 部门
apart) and leave out units with too few projects to compare: ``unit_boards`` splits the groups by
``unit_classes`` (the 设置 key 乡镇单位, else ``TOWN_PATTERN``) and ranks each class by itself, with
``Rules.rank_min_projects`` as the smallest group that is ranked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keyproject._arrays import amounts, as_of_timestamp, groups
from keyproject.dates import DateLike
from keyproject.engine import progress
from keyproject.engine.lights import GREEN, RED, YELLOW, evaluate, light_code
from keyproject.engine.progress import gap_points, time_progress
from keyproject.engine.rules import Rules
from keyproject.errors import KPError

RANK_COLUMNS: tuple[str, ...] = ("group", "projects", "annual_plan", "ytd_completed", "completion_rate",
                                 "gap_points", "red", "yellow", "green", "rank")


def rank(projects: pd.DataFrame, by: str, as_of: DateLike, rules: Rules | None = None, *,
         min_projects: int = 1) -> pd.DataFrame:
    """One row per value of column ``by`` (blank values are left out), best first.

    completion_rate = sum of ytd_completed / sum of annual_plan of the group (NaN when the group has
    no plan); gap_points against time progress, rounded to 2 decimals; red/yellow/green count the
    projects' lights (taken from a ``light`` column when ``projects`` has one, else evaluated);
    rank 1 = highest rate, equal rates share a rank, groups without a rate have no rank, nor have
    groups of fewer than ``min_projects`` projects (listed after the ranked ones, by rate).
    """
    rules = rules or Rules()
    if by not in projects.columns:
        raise KPError(f"台账中没有用于排名的列“{by}”")
    ts = as_of_timestamp(as_of)
    tp = time_progress(ts, rules.basis)
    light = projects["light"] if "light" in projects.columns else evaluate(projects, ts, rules)["light"]
    codes = light_code(light)
    group_codes, labels = groups(projects, by)  # type: ignore[misc]
    keep = group_codes >= 0
    idx, k = group_codes[keep], len(labels)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(idx, weights=values[keep], minlength=k)

    plan = total(np.nan_to_num(amounts(projects, "annual_plan")))
    out = pd.DataFrame({
        "group": labels,
        "projects": np.bincount(idx, minlength=k),
        "annual_plan": plan,
        "ytd_completed": total(np.nan_to_num(amounts(projects, "ytd_completed"))),
        "red": total((codes == RED).astype(float)), "yellow": total((codes == YELLOW).astype(float)),
        "green": total((codes == GREEN).astype(float)),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(plan > 0, out["ytd_completed"].to_numpy() / plan, np.nan)
    out["completion_rate"] = rate
    out["gap_points"] = gap_points(rate, tp)
    ranked = out["projects"].to_numpy() >= max(1, min_projects)
    out["rank"] = out["completion_rate"].where(ranked).rank(method="min", ascending=False).astype("Int64")
    out = out.assign(_exempt=~ranked).sort_values(["_exempt", "completion_rate", "group"],
                                                  ascending=[True, False, True], na_position="last",
                                                  kind="stable")
    for c in ("red", "yellow", "green", "projects"):
        out[c] = out[c].astype("int64")
    return out[list(RANK_COLUMNS)].reset_index(drop=True)


def red_black_lists(ranking: pd.DataFrame, time_progress: float, rules: Rules | None = None,
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红榜: the top N groups among those at or above time progress (gap ≥ 0 points);
    黑榜: the bottom M among those below it, worst first. Ties at the cut are kept together."""
    rules = rules or Rules()
    if "rank" in ranking.columns:  # groups rank() left unranked (too few projects) are on no list
        ranking = ranking[ranking["rank"].notna()]
    rate = ranking["completion_rate"].to_numpy(dtype="float64")
    gap = np.round((rate - time_progress) * 100, 2)
    met = ranking[gap >= 0].sort_values("completion_rate", ascending=False, kind="stable")
    missed = ranking[gap < 0].sort_values("completion_rate", ascending=True, kind="stable")
    red = _top(met, rules.red_list_size, ascending=False)
    return red, _top(missed, rules.black_list_size, ascending=True)


def _top(frame: pd.DataFrame, n: int, ascending: bool) -> pd.DataFrame:
    if n <= 0 or frame.empty:
        return frame.iloc[0:0].reset_index(drop=True)
    cut = frame["completion_rate"].iloc[min(n, len(frame)) - 1]
    rate = frame["completion_rate"]
    keep = rate <= cut if ascending else rate >= cut
    return frame[keep].reset_index(drop=True)


# -- 乡镇（街道） and 部门 ranked apart ----------------------------------------------------------------

TOWN, DEPARTMENT = "town", "department"
UNIT_CLASSES: tuple[str, ...] = (TOWN, DEPARTMENT)
# a territorial unit's name ends with its kind of place, maybe followed by its government's name:
# 赵化镇, 琵琶镇人民政府, 富世街道办事处, 东湖街道办, 高新区管委会, 荣县, 邛崃市; anything else
# (县经信局, 县委办, 市卫健委, 县政府办) is a department
TOWN_PATTERN = re.compile(r"(镇|乡|街道|区|县|旗|市)"
                          r"(人民政府|政府|党委|党工委|管委会|管理委员会|办事处|办)?$")


def unit_classes(names: Iterable[str], towns: Collection[str] = ()) -> list[str]:
    """``town`` or ``department`` for each unit name: the listed ``towns`` (the 设置 key 乡镇单位)
    when a list is given, else ``TOWN_PATTERN``."""
    listed = {str(t).strip() for t in towns}
    if listed:
        return [TOWN if str(n).strip() in listed else DEPARTMENT for n in names]
    return [TOWN if TOWN_PATTERN.search(str(n).strip()) else DEPARTMENT for n in names]


@dataclass(frozen=True)
class UnitBoard:
    """The ranking and 红黑榜 of one class of units, ranked among themselves."""

    kind: str  # TOWN or DEPARTMENT
    ranking: pd.DataFrame  # RANK_COLUMNS; rank within the class
    red: pd.DataFrame
    black: pd.DataFrame
    exempt: tuple[str, ...] = field(default=())  # groups with a rate but too few projects to be ranked


def unit_boards(projects: pd.DataFrame, by: str, as_of: DateLike, rules: Rules | None = None, *,
                time_progress: float | None = None,
                regap: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] | None = None,
                ) -> dict[str, UnitBoard]:
    """乡镇（街道） and 部门 ranked apart by column ``by``: one ``UnitBoard`` per class that has
    groups, in the order of ``UNIT_CLASSES``. ``time_progress`` is what the lists are judged
    against (default: the rules' calendar share); ``regap(table, projects)`` recomputes a class's
    gaps when the basis measures each group by its own plan (``report`` passes it)."""
    rules = rules or Rules()
    if by not in projects.columns:
        raise KPError(f"台账中没有用于排名的列“{by}”")
    tp = time_progress
    if tp is None:
        tp = progress.time_progress(as_of_timestamp(as_of), rules.basis)
    names = projects[by]
    present = names.notna() & (names.astype("str").str.strip() != "")
    classes = np.full(len(projects), DEPARTMENT, dtype=object)
    classes[present.to_numpy()] = unit_classes(names[present].astype("str"), rules.town_units)
    kinds = pd.Series(classes, index=projects.index)
    out: dict[str, UnitBoard] = {}
    for kind in UNIT_CLASSES:
        subset = projects[present & (kinds == kind)]
        if subset.empty:
            continue
        table = rank(subset, by, as_of, rules, min_projects=rules.rank_min_projects)
        if regap is not None:
            table = regap(table, subset)
        red, black = red_black_lists(table, tp, rules)
        exempt = table[table["rank"].isna() & table["completion_rate"].notna()]["group"]
        out[kind] = UnitBoard(kind, table, red, black, tuple(str(g) for g in exempt))
    return out
