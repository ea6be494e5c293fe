"""Refreshed workbooks opened by a real spreadsheet program (LibreOffice Calc, headless): they open,
recalculate, convert to xlsx and PDF; the user's formulas recompute to the values the user had; every
keyproject sheet prints with no clipped cell text (LibreOffice cuts text that does not fit and prints
"###" for a number too wide for its column, so a clipped cell cannot hide in the PDF's text)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from lxml import etree
from realworld import realworld
from xlsx_fixtures import FEATURES, build, graft_ledger

from keyproject.package import column_index
from keyproject.reader import read_ledger
from keyproject.workbook.refresh import refresh_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
           "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=240)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("lo")
    before = work / "before.xlsx"
    after = work / "after.xlsx"
    shutil.copyfile(SAMPLE, before)
    shutil.copyfile(SAMPLE, after)
    refresh_workbook(after, now=dt.datetime(2023, 8, 1, 9, 0))
    out = work / "out"
    profile = work / "profile"
    convert([before, after], "xlsx", out, profile)
    convert([after], "pdf", out, profile)
    return {"before": out / "before.xlsx", "after": out / "after.xlsx", "pdf": out / "after.pdf",
            "refreshed": after}


def formula_cells(path: Path) -> dict[str, list[tuple[str, str]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [(c.coordinate, c.value) for row in ws.iter_rows() for c in row if c.data_type == "f"]
            for ws in wb.worksheets}


def test_opens_and_prints(converted: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(converted["after"])
    assert wb.sheetnames == ["项目台账", "问题台账", "设置", "上年月度", "节点清单",
                             "汇总", "红黄绿灯", "排名", "问题清单", "通报"]
    assert wb["项目台账"]["AJ4"].value == "灯号"
    text = subprocess.run(["pdftotext", str(converted["pdf"]), "-"], capture_output=True, text=True).stdout
    for title in ("重点项目推进情况汇总", "红黄灯项目", "比学赶超排名", "问题清单（截至", "通报"):
        assert title in text


def text_amount_rows(path: Path, column: str) -> list[int]:
    ws = openpyxl.load_workbook(path)["项目台账"]
    return [c.row for c in ws[column] if isinstance(c.value, str) and c.value[:1].isdigit()]


def test_user_formulas_recompute_to_the_users_values(converted: dict[str, Path]) -> None:
    formulas = formula_cells(converted["refreshed"])["项目台账"]
    assert len(formulas) > 60  # 合计/小计 sums and the 完成率 column
    before = openpyxl.load_workbook(converted["before"], data_only=True)["项目台账"]
    after = openpyxl.load_workbook(converted["after"], data_only=True)["项目台账"]
    for coord, _ in formulas:
        assert after[coord].value == before[coord].value, coord
    # and they are the reader's numbers: 合计 row 6 sums every project; 完成率 is ytd / plan
    ledger = read_ledger(SAMPLE)
    p = ledger.projects
    # (one 总投资 is typed as the text "3,000": the reader counts it, the user's SUM does not)
    typed_as_text = sum(p.loc[p["row"] == r, "total_investment"].sum() for r in text_amount_rows(SAMPLE, "L"))
    assert typed_as_text > 0
    assert after["L6"].value == pytest.approx(p["total_investment"].sum() - typed_as_text)
    assert after["M6"].value == pytest.approx(p["annual_plan"].sum())
    assert after["O6"].value == pytest.approx(p["ytd_completed"].sum())
    for rec in p[["row", "ytd_completed", "annual_plan"]].to_dict("records"):
        rate = after.cell(row=int(rec["row"]), column=17).value
        plan, done = rec["annual_plan"], rec["ytd_completed"]
        if plan == plan and plan and done == done:  # no plan: the user's IFERROR gives ""
            assert rate == pytest.approx(done / plan), rec["row"]
        else:
            assert rate in (None, ""), rec["row"]


def test_keyprojects_figures_survive_the_round_trip(converted: dict[str, Path]) -> None:
    ours = openpyxl.load_workbook(converted["refreshed"])["项目台账"]
    theirs = openpyxl.load_workbook(converted["after"], data_only=True)["项目台账"]
    for r in range(6, ours.max_row + 1):
        for col in ("AI", "AJ", "AK"):
            assert theirs[f"{col}{r}"].value == ours[f"{col}{r}"].value


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def only_sheets(src: Path, dst: Path, keep: set[str]) -> Path:
    """A copy of ``src`` with every other sheet hidden (hidden sheets do not print)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                root = etree.fromstring(data)
                sheets = list(root.iter(f"{{{NS}}}sheet"))
                first = next(i for i, sh in enumerate(sheets) if sh.get("name") in keep)
                for sh in sheets:
                    if sh.get("name") not in keep:
                        sh.set("state", "hidden")
                for view in root.iter(f"{{{NS}}}workbookView"):
                    view.set("activeTab", str(first))
                    view.set("firstSheet", str(first))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(item, data)
    return dst


