"""The whole picture of a ledger as of a date: totals, lights, stages, rankings, 红黑榜, problems.

``build_report`` is what ``kp report``, the refresh, the bulletin and the notebooks share;
``Report.to_dict()`` is exactly the JSON of ``kp report --json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from keyproject import formats
from keyproject._arrays import amounts
from keyproject._records import records, round_dict
from keyproject.dates import DateLike
from keyproject.engine import lights as lights_mod
from keyproject.engine import problems as problems_mod
from keyproject.engine import progress, ranking, stages
from keyproject.engine import reporting as reporting_mod
from keyproject.engine.context import Context, resolve
from keyproject.engine.reporting import Reporting
from keyproject.engine.rules import Rules
from keyproject.ledger import Ledger

if TYPE_CHECKING:
    from keyproject.engine.history import History

RANKING_GROUPS: tuple[str, ...] = ("unit", "town", "command_post", "leader")
COUNT_GROUPS: tuple[str, ...] = ("stage", "category", "level", "command_post", "nature")
# the ledger amounts whose decimals decide how 万元 are shown (formats.amount_decimals)
AMOUNT_KEYS: tuple[str, ...] = ("total_investment", "annual_plan", "annual_stretch", "ytd_completed",
                                "month_completed")
PROJECT_KEYS: tuple[str, ...] = ("sheet", "row", "code", "name", "unit", "light", "light_reasons",
                                 "completion_rate", "gap_points", "stage", "three_class", "not_updated")
# computed columns added to the ledger's projects
COMPUTED_COLUMNS: tuple[str, ...] = ("completion_rate", "gap_points", "pv", "ev", "spi", "double_half",
                                     "investment_light", "start_light", "months_late", "light",
                                     "light_reasons", "stage", "three_class")


@dataclass
class Report:
    as_of: dt.date
    time_progress: float
    rules: Rules
    projects: pd.DataFrame  # the ledger's projects with COMPUTED_COLUMNS (stage replaced by the derived one)
    totals: dict[str, Any]
    lights: dict[str, int]
    size_bands: pd.DataFrame
    three_classes: dict[str, int]
    start_rate: dict[str, Any]
    completion_rate_projects: dict[str, Any]
    rankings: dict[str, pd.DataFrame]
    list_by: str | None  # the group column of the 红黑榜
    red_list: pd.DataFrame
    black_list: pd.DataFrame
    problems: problems_mod.ProblemSummary
    counts: dict[str, pd.DataFrame] = field(default_factory=dict)  # by stage, category, level, command post
    warnings: list[str] = field(default_factory=list)
    # the 红黑榜 of 乡镇（街道） and of 部门, each ranked by itself (keys ranking.TOWN / DEPARTMENT)
    boards: dict[str, ranking.UnitBoard] = field(default_factory=dict)
    # how many decimals each kind of figure shows (the rules, and the ledger's own 万元 amounts)
    decimals: formats.Decimals = field(default_factory=formats.Decimals)
    # how as_of and the rules were decided (keyproject.engine.context)
    context: Context | None = None
    # who reported this period, when submissions were consolidated for it (keyproject.engine.reporting);
    # projects then has a ``not_updated`` column and every ranking and the 红黑榜 a ``not_updated``
    # count of the group's projects judged on figures no submission updated this period
    reporting: Reporting | None = None
    # the 未报送 list (催报): unit, projects, reported, missing, status; empty when reporting is None
    unreported: pd.DataFrame = field(default_factory=lambda: reporting_mod.unreported_units(
        pd.DataFrame(), None))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``kp report --json`` (rates as fractions to 4 decimals, gaps in points
        to 2 decimals, NaN → null)."""
        totals = {k: self.totals[k] for k in ("projects", "total_investment", "annual_plan", "ytd_completed",
                                              "completion_rate", "gap_points", "double_half", "spi")}
        return {
            "as_of": self.as_of.isoformat(),
            "time_progress": round(self.time_progress, 4),
            "totals": round_dict(totals),
            "lights": dict(self.lights),
            "size_bands": records(self.size_bands),
            "three_classes": dict(self.three_classes),
            "start_rate": round_dict(self.start_rate),
            "completion_rate_projects": round_dict(self.completion_rate_projects),
            "projects": records(self.projects[[k for k in PROJECT_KEYS if k in self.projects.columns]]),
            "rankings": {k: records(v) for k, v in self.rankings.items()},
            "red_list": records(self.red_list),
            "black_list": records(self.black_list),
            "problems": self.problems.to_dict(),
            "warnings": list(self.warnings),
            "boards": {k: {"ranking": records(b.ranking), "red_list": records(b.red),
                           "black_list": records(b.black), "exempt": list(b.exempt)}
                       for k, b in self.boards.items()},
            "as_of_source": self.context.as_of_source if self.context is not None else None,
            "reporting": None if self.reporting is None else {
                "period": f"{self.reporting.period[0]}-{self.reporting.period[1]:02d}",
                "reported_projects": int(self.reporting.reported.sum()),
                "not_reported_projects": int((~self.reporting.reported).sum()),
                "unreported_units": records(self.unreported),
            },
        }


