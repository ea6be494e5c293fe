"""The sample workbooks: committed files equal a fresh regeneration, and show what they advertise."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from keyproject import samples
from keyproject.schema import LEDGER, MILESTONES, PROBLEMS

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "sample_workbooks"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    samples.build_all(out)
    return out


def _workbook_files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*.xlsx"))


def _cells(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_committed_samples_match_regeneration(fresh: Path) -> None:
    assert _workbook_files(fresh) == _workbook_files(COMMITTED), (
        "committed sample files differ from the generator's"
    )
    for rel in _workbook_files(fresh):
        new = openpyxl.load_workbook(fresh / rel)
        old = openpyxl.load_workbook(COMMITTED / rel)
        assert new.sheetnames == old.sheetnames, rel
        for name in new.sheetnames:
            a, b = new[name], old[name]
            assert _cells(a) == _cells(b), f"{rel}:{name} is stale: run python -m keyproject.samples"
            assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        assert sorted(new.defined_names) == sorted(old.defined_names)


def test_regeneration_is_byte_identical(tmp_path: Path, fresh: Path) -> None:
    samples.build_all(tmp_path)
    for rel in _workbook_files(fresh):
        assert (tmp_path / rel).read_bytes() == (fresh / rel).read_bytes(), rel


# --- the county ledger ------------------------------------------------------------------------

COUNTY = COMMITTED / "county_fushun_2023.xlsx"
AS_OF = date(2023, 7, 31)


def _light(rec: dict, as_of: date = AS_OF, month: int = 7) -> str | None:
    """DOMAIN.md rules, written out independently of the engine."""
    lights = []
    if rec["annual_plan"]:
        gap = round((rec["ytd_completed"] / rec["annual_plan"] - month / 12) * 100, 2)
        lights.append("green" if gap >= -10 else "yellow" if gap >= -30 else "red")
    ps = rec["planned_start"]
    if ps is not None and ps <= as_of and rec["actual_start"] is None:
        late = (as_of.year - ps.year) * 12 + as_of.month - ps.month
        lights.append("yellow" if late < 3 else "red")
    order = ["green", "yellow", "red"]
    return max(lights, key=order.index) if lights else None


def test_county_records_use_canonical_keys() -> None:
    recs = samples.county_projects()
    assert 55 <= len(recs) <= 65
    extra = {"row", "备注", "scenario"}
    for rec in recs:
        assert set(rec) - extra <= set(LEDGER.keys)
        assert isinstance(rec["row"], int)
    names = [r["name"] for r in recs]
    for real in (
        "S436东湖至富世段",
        "四川川啤啤酒饮料生产项目",
        "丰聚优能磷酸铁锂电池循环利用项目",
        "兴永圣润滑油生产项目",
        "富顺一中改扩建项目",
    ):
        assert real in names
    assert len(set(names)) == len(names)
    assert len({r["command_post"] for r in recs}) == 7
    for p in (PROBLEMS, MILESTONES):
        rows = samples.county_problems() if p is PROBLEMS else samples.county_milestones()
        assert {k for r in rows for k in r} - {"row"} <= set(p.keys)


def test_county_amounts_are_realistic() -> None:
    for rec in samples.county_projects():
        assert 3000 <= rec["total_investment"] <= 500000
        if rec["annual_plan"] is not None:
            assert 1000 <= rec["annual_plan"] <= 50000
        months = [rec[f"m{m:02d}"] for m in range(1, 8)]
        assert sum(months) == rec["ytd_completed"]
        assert rec["month_completed"] == rec["m07"]


def test_county_lights_mix_and_boundary() -> None:
    recs = samples.county_projects()
    counts = Counter(_light(r) for r in recs)
    assert counts["red"] >= 3 and counts["yellow"] >= 3 and counts["green"] >= 20
    assert counts[None] >= 1  # projects with no annual plan
    gaps = [
        round((r["ytd_completed"] / r["annual_plan"] - 7 / 12) * 100, 2) for r in recs if r["annual_plan"]
    ]
    assert -10.0 in gaps and -30.0 in gaps
    # start lights on both sides of the 3-month line
    late = [
        (AS_OF.year - r["planned_start"].year) * 12 + AS_OF.month - r["planned_start"].month
        for r in recs
        if r["actual_start"] is None and r["planned_start"] <= AS_OF
    ]
    assert any(m < 3 for m in late) and any(m >= 3 for m in late)


def test_county_sheet_holds_the_records() -> None:
    wb = openpyxl.load_workbook(COUNTY)
    ws = wb["项目台账"]
    assert ws["A1"].value == "2023年富顺县重大项目推进情况表（1-7月）"
    assert any(c.value == "单位：万元" for c in ws[2])
    header = {ws.cell(5 if ws.cell(5, c).value else 4, c).value: c for c in range(1, ws.max_column + 1)}
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:A5" in merged and "B4:B5" in merged
    parents = [r for r in ws.merged_cells.ranges if r.min_row == r.max_row == 4]
    assert {ws.cell(4, r.min_col).value for r in parents} == {"2023年", "2023年各月完成投资"}
    messy = {(m["row"], m["key"]): m for m in samples.county_messy_cells()}
    col_of = {
        "name": "项目名称",
        "total_investment": "总投资",
        "annual_plan": "年度计划投资",
        "ytd_completed": "1-7月完成投资",
        "m07": "7月",
        "planned_start": "计划开工时间",
        "actual_start": "实际开工时间",
        "planned_completion": "计划竣工时间",
        "leader": "包保领导",
    }
    for rec in samples.county_projects():
        for key, head in col_of.items():
            value = ws.cell(rec["row"], header[head]).value
            if (rec["row"], key) in messy:
                assert value == messy[(rec["row"], key)]["text"]
                assert isinstance(value, str)
            elif isinstance(value, datetime):
                assert value.date() == rec[key]
            else:
                assert value == rec[key], (rec["row"], key)
    labels = Counter(ws.cell(r, 1).value for r in range(6, ws.max_row + 1))
    assert labels["合计"] == 1 and labels["小计"] == 7
    sections = [v for v in labels if isinstance(v, str) and v[1:2] == "、" and v.endswith("指挥部")]
    assert len(sections) == 7
    assert str(ws.cell(6, header["总投资"]).value).startswith("=")
    texts = [c.value for row in ws.iter_rows(min_row=80) for c in row if isinstance(c.value, str)]
    assert any(t.startswith("填报单位") for t in texts) and any(t.startswith("注：") for t in texts)
    assert {"台账数据", "序时进度"} <= set(wb.defined_names)
    assert ws.data_validations.dataValidation and ws.conditional_formatting
    assert ws.freeze_panes == "C6"
    assert any(c.comment for row in ws.iter_rows() for c in row)
    known = set(LEDGER.keys)
    assert "备注" in header and "备注" not in known


def test_county_problems_sheet() -> None:
    wb = openpyxl.load_workbook(COUNTY)
    assert "问题清单" not in wb.sheetnames  # keyproject writes its own 问题清单
    ws = wb["问题台账"]
    probs = samples.county_problems()
    assert len(probs) >= 20
    for p in probs:
        assert ws.cell(p["row"], 2).value == p["project"]
        assert ws.cell(p["row"], 8).value == p["status"]
    states = Counter(p["status"] for p in probs)
    assert states["已销号"] and states["未销号"] and states["办理中"]
    open_ = [p for p in probs if p["status"] != "已销号"]
    assert any(p["deadline"] < AS_OF for p in open_) and any(p["deadline"] >= AS_OF for p in open_)
    assert all(p["closed_date"] is not None for p in probs if p["status"] == "已销号")
    names = {r["name"] for r in samples.county_projects()}
    assert {p["project"] for p in probs} <= names


def test_county_side_sheets() -> None:
    wb = openpyxl.load_workbook(COUNTY)
    settings = {r[0]: r[1] for r in wb["设置"].iter_rows(min_row=2, values_only=True)}
    assert settings["黄灯差距"] == -10 and settings["红灯差距"] == -30 and settings["开工滞后红灯月数"] == 3
    assert settings["百日冲刺开始"] == datetime(2023, 8, 24) and settings["冲刺天数"] == 100
    months = [r[1] for r in wb["上年月度"].iter_rows(min_row=2, values_only=True)]
    assert months == samples.last_year_monthly() and len(months) == 12
    assert months[11] == max(months)  # the year-end push
    ms = samples.county_milestones()
    ws = wb["节点清单"]
    assert [c.value for c in ws[1]] == ["项目名称", "节点", "完成时限", "完成时间", "滞后原因", "调整后时限"]
    assert len({m["project"] for m in ms}) == 8
    overdue = [m for m in ms if m["done_date"] is None and m["deadline"] < AS_OF]
    assert overdue and all(m["reason"] for m in overdue)
    assert any(m["done_date"] for m in ms)
    for m in ms:
        assert ws.cell(m["row"], 1).value == m["project"] and ws.cell(m["row"], 2).value == m["step"]


# --- the city ledger --------------------------------------------------------------------------

CITY = COMMITTED / "city_messy_2024.xlsx"


def test_city_sheet_is_messy_as_advertised() -> None:
    wb = openpyxl.load_workbook(CITY)
    ws = wb.worksheets[0]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "单位：亿元" in cells and "總投資（億元）" in cells and "項目名稱" in cells
    assert "2024年计划投资" in cells and "其中：工业项目" in cells
    assert any(t.startswith("注：") for t in cells) and any(t.startswith("填报人") for t in cells)
    assert any(r.min_row == 3 and r.max_row == 5 for r in ws.merged_cells.ranges)  # three-row header
    for text in ("—", "/", "无", "待定"):
        assert text in cells
    assert any("０" <= ch <= "９" for t in cells for ch in t)  # a full-width number
    recs = samples.city_projects()
    assert 38 <= len(recs) <= 45
    names = [r["name"] for r in recs]
    assert len(set(names)) == len(names) - 1  # one duplicate name
    rows = [r["row"] for r in recs]
    assert any(b - a > 1 for a, b in itertools.pairwise(rows))  # blank rows inside
    header = {ws.cell(r, c).value: c for r in (3, 4, 5) for c in range(1, ws.max_column + 1)}
    for rec in recs:
        assert ws.cell(rec["row"], header["項目名稱"]).value == rec["name"]
        typed = ws.cell(rec["row"], header["總投資（億元）"]).value
        if isinstance(typed, (int, float)):
            assert rec["total_investment"] == pytest.approx(typed * 10000)
    issues = samples.city_expected_issues()
    errors = [i for i in issues if i["severity"] == "error"]
    assert len(errors) == 1 and ws[f"{errors[0]['column']}{errors[0]['row']}"].value == "待定"
    for i in issues:
        if i["key"] != "name":
            assert ws[f"{i['column']}{i['row']}"].value == i["text"]
    styles = {i["text"] for i in issues} | set(cells)
    for pattern in (
        r"^\d{4}\.\d{1,2}\.\d{1,2}$",
        r"^\d{4}年\d{1,2}月\d{1,2}日$",
        r"^\d{4}/\d{1,2}/\d{1,2}$",
        r"^\d{4}-\d{2}$",
        r"^\d{4}年\d{1,2}月$",
    ):
        assert any(re.match(pattern, t) for t in styles), pattern


# --- the submissions --------------------------------------------------------------------------


def test_submissions_cover_matches_conflict_duplicate_unmatched() -> None:
    rows = samples.submission_rows()
    files = {r["file"] for r in rows}
    assert files == {
        "submissions/交通运输局_8月报送.xlsx",
        "submissions/经信局_8月报送.xlsx",
        "submissions/住建局_8月报送.xlsx",
    }
    ledger = {r["row"]: r for r in samples.county_projects()}
    for r in rows:
        wb = openpyxl.load_workbook(COMMITTED / r["file"])
        ws = wb[r["sheet"]]
        assert r["name"] in [c.value for c in ws[r["row"]]]
        if r["match_row"] is not None:
            led = ledger[r["match_row"]]
            assert led["name"] == r["match_name"]
            assert r["ytd_completed"] == led["ytd_completed"] + r["month_completed"]  # newer figures
    unmatched = [r for r in rows if r["match_row"] is None]
    assert len(unmatched) == 1
    dups = [r for r in rows if r["duplicate"]]
    assert len(dups) == 1
    twin = [r for r in rows if r["file"] == dups[0]["file"] and r["match_row"] == dups[0]["match_row"]]
    assert len(twin) == 2
    conflict = [r for r in rows if r["conflict"]]
    assert len({r["file"] for r in conflict}) == 2 and len({r["match_row"] for r in conflict}) == 1
    assert conflict[0]["ytd_completed"] != conflict[1]["ytd_completed"]
    # names that only match after normalising, and rows that only match by code
    assert any(r["match_name"] and r["name"] != r["match_name"] and r["code"] is None for r in rows)
    by_code = [r for r in rows if r["code"]]
    assert by_code and all(r["code"] == ledger[r["match_row"]]["code"] for r in by_code)
    assert any(r["name"] != r["match_name"] for r in by_code)
    assert any(r["actual_start"] for r in rows)
    started = next(r for r in rows if r["actual_start"])
    assert ledger[started["match_row"]]["actual_start"] is None


# --- what the reader reads equals the records ---------------------------------------------------


def _same(value: object, got: object) -> bool:
    if value is None:
        return bool(pd.isna(got))
    if isinstance(value, float):
        return not pd.isna(got) and got == pytest.approx(value, abs=1e-6)
    if isinstance(value, date):
        return not pd.isna(got) and got.date() == value
    return got == value


@pytest.mark.parametrize(
    ("name", "truth"),
    [("county_fushun_2023.xlsx", samples.county_projects), ("city_messy_2024.xlsx", samples.city_projects)],
)
def test_reader_reads_the_records(name: str, truth) -> None:
    from keyproject.reader import read_ledger

    led = read_ledger(COMMITTED / name)
    df = led.projects.set_index("row")
    recs = truth()
    assert sorted(df.index) == [r["row"] for r in recs]
    for rec in recs:
        got = df.loc[rec["row"]]
        for key, value in rec.items():
            if key in LEDGER.by_key:
                assert _same(value, got[key]), (name, rec["row"], key, value, got[key])
        assert led.extras.loc[df.index.get_loc(rec["row"]), "备注"] == rec["备注"] or (
            rec["备注"] is None and pd.isna(led.extras.loc[df.index.get_loc(rec["row"]), "备注"])
        )


def test_reader_reports_the_city_issues() -> None:
    from keyproject.reader import read_ledger

    led = read_ledger(CITY)
    found = {(i.severity, i.row, i.column) for i in led.issues}
    for exp in samples.city_expected_issues():
        assert (exp["severity"], exp["row"], exp["column"]) in found, exp
    assert led.unit == "亿元" and led.report_month == 9


def test_reader_reads_county_side_tables() -> None:
    from keyproject.reader import read_ledger, read_table

    led = read_ledger(COUNTY)
    assert led.report_month == 7 and led.unit == "万元"
    warned = {(i.row, i.column) for i in led.issues if i.severity == "warning"}
    for cell in samples.county_messy_cells():
        if cell["warning"]:
            letter = next(c.letter for c in led.columns if c.key == cell["key"])
            assert (cell["row"], letter) in warned
    assert not [i for i in led.issues if i.severity == "error"]
    probs = led.problems.set_index("row")
    for p in samples.county_problems():
        for key, value in p.items():
            if key != "row":
                assert _same(value, probs.loc[p["row"], key]), (p["row"], key)
    ms = read_table(COUNTY, MILESTONES, sheet="节点清单").projects.set_index("row")
    for m in samples.county_milestones():
        for key, value in m.items():
            if key != "row":
                assert _same(value, ms.loc[m["row"], key]), (m["row"], key)
    assert led.settings["百日冲刺开始"] == date(2023, 8, 24)


# --- the September submissions ------------------------------------------------------------------

def test_september_submissions_match_their_truth() -> None:
    from keyproject.reader import read_ledger
    from keyproject.samples.september import SILENT_UNIT
    from keyproject.submissions import consolidate

    ledger = read_ledger(COUNTY)
    c = consolidate(ledger, [COMMITTED / "submissions_september"])
    truth = samples.september_rows()
    assert c.report_period == (2023, 9) and c.matched_count == len(truth) and c.unmatched.empty
    assert all(f.used for f in c.submitted_files) and len(c.submitted_files) == 3
    by_row = ledger.projects.reset_index().set_index("row")
    for t in truth:
        label = by_row.loc[t["match_row"], "index"]
        assert c.projects.loc[label, "ytd_completed"] == pytest.approx(t["ytd_completed"]), t["name"]
    units = set(ledger.projects.loc[c.reporting.reported, "unit"])
    assert units == {"县交通运输局", "县住建局", "县水务局"} and SILENT_UNIT not in units
