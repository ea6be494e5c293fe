"""Tables built for Excel formulas: a ledger range to a projects frame, summary and ranking rows.

Pure functions shared by the Excel add-in (``addin/keyproject_udfs.py``) and anything else that
has a ledger as a range of values (a header row, then one row per project) rather than a file.
Ranges are read by the file reader's own machinery (``keyproject.reader``), so a range and a file
with the same cells give the same projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from keyproject import excel_shapes as xs
from keyproject.dates import DateLike
from keyproject.engine.lights import evaluate, light_counts
from keyproject.engine.progress import totals
from keyproject.engine.ranking import rank
from keyproject.engine.report import Report
from keyproject.engine.rules import LIGHTS, Rules
from keyproject.errors import KPError
from keyproject.labels import label, light_name
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, Schema
from keyproject.views import Light
from keyproject.views.sheets import SHEETS, TITLES


def projects_from_range(value: Any, schema: Schema = LEDGER) -> pd.DataFrame:
    """A projects frame from a range whose first rows hold the headers, read by the file reader's
    own machinery (header detection, aliases, units, subtotal rows, amount and date text).

    ``row`` counts rows of the range (the header is row 1). A cell the reader cannot read is a
    KPError naming its row and column within the range."""
    if schema is not LEDGER:
        raise KPError("只支持项目台账区域")
    ledger = ledger_from_values({"区域": xs.grid(value)})
    bad = ledger.errors
    if bad:
        first = bad[0]
        raise KPError(f"区域第{first.row}行{first.column}列：{first.message}")
    return ledger.projects


def summary_rows(projects: pd.DataFrame, as_of: DateLike,
                 rules: Rules | None = None) -> list[tuple[str, Any]]:
    """(指标, 数值) rows: projects, plan, completed, rate, time progress, gap, lights, 双过半, under the
    labels every sheet uses (``keyproject.labels``)."""
    rules = rules or Rules()
    t = totals(projects, as_of, rules)
    counts = light_counts(evaluate(projects, as_of, rules)["light"])
    dh = t["double_half"]
    return [
        (label("indicator"), label("value")),
        *((label(k), t[k]) for k in ("projects", "annual_plan", "ytd_completed", "completion_rate",
                                     "time_progress", "gap_points")),
        *((light_name(k, rules), counts[k]) for k in ("green", "yellow", "red")),
        (label("double_half"), "" if dh is None else ("是" if dh else "否")),
    ]


# the ranking table's columns (report keys, labelled by keyproject.labels; lights by the rules)
RANK_KEYS: tuple[str, ...] = ("rank", "group", "projects", "annual_plan", "ytd_completed", "completion_rate",
                              "gap_points", "red", "yellow", "green")


def rank_rows(groups: Sequence[Any] | np.ndarray, done: np.ndarray, plan: np.ndarray, as_of: DateLike,
              rules: Rules | None = None) -> list[tuple[Any, ...]]:
    """A ranking table (header row first) of groups by completion rate, via ``ranking.rank``."""
    rules = rules or Rules()
    frame = pd.DataFrame({"group": pd.Series(list(groups), dtype="str"),
                          "ytd_completed": np.asarray(done, dtype=float),
                          "annual_plan": np.asarray(plan, dtype=float)})
    ranking = rank(frame, "group", as_of, rules)
    heads = tuple(light_name(k, rules) if k in LIGHTS else label(k) for k in RANK_KEYS)
    rows: list[tuple[Any, ...]] = [heads]
    for r in ranking.to_dict("records"):
        place = r["rank"]
        rows.append((None if pd.isna(place) else int(place),
                     *(r[k] for k in RANK_KEYS[1:])))
    return rows


# -- a whole workbook as values (the add-in's refresh button) ----------------------------------------
SHEET_NAMES: tuple[str, ...] = SHEETS
# the first cell of each sheet keyproject writes: how a later refresh knows the sheet is its own
SHEET_TITLES: dict[str, str] = TITLES


def ledger_from_values(sheets: dict[str, Any], file: str | None = None, sheet: str | None = None) -> Ledger:
    """A ``Ledger`` from sheets given as values from A1 (``{sheet name: 2-D list}``), read exactly as
    ``reader.read_ledger`` reads a file: header detection, units, subtotal rows, the 问题清单 and 设置
    sheets, keyproject's own sheets skipped. Merged cells are not known from values alone; the reader
    copes with plain headers."""
    from keyproject.reader import read_ledger
    from keyproject.xlsx import MemoryWorkbook

    grids = {name: xs.grid(v) for name, v in sheets.items()}
    owned = frozenset(name for name, g in grids.items() if _is_own(name, g))
    return read_ledger(MemoryWorkbook(grids, file, owned_sheets=owned), sheet)


def _is_own(name: str, values: Any) -> bool:
    first = xs.grid(values)[0][0] if values is not None else None
    return isinstance(first, str) and first.startswith(SHEET_TITLES.get(name, "\0"))


def is_own_sheet(name: str, first_cell: Any) -> bool:
    """Whether a sheet called ``name`` whose A1 holds ``first_cell`` was written by keyproject."""
    return _is_own(name, [[first_cell]])


def sheet_tables(report: Report, bulletin: str) -> dict[str, list[list[Any]]]:
    """The values of keyproject's sheets (汇总, 红黄绿灯, 排名, 问题清单, 通报) as rows from A1: the
    views the file refresh renders (``keyproject.views.sheets``), as plain values for writers that
    put values into an open workbook (the Excel add-in). Row 1 of each sheet is its title."""
    from keyproject.views.sheets import sheet_views, view_rows

    out: dict[str, list[list[Any]]] = {}
    for view in sheet_views(report, bulletin.splitlines()):
        out[view.name] = [[_cell(v) for v in row] for row in view_rows(view)]
    return out


def _cell(v: Any) -> Any:
    if isinstance(v, Light):
        return v.label
    if isinstance(v, bool):
        return "是" if v else "否"
    return v


def rectangular(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows padded with None to one width (what a block write into a sheet needs)."""
    width = max((len(r) for r in rows), default=1) or 1
    return [list(r) + [None] * (width - len(r)) for r in rows]
