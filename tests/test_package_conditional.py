"""keyproject's conditional formats in a user's worksheet (``package.conditional``): written after the
user's, recognised on the next pass and replaced (never duplicated), the user's rules untouched; their
dxf formats appended to styles.xml without renumbering; both sheet engines agree."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from keyproject.package.conditional import ConditionalFormat, TextHighlight, is_highlight, text_literal
from keyproject.package.custom import CustomProperties
from keyproject.package.marks import CONDITIONAL_PROPERTY, Marks, parse_marks, write_marks
from keyproject.package.sheet_edit import Derived, SheetEdits, edit_sheet
from keyproject.package.styles import Fill, Font, Style, Stylesheet

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
USER_CF = ('<conditionalFormatting sqref="B3:B4"><cfRule type="cellIs" dxfId="0" priority="2" '
           'operator="greaterThan"><formula>60</formula></cfRule></conditionalFormatting>')
USER_TEXT_CF = ('<conditionalFormatting sqref="C2:E9"><cfRule type="cellIs" dxfId="1" priority="1" '
                'operator="equal"><formula>"是"</formula></cfRule></conditionalFormatting>')
X14_CF = (f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}">'
          '<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/'
          'excel/2006/main"><x14:cfRule type="dataBar" priority="7" id="{1}"><x14:dataBar/></x14:cfRule>'
          '<xm:sqref>C3:C4</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')


def sheet(cf: str = USER_CF, ext: str = X14_CF) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="{NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<dimension ref="A1:C4"/><sheetData>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>名称</t></is></c></row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><t>甲</t></is></c><c r="B3"><v>70</v></c></row>'
            '<row r="4"><c r="A4" t="inlineStr"><is><t>乙</t></is></c><c r="B4"><v>50</v></c></row>'
            '</sheetData>'
            f'<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>{cf}'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'{ext}</worksheet>').encode()


RED = Style(fill=Fill("FFFFC7CE"), font=Font(bold=True, color="FF9C0006"))
GREEN = Style(fill=Fill("FFC6EFCE"), font=Font(bold=True, color="FF006100"))
LIGHTS = (TextHighlight("红", RED), TextHighlight("绿", GREEN), TextHighlight('说"明"', GREEN))


def edits(fresh: bool, formats: bool = True, recorded: frozenset[str] = frozenset()) -> SheetEdits:
    e = SheetEdits(own_columns=frozenset({4, 5}), fresh_columns=frozenset({4, 5}) if fresh else frozenset(),
                   clear_from=3, derive=lambda base, change: base, dxf=lambda style: 10 + (style is GREEN),
                   own_conditional=recorded)
    for r in (3, 4):
        e.put_cell(r, 4, Derived(1.5 * r, None, "B3*2"))
        e.put_cell(r, 5, Derived("红", None, 'IF(B3>60,"绿","红")'))
    if formats:
        e.conditional.append(ConditionalFormat("E3:E4", LIGHTS))
    return e


def blocks(data: bytes) -> list[etree._Element]:
    return etree.fromstring(data).findall(f"{{{NS}}}conditionalFormatting")


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


@pytest.mark.parametrize("engine", ["scan", "tree"])
def test_rules_follow_the_users_with_priorities_after_theirs(engine: str) -> None:
    out = edit_sheet(sheet(), edits(fresh=True), engine=engine).data
    text = out.decode()
    assert text.count(USER_CF) == 1
    user, mine = blocks(out)
    assert user.get("sqref") == "B3:B4" and mine.get("sqref") == "E3:E4"
    rules = list(mine)
    assert [r.get("priority") for r in rules] == ["8", "9", "10"]  # after the x14 rule's 7
    assert [r.findtext(f"{{{NS}}}formula") for r in rules] == ['"红"', '"绿"', '"说""明"""']
    assert [r.get("dxfId") for r in rules] == ["10", "11", "11"]
    assert all(is_highlight(r) for r in rules)
    if engine == "scan":  # every byte outside the cells and the new block is the original's
        original = sheet().decode()
        assert text.startswith(original[:original.index("<dimension")])
        start = text.index('<conditionalFormatting sqref="E3:E4"')
        block = text[start:text.index("</conditionalFormatting>", start) + len("</conditionalFormatting>")]
        assert text.endswith(original[original.index(USER_CF):].replace(USER_CF, USER_CF + block))


def test_both_engines_write_the_same_rules_and_a_second_pass_replaces_them() -> None:
    scan = edit_sheet(sheet(), edits(fresh=True), engine="scan").data
    tree = edit_sheet(sheet(), edits(fresh=True), engine="tree").data
    assert canonical(scan) == canonical(tree)
    for engine in ("scan", "tree"):
        again = edit_sheet(scan, edits(fresh=False), engine=engine).data
        assert canonical(again) == canonical(scan)  # replaced, not duplicated
    assert edit_sheet(scan, edits(fresh=False), engine="scan").data == scan  # byte for byte


def test_without_formats_keyprojects_rules_go_and_the_users_stay() -> None:
    first = edit_sheet(sheet(USER_CF + USER_TEXT_CF), edits(fresh=True), engine="scan").data
    assert len(blocks(first)) == 3
    for engine in ("scan", "tree"):
        plain = edit_sheet(first, edits(fresh=False, formats=False), engine=engine).data
        assert [b.get("sqref") for b in blocks(plain)] == ["B3:B4", "C2:E9"]
        # the user's own text rule over a range wider than keyproject's columns is theirs
        assert blocks(plain)[1][0].findtext(f"{{{NS}}}formula") == '"是"'


