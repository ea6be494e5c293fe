"""keyproject's own columns at the right end of the ledger table: 差距(百分点), 灯号, 三类项目.

On the first refresh they are appended after the table's last column (skipping any column that
holds anything); on later refreshes they are found again (the reader's ``owned_columns``, or the
columns recorded in the workbook's custom property) and rewritten in place. A user's column is
never written to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from keyproject.ledger import Ledger
from keyproject.schema import OWNED_COLUMNS
from keyproject.workbook.cells import (
    FMT_POINTS,
    HEADER_ALIGN,
    LIGHT_LABELS,
    NO_FILL,
    put,
    put_light,
)

GAP, LIGHT, THREE = OWNED_COLUMNS[:3]
_WIDTHS = {GAP: 10.0, LIGHT: 7.0, THREE: 14.0}


@dataclass(frozen=True)
class OwnedColumns:
    """Where keyproject's columns are in the ledger sheet (header → 1-based column index)."""

    positions: dict[str, int]

    def letters(self) -> dict[str, str]:
        return {h: get_column_letter(i) for h, i in self.positions.items()}


def _header_text(header: str) -> str:
    return header.split("/")[-1].strip()


def _is_empty_column(ws: Worksheet, col: int, rows: Iterable[int]) -> bool:
    cells = ws._cells  # look without creating cells (ws.cell would add empty ones)
    for r in rows:
        cell = cells.get((r, col))
        if cell is not None and cell.value not in (None, ""):
            return False
    return True


def locate(ws: Worksheet, ledger: Ledger, want: list[str], recorded: dict[str, str] | None = None,
           warnings: list[str] | None = None) -> OwnedColumns:
    """Find or allocate the column of each wanted header.

    ``recorded`` maps headers to letters from an earlier refresh (the workbook's custom property);
    a recorded column counts only while its header cell still reads that header. A column with
    one of keyproject's headers that keyproject did not record is the user's: it is left alone and
    keyproject's own goes further right.
    """
    header_rows = ledger.header_rows or [1]
    top = min(header_rows)
    found: dict[str, int] = {}
    for h, letter in (recorded or {}).items():
        if h in OWNED_COLUMNS:
            idx = column_index_from_string(letter)
            if any(ws.cell(row=r, column=idx).value == h for r in header_rows):
                found[h] = idx
    theirs = [c for c in ledger.owned_columns if c.index + 1 not in found.values()]
    for c in theirs:
        if warnings is not None:
            warnings.append(f"工作表“{ws.title}”已有用户自己的“{_header_text(c.header)}”列（{c.letter}列），"
                            "未改动；keyproject 的列写在表格右侧")
    positions = {h: found[h] for h in OWNED_COLUMNS if h in found}
    used = set(positions.values())
    # a merged range over the header or the projects' rows (a user's group header, a note) blocks
    # its columns: writing into it would break the merge
    rows = ledger.projects["row"].dropna()
    last_project = int(rows.max()) if len(rows) else top
    blocked = {col for rng in ws.merged_cells.ranges
               if rng.min_row <= last_project and rng.max_row >= top and rng.min_col != rng.max_col
               for col in range(rng.min_col, rng.max_col + 1)}
    nxt = max([ledger.last_column, *used, *(c.index + 1 for c in theirs)]) + 1
    last_row = max(ws.max_row, top)
    for h in want:
        if h in positions:
            continue
        while nxt in used or nxt in blocked or not _is_empty_column(ws, nxt, range(top, last_row + 1)):
            nxt += 1
        positions[h] = nxt
        used.add(nxt)
        nxt += 1
    return OwnedColumns(positions)


def write_owned_columns(
    ws: Worksheet,
    ledger: Ledger,
    projects: pd.DataFrame,
    *,
    three_class: bool,
    recorded: dict[str, str] | None = None,
    light_label: Callable[[str], str] | None = None,
    warnings: list[str] | None = None,
) -> OwnedColumns:
    """Write 差距(百分点), 灯号 (and 三类项目) for every project row; return where they went."""
    want = [GAP, LIGHT] + ([THREE] if three_class else [])
    owned = locate(ws, ledger, want, recorded, warnings)
    header_rows = sorted(ledger.header_rows or [1])
    top, bottom = header_rows[0], header_rows[-1]
    # styles come from the user's last column (never from keyproject's own, found again on a rerun)
    user_cols = [c.index + 1 for c in ledger.columns if c.index + 1 not in owned.positions.values()]
    ref_col = max(user_cols) if user_cols else max(ledger.last_column, 1)

    # headers: the style of the user's last header cell, merged down the header rows
    merged = {str(r) for r in ws.merged_cells.ranges}
    for h, col in owned.positions.items():
        letter = get_column_letter(col)
        for r in header_rows:
            cell = ws.cell(row=r, column=col)
            cell._style = copy(ws.cell(row=r, column=ref_col)._style)
        head = ws.cell(row=top, column=col)
        put(head, h)
        head.alignment = HEADER_ALIGN
        for r in header_rows[1:]:
            if (r, col) != (top, col) and ws.cell(row=r, column=col).value == h:
                ws.cell(row=r, column=col).value = None
        span = f"{letter}{top}:{letter}{bottom}"
        if bottom > top and span not in merged:
            ws.merge_cells(span)
        dim = ws.column_dimensions[letter]
        if not dim.width or dim.width < _WIDTHS[h]:
            dim.width = _WIDTHS[h]

    # data: clear our columns below the header, then fill project rows
    first = bottom + 1
    last = max(ws.max_row, first)
    project_rows = set(int(r) for r in projects["row"].dropna())
    for col in owned.positions.values():
        for r in range(first, last + 1):
            if r in project_rows:
                continue
            cell = ws._cells.get((r, col))
            if cell is not None and cell.value is not None:
                cell.value = None
                cell.fill = NO_FILL

    label = light_label or (lambda k: LIGHT_LABELS.get(k, k))
    rows = projects["row"].astype("Int64").to_numpy(dtype=object, na_value=None)
    gaps = projects["gap_points"].to_numpy(dtype=object, na_value=None) if "gap_points" in projects else None
    lights = projects["light"].to_numpy(dtype=object, na_value=None) if "light" in projects else None
    classes = (projects["three_class"].to_numpy(dtype=object, na_value=None)
               if THREE in owned.positions and "three_class" in projects else None)
    gcol = owned.positions[GAP]
    lcol = owned.positions[LIGHT]
    tcol = owned.positions.get(THREE)
    style_cache: dict[int, object] = {}
    for i, r in enumerate(rows):
        if r is None:
            continue
        src = ws.cell(row=r, column=ref_col)
        base = style_cache.get(src.style_id)
        if base is None:
            base = style_cache[src.style_id] = src._style
        g = ws.cell(row=r, column=gcol)
        g._style = copy(base)
        put(g, None if gaps is None else gaps[i])
        g.number_format = FMT_POINTS
        lc = ws.cell(row=r, column=lcol)
        lc._style = copy(base)
        light = None if lights is None else lights[i]
        put_light(lc, light, label(light) if isinstance(light, str) else None)
        if tcol is not None:
            t = ws.cell(row=r, column=tcol)
            t._style = copy(base)
            put(t, None if classes is None else classes[i])
            t.number_format = "General"
    return owned
