"""The stage ladder, 三类项目, 开工率 / 竣工率 and counts by size band and group."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from keyproject._arrays import (
    amounts,
    as_of_datetime64,
    as_of_timestamp,
    dates,
    groups,
    texts_match,
    to_dates,
)
from keyproject.dates import DateLike
from keyproject.engine.rules import Rules
from keyproject.schema import DONE_COLUMNS

# the date whose milestone a DONE_COLUMNS flag states
DONE_BY_DATE = {"signed_date": DONE_COLUMNS["signed"], "land_date": DONE_COLUMNS["land"],
                "actual_start": DONE_COLUMNS["started"], "actual_completion": DONE_COLUMNS["completed"],
                "production_date": DONE_COLUMNS["producing"]}

# 储备/谋划 → 前期 → 在谈 → 签约 → 供地 → 开工/在建 → 竣工 → 投产 → 达产
LADDER: tuple[str, ...] = ("储备", "前期", "在谈", "签约", "供地", "在建", "竣工", "投产", "达产")
SIGNED, LAND, STARTED, COMPLETED, PRODUCING = 3, 4, 5, 6, 7

THREE_CLASSES: tuple[str, ...] = ("已签约未供地", "已供地未动工", "已动工未竣工")

# stage words → ladder step; first match wins, negations ("未开工") are tried before the words
_STAGE_PATTERNS: tuple[tuple[str, int], ...] = (
    (r"达产", 8),
    (r"(?<![未待拟])(投产|运营|投用|投入使用)", 7),
    (r"(?<![未待拟])(竣工|完工|建成)", 6),
    (r"(未|待|拟|计划|准备|尚未)(开工|动工|施工)", -1),  # not started: fall through to the steps below
    (r"在建|续建|开工|施工|动工|建设中|主体|新建中", 5),
    (r"(?<![未待])(供地|摘牌|土地已)", 4),
    (r"(?<![未待])(签约|签订)", 3),
    (r"在谈|洽谈|对接|招商", 2),
    (r"前期|手续|审批|立项|备案|核准|可研|设计|报建|开工|动工", 1),
    (r"储备|谋划|策划", 0),
)
_COMPILED = tuple((re.compile(p), k) for p, k in _STAGE_PATTERNS)


def _text_step(text: str) -> float:
    for pattern, step in _COMPILED:
        if step < 0:
            if pattern.search(text):
                # "已供地未开工" is 供地; "未开工" alone is 前期
                rest = [k for p, k in _COMPILED if 0 <= k < STARTED and p.search(text)]
                return float(max(rest)) if rest else 1.0
            continue
        if pattern.search(text):
            return float(step)
    return np.nan


def stage_step(stage_text: pd.Series) -> np.ndarray:
    """Ladder step (0 储备 … 8 达产) of stage words; NaN for blank or unrecognised text."""
    codes, labels = groups(pd.DataFrame({"stage": stage_text}), "stage")  # type: ignore[misc]
    steps = np.array([_text_step(str(u)) for u in labels] + [np.nan], dtype="float64")
    return steps[codes]


def milestones(frame: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Booleans signed, land, started, completed, producing as of ``as_of``.

    A milestone counts when its date is on or before ``as_of``, or when the stage column says the
    project is at or past it, or (started only) when the 建设性质 is 续建 (started in an earlier year),
    or when the reader found it stated without a date ("已开工" in a date cell: the boolean columns of
    ``schema.DONE_COLUMNS``).
    """
    ts = as_of_datetime64(as_of)

    def reached(key: str) -> np.ndarray:
        d = dates(frame, key)
        hit = ~np.isnat(d) & (d <= ts)
        flag = DONE_BY_DATE.get(key)
        if flag is not None and flag in frame.columns:
            hit = hit | frame[flag].fillna(False).to_numpy(dtype=bool)
        return hit

    step = stage_step(frame["stage"]) if "stage" in frame.columns else np.full(len(frame), np.nan)
    at = np.nan_to_num(step, nan=-1)
    producing = reached("production_date") | (at >= PRODUCING)
    completed = reached("actual_completion") | (at >= COMPLETED) | producing
    started = reached("actual_start") | (at >= STARTED) | completed
    continuing = texts_match(frame, "nature", "续建")
    if continuing is not None:
        started |= continuing
    land = reached("land_date") | (at >= LAND)
    signed = reached("signed_date") | (at >= SIGNED)
    return pd.DataFrame({"signed": signed, "land": land, "started": started, "completed": completed,
                         "producing": producing}, index=frame.index)


def derive_stage(frame: pd.DataFrame, as_of: DateLike, m: pd.DataFrame | None = None) -> pd.Series:
    """The stage each project is at: the stage column's text when filled, else from the dates.

    From dates: 投产 / 竣工 / 在建 / 供地 / 签约; with none of them, 前期 when a planned start is
    known and 储备 otherwise.
    """
    m = milestones(frame, as_of) if m is None else m
    planned = ~np.isnat(dates(frame, "planned_start"))
    derived = np.select(
        [m["producing"].to_numpy(), m["completed"].to_numpy(), m["started"].to_numpy(),
         m["land"].to_numpy(), m["signed"].to_numpy(), planned],
        [LADDER[i] for i in (7, 6, 5, 4, 3, 1)],  # 投产 竣工 在建 供地 签约 前期
        default=LADDER[0],  # 储备
    )
    out = pd.Series(derived, index=frame.index, dtype="str")
    g = groups(frame, "stage")
    if g is not None:
        codes, labels = g
        given = np.append(labels, [None])[codes]
        out = pd.Series(np.where(codes >= 0, given, out), index=frame.index, dtype="str")
    return out