def _with_ytd(projects: pd.DataFrame, month: int, warnings: list[str]) -> pd.DataFrame:
    """When no project has a year-to-date figure but monthly columns exist, sum the months."""
    ytd = amounts(projects, "ytd_completed")
    if not np.isnan(ytd).all() or projects.empty:
        return projects
    months = [f"m{m:02d}" for m in range(1, month + 1) if f"m{m:02d}" in projects.columns]
    if not months:
        return projects
    monthly = np.column_stack([amounts(projects, k) for k in months])
    if monthly.size and not np.isnan(monthly).all():
        warnings.append(f"台账没有本年累计完成投资，已按1-{month}月各月完成投资相加")
        return projects.assign(ytd_completed=np.nansum(monthly, axis=1))
    return projects


def _plan_gaps(table: pd.DataFrame, projects: pd.DataFrame, key: str, as_of: dt.date,
               rules: Rules) -> pd.DataFrame:
    """Under the plan basis each group's gap is against its own plan to date (ranking.rank measures
    against the month share)."""
    if rules.basis != "plan" or table.empty:
        return table
    tp = {g: progress.time_progress_of(part, as_of, rules) for g, part in projects.groupby(key, sort=False)}
    group_tp = table["group"].map(tp).astype("float64").to_numpy()
    rate = table["completion_rate"].to_numpy(dtype="float64")
    return table.assign(gap_points=progress.gap_points(rate, group_tp))