def unclipped(pdf: Path, workbook: Path, sheets: list[str]) -> list[str]:
    """The text cells of ``sheets`` whose text is not whole in the PDF (wrapped lines joined)."""
    cmd = ["pdftotext", "-raw", str(pdf), "-"]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    wb = openpyxl.load_workbook(workbook)
    missing = [f"{name}!{c.coordinate}: {c.value}" for name in sheets for row in wb[name].iter_rows()
               for c in row if isinstance(c.value, str) and re.sub(r"\s+", "", c.value) not in flat]
    if "###" in text:
        missing.append("a number too wide for its column (###)")
    return missing


def column_values(path: Path, sheet: str, column: int) -> list[object]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [r[column] for r in rows if len(r) > column and r[column] != ""]


def test_every_keyproject_sheet_prints_without_clipped_text(tmp_path: Path) -> None:
    book = tmp_path / "county.xlsx"
    shutil.copyfile(SAMPLE, book)
    result = refresh_workbook(book, now=dt.datetime(2023, 8, 1, 9, 0))
    ours = list(result.sheets.values())
    printed = only_sheets(book, tmp_path / "ours.xlsx", set(ours))
    convert([printed], "pdf", tmp_path / "out", tmp_path / "profile")
    pdf = tmp_path / "out" / "ours.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= len(ours)  # type: ignore[union-attr]
    assert unclipped(pdf, book, ours) == []


def test_a_deliberately_clipped_cell_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a long text beside a filled cell and a wide number in a narrow column."""
    import xlsxwriter

    path = tmp_path / "clip.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 6)
    ws.write(0, 0, "这是一段放不下又不换行的文字")
    ws.write(0, 1, "邻格")
    wb.close()
    convert([path], "pdf", tmp_path / "out", tmp_path / "profile")
    found = unclipped(tmp_path / "out" / "clip.pdf", path, ["汇总"])
    assert found == ["汇总!A1: 这是一段放不下又不换行的文字"]


CASES = ["chart", "data_bars_icon_sets", "in_cell_picture", "date1904", "comments", "tables_links_names"]


def test_refreshed_features_open_and_recalculate_in_libreoffice(tmp_path: Path) -> None:
    books = [build(tmp_path / f"{name}.xlsx", name) for name in CASES]
    books.append(build(tmp_path / "macros.xlsm", "button", vba=True))
    wps = realworld("corpus/SheetJS+test_files/wps/image.xlsx")
    books.append(graft_ledger(wps, tmp_path / "wps.xlsx"))
    books.append(graft_ledger(realworld("corpus/apache+poi/test-data/spreadsheet/picture.xlsx"),
                              tmp_path / "no_calcpr.xlsx"))
    shutil.copyfile(realworld("derived/pivot_real.xlsx"), tmp_path / "pivot.xlsx")
    books.append(tmp_path / "pivot.xlsx")
    lights = {}
    for path in books:
        result = refresh_workbook(path, as_of=dt.date(2023, 7, 31), now=dt.datetime(2023, 8, 1, 9, 0))
        lights[path.stem] = (result.sheet, column_index(result.columns["灯号"]) - 1,
                             column_values(path, result.sheet, column_index(result.columns["灯号"]) - 1))
    out = tmp_path / "out"
    convert(books, "xlsx", out, tmp_path / "profile")
    convert(books[:2], "pdf", out, tmp_path / "profile")
    for path in books:
        sheet, column, values = lights[path.stem]
        assert column_values(out / f"{path.stem}.xlsx", sheet, column) == values, path.name
        converted = pc.CalamineWorkbook.from_path(str(out / f"{path.stem}.xlsx"))
        assert "红" in values and "汇总" in converted.sheet_names
    # the user's formulas recalculated by LibreOffice: 完成率 = 1-7月完成 / 年度计划, the 合计 row sums
    ws = openpyxl.load_workbook(out / "chart.xlsx", data_only=True)["项目台账"]
    assert ws["G6"].value == pytest.approx(33271 / 46300) and ws["E14"].value == 295710
    date1904 = openpyxl.load_workbook(out / "date1904.xlsx")["项目台账"]
    assert date1904["H6"].value == dt.datetime(2023, 3, 1)  # the 1904 date system kept its dates
    for name in ("chart", "data_bars_icon_sets"):
        assert (out / f"{name}.pdf").stat().st_size > 0
    assert set(CASES) <= set(FEATURES)