def _present(values: Any, as_of: pd.Timestamp | None) -> np.ndarray:
    """Whether a milestone is reached: booleans kept, dates (or Excel serials) present and not
    after ``as_of``, other text true unless it says no (否/无/未…)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).to_numpy(dtype=bool)
    d = to_dates(s)
    ok = d.notna().to_numpy().copy()
    if as_of is not None:
        ok &= (d <= as_of).fillna(False).to_numpy(dtype=bool)
    if s.dtype == object or s.dtype == "str":
        text = s.where(d.isna()).astype("str").str.strip()
        no = text.isna() | (text == "") | text.str.match(r"^(否|无|未|没有|false|False|FALSE|0)")
        yes = ~no.fillna(True).to_numpy(dtype=bool) & pd.to_numeric(s, errors="coerce").isna().to_numpy()
        ok |= yes
    return ok


def three_class(signed: Any, land: Any, started: Any, completed: Any,
                as_of: DateLike | None = None) -> np.ndarray:
    """三类项目 for arrays of milestone dates (or booleans): 已签约未供地 / 已供地未动工 /
    已动工未竣工, None otherwise. With ``as_of``, dates after it do not count yet."""
    ts = as_of_timestamp(as_of) if as_of is not None else None
    s, la, st, c = (_present(v, ts) for v in (signed, land, started, completed))
    signed_only, land_only, building = THREE_CLASSES
    out = np.select([st & ~c, la & ~st & ~c, s & ~la & ~st & ~c], [building, land_only, signed_only],
                    default="")
    result = out.astype(object)
    result[out == ""] = None
    return result


def three_class_frame(frame: pd.DataFrame, as_of: DateLike, m: pd.DataFrame | None = None) -> np.ndarray:
    """三类项目 of each project, from its dates and stage text."""
    m = milestones(frame, as_of) if m is None else m
    return three_class(m["signed"], m["land"], m["started"], m["completed"])


def start_rate(frame: pd.DataFrame, as_of: DateLike, m: pd.DataFrame | None = None) -> dict[str, Any]:
    """开工率: of the projects planned to start by ``as_of``, how many have started."""
    return _rate(frame, as_of, "planned_start", "started", m)


def completion_rate_projects(frame: pd.DataFrame, as_of: DateLike,
                             m: pd.DataFrame | None = None) -> dict[str, Any]:
    """竣工率: of the projects planned to be completed by ``as_of``, how many are."""
    return _rate(frame, as_of, "planned_completion", "completed", m)


def _rate(frame: pd.DataFrame, as_of: DateLike, planned_key: str, done_key: str,
          m: pd.DataFrame | None) -> dict[str, Any]:
    ts = as_of_datetime64(as_of)
    planned = dates(frame, planned_key)
    due = ~np.isnat(planned) & (planned <= ts)
    m = milestones(frame, as_of) if m is None else m
    done = m[done_key].to_numpy() & due
    n_due, n_done = int(due.sum()), int(done.sum())
    return {"planned": n_due, "done": n_done, "rate": (n_done / n_due) if n_due else None}


def size_bands(frame: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """Projects at or above each size band (cumulative, as speeches count: "66个5000万以上")."""
    rules = rules or Rules()
    total = amounts(frame, "total_investment")
    plan = amounts(frame, "annual_plan")
    ytd = amounts(frame, "ytd_completed")
    rows = []
    for bound, label in zip(rules.size_bands, rules.size_band_labels, strict=True):
        m = total >= bound
        rows.append({"band": label, "min": float(bound), "count": int(m.sum()),
                     "total_investment": float(np.nansum(total[m])), "annual_plan": float(np.nansum(plan[m])),
                     "ytd_completed": float(np.nansum(ytd[m]))})
    return pd.DataFrame(rows, columns=["band", "min", "count", "total_investment", "annual_plan",
                                       "ytd_completed"])


def counts_by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Projects, total investment, plan and completion per value of column ``key`` (blank → 未填写),
    most projects first."""
    g = groups(frame, key)
    cols = ["group", "count", "total_investment", "annual_plan", "ytd_completed"]
    if g is None:
        return pd.DataFrame(columns=cols)
    codes, labels = g
    labels = np.append(labels, "未填写")
    idx = np.where(codes >= 0, codes, len(labels) - 1)
    k = len(labels)
    out = pd.DataFrame({
        "group": labels,
        "count": np.bincount(idx, minlength=k),
        **{c: np.bincount(idx, weights=np.nan_to_num(amounts(frame, c)), minlength=k)
           for c in ("total_investment", "annual_plan", "ytd_completed")},
    })
    out = out[out["count"] > 0]
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
