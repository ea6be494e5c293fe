"""The monthly dispatch cycle end to end on the county sample, run as an office runs it (issue 11):
the 1-7月 ledger refreshed → August submissions → a plain refresh, a bulletin and a report in
between → September submissions (经信局 silent, a letter instead of a form) → an old copy and
wrong dates refused. Periods, headers, snapshots, 环比, 未报送 lists and exit codes are checked."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from keyproject.cli import main
from keyproject.formats import yi
from keyproject.package.marks import read_marks
from keyproject.samples import september_rows, submission_rows

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
SHEET = "项目台账"
REPORTING = "本期报送"

pytestmark = pytest.mark.slow


def kp(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def period(path: Path) -> str | None:
    with zipfile.ZipFile(path) as zf:
        recorded = read_marks(zf).period
    return recorded.isoformat() if recorded else None


def ledger_cells(path: Path) -> tuple[str, str, dict[str, set[str]]]:
    """The title, the ytd header and, per unit, the 本期报送 texts of its projects."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = next((c.column for c in ws[4] if c.value == REPORTING), None)
    status: dict[str, set[str]] = {}
    if col is not None:
        for r in range(6, ws.max_row + 1):
            unit, value = ws.cell(r, 9).value, ws.cell(r, col).value
            if value:
                status.setdefault(unit, set()).add(value)
    return ws["A1"].value, ws["O5"].value, status


def summary_unreported(path: Path) -> list[str]:
    """The units of the 未报送 list on the 汇总 sheet."""
    rows = list(openpyxl.load_workbook(path)["汇总"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] and "未报送单位（催报）" in str(r[0]))
    units = []
    for r in rows[start + 2:]:
        if not r[0]:
            break
        units.append(r[0])
    return units


def history(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict]:
    code, out, err = kp(capsys, "history", str(path), "--json")
    assert code == 0, err
    return json.loads(out)["snapshots"]


