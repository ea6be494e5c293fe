"""问题清单: open and closed (销号) problems, overdue and due soon, closure rate, by responsible unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from keyproject._arrays import as_of_datetime64, as_of_timestamp, dates, texts, texts_match
from keyproject._records import records
from keyproject.dates import DateLike
from keyproject.engine.rules import Rules

# status words that close a problem, unless negated (未销号, 待办结, 尚未解决 …)
CLOSED_PATTERN = r"已?销号|已?办结|已解决|已完成|已落实"
NEGATION_PATTERN = r"未|待|尚|不|没"
# a 存在问题 cell that says there is no problem
NO_PROBLEM_PATTERN = r"^(无|暂无|没有|无问题|暂无问题|无。|/|／|-|—|——|无\s*)$"

BY_UNIT_COLUMNS: tuple[str, ...] = ("unit", "total", "open", "closed", "overdue", "due_soon", "closure_rate")


@dataclass
class ProblemSummary:
    """Counts, the per-unit table and the overdue problems (one row each, most overdue first)."""

    source: str  # "sheet" (问题清单) or "column" (the ledger's 存在问题), "none"
    total: int = 0
    open: int = 0
    closed: int = 0
    overdue: int = 0
    due_soon: int = 0
    closure_rate: float | None = None
    by_unit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(BY_UNIT_COLUMNS)))
    overdue_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame = field(default_factory=pd.DataFrame)  # every problem with its computed flags

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "total": self.total, "open": self.open, "closed": self.closed,
            "overdue": self.overdue, "due_soon": self.due_soon,
            "closure_rate": None if self.closure_rate is None else round(self.closure_rate, 4),
            "by_unit": records(self.by_unit),
            "overdue_items": records(self.overdue_items),
        }


def _matches(frame: pd.DataFrame, key: str, pattern: str) -> np.ndarray:
    """``texts_match``, with no match where the column is absent."""
    hit = texts_match(frame, key, pattern)
    return np.zeros(len(frame), dtype=bool) if hit is None else hit


def is_closed(status: pd.Series, closed_date: np.ndarray, as_of: pd.Timestamp) -> np.ndarray:
    """销号: the status says so (已销号/已办结/已解决/销号…, not 未销号) or a closing date on or
    before ``as_of`` is filled."""
    frame = pd.DataFrame({"status": status})
    said = _matches(frame, "status", CLOSED_PATTERN) & ~_matches(frame, "status", NEGATION_PATTERN)
    as_of64 = as_of_datetime64(as_of)
    return said | (~np.isnat(closed_date) & (closed_date <= as_of64))


def summarize(problems_df: pd.DataFrame | None, as_of: DateLike, rules: Rules | None = None,
              source: str = "sheet") -> ProblemSummary:
    """Summarise a 问题清单 frame (``schema.PROBLEMS`` columns: project, problem, unit, deadline,
    status, closed_date…). Overdue = open and deadline before ``as_of`` (the deadline day itself is
    not overdue); due soon = open and deadline within ``rules.problem_due_days`` days from as_of."""
    rules = rules or Rules()
    ts = as_of_timestamp(as_of)
    if problems_df is None:
        return ProblemSummary(source="none")
    df = problems_df
    if "problem" in df.columns:  # rows without a problem text are not problems
        df = df.loc[_matches(df, "problem", r"\S")]
    n = len(df)
    status = texts(df, "status")
    if status is None:
        status = pd.Series([None] * n, index=df.index, dtype="str")
    closed = is_closed(status, dates(df, "closed_date"), ts)
    deadline = dates(df, "deadline")
    as_of64 = as_of_datetime64(ts)
    has_deadline = ~np.isnat(deadline)
    overdue = ~closed & has_deadline & (deadline < as_of64)
    soon_limit = as_of64 + np.timedelta64(rules.problem_due_days, "D")
    due_soon = ~closed & has_deadline & (deadline >= as_of64) & (deadline <= soon_limit)
    days_over = np.where(overdue, (as_of64 - deadline).astype("timedelta64[D]").astype("float64"), np.nan)

    unit = texts(df, "unit")

    def raw(key: str) -> pd.Series:  # display text, as written
        return df[key] if key in df.columns else pd.Series(None, index=df.index, dtype="str")

    items = pd.DataFrame({
        "project": raw("project"),
        "problem": raw("problem"),
        "unit": (unit.fillna("未填写") if unit is not None
                 else pd.Series("未填写", index=df.index, dtype="str")),
        "deadline": deadline,
        "status": status,
        "closed": closed,
        "overdue": overdue,
        "due_soon": due_soon,
        "days_overdue": pd.array(days_over, dtype="Float64").astype("Int64"),
    }, index=df.index)
    if "row" in df.columns:
        items.insert(0, "row", df["row"].astype("Int64"))

    g = items.groupby("unit", sort=True)
    by_unit = g.agg(total=("closed", "size"), closed=("closed", "sum"), overdue=("overdue", "sum"),
                    due_soon=("due_soon", "sum")).reset_index()
    by_unit["open"] = by_unit["total"] - by_unit["closed"]
    by_unit["closure_rate"] = by_unit["closed"] / by_unit["total"]
    by_unit = by_unit.sort_values(["overdue", "open", "unit"], ascending=[False, False, True], kind="stable")
    by_unit = by_unit[list(BY_UNIT_COLUMNS)].reset_index(drop=True)

    wanted = ("row", "project", "problem", "unit", "deadline", "days_overdue")
    cols = [c for c in wanted if c in items.columns]
    overdue_items = items.loc[overdue, cols].sort_values("days_overdue", ascending=False, kind="stable")
    n_closed = int(closed.sum())
    return ProblemSummary(
        source=source, total=n, open=n - n_closed, closed=n_closed, overdue=int(overdue.sum()),
        due_soon=int(due_soon.sum()), closure_rate=(n_closed / n) if n else None, by_unit=by_unit,
        overdue_items=overdue_items.reset_index(drop=True), items=items,
    )


def from_ledger_column(projects: pd.DataFrame) -> pd.DataFrame:
    """A 问题清单 frame from the ledger's 存在问题 column: a non-empty cell (other than 无/暂无/—) is
    one open problem with no deadline."""
    text = texts(projects, "problems")
    if text is None:
        return pd.DataFrame(columns=["row", "project", "problem", "unit"])
    has = text.notna().to_numpy() & ~_matches(projects, "problems", NO_PROBLEM_PATTERN)
    sub = projects[has]
    out = pd.DataFrame({"project": sub["name"] if "name" in sub.columns else None,
                        "problem": text[has],
                        "unit": sub["unit"] if "unit" in sub.columns else None}, index=sub.index)
    if "row" in sub.columns:
        out.insert(0, "row", sub["row"])
    return out.reset_index(drop=True)
