"""LibreOffice headless as the spreadsheet that recalculates keyproject's live formulas.

``with_live(src, dst)`` writes the live 差距 and 灯号 formulas of ``src`` (``keyproject.formulas.
live_cells``) into a copy, the way a refresh with ``--live`` places them (at the right of the
ledger's table), then applies edits as staff would type them; ``recalculate`` has LibreOffice open
and save the copy (it computes every formula, none has a cached value); ``lights`` reads the
recalculated cells back. Each test uses its own LibreOffice profile.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from keyproject.formulas.live_cells import live_cells
from keyproject.reader import read_ledger
from keyproject.report import build_report
from keyproject.xlsx import Workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
GAP, LIGHT = "差距(百分点)", "灯号"


@dataclass(frozen=True)
class Placed:
    path: Path
    sheet: str
    gap_column: int
    light_column: int
    rows: list[int]


def with_live(src: Path, dst: Path, edits: Mapping[tuple[int, str], Any] | None = None,
              settings: Mapping[str, Any] | None = None) -> Placed:
    """A copy of ``src`` with live formulas, then ``edits`` ((row, field key) → value) typed into
    the ledger sheet and ``settings`` (key → value) into the 设置 sheet's value column."""
    ledger = read_ledger(src)
    report = build_report(ledger)
    book = Workbook(src)
    settings_sheet = next((s for s in ("设置", "参数设置", "规则设置") if s in book.sheet_names), None)
    cells = live_cells(ledger, report, {lay.sheet: book.grid(lay.sheet) for lay in ledger.layouts},
                       book.grid(settings_sheet) if settings_sheet else None)
    layout = ledger.layouts[0]
    wb = openpyxl.load_workbook(src)
    ws = wb[layout.sheet]
    gap_col, light_col = layout.last_column + 1, layout.last_column + 2
    header = max(layout.header_rows)
    ws.cell(header, gap_col, GAP)
    ws.cell(header, light_col, LIGHT)
    for c in cells:
        ws.cell(c.row, gap_col).value = c.gap_formula
        ws.cell(c.row, light_col).value = c.light_formula
    for (row, key), value in (edits or {}).items():
        column = layout.column_of(key)
        assert column is not None, key
        ws.cell(row, column.index + 1).value = value
    if settings:
        ss = wb[settings_sheet]
        for r in range(1, ss.max_row + 1):
            if ss.cell(r, 1).value in settings:
                ss.cell(r, 2).value = settings[ss.cell(r, 1).value]
    wb.calculation.fullCalcOnLoad = True
    wb.save(dst)
    return Placed(dst, layout.sheet, gap_col, light_col, [c.row for c in cells])


def recalculate(path: Path, outdir: Path, profile: Path) -> Path:
    assert SOFFICE, "LibreOffice is installed by .ci/run"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=300)
    return outdir / path.name


def lights(recalculated: Path, placed: Placed) -> dict[int, tuple[Any, Any]]:
    """Row → (差距, 灯号) as LibreOffice computed them."""
    ws = openpyxl.load_workbook(recalculated, data_only=True)[placed.sheet]
    return {r: (ws.cell(r, placed.gap_column).value, ws.cell(r, placed.light_column).value)
            for r in placed.rows}


def expected(path: Path) -> dict[int, tuple[float | None, str]]:
    """Row → (gap, light label) by ``kp report`` on ``path``."""
    report = build_report(read_ledger(path))
    label = report.rules.light_label
    out = {}
    p = report.projects
    for row, gap, light in zip(p["row"], p["gap_points"], p["light"], strict=True):
        out[int(row)] = (None if gap != gap else float(gap), label(light) if isinstance(light, str) else "")
    return out


def letter(column: int) -> str:
    return get_column_letter(column)


def day(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d)
