"""The package module, part family by part family: what it adds, what it leaves byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from xlsx_fixtures import build

from keyproject.errors import LedgerFileError
from keyproject.package import Cell, Package, column_index, column_letter
from keyproject.package.calc_chain import CalcChain
from keyproject.package.cells import cell_xml, date_serial, escape_text, parse_range, split_ref
from keyproject.package.content_types import ContentTypes
from keyproject.package.custom import CustomProperties
from keyproject.package.entries import ZipReader, ZipWriter
from keyproject.package.marks import Marks, parse_marks, write_marks
from keyproject.package.relationships import Relationships, resolve
from keyproject.package.styles import Border, Fill, Font, Style, Stylesheet
from keyproject.package.workbook import WorkbookPart
from keyproject.package.worksheet import PageSetup, Row, Sheet, worksheet_xml
from keyproject.package.xml import parse

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


# -- zip entries ------------------------------------------------------------------------------------
class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes each entry with a data descriptor after it."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def,override]
        self.buf += b
        return len(b)


def test_untouched_entries_are_copied_raw(tmp_path: Path) -> None:
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", "<a>" + "甲" * 5000 + "</a>")
        zf.writestr("media/photo.bin", bytes(range(256)) * 40, compress_type=zipfile.ZIP_STORED)
    src = tmp_path / "src.zip"
    src.write_bytes(bytes(stream.buf))
    with zipfile.ZipFile(src) as zf:
        assert all(i.flag_bits & 0x08 for i in zf.infolist())  # data descriptors, as streamed writers leave
    dst = tmp_path / "dst.zip"
    with ZipReader(src) as reader, ZipWriter(dst) as writer:
        for info in reader.infos:
            writer.copy_raw(reader, info)
        writer.write("new.xml", b"<new/>")
    with ZipReader(src) as a, ZipReader(dst) as b:
        for info in a.infos:
            copied = b.info(info.filename)
            assert copied is not None and b.raw(copied) == a.raw(info)  # the compressed bytes themselves
            assert (copied.CRC, copied.compress_type, copied.date_time) == (info.CRC, info.compress_type,
                                                                            info.date_time)
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        assert zf.read("media/photo.bin") == bytes(range(256)) * 40
        assert zf.namelist() == ["a.xml", "media/photo.bin", "new.xml"]


def test_a_damaged_entry_is_a_clear_error(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo("xl/styles.xml").header_offset
    data[offset:offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    with ZipReader(path) as reader, pytest.raises(LedgerFileError, match="本地文件头无效"):
        reader.raw(reader.info("xl/styles.xml"))  # type: ignore[arg-type]


# -- content types, relationships ---------------------------------------------------------------------
CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Types xmlns="http://schemas.openxmlformats.org/'
      b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
      b'<Override PartName="/xl/workbook.xml" ContentType="main"/></Types>')


def test_content_types_add_and_remove_only_their_entries() -> None:
    ct = ContentTypes(CT)
    assert ct.to_bytes() == CT  # unchanged: the same bytes
    assert ct.type_of("xl/workbook.xml") == "main" and ct.type_of("xl/other.xml") == "application/xml"
    ct.add("xl/worksheets/sheet9.xml", "ws")
    ct.add("xl/worksheets/sheet9.xml", "ws")
    out = ct.to_bytes()
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n')  # its own
    assert out.count(b"sheet9.xml") == 1 and b'PartName="/xl/workbook.xml"' in out
    ct.remove("XL/WORKSHEETS/SHEET9.XML")  # part names ignore case
    assert ct.type_of("xl/worksheets/sheet9.xml") == "application/xml"


def test_relationships_resolve_and_fresh_ids() -> None:
    assert resolve("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve("xl/worksheets/sheet1.xml", "../drawings/d1.xml") == "xl/drawings/d1.xml"
    assert resolve("xl/workbook.xml", "/xl/worksheets/sheet2.xml") == "xl/worksheets/sheet2.xml"
    rels = Relationships("xl/workbook.xml", b'<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         b'2006/relationships"><Relationship Id="rId2" Type="t" Target="a.xml"/>'
                         b'<Relationship Id="rId1" Type="h" Target="http://x" TargetMode="External"/>'
                         b"</Relationships>")
    assert rels.get("rId1").external and rels.get("rId2").part == "xl/a.xml"  # type: ignore[union-attr]
    rid = rels.add("t", "xl/worksheets/sheet9.xml")
    assert rid == "rId3" and rels.get(rid).target == "worksheets/sheet9.xml"  # type: ignore[union-attr]


# -- workbook -------------------------------------------------------------------------------------
def workbook_part(xml: str, rels: str) -> WorkbookPart:
    return WorkbookPart(xml.encode(), Relationships("xl/workbook.xml", rels.encode()))


RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'chartsheet" Target="chartsheets/sheet1.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
WB = (f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<bookViews><workbookView activeTab="2"/></bookViews>'
      '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/>'
      '<sheet name="图表" sheetId="4" r:id="rId2"/><sheet name="汇总" sheetId="2" r:id="rId3"/></sheets>'
      '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="2">\'汇总\'!$3:$3</definedName>'
      '<definedName name="x" localSheetId="0">\'台账\'!$A$1</definedName></definedNames>'
      '<extLst><ext uri="{x}"/></extLst></workbook>')


def test_sheets_after_a_chart_sheet_count_it() -> None:
    wb = workbook_part(WB, RELS)
    assert [(s.name, s.kind, s.index) for s in wb.sheets()] == [
        ("台账", "worksheet", 0), ("图表", "chartsheet", 1), ("汇总", "worksheet", 2)]
    entry = wb.add_sheet("排名", "rId9")
    assert entry.index == 3 and entry.sheet_id == 5  # after every sheet, a fresh id
    wb.set_print_titles(entry.index, "排名", (3, 3))
    root = parse(wb.to_bytes(), "wb")
    names = {(d.get("name"), d.get("localSheetId")): d.text for d in root.iter(f"{{{NS}}}definedName")}
    assert names[("_xlnm.Print_Titles", "3")] == "'排名'!$3:$3"
    assert names[("_xlnm.Print_Titles", "2")] == "'汇总'!$3:$3"


def test_removing_a_sheet_shifts_what_counts_by_position() -> None:
    wb = workbook_part(WB, RELS)
    wb.remove_sheet("图表")
    root = parse(wb.to_bytes(), "wb")
    names = {d.get("name"): d.get("localSheetId") for d in root.iter(f"{{{NS}}}definedName")}
    assert names == {"_xlnm.Print_Titles": "1", "x": "0"}
    assert root.find(f".//{{{NS}}}workbookView").get("activeTab") == "1"


@pytest.mark.parametrize("xml", [
    WB,  # no calcPr: it goes before extLst
    WB.replace("<extLst>", '<calcPr calcId="191029"/><extLst>'),
    '<ns2:workbook xmlns:ns2="' + NS + '"><ns2:sheets/></ns2:workbook>',  # Tencent Docs' prefix
])
def test_full_calculation_is_requested_in_schema_order(xml: str) -> None:
    wb = workbook_part(xml, RELS)
    wb.request_full_calculation()
    root = parse(wb.to_bytes(), "wb")
    order = [local(c) for c in root]
    assert root.find(f"{{{NS}}}calcPr").get("fullCalcOnLoad") == "1"
    assert order.index("calcPr") > order.index("sheets")
    if "extLst" in order:
        assert order.index("calcPr") == order.index("extLst") - 1
    if "calcId" in xml:
        assert root.find(f"{{{NS}}}calcPr").get("calcId") == "191029"
    again = workbook_part(wb.to_bytes().decode(), RELS)
    again.request_full_calculation()
    assert not again.changed  # asked once, not twice


# -- custom properties and marks -------------------------------------------------------------------------
WPS_CUSTOM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Properties xmlns="http://schemas.'
              b'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.'
              b'org/officeDocument/2006/docPropsVTypes">'
              b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
              b"<vt:lpwstr>2052-11.1.0.14309</vt:lpwstr></property></Properties>")


def test_marks_are_added_beside_the_users_properties() -> None:
    props = CustomProperties(WPS_CUSTOM)
    marks = Marks(("汇总", "通报"), {"项目台账": {"灯号": "AJ"}}, dt.date(2023, 7, 31))
    write_marks(props, marks)
    out = props.to_bytes()
    assert b'pid="2" name="KSOProductBuildVer"><vt:lpwstr>2052-11.1.0.14309</vt:lpwstr>' in out
    again = CustomProperties(out)
    assert parse_marks(again) == marks
    assert [p.get("pid") for p in again.root] == ["2", "3", "4", "5"]
    write_marks(again, marks)
    assert not again.changed  # the same marks: the part stays as it is
    assert again.to_bytes() == out


def test_unreadable_marks_mean_nothing_is_marked() -> None:
    props = CustomProperties(None)
    props.set("keyproject.sheets", "not json")
    props.set("keyproject.period", "七月")
    assert parse_marks(props) == Marks()


# -- styles -----------------------------------------------------------------------------------------
def test_styles_are_appended_never_renumbered(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as zf:
        original = zf.read("xl/styles.xml")
    styles = Stylesheet(original)
    before = [etree.tostring(x) for x in styles.xfs.items()]
    bold_red = Style(font=Font(bold=True, color="FF9C0006"), fill=Fill("FFFFC7CE"), border=Border())
    i = styles.derive(1, bold_red)
    assert styles.derive(1, bold_red) == i  # the same change: the same format
    j = styles.derive(1, Style(number_format="yyyy-mm-dd"))
    k = styles.derive(1, Style(number_format="0.00%"))
    assert [etree.tostring(x) for x in styles.xfs.items()][:len(before)] == before
    assert i >= len(before) and styles.xfs.get(k).get("numFmtId") == "10"  # built in
    assert int(styles.xfs.get(j).get("numFmtId")) >= 164  # a custom format of its own
    assert styles.derive(0, Style()) == 0  # no change: the base itself
    # saved and read again, the formats are found, not added a second time
    again = Stylesheet(styles.to_bytes())
    assert again.derive(1, bold_red) == i and not again.changed
    fill = again.fills.get(int(again.xfs.get(i).get("fillId")))
    assert fill.find(f".//{{{NS}}}fgColor").get("rgb") == "FFFFC7CE"


def test_a_workbook_without_styles_gets_a_stylesheet() -> None:
    styles = Stylesheet(None)
    i = styles.derive(0, Style(number_format="#,##0.00"))
    assert i == 1 and styles.xfs.get(1).get("numFmtId") == "4"


# -- calculation chain ----------------------------------------------------------------------------------
def test_calc_chain_entries_go_with_their_cells() -> None:
    xml = f'<calcChain xmlns="{NS}"><c r="A1" i="1"/><c r="A2"/><c r="B1" i="2"/></calcChain>'
    chain = CalcChain(xml.encode(), "xl/calcChain.xml")
    chain.remove(1, ["A1"])
    root = parse(chain.to_bytes(), "c")
    assert [(c.get("r"), c.get("i")) for c in root] == [("A2", "1"), ("B1", "2")]  # A2 keeps its sheet
    chain.add(2, ["C3"])
    chain.remove(1)
    root = parse(chain.to_bytes(), "c")
    assert [(c.get("r"), c.get("i")) for c in root] == [("B1", "2"), ("C3", None)]


# -- cells --------------------------------------------------------------------------------------------
def test_references() -> None:
    assert [column_letter(c) for c in (1, 26, 27, 35, 16384)] == ["A", "Z", "AA", "AI", "XFD"]
    assert column_index("xfd") == 16384 and split_ref("AK80") == (80, 37)
    assert parse_range("$C$5:A1") == (1, 1, 5, 3)


@pytest.mark.parametrize(("text", "escaped"), [
    ("a<b>&c", "a&lt;b&gt;&amp;c"),
    ("退格\x08与\x1f", "退格_x0008_与_x001F_"),
    ("字面_x0041_", "字面_x005F_x0041_"),
    ("回车\r换行\n", "回车&#13;换行\n"),
])
def test_text_is_escaped_for_xml_and_ooxml(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


def test_cells_hold_what_they_are_given(tmp_path: Path) -> None:
    cells = [Cell('=HYPERLINK("http://x","点我")'), Cell(" 前后空格 "), Cell(1.5), Cell(3), Cell(True),
             Cell(dt.date(2023, 7, 31), 0), Cell(float("nan")), Cell(0.5, formula="A3/2"),
             Cell("合计", formula='"合"&"计"')]
    sheet = Sheet([Row(1, [(i + 1, c) for i, c in enumerate(cells)])])
    path = tmp_path / "cells.xlsx"
    wb = openpyxl.Workbook()
    wb.save(path)
    with Package(path) as pkg:
        pkg.replace_worksheet(pkg.sheets()[0], worksheet_xml(sheet))
        pkg.save(tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    values = [c.value for c in ws[1]]
    assert values[:5] == ['=HYPERLINK("http://x","点我")', " 前后空格 ", 1.5, 3, True]
    assert ws["A1"].data_type == "s"  # formula-like text is text
    assert values[5] == 45138 and values[6] is None  # a date serial; NaN is no value
    assert values[7] == "=A3/2" and values[8] == '="合"&"计"'
    cached = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert cached["H1"].value == 0.5 and cached["I1"].value == "合计"  # formulas carry their results
    assert "<f>" not in cell_xml("A1", Cell("=1+1"))


def test_date_serials() -> None:
    assert date_serial(dt.date(2023, 7, 31)) == 45138
    assert date_serial(dt.datetime(2023, 7, 31, 12)) == 45138.5
    assert date_serial(dt.date(2023, 7, 31), date1904=True) == 45138 - 1462
    assert date_serial(dt.date(1900, 2, 28)) == 59


# -- generated worksheets -------------------------------------------------------------------------------
def test_generated_sheet_prints_and_freezes(tmp_path: Path) -> None:
    sheet = Sheet([Row(1, [(1, Cell("标题"))], 21), Row(3, [(1, Cell("序号")), (2, Cell("项目"))])],
                  {1: 8, 2: 30.5}, ["A1:B1"], freeze=(4, 3), page=PageSetup(landscape=False))
    xml = worksheet_xml(sheet)
    root = parse(xml, "ws")
    order = [local(c) for c in root]
    assert order == ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "mergeCells",
                     "printOptions", "pageMargins", "pageSetup"]
    wb = openpyxl.Workbook()
    path = tmp_path / "a.xlsx"
    wb.save(path)
    with Package(path) as pkg:
        pkg.replace_worksheet(pkg.sheets()[0], xml)
        pkg.save(tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx").active
    assert ws.freeze_panes == "C4" and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 30.5 and ws.row_dimensions[1].height == 21


# -- the package ------------------------------------------------------------------------------------------
def test_saving_untouched_is_byte_for_byte(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", "chart")
    with Package(path) as pkg:
        pkg.save(tmp_path / "b.xlsx")
        with pytest.raises(ValueError):
            pkg.save(path)  # never over its own source
    assert (tmp_path / "b.xlsx").read_bytes() == path.read_bytes()


def test_new_worksheet_and_marks_get_their_entries(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    with Package(path) as pkg:
        assert pkg.new_part_name("xl/worksheets/sheet{}.xml") == "xl/worksheets/sheet2.xml"
        entry = pkg.add_worksheet("汇总", worksheet_xml(Sheet([Row(1, [(1, Cell("汇总"))])])))
        pkg.set_marks(Marks(("汇总",), {}, dt.date(2023, 7, 31)))
        pkg.save(tmp_path / "b.xlsx", dt.datetime(2023, 8, 1, 9))
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames == ["项目台账", "汇总"] and entry.index == 1
    assert {p.name: p.value for p in wb.custom_doc_props.props}["keyproject.period"] == "2023-07-31"
    with Package(tmp_path / "b.xlsx") as pkg:
        assert pkg.marks().sheets == ("汇总",)


def test_a_replaced_sheet_takes_its_own_parts_with_it(tmp_path: Path) -> None:
    """keyproject's sheet, printed and commented by the user in Excel, is regenerated without them."""
    path = build(tmp_path / "a.xlsx", "comments")  # the ledger sheet has a comment (comments, VML parts)
    with Package(path) as pkg:
        entry = pkg.sheets()[0]
        pkg.replace_worksheet(entry, worksheet_xml(Sheet()))
        pkg.save(tmp_path / "b.xlsx")
    with zipfile.ZipFile(tmp_path / "b.xlsx") as zf:
        names = zf.namelist()
        ct = zf.read("[Content_Types].xml")
    assert not any("comments" in n or "vmlDrawing" in n or "worksheets/_rels" in n for n in names)
    assert b"comments1.xml" not in ct
    openpyxl.load_workbook(tmp_path / "b.xlsx")


def test_an_oversized_part_is_not_inflated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyproject.package.entries as entries

    path = build(tmp_path / "a.xlsx")
    monkeypatch.setattr(entries, "MAX_PART_BYTES", 1000)  # the real cap is 1 GB
    with ZipReader(path) as reader, pytest.raises(LedgerFileError, match="压缩炸弹"):
        reader.read("xl/worksheets/sheet1.xml")
