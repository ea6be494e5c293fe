"""kp inspect: the human view, exactly one JSON object with --json, exit 2 on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_workbooks import COUNTY_MERGES, COUNTY_ROWS, make_workbook

from keyproject.cli import main
from keyproject.schema import LEDGER

PROJECT_KEYS = ["row", "code", "name", "level", "category", "command_post", "leader", "unit", "owner",
                "town", "stage", "total_investment", "annual_plan", "annual_stretch", "prior_completed",
                "ytd_completed", "month_completed", "signed_date", "land_date", "planned_start",
                "actual_start",
                "planned_completion", "actual_completion", "production_date", "progress_note", "problems"]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "county.xlsx", COUNTY_ROWS, merges=COUNTY_MERGES)


def run_kp(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "keyproject", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_json_is_one_object_with_the_listed_keys(county: Path) -> None:
    proc = run_kp("inspect", str(county), "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    data = json.loads(proc.stdout)
    for key in ("file", "sheet", "header_rows", "unit", "report_month", "projects", "issues"):
        assert key in data
    assert data["file"] == str(county)
    assert data["sheet"] == "项目台账" and data["header_rows"] == [4, 5]
    assert data["unit"] == "万元" and data["report_month"] == 7
    projects = data["projects"]
    assert [p["row"] for p in projects] == [7, 8, 9, 12, 13]
    first = projects[0]
    assert set(PROJECT_KEYS) <= set(first)
    assert set(first) <= {"row", *LEDGER.keys}
    assert first["name"] == "四川川啤啤酒饮料生产项目" and first["code"] == "FS001"
    assert first["total_investment"] == 50000 and first["ytd_completed"] == 8000
    assert first["planned_start"] == "2023-03-01" and first["actual_start"] == "2023-03-15"
    assert first["owner"] is None and first["signed_date"] is None and first["annual_stretch"] is None
    assert projects[2]["total_investment"] == 8000 and projects[2]["ytd_completed"] is None
    assert data["issues"][0] == {"severity": "warning", "sheet": "项目台账", "row": 8, "column": "H",
                                 "message": data["issues"][0]["message"]}
    assert "约800" in data["issues"][0]["message"]


def test_human_output(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(county)]) == 0
    out = capsys.readouterr().out
    assert "工作表：项目台账" in out
    assert "表头行：4、5" in out
    assert "报告月份：1-7月" in out
    assert "H列 2023年/1-7月完成投资 → 本年累计完成投资（ytd_completed）" in out
    assert "M列 备注 → （未识别，原样保留）" in out
    assert "项目数：5" in out
    assert "第8行H列" in out


def test_sheet_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["项目名称", "年度计划投资"], ["甲", 100]]
    path = make_workbook(tmp_path / "s.xlsx", rows, sheet="二季度",
                         other_sheets={"三季度": [*rows, ["乙", 5]]})
    assert main(["inspect", str(path), "--sheet", "三季度", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sheet"] == "三季度" and [p["name"] for p in data["projects"]] == ["甲", "乙"]


@pytest.mark.parametrize(("content", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\x00" * 600, ".xls"),
    ("项目名称,总投资\n".encode(), "CSV"),
])
def test_bad_files_exit_2_in_chinese(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    proc = run_kp("inspect", str(path), "--json")
    assert proc.returncode == 2
    assert "bad.xlsx" in proc.stderr and words in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_not_a_ledger_and_missing_sheet_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_workbook(tmp_path / "people.xlsx", [["姓名", "电话"], ["张三", "1"]])
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert "people.xlsx" in err and "项目名称" in err
    assert main(["inspect", str(path), "--sheet", "无此表"]) == 2
    assert "无此表" in capsys.readouterr().err
