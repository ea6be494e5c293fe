"""Every submitted file accounted for: consolidated, or listed with its reason; a refresh that could
not use one writes what it could and exits 1. Files made the way real programs make them: the
units' workbooks by the sample generator (openpyxl), .xls by LibreOffice, the encrypted workbook
saved by excelize (tests/realworld.py), the Word file by python-docx."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from keyproject.cli import main
from keyproject.reader import read_ledger
from keyproject.submissions import consolidate
from tests.realworld import realworld

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
COUNTY = SAMPLES / "county_fushun_2023.xlsx"

pytestmark = pytest.mark.libreoffice


def _to_xls(src: Path, out_dir: Path, profile: Path) -> Path:
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "xls",
                    "--outdir", str(out_dir), str(src)], check=True, capture_output=True, timeout=180)
    return out_dir / (src.stem + ".xls")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The August folder as offices receive it: good files and every kind of unusable one."""
    root = tmp_path_factory.mktemp("subs")
    subs = root / "8月报送"
    subs.mkdir()
    for name in ("交通运输局_8月报送.xlsx", "经信局_8月报送.xlsx"):
        shutil.copy(SAMPLES / "submissions" / name, subs / name)
    # 住建局 sent the same form saved as Excel 97-2003 (consolidated like the others)
    _to_xls(SAMPLES / "submissions" / "住建局_8月报送.xlsx", subs, root / "lo")
    # 水务局 protected its workbook with an open password
    (subs / "水务局_8月报送.xlsx").symlink_to(realworld("corpus/qax-os+excelize/test/encryptAES.xlsx"))
    # 教体局 wrote a letter instead of the form
    doc = docx.Document()
    doc.add_paragraph("教体局8月重点项目推进情况说明")
    doc.save(subs / "教体局_情况说明.docx")
    # 卫健局 sent the form's header only
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "项目名称", "1-8月完成投资"])
    wb.save(subs / "卫健局_8月报送.xlsx")
    # 商务局 sent another table altogether
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "139XXXX0000"])
    wb.save(subs / "商务局_通讯录.xlsx")
    # 水务局's July file again, older than the ledger's next month: stale once August is in
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["县水务局重大项目6月推进情况"])
    ws.append(["项目名称", "1-6月完成投资"])
    ws.append(["城乡供水一体化工程", 100])
    wb.save(subs / "水务局_6月报送.xlsx")
    # a town's file whose projects are not in the ledger
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "1-8月完成投资"])
    ws.append(["某镇农贸市场改造", 120])
    wb.save(subs / "某镇_8月报送.xlsx")
    (subs / "~$交通运输局_8月报送.xlsx").write_bytes(b"lock")  # Excel's lock file: nobody's submission
    return subs


def test_each_file_consolidated_or_listed_with_its_reason(folder: Path) -> None:
    ledger = read_ledger(COUNTY)
    c = consolidate(ledger, [folder])
    got = {f.path.name: f.status for f in c.submitted_files}
    assert got == {
        "交通运输局_8月报送.xlsx": "used",
        "经信局_8月报送.xlsx": "used",
        "住建局_8月报送.xls": "used",  # Excel 97-2003, read through read_ledger like any form
        "水务局_8月报送.xlsx": "password",
        "教体局_情况说明.docx": "format",
        "卫健局_8月报送.xlsx": "empty",
        "商务局_通讯录.xlsx": "not_ledger",
        "水务局_6月报送.xlsx": "stale",
        "某镇_8月报送.xlsx": "unmatched",
    }
    texts = {f.path.name: str(f) for f in c.unused_files}
    assert "设置了密码" in texts["水务局_8月报送.xlsx"] and ".docx" in texts["教体局_情况说明.docx"]
    assert "6月" in texts["水务局_6月报送.xlsx"]
    assert all(f.rows > 0 for f in c.submitted_files if f.used)
    assert c.report_period == (2023, 8)
    reported = set(ledger.projects.loc[c.reporting.reported, "unit"])
    assert reported >= {"县交通运输局", "县经信局", "县住建局"} and "县水务局" not in reported


def test_refresh_writes_what_it_could_and_exits_1(folder: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "8月台账.xlsx"
    code = main(["refresh", str(COUNTY), "--submissions", str(folder), "--out", str(out), "--quiet"])
    text = capsys.readouterr().out
    assert code == 1
    assert out.is_file() and "报送文件：共 9 个，已汇总 3 个" in text
    assert "以下 6 个报送文件未能使用" in text and "设置了密码" in text and "报送月份早于台账" in text
    assert "8月未报送单位（请催报）" in text and "县水务局（未报送）" in text
    # the figures of the files it could use are in
    refreshed = read_ledger(out)
    assert refreshed.projects["ytd_completed"].sum() > read_ledger(COUNTY).projects["ytd_completed"].sum()
    # given by name, an unusable file is the same: written, exit 1
    code = main(["refresh", str(COUNTY), "--submissions", str(folder / "教体局_情况说明.docx"),
                 "--out", str(tmp_path / "b.xlsx"), "--quiet"])
    assert code == 1 and "格式无法读取" in capsys.readouterr().out
