"""keyproject's own columns in each project sheet: 差距(百分点), 灯号, 三类项目 — and any other a feature
adds (``OwnedColumn``: a header, one value per project, a format).

Placement (``locate``): on the first refresh the columns go right of the table's last column,
skipping any column that holds anything, is part of a merged block over the header or the projects'
rows, or lies in an Excel table; on later refreshes they are found again through the columns recorded
in the workbook (``keyproject.columns``) while their header cells still read their headers. A
column with one of keyproject's headers that keyproject did not record is the user's: it is left
alone and keyproject's own goes further right. A recorded column no refresh writes any more (a feature
turned off) is retired: its cells go, header and all.

Content (``column_edits``): the header (merged down the header rows, in the user's header format,
centred and wrapped), then a cell per project in the user's format of the table's last column (so
borders and fonts match), with the column's number format or the light's fill. Cells of keyproject's
columns in other rows below the header are removed. A column with ``highlights`` (the live 灯号, whose
formulas change as staff type) is coloured by conditional formats over its project rows instead of
each cell's own fill (``package.conditional``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from keyproject.engine.rules import Rules
from keyproject.formats import decimals, excel_format
from keyproject.ledger import SheetLayout
from keyproject.package.cells import CellValue, column_index, column_letter
from keyproject.package.conditional import ConditionalFormat, TextHighlight
from keyproject.package.sheet_edit import Derived, SheetEdits
from keyproject.package.styles import Style
from keyproject.schema import OWNED_COLUMNS
from keyproject.views import Light
from keyproject.workbook.cells import (
    NO_FILL,
    OWNED_HEADER,
    combine,
    light_style,
    text_style,
    to_value,
)
from keyproject.xlsx import SheetGrid

if TYPE_CHECKING:
    from keyproject.engine.report import Report

GAP, LIGHT, THREE = OWNED_COLUMNS[:3]
_WIDTHS = {GAP: 10.0, LIGHT: 7.0, THREE: 14.0}
_GENERAL = Style(number_format="General")


@dataclass(frozen=True)
class OwnedColumn:
    """One of keyproject's columns: ``values[i]`` goes into the row ``rows[i]`` of the sheet's projects
    (a ``Light`` shows its label with its fill). With ``formulas``, each cell is that formula
    (without "=") and its value is the formula's cached result. ``style``: a format change for every
    value cell; ``highlights``: conditional formats over the column's project rows."""

    header: str
    values: Sequence[CellValue | Light]
    number_format: str | None = None
    width: float = 10.0
    formulas: Sequence[str | None] | None = None
    style: Style | None = None
    highlights: Sequence[TextHighlight] = ()


# the owned columns of one project sheet: (report, layout, that sheet's projects in sheet order, the
# columns recorded there) → columns
ColumnsFor = Callable[["Report", SheetLayout, pd.DataFrame, dict[str, str]], list[OwnedColumn]]


@dataclass(frozen=True)
class Placement:
    """Where keyproject's columns are in one sheet (header → 1-based column)."""

    positions: dict[str, int]
    fresh: frozenset[int]  # columns taken this time (they held nothing)
    retired: dict[str, int] = field(default_factory=dict)  # keyproject's columns no longer written

    def letters(self) -> dict[str, str]:
        return {h: column_letter(i) for h, i in self.positions.items()}


def _header_text(header: str) -> str:
    return header.split("/")[-1].strip()


def _grid_value(grid: SheetGrid | None, row: int, col: int) -> object:
    if grid is None:
        return ""
    values = grid.values
    if row - 1 >= values.shape[0] or col - 1 >= values.shape[1] or row < 1 or col < 1:
        return ""
    return values[row - 1, col - 1]


def _empty_column(grid: SheetGrid | None, col: int, top: int) -> bool:
    if grid is None or col - 1 >= grid.values.shape[1]:
        return True
    column = grid.values[top - 1:, col - 1]
    return bool(np.all(column == ""))


