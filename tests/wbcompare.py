"""Compare two workbooks sheet by sheet, cell by cell: what the user made must not change.

``differences(before, after, skip_sheets, skip_columns)`` lists every difference in the user's
sheets (values, formulas, fonts, fills, borders, alignment, number formats, comments, hyperlinks,
merged ranges, column widths and hidden state, row heights, data validation, conditional
formatting, freeze panes, print settings, sheet state) and the workbook (defined names, sheet
order), leaving out keyproject's own sheets and columns. An empty list means nothing the user made
changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def _load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, rich_text=True, keep_links=True)


def _style(cell) -> tuple:
    # repr: openpyxl's style proxies do not compare equal to each other
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment), cell.number_format,
            repr(cell.protection), bool(cell.quotePrefix))


def _comment(cell) -> tuple | None:
    c = cell.comment
    return None if c is None else (c.text, c.author)


def _link(cell) -> str | None:
    h = cell.hyperlink
    return None if h is None else (h.target or h.location)


def _dv(ws: Worksheet) -> list[tuple]:
    out = []
    for dv in ws.data_validations.dataValidation:
        out.append((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.allow_blank,
                    dv.showErrorMessage, dv.error, dv.prompt))
    return sorted(out, key=repr)


def _cf(ws: Worksheet) -> list[tuple]:
    out = []
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            out.append((str(rng.sqref), rule.type, rule.operator, tuple(rule.formula or ()), rule.priority,
                        repr(rule.dxf.fill) if rule.dxf else None))
    return sorted(out, key=repr)


def _names(wb: openpyxl.Workbook) -> dict[str, str]:
    out = {f"wb:{k}": v.attr_text for k, v in wb.defined_names.items()}
    for ws in wb.worksheets:
        out.update({f"{ws.title}:{k}": v.attr_text for k, v in ws.defined_names.items()})
    return out


def _sheet_diffs(a: Worksheet, b: Worksheet, skip_cols: set[int]) -> list[str]:
    name = a.title
    diffs: list[str] = []
    keys = set(a._cells) | set(b._cells)
    for r, c in sorted(keys):
        if c in skip_cols:
            continue
        ca, cb = a.cell(row=r, column=c), b.cell(row=r, column=c)
        ref = f"{name}!{ca.coordinate}"
        if ca.value != cb.value or ca.data_type != cb.data_type:
            diffs.append(f"{ref} value {ca.value!r}/{ca.data_type} → {cb.value!r}/{cb.data_type}")
        if _style(ca) != _style(cb):
            diffs.append(f"{ref} style differs")
        if _comment(ca) != _comment(cb):
            diffs.append(f"{ref} comment {_comment(ca)!r} → {_comment(cb)!r}")
        if _link(ca) != _link(cb):
            diffs.append(f"{ref} hyperlink {_link(ca)!r} → {_link(cb)!r}")

    def user_range(rng) -> bool:
        return not all(col in skip_cols for col in range(rng.min_col, rng.max_col + 1))

    ma = sorted(str(m) for m in a.merged_cells.ranges if user_range(m))
    mb = sorted(str(m) for m in b.merged_cells.ranges if user_range(m))
    if ma != mb:
        diffs.append(f"{name} merged {set(ma) ^ set(mb)}")
    letters = set(a.column_dimensions) | set(b.column_dimensions)
    for letter in sorted(letters):
        if column_index_from_string(letter) in skip_cols:
            continue
        da, db = a.column_dimensions[letter], b.column_dimensions[letter]
        if (da.width, da.hidden, da.outlineLevel) != (db.width, db.hidden, db.outlineLevel):
            diffs.append(f"{name} column {letter} width/hidden "
                         f"{da.width},{da.hidden} → {db.width},{db.hidden}")
    for r in sorted(set(a.row_dimensions) | set(b.row_dimensions)):
        ra, rb = a.row_dimensions[r], b.row_dimensions[r]
        if (ra.height, ra.hidden) != (rb.height, rb.hidden):
            diffs.append(f"{name} row {r} height/hidden {ra.height},{ra.hidden} → {rb.height},{rb.hidden}")
    checks = {
        "data validation": (_dv(a), _dv(b)),
        "conditional formatting": (_cf(a), _cf(b)),
        "freeze panes": (a.freeze_panes, b.freeze_panes),
        "auto filter": (a.auto_filter.ref, b.auto_filter.ref),
        "print area": (a.print_area, b.print_area),
        "print titles": (a.print_title_rows, b.print_title_rows),
        "orientation": (a.page_setup.orientation, b.page_setup.orientation),
        "sheet state": (a.sheet_state, b.sheet_state),
        "tab color": (repr(a.sheet_properties.tabColor), repr(b.sheet_properties.tabColor)),
        "tables": (sorted((t.name, t.ref) for t in a.tables.values()),
                   sorted((t.name, t.ref) for t in b.tables.values())),
    }
    for what, (x, y) in checks.items():
        if x != y:
            diffs.append(f"{name} {what} {x!r} → {y!r}")
    return diffs


def differences(before: Path, after: Path, skip_sheets: Iterable[str] = (),
                skip_columns: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """Every difference between the user's content of ``before`` and ``after``.

    ``skip_sheets``: keyproject's sheet names (present in ``after`` only). ``skip_columns``: per
    sheet, the letters of keyproject's columns.
    """
    wa, wb = _load(before), _load(after)
    skip = set(skip_sheets)
    diffs: list[str] = []
    user_a = [s for s in wa.sheetnames if s not in skip]
    user_b = [s for s in wb.sheetnames if s not in skip]
    if user_a != user_b:
        diffs.append(f"sheets {user_a} → {user_b}")
    if wb.sheetnames[: len(user_a)] != user_a:
        diffs.append(f"sheet order {wa.sheetnames} → {wb.sheetnames}")
    na, nb = _names(wa), _names(wb)
    na = {k: v for k, v in na.items() if k.split(":")[0] not in skip}
    nb = {k: v for k, v in nb.items() if k.split(":")[0] not in skip}
    if na != nb:
        diffs.append(f"defined names {na} → {nb}")
    for title in user_a:
        if title not in wb.sheetnames:
            continue
        cols = {column_index_from_string(x) for x in (skip_columns or {}).get(title, ())}
        diffs.extend(_sheet_diffs(wa[title], wb[title], cols))
    return diffs


def cell_grid(path: Path, sheet: str) -> list[tuple]:
    """(coordinate, value, data_type, number_format) of every non-empty cell, for equality checks."""
    ws = _load(path)[sheet]
    return [(c.coordinate, c.value, c.data_type, c.number_format, c.fill.fgColor.rgb)
            for row in ws.iter_rows() for c in row if c.value is not None]


def workbook_content(path: Path) -> dict[str, list[tuple]]:
    """Everything visible in every sheet, for comparing two refreshes."""
    wb = _load(path)
    out = {"__sheets__": [tuple(wb.sheetnames)]}
    for ws in wb.worksheets:
        out[ws.title] = [
            *((c.coordinate, c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill))
              for row in ws.iter_rows() for c in row if c.value is not None or c.has_style),
            ("merged", tuple(sorted(str(m) for m in ws.merged_cells.ranges))),
            ("widths", tuple(sorted((k, v.width) for k, v in ws.column_dimensions.items()))),
            ("freeze", ws.freeze_panes),
        ]
    return out


__all__ = ["cell_grid", "differences", "get_column_letter", "workbook_content"]
