"""Shared styles and a deterministic save for the sample workbooks."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime(2023, 8, 1, 9, 0, 0)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
TITLE_FONT = Font(name="宋体", size=16, bold=True)
BOLD = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=10)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

AMOUNT_FMT = "#,##0"
AMOUNT_FMT_YI = "0.00"
RATE_FMT = "0.00%"
DATE_FMT = "yyyy-mm-dd"


def new_workbook(creator: str, title: str, created: datetime = FIXED_TIME) -> Workbook:
    wb = Workbook()
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.title = title
    wb.properties.created = created
    wb.properties.modified = created
    return wb


def first_sheet(wb: Workbook) -> Worksheet:
    """The workbook's first (active) worksheet: a new openpyxl workbook always has one."""
    ws = wb.active
    if not isinstance(ws, Worksheet):
        raise TypeError("the workbook has no worksheet")
    return ws


def put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    *,
    fmt: str | None = None,
    font: Font | None = BODY_FONT,
    align: Alignment | None = None,
    fill: PatternFill | None = None,
    border: bool = True,
) -> None:
    """Write one cell with its style; text starting with = + - @ stays text (never a formula)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value[:1] in "=+-@":
        cell.data_type = "s"
        cell.quotePrefix = True
    if fmt:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    if align is not None:
        cell.alignment = align
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = BORDER


def formula(
    ws: Worksheet,
    row: int,
    col: int,
    text: str,
    *,
    fmt: str | None = None,
    fill: PatternFill | None = None,
    font: Font | None = BODY_FONT,
) -> None:
    """Write a formula (our own text, so never user data)."""
    cell = ws.cell(row=row, column=col, value=text)
    cell.border = BORDER
    if fmt:
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font


def save(wb: Workbook, path: Path) -> Path:
    """Save with fixed document times and fixed zip entry times, so a rebuild is byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # openpyxl's save_workbook stamps "modified" with the clock; ExcelWriter does not
        ExcelWriter(wb, archive).save()
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())
    return path
