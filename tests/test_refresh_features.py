"""Feature survival: a refresh in place keeps everything the user made, part for part.

Each workbook carries one thing offices keep in their ledgers: made with XlsxWriter (which writes files
the way Excel does), or a file saved by Excel, WPS, Tencent Docs, POI … with a small ledger grafted in
(``../shared/realworld``). After ``kp refresh`` in place every zip entry outside keyproject's own is
byte-identical, the ledger sheet's XML differs only in keyproject's columns and the dimension
(``wbcompare.package_differences``), nothing is refused, the result reads in openpyxl and
python-calamine with the same figures, and a second refresh writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc
from lxml import etree
from realworld import realworld
from wbcompare import package_differences, zip_parts
from xlsx_fixtures import FEATURES, SHEET, add_vml_line, build, graft_ledger

from keyproject.package import column_index
from keyproject.reader import read_ledger
from keyproject.workbook.refresh import refresh_workbook

NOW = dt.datetime(2023, 8, 1, 9, 0)
AS_OF = dt.date(2023, 7, 31)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FIGURES = ["name", "annual_plan", "ytd_completed", "planned_start", "actual_start"]

WPS_LINE = "corpus/apache+poi/test-data/integration/stress020.xlsx"  # WPS: 斜线表头 VML line, KSO properties
WPS_CELL_IMAGES = "corpus/SheetJS+test_files/wps/image.xlsx"  # WPS: photos in cells (cellimages.xml)
WHOLE_COLUMN_MERGE = "corpus/ClosedXML+ClosedXML/ClosedXML.Tests/Resource/TryToLoad/DrawingSizeInPx.xlsx"
CLOSEDXML = "corpus/ClosedXML+ClosedXML/ClosedXML.Tests/Resource/TryToLoad"
GRAFTS = {
    "wps_line": WPS_LINE,
    "wps_cell_images": WPS_CELL_IMAGES,
    "whole_column_merge": WHOLE_COLUMN_MERGE,
    "no_calcpr_poi": "corpus/apache+poi/test-data/spreadsheet/picture.xlsx",
    "no_calcpr_easyexcel": "corpus/alibaba+easyexcel/easyexcel-test/src/test/resources/compatibility/"
                           "t04.xlsx",
    "chart_sheet_excel": "corpus/apache+poi/test-data/spreadsheet/WithChartSheet.xlsx",
    "rich_data_picture": "corpus/tafia+calamine/tests/picture_richdata.xlsx",
    "pivots_excel": "corpus/tafia+calamine/tests/pivots.xlsx",
    "embedded_ole": "corpus/apache+poi/test-data/spreadsheet/ExcelWithAttachments.xlsm",
    "pivot_table_sources": f"{CLOSEDXML}/TemplateWithTableSourcePivotTables.xlsx",
    "form_controls": f"{CLOSEDXML}/LO/xlsx/singlecontrol.xlsx",
    "custom_views": f"{CLOSEDXML}/LoadFileWithCustomSheetViews.xlsx",
}
DERIVED = ["pivot_real.xlsx", "pivot_real2.xlsx", "extlink_real.xlsx", "extlink_poi.xlsx",
           "threaded_real.xlsx", "tencent_docs.xlsx", "xlsm.xlsm", "xlsm_button.xlsm", "custom_theme.xlsx"]


def figures(path: Path) -> pd.DataFrame:
    ledger = read_ledger(path)
    return ledger.projects[[c for c in FIGURES if c in ledger.projects.columns]].reset_index(drop=True)


def cached_values(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's values as a reader of cached results (python-calamine) sees them."""
    book = pc.CalamineWorkbook.from_path(str(path))
    out = {}
    for name in book.sheet_names:
        try:
            out[name] = book.get_sheet_by_name(name).to_python()
        except Exception:  # chart and macro sheets hold no cells
            continue
    return out


def without_columns(rows: list[list[object]], columns: set[int]) -> list[list[object]]:
    trimmed = [[v for c, v in enumerate(r, start=1) if c not in columns] for r in rows]
    for r in trimmed:
        while r and r[-1] == "":
            r.pop()
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def check_refresh(path: Path, as_of: dt.date | None = None, with_openpyxl: bool = True,
                  live: bool = False) -> object:
    """Refresh ``path`` in place and check everything the module docstring promises (``with_openpyxl``:
    also load it with openpyxl, unless openpyxl itself takes minutes on the file; ``live``: with
    ``--live``, whose formulas and conditional formats are keyproject's own too)."""
    before = figures(path)
    values = cached_values(path)
    readable = with_openpyxl and _openpyxl(path) is not None  # a few real files openpyxl cannot load
    result = refresh_workbook(path, as_of=as_of, now=NOW, live=live)
    assert result.backup is not None and result.losses == []
    assert package_differences(result.backup, path, result) == []
    assert set(result.sheets) == {"汇总", "红黄绿灯", "排名", "问题清单", "通报"}
    wb = _openpyxl(path) if with_openpyxl else None
    assert (wb is not None) == readable
    if wb is not None:
        assert set(result.sheets.values()) <= set(wb.sheetnames)
        for sheet, columns in result.sheet_columns.items():
            headers = {wb[sheet][f"{letter}{r}"].value for letter in columns.values() for r in range(1, 8)}
            assert set(columns) <= headers
    book = pc.CalamineWorkbook.from_path(str(path))
    for name in result.sheets.values():
        assert book.get_sheet_by_name(name).to_python()
    pd.testing.assert_frame_equal(figures(path), before)  # keyproject reads its result back the same
    # every cached result and value of the user's, the user's formulas' included, is still there
    after = cached_values(path)
    for name, rows in values.items():
        owned = {column_index(x) for x in result.sheet_columns.get(name, {}).values()}
        assert without_columns(after[name], owned) == without_columns(rows, owned), name
    first = zip_parts(path)
    refresh_workbook(path, as_of=as_of, now=NOW + dt.timedelta(minutes=5), live=live)
    assert zip_parts(path) == first  # a second refresh changes nothing
    if live:
        _check_live(path, result)
    return result


