"""kp sprint and kp backplan: JSON shape and values, Chinese text, errors exit 2."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import chinese_calendar as cc
import openpyxl
import pytest

from keyproject.cli import main

D = dt.date
SPRINT_KEYS = {"start", "end", "days", "days_elapsed", "days_left", "working_days_left", "target", "done",
               "remaining", "per_day", "per_week", "per_working_day", "on_track", "groups", "basis",
               "basis_note"}

# Tancheng (DOMAIN.md): 125 projects, 1-7月 42.8亿元 done, a hundred-day sprint from 24 August.
N_PROJECTS = 125
UNITS = ["开发区", "住建局", "交通局", "工信局", "马头镇"]
PLANS = [6000.0 + 40.0 * (i % 9) for i in range(N_PROJECTS)]
YTD = [3400.0] * (N_PROJECTS - 1) + [428000.0 - 3400.0 * (N_PROJECTS - 1)]  # sums to 428000 万元


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object
    return json.loads(out)


def expected_sprint(target: float, done: float, as_of: dt.date) -> dict:
    start = D(2023, 8, 24)
    end = start + dt.timedelta(days=99)
    elapsed = (as_of - start).days + 1
    left = 100 - elapsed
    wd = len(cc.get_workdays(as_of + dt.timedelta(days=1), end))
    remaining = max(0.0, target - done)
    return {"start": "2023-08-24", "end": end.isoformat(), "days": 100, "days_elapsed": elapsed,
            "days_left": left, "working_days_left": wd, "target": target, "done": done,
            "remaining": remaining, "per_day": remaining / left, "per_week": remaining / left * 7,
            "per_working_day": remaining / wd, "on_track": done >= target * elapsed / 100, "groups": []}


def assert_matches(got: dict, want: dict) -> None:
    assert set(got) == SPRINT_KEYS
    for key, value in want.items():
        if key == "groups":
            continue
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, abs=1e-3), key
        else:
            assert got[key] == value, key


def test_sprint_json_with_explicit_target(capsys: pytest.CaptureFixture[str]) -> None:
    got = run_json(capsys, "sprint", "--start", "2023-08-24", "--as-of", "2023-09-27",
                   "--target", "734000", "--done", "428000", "--json")
    assert_matches(got, expected_sprint(734000.0, 428000.0, D(2023, 9, 27)))
    assert got["groups"] == []


def test_sprint_human_output_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sprint", "--start", "2023-08-24", "--as-of", "2023-08-31", "--target", "1000",
                 "--done", "10"]) == 0
    out = capsys.readouterr().out
    assert "百日冲刺" in out and "2023-12-01" in out and "落后于进度" in out
    assert "剩余 92 天" in out


def test_sprint_into_2027_needs_a_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sprint", "--start", "2026-11-01", "--as-of", "2026-11-10", "--target", "100", "--json"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "2027" in err and "--calendar" in err and "Traceback" not in err
    cal = tmp_path / "cal.toml"
    cal.write_text('[2027]\nholidays = ["2027-01-01"]\nworkdays = []\n', encoding="utf-8")
    got = run_json(capsys, *args, "--calendar", str(cal))
    in_2027 = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range((D(2027, 2, 8) - D(2027, 1, 1)).days + 1)]
    plain = sum(1 for d in in_2027 if d.weekday() < 5 and d != D(2027, 1, 1))
    assert got["end"] == "2027-02-08"
    assert got["working_days_left"] == len(cc.get_workdays(D(2026, 11, 11), D(2026, 12, 31))) + plain


def test_sprint_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sprint", "--start", "2023-08-24", "--as-of", "2023-09-01"]) == 2
    assert "--target" in capsys.readouterr().err
    assert main(["sprint", "--start", "24 Aug", "--target", "1"]) == 2
    assert "--start" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[2027]\nholiday = ["2027-01-01"]\n', encoding="utf-8")
    assert main(["sprint", "--start", "2023-08-24", "--target", "1", "--as-of", "2023-09-01",
                 "--calendar", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "holiday" in err


def _tancheng_ledger(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(["2023年郯城县重点项目推进情况表"])
    ws.append(["单位：万元"])
    ws.append(["序号", "项目名称", "责任单位", "年度计划投资", "1-7月完成投资"])
    for i in range(N_PROJECTS):
        ws.append([i + 1, f"郯城项目{i + 1:03d}", UNITS[i % len(UNITS)], PLANS[i], YTD[i]])
    wb.save(path)


def test_sprint_from_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 1-7月 ledger and a sprint from 24 August: the sprint's target is what was left on 31 July
    (the ledger's figures predate the start), nothing is done since yet — not the year's task
    against a straight line over the sprint."""
    ledger = tmp_path / "tancheng.xlsx"
    _tancheng_ledger(ledger)
    as_of = D(2023, 8, 31)
    got = run_json(capsys, "sprint", str(ledger), "--start", "2023-08-24", "--as-of", "2023-08-31",
                   "--group-by", "unit", "--json")
    assert_matches(got, expected_sprint(sum(PLANS) - 428000.0, 0.0, as_of))
    assert got["basis"] == "ledger" and "7月31日" in got["basis_note"]
    groups = {g["group"]: g for g in got["groups"]}
    assert set(groups) == set(UNITS)
    for k, unit in enumerate(UNITS):
        left = max(0.0, sum(PLANS[k::len(UNITS)]) - sum(YTD[k::len(UNITS)]))
        assert groups[unit]["target"] == pytest.approx(left)
        assert groups[unit]["done"] == pytest.approx(0.0)
        assert groups[unit]["projects"] == N_PROJECTS // len(UNITS)
        assert groups[unit]["on_track"] == (left == 0.0)
    # --target overrides the measured target, --done keeps the measured done
    got = run_json(capsys, "sprint", str(ledger), "--start", "2023-08-24", "--as-of", "2023-08-31",
                   "--target", "900000", "--json")
    assert got["target"] == 900000.0 and got["done"] == pytest.approx(0.0)
    # a baseline ledger as it stood at the start: target = left then, done = completed since
    later = tmp_path / "later.xlsx"
    wb = openpyxl.load_workbook(ledger)
    ws = wb.active
    ws["A1"] = "2023年郯城县重点项目推进情况表（1-9月）"
    ws["E3"] = "1-9月完成投资"
    for r in range(4, 4 + N_PROJECTS):
        ws.cell(r, 5).value = ws.cell(r, 5).value + 100.0
    wb.save(later)
    got = run_json(capsys, "sprint", str(later), "--start", "2023-08-24", "--as-of", "2023-09-30",
                   "--baseline", str(ledger), "--json")
    assert got["basis"] == "baseline"
    assert got["target"] == pytest.approx(sum(PLANS) - 428000.0)
    assert got["done"] == pytest.approx(100.0 * N_PROJECTS)
    # the September ledger alone has no monthly columns and postdates the start: the year's task,
    # said on stderr
    assert main(["sprint", str(later), "--start", "2023-08-24", "--as-of", "2023-09-30"]) == 0
    out = capsys.readouterr()
    assert "无法取得冲刺开始时的完成情况" in out.err and "按全年任务计算" in out.out


