"""Every ledger shape of issue 10, end to end through ``kp inspect --json`` and ``kp report --json``:
names, units, leaders, amounts in 万元, dates, the report month and its source, what was done with
each sheet, the cells warned about, and the lights under the default rules, exactly.

The workbooks are written by ``keyproject.samples.shapes`` with XlsxWriter, the way Excel writes them
(formulas with their cached values, hidden columns marked as Excel marks them). The expected lights
are computed here from the truth with DOMAIN.md's rules, independently of the engine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from keyproject.cli import main
from keyproject.samples import shapes

FIELDS = ("name", "unit", "leader", "command_post", "category", "total_investment", "annual_plan",
          "ytd_completed", "month_completed", "planned_start", "actual_start", "planned_completion",
          "actual_completion", "progress_note", "started_done", "completed_done",
          *[f"m{m:02d}" for m in range(1, 13)], *[f"p{m:02d}" for m in range(1, 13)])


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def expected_light(rec: dict[str, Any], as_of: dt.date, tp: float | None = None) -> str | None:
    """DOMAIN.md: gap ≥ −10 green, −30 ≤ gap < −10 yellow, else red; a planned start passed and not
    started: under 3 months yellow, else red; the worst of the two."""
    tp = as_of.month / 12 if tp is None else tp
    lights = []
    plan, ytd = rec.get("annual_plan"), rec.get("ytd_completed") or 0
    if plan:
        gap = round((ytd / plan - tp) * 100, 2)
        lights.append("green" if gap >= -10 else "yellow" if gap >= -30 else "red")
    ps = rec.get("planned_start")
    if ps is not None and ps <= as_of and not rec["started"]:
        late = (as_of.year * 12 + as_of.month) - (ps.year * 12 + ps.month)
        lights.append("yellow" if late < 3 else "red")
    order = ["green", "yellow", "red"]
    return max(lights, key=order.index) if lights else None


def as_json(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, shapes.Truth]]:
    folder = tmp_path_factory.mktemp("shapes")
    return {name: shapes.build(name, folder) for name in shapes.SHAPES}


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
def test_inspect_reads_the_shape_exactly(shape: str, built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = built[shape]
    data = run_json(capsys, "inspect", str(path), "--json")
    got = {(p["sheet"], p["row"]): p for p in data["projects"]}
    assert sorted(got) == sorted((r["sheet"], r["row"]) for r in truth.projects)
    for rec in truth.projects:
        p = got[(rec["sheet"], rec["row"])]
        for key in FIELDS:
            if key in rec:
                want = as_json(rec[key])
                expected = pytest.approx(want) if isinstance(want, float) else want
                assert p[key] == expected, (shape, rec["name"], key)
    # the period and where it came from
    assert (data["report_year"], data["report_month"]) == (truth.year, truth.month)
    assert data["period"]["day"] == truth.day
    assert data["period"]["source"]["kind"] == truth.period_kind
    assert data["period"]["as_of"] == truth.as_of.isoformat()
    # what was done with each sheet, and why
    decided = {d["sheet"]: d for d in data["sheets"]}
    for sheet, (action, reason) in truth.sheets.items():
        assert (decided[sheet]["action"], decided[sheet]["reason"]) == (action, reason), sheet
    for sheet, fill in truth.fills.items():
        assert decided[sheet]["fills"] == fill
    # exactly the warnings the shape is about, and its notes
    warned = {(i["sheet"], i["row"], i["column"]) for i in data["issues"]
              if i["severity"] in ("warning", "error")}
    assert warned == set(truth.warnings)
    noted = {(i["sheet"], i["row"], i["column"]) for i in data["issues"] if i["severity"] == "info"}
    assert set(truth.infos) <= noted


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
def test_report_lights_the_shape_exactly(shape: str, built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = built[shape]
    data = run_json(capsys, "report", str(path), "--json")
    assert data["as_of"] == truth.as_of.isoformat()
    by_name = {p["name"]: p for p in data["projects"]}
    assert len(by_name) == len(data["projects"]) == len(truth.projects)
    for rec in truth.projects:
        assert by_name[rec["name"]]["light"] == expected_light(rec, truth.as_of), (shape, rec["name"])
    plan = sum(r.get("annual_plan") or 0 for r in truth.projects)
    ytd = sum(r.get("ytd_completed") or 0 for r in truth.projects)
    assert data["totals"]["annual_plan"] == pytest.approx(plan)
    assert data["totals"]["ytd_completed"] == pytest.approx(ytd)


def test_summary_sheet_is_never_projects(built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """The 汇总 repeats every project by formula: counting it would double the totals."""
    path, truth = built["multi_post"]
    data = run_json(capsys, "inspect", str(path), "--json")
    assert {p["sheet"] for p in data["projects"]} == set(truth.fills)
    assert {d["sheet"]: d["action"] for d in data["sheets"]}["汇总"] == "skipped"
    only = run_json(capsys, "inspect", str(path), "--sheet", "交通项目指挥部", "--json")
    assert [p["name"] for p in only["projects"]] == ["S436东湖至富世段", "G348富顺绕城段"]
    assert {d["sheet"]: d["reason"] for d in only["sheets"]}["工业项目指挥部"] == "not_selected"
    both = run_json(capsys, "inspect", str(path), "--sheet", "交通项目指挥部,社会事业指挥部", "--json")
    assert len(both["projects"]) == 5 and len(both["layouts"]) == 2


def test_layouts_locate_every_project_for_the_writer(built: dict) -> None:
    from keyproject.reader import read_ledger

    path, truth = built["multi_post"]
    led = read_ledger(path)
    assert led.sheets == list(truth.fills)
    for lay in led.layouts:
        assert lay.header_rows == [3] and lay.column_of("annual_plan").letter == "F"
        rows = led.projects.loc[led.projects["sheet"] == lay.sheet, "row"].tolist()
        assert rows == [r["row"] for r in truth.projects if r["sheet"] == lay.sheet]


def test_month_copies_say_what_was_dropped(built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = built["per_month"]
    data = run_json(capsys, "inspect", str(path), "--json")
    may = next(d for d in data["sheets"] if d["sheet"] == "5月")
    assert "1个项目不在“7月”中" in may["message"] and may["period"] == "5月"


def test_plan_basis_measures_against_the_monthly_plans(built: dict,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """完成1-7月投资计划的X%: each project against its own plan to date; the one without monthly plans
    falls back to 7/12, with a warning."""
    path, truth = built["typed_headers"]
    data = run_json(capsys, "report", str(path), "--basis", "plan", "--json")
    by_name = {p["name"]: p for p in data["projects"]}
    plan_sum = cum_sum = 0.0
    for rec in truth.projects:
        plans = [rec[f"p{m:02d}"] for m in range(1, 8)]
        tp = sum(plans) / rec["annual_plan"] if plans[0] is not None else 7 / 12
        got = by_name[rec["name"]]
        gap = round((rec["ytd_completed"] / rec["annual_plan"] - tp) * 100, 2)
        assert got["gap_points"] == pytest.approx(gap)
        assert got["light"] == expected_light(rec, truth.as_of, tp)
        plan_sum += rec["annual_plan"]
        cum_sum += rec["annual_plan"] * tp
    assert data["time_progress"] == pytest.approx(round(cum_sum / plan_sum, 4))
    # the two bases disagree on 东湖湿地公园: yellow against 7/12, green against its own plan
    month = run_json(capsys, "report", str(path), "--json")
    lights = {p["name"]: p["light"] for p in month["projects"]}
    assert (lights["东湖湿地公园"], by_name["东湖湿地公园"]["light"]) == ("yellow", "green")
    assert main(["report", str(path), "--basis", "plan"]) == 0
    assert "1个项目没有1-7月的月度计划，按月份口径（7/12）计算序时进度" in capsys.readouterr().out


def test_year_columns_say_which_was_used(built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = built["year_columns"]
    data = run_json(capsys, "inspect", str(path), "--json")
    cols = {d["column"]: d for d in data["column_decisions"]}
    assert (cols["E"]["field"], cols["E"]["action"]) == ("annual_plan", "field")
    assert cols["E"]["reason"] == "report_year"
    assert (cols["D"]["action"], cols["D"]["reason"], cols["D"]["year"], cols["D"]["hidden"]) == (
        "extra", "other_year", 2024, True)


def test_inspect_text_says_what_was_read_and_why(built: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = built["multi_post"]
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "汇总：跳过（项目名称是引用其他工作表的公式，是汇总表，不计为项目）" in out
    assert "工业项目指挥部：读取（作为台账读取，3个项目，工作表名填入“指挥部”）" in out
    assert out.count("列对应：与工作表“工业项目指挥部”相同") == 2
    path, _ = built["year_columns"]
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "D列 2024年计划投资 → （未使用，原样保留）：“年度计划投资”取E列“2025年计划投资”" in out
