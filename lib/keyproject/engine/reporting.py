"""Who reported this period (本期报送): every unit accounted for.

A monthly dispatch expects every responsible unit (the ledger's 责任单位) to send its figures. A
``Reporting`` records, per ledger project, whether a submission for the period updated it; from it
come the owned column 本期报送 ("8月已报" / "未报送"), the 未报送 list of units to chase (催报) and
the marks on rankings and the 红黑榜 for groups judged on figures they did not update.

The status is known only once submissions have been consolidated for a period. A later refresh of
the same period (without new files, or with a late unit's file) keeps what was known: the
statuses are stored in each history snapshot and merged (``Reporting.merged``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keyproject.engine.sprint import MISSING_GROUP

REPORTED = "已报"
NOT_REPORTED = "未报送"
# unit statuses on the 未报送 list
UNIT_NONE = "未报送"
UNIT_PARTLY = "部分报送"
UNIT_DONE = "已报送"

UNIT_COLUMNS: tuple[str, ...] = ("unit", "projects", "reported", "missing", "status")


@dataclass(frozen=True)
class Reporting:
    """Per ledger project (the index of ``Ledger.projects``): updated by a submission for ``period``."""

    period: tuple[int, int]  # (year, month)
    reported: pd.Series  # bool

    @property
    def month(self) -> int:
        return self.period[1]

    def labels(self) -> pd.Series:
        """The 本期报送 text of each project: "8月已报" or "未报送"."""
        done = f"{self.month}月{REPORTED}"
        return pd.Series(np.where(self.reported.to_numpy(dtype=bool), done, NOT_REPORTED),
                         index=self.reported.index, dtype="str")

    def merged(self, earlier: Reporting | None) -> Reporting:
        """This period's statuses with an earlier record of the same period (either one reported)."""
        if earlier is None or earlier.period != self.period:
            return self
        before = earlier.reported.reindex(self.reported.index, fill_value=False).astype(bool)
        return Reporting(self.period, self.reported.astype(bool) | before)

    @classmethod
    def from_keys(cls, period: tuple[int, int], project_keys: pd.Series,
                  reported_keys: set[str]) -> Reporting:
        """Statuses of projects identified by ``project_keys`` (``names.project_keys``), e.g. from a
        history snapshot's reported keys."""
        return cls(period, pd.Series(project_keys.isin(reported_keys).to_numpy(), index=project_keys.index,
                                     dtype=bool))


def not_updated(projects: pd.DataFrame, reporting: Reporting | None) -> pd.Series:
    """True for projects whose figures no submission updated this period (all False when unknown)."""
    if reporting is None:
        return pd.Series(False, index=projects.index, dtype=bool)
    return ~reporting.reported.reindex(projects.index, fill_value=False).astype(bool)


def _group_key(projects: pd.DataFrame, by: str) -> pd.Series:
    key = projects[by].astype("str").str.strip() if by in projects.columns else pd.Series(
        pd.NA, index=projects.index, dtype="str")
    return key.where(key.notna() & (key != ""), MISSING_GROUP)


def units(projects: pd.DataFrame, reporting: Reporting, by: str = "unit") -> pd.DataFrame:
    """Every expected unit with its count of projects, how many were reported and its status
    (已报送 / 部分报送 / 未报送), in the ledger's order of first appearance."""
    frame = pd.DataFrame({"unit": _group_key(projects, by),
                          "done": ~not_updated(projects, reporting)})
    g = frame.groupby("unit", sort=False)["done"]
    out = pd.DataFrame({"projects": g.size(), "reported": g.sum().astype("int64")}).reset_index()
    out["missing"] = out["projects"] - out["reported"]
    out["status"] = np.where(out["reported"] == 0, UNIT_NONE,
                             np.where(out["missing"] > 0, UNIT_PARTLY, UNIT_DONE))
    out["status"] = out["status"].astype("str")
    return out[list(UNIT_COLUMNS)]


def unreported_units(projects: pd.DataFrame, reporting: Reporting | None, by: str = "unit") -> pd.DataFrame:
    """The 未报送 list (催报): units with a project no submission updated, those with none first."""
    if reporting is None:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("projects", "reported", "missing")
                                          else "str") for c in UNIT_COLUMNS})
    u = units(projects, reporting, by)
    late = u[u["status"] != UNIT_DONE]
    order = late["status"].map({UNIT_NONE: 0, UNIT_PARTLY: 1})
    return late.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def not_updated_by_group(projects: pd.DataFrame, reporting: Reporting | None, by: str) -> pd.Series:
    """Per group label of column ``by``: how many of its projects were not updated this period."""
    stale = not_updated(projects, reporting)
    return stale.groupby(_group_key(projects, by), sort=False).sum().astype("int64")
