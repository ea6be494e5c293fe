"""红黄绿灯: the investment light, the start light, the worst of them, and the reasons in Chinese."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keyproject import formats
from keyproject._arrays import amounts, as_of_timestamp, dates, month_index
from keyproject.dates import DateLike
from keyproject.engine.progress import completion_rate, gap_points, row_time_progress
from keyproject.engine.rules import LIGHTS, Rules
from keyproject.engine.stages import milestones

NONE, GREEN, YELLOW, RED = 0, 1, 2, 3
_LIGHT_VALUES = np.array([None, *LIGHTS], dtype=object)

COLUMNS: tuple[str, ...] = ("completion_rate", "gap_points", "investment_light", "start_light", "months_late",
                            "light", "light_reasons")


def _investment_reason(gap: float, places: int) -> str:
    """"低于序时进度31.7个百分点": the points as every figure is shown (``keyproject.formats``)."""
    return f"{'低于' if gap < 0 else '仅高于'}序时进度{formats.fixed(abs(gap), places)}个百分点"


def _start_reason(planned_month: int, months_late: int, year: int) -> str:
    y, m = divmod(planned_month, 12)
    when = f"{m + 1}月" if y + 1970 == year else f"{y + 1970}年{m + 1}月"
    return f"计划{when}开工，" + (f"已滞后{months_late}个月未开工" if months_late > 0 else "尚未开工")


def _reasons(gap: np.ndarray, bad_inv: np.ndarray, planned: np.ndarray, late: np.ndarray,
             months_late: np.ndarray, year: int, places: int = 1) -> pd.Series:
    """list[str] per row. Text is built once per distinct gap and per distinct (planned month,
    months late); each row's list is a copy of the tuple for its combination."""
    n = len(gap)
    if n == 0:
        return pd.Series([], dtype=object)
    cents = np.rint(np.where(bad_inv, gap, 0) * 100).astype("int64")
    inv_uniq, inv_id = np.unique(cents[bad_inv], return_inverse=True)
    inv_ids = np.zeros(n, dtype="int64")
    inv_ids[bad_inv] = inv_id.ravel() + 1
    inv_texts = [None, *(_investment_reason(c / 100, places) for c in inv_uniq.tolist())]

    pm = planned[late].astype("datetime64[M]").astype("int64")
    ml = months_late[late].astype("int64")
    st_uniq, st_id = np.unique(pm * 100000 + ml, return_inverse=True)
    st_ids = np.zeros(n, dtype="int64")
    st_ids[late] = st_id.ravel() + 1
    st_texts = [None, *(_start_reason(k // 100000, k % 100000, year) for k in st_uniq.tolist())]

    combo = inv_ids * (len(st_texts)) + st_ids
    uniq, row_id = np.unique(combo, return_inverse=True)
    tuples = np.empty(len(uniq), dtype=object)
    for i, k in enumerate(uniq.tolist()):
        a, b = inv_texts[k // len(st_texts)], st_texts[k % len(st_texts)]
        tuples[i] = tuple(t for t in (a, b) if t is not None)
    return pd.Series(list(map(list, tuples[row_id.ravel()])), dtype=object)


def evaluate(frame: pd.DataFrame, as_of: DateLike, rules: Rules | None = None) -> pd.DataFrame:
    """Lights of every project as of ``as_of``; same index as ``frame``.

    ``frame`` needs only ytd_completed, annual_plan, planned_start, actual_start (absent columns
    count as empty; text and Excel serial numbers are accepted). actual_completion, stage and nature
    are used when present: a project the stage column calls 在建 or a 续建 project has started.
    Columns: completion_rate (fraction), gap_points (rounded to 2 decimals), investment_light,
    start_light, months_late (Int64), light ("green"/"yellow"/"red"/None, the worst),
    light_reasons (list of Chinese strings, one per yellow or red light).
    """
    rules = rules or Rules()
    ts = as_of_timestamp(as_of)
    n = len(frame)
    tp, _ = row_time_progress(frame, ts, rules)  # per project under the plan basis

    rate = completion_rate(amounts(frame, "ytd_completed"), amounts(frame, "annual_plan"))
    gap = gap_points(rate, tp)
    has_gap = ~np.isnan(gap)
    inv = np.where(~has_gap, NONE, np.where(gap >= rules.green_gap, GREEN,
                                            np.where(gap >= rules.red_gap, YELLOW, RED)))

    planned = dates(frame, "planned_start")
    as_of64 = ts.to_datetime64().astype("datetime64[us]")
    started = milestones(frame, ts)["started"].to_numpy() if n else np.zeros(0, dtype=bool)
    late = ~np.isnat(planned) & (planned <= as_of64) & ~started
    months = (ts.year * 12 + ts.month - 1 - 1970 * 12) - month_index(planned)
    months_late = np.where(late, months, np.nan)
    start = np.where(~late, NONE, np.where(months_late >= rules.start_red_months, RED, YELLOW))

    worst = np.maximum(inv, start)

    reasons = _reasons(gap, inv >= YELLOW, planned, late, months_late, ts.year, rules.points_decimals)
    return pd.DataFrame(
        {
            "completion_rate": rate,
            "gap_points": gap,
            # object dtype keeps None (a str column would turn it into NaN)
            "investment_light": pd.Series(_LIGHT_VALUES[inv], index=frame.index, dtype=object),
            "start_light": pd.Series(_LIGHT_VALUES[start], index=frame.index, dtype=object),
            "months_late": pd.array(months_late, dtype="Float64").astype("Int64"),
            "light": pd.Series(_LIGHT_VALUES[worst], index=frame.index, dtype=object),
            "light_reasons": reasons.set_axis(frame.index),
        },
        index=frame.index,
    )


def light_code(light: pd.Series | np.ndarray) -> np.ndarray:
    """0 none, 1 green, 2 yellow, 3 red (for comparing and counting lights)."""
    a = np.asarray(light, dtype=object)
    return np.select([a == "green", a == "yellow", a == "red"], [GREEN, YELLOW, RED], default=NONE)


def light_counts(light: pd.Series) -> dict[str, int]:
    """How many projects have each light (``none`` = no light applies)."""
    codes = light_code(light)
    return {"green": int((codes == GREEN).sum()), "yellow": int((codes == YELLOW).sum()),
            "red": int((codes == RED).sum()), "none": int((codes == NONE).sum())}
