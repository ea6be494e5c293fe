"""kp inspect: the human view, exactly one JSON object with --json, exit 2 on bad files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_workbooks import COUNTY_MERGES, COUNTY_ROWS, make_workbook

from keyproject.cli import main
from keyproject.schema import DONE_COLUMNS, LEDGER

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
    assert set(first) <= {"row", "sheet", *LEDGER.keys, *DONE_COLUMNS.values()}
    assert first["sheet"] == "项目台账" and first["started_done"] is False
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
    assert "项目台账：读取（作为台账读取，5个项目）" in out
    assert "工作表“项目台账”表头行：4、5" in out
    assert "来源：工作表“项目台账”完成投资列表头H5“2023年/1-7月完成投资”" in out
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


# --- the committed sample workbooks, read through `kp inspect --json`, against the generator's records

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"


def inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["inspect", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def as_json(value: object) -> object:
    """A record's value as kp inspect prints it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def assert_record(got: dict, rec: dict, where: str) -> None:
    for key, value in rec.items():
        if key not in got or key == "row":
            continue
        want = as_json(value)
        if isinstance(want, float):
            assert got[key] == pytest.approx(want, abs=1e-6), (where, key)
        else:
            assert got[key] == want, (where, key)


@pytest.mark.parametrize(("name", "truth"), [("county_fushun_2023.xlsx", "county_projects"),
                                             ("city_messy_2024.xlsx", "city_projects")])
def test_samples_read_exactly(name: str, truth: str, capsys: pytest.CaptureFixture[str]) -> None:
    import keyproject.samples as samples
    data = inspect_json(SAMPLES / name, capsys)
    recs = getattr(samples, truth)()
    assert [p["row"] for p in data["projects"]] == [r["row"] for r in recs]
    for got, rec in zip(data["projects"], recs, strict=True):
        assert_record(got, rec, f"{name}:{rec['row']}")
    assert all(got["code"] is None or isinstance(got["code"], str) for got in data["projects"])


def test_county_sample_header_and_issues(capsys: pytest.CaptureFixture[str]) -> None:
    import keyproject.samples as samples
    data = inspect_json(SAMPLES / "county_fushun_2023.xlsx", capsys)
    assert (data["sheet"], data["unit"], data["report_month"]) == ("项目台账", "万元", 7)
    letters = {c["field"]: c["column"] for c in data["columns"]}
    want = {(c["row"], letters[c["key"]]) for c in samples.county_messy_cells() if c["warning"]}
    assert {(i["row"], i["column"]) for i in data["issues"]} == want
    assert {i["severity"] for i in data["issues"]} <= {"warning"}


def test_city_sample_issues_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    import keyproject.samples as samples
    data = inspect_json(SAMPLES / "city_messy_2024.xlsx", capsys)
    assert (data["unit"], data["report_month"]) == ("亿元", 9)
    got = sorted((i["severity"], i["row"], i["column"]) for i in data["issues"])
    want = sorted((e["severity"], e["row"], e["column"]) for e in samples.city_expected_issues())
    assert got == want
    by_cell = {(i["row"], i["column"]): i["message"] for i in data["issues"]}
    for e in samples.city_expected_issues():
        assert e["text"] in by_cell[(e["row"], e["column"])]


def test_submission_samples_read_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    import keyproject.samples as samples
    rows = samples.submission_rows()
    for file in sorted({r["file"] for r in rows}):
        data = inspect_json(SAMPLES / file, capsys)
        recs = [r for r in rows if r["file"] == file]
        assert data["sheet"] == recs[0]["sheet"]
        assert data["report_month"] == 8
        assert [p["row"] for p in data["projects"]] == [r["row"] for r in recs]
        for got, rec in zip(data["projects"], recs, strict=True):
            # names are given as typed; the reader trims the spaces around text
            fields = {k: v.strip() if isinstance(v, str) else v
                      for k, v in rec.items() if k not in ("file", "sheet")}
            assert_record(got, fields, f"{file}:{rec['row']}")
        dup_rows = {r["row"] for r in recs if r["duplicate"]}
        assert {i["row"] for i in data["issues"] if "重复" in i["message"]} == dup_rows
