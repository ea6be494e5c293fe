"""``kp refresh --live``: 差距(百分点) and 灯号 written as native formulas, so the lights change as staff
type, in WPS, Excel or LibreOffice, with no add-in.

``live_lights(ledger, report, wb, edits, explicit_rules)`` makes the formulas of every project row
(``keyproject.formulas.live_cells``) from the ledger as read (the typed stage and 建设性质, not the
report's derived ones), the raw cells of each project sheet as they will be after this refresh's
edits (submitted figures included: a formula guards what it cannot read as keyproject did), and the
设置 sheet, whose threshold cells the formulas reference, unless the rules came from a file
(``--rules``), when the thresholds are constants. The thresholds get their rows in 设置 when the
sheet or the rows are missing (``workbook.settings_sheet``). ``LiveLights.columns`` turns the refresh's
columns into live ones: each 差距 and 灯号 cell is its formula with keyproject's value cached (what
a reader of cached values sees before any recalculation), and the 灯号 column is coloured by
conditional formats on its texts (红/黄/绿 or the rules' names, 待刷新) rather than a fill of each
cell's own, so the colour follows the formula.

A plain refresh afterwards writes values and fills again and removes keyproject's conditional formats;
a live refresh after a plain one does the reverse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from keyproject.engine.rules import SETTINGS, Rules
from keyproject.formulas.live import NEEDS_REFRESH, Thresholds
from keyproject.formulas.live_cells import LiveCell, live_cells, thresholds_from_sheet
from keyproject.ledger import Ledger, SheetLayout
from keyproject.package.cells import CellValue
from keyproject.package.conditional import TextHighlight
from keyproject.package.styles import Fill, Font, Style
from keyproject.workbook.cells import CENTER, light_style
from keyproject.workbook.columns import GAP, LIGHT, ColumnsFor, OwnedColumn
from keyproject.workbook.settings_sheet import SettingsPlan, plan_settings, with_settings
from keyproject.workbook.updates import CellEdit, written_value
from keyproject.xlsx import SheetGrid

if TYPE_CHECKING:
    from keyproject.engine.report import Report
    from keyproject.xlsx import Workbook

# a 灯号 cell the formula cannot read any more (text typed where a figure or date was): grey, to be
# refreshed
NEEDS_REFRESH_STYLE = Style(fill=Fill("FFD9D9D9"), font=Font(bold=True, color="FF595959"))
LIVE_LIGHT = Style(fill=Fill(None), alignment=CENTER)  # the cell's own format: no fill of its own
_THRESHOLDS = ("green_gap", "red_gap", "start_red_months")
FORMULA_LIMIT = 8192  # characters of a formula, "=" included, that Excel and WPS accept


@dataclass(frozen=True)
class LiveInfo:
    """What a live refresh wrote, for its summary."""

    rows: int  # project rows given live formulas
    settings_sheet: str | None  # the 设置 sheet whose cells the thresholds reference
    thresholds: dict[str, str | None]  # Chinese setting name → its cell ("B2"), None for a constant
    values: dict[str, float]  # Chinese setting name → the value used now
    explicit_rules: bool  # the rules came from a file, not from 设置
    conditional: dict[str, list[str]] = field(default_factory=dict)  # sheet → ranges coloured
    settings_created: bool = False  # the 设置 sheet was made by this refresh
    settings_added: dict[str, int] = field(default_factory=dict)  # 设置 key added → its row
    values_only: list[tuple[str, int]] = field(default_factory=list)  # rows too long for a formula


def highlights(rules: Rules) -> tuple[TextHighlight, ...]:
    """The 灯号 column's conditional formats: each light's name in its colours (蓝 is blue), 待刷新 grey."""
    out = []
    for key in ("red", "yellow", "green"):
        label = rules.light_label(key)
        out.append(TextHighlight(label, light_style(key, label)))
    out.append(TextHighlight(NEEDS_REFRESH, NEEDS_REFRESH_STYLE))
    return tuple(out)


def _patched(grid: SheetGrid, edits: Sequence[CellEdit]) -> SheetGrid:
    """``grid`` with the values this refresh writes into the user's cells."""
    if not edits:
        return grid
    rows = max(grid.values.shape[0], *(e.row for e in edits))
    cols = max(grid.values.shape[1], *(e.col for e in edits))
    values = np.full((rows, cols), "", dtype=object)
    values[:grid.values.shape[0], :grid.values.shape[1]] = grid.values
    for e in edits:
        v: CellValue = written_value(e)
        values[e.row - 1, e.col - 1] = "" if v is None else v
    return dataclasses.replace(grid, values=values)


