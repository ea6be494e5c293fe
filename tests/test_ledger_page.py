"""LedgerPage: the planning pages on the office's own ledger, and the upload picker, driven headless
(ipywidgets runs observers synchronously without a kernel)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from keyproject.reader import read_ledger
from keyproject.safety import Limits
from keyproject.uploads import read_upload, safe_name, store_upload
from keyproject.widgets import BattleMap, LedgerPage, ScenarioPlanner, SprintCountdown, workbook_path
from keyproject.widgets.ledger_page import LEDGER_ENV

ROOT = Path(__file__).resolve().parents[1] / "sample_workbooks"
COUNTY = ROOT / "county_fushun_2023.xlsx"
CITY = ROOT / "city_messy_2024.xlsx"


def _pick(page: LedgerPage, name: str, data: bytes) -> None:
    """What the browser's FileUpload sends: one file as a dict with its bytes."""
    page.picker.value = ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
                          "last_modified": dt.datetime(2024, 10, 8, tzinfo=dt.UTC)},)


def _plan(path: Path) -> float:
    return float(read_ledger(path).projects["annual_plan"].sum())


def test_page_opens_the_ledger_and_says_which_with_its_totals() -> None:
    page = LedgerPage(COUNTY, ScenarioPlanner)
    assert isinstance(page.content, ScenarioPlanner) and page.ledger is not None
    assert page.content.baseline.plan == pytest.approx(_plan(COUNTY))
    assert "county_fushun_2023.xlsx" in page.status.value
    assert f"年度计划投资{_plan(COUNTY):,.0f}万元" in page.status.value
    assert "2023年1-7月，60个项目" in page.status.value
    assert page.error == "" and page.holder.children == (page.content,)
    page.close()


def test_upload_switches_the_page_to_the_uploaded_ledger() -> None:
    page = LedgerPage(COUNTY, ScenarioPlanner)
    first = page.content
    _pick(page, CITY.name, CITY.read_bytes())
    assert page.error == "", page.error
    assert page.content is not first and page.ledger_name == CITY.name
    assert page.content.baseline.plan == pytest.approx(_plan(CITY))  # 亿元 ledger, shown in 万元
    assert page.content.baseline.year == 2024
    assert "city_messy_2024.xlsx" in page.status.value and "2024年1-9月，40个项目" in page.status.value
    # the upload lives in a private folder under its own name, readable by this user only
    path = page.ledger.path
    assert path.name == CITY.name and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # a second upload replaces the first file
    _pick(page, "县台账.xlsx", COUNTY.read_bytes())
    assert page.ledger.path.name == "县台账.xlsx" and not path.exists()
    folder = page.ledger.path.parent
    page.close()
    assert not folder.exists()


@pytest.mark.parametrize(("name", "data", "words"), [
    ("台账.xlsx", b"not a workbook at all", "文件“台账.xlsx”"),
    ("旧台账.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "文件“旧台账.xls”"),
    ("空.xlsx", b"", "文件是空的"),
])
def test_a_file_that_cannot_be_read_shows_the_cli_message_and_keeps_the_page(name: str, data: bytes,
                                                                            words: str) -> None:
    page = LedgerPage(COUNTY, ScenarioPlanner)
    before, ledger = page.content, page.ledger
    _pick(page, name, data)
    assert words in page.error and words in page.message.value
    assert "页面仍显示原来的台账" in page.message.value and "Traceback" not in page.message.value
    assert page.content is before and page.ledger is ledger
    assert list(page._folder.iterdir()) == []  # the refused file is not kept
    # the same words as the CLI says for the same file
    from keyproject.errors import KPError

    with pytest.raises(KPError) as cli:
        read_upload(name, data, page._folder)
    assert str(cli.value) in page.error
    page.close()


def test_a_ledger_the_page_cannot_plan_with_is_refused_in_chinese(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年1-7月重点项目推进情况表"])
    ws.append(["项目名称", "责任单位", "1-7月完成投资"])
    ws.append(["甲项目", "县发改局", 100])
    no_plan = tmp_path / "没有计划.xlsx"
    wb.save(no_plan)
    page = LedgerPage(COUNTY, ScenarioPlanner)
    before = page.content
    _pick(page, no_plan.name, no_plan.read_bytes())
    assert "年度计划" in page.error and "没有计划.xlsx" in page.error
    assert page.content is before
    page.close()


def test_other_pages_and_the_countdown_stops_when_replaced() -> None:
    # each ledger as of its own period (a fixed 2023 date would be refused for the 2024 city ledger)
    bm = LedgerPage(COUNTY, BattleMap)
    assert bm.content.shown == 60
    _pick(bm, CITY.name, CITY.read_bytes())
    assert bm.content.shown == len(read_ledger(CITY).projects)
    bm.close()

    class Clock:
        def __call__(self) -> dt.datetime:
            return dt.datetime(2023, 9, 1, 9)

    page = LedgerPage(COUNTY, lambda led: SprintCountdown.from_ledger(led, dt.date(2023, 8, 24),
                                                                      clock=Clock()))
    old = page.content
    closed: list[bool] = []
    old.stop = lambda: closed.append(True)  # type: ignore[method-assign]
    _pick(page, CITY.name, CITY.read_bytes())
    assert closed and page.content is not old
    assert page.content.target == pytest.approx(_plan(CITY))
    page.close()


def test_uploaded_names_cannot_leave_the_private_folder(tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd.xlsx") == "passwd.xlsx"
    assert safe_name("C:\\Users\\a\\台账.xlsx") == "台账.xlsx"
    assert safe_name(".hidden.xlsx") == "hidden.xlsx" and safe_name("a\x00b.xlsx") == "ab.xlsx"
    long = safe_name("长" * 300 + ".xlsx")
    assert long.endswith(".xlsx") and len(long) <= 120
    path = store_upload("../x.xlsx", b"PK", tmp_path)
    assert path.parent == tmp_path
    from keyproject.errors import LedgerFileError

    with pytest.raises(LedgerFileError, match="超过上限"):
        store_upload("大.xlsx", b"x" * 2048, tmp_path, Limits(max_file_bytes=1024))
    assert not (tmp_path / "大.xlsx").exists()


def test_kp_app_hands_its_ledger_to_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    assert workbook_path("../sample.xlsx") == "../sample.xlsx"
    monkeypatch.setenv(LEDGER_ENV, str(CITY))
    assert workbook_path("../sample.xlsx") == str(CITY)
    page = LedgerPage(workbook_path("../sample.xlsx"), ScenarioPlanner)
    assert page.ledger_name == CITY.name
    page.close()


@pytest.mark.libreoffice
def test_an_xls_saved_by_libreoffice_can_be_uploaded(tmp_path: Path) -> None:
    import shutil
    import subprocess

    shutil.copyfile(CITY, tmp_path / "市台账.xlsx")
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo'}"
    subprocess.run(["soffice", "--headless", profile, "--convert-to", "xls", "--outdir", str(tmp_path),
                    str(tmp_path / "市台账.xlsx")], check=True, capture_output=True, timeout=300)
    page = LedgerPage(COUNTY, ScenarioPlanner)
    _pick(page, "市台账.xls", (tmp_path / "市台账.xls").read_bytes())
    assert page.error == "" and page.ledger_name == "市台账.xls"
    assert page.content.baseline.plan == pytest.approx(_plan(CITY))
    page.close()