def test_three_months_of_dispatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = Path(shutil.copy(SAMPLES / "county_fushun_2023.xlsx", tmp_path / "台账.xlsx"))
    august = Path(shutil.copytree(SAMPLES / "submissions", tmp_path / "8月报送"))
    september = Path(shutil.copytree(SAMPLES / "submissions_september", tmp_path / "9月报送"))
    letter = docx.Document()
    letter.add_paragraph("县经信局关于9月重点项目推进情况的说明")
    letter.save(september / "经信局_9月情况说明.docx")

    # -- July: the ledger as the office keeps it ---------------------------------------------
    code, out, err = kp(capsys, "refresh", str(ledger), "--quiet")
    assert code == 0, err
    assert "截至 2023-07-31" in out and "已记录2023年7月31日的快照" in out
    assert period(ledger) == "2023-07-31"
    title, ytd_header, status = ledger_cells(ledger)
    assert title.endswith("（1-7月）") and ytd_header == "1-7月完成投资" and status == {}  # no cycle yet
    july_backup = next((tmp_path / "backups").iterdir())

    # -- August: three units' submissions ----------------------------------------------------
    code, out, err = kp(capsys, "refresh", str(ledger), "--submissions", str(august), "--quiet")
    assert code == 0, err
    assert "截至 2023-08-31" in out
    assert "期间文字：改写 2 处" in out
    assert "A1：“2023年富顺县重大项目推进情况表（1-7月）”→“2023年富顺县重大项目推进情况表（1-8月）”" in out
    assert "“1-7月完成投资”→“1-8月完成投资”" in out
    assert "报送文件：共 3 个，已汇总 3 个" in out and "8月未报送单位（请催报）" in out
    assert period(ledger) == "2023-08-31"
    title, ytd_header, status = ledger_cells(ledger)
    assert title.endswith("（1-8月）") and ytd_header == "1-8月完成投资"
    for unit in ("县交通运输局", "县经信局", "县住建局"):
        assert status[unit] == {"8月已报"}, unit
    assert status["县水务局"] == {"未报送"} and status["县教体局"] == {"未报送"}
    late = summary_unreported(ledger)
    assert "县水务局" in late and "县经信局" not in late and "县交通运输局" not in late
    snaps = history(capsys, ledger)
    assert [s["as_of"] for s in snaps] == ["2023-07-31", "2023-08-31"]
    increase = snaps[1]["comparison"]["increase"]
    assert increase == pytest.approx(snaps[1]["ytd_completed"] - snaps[0]["ytd_completed"], abs=0.01)
    assert increase > 0
    august_ytd = snaps[1]["ytd_completed"]

    # -- a plain refresh in between: still August, the snapshot replaced, statuses kept -------
    code, out, err = kp(capsys, "refresh", str(ledger), "--quiet")
    assert code == 0, err
    assert "截至 2023-08-31" in out and "已替换2023年8月31日原有的快照" in out and "期间文字" not in out
    snaps = history(capsys, ledger)
    assert [s["as_of"] for s in snaps] == ["2023-07-31", "2023-08-31"]
    assert snaps[1]["ytd_completed"] == pytest.approx(august_ytd)  # not July's figures, not doubled
    assert ledger_cells(ledger)[2]["县经信局"] == {"8月已报"}

    # -- the bulletin and the report read August, with the true change since July ------------
    code, out, err = kp(capsys, "bulletin", str(ledger), "--text")
    assert code == 0, err
    assert "关于2023年1-8月全县重点项目推进情况的通报" in out
    assert f"1-8月全县60个重点项目完成投资{yi(august_ytd)}亿元" in out
    assert f"较7月31日调度时增加{yi(increase)}亿元" in out and "增加0.00亿元" not in out
    assert "八月" not in out and "、报送情况" in out and "县水务局" in out  # 催报 in the 通报
    code, out, err = kp(capsys, "report", str(ledger), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["as_of"] == "2023-08-31" and report["reporting"]["period"] == "2023-08"
    assert "县水务局" in {u["unit"] for u in report["reporting"]["unreported_units"]}

    # -- September: 经信局 silent (a letter, not a form), 水务局 for the first time -----------
    code, out, err = kp(capsys, "refresh", str(ledger), "--submissions", str(september), "--quiet")
    assert code == 1, err  # written, but a submitted file could not be used
    assert "截至 2023-09-30" in out and "“1-8月完成投资”→“1-9月完成投资”" in out
    assert "报送文件：共 4 个，已汇总 3 个" in out
    assert "文件“经信局_9月情况说明.docx”：格式无法读取" in out
    assert period(ledger) == "2023-09-30"
    title, ytd_header, status = ledger_cells(ledger)
    assert title.endswith("（1-9月）") and ytd_header == "1-9月完成投资"
    for unit in ("县交通运输局", "县住建局", "县水务局"):
        assert status[unit] == {"9月已报"}, unit
    assert status["县经信局"] == {"未报送"}
    late = summary_unreported(ledger)
    assert late[0:1] != [] and "县经信局" in late and "县水务局" not in late
    code, out, _ = kp(capsys, "report", str(ledger), "--json")
    report = json.loads(out)
    industry = next(r for r in report["rankings"]["unit"] if r["group"] == "县经信局")
    assert industry["not_updated"] == 10  # judged on August's figures: marked
    water = next(r for r in report["rankings"]["unit"] if r["group"] == "县水务局")
    assert water["not_updated"] == 0
    snaps = history(capsys, ledger)
    assert [s["as_of"] for s in snaps] == ["2023-07-31", "2023-08-31", "2023-09-30"]
    sep = snaps[2]["comparison"]
    assert sep["previous_as_of"] == "2023-08-31"
    truth = {r["match_row"]: r["ytd_completed"] for r in september_rows()}
    assert sep["increase"] == pytest.approx(snaps[2]["ytd_completed"] - august_ytd, abs=0.01)
    assert len(truth) == 23 and len(submission_rows()) > 0

    # -- an old copy of the ledger and wrong dates are refused --------------------------------
    old = Path(shutil.copy(july_backup, tmp_path / "台账.xlsx"))
    before = old.read_bytes()
    code, _, err = kp(capsys, "refresh", str(old), "--quiet")
    assert code == 2 and "历史记录中已有2023年9月30日的数据" in err and "--as-of 2023-07-31" in err
    assert old.read_bytes() == before
    code, _, err = kp(capsys, "report", str(old), "--as-of", "2023-12-31")
    assert code == 2 and "晚一个多月" in err
    code, _, err = kp(capsys, "report", str(old), "--as-of", "2022年7月31日")
    assert code == 2 and "不在同一年" in err


def test_keep_headers_leaves_the_users_texts_and_the_period_stays_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = Path(shutil.copy(SAMPLES / "county_fushun_2023.xlsx", tmp_path / "台账.xlsx"))
    code, out, err = kp(capsys, "refresh", str(ledger), "--submissions", str(SAMPLES / "submissions"),
                        "--keep-headers", "--quiet")
    assert code == 0, err
    assert "按 --keep-headers 保留了标题和表头中的期间文字（2处，仍为7月）" in out
    assert "期间文字：改写" not in out
    title, ytd_header, _ = ledger_cells(ledger)
    assert title.endswith("（1-7月）") and ytd_header == "1-7月完成投资"
    assert period(ledger) == "2023-08-31"
    # the next plain refresh takes the recorded period, not the headers' 1-7月
    code, out, err = kp(capsys, "refresh", str(ledger), "--quiet")
    assert code == 0, err
    assert "截至 2023-08-31" in out and "已替换2023年8月31日原有的快照" in out


def test_the_workbook_keeps_its_reporting_without_its_history(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The 本期报送 column is the workbook's own: a copy refreshed without the history beside it
    keeps August's statuses; moved on to September with nobody's figures, every project is 未报送."""
    ledger = Path(shutil.copy(SAMPLES / "county_fushun_2023.xlsx", tmp_path / "台账.xlsx"))
    code, _, err = kp(capsys, "refresh", str(ledger), "--submissions", str(SAMPLES / "submissions"),
                      "--quiet")
    assert code == 0, err
    (tmp_path / "台账.keyproject.sqlite").unlink()
    code, out, err = kp(capsys, "refresh", str(ledger), "--quiet")
    assert code == 0, err
    assert "截至 2023-08-31" in out and "8月未报送单位（请催报）" in out
    status = ledger_cells(ledger)[2]
    assert status["县交通运输局"] == {"8月已报"} and status["县水务局"] == {"未报送"}
    code, out, err = kp(capsys, "refresh", str(ledger), "--as-of", "2023-09-30", "--quiet")
    assert code == 0, err
    status = ledger_cells(ledger)[2]
    assert set().union(*status.values()) == {"未报送"} and "9月未报送单位（请催报）" in out
