"""New values for the user's own cells: submitted figures, and any other edit a feature computes
(``CellEdit``: e.g. the period in a title or header, "1-7月" → "1-8月").

A value goes into the existing cell keeping its format index (number format, font, borders, fill):
an amount in the sheet's unit (亿元 columns get 亿元), a date as a date (a cell formatted General
gets ``yyyy-mm-dd`` so the date does not show as a serial number), text always as text. A cell
holding a formula is never overwritten: the edit is reported instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from keyproject.ledger import Ledger, SheetLayout
from keyproject.package.cells import Cell, CellValue, column_letter
from keyproject.package.sheet_edit import ExistingCell, SheetEdits, ValueEdit
from keyproject.package.styles import Style, Stylesheet
from keyproject.schema import LEDGER
from keyproject.workbook.cells import FMT_DATE, QUOTED, is_formula_like, to_value

Kind = str  # "amount" (万元, scaled by the column's factor), "date", "rate", "number", "text"


@dataclass(frozen=True)
class CellEdit:
    """A new value for the user's cell ``sheet``!(``row``, ``col``) (1-based), in its format."""

    sheet: str
    row: int
    col: int
    value: CellValue
    kind: Kind = "text"
    factor: float = 1.0  # amounts: 万元 per unit of the column (亿元: 10000)

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"


@dataclass
class EditLog:
    """What happened to each edit: written, or left because the cell holds a formula."""

    written: list[CellEdit] = field(default_factory=list)
    formulas: list[CellEdit] = field(default_factory=list)


def _value(edit: CellEdit) -> CellValue:
    v = to_value(edit.value)
    if v is None:
        return None
    if edit.kind == "amount":
        return float(v) / (edit.factor or 1.0)  # type: ignore[arg-type]
    if edit.kind in ("rate", "number"):
        return float(v)  # type: ignore[arg-type]
    if edit.kind == "date":
        if isinstance(v, dt.datetime):
            return v
        return pd.Timestamp(v).to_pydatetime()
    return v if not isinstance(v, (int, float)) or edit.kind != "text" else str(v)


def written_value(edit: CellEdit) -> CellValue:
    """The value ``edit`` puts into its cell (an amount in the column's unit)."""
    return _value(edit)


def value_edit(edit: CellEdit, styles: Stylesheet, log: EditLog) -> ValueEdit:
    """The ``SheetEdits`` value function that writes ``edit`` into the cell as it is."""
    value = _value(edit)

    def apply(existing: ExistingCell | None) -> Cell | None:
        if existing is not None and existing.has_formula:  # the user's formula stays a formula
            log.formulas.append(edit)
            return None
        style = existing.style if existing is not None else 0
        change: Style | None = None
        if isinstance(value, (dt.date, dt.datetime)) and styles.is_general(style):
            change = Style(number_format=FMT_DATE)
        elif isinstance(value, str) and is_formula_like(value):
            change = QUOTED
        if change is not None:
            style = styles.derive(style, change)
        log.written.append(edit)
        return Cell(value, style)

    return apply


def add_edits(edits: SheetEdits, cell_edits: Sequence[CellEdit], styles: Stylesheet, log: EditLog) -> None:
    for e in cell_edits:
        edits.set_value(e.row, e.col, value_edit(e, styles, log))


def submitted_edits(ledger: Ledger, updates: pd.DataFrame, warnings: list[str]
                    ) -> tuple[list[CellEdit], dict[int, dict[str, object]]]:
    """The submitted figures as cell edits of the project sheets, and each edit's update record
    (by ``id`` of the edit). A field the sheet has no column for is only used for this report."""
    out: list[CellEdit] = []
    records: dict[int, dict[str, object]] = {}
    if updates is None or len(updates) == 0:
        return out, records
    projects = ledger.projects
    missing: dict[str, int] = {}
    for label, rec in zip(updates.index, updates.to_dict("records"), strict=True):
        key = str(rec["field"])
        project = rec.get("project", label)
        sheet = ledger.sheet
        if "sheet" in projects.columns and project in projects.index:
            value = projects.at[project, "sheet"]
            sheet = str(value) if isinstance(value, str) and value else ledger.sheet
        layout = _layout(ledger, sheet)
        col = layout.column_of(key)
        if col is None or rec.get("row") is None or pd.isna(rec.get("row")):
            # The consolidation already warned (with file and sheet) when the ledger has no column
            if "column" not in rec or not pd.isna(rec["column"]):
                missing[key] = missing.get(key, 0) + 1
            continue
        kind = LEDGER[key].kind if key in LEDGER.by_key else "text"
        edit = CellEdit(sheet, int(rec["row"]), col.index + 1, rec["new"],
                        kind if kind in ("amount", "date", "rate") else "text", col.factor or 1.0)
        out.append(edit)
        records[id(edit)] = {**{str(k): v for k, v in rec.items()}, "column": col.letter}
    for key, n in missing.items():
        name = LEDGER[key].label if key in LEDGER.by_key else key
        warnings.append(f"台账没有“{name}”列，{n}处报送数据只用于本次计算，未写回台账")
    return out, records


def _layout(ledger: Ledger, sheet: str) -> SheetLayout:
    try:
        return ledger.layout(sheet)
    except KeyError:
        return ledger.layouts[0]


def formula_warnings(log: EditLog, describe: Callable[[CellEdit], str]) -> list[str]:
    return [f"工作表“{e.sheet}”{e.ref}是公式，{describe(e)}未写入，保留原公式" for e in log.formulas]