def _check_live(path: Path, result) -> None:  # type: ignore[no-untyped-def]
    """The live columns are formulas whose cached results are the report's, coloured by keyproject's
    conditional formats (recorded in its marks), with no fill of their own."""
    from wbcompare import _sheet_parts

    assert result.live is not None and result.live.rows == len(result.report.projects)
    # every threshold is a cell of 设置 (the sheet or its rows added when missing)
    assert set(result.live.thresholds) == {"黄灯差距", "红灯差距", "开工滞后红灯月数"}
    assert all(result.live.thresholds.values()) and result.live.settings_sheet
    parts = zip_parts(path)
    cached = cached_values(path)
    book = _openpyxl(path)  # (a few real files openpyxl cannot load)
    label = result.report.rules.light_label
    for sheet, columns in result.sheet_columns.items():
        root = etree.fromstring(parts[_sheet_parts(parts)[sheet]])
        cells = {c.get("r"): c for c in root.iter(f"{{{NS}}}c")}
        rows = result.report.projects[result.report.projects["sheet"] == sheet]
        col = column_index(columns["灯号"])
        for row, light in zip(rows["row"], rows["light"], strict=True):
            ref = f"{columns['灯号']}{int(row)}"
            formula = cells[ref].findtext(f"{{{NS}}}f") or ""
            assert formula.startswith("IFERROR(") and f"'{result.live.settings_sheet}'!$B$" in formula
            assert cached[sheet][int(row) - 1][col - 1] == (label(light) if isinstance(light, str) else "")
            if book is not None:
                assert book[sheet][ref].fill.fgColor.rgb in (None, "00000000")
        cf = [b for b in root.iter(f"{{{NS}}}conditionalFormatting")
              if any(f.text == '"红"' for f in b.iter(f"{{{NS}}}formula"))]
        assert [b.get("sqref") for b in cf] == result.live.conditional[sheet]


def _openpyxl(path: Path) -> openpyxl.Workbook | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes about content it does not read
        try:
            return openpyxl.load_workbook(path)
        except Exception:
            return None


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_xlsxwriter_feature_survives(feature: str, tmp_path: Path) -> None:
    check_refresh(build(tmp_path / f"{feature}.xlsx", feature))


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_xlsxwriter_feature_survives_a_live_refresh(feature: str, tmp_path: Path) -> None:
    check_refresh(build(tmp_path / f"{feature}.xlsx", feature), live=True)


