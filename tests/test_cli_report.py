"""kp report: JSON and the Chinese table, from a workbook on disk."""

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_workbooks" / "county_fushun_2023.xlsx"


def run_kp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keyproject", *args], capture_output=True, text=True,
                          timeout=120)


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def kp(capsys: pytest.CaptureFixture[str]):
    """kp in-process (the frame is the same as the console script's)."""
    from keyproject.cli import main

    def call(*args: str) -> Result:
        code = main(list(args))
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return call


def _small_ledger(path: Path, title: str = "2023年某县重点项目推进情况表（1-7月）") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append([title])
    ws.append(["序号", "项目名称", "责任单位", "总投资", "年度计划投资", "1-7月完成投资", "计划开工时间",
               "实际开工时间"])
    ws.append([1, "城南污水处理厂", "住建局", 12000, 1000, 600, "2023-02-01", "2023-02-20"])
    ws.append([2, "工业园标准厂房", "经信局", 8000, 2000, 300, "2023-03-01", None])
    ws.append([3, "县医院综合楼", "卫健局", 20000, 3000, 1449, "2022-05-01", "2022-06-01"])
    wb.save(path)
    return path


def test_json_output(tmp_path: Path) -> None:
    proc = run_kp("report", str(_small_ledger(tmp_path / "a.xlsx")), "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["as_of"] == "2023-07-31" and d["time_progress"] == 0.5833
    names = {p["name"]: p for p in d["projects"]}
    assert names["工业园标准厂房"]["light"] == "red"
    assert names["工业园标准厂房"]["light_reasons"] == ["低于序时进度43.3个百分点",
                                                      "计划3月开工，已滞后4个月未开工"]
    assert names["城南污水处理厂"]["light"] == "green" and names["城南污水处理厂"]["gap_points"] == 1.67
    assert names["县医院综合楼"]["gap_points"] == -10.03 and names["县医院综合楼"]["light"] == "yellow"
    assert d["totals"]["annual_plan"] == 6000.0


def test_as_of_basis_and_rules_options(tmp_path: Path, kp) -> None:
    ledger = str(_small_ledger(tmp_path / "a.xlsx"))
    refused = kp("report", ledger, "--json", "--as-of", "2023-06-30")
    assert refused.returncode == 2 and "早于台账的报告月份（2023年1-7月）" in refused.stderr
    assert "--any-date" in refused.stderr and refused.stdout == ""
    d = json.loads(kp("report", ledger, "--json", "--as-of", "2023-06-30", "--any-date").stdout)
    assert d["as_of"] == "2023-06-30" and d["time_progress"] == 0.5
    d = json.loads(kp("report", ledger, "--json", "--as-of", "2023年7月31日").stdout)
    assert d["as_of"] == "2023-07-31" and d["as_of_source"] == "explicit"
    d = json.loads(kp("report", ledger, "--json", "--basis", "day").stdout)
    assert d["time_progress"] == round(212 / 365, 4)
    rules = tmp_path / "rules.toml"
    rules.write_text('preset = "zhaoqing"\ngreen_gap = -20\n', encoding="utf-8")
    d = json.loads(kp("report", ledger, "--json", "--rules", str(rules)).stdout)
    names = {p["name"]: p["light"] for p in d["projects"]}
    assert names["县医院综合楼"] == "green"
    table = kp("report", ledger, "--rules", str(rules))
    assert table.returncode == 0, table.stderr
    assert "蓝灯" in table.stdout


def test_table_output_is_chinese(tmp_path: Path, kp) -> None:
    proc = kp("report", str(_small_ledger(tmp_path / "a.xlsx")))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "序时进度 58.3%" in out and "按责任单位排名" in out  # the sheets' decimals (formats' defaults)
    assert "计划3月开工，已滞后4个月未开工" in out
    assert "红榜" in out and "黑榜" in out


def test_errors_exit_2_in_chinese(tmp_path: Path, kp) -> None:
    no_month = _small_ledger(tmp_path / "b.xlsx", title="某县重点项目表")
    proc = kp("report", str(no_month), "--json")
    assert proc.returncode == 2 and "--as-of" in proc.stderr and "Traceback" not in proc.stderr
    assert kp("report", str(no_month), "--as-of", "2023-07-31", "--json").returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("yellow = -10\n", encoding="utf-8")
    proc = kp("report", str(no_month), "--as-of", "2023-07-31", "--rules", str(bad))
    assert proc.returncode == 2 and "未知的规则设置项“yellow”" in proc.stderr
    proc = kp("report", str(no_month), "--as-of", "July")
    assert proc.returncode == 2 and "--as-of" in proc.stderr


def test_sample_workbook_json_and_table(kp) -> None:
    proc = kp("report", str(SAMPLE), "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["totals"]["projects"] == 60 and d["problems"]["source"] == "sheet"
    assert len(d["red_list"]) >= 1 and len(d["black_list"]) >= 1
    proc = kp("report", str(SAMPLE))
    assert proc.returncode == 0 and "问题办理情况：问题总数" in proc.stdout


def test_the_text_is_the_sheets_views(tmp_path: Path, kp) -> None:
    """kp report's text renders the views the workbook's sheets render: every block title in the
    sheets' order, and the light list in the 红黄绿灯 sheet's order (red first, then widest gap)."""
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger
    from keyproject.views import Table
    from keyproject.views.sheets import BULLETIN, sheet_views

    proc = kp("report", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    views = [v for v in sheet_views(build_report(read_ledger(SAMPLE)), ()) if v.name != BULLETIN]
    at = 0
    for view in views:
        for text in (view.title, *(b.title for b in view.blocks if b.title)):
            found = out.find(text, at)
            assert found >= 0, text
            at = found
    lights = next(v for v in views if v.name == "红黄绿灯").block("lights")
    assert isinstance(lights, Table) and len(lights.rows) == 21
    # the first ten cells of each project's name (rich wraps long names in the table)
    names = [str(n)[:5] for n in lights.values("name")]
    positions = [out.find(n) for n in names]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_a_workbooks_text_is_never_markup() -> None:
    """A project called "[a1]厂房" or a note "[/b]" prints as typed (rich would take it as markup)."""
    import io

    from rich.console import Console

    from keyproject.views import Column, Fact, Facts, SheetView, Table
    from keyproject.views.text import print_views

    view = SheetView("红黄绿灯", "红黄灯项目[b]", (
        Facts("f", "总体情况", (Fact("n", "项目[i]", "[a1]", "text"),)),
        Table("t", "清单", (Column("name", "项目名称"), Column("note", "存在问题", "wrap")),
              (("[a1]厂房", "[/b]用地"),)),
    ))
    out = io.StringIO()
    print_views([view], Console(file=out, width=120, highlight=False))
    text = out.getvalue()
    for typed in ("红黄灯项目[b]", "项目[i] [a1]", "[a1]厂房", "[/b]用地"):
        assert typed in text
