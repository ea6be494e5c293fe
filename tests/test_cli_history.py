"""kp history (snapshots, 环比, 同比, a project's trend) and one way of reporting a bad --history in
every command that takes it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from keyproject.cli import main
from keyproject.engine.history import History
from keyproject.engine.report import build_report
from keyproject.engine.reporting import Reporting
from keyproject.reader import read_ledger
from keyproject.samples import last_year_monthly

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """The county sample with a history of two snapshots: 1-7月 as read, 1-8月 with August added."""
    path = Path(shutil.copy(SAMPLE, tmp_path / "台账.xlsx"))
    ledger = read_ledger(path)
    july = build_report(ledger)
    aug_projects = ledger.projects.assign(ytd_completed=ledger.projects["ytd_completed"] * 1.1)
    august = build_report(dataclasses.replace(ledger, projects=aug_projects, report_month=8),
                          reporting=Reporting((2023, 8), ledger.projects["unit"] == "县交通运输局"))
    with History.for_workbook(path) as h:
        h.record(july, source=path, taken_at=dt.datetime(2023, 8, 2, 9))
        h.record(august, source=path, taken_at=dt.datetime(2023, 9, 2, 9))
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_history_json_snapshots_mom_and_yoy(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "history", str(county), "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["scope"] == "" and d["last_year"] is True
    july, aug = d["snapshots"]
    assert [july["as_of"], aug["as_of"]] == ["2023-07-31", "2023-08-31"]
    ledger = read_ledger(SAMPLE)
    ytd = float(ledger.projects["ytd_completed"].sum())
    assert july["ytd_completed"] == pytest.approx(ytd, abs=1e-3)
    assert aug["ytd_completed"] == pytest.approx(ytd * 1.1, abs=1e-3)
    assert set(july["lights"]) == {"red", "yellow", "green", "none"} and sum(july["lights"].values()) == 60
    c = aug["comparison"]
    assert c["previous_as_of"] == "2023-07-31" and c["increase"] == pytest.approx(ytd * 0.1, abs=1e-3)
    rate_change = (aug["completion_rate"] - july["completion_rate"]) * 100
    assert c["rate_change"] == pytest.approx(rate_change, abs=0.01)
    ly = last_year_monthly()
    assert c["last_year_ytd"] == pytest.approx(sum(ly[:8]))
    assert c["yoy_growth"] == pytest.approx(ytd * 1.1 / sum(ly[:8]) - 1, abs=1e-4)
    assert c["last_year_month"] == ly[7]
    # July closes the month before August: August's completion against last August
    assert c["yoy_month_growth"] == pytest.approx(ytd * 0.1 / ly[7] - 1, abs=1e-4)
    assert july["comparison"]["increase"] is None


def test_history_text_and_a_projects_trend(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "history", str(county))
    assert code == 0 and "2023-07-31" in out and "较上期增加" in out and "同比增长" in out
    code, out, _ = _run(capsys, "history", str(county), "--project", "川啤", "--json")
    d = json.loads(out)
    assert d["project"]["name"] == "四川川啤啤酒饮料生产项目"
    assert [r["as_of"] for r in d["project"]["trend"]] == ["2023-07-31", "2023-08-31"]
    code, out, _ = _run(capsys, "history", str(county), "--project", "四川川啤啤酒饮料生产项目")
    assert code == 0 and "历次数据" in out
    code, _, err = _run(capsys, "history", str(county), "--project", "项目")
    assert code == 2 and "多个项目" in err
    code, _, err = _run(capsys, "history", str(county), "--project", "没有这个")
    assert code == 2 and "没有名称或编号" in err


def test_history_without_snapshots_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shutil.copy(SAMPLE, tmp_path / "台账.xlsx")
    code, _, err = _run(capsys, "history", str(path))
    assert code == 2 and "先用 kp refresh" in err


BAD_URLS = [
    ("nosuchdb://x", "不支持的数据库类型"),
    ("postgresql+pg8000://kp@127.0.0.1/x", "缺少数据库驱动"),  # pg8000 is not installed
    ("not a url at all", "无效"),
]


@pytest.mark.parametrize(("url", "why"), BAD_URLS)
def test_a_bad_history_is_reported_the_same_way_by_every_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, why: str) -> None:
    path = Path(shutil.copy(SAMPLE, tmp_path / "台账.xlsx"))
    before = path.read_bytes()
    for cmd in (["refresh", str(path), "--quiet", "--force"], ["report", str(path)],
                ["bulletin", str(path), "--text"], ["history", str(path)],
                ["sprint", str(path), "--start", "2023-08-24", "--as-of", "2023-09-01"]):
        code, _, err = _run(capsys, *cmd, "--history", url)
        assert code == 2, (cmd, err)
        assert "历史记录数据库" in err and why in err and "内部错误" not in err, (cmd, err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]  # nothing written, no backup


def test_a_file_that_is_not_a_database_and_a_password_is_hidden(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = shutil.copy(SAMPLE, tmp_path / "台账.xlsx")
    text = tmp_path / "notes.sqlite"
    text.write_text("这不是数据库" * 200, encoding="utf-8")
    code, _, err = _run(capsys, "report", str(path), "--history", f"sqlite:///{text}")
    assert code == 2 and "无法连接历史记录数据库" in err
    code, _, err = _run(capsys, "report", str(path), "--history",
                        "postgresql+pg8000://kp:secret-pw@127.0.0.1/x")
    assert code == 2 and "secret-pw" not in err and "***" in err


def test_report_and_bulletin_never_run_behind_the_history(county: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The file still says 1-7月 but the history has August: refused, unless --as-of asks."""
    for cmd in (["report", str(county)], ["bulletin", str(county), "--text"]):
        code, out, err = _run(capsys, *cmd)
        assert code == 2 and out == "" and "历史记录中已有2023年8月31日的数据" in err
        assert "--as-of 2023-07-31" in err
    code, out, err = _run(capsys, "report", str(county), "--as-of", "2023-07-31", "--json")
    assert code == 0, err
    # the date of a snapshot with 本期报送 statuses shows who did not report
    code, out, err = _run(capsys, "report", str(county), "--as-of", "2023-08-31", "--json")
    assert code == 0, err
    d = json.loads(out)
    rep = d["reporting"]
    assert rep["period"] == "2023-08" and rep["reported_projects"] == 8
    units = {u["unit"]: u for u in rep["unreported_units"]}
    assert "县交通运输局" not in units and units["县经信局"]["status"] == "未报送"
    code, out, _ = _run(capsys, "report", str(county), "--as-of", "2023-08-31")
    assert "8月未报送单位（催报）" in out  # the 汇总 sheet's 未报送 table
    assert any("县经信局" in line and "未报送" in line for line in out.splitlines())