def build_report(ledger: Ledger, as_of: DateLike | None = None, rules: Rules | None = None,
                 basis: str | None = None, *, context: Context | None = None, any_date: bool = False,
                 reporting: Reporting | None = None) -> Report:
    """Everything ``kp report`` shows for ``ledger``.

    The date and rules come from ``context`` when given (``keyproject.engine.context.resolve``), else are
    resolved here from ``as_of``, ``rules`` and ``basis`` the same way (an explicit ``as_of`` must
    fit the ledger's period unless ``any_date``). ``reporting`` marks the projects and groups
    whose figures no submission updated this period.
    """
    if context is None:
        context = resolve(ledger, as_of=as_of, rules=rules, basis=basis, any_date=any_date)
    elif as_of is not None or rules is not None or basis is not None:
        raise TypeError("build_report: give either context or as_of/rules/basis")
    warnings: list[str] = list(context.warnings)
    as_of, rules = context.as_of, context.rules
    projects = _with_ytd(ledger.projects, as_of.month, warnings)
    tp = progress.time_progress_of(projects, as_of, rules)  # the plan basis: Σ plan to date / Σ plan
    if (note := progress.plan_basis_warning(projects, as_of, rules)) is not None:
        warnings.append(note)
    no_completion = projects.empty is False and np.isnan(amounts(projects, "ytd_completed")).all()
    if no_completion:
        warnings.append("台账没有本年完成投资数据，未计算完成率和投资灯")
    engine_input = projects.drop(columns=["annual_plan"]) if no_completion else projects

    m = stages.milestones(projects, as_of)
    prog = progress.progress_frame(engine_input, as_of, rules)
    lit = lights_mod.evaluate(engine_input, as_of, rules)
    computed = pd.DataFrame({
        "completion_rate": lit["completion_rate"], "gap_points": lit["gap_points"], "pv": prog["pv"],
        "ev": prog["ev"], "spi": prog["spi"], "double_half": prog["double_half"],
        "investment_light": lit["investment_light"], "start_light": lit["start_light"],
        "months_late": lit["months_late"], "light": lit["light"], "light_reasons": lit["light_reasons"],
        "stage": stages.derive_stage(projects, as_of, m),
        "three_class": pd.Series(stages.three_class_frame(projects, as_of, m), index=projects.index,
                                 dtype=object),
    }, index=projects.index)
    own = [c for c in COMPUTED_COLUMNS if c in projects.columns]
    full = pd.concat([projects.drop(columns=own), computed], axis=1)
    if reporting is not None:
        full["not_updated"] = reporting_mod.not_updated(full, reporting)

    totals = progress.totals(engine_input, as_of, rules)
    tc = pd.Series(computed["three_class"]).value_counts()
    three = {k: int(tc.get(k, 0)) for k in stages.THREE_CLASSES}

    rankings: dict[str, pd.DataFrame] = {}
    for key in RANKING_GROUPS:
        if key in full.columns and full[key].notna().any():
            table = ranking.rank(full, key, as_of, rules, min_projects=rules.rank_min_projects)
            rankings[key] = _plan_gaps(table, full, key, as_of, rules)
            if reporting is not None:
                stale = reporting_mod.not_updated_by_group(full, reporting, key)
                rankings[key]["not_updated"] = rankings[key]["group"].map(stale).fillna(0).astype("int64")
    list_by = rules.list_by if rules.list_by in rankings else next(iter(rankings), None)
    boards: dict[str, ranking.UnitBoard] = {}
    if list_by is not None:
        red, black = ranking.red_black_lists(rankings[list_by], tp, rules)
        by = list_by
        boards = ranking.unit_boards(full, by, as_of, rules, time_progress=tp,
                                     regap=lambda table, part: _plan_gaps(table, part, by, as_of, rules))
        if reporting is not None:  # the 乡镇 and 部门 boards are marked like the rankings
            stale = reporting_mod.not_updated_by_group(full, reporting, by)
            for board in boards.values():
                for frame in (board.ranking, board.red, board.black):
                    frame["not_updated"] = frame["group"].map(stale).fillna(0).astype("int64")
    else:
        red = black = pd.DataFrame(columns=list(ranking.RANK_COLUMNS))
    shown = [v for k in AMOUNT_KEYS if k in projects.columns for v in amounts(projects, k).tolist()]

    if ledger.problems is not None and len(ledger.problems):
        probs = problems_mod.summarize(ledger.problems, as_of, rules, source="sheet")
    elif "problems" in projects.columns and projects["problems"].notna().any():
        from_column = problems_mod.from_ledger_column(projects)
        probs = problems_mod.summarize(from_column, as_of, rules, source="column")
    else:
        probs = problems_mod.ProblemSummary(source="none")

    counts = {k: stages.counts_by(full, k) for k in COUNT_GROUPS
              if k in full.columns and full[k].notna().any()}
    return Report(
        as_of=as_of, time_progress=tp, rules=rules, projects=full, totals=totals,
        lights=lights_mod.light_counts(computed["light"]), size_bands=stages.size_bands(projects, rules),
        three_classes=three, start_rate=stages.start_rate(projects, as_of, m),
        completion_rate_projects=stages.completion_rate_projects(projects, as_of, m), rankings=rankings,
        list_by=list_by, red_list=red, black_list=black, problems=probs, counts=counts, warnings=warnings,
        boards=boards, decimals=formats.decimals(rules, shown),
        context=context, reporting=reporting, unreported=reporting_mod.unreported_units(full, reporting),
    )


def report_with_history(ledger: Ledger, history: History | None = None, *, as_of: DateLike | None = None,
                        rules: Rules | str | Path | None = None, basis: str | None = None,
                        any_date: bool = False, as_of_name: str = "统计截止日期") -> Report:
    """``build_report`` as every door runs it against a history: a date earlier than the newest
    snapshot is refused unless asked for explicitly, and the 本期报送 statuses of a snapshot of the
    same date are shown (``kp report``, ``kp bulletin``, ``kp serve``'s bulletin)."""
    latest = history.latest() if history is not None else None
    context = resolve(ledger, as_of=as_of, rules=rules, basis=basis, any_date=any_date, latest=latest,
                      as_of_name=as_of_name)
    reporting = history.reporting(context.as_of, ledger.projects) if history is not None else None
    return build_report(ledger, context=context, reporting=reporting)