def formula_text(formula: str) -> str | None:
    """A cell's formula without its "=", or None (the value alone) when it is longer than Excel and
    WPS accept: a row whose cells hold long texts a formula must guard (``LiveInfo.values_only``)."""
    return formula[1:] if len(formula) <= FORMULA_LIMIT else None


@dataclass(frozen=True)
class LiveLights:
    cells: Mapping[tuple[str, int], LiveCell]
    highlights: tuple[TextHighlight, ...]
    info: LiveInfo
    settings: SettingsPlan | None = None  # the 设置 rows to add (none with --rules)

    def columns(self, base: ColumnsFor) -> ColumnsFor:
        """``base``'s columns of a sheet with 差距 and 灯号 made live."""
        def live(report: Report, layout: SheetLayout, projects: pd.DataFrame, recorded: dict[str, str]
                 ) -> list[OwnedColumn]:
            cells = [self.cells.get((layout.sheet, int(r))) for r in projects["row"].tolist()]
            if any(c is None for c in cells):  # rows the formulas do not know (no sheet recorded)
                return base(report, layout, projects, recorded)
            known = [c for c in cells if c is not None]
            out = []
            for column in base(report, layout, projects, recorded):
                if column.header == GAP:
                    column = dataclasses.replace(
                        column, values=["" if c.gap_value is None else c.gap_value for c in known],
                        formulas=[formula_text(c.gap_formula) for c in known])
                elif column.header == LIGHT:
                    column = dataclasses.replace(
                        column, values=[c.light_value for c in known],
                        formulas=[formula_text(c.light_formula) for c in known],
                        style=LIVE_LIGHT, highlights=self.highlights)
                out.append(column)
            return out

        return live


def _threshold_info(thresholds: Thresholds) -> tuple[dict[str, str | None], dict[str, float]]:
    zh = {s.name: s.zh for s in SETTINGS}
    cells: dict[str, str | None] = {}
    values: dict[str, float] = {}
    for name in _THRESHOLDS:
        t = getattr(thresholds, name)
        cells[zh[name]] = None if t.ref is None else t.ref.rpartition("!")[2].replace("$", "")
        values[zh[name]] = t.value
    return cells, values


def live_lights(ledger: Ledger, report: Report, wb: Workbook, edits: Sequence[CellEdit],
                explicit_rules: bool) -> LiveLights:
    """The live cells of every project sheet of ``ledger`` (see the module docstring)."""
    from keyproject.reader import SETTINGS_SHEETS

    grids = {layout.sheet: _patched(wb.grid(layout.sheet), [e for e in edits if e.sheet == layout.sheet])
             for layout in ledger.layouts}
    settings_sheet = next((s for s in SETTINGS_SHEETS if s in wb.sheet_names), None)
    settings_grid = wb.grid(settings_sheet) if settings_sheet is not None else None
    plan = None
    if not explicit_rules:  # every threshold gets its cell in 设置 (rows added where missing)
        plan = plan_settings(ledger, report.rules, settings_grid)
        ledger, settings_grid = with_settings(ledger, plan), plan.grid
    cells = live_cells(ledger, report, grids, settings_grid, explicit_rules=explicit_rules)
    thresholds = thresholds_from_sheet(ledger, report.rules, None if explicit_rules else settings_grid)
    refs, values = _threshold_info(thresholds)
    referenced = settings_grid.name if settings_grid is not None and any(
        r is not None for r in refs.values()) else None
    info = LiveInfo(len(cells), referenced, refs, values, explicit_rules,
                    settings_created=plan is not None and plan.created and bool(plan.rows),
                    settings_added={r.key: r.row for r in plan.rows} if plan is not None else {},
                    values_only=[(c.sheet, c.row) for c in cells if formula_text(c.gap_formula) is None
                                 or formula_text(c.light_formula) is None])
    return LiveLights({(c.sheet, c.row): c for c in cells}, highlights(report.rules), info, plan)
