"""Every file a user hands keyproject beside a ledger (a holiday calendar, a list of steps, the
workbook with last year's months, a rules file) goes through the same safety checks as a ledger: a
zip bomb, an oversized file or XML with a DTD is refused with the Chinese message, naming the file,
before any parser sees it; a good workbook of any readable format is read."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fixtures_workbooks import make_workbook, rewrite_member

from keyproject.engine.backplan import load_steps
from keyproject.engine.calendar import load_calendar_file, read_calendar_overrides
from keyproject.engine.rules import Rules
from keyproject.engine.scenario import read_last_year
from keyproject.errors import KPError, LedgerFileError
from keyproject.safety import Limits, check_text_file

SHEET = "xl/worksheets/sheet1.xml"


def _bomb(path: Path, mib: int = 160) -> Path:
    """A zip whose one part inflates to ``mib`` MiB of zeros (about 1000× compressed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(SHEET, "w") as fh:
        chunk = b"\x00" * (1 << 20)
        for _ in range(mib):
            fh.write(chunk)
    return path


def _laughs(good: Path, path: Path) -> Path:
    def dtd(text: str) -> str:
        head = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        return head + text.split("?>", 1)[-1]

    return rewrite_member(good, path, "xl/workbook.xml", dtd)


def _oversized(path: Path, mib: int = 51) -> Path:
    """A file over the 50 MB workbook limit (sparse: it costs no disk)."""
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(mib << 20)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


def _calendar_book(path: Path) -> Path:
    return make_workbook(path, [["日期", "班休"], [dt.date(2027, 1, 1), "休"], [dt.date(2027, 2, 7), "班"]],
                         sheet="节假日")


def _steps_book(path: Path) -> Path:
    return make_workbook(path, [["节点", "工作日"], ["项目注册", 5], ["施工许可", 10]], sheet="步骤")


READERS = {
    "calendar": read_calendar_overrides,
    "steps": load_steps,
    "last_year": read_last_year,
}


@pytest.mark.parametrize("reader", READERS)
def test_a_zip_bomb_is_refused(reader: str, bomb: Path) -> None:
    with pytest.raises(LedgerFileError) as exc:
        READERS[reader](bomb)
    assert "压缩炸弹" in str(exc.value) and "bomb.xlsx" in str(exc.value)


@pytest.mark.parametrize("reader", READERS)
def test_xml_with_a_dtd_is_refused(reader: str, tmp_path: Path) -> None:
    bad = _laughs(_calendar_book(tmp_path / "good.xlsx"), tmp_path / "laughs.xlsx")
    with pytest.raises(LedgerFileError) as exc:
        READERS[reader](bad)
    assert "不安全" in str(exc.value) and "laughs.xlsx" in str(exc.value)


@pytest.mark.parametrize("reader", READERS)
def test_an_oversized_workbook_is_refused(reader: str, tmp_path: Path) -> None:
    with pytest.raises(LedgerFileError) as exc:
        READERS[reader](_oversized(tmp_path / "huge.xlsx"))
    assert "超过上限" in str(exc.value) and "huge.xlsx" in str(exc.value)


def test_oversized_text_files_are_refused_before_parsing(tmp_path: Path) -> None:
    limits = Limits()
    for name, read in (("calendar.toml", read_calendar_overrides), ("steps.csv", load_steps),
                       ("rules.toml", Rules.from_toml)):
        path = tmp_path / name
        with path.open("wb") as fh:
            fh.truncate(limits.max_text_bytes + 1)
        with pytest.raises(LedgerFileError) as exc:
            read(path)
        assert "超过上限" in str(exc.value) and name in str(exc.value)
    with pytest.raises(LedgerFileError, match="不存在"):
        check_text_file(tmp_path / "nope.toml", "规则文件")
    with pytest.raises(LedgerFileError, match="文件夹"):
        check_text_file(tmp_path, "规则文件")


def test_good_workbooks_are_read_after_the_checks(tmp_path: Path) -> None:
    cal = read_calendar_overrides(_calendar_book(tmp_path / "cal.xlsx"))
    assert cal[2027].holidays == frozenset({dt.date(2027, 1, 1)})
    assert cal[2027].workdays == frozenset({dt.date(2027, 2, 7)})
    assert load_steps(_steps_book(tmp_path / "steps.xlsx")) == [("项目注册", 5), ("施工许可", 10)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "上年月度"
    for m in range(1, 13):
        ws.append([f"{m}月", 100.0 * m])
    wb.save(tmp_path / "ledger.xlsx")
    assert list(read_last_year(tmp_path / "ledger.xlsx")) == [100.0 * m for m in range(1, 13)]


@pytest.mark.libreoffice
def test_a_calendar_saved_as_xls_is_read(tmp_path: Path) -> None:
    """The calendar reader reads what the ledger reader reads: a legacy .xls too (LibreOffice)."""
    src = _calendar_book(tmp_path / "cal.xlsx")
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "out"), str(src)],
                   check=True, capture_output=True, timeout=180)
    xls = tmp_path / "out" / "cal.xls"
    assert load_calendar_file(xls).is_workday(dt.date(2027, 2, 7))  # a Sunday made a working day
    assert not load_calendar_file(xls).is_workday(dt.date(2027, 1, 1))


def test_the_cli_refuses_a_bomb_as_calendar_or_steps(bomb: Path) -> None:
    env = {**os.environ, "KP_DEBUG": ""}
    for argv in (["sprint", "--start", "2023-06-01", "--target", "1000", "--calendar", str(bomb)],
                 ["backplan", "--target", "2024-05-01", "--steps", str(bomb)]):
        proc = subprocess.run([sys.executable, "-m", "keyproject", *argv], capture_output=True, text=True,
                              env=env, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "压缩炸弹" in proc.stderr and "bomb.xlsx" in proc.stderr and "Traceback" not in proc.stderr


def test_a_table_longer_than_its_limit_is_refused(tmp_path: Path) -> None:
    rows = [["节点", "工作日"], *([f"步骤{i}", 1] for i in range(600))]
    with pytest.raises(KPError, match="步骤表超过 500 行"):
        load_steps(make_workbook(tmp_path / "long.xlsx", rows))