def test_xlsm_macros_survive(tmp_path: Path) -> None:
    path = build(tmp_path / "台账.xlsm", "button", vba=True)
    with zipfile.ZipFile(path) as zf:
        vba = zf.read("xl/vbaProject.bin")
    check_refresh(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled" in zf.read("[Content_Types].xml")


@pytest.mark.parametrize("name", DERIVED)
def test_real_files_with_a_grafted_ledger_survive(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    shutil.copyfile(realworld(f"derived/{name}"), path)
    check_refresh(path, AS_OF)


@pytest.mark.parametrize("name", sorted(GRAFTS))
def test_files_saved_by_other_programs_survive(name: str, tmp_path: Path) -> None:
    src = realworld(GRAFTS[name])
    path = graft_ledger(src, tmp_path / f"{name}{src.suffix}")
    check_refresh(path, AS_OF, with_openpyxl=name != "whole_column_merge")


@pytest.mark.parametrize("name", [*DERIVED, *sorted(GRAFTS)])
def test_real_files_survive_a_live_refresh(name: str, tmp_path: Path) -> None:
    if name in GRAFTS:
        src = realworld(GRAFTS[name])
        path = graft_ledger(src, tmp_path / f"{name}{src.suffix}")
    else:
        path = tmp_path / name
        shutil.copyfile(realworld(f"derived/{name}"), path)
    check_refresh(path, AS_OF, with_openpyxl=name != "whole_column_merge", live=True)


def test_wps_file_keeps_its_properties_cell_images_and_diagonal_line(tmp_path: Path) -> None:
    path = graft_ledger(realworld(WPS_CELL_IMAGES), tmp_path / "wps.xlsx")
    # the WPS 斜线表头 line drawn in the ledger's own header, as WPS saves it
    with zipfile.ZipFile(realworld(WPS_LINE)) as zf:
        line = zf.read("xl/drawings/vmlDrawing1.vml")
    add_vml_line(path, "xl/worksheets/sheet2.xml", line)
    result = check_refresh(path, AS_OF)
    parts = zip_parts(path)
    assert parts["xl/drawings/vmlDrawing9.vml"] == line and b"<v:line" in line
    assert b'<legacyDrawing r:id="rIdVml9"/>' in parts["xl/worksheets/sheet2.xml"]
    with zipfile.ZipFile(realworld(WPS_CELL_IMAGES)) as zf:
        assert parts["xl/cellimages.xml"] == zf.read("xl/cellimages.xml")
        assert parts["xl/media/image1.jpeg"] == zf.read("xl/media/image1.jpeg")
    props = {p.get("name"): "".join(p.itertext()) for p in etree.fromstring(parts["docProps/custom.xml"])}
    assert props["KSOProductBuildVer"] == "1033-11.2.0.11373" and props["keyproject.period"] == "2023-07-31"
    assert result.columns == {"差距(百分点)": "G", "灯号": "H"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["no_calcpr_poi", "no_calcpr_easyexcel"])
def test_a_workbook_without_calcpr_gets_one(name: str, tmp_path: Path) -> None:
    path = graft_ledger(realworld(GRAFTS[name]), tmp_path / "a.xlsx")
    assert b"calcPr" not in zip_parts(path)["xl/workbook.xml"]
    refresh_workbook(path, as_of=AS_OF, now=NOW)
    root = etree.fromstring(zip_parts(path)["xl/workbook.xml"])
    calc = root.find(f"{{{NS}}}calcPr")
    assert calc is not None and calc.get("fullCalcOnLoad") == "1"
    order = [etree.QName(c).localname for c in root]
    assert order.index("calcPr") > order.index("sheets")
    assert all(order.index("calcPr") < order.index(n) for n in ("pivotCaches", "extLst") if n in order)


def test_print_titles_land_on_keyprojects_sheet_behind_a_chart_sheet(tmp_path: Path) -> None:
    path = graft_ledger(realworld(GRAFTS["chart_sheet_excel"]), tmp_path / "a.xlsx")
    result = refresh_workbook(path, as_of=AS_OF, now=NOW)
    wb = openpyxl.load_workbook(path)
    lights = wb[result.sheets["红黄绿灯"]]
    assert lights.print_title_rows == "$3:$3"
    assert all(ws.print_title_rows in (None, "$3:$3") for ws in wb.worksheets)
    assert sum(ws.print_title_rows == "$3:$3" for ws in wb.worksheets) == 1
    refresh_workbook(path, as_of=AS_OF, now=NOW)  # and the next refresh works too
    assert openpyxl.load_workbook(path)[result.sheets["红黄绿灯"]].print_title_rows == "$3:$3"


def test_whole_column_merge_is_quick(tmp_path: Path) -> None:
    """A 1 MB real file with B1:B1048576 merged on a side sheet took 2 min 15 s and 716 MB with openpyxl."""
    path = graft_ledger(realworld(WHOLE_COLUMN_MERGE), tmp_path / "a.xlsx")
    size = path.stat().st_size
    start = time.process_time()
    refresh_workbook(path, as_of=AS_OF, now=NOW)
    assert time.process_time() - start < 20  # generous for a loaded CI machine; ~0.1 s here
    assert path.stat().st_size < size + 50_000


def test_both_engines_write_the_same_ledger(tmp_path: Path) -> None:
    """The row scanner and lxml's tree agree on a real refresh (the scanner keeps the bytes)."""
    a = build(tmp_path / "a.xlsx", "tables_links_names")
    b = tmp_path / "b.xlsx"
    shutil.copyfile(a, b)
    refresh_workbook(a, now=NOW)
    refresh_workbook(b, now=NOW, engine="tree")
    pa, pb = zip_parts(a), zip_parts(b)
    part = "xl/worksheets/sheet1.xml"
    assert etree.tostring(etree.fromstring(pa[part]), method="c14n") == \
        etree.tostring(etree.fromstring(pb[part]), method="c14n")
    assert {n for n in pa if pa[n] != pb.get(n)} <= {part}


def test_ledger_sheet_bytes_change_only_in_keyprojects_cells(tmp_path: Path) -> None:
    """Byte level: the scanner copies every untouched row and element as it was."""
    path = build(tmp_path / "a.xlsx", "data_bars_icon_sets")
    before = zip_parts(path)["xl/worksheets/sheet1.xml"]
    refresh_workbook(path, now=NOW)
    after = zip_parts(path)["xl/worksheets/sheet1.xml"]
    tail = before[before.index(b"</sheetData>"):]
    assert after.endswith(tail[tail.index(b"<conditionalFormatting"):])  # x14 extensions, byte for byte
    first_row = before[before.index(b'<row r="1"'):before.index(b'<row r="2"')]
    assert first_row in after  # the title row is not a project row: untouched
    assert SHEET  # (the ledger sheet of the fixture)
