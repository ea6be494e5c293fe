"""The 设置 rows a live refresh's lights read (``kp refresh --live``).

The live 灯号 formulas reference the thresholds (黄灯差距, 红灯差距, 开工滞后红灯月数) in the workbook's
设置 sheet, so that staff change a threshold where they change every other rule. A workbook whose
设置 sheet lacks some of them gets a row for each, after its last row (column A the key, column B
the value the report used); a workbook without a 设置 sheet gets one, with a header row and those
rows. The user's own rows and values are never changed: a key they typed is read and referenced as
it is.

The rows keyproject added are recorded in its marks (``Marks.settings``: sheet → keys), so the
lead's tools and tests know them as keyproject's; they are the user's to edit from then on, and a
later refresh reads what the user typed there. With ``--rules`` the thresholds come from that file
and no row is added (the formulas use constants).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from keyproject.engine.rules import SETTINGS, Rules, _norm_key
from keyproject.ledger import Ledger
from keyproject.package.cells import Cell
from keyproject.package.package import Package
from keyproject.package.sheet_edit import ExistingCell, SheetEdits, edit_sheet
from keyproject.package.sheet_plan import ValueEdit
from keyproject.package.worksheet import PageSetup, Row, Sheet, worksheet_xml
from keyproject.xlsx import SheetGrid

SETTINGS_SHEET = "设置"  # the name of a 设置 sheet keyproject creates
THRESHOLDS = ("green_gap", "red_gap", "start_red_months")  # the settings the live lights read
HEADER = ("设置项", "值", "说明")


@dataclass(frozen=True)
class AddedRow:
    row: int
    key: str  # the Chinese key (黄灯差距)
    value: float | int
    doc: str


@dataclass(frozen=True)
class SettingsPlan:
    """What the 设置 sheet gets: ``sheet`` (its name), ``created`` when there was none, ``rows``
    added; ``grid`` and ``settings`` as the sheet reads after them (what the formulas reference)."""

    sheet: str
    created: bool
    rows: tuple[AddedRow, ...]
    grid: SheetGrid
    settings: dict[str, object]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.rows)


def _value(rules: Rules, name: str) -> float | int:
    v = float(getattr(rules, name))
    return int(v) if v.is_integer() else v


def _present(grid: SheetGrid) -> set[str]:
    """The settings (field names) the sheet already has a row for, filled or not."""
    keys = {_norm_key(str(row[0])) for row in grid.values.tolist() if len(row) and isinstance(row[0], str)}
    return {s.name for s in SETTINGS if keys & {_norm_key(k) for k in (s.name, s.zh, *s.aliases)}}


def _last_row(grid: SheetGrid) -> int:
    filled = [i for i, row in enumerate(grid.values.tolist(), start=1) if any(v != "" for v in row)]
    return max(filled, default=0)


def plan_settings(ledger: Ledger, rules: Rules, grid: SheetGrid | None) -> SettingsPlan:
    """The rows to add so that every threshold has a cell (``grid``: the 设置 sheet, None without)."""
    by_name = {s.name: s for s in SETTINGS}
    present = _present(grid) if grid is not None else set()
    missing = [n for n in THRESHOLDS if n not in present]
    start = (_last_row(grid) if grid is not None else 1) + 1
    rows = tuple(AddedRow(start + i, by_name[n].zh, _value(rules, n), by_name[n].doc)
                 for i, n in enumerate(missing))
    base = grid.values if grid is not None else np.array([list(HEADER)], dtype=object)
    height = max(base.shape[0], rows[-1].row if rows else 0)
    width = max(base.shape[1] if base.ndim == 2 else 0, 2)
    values = np.full((height, width), "", dtype=object)
    values[:base.shape[0], :base.shape[1]] = base
    for r in rows:
        values[r.row - 1, 0], values[r.row - 1, 1] = r.key, float(r.value)
    after = SheetGrid(grid.name if grid is not None else SETTINGS_SHEET, values,
                      grid.merged if grid is not None else [])
    settings = {**(ledger.settings or {}), **{r.key: r.value for r in rows}}
    return SettingsPlan(after.name, grid is None, rows, after, settings)


def _typed(value: str | float | int) -> ValueEdit:
    def edit(existing: ExistingCell | None) -> Cell:
        return Cell(value, existing.style if existing is not None else None)

    return edit


def write_settings(pkg: Package, plan: SettingsPlan) -> None:
    """Add ``plan``'s rows to the package (its 设置 sheet created when it had none)."""
    if not plan.rows:
        return
    if plan.created:
        rows = [Row(1, [(c, Cell(h)) for c, h in enumerate(HEADER, start=1)])]
        rows += [Row(r.row, [(1, Cell(r.key)), (2, Cell(r.value)), (3, Cell(r.doc))]) for r in plan.rows]
        sheet = Sheet(rows, widths={1: 18.0, 2: 10.0, 3: 60.0}, page=PageSetup(landscape=False))
        pkg.add_worksheet(plan.sheet, worksheet_xml(sheet, pkg.workbook.date1904))
        return
    entry = pkg.workbook.sheet(plan.sheet)
    if entry is None or entry.part is None:
        return
    edits = SheetEdits(date1904=pkg.workbook.date1904)
    for r in plan.rows:
        edits.set_value(r.row, 1, _typed(r.key))
        edits.set_value(r.row, 2, _typed(r.value))
    pkg.write(entry.part, edit_sheet(pkg.read(entry.part), edits).data)


def recorded_keys(previous: Mapping[str, Sequence[str]], plan: SettingsPlan | None,
                  sheets: Collection[str]) -> dict[str, tuple[str, ...]]:
    """keyproject's 设置 keys after this refresh: those recorded before (of a sheet still in the
    workbook, ``sheets``) and the ones added now."""
    out = {s: tuple(k) for s, k in previous.items() if k and s in sheets}
    if plan is not None and plan.rows:
        before = out.get(plan.sheet, ())
        out[plan.sheet] = (*before, *(k for k in plan.keys if k not in before))
    return out


def with_settings(ledger: Ledger, plan: SettingsPlan) -> Ledger:
    return dataclasses.replace(ledger, settings=plan.settings)


__all__ = ["SETTINGS_SHEET", "THRESHOLDS", "AddedRow", "SettingsPlan", "plan_settings", "recorded_keys",
           "with_settings", "write_settings"]
