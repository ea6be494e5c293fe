"""A worksheet taken apart by the package: its cells located by their element's tags, its frame
parsed safely, the refs calamine cannot parse repaired with the cells kept byte for byte; the
workbook's sheet entries (transitional and Strict) read by ``package.workbook``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fixtures_workbooks import make_workbook

from keyproject.errors import LedgerFileError
from keyproject.package import cell_scan
from keyproject.package.frame import fix_refs, frame_bytes, read_frame, sheet_data_span
from keyproject.package.relationships import Relationships
from keyproject.package.workbook import WorkbookPart
from keyproject.package.xml import as_utf8, is_utf16, to_utf8_part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CELLS = '<row r="1"><c r="A1" t="inlineStr"><is><t>sheetData &lt;/sheetData&gt;</t></is></c></row>'


def sheet(cells: str = CELLS, *, prefix: str = "", tail: str = "", head: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    body = f"<{p}sheetData>{cells}</{p}sheetData>" if cells else f"<{p}sheetData/>"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>{head}'
            f"{body}{tail}</{p}worksheet>").encode()


def test_the_cells_are_found_by_their_tags_not_by_text_that_names_them() -> None:
    data = sheet(head='<sheetPr codeName="sheetData"/>')
    span = sheet_data_span(data)
    assert span is not None and span.prefix == b"" and not span.self_closing
    assert data[span.body_start:span.body_end] == CELLS.encode()
    assert frame_bytes(data, span).count(b"sheetData") == 2  # the codeName and the placeholder
    assert b"<sheetData/>" in frame_bytes(data, span)


def test_prefixed_and_empty_sheets() -> None:
    data = sheet(prefix="x", tail='<x:mergeCells count="1"><x:mergeCell ref="A1:B2"/></x:mergeCells>')
    span = sheet_data_span(data)
    assert span is not None and span.prefix == b"x:"
    assert read_frame(data, "s").merges == ("A1:B2",)
    empty = sheet("")
    span = sheet_data_span(empty)
    assert span is not None and span.self_closing
    assert sheet_data_span(sheet().replace(b"</worksheet>", b"<sheetData/></worksheet>")) is None  # two


def test_the_frame_tells_dimension_hidden_columns_and_merges() -> None:
    data = sheet(head='<dimension ref="A1:C9"/><cols><col min="2" max="3" hidden="1" width="0"/>'
                      '<col min="5" max="5" hidden="true"/><col min="7" max="7"/></cols>',
                 tail='<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="D:D"/></mergeCells>')
    frame = read_frame(data, "xl/worksheets/sheet1.xml")
    assert frame.dimension == "A1:C9"
    assert frame.hidden_columns == frozenset({1, 2, 4})
    assert frame.merges == ("A1:C1", "D:D") and frame.bad_refs
    assert not read_frame(sheet(head='<dimension ref="A1"/>'), "s").bad_refs


def test_a_frame_with_a_dtd_or_broken_xml_is_refused() -> None:
    with pytest.raises(LedgerFileError):
        read_frame(sheet(head="<dimension ref='A1'"), "s")
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet().split(b"?>", 1)[1]
    with pytest.raises(LedgerFileError, match="DTD"):
        read_frame(laughs, "s")


def test_fix_refs_repairs_the_frame_and_keeps_the_cells_byte_for_byte() -> None:
    data = sheet(head='<dimension ref="A1:"/>',
                 tail='<mergeCells count="3"><mergeCell ref="B:C"/><mergeCell ref="2:3"/>'
                      '<mergeCell ref="??"/></mergeCells>')
    fixed = fix_refs(data, "s")
    frame = read_frame(fixed, "s")
    assert frame.dimension is None and frame.merges == ("B1:C1048576", "A2:XFD3") and not frame.bad_refs
    assert b'count="2"' in fixed
    span = sheet_data_span(fixed)
    assert span is not None
    assert fixed[span.start:span.tail_start] == f"<sheetData>{CELLS}</sheetData>".encode()


def test_utf16_parts_are_decoded_and_rewritten_as_utf8() -> None:
    text = sheet().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    assert is_utf16(data) and not is_utf16(sheet())
    assert read_frame(as_utf8(data), "s").dimension is None
    utf8 = to_utf8_part(data)
    assert utf8.startswith(b'<?xml version="1.0" encoding="UTF-8"') and CELLS.encode() in utf8


def test_cell_scans_bound_the_extent() -> None:
    far = '<row r="70000"><c r="AAA70000"><v>1</v></c></row><row r="2"><c r="B2"/></row>'
    data = sheet(CELLS + far)
    assert cell_scan.row_bound(data, prefixed=False) == 70000
    assert cell_scan.three_letter_refs(data) and cell_scan.refs_beyond(26, data)
    assert not cell_scan.refs_beyond(703, data)
    assert cell_scan.valued_extent(data, 10_000_000) == (70000, 703, "AAA70000")
    assert cell_scan.valued_extent(sheet(), 10) == (1, 1, None)


def test_formula_counts_follow_shared_formulas() -> None:
    cells = ('<row r="1"><c r="A1"><f>Sheet2!A1</f><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">'
             "汇总!B1</f><v>2</v></c></row>"
             '<row r="2"><c r="B2"><f t="shared" si="0"/><v>3</v></c><c r="C2"><f>1+1</f><v>2</v></c></row>')
    total, cross = cell_scan.formula_counts(sheet(cells))
    assert total == {0: 1, 1: 2, 2: 1} and cross == {0: 1, 1: 2}


def _entries(path: Path) -> list[tuple[str, str, str | None]]:
    with zipfile.ZipFile(path) as zf:
        wb = WorkbookPart(zf.read("xl/workbook.xml"),
                          Relationships("xl/workbook.xml", zf.read("xl/_rels/workbook.xml.rels")))
    return [(e.name, e.kind, e.part) for e in wb.sheets()]


def test_sheet_entries_transitional_and_strict(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "t.xlsx", [["项目名称"]], other_sheets={"设置": [["键", "值"]]})
    assert _entries(path) == [("项目台账", "worksheet", "xl/worksheets/sheet1.xml"),
                              ("设置", "worksheet", "xl/worksheets/sheet2.xml")]
    strict = tmp_path / "strict.xlsx"
    trans_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strict_rel = "http://purl.oclc.org/ooxml/officeDocument/relationships"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(strict, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.endswith((".xml", ".rels")):
                data = (data.replace(trans_rel.encode(), strict_rel.encode())
                        .replace(MAIN.encode(), b"http://purl.oclc.org/ooxml/spreadsheetml/main"))
            zout.writestr(item, data)
    assert [k for _, k, _ in _entries(strict)] == ["worksheet", "worksheet"]
