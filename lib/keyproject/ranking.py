"""比学赶超: rankings by unit, town, command post or leader, and the 红黑榜."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from keyproject._arrays import amounts, as_of_timestamp, groups
from keyproject.errors import KPError
from keyproject.lights import GREEN, RED, YELLOW, evaluate, light_code
from keyproject.progress import gap_points, time_progress
from keyproject.rules import Rules

RANK_COLUMNS: tuple[str, ...] = ("group", "projects", "annual_plan", "ytd_completed", "completion_rate",
                                 "gap_points", "red", "yellow", "green", "rank")


def rank(projects: pd.DataFrame, by: str, as_of: Any, rules: Rules | None = None) -> pd.DataFrame:
    """One row per value of column ``by`` (blank values are left out), best first.

    completion_rate = sum of ytd_completed / sum of annual_plan of the group (NaN when the group has
    no plan); gap_points against time progress, rounded to 2 decimals; red/yellow/green count the
    projects' lights (taken from a ``light`` column when ``projects`` has one, else evaluated);
    rank 1 = highest rate, equal rates share a rank, groups without a rate have no rank.
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
    out["rank"] = out["completion_rate"].rank(method="min", ascending=False).astype("Int64")
    out = out.sort_values(["completion_rate", "group"], ascending=[False, True], na_position="last",
                          kind="stable")
    for c in ("red", "yellow", "green", "projects"):
        out[c] = out[c].astype("int64")
    return out[list(RANK_COLUMNS)].reset_index(drop=True)


def red_black_lists(ranking: pd.DataFrame, time_progress: float, rules: Rules | None = None,
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红榜: the top N groups among those at or above time progress (gap ≥ 0 points);
    黑榜: the bottom M among those below it, worst first. Ties at the cut are kept together."""
    rules = rules or Rules()
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