def locate(grid: SheetGrid | None, layout: SheetLayout, project_rows: Sequence[int], want: Sequence[str],
           recorded: Mapping[str, str] | None = None, blocked: Iterable[int] = (),
           warnings: list[str] | None = None) -> Placement:
    """Find or allocate the column of each wanted header (see the module docstring). ``blocked``:
    columns that must not be taken (Excel tables, columns found occupied while writing)."""
    header_rows = layout.header_rows or [1]
    top = min(header_rows)
    found: dict[str, int] = {}
    for h, letter in (recorded or {}).items():
        try:
            idx = column_index(letter)
        except ValueError:
            continue
        if any(_grid_value(grid, r, idx) == h for r in header_rows):
            found[h] = idx
    theirs = [c for c in layout.owned_columns if c.index + 1 not in found.values()]
    for c in theirs:
        if warnings is not None:
            warnings.append(f"工作表“{layout.sheet}”已有用户自己的“{_header_text(c.header)}”列（{c.letter}列），"
                            "未改动；keyproject 的列写在表格右侧")
    positions = {h: c for h, c in found.items() if h in want}
    retired = {h: c for h, c in found.items() if h not in want}
    used = set(found.values())
    last_project = max(project_rows, default=top)
    # a merged range over the header or the projects' rows (a user's group header, a note) blocks its
    # columns: writing into it would break the merge
    stop = set(blocked)
    for r0, c0, r1, c1 in (grid.merged if grid is not None else []):
        if r0 + 1 <= last_project and r1 + 1 >= top and c0 != c1:
            stop.update(range(c0 + 1, c1 + 2))
    nxt = max([layout.last_column, *used, *(c.index + 1 for c in theirs)]) + 1
    fresh: set[int] = set()
    for h in want:
        if h in positions:
            continue
        while nxt in used or nxt in stop or not _empty_column(grid, nxt, top):
            nxt += 1
        positions[h] = nxt
        used.add(nxt)
        fresh.add(nxt)
        nxt += 1
    return Placement(positions, frozenset(fresh), retired)


def standard_columns(projects: pd.DataFrame, rules: Rules, three_class: bool) -> list[OwnedColumn]:
    """差距(百分点), 灯号 and (when wanted) 三类项目 for ``projects`` (one sheet's, in sheet order)."""
    def column(key: str) -> list[object]:
        if key not in projects.columns:
            return [None] * len(projects)
        return [None if v is pd.NA or v is pd.NaT else v for v in projects[key].astype(object).tolist()]

    gaps = [to_value(v) for v in column("gap_points")]
    named = {k: Light(k, rules.light_label(k)) for k in ("red", "yellow", "green")}  # one object per light
    lights: list[CellValue | Light] = [named.get(v) if isinstance(v, str) else None for v in column("light")]
    points = excel_format("points", None, decimals(rules))  # the gap as the 通报 and the sheets show it
    out = [OwnedColumn(GAP, gaps, points, _WIDTHS[GAP]), OwnedColumn(LIGHT, lights, None, _WIDTHS[LIGHT])]
    if three_class:
        classes = [v if isinstance(v, str) and v else None for v in column("three_class")]
        out.append(OwnedColumn(THREE, classes, "General", _WIDTHS[THREE]))
    return out


def column_edits(edits: SheetEdits, layout: SheetLayout, placement: Placement, columns: Sequence[OwnedColumn],
                 rows: Sequence[int]) -> None:
    """Add the owned columns' cells to ``edits`` (see the module docstring)."""
    header_rows = sorted(layout.header_rows or [1])
    top, bottom = header_rows[0], header_rows[-1]
    mine = set(placement.positions.values()) | set(placement.retired.values())
    user_cols = [c.index + 1 for c in layout.columns if c.index + 1 not in mine]
    edits.style_source = max(user_cols) if user_cols else max(layout.last_column, 1)
    edits.own_columns = frozenset(placement.positions.values()) | frozenset(placement.retired.values())
    edits.fresh_columns = placement.fresh
    edits.retired = frozenset(placement.retired.values())
    edits.clear_from = bottom + 1
    for column in columns:
        col = placement.positions[column.header]
        edits.put_cell(top, col, Derived(column.header, OWNED_HEADER))
        for r in header_rows[1:]:
            edits.put_cell(r, col, Derived(None))
        if bottom > top:
            edits.merges.append(f"{column_letter(col)}{top}:{column_letter(col)}{bottom}")
        edits.widths[col] = column.width
        base = combine(Style(number_format=column.number_format) if column.number_format else None,
                       column.style)
        if column.highlights and rows:
            letter = column_letter(col)
            edits.conditional.append(ConditionalFormat(f"{letter}{min(rows)}:{letter}{max(rows)}",
                                                       tuple(column.highlights)))
        formulas = column.formulas or [None] * len(rows)
        light_styles: dict[tuple[str, str], Style] = {}
        for r, value, formula in zip(rows, column.values, formulas, strict=True):
            if isinstance(value, Light):
                style = light_styles.get((value.key, value.label))
                if style is None:
                    style = light_styles[(value.key, value.label)] = light_style(value.key, value.label)
                edits.put_cell(r, col, Derived(value.label, style, formula))
            elif value is None and column.header == LIGHT:
                edits.put_cell(r, col, Derived(None, NO_FILL, formula))
            else:
                change = combine(base, text_style(value)) if isinstance(value, str) else base
                edits.put_cell(r, col, Derived(value, change, formula))


def recorded_for(columns: Mapping[str, Mapping[str, str]], sheet: str) -> dict[str, str]:
    return dict(columns.get(sheet, {}))
