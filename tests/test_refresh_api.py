"""The write API the next features compute content for: new values in the user's cells (their
formats kept), any number of owned columns, owned formula cells with cached results, keyproject's
marks (the period included), the print setup of keyproject's sheets, and ledgers over several sheets."""

from __future__ import annotations

import datetime as dt
import shutil
import types
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc
from lxml import etree
from realworld import realworld
from wbcompare import package_differences, zip_parts
from xlsx_fixtures import FIRST_PROJECT_ROW, PROJECTS, SHEET, build, two_sheet_ledger

from keyproject.engine.report import Report
from keyproject.ledger import SheetLayout
from keyproject.package import Package, column_index
from keyproject.reader import read_ledger
from keyproject.views import Light
from keyproject.workbook.columns import OwnedColumn
from keyproject.workbook.refresh import default_columns, refresh_workbook
from keyproject.workbook.updates import CellEdit

NOW = dt.datetime(2023, 8, 1, 9, 0)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cell_xml(path: Path, part: str, ref: str) -> etree._Element:
    root = etree.fromstring(zip_parts(path)[part])
    return next(c for c in root.iter(f"{{{NS}}}c") if c.get("r") == ref)


# (a) text and number edits into the user's cells ---------------------------------------------------------
def test_period_texts_are_rewritten_in_the_users_format(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    title = cell_xml(path, "xl/worksheets/sheet1.xml", "A1")
    header = cell_xml(path, "xl/worksheets/sheet1.xml", "F5")
    result = refresh_workbook(path, now=NOW, cell_edits=[
        CellEdit(SHEET, 1, 1, "2023年富顺县重大项目推进情况表（1-8月）"),
        CellEdit(SHEET, 5, 6, "1-8月完成投资")])
    assert [e.ref for e in result.edits] == ["A1", "F5"]
    after_title = cell_xml(path, "xl/worksheets/sheet1.xml", "A1")
    after_header = cell_xml(path, "xl/worksheets/sheet1.xml", "F5")
    assert after_title.get("s") == title.get("s") and after_header.get("s") == header.get("s")
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws["A1"].value.endswith("（1-8月）") and ws["F5"].value == "1-8月完成投资"
    assert "A1:K1" in {str(m) for m in ws.merged_cells.ranges}  # the title's merge stays


# (b) any number of owned columns -------------------------------------------------------------------------
def with_reported(report: Report, layout: SheetLayout, projects: pd.DataFrame,
                  recorded: dict[str, str]) -> list[OwnedColumn]:
    """keyproject's standard columns and one more (本期报送 itself is now one of the standard columns,
    kept once a ledger is in the monthly cycle: a neutral feature column stands in for it here)."""
    reported = ["已核实" if i % 2 == 0 else "待核实" for i in range(len(projects))]
    return [*default_columns(report, layout, projects, recorded), OwnedColumn("核实情况", reported, width=10)]


def test_a_feature_adds_an_owned_column(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    first = refresh_workbook(path, now=NOW, columns=with_reported)
    assert first.columns == {"差距(百分点)": "L", "灯号": "M", "核实情况": "N"}
    with Package(path) as pkg:
        assert pkg.marks().columns_of(SHEET) == first.columns
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws["N4"].value == "核实情况" and ws[f"N{FIRST_PROJECT_ROW}"].value == "已核实"
    assert ws[f"N{FIRST_PROJECT_ROW + 1}"].value == "待核实"
    assert package_differences(first.backup, path, first) == []
    parts = zip_parts(path)
    again = refresh_workbook(path, now=NOW, columns=with_reported)
    assert again.columns == first.columns and zip_parts(path) == parts  # found again, same bytes
    plain = refresh_workbook(path, now=NOW)  # the feature turned off: its column goes, header and all
    assert plain.columns == {"差距(百分点)": "L", "灯号": "M"}
    ws = openpyxl.load_workbook(path)[SHEET]
    assert all(ws[f"N{r}"].value is None for r in range(1, 20))
    with Package(path) as pkg:
        assert pkg.marks().columns_of(SHEET) == plain.columns
    assert package_differences(first.backup, path, first) == []  # only in keyproject's columns (N's too)


# (c) owned cells written as formulas with their computed values cached ------------------------------------
def live(report: Report, layout: SheetLayout, projects: pd.DataFrame, recorded: dict[str, str]
         ) -> list[OwnedColumn]:
    """A formula column (as ``kp refresh --live`` writes 差距 and 灯号) with keyproject's values cached."""
    plan, done = layout.column_of("annual_plan"), layout.column_of("ytd_completed")
    assert plan is not None and done is not None
    rows = projects["row"].astype(int).tolist()
    values = (projects["ytd_completed"] / projects["annual_plan"]).round(6).tolist()
    formulas = [f'IFERROR(ROUND({done.letter}{r}/{plan.letter}{r},6),"")' for r in rows]
    lights = [Light("red", "红") if v < 0.3 else Light("green", "绿") for v in values]
    return [OwnedColumn("完成率核对", values, "0.00%", 10, formulas),
            OwnedColumn("灯号", lights, None, 7, [f'IF({done.letter}{r}/{plan.letter}{r}<0.3,"红","绿")'
                                                  for r in rows])]


def test_formula_cells_carry_their_results(tmp_path: Path) -> None:
    path = tmp_path / "extlink.xlsx"
    shutil.copyfile(realworld("derived/extlink_real.xlsx"), path)  # a real Excel file with a calcChain
    result = refresh_workbook(path, as_of=dt.date(2023, 7, 31), now=NOW, columns=live)
    col = result.columns["完成率核对"]
    ws = openpyxl.load_workbook(path)[result.sheet]
    assert ws[f"{col}2"].value == '=IFERROR(ROUND(C2/B2,6),"")'
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(result.sheet).to_python()
    index = column_index(col) - 1
    assert rows[1][index] == pytest.approx(33271 / 46300, abs=1e-6)  # the cached result, before any recalc
    light = rows[1][column_index(result.columns["灯号"]) - 1]
    assert light == "绿"
    # the calculation chain names every formula cell it lists, keyproject's new ones included
    parts = zip_parts(path)
    formulas = {(c.get("r")) for c in etree.fromstring(parts["xl/worksheets/sheet2.xml"]).iter(f"{{{NS}}}c")
                if c.find(f"{{{NS}}}f") is not None}
    chain = etree.fromstring(parts["xl/calcChain.xml"])
    sheet_id, listed = None, set()
    for c in chain:
        sheet_id = c.get("i") or sheet_id
        if sheet_id == "2":
            listed.add(c.get("r"))
    assert f"{col}2" in listed and listed <= formulas
    # without the formulas the next refresh takes their entries out again
    refresh_workbook(path, as_of=dt.date(2023, 7, 31), now=NOW)
    chain = etree.fromstring(zip_parts(path)["xl/calcChain.xml"])
    assert not any(c.get("r", "").startswith(col) for c in chain)


# (d) marks -------------------------------------------------------------------------------------------
def test_the_period_is_recorded_with_keyprojects_other_marks(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", "properties")
    result = refresh_workbook(path, as_of=dt.date(2023, 7, 31), now=NOW)
    with Package(path) as pkg:
        marks = pkg.marks()
    assert marks.period == dt.date(2023, 7, 31)
    assert list(marks.sheets) == list(result.sheets.values())
    props = {p.name: p.value for p in openpyxl.load_workbook(path).custom_doc_props.props}
    assert props["报送月份"] == "2023-07" and props["keyproject.period"] == "2023-07-31"


# (e) the print setup of keyproject's sheets -----------------------------------------------------------
def test_keyprojects_sheets_print_on_a4_fitted_to_the_width(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    result = refresh_workbook(path, now=NOW)
    wb = openpyxl.load_workbook(path)
    for name in result.sheets.values():
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.page_setup.orientation == ("portrait" if name == "通报" else "landscape")
        assert not ws.sheet_view.tabSelected  # the user's active sheet stays the one selected
    lights = wb[result.sheets["红黄绿灯"]]
    assert lights.freeze_panes == "C4" and lights.print_title_rows == "$3:$3"
    assert lights["C3"].alignment.wrap_text and lights["C3"].font.b  # headers wrap, bold
    widths = [lights.column_dimensions[c].width for c in "DEF"]
    assert all(w and w >= 8 for w in widths)
    assert wb.active.title == SHEET


# ledgers over several sheets --------------------------------------------------------------------------

def test_every_project_sheet_gets_keyprojects_columns(tmp_path: Path) -> None:
    path = two_sheet_ledger(tmp_path)
    ledger = read_ledger(path)
    assert [lay.sheet for lay in ledger.layouts] == ["工业", "基础设施"]
    result = refresh_workbook(path, now=NOW)
    assert set(result.sheet_columns) == {"工业", "基础设施"}
    assert package_differences(result.backup, path, result) == []
    wb = openpyxl.load_workbook(path)
    for sheet, count in (("工业", 3), ("基础设施", len(PROJECTS) - 3)):
        ws = wb[sheet]
        gap = result.sheet_columns[sheet]["差距(百分点)"]
        filled = [r for r in range(FIRST_PROJECT_ROW, FIRST_PROJECT_ROW + len(PROJECTS) + 2)
                  if isinstance(ws[f"{gap}{r}"].value, (int, float))]
        assert filled == list(range(FIRST_PROJECT_ROW, FIRST_PROJECT_ROW + count))  # its own projects' rows
    with Package(path) as pkg:
        assert set(pkg.marks().columns) == {"工业", "基础设施"}
    again = read_ledger(path)  # keyproject's columns are not read back as the user's
    assert [c.key for c in again.layouts[1].columns] == [c.key for c in ledger.layouts[1].columns]
    parts = zip_parts(path)
    refresh_workbook(path, now=NOW)
    assert zip_parts(path) == parts


def test_a_submitted_figure_goes_into_its_projects_sheet(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The consolidation's updates name a project; its sheet and row come from the ledger."""
    import keyproject.submissions

    path = two_sheet_ledger(tmp_path)
    ledger = read_ledger(path)
    second = ledger.projects.index[ledger.projects["sheet"] == "基础设施"][0]
    row = int(ledger.projects.at[second, "row"])
    updates = pd.DataFrame([{"project": second, "row": row, "field": "ytd_completed", "new": 12345.0,
                             "old": None, "file": "s.xlsx", "sheet": "s", "source_row": 2}], index=[second])

    consolidation = types.SimpleNamespace(issues=[], projects=ledger.projects, report_period=None,
                                          updates=updates, reporting=None, submitted_files=[])
    monkeypatch.setattr(keyproject.submissions, "consolidate", lambda *a, **k: consolidation)
    result = refresh_workbook(path, now=NOW, submissions=[tmp_path / "s.xlsx"])
    assert result.updates["column"].tolist() == ["F"]
    wb = openpyxl.load_workbook(path)
    assert wb["基础设施"][f"F{row}"].value == 12345.0
    assert wb["工业"][f"F{row}"].value != 12345.0
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
