"""The reader's decisions: sheets, columns, the period — made, shown as data, or refused with the
candidates and the option or 设置 key that decides (issue 10)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from keyproject.cli import main
from keyproject.errors import AmbiguousLedgerError
from keyproject.reader import read_ledger

HEADER = ["项目名称", "责任单位", "年度计划投资", "1-7月完成投资"]


def book(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = (),
         hidden_cols: dict[str, str] | None = None, props: dict[str, str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
        for col in (hidden_cols or {}).get(name, ""):
            ws.column_dimensions[col].hidden = True
    if props:
        from openpyxl.packaging.custom import StringProperty

        for k, v in props.items():
            wb.custom_doc_props.append(StringProperty(name=k, value=v))
    wb.save(path)
    return path


def rows_of(*projects: tuple[str, float, float],
            title: str = "2024年1-7月重点项目推进情况") -> list[list[object]]:
    return [[title], HEADER, *[[n, "县发改局", p, y] for n, p, y in projects]]


A = ("甲项目", 1000.0, 600.0)
B = ("乙项目", 2000.0, 900.0)
C = ("丙项目", 500.0, 100.0)


# -- sheets -------------------------------------------------------------------------------------

def test_copies_of_equal_standing_are_refused_with_the_candidates(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = book(tmp_path / "copies.xlsx", {"台账A": rows_of(A, B), "台账B": rows_of(A, B, C)})
    with pytest.raises(AmbiguousLedgerError) as exc:
        read_ledger(path)
    err = exc.value
    assert (err.what, err.candidates) == ("sheet", ("台账A", "台账B"))
    assert (err.option, err.setting) == ("--sheet", "台账工作表")
    for command in (["inspect", str(path)], ["report", str(path)], ["refresh", str(path), "--out",
                                                                    str(tmp_path / "out.xlsx")]):
        assert main(command) == 2
        text = capsys.readouterr().err
        assert "“台账A”" in text and "“台账B”" in text and "--sheet" in text and "copies.xlsx" in text
    assert len(read_ledger(path, sheet="台账B").projects) == 3


def test_the_settings_sheet_names_the_ledger_sheet(tmp_path: Path) -> None:
    path = book(tmp_path / "set.xlsx", {"台账A": rows_of(A, B), "台账B": rows_of(A, B, C),
                                        "设置": [["设置项", "值"], ["台账工作表", "台账B"]]})
    led = read_ledger(path)
    assert led.sheets == ["台账B"]
    assert {d.sheet: d.reason for d in led.sheet_decisions} == {"台账A": "not_selected", "台账B": "selected",
                                                                "设置": "not_selected"}


def test_partitions_are_all_read_and_a_shared_name_is_warned(tmp_path: Path) -> None:
    path = book(tmp_path / "towns.xlsx", {"琵琶镇": rows_of(A, B, C), "赵化镇": rows_of(("丁项目", 1, 1),
                                                                                       ("戊项目", 1, 1), A)})
    led = read_ledger(path)
    assert led.sheets == ["琵琶镇", "赵化镇"] and len(led.projects) == 6
    assert led.projects["town"].tolist() == ["琵琶镇"] * 3 + ["赵化镇"] * 3
    (dup,) = [i for i in led.issues if "重复计算" in i.message]
    assert (dup.sheet, dup.row) == ("赵化镇", 5) and "琵琶镇" in dup.message


def test_a_hidden_copy_and_a_different_table_are_skipped_with_a_warning(tmp_path: Path) -> None:
    other = [["项目名称", "签约时间", "投资方"], ["庚项目", dt.datetime(2024, 5, 1), "某公司"]]
    path = book(tmp_path / "h.xlsx", {"项目台账": rows_of(A, B), "旧台账": rows_of(A, B), "签约项目": other},
                hidden=("旧台账",))
    led = read_ledger(path)
    assert led.sheets == ["项目台账"]
    why = {d.sheet: (d.action, d.reason) for d in led.sheet_decisions}
    assert why["旧台账"] == ("skipped", "hidden") and why["签约项目"] == ("skipped", "different_layout")
    warned = {i.sheet for i in led.warnings}
    assert {"旧台账", "签约项目"} <= warned


def test_an_unfilled_latest_month_gives_way(tmp_path: Path) -> None:
    header = ["项目名称", "责任单位", "年度计划投资", "本年累计完成投资"]
    empty = [["2024年重点项目"], header, ["甲项目", "县发改局", 1000, None],
             ["乙项目", "县发改局", 2000, None]]
    june = [["2024年重点项目"], header, ["甲项目", "县发改局", 1000, 500], ["乙项目", "县发改局", 2000, 900]]
    path = book(tmp_path / "m.xlsx", {"6月": june, "7月": empty})
    led = read_ledger(path)
    assert led.sheets == ["6月"] and led.report_month == 6
    seven = next(d for d in led.sheet_decisions if d.sheet == "7月")
    assert seven.reason == "unfilled_month" and "6月" in seven.message
    assert any(i.sheet == "7月" for i in led.warnings)


def test_two_copies_of_one_month_are_ambiguous(tmp_path: Path) -> None:
    path = book(tmp_path / "m2.xlsx", {"6月": rows_of(A, title="x"), "7月": rows_of(A, B, title="x"),
                                       "7月(2)": rows_of(A, B, title="x")})
    with pytest.raises(AmbiguousLedgerError) as exc:
        read_ledger(path)
    assert exc.value.candidates == ("7月", "7月(2)")


def test_macro_and_chart_entries_are_listed_and_skipped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    for r in rows_of(A):
        ws.append(r)
    chart = wb.create_chartsheet("图表")
    from openpyxl.chart import BarChart, Reference

    bar = BarChart()
    bar.add_data(Reference(ws, min_col=3, min_row=2, max_row=3))
    chart.add_chart(bar)
    wb.save(tmp_path / "c.xlsx")
    led = read_ledger(tmp_path / "c.xlsx")
    assert [(d.sheet, d.kind, d.reason) for d in led.sheet_decisions] == [
        ("项目台账", "worksheet", "projects"), ("图表", "chartsheet", "not_worksheet")]


# -- columns ------------------------------------------------------------------------------------

def test_two_plan_columns_of_one_year_are_refused_and_a_setting_decides(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["2025年1-6月重点项目"], ["项目名称", "2025年计划投资", "2025年计划投资", "1-6月完成投资"],
            ["甲项目", 1000, 1200, 500]]
    path = book(tmp_path / "two.xlsx", {"项目台账": rows})
    with pytest.raises(AmbiguousLedgerError) as exc:
        read_ledger(path)
    err = exc.value
    assert (err.what, err.candidates, err.setting) == ("column", ("B", "C"), "年度计划投资列")
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert "B列“2025年计划投资”" in err and "C列“2025年计划投资”" in err and "年度计划投资列" in err
    assert read_ledger(path, columns={"annual_plan": "C"}).projects["annual_plan"].tolist() == [1200]
    settings = [["设置项", "值"], ["年度计划投资列", "C"]]
    fixed = book(tmp_path / "fixed.xlsx", {"项目台账": rows, "设置": settings})
    led = read_ledger(fixed)
    assert led.projects["annual_plan"].tolist() == [1200]
    by_col = {d.column: d for d in led.column_decisions}
    assert (by_col["C"].reason, by_col["B"].reason) == ("setting", "overridden")


def test_plan_columns_of_two_years_without_a_report_year(tmp_path: Path) -> None:
    rows = [["重点项目推进表"], ["项目名称", "2024年计划投资", "2025年计划投资", "本年完成投资"],
            ["甲项目", 800, 1000, 500]]
    path = book(tmp_path / "years.xlsx", {"项目台账": rows})
    with pytest.raises(AmbiguousLedgerError) as exc:
        read_ledger(path)
    assert exc.value.what == "year" and "看不出报告年份" in str(exc.value)
    assert read_ledger(path, year=2025).projects["annual_plan"].tolist() == [1000]


def test_a_hidden_column_never_beats_a_visible_one_of_the_report_year(tmp_path: Path) -> None:
    rows = [["2025年1-6月重点项目"], ["项目名称", "2025年计划投资", "2025年计划投资", "1-6月完成投资"],
            ["甲项目", 900, 1000, 500]]
    path = book(tmp_path / "hid.xlsx", {"项目台账": rows}, hidden_cols={"项目台账": "B"})
    led = read_ledger(path)
    assert led.projects["annual_plan"].tolist() == [1000]
    assert {d.column: d.reason for d in led.column_decisions}["B"] == "hidden_duplicate"


@pytest.mark.parametrize(("header", "key"), [
    ("县级\n包保领导", "leader"), ("包抓领导", "leader"), ("联系市领导", "leader"), ("牵头区领导", "leader"),
    ("分管领导", "leader"), ("牵头协调部门", "unit"), ("主责部门", "unit"), ("县级牵头单位", "unit"),
    ("项 目 名 称", "name"), ("所属乡镇", "town"), ("项目单位", "owner")])
def test_role_words_by_pattern(tmp_path: Path, header: str, key: str) -> None:
    rows = [["项目名称" if key != "name" else header, "年度计划投资", header if key != "name" else "备注"],
            ["甲项目", 100, "某某"]]
    led = read_ledger(book(tmp_path / "roles.xlsx", {"项目台账": rows}))
    assert led.column_of(key) is not None, header
    if key != "name":
        assert led.projects[key].tolist() == ["某某"]


def test_month_headers_over_plan_and_completion_pairs(tmp_path: Path) -> None:
    rows = [["2024年1-2月项目表"], ["项目名称", "1月", None, "2月", None],
            [None, "计划投资", "完成投资", "计划投资", "完成投资"], ["甲项目", 100, 90, 200, 150]]
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in ("B2:C2", "D2:E2", "A2:A3"):
        ws.merge_cells(m)
    wb.save(tmp_path / "pairs.xlsx")
    p = read_ledger(tmp_path / "pairs.xlsx").projects
    assert (p["p01"].iat[0], p["m01"].iat[0], p["p02"].iat[0], p["m02"].iat[0]) == (100, 90, 200, 150)
    assert p["annual_plan"].isna().all()  # "计划投资" under a month is that month's plan, not the year's


# -- the period ---------------------------------------------------------------------------------

def test_disagreeing_sources_most_specific_wins_with_a_warning(tmp_path: Path) -> None:
    rows = [["2024年1-6月重点项目推进情况"], ["项目名称", "年度计划投资", "本年累计完成投资"],
            ["甲项目", 1000, 500]]
    led = read_ledger(book(tmp_path / "p.xlsx", {"7月": rows}))
    assert (led.report_year, led.report_month) == (2024, 6)
    assert led.period.source.kind == "title"
    (w,) = [i for i in led.warnings if "报告月份" in i.message]
    assert "工作表名“7月”为7月" in w.message and "取6月" in w.message
    kinds = {c.kind for c in led.period.candidates}
    assert {"title", "sheet_name"} <= kinds


def test_a_filling_date_is_not_the_report_date(tmp_path: Path) -> None:
    rows = [["重点项目推进情况表"], ["项目名称", "年度计划投资", "本年累计完成投资"], ["甲项目", 1000, 500],
            [],
            ["填报时间：2024年8月5日"], ["打印日期：2024年8月6日"]]
    led = read_ledger(book(tmp_path / "f.xlsx", {"项目台账": rows}))
    assert (led.report_year, led.report_month) == (None, None) and led.period.candidates == ()


@pytest.mark.parametrize(("note", "want"), [("截至2024年7月31日", (2024, 7, 31)),
                                            ("截止7月底", (None, 7, None)),
                                            ("统计时间：2024年7月25日", (2024, 7, 25)),
                                            ("数据截至2024年7月", (2024, 7, None))])
def test_notes_that_state_the_period(tmp_path: Path, note: str, want: tuple) -> None:
    rows = [["重点项目推进情况表"], [note], ["项目名称", "年度计划投资", "本年累计完成投资"],
            ["甲项目", 1000, 500]]
    led = read_ledger(book(tmp_path / "n.xlsx", {"项目台账": rows}))
    assert (led.period.year, led.period.month, led.period.day) == want
    assert led.period.source.kind == "note" and led.period.source.cell == "A2"


def test_the_period_an_earlier_refresh_recorded_is_exposed(tmp_path: Path) -> None:
    from keyproject.schema import PERIOD_PROPERTY

    path = book(tmp_path / "r.xlsx", {"项目台账": rows_of(A)}, props={PERIOD_PROPERTY: "2024-06-30"})
    led = read_ledger(path)
    assert led.recorded_as_of == dt.date(2024, 6, 30)
    assert (led.report_year, led.report_month) == (2024, 7)  # exposed, no policy applied
    assert read_ledger(book(tmp_path / "n.xlsx", {"项目台账": rows_of(A)})).recorded_as_of is None


def test_inspect_json_shows_the_decisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = book(tmp_path / "j.xlsx", {"说明": [["本表每月5日前报送"]], "项目台账": rows_of(A, B)})
    assert main(["inspect", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["sheet"], d["action"], d["reason"]) for d in data["sheets"]] == [
        ("说明", "skipped", "no_header"), ("项目台账", "read", "projects")]
    assert [(d["column"], d["field"], d["reason"]) for d in data["column_decisions"]] == [
        ("A", "name", "label"), ("B", "unit", "label"), ("C", "annual_plan", "label"),
        ("D", "ytd_completed", "pattern")]
    assert data["period"]["source"]["kind"] == "title" and data["period"]["as_of"] == "2024-07-31"