def test_backplan_json(capsys: pytest.CaptureFixture[str]) -> None:
    got = run_json(capsys, "backplan", "--target", "2023-10-08", "--json")
    assert got["target"] == "2023-10-08"
    assert got["finish"] == "2023-10-08"  # a make-up working Sunday
    assert [s["step"] for s in got["steps"]] == ["项目注册", "备案/核准", "规划许可", "用地批复", "环评批复",
                                                 "施工许可"]
    assert got["working_days"] == sum(s["days"] for s in got["steps"]) == 80
    for s in got["steps"]:
        start, finish = D.fromisoformat(s["latest_start"]), D.fromisoformat(s["latest_finish"])
        assert len(cc.get_workdays(start, finish)) == s["days"]
    assert got["start"] == got["steps"][0]["latest_start"]


def test_backplan_steps_file_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = tmp_path / "steps.toml"
    steps.write_text('[steps]\n"施工图审查" = 3\n"施工许可" = 2\n', encoding="utf-8")
    assert main(["backplan", "--target", "2023-10-09", "--steps", str(steps)]) == 0
    out = capsys.readouterr().out
    assert "倒排工期" in out and "施工图审查" in out and "2023-09-27" in out and "2023-10-07" in out
    assert main(["backplan", "--target", "2027-05-01"]) == 2
    assert "2027" in capsys.readouterr().err


def test_kp_sprint_as_a_process() -> None:
    proc = subprocess.run([sys.executable, "-m", "keyproject", "sprint", "--start", "2023-08-24",
                           "--as-of", "2023-08-31", "--target", "10", "--done", "1", "--json"],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) == SPRINT_KEYS


def test_backplan_milestones_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "节点清单"
    ws.append(["项目名称", "节点", "完成时限", "完成时间", "滞后原因", "调整后时限"])
    ws.append(["甲项目", "用地批复", dt.datetime(2023, 8, 30), None, "土地报批滞后", None])
    ws.append(["甲项目", "施工许可", dt.datetime(2023, 9, 7), None, None, None])
    ws.append(["乙项目", "环评批复", dt.datetime(2023, 8, 1), dt.datetime(2023, 8, 3), None, None])
    ws.append(["丙项目", "规划许可", dt.datetime(2023, 8, 1), None, "专家评审", dt.datetime(2023, 9, 30)])
    wb.save(path)
    got = run_json(capsys, "backplan", "--milestones", str(path), "--as-of", "2023-08-31", "--json")
    assert got["milestone_counts"] == {"done": 1, "overdue": 1, "due_soon": 1, "pending": 1}
    by = {(m["project"], m["step"]): m for m in got["milestones"]}
    assert by[("甲项目", "用地批复")]["status"] == "overdue"
    assert by[("甲项目", "用地批复")]["days_to_deadline"] == -1
    assert by[("乙项目", "环评批复")]["done_late"] is True
    assert by[("丙项目", "规划许可")]["effective_deadline"] == "2023-09-30"
    assert main(["backplan", "--milestones", str(path), "--as-of", "2023-08-31"]) == 0
    out = capsys.readouterr().out
    assert "已逾期 1 个" in out and "土地报批滞后" in out


def test_sprint_ledger_without_plan_needs_a_target(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "noplan.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "责任单位", "1-7月完成投资"])
    ws.append(["甲项目", "交通局", 100])
    wb.save(path)
    assert main(["sprint", str(path), "--start", "2023-08-24", "--as-of", "2023-08-31", "--json"]) == 2
    assert "--target" in capsys.readouterr().err
    got = run_json(capsys, "sprint", str(path), "--start", "2023-08-24", "--as-of", "2023-08-31",
                   "--target", "500", "--json")
    assert got["done"] == 100.0 and got["remaining"] == 400.0
