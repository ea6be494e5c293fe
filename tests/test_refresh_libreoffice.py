"""The refreshed county sample opened by a real spreadsheet program (LibreOffice Calc, headless):
it opens, prints to PDF, and the user's formulas recompute to the values the user had."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

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
