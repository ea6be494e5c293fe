"""The live formulas of every project row of a ledger, with the values keyproject computed for them.

``live_cells(ledger, report, grids)`` is what ``kp refresh --live`` writes: for each project, the
差距(百分点) and 灯号 formulas (``keyproject.formulas.live``) and their cached values (the report's
gap and light, so a program that reads cached values sees keyproject's answer before any
recalculation). ``grids`` are the raw cell values of the ledger sheets and of the 设置 sheet, as
``keyproject.xlsx`` loads them: the formulas guard every cell that holds something a formula
cannot read the way keyproject read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from keyproject._arrays import amounts, texts_match
from keyproject.engine.report import Report
from keyproject.engine.rules import SETTINGS, Rules, _norm_key
from keyproject.engine.stages import DONE_BY_DATE, STARTED, stage_step
from keyproject.formulas.live import (
    LiveColumns,
    LiveRow,
    Seen,
    Threshold,
    Thresholds,
    gap_formula,
    light_formula,
)
from keyproject.ledger import Ledger, SheetLayout
from keyproject.schema import MONTH_PLAN_KEYS
from keyproject.xlsx import SheetGrid

_STARTED_DATES = ("actual_start", "actual_completion", "production_date")
_LIVE_SETTINGS = ("green_gap", "red_gap", "start_red_months")


@dataclass(frozen=True)
class LiveCell:
    """The two live cells of one project row."""

    sheet: str
    row: int
    gap_formula: str
    gap_value: float | None
    light_formula: str
    light_value: str


def _value(v: Any) -> Any:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _raw(grid: SheetGrid, row: int, column: int) -> Any:
    r, c = row - 1, column
    if r < 0 or r >= grid.values.shape[0] or c >= grid.values.shape[1]:
        return None
    v = grid.values[r, c]
    return None if v == "" else v


def _ytd_letters(layout: SheetLayout, ledger: Ledger, report: Report) -> tuple[str, ...]:
    """The year-to-date column; the month columns when the report summed them (no year-to-date
    figure anywhere)."""
    ytd = layout.column_of("ytd_completed")
    summed = (np.isnan(amounts(ledger.projects, "ytd_completed")).all()
              and not np.isnan(amounts(report.projects, "ytd_completed")).all())
    if summed:
        months = [layout.column_of(f"m{m:02d}") for m in range(1, report.as_of.month + 1)]
        return tuple(c.letter for c in months if c is not None)
    return (ytd.letter,) if ytd is not None else ()


def _merge_anchors(grid: SheetGrid, column: int, project_rows: set[int]) -> dict[int, str]:
    """Row → the first row of a merged block in ``column`` whose text the reader copied to it."""
    out: dict[int, str] = {}
    for r0, c0, r1, c1 in grid.merged:
        if c0 <= column <= c1 and r1 > r0 and (r0 + 1) in project_rows:
            for r in range(r0 + 2, r1 + 2):
                out[r] = str(r0 + 1)
    return out


def _plan_columns(letter: Mapping[str, str], rules: Rules, as_of: dt.date) -> dict[str, Any]:
    """The plan-to-date columns a light reads under the 按月度计划 basis (none under the others)."""
    if rules.basis != "plan":
        return {}
    months = tuple(letter[k] for k in MONTH_PLAN_KEYS[:as_of.month] if k in letter)
    return {"ytd_plan": letter.get("ytd_plan"), "month_plans": months}


def _plan_to_date(columns: LiveColumns, seen: Mapping[str, Seen]) -> str | None:
    """Where keyproject took the row's plan to date from (``progress.plan_to_date``): its 1-N月计划,
    else its monthly plans when any holds a figure, else nowhere (the month share)."""
    if columns.ytd_plan and seen[columns.ytd_plan].value is not None:
        return "ytd_plan"
    if any(seen[m].value is not None for m in columns.month_plans):
        return "months"
    return None


def thresholds_from_sheet(ledger: Ledger, rules: Rules, grid: SheetGrid | None) -> Thresholds:
    """The thresholds a light reads: cells of the 设置 sheet when they give the rules, else constants."""
    if grid is None or not ledger.settings:
        return Thresholds.constant(rules)
    sheet = "'" + grid.name.replace("'", "''") + "'"
    by_name = {s.name: {_norm_key(k) for k in (s.name, s.zh, *s.aliases)} for s in SETTINGS}
    found: dict[str, Threshold] = {}
    for i, row in enumerate(grid.values.tolist(), start=1):
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        key = _norm_key(row[0])
        for name in _LIVE_SETTINGS:
            if key in by_name[name]:
                others = {k: v for k, v in ledger.settings.items() if _norm_key(str(k)) != key}
                blank = getattr(Rules.from_settings(others, strict=False), name)
                found[name] = Threshold(float(getattr(rules, name)), f"{sheet}!$B${i}", float(blank),
                                        None if row[1] == "" else row[1])
    return Thresholds(*(found.get(n, Threshold(float(getattr(rules, n)))) for n in _LIVE_SETTINGS))


def live_cells(ledger: Ledger, report: Report, grids: Mapping[str, SheetGrid],
               settings_grid: SheetGrid | None = None, explicit_rules: bool = False) -> list[LiveCell]:
    """The live 差距 and 灯号 cells of every project, sheet by sheet (``grids`` by sheet name).

    ``settings_grid`` is the 设置 sheet the rules were read from; with ``explicit_rules`` (rules
    given by file) the thresholds are constants."""
    rules = report.rules
    as_of: dt.date = report.as_of
    thresholds = thresholds_from_sheet(ledger, rules, None if explicit_rules else settings_grid)
    projects = ledger.projects
    computed = report.projects
    stage_started = (stage_step(projects["stage"]) >= STARTED if "stage" in projects.columns
                     else np.zeros(len(projects), dtype=bool))
    continuing = texts_match(projects, "nature", "续建")
    continuing = continuing if continuing is not None else np.zeros(len(projects), dtype=bool)
    investment = not np.isnan(amounts(computed, "ytd_completed")).all()
    out: list[LiveCell] = []
    for layout in ledger.layouts:
        grid = grids[layout.sheet]
        where = np.flatnonzero((projects["sheet"] == layout.sheet).to_numpy())
        if not len(where):
            continue
        col = {c.key: c for c in layout.columns if c.key}
        letter = {k: c.letter for k, c in col.items()}
        columns = LiveColumns(
            annual_plan=letter.get("annual_plan"), ytd=_ytd_letters(layout, ledger, report),
            planned_start=letter.get("planned_start"),
            started=tuple(letter[k] for k in _STARTED_DATES if k in letter),
            stage=letter.get("stage"), nature=letter.get("nature"),
            factors={c.letter: c.factor for c in layout.columns if c.key}, investment=investment,
            **_plan_columns(letter, rules, as_of))
        by_letter = {c.letter: c for c in layout.columns if c.key}
        sheet_rows = [int(r) for r in projects["row"].iloc[where]]
        anchors: dict[str, dict[int, str]] = {k: _merge_anchors(grid, col[k].index, set(sheet_rows))
                                              for k in ("stage", "nature") if k in col}
        referenced = [columns.annual_plan, *columns.ytd, columns.planned_start, *columns.started,
                      columns.stage, columns.nature, columns.ytd_plan, *columns.month_plans]
        # each referenced field's values once (a DataFrame lookup per cell costs more than the formulas)
        by_key = {cm.key: projects[cm.key].tolist() for let in filter(None, referenced)
                  if (cm := by_letter[let]).key in projects.columns and cm.key not in ("stage", "nature")}
        flags = {k: projects[f].tolist() for k, f in DONE_BY_DATE.items() if f in projects.columns}
        lights = computed["light"].tolist()
        gaps = computed["gap_points"].tolist() if "gap_points" in computed.columns else [None] * len(computed)
        for i, row in zip(where.tolist(), sheet_rows, strict=True):
            refs: dict[str, str] = {}
            seen: dict[str, Seen] = {}
            for let in filter(None, referenced):
                cm = by_letter[let]
                anchor_row = anchors.get(cm.key or "", {}).get(row)
                if anchor_row is not None:
                    refs[let] = f"{let}{anchor_row}"
                raw = _raw(grid, int(anchor_row) if anchor_row else row, cm.index)
                if cm.key == "stage":
                    value: Any = bool(stage_started[i])
                elif cm.key == "nature":
                    value = bool(continuing[i])
                else:
                    value = _value(by_key[cm.key][i]) if cm.key in by_key else None
                    flag = flags.get(cm.key or "")
                    if value is None and flag is not None and flag[i] is not pd.NA and bool(flag[i]):
                        value = as_of  # "已开工" in a date cell: reached, its date unknown
                seen[let] = Seen(raw, value)
            live_row = LiveRow(row, seen, refs, _plan_to_date(columns, seen))
            gap = _value(gaps[i])
            light = rules.light_label(lights[i]) if isinstance(lights[i], str) else ""
            out.append(LiveCell(layout.sheet, row, gap_formula(columns, live_row, as_of, rules),
                                None if gap is None else float(gap),
                                light_formula(columns, live_row, as_of, rules, thresholds), light))
    return out
