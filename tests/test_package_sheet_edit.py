"""A user's worksheet edited with the smallest change: the row scanner keeps every untouched byte, the
tree engine handles anything well-formed, and both give the same sheet."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from keyproject.package.cells import Cell, column_letter
from keyproject.package.sheet_edit import Derived, ExistingCell, SheetEdits, Unsupported, edit_sheet
from keyproject.package.styles import Fill, Style

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        '<dimension ref="A1:C4"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><cols><col min="1" max="3" width="12" '
        'customWidth="1"/></cols>')
TAIL = ('<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells><conditionalFormatting sqref="B3:B4">'
        '<cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/><cfvo type="max"/>'
        '<color rgb="FF638EC6"/>'
        '</dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" xmlns:x14="http://schemas.microsoft.'
        'com/office/spreadsheetml/2009/9/main"><x14:id>{00000000-000E-0000-0000-000001000000}</x14:id></ext>'
        '</extLst></cfRule></conditionalFormatting>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        'header="0.3" footer="0.3"/><legacyDrawing r:id="rId2"/></worksheet>')
ROWS = ('<sheetData><row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c></row>'
        '<row r="2" spans="1:3"><c r="A2" s="2" t="s"><v>1</v></c><c r="B2" s="2" t="s"><v>2</v></c>'
        '<c r="C2" s="2"/></row>'
        '<row r="3" spans="1:3"><c r="A3" s="3" t="inlineStr"><is><r><rPr><charset val="134"/>'
        '<family val="3"/>'
        '</rPr><t>甲</t></r></is></c><c r="B3" s="4"><v>100</v></c><c r="C3" s="5"><f>B3*2</f><v>200</v></c>'
        '</row><row r="4" spans="1:3" customFormat="1" s="7"><c r="A4" s="3" t="str"><f>"乙"</f><v>乙</v></c>'
        '<c r="B4" s="4"><v>50</v></c></row></sheetData>')
SHEET = (HEAD + ROWS + TAIL).encode()


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def owned_edits() -> SheetEdits:
    edits = SheetEdits(own_columns=frozenset({4, 5}), fresh_columns=frozenset({4, 5}), clear_from=3,
                       widths={4: 10, 5: 7}, merges=[], style_source=3,
                       derive=lambda base, change: base + 100)
    edits.put_cell(2, 4, Derived("差距(百分点)"))
    edits.put_cell(2, 5, Derived("灯号"))
    for r in (3, 4):
        edits.put_cell(r, 4, Derived(1.5 * r))
        edits.put_cell(r, 5, Derived("红", Style(fill=Fill("FFFFC7CE"))))
    return edits


def test_scanner_changes_only_the_cells_it_adds() -> None:
    result = edit_sheet(SHEET, owned_edits(), engine="scan")
    out = result.data.decode()
    # the untouched parts, byte for byte (the declaration's CRLF, the extension lists, the merges)
    assert out.startswith(HEAD.replace('<dimension ref="A1:C4"/>', '<dimension ref="A1:E4"/>')[:200])
    assert '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c></row>' in out
    assert "<conditionalFormatting" + TAIL.split("<conditionalFormatting", 1)[1] in out
    # the cells added, in the format of column C of the same row (+100: derived), spans widened
    assert '<c r="C2" s="2"/><c r="D2" s="2" t="inlineStr"><is><t>差距(百分点)</t></is></c>' in out
    assert '<row r="3" spans="1:5">' in out
    assert '<c r="D3" s="5"><v>4.5</v></c><c r="E3" s="105" t="inlineStr"><is><t>红</t></is></c></row>' in out
    # row 4 has no cell in column C: its last cell (B4, s=4) is the model
    assert '<c r="D4" s="4"><v>6</v></c>' in out
    assert out.count("<col ") == 3  # the user's A:C span, then keyproject's two columns
    assert canonical(result.data) == canonical(edit_sheet(SHEET, owned_edits(), engine="tree").data)


def test_a_second_pass_replaces_its_own_cells_and_removes_stale_ones() -> None:
    first = edit_sheet(SHEET, owned_edits(), engine="scan").data
    edits = owned_edits()
    edits.fresh_columns = frozenset()
    del edits.put[4]  # row 4 is no longer a project: its cells in keyproject's columns go
    second = edit_sheet(first, edits, engine="scan")
    assert not second.conflicts
    out = second.data.decode()
    assert '<c r="D4"' not in out and '<c r="E4"' not in out and '<c r="B4" s="4"><v>50</v></c></row>' in out
    assert out.count('<c r="D3"') == 1
    assert canonical(second.data) == canonical(edit_sheet(first, edits, engine="tree").data)
    assert edit_sheet(second.data, edits, engine="scan").data == second.data  # stable


def test_a_fresh_column_holding_the_users_content_is_a_conflict() -> None:
    sheet = SHEET.replace(b'<c r="B4" s="4"><v>50</v></c>',
                          b'<c r="B4" s="4"><v>50</v></c><c r="D4"><f>B4</f></c>')
    for engine in ("scan", "tree"):
        assert edit_sheet(sheet, owned_edits(), engine=engine).conflicts == {4}


def test_user_values_keep_their_format_and_formulas_stay() -> None:
    seen: list[ExistingCell | None] = []

    def edit(value: float):  # type: ignore[no-untyped-def]
        def apply(existing: ExistingCell | None) -> Cell | None:
            seen.append(existing)
            if existing is not None and existing.has_formula:
                return None
            return Cell(value, existing.style if existing else 9)
        return apply

    edits = SheetEdits()
    edits.set_value(3, 2, edit(123.0))  # B3, a number
    edits.set_value(3, 3, edit(7.0))  # C3, a formula: left
    edits.set_value(4, 3, edit(8.0))  # C4, no such cell: inserted between B4 and the end
    edits.set_value(2, 3, edit(1.0))  # C2, an empty styled cell
    results = {engine: edit_sheet(SHEET, edits, engine=engine) for engine in ("scan", "tree")}
    out = results["scan"].data.decode()
    assert '<c r="B3" s="4"><v>123</v></c><c r="C3" s="5"><f>B3*2</f><v>200</v></c>' in out
    assert '<c r="B4" s="4"><v>50</v></c><c r="C4" s="9"><v>8</v></c></row>' in out
    assert '<c r="C2" s="2"><v>1</v></c>' in out
    assert canonical(results["scan"].data) == canonical(results["tree"].data)
    formulas = [e for e in seen if e is not None and e.has_formula]
    assert {e.ref for e in formulas} == {"C3"}


@pytest.mark.parametrize("sheet", [
    SHEET.replace(b'<row r="3" spans="1:3">', "<!-- 备注 -->".encode() + b'<row r="3" spans="1:3">'),
    SHEET.replace(b'<row r="4"', b'<?kp note?><row r="4"'),  # a processing instruction
    SHEET.replace(b"<v>100</v>", b"<v><![CDATA[100]]></v>"),  # CDATA
    SHEET.replace(b' r="C3"', b""),  # the row's last cell without its reference
    SHEET.replace(b'<row r="4"', b"<row"),  # a row without its number
    f'<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row>'
    f'<x:row r="3"><x:c r="A3"><x:v>2</x:v></x:c></x:row><x:row r="4"/></x:sheetData></x:worksheet>'.encode(),
])
def test_the_tree_engine_takes_what_the_scanner_does_not_read(sheet: bytes) -> None:
    with pytest.raises(Unsupported):
        edit_sheet(sheet, owned_edits(), engine="scan")
    result = edit_sheet(sheet, owned_edits())
    assert result.engine == "tree"
    root = etree.fromstring(result.data)
    refs = {c.get("r") for c in root.iter(f"{{{NS}}}c")}
    assert {"D3", "E3", "D4", "E4"} <= refs
    if b"<!--" in sheet or b"<?kp" in sheet:
        assert b"<!-- \xe5\xa4\x87\xe6\xb3\xa8 -->" in result.data or b"<?kp note?>" in result.data  # kept


# -- the engines agree on any sheet -------------------------------------------------------------------
def _sheet_xml(rows: dict[int, dict[int, tuple[str, int]]]) -> bytes:
    body = []
    for r in sorted(rows):
        cells = "".join(
            f'<c r="{column_letter(c)}{r}" s="{s}"/>' if kind == "empty" else
            f'<c r="{column_letter(c)}{r}" s="{s}"><f>A1</f><v>1</v></c>' if kind == "formula" else
            f'<c r="{column_letter(c)}{r}" s="{s}" t="inlineStr"><is><t>文{c}</t></is></c>'
            if kind == "text" else
            f'<c r="{column_letter(c)}{r}" s="{s}"><v>{c}.5</v></c>'
            for c, (kind, s) in sorted(rows[r].items()))
        body.append(f'<row r="{r}">{cells}</row>' if cells else f'<row r="{r}"/>')
    return (f'<worksheet xmlns="{NS}"><dimension ref="A1"/><sheetData>{"".join(body)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            "</worksheet>").encode()


cells = st.tuples(st.sampled_from(["value", "text", "empty", "formula"]), st.integers(0, 5))
sheets = st.dictionaries(st.integers(1, 12), st.dictionaries(st.integers(1, 9), cells, max_size=6),
                         min_size=1, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets, st.sets(st.integers(5, 10), min_size=1, max_size=3), st.sets(st.integers(1, 14), max_size=8),
       st.booleans(), st.dictionaries(st.integers(1, 14), st.integers(1, 9), max_size=4), st.booleans())
def test_both_engines_give_the_same_sheet(rows: dict[int, dict[int, tuple[str, int]]], own: set[int],
                                          project_rows: set[int], fresh: bool,
                                          values: dict[int, int], retire: bool) -> None:
    data = _sheet_xml(rows)
    retired = frozenset({max(own) + 1}) if retire and not fresh else frozenset()
    edits = SheetEdits(own_columns=frozenset(own) | retired,
                       fresh_columns=frozenset(own) if fresh else frozenset(), retired=retired,
                       clear_from=3, style_source=min(own) - 1, derive=lambda base, change: base + 10,
                       widths={c: 9 for c in own})
    for r in project_rows:
        for c in own:
            edits.put_cell(r, c, Derived(f"项{r}", Style(fill=Fill("FF00FF00")) if c == max(own) else None))
    for r, c in values.items():
        if c not in own | retired:
            edits.set_value(r, c, lambda ex, r=r: Cell(r * 1.0, ex.style if ex else 0))
    tree = edit_sheet(data, edits, engine="tree")
    try:
        scan = edit_sheet(data, edits, engine="scan")
    except Unsupported:
        return
    assert scan.conflicts == tree.conflicts
    if not scan.conflicts:
        assert canonical(scan.data) == canonical(tree.data)
        assert sorted(scan.removed_formulas) == sorted(tree.removed_formulas)


@pytest.mark.parametrize("tag", [
    b'<c r="AB123" s="14" t="s">', b'<c r="A1"/>', b"<c r='A1' s='2'>", b'<c r="A1"s="2">',
    b'<c r = "A1" >', b'<c  r="A1" x:y="a b">', b'<c\tr="A1"\n s="3" />', b'<c r="A1" s="1" s="2">',
    b'<c r="A1" t=>', b'<c r="A1" =="x">', b'<c r="A1" a/b="x">', b'<c r="A1" v="it\'s">',
    b'<c r="A1" junk>', b'<c r="A1" t="s"', b'<c r="A1 s="2">',
])
def test_the_fast_attribute_path_agrees_with_the_tokenizer(tag: bytes) -> None:
    from keyproject.package.sheet_scan import _attributes, _tokenized_attributes

    end = tag.rindex(b">") if tag.endswith(b">") else len(tag)

    def attrs(fn):
        try:
            return fn(tag, 2, end)
        except Unsupported:
            return "unsupported"

    assert attrs(_attributes) == attrs(_tokenized_attributes)
