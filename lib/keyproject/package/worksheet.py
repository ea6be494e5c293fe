"""A whole worksheet part keyproject generates (its own sheets): rows of cells, column widths, row
heights, merged cells, frozen panes and the print setup, written in the schema's element order.

``Sheet`` is what to write; ``worksheet_xml(sheet)`` is the part. The print titles (rows repeated
on each printed page) are a defined name of the workbook, set by ``WorkbookPart.set_print_titles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from keyproject.package.cells import Cell, cell_xml, column_letter, range_text, ref

_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
A4 = 9  # ST_PaperSize


@dataclass(frozen=True)
class PageSetup:
    """How the sheet prints: A4, landscape or portrait, fitted to one page wide."""

    landscape: bool = True
    paper: int = A4
    fit_width: int | None = 1  # pages across (None: no fitting, 100 % scale)
    fit_height: int = 0  # pages down (0: as many as needed)
    center_horizontally: bool = True
    margins: tuple[float, float, float, float, float, float] = (0.5, 0.5, 0.75, 0.75, 0.3, 0.3)
    # left, right, top, bottom, header, footer (inches)


@dataclass
class Row:
    number: int  # 1-based, rows ascending
    cells: list[tuple[int, Cell]]  # (column, cell), columns ascending
    height: float | None = None  # points; None: the default height
    # the row's cells already written as XML (``cell_xml`` for each), for long tables; its columns
    xml: str | None = None
    span: tuple[int, int] | None = None  # (first, last) column of ``xml``


@dataclass
class Sheet:
    rows: list[Row] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column → width in characters
    merges: list[str] = field(default_factory=list)
    freeze: tuple[int, int] | None = None  # (row, column) of the first cell that scrolls
    page: PageSetup = field(default_factory=PageSetup)
    selected: bool = False  # the tab is selected (only for the active sheet)


def _sheet_view(sheet: Sheet) -> str:
    selected = ' tabSelected="1"' if sheet.selected else ""
    if sheet.freeze is None:
        return f'<sheetViews><sheetView workbookViewId="0"{selected}/></sheetViews>'
    row, col = sheet.freeze
    top_left = ref(row, col)
    xs, ys = col - 1, row - 1
    if xs and ys:
        pane = "bottomRight"
        selections = ('<selection pane="topRight"/><selection pane="bottomLeft"/>'
                      f'<selection pane="bottomRight" activeCell="{top_left}" sqref="{top_left}"/>')
    elif ys:
        pane = "bottomLeft"
        selections = f'<selection pane="bottomLeft" activeCell="{top_left}" sqref="{top_left}"/>'
    else:
        pane = "topRight"
        selections = f'<selection pane="topRight" activeCell="{top_left}" sqref="{top_left}"/>'
    split = (f' xSplit="{xs}"' if xs else "") + (f' ySplit="{ys}"' if ys else "")
    return (f'<sheetViews><sheetView workbookViewId="0"{selected}><pane{split} topLeftCell="{top_left}" '
            f'activePane="{pane}" state="frozen"/>{selections}</sheetView></sheetViews>')


def _cols(widths: dict[int, float]) -> str:
    if not widths:
        return ""
    parts = [f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>' for c, w in sorted(widths.items())]
    return "<cols>" + "".join(parts) + "</cols>"


def _columns_of(row: Row) -> tuple[int, int] | None:
    if row.span is not None:
        return row.span
    return (row.cells[0][0], row.cells[-1][0]) if row.cells else None


def _dimension(rows: Sequence[Row]) -> str:
    spans = [(r.number, c) for r in rows if (c := _columns_of(r)) is not None]
    if not spans:
        return '<dimension ref="A1"/>'
    extent = range_text(spans[0][0], min(c[0] for _, c in spans), spans[-1][0], max(c[1] for _, c in spans))
    return f'<dimension ref="{extent}"/>'


def worksheet_xml(sheet: Sheet, date1904: bool = False) -> bytes:
    page = sheet.page
    out: list[str] = [_HEAD]
    fit = page.fit_width is not None
    out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fit else "")
    out.append(_dimension(sheet.rows))
    out.append(_sheet_view(sheet))
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    out.append(_cols(sheet.widths))
    out.append("<sheetData>")
    letters: dict[int, str] = {}
    for row in sheet.rows:
        height = f' ht="{row.height:g}" customHeight="1"' if row.height is not None else ""
        n = row.number
        for c, _ in row.cells:
            if c not in letters:
                letters[c] = column_letter(c)
        cells = row.xml if row.xml is not None else "".join(
            [cell_xml(f"{letters[c]}{n}", cell, date1904) for c, cell in row.cells])
        out.append(f'<row r="{row.number}"{height}>{cells}</row>' if cells or height else "")
    out.append("</sheetData>")
    if sheet.merges:
        out.append(f'<mergeCells count="{len(sheet.merges)}">'
                   + "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges) + "</mergeCells>")
    if page.center_horizontally:
        out.append('<printOptions horizontalCentered="1"/>')
    left, right, top, bottom, header, footer = page.margins
    out.append(f'<pageMargins left="{left:g}" right="{right:g}" top="{top:g}" bottom="{bottom:g}" '
               f'header="{header:g}" footer="{footer:g}"/>')
    fitting = f' fitToWidth="{page.fit_width}" fitToHeight="{page.fit_height}"' if fit else ""
    orientation = "landscape" if page.landscape else "portrait"
    out.append(f'<pageSetup paperSize="{page.paper}" orientation="{orientation}"{fitting}/>')
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")