def test_a_rule_the_user_added_to_keyprojects_range_stays() -> None:
    """Excel keeps a range's rules in one block: the user's rule there stays, keyproject's go."""
    first = edit_sheet(sheet(), edits(fresh=True), engine="scan").data
    root = etree.fromstring(first)
    mine = root.findall(f"{{{NS}}}conditionalFormatting")[1]
    theirs = etree.SubElement(mine, f"{{{NS}}}cfRule",
                              {"type": "containsBlanks", "dxfId": "0", "priority": "11"})
    etree.SubElement(theirs, f"{{{NS}}}formula").text = "LEN(TRIM(E3))=0"
    mixed = etree.tostring(root)
    for engine in ("scan", "tree"):
        again = edit_sheet(mixed, edits(fresh=False), engine=engine).data
        found = blocks(again)
        assert [b.get("sqref") for b in found] == ["B3:B4", "E3:E4", "E3:E4"]
        assert [r.get("type") for r in found[1]] == ["containsBlanks"]
        assert [r.get("priority") for r in found[2]] == ["12", "13", "14"]


def test_a_text_rule_in_a_column_taken_this_time_is_the_users() -> None:
    """A user's rule on the empty column keyproject takes on its first refresh is left alone."""
    theirs = USER_TEXT_CF.replace("C2:E9", "E3:E4")
    out = edit_sheet(sheet(USER_CF + theirs), edits(fresh=True), engine="scan").data
    assert [b.get("sqref") for b in blocks(out)] == ["B3:B4", "E3:E4", "E3:E4"]
    assert blocks(out)[1][0].findtext(f"{{{NS}}}formula") == '"是"'


def test_recorded_ranges_and_moved_ranges_are_recognised() -> None:
    first = edit_sheet(sheet(), edits(fresh=True), engine="scan").data
    # rows inserted in Excel: the range moved down, still inside keyproject's column
    moved = first.replace(b'sqref="E3:E4"', b'sqref="E4:E5"')
    again = edit_sheet(moved, edits(fresh=False), engine="scan").data
    assert [b.get("sqref") for b in blocks(again)] == ["B3:B4", "E3:E4"]
    # a range outside keyproject's columns now, but recorded in its marks as its own
    away = first.replace(b'sqref="E3:E4"', b'sqref="H3:H4"')
    kept = edit_sheet(away, edits(fresh=False), engine="scan").data
    assert [b.get("sqref") for b in blocks(kept)] == ["B3:B4", "H3:H4", "E3:E4"]
    gone = edit_sheet(away, edits(fresh=False, recorded=frozenset({"H3:H4"})), engine="scan").data
    assert [b.get("sqref") for b in blocks(gone)] == ["B3:B4", "E3:E4"]


def test_a_sheet_without_conditional_formats_gets_its_block_in_schema_order() -> None:
    data = sheet(cf="", ext="").replace(b"<pageMargins", b'<dataValidations count="0"/><pageMargins')
    for engine in ("scan", "tree"):
        out = edit_sheet(data, edits(fresh=True), engine=engine).data
        order = [etree.QName(c).localname for c in etree.fromstring(out)]
        assert order.index("mergeCells") < order.index("conditionalFormatting") \
            < order.index("dataValidations")
        assert [r.get("priority") for r in blocks(out)[0]] == ["1", "2", "3"]
    untouched = edit_sheet(sheet(), edits(fresh=True, formats=False), engine="scan").data
    assert [b.get("sqref") for b in blocks(untouched)] == ["B3:B4"]


def test_dxfs_are_appended_never_renumbered_and_found_again() -> None:
    base = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<fonts count="1"><font><sz val="11"/></font></fonts><cellXfs count="1"><xf/></cellXfs>'
            b'<dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font></dxf></dxfs><tableStyles count="0"/>'
            b'</styleSheet>')
    styles = Stylesheet(base)
    assert styles.dxf(RED) == 1 and styles.dxf(GREEN) == 2 and styles.dxf(RED) == 1
    data = styles.to_bytes()
    assert b'<dxf><font><color rgb="FF9C0006"/></font></dxf>' in data  # the user's, first and unchanged
    assert b'<dxfs count="3">' in data
    assert (b'<dxf><font><b/><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/>'
            b'</patternFill></fill></dxf>') in data
    again = Stylesheet(data)
    assert again.dxf(GREEN) == 2 and again.dxf(RED) == 1 and not again.changed
    dxfs = b'<dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font></dxf></dxfs>'
    fresh = Stylesheet(base.replace(dxfs, b""))
    assert fresh.dxf(GREEN) == 0
    order = [etree.QName(c).localname for c in etree.fromstring(fresh.to_bytes())]
    assert order == ["fonts", "cellXfs", "dxfs", "tableStyles"]


def test_marks_record_the_ranges_only_while_there_are_some() -> None:
    props = CustomProperties(None)
    write_marks(props, Marks(("汇总",), {"台账": {"灯号": "E"}}, dt.date(2023, 7, 31), {"台账": ("E3:E4",)}))
    assert parse_marks(props).conditional_of("台账") == frozenset({"E3:E4"})
    write_marks(props, Marks(("汇总",), {"台账": {"灯号": "E"}}, dt.date(2023, 7, 31), {"台账": ()}))
    assert props.get(CONDITIONAL_PROPERTY) is None and parse_marks(props).conditional == {}
    props.set(CONDITIONAL_PROPERTY, "not json")
    assert parse_marks(props).conditional == {}


def test_text_literals_and_highlights() -> None:
    assert text_literal('说"明"') == '"说""明"""'
    rule = etree.fromstring(f'<cfRule xmlns="{NS}" type="cellIs" operator="equal" dxfId="0" priority="1">'
                            '<formula>"红"</formula></cfRule>')
    assert is_highlight(rule)
    for other in ('"红"&A1', "A1", '"a"b"'):
        rule[0].text = other
        assert not is_highlight(rule)
