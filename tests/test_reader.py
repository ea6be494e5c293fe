"""read_ledger / read_table on the shapes real office ledgers take."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_workbooks import COUNTY_MERGES, COUNTY_ROWS, make_workbook, set_cached_values

from keyproject.errors import LedgerFileError
from keyproject.reader import read_ledger, read_table
from keyproject.schema import LEDGER, MILESTONES, PROBLEMS


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "county.xlsx", COUNTY_ROWS, merges=COUNTY_MERGES)


def by_name(ledger, name: str) -> pd.Series:
    p = ledger.projects
    hit = p[p["name"] == name]
    assert len(hit) == 1, name
    return hit.iloc[0]


def issues_at(ledger, row: int, column: str) -> list:
    return [i for i in ledger.issues if i.row == row and i.column == column]


def test_county_layout(county: Path) -> None:
    led = read_ledger(county)
    assert led.sheet == "项目台账"
    assert led.header_rows == [4, 5]
    assert led.title == "2023年富顺县重大项目推进情况表（1-7月）"
    assert led.unit == "万元"
    assert led.report_month == 7
    assert led.report_year == 2023
    assert led.projects["row"].tolist() == [7, 8, 9, 12, 13]
    assert led.projects["code"].tolist() == ["FS001", "FS002", "FS003", "FS004", "FS005"]
    keys = {c.letter: c.key for c in led.columns}
    assert keys == {"A": "seq", "B": "code", "C": "name", "D": "command_post", "E": "leader",
                    "F": "total_investment", "G": "annual_plan", "H": "ytd_completed", "I": "reported_rate",
                    "J": "planned_start", "K": "actual_start", "L": "progress_note", "M": None}
    assert led.column_of("ytd_completed").header == "2023年/1-7月完成投资"
    assert [c.letter for c in led.owned_columns] == ["N"]
    assert led.last_column == 14
    assert "灯号" not in led.extras.columns


def test_county_values(county: Path) -> None:
    led = read_ledger(county)
    p = led.projects
    assert p["total_investment"].tolist() == [50000, 3000, 8000, 120000, 15000]
    assert p["annual_plan"].tolist() == [12000, 3000, 500, 20000, 5000]
    assert p["ytd_completed"].tolist()[:2] == [8000, 800] and np.isnan(p["ytd_completed"].iloc[2])
    assert p["reported_rate"].iloc[1] == pytest.approx(0.267)
    assert p["planned_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-03-01", "2023-04-01", "2023-08-30", "2023-04-01", "2023-02-15"]
    assert by_name(led, "四川川啤啤酒饮料生产项目")["actual_start"] == pd.Timestamp("2023-03-15")
    assert pd.isna(by_name(led, "丰聚优能磷酸铁锂电池循环利用项目")["actual_start"])
    # 指挥部 merged down over rows 7-9 belongs to each of them
    assert p["command_post"].tolist()[:3] == ["工业指挥部"] * 3
    assert p["progress_note"].iloc[0] == "主体完工"
    assert str(p["name"].dtype) == "str" and p["total_investment"].dtype == "float64"
    assert p["planned_start"].dtype == "datetime64[us]"
    assert str(p["row"].dtype) == "Int64"
    assert list(p.columns[:1]) == ["row"] and set(LEDGER.keys) <= set(p.columns)
    assert led.extras["备注"].tolist() == ["重点关注", None, None, None, None]


def test_county_issues_are_exactly_the_doubtful_cells(county: Path) -> None:
    led = read_ledger(county)
    found = sorted((i.severity, i.row, i.column) for i in led.issues)
    assert found == [("warning", 8, "H"), ("warning", 12, "J"), ("warning", 12, "K")]
    (approx,) = issues_at(led, 8, "H")
    assert "约800" in approx.message and approx.sheet == "项目台账"
    assert "county.xlsx" in str(approx)


def test_three_row_header_with_units_and_month_columns(tmp_path: Path) -> None:
    rows = [
        ["重点项目月度调度表"],
        ["项目名称", "总投资（亿元）", "2023年", None, None, None, None, None],
        [None, None, "投资（万元）", None, None, "各月完成投资", None, None],
        [None, None, "年度计划投资", "1-3月完成投资", "当月完成", "1月", "2月", "3月"],
        ["甲项目", 1.5, 3000, 900, 300, 300, 300, 300],
        ["乙项目", "0.25", 800, 150, 50, 50, 50, 50],
    ]
    merges = ["A2:A4", "B2:B4", "C2:H2", "C3:E3", "F3:H3"]
    led = read_ledger(make_workbook(tmp_path / "three.xlsx", rows, sheet="Sheet1", merges=merges))
    assert led.header_rows == [2, 3, 4]
    keys = [c.key for c in led.columns]
    assert keys == ["name", "total_investment", "annual_plan", "ytd_completed", "month_completed",
                    "m01", "m02", "m03"]
    assert led.report_month == 3 and led.report_year == 2023
    assert led.projects["total_investment"].tolist() == [15000, 2500]
    assert led.projects["m02"].tolist() == [300, 50]
    assert led.column_of("total_investment").factor == 10000


def test_unit_note_in_yi_converts_every_amount(tmp_path: Path) -> None:
    rows = [
        ["2024年全市重大项目表"],
        [None, None, None, "单位：亿元"],
        ["项目名称", "总投资", "2024年计划投资", "本年完成（万元）"],
        ["甲", 1.2, 0.5, 1000],
        ["乙", "１.５", "0.3", "2,000"],
    ]
    led = read_ledger(make_workbook(tmp_path / "yi.xlsx", rows))
    assert led.unit == "亿元"
    assert led.report_year == 2024 and led.report_month is None
    p = led.projects
    assert p["total_investment"].tolist() == [12000, 15000]
    assert p["annual_plan"].tolist() == [5000, 3000]
    assert p["ytd_completed"].tolist() == [1000, 2000]  # the column's own unit wins over the note
    assert led.issues == []


def test_traditional_headers(tmp_path: Path) -> None:
    rows = [
        ["項目名稱", "總投資（萬元）", "責任單位", "計劃開工時間", "形象進度", "存在問題", "包保領導"],
        ["甲項目", 1000, "發改局", dt.datetime(2023, 5, 1), "施工中", "用地", "張三"],
    ]
    led = read_ledger(make_workbook(tmp_path / "trad.xlsx", rows))
    assert [c.key for c in led.columns] == ["name", "total_investment", "unit", "planned_start",
                                             "progress_note", "problems", "leader"]
    assert led.projects["name"].tolist() == ["甲項目"]  # values are kept as typed
    assert led.projects["planned_start"].iloc[0] == pd.Timestamp("2023-05-01")


def test_ambiguous_completion_headers(tmp_path: Path) -> None:
    rows = [
        ["项目名称", "完成投资", "1-7月完成投资", "7月完成投资", "累计完成投资"],
        ["甲", 1, 2, 3, 4],
    ]
    led = read_ledger(make_workbook(tmp_path / "amb.xlsx", rows))
    keys = {c.header: c.key for c in led.columns}
    assert keys["1-7月完成投资"] == "ytd_completed"
    assert keys["7月完成投资"] == "m07"
    # "完成投资" and "累计完成投资" also mean ytd; the more specific "1-7月" column keeps the field,
    # the others are kept as user columns with a warning each
    assert keys["完成投资"] is None and keys["累计完成投资"] is None
    assert led.projects["ytd_completed"].tolist() == [2]
    assert led.projects["m07"].tolist() == [3]
    assert list(led.extras.columns) == ["完成投资", "累计完成投资"]
    assert led.report_month == 7
    assert sorted(i.column for i in led.issues if i.severity == "warning") == ["B", "E"]


def test_report_month_from_title_only(tmp_path: Path) -> None:
    rows = [["2023年1-8月重点项目进展"], ["项目名称", "年度计划投资", "本年完成投资"], ["甲", 100, 50]]
    led = read_ledger(make_workbook(tmp_path / "t.xlsx", rows))
    assert led.report_month == 8 and led.report_year == 2023 and led.header_rows == [2]


def test_non_project_rows_are_skipped_quietly(tmp_path: Path) -> None:
    rows = [
        ["项目名称", "总投资", "年度计划投资"],
        ["（一）续建项目"],
        ["甲", 100, 10],
        ["总计", 100, 10],
        ["工业项目小计", 100, 10],
        ["全县总计（3个）", 600, 60],
        ["其中：省重点", 100, 10],
        ["第二部分 新建项目"],
        ["乙", 200, 20],
        ["项目名称", "总投资", "年度计划投资"],  # the header repeated for a printed page
        ["丙", 300, 30],
        ["填报单位：发改局（盖章）"],
        ["审核人：王某", None, "填报日期：2023年8月5日"],
        ["备注：本表由各指挥部填报"],
        ["各单位于每月5日前报送"],
    ]
    led = read_ledger(make_workbook(tmp_path / "skip.xlsx", rows))
    assert led.projects["name"].tolist() == ["甲", "乙", "丙"]
    assert led.projects["row"].tolist() == [3, 9, 11]
    assert led.issues == []


def test_amounts_typed_as_text(tmp_path: Path) -> None:
    texts = ["3,000", "３０００", "0.8亿", "１.２亿", "500万", "约800", "—", "-", "/", "无", "", None, 42.5]
    rows = [["项目名称", "年度计划投资"], *[[f"项目{i}", t] for i, t in enumerate(texts)]]
    led = read_ledger(make_workbook(tmp_path / "amounts.xlsx", rows))
    got = led.projects["annual_plan"].tolist()
    want = [3000, 3000, 8000, 12000, 500, 800, None, None, None, None, None, None, 42.5]
    assert [None if np.isnan(g) else g for g in got] == want
    assert [(i.severity, i.row, i.column) for i in led.issues] == [("warning", 7, "B")]


def test_formulas_read_as_cached_values(tmp_path: Path) -> None:
    rows = [["项目名称", "年度计划投资", "本年完成投资", "完成率"], ["甲", 200, 50, "=C2/B2"],
            ["合计", "=SUM(B2)", 50]]
    path = make_workbook(tmp_path / "f.xlsx", rows)
    set_cached_values(path, {"D2": "0.25", "B3": "200"})
    led = read_ledger(path)
    assert led.projects["reported_rate"].tolist() == [0.25]
    assert led.issues == []


def test_formulas_without_cached_values_are_missing(tmp_path: Path) -> None:
    rows = [["项目名称", "年度计划投资", "完成率"], ["甲", 200, "=0.5"]]
    led = read_ledger(make_workbook(tmp_path / "nf.xlsx", rows))
    assert np.isnan(led.projects["reported_rate"].iloc[0])


def test_dates_in_every_office_form(tmp_path: Path) -> None:
    forms = [dt.datetime(2023, 8, 30), "2023.8.30", "2023年8月30日", "2023-08-30", "2023/8/30", 45168]
    rows = [["2023年项目表"], ["项目名称", "计划开工时间", "实际开工时间"]]
    actual = ["2023年4月", "8月底", 2023.4, 2023.4, 2023.4, 2023.4]
    rows += [[f"项目{i}", f, a] for i, (f, a) in enumerate(zip(forms, actual, strict=True))]
    led = read_ledger(make_workbook(tmp_path / "dates.xlsx", rows))
    assert set(led.projects["planned_start"]) == {pd.Timestamp("2023-08-30")}
    actual = led.projects["actual_start"].dt.strftime("%Y-%m-%d").tolist()
    assert actual == ["2023-04-01", "2023-08-31"] + ["2023-04-01"] * 4
    warned = {(i.row, i.column) for i in led.issues if i.severity == "warning"}
    assert warned == {(8, "B")} | {(r, "C") for r in range(3, 9)}  # the serial and every imprecise date
    assert not led.errors


def test_date_without_year_and_no_report_year_is_an_error(tmp_path: Path) -> None:
    rows = [["项目名称", "计划开工时间"], ["甲", "8月底"]]
    led = read_ledger(make_workbook(tmp_path / "ny.xlsx", rows))
    assert led.report_year is None
    (err,) = led.errors
    assert (err.row, err.column) == (2, "B") and "8月底" in err.message


def test_errors_that_are_errors(tmp_path: Path) -> None:
    rows = [
        ["项目编号", "项目名称", "总投资", "年度计划投资"],
        ["A1", "甲", "待定", 100],
        ["A2", "乙", 500, -20],
        ["A2", "甲", 300, 30],
    ]
    led = read_ledger(make_workbook(tmp_path / "err.xlsx", rows))
    found = sorted((i.severity, i.row, i.column) for i in led.issues)
    assert found == [("error", 2, "C"), ("error", 3, "D"), ("warning", 4, "A"), ("warning", 4, "B")]
    tbd = issues_at(led, 2, "C")[0]
    assert "待定" in tbd.message and "总投资" in tbd.message
    assert "第2行" in str(tbd) and "C列" in str(tbd) and "err.xlsx" in str(tbd)
    assert np.isnan(led.projects["total_investment"].iloc[0])
    assert np.isnan(led.projects["annual_plan"].iloc[1])
    assert "第2行" in issues_at(led, 4, "B")[0].message  # duplicate name points at the first one


def test_no_name_column_is_not_a_ledger(tmp_path: Path) -> None:
    rows = [["姓名", "电话"], ["张三", "123"]]
    with pytest.raises(LedgerFileError) as exc:
        read_ledger(make_workbook(tmp_path / "people.xlsx", rows))
    assert "people.xlsx" in str(exc.value) and "项目名称" in str(exc.value)


def test_unknown_columns_kept_raw(tmp_path: Path) -> None:
    rows = [["项目名称", "自定义说明", "", "年度计划投资", "备注", "备注"],
            ["甲", "x", 7, 100, dt.datetime(2023, 1, 2), "b"],
            ["乙", None, "y", 200, 3.5, None]]
    led = read_ledger(make_workbook(tmp_path / "u.xlsx", rows))
    ex = led.extras
    assert list(ex.columns) == ["自定义说明", "C列", "备注", "备注（F列）"]
    assert ex["自定义说明"].tolist() == ["x", None]
    assert ex["C列"].tolist() == [7.0, "y"]
    assert ex["备注"].tolist()[1] == 3.5
    assert led.last_column == 6


def test_sheet_choice_prefers_the_ledger(tmp_path: Path) -> None:
    rows = [["项目名称", "总投资", "年度计划投资"], ["甲", 1, 1]]
    path = make_workbook(tmp_path / "multi.xlsx", rows, sheet="Sheet2", first="说明",
                         other_sheets={"问题清单": [["项目名称", "问题描述", "责任单位"],
                                                    ["甲", "缺地", "自然资源局"]]})
    led = read_ledger(path)
    assert led.sheet == "Sheet2"
    assert led.problems is not None and led.problems["problem"].tolist() == ["缺地"]
    assert led.problems["unit"].tolist() == ["自然资源局"]
    with pytest.raises(LedgerFileError, match="说明"):
        read_ledger(path, sheet="说明")
    with pytest.raises(LedgerFileError, match="没有名为"):
        read_ledger(path, sheet="不存在")


def test_problems_and_settings_sheets(tmp_path: Path) -> None:
    problems = [["问题清单"], ["序号", "项目名称", "存在问题", "责任单位", "完成时限", "是否销号"],
                [1, "甲", "用地未报批", "自然资源局", "2023年8月底", "否"],
                [2, "甲", "电力迁改", "供电公司", dt.datetime(2023, 6, 30), "已销号"]]
    settings = [["设置项", "值"], ["黄灯阈值", -10], ["红灯阈值", -30.5], ["灯色", "红黄绿"]]
    rows = [["2023年项目台账"], ["项目名称", "年度计划投资"], ["甲", 100]]
    path = make_workbook(tmp_path / "ps.xlsx", rows, other_sheets={"问题清单": problems, "设置": settings})
    led = read_ledger(path)
    pr = led.problems
    assert pr["deadline"].dt.strftime("%Y-%m-%d").tolist() == ["2023-08-31", "2023-06-30"]
    assert pr["status"].tolist() == ["否", "已销号"]
    assert led.settings == {"黄灯阈值": -10, "红灯阈值": -30.5, "灯色": "红黄绿"}
    table = read_table(path, PROBLEMS)
    assert table.sheet == "问题清单" and table.header_rows == [2] and len(table.projects) == 2


def test_read_table_milestones(tmp_path: Path) -> None:
    rows = [["项目名称", "节点", "完成时限", "完成时间"], ["甲", "用地", "2023-05-01", None]]
    t = read_table(make_workbook(tmp_path / "m.xlsx", rows, sheet="倒排工期"), MILESTONES)
    assert t.projects["step"].tolist() == ["用地"]
    assert t.projects["deadline"].iloc[0] == pd.Timestamp("2023-05-01")


def test_xlsm_is_read(tmp_path: Path) -> None:
    rows = [["项目名称", "年度计划投资"], ["甲", 100]]
    path = make_workbook(tmp_path / "macro.xlsm", rows)
    assert read_ledger(path).projects["annual_plan"].tolist() == [100]


def test_orphan_amounts_without_a_name_warn(tmp_path: Path) -> None:
    rows = [["序号", "项目名称", "年度计划投资"], [1, "甲", 100], [2, None, 50]]
    led = read_ledger(make_workbook(tmp_path / "o.xlsx", rows))
    assert [(i.severity, i.row) for i in led.issues] == [("warning", 3)]


def test_many_rows_read_column_wise(tmp_path: Path) -> None:
    n = 3000
    rows = [["项目编号", "项目名称", "总投资", "年度计划投资", "计划开工时间"]]
    rows += [[f"P{i}", f"项目{i}", i * 10 + 0.5, f"{i:,}", dt.datetime(2023, 1 + i % 12, 1)]
             for i in range(n)]
    led = read_ledger(make_workbook(tmp_path / "big.xlsx", rows))
    assert len(led.projects) == n
    assert led.projects["annual_plan"].iloc[1234] == 1234
    assert led.projects["total_investment"].sum() == pytest.approx(sum(i * 10 + 0.5 for i in range(n)))
    assert led.issues == []


def test_hidden_sheets_are_a_last_resort(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧表"
    for r in [["项目编号", "项目名称", "总投资", "年度计划投资", "包保领导"], ["X", "旧", 1, 1, "甲"]]:
        old.append(r)
    old.sheet_state = "hidden"
    new = wb.create_sheet("Sheet2")
    for r in [["项目名称", "年度计划投资", "责任单位"], ["新", 5, "发改局"]]:
        new.append(r)
    wb.save(tmp_path / "hidden.xlsx")
    assert read_ledger(tmp_path / "hidden.xlsx").projects["name"].tolist() == ["新"]
    assert read_ledger(tmp_path / "hidden.xlsx", sheet="旧表").projects["name"].tolist() == ["旧"]


def test_header_only_and_empty_sheets(tmp_path: Path) -> None:
    led = read_ledger(make_workbook(tmp_path / "h.xlsx", [["项目名称", "总投资", "计划开工时间"]]))
    assert len(led.projects) == 0 and set(LEDGER.keys) <= set(led.projects.columns) and led.issues == []
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(LedgerFileError, match="项目名称"):
        read_ledger(tmp_path / "empty.xlsx")


def test_report_month_comes_from_the_completion_column(tmp_path: Path) -> None:
    rows = [["项目名称", "1-12月计划投资", "1-9月完成投资"], ["甲", 1200, 800]]
    led = read_ledger(make_workbook(tmp_path / "m.xlsx", rows))
    assert led.report_month == 9
    assert led.column_of("ytd_completed").letter == "C"


def test_read_grid_from_memory() -> None:
    from keyproject.reader import read_grid
    from keyproject.xlsx import SheetGrid

    values = np.array([["单位：亿元", "", ""], ["项目名称", "总投资", "计划开工时间"], ["甲", 1.5, "2023.5"],
                       ["合计", 1.5, ""]], dtype=object)
    led = read_grid(SheetGrid("台账", values, []), file="内存.xlsx")
    assert led.projects["total_investment"].tolist() == [15000]
    assert led.projects["planned_start"].iloc[0] == pd.Timestamp("2023-05-01")
    (warning,) = led.issues
    assert warning.file == "内存.xlsx" and (warning.row, warning.column) == (3, "C")
    with pytest.raises(LedgerFileError, match="项目名称"):
        read_grid(SheetGrid("x", np.array([["a"]], dtype=object), []))


def test_as_of_headers_and_done_without_a_date(tmp_path: Path) -> None:
    rows = [["项目名称", "年度计划投资", "截至8月底累计完成投资", "实际开工时间"], ["甲", 100, 60, "已开工"],
            ["乙", 100, 20, "未开工"]]
    led = read_ledger(make_workbook(tmp_path / "asof.xlsx", rows))
    assert led.column_of("ytd_completed").letter == "C" and led.report_month == 8
    assert led.projects["ytd_completed"].tolist() == [60, 20]
    # a state typed into a date column is information, and the milestone counts as reached
    assert [(i.severity, i.row, i.column) for i in led.issues] == [("info", 2, "D")]
    assert "已开工" in led.issues[0].message
    assert led.projects["started_done"].tolist() == [True, False]
    assert led.projects["actual_start"].isna().all()


@pytest.mark.parametrize("header", ["2024年计划投资", "2024年度计划投资", "2024年度投资计划", "年度计划",
                                    "2024年 年计划投资"])
def test_year_prefixed_plan_headers(tmp_path: Path, header: str) -> None:
    led = read_ledger(make_workbook(tmp_path / "y.xlsx", [["项目名称", header], ["甲", 7]]))
    assert led.projects["annual_plan"].tolist() == [7]
    assert led.report_year == (2024 if "2024" in header else None)


def test_sheets_keyproject_wrote_are_never_read_as_input(tmp_path: Path) -> None:
    """After a refresh the workbook holds keyproject's own 问题清单; the user's 问题台账 stays the source."""
    import json

    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty

    from keyproject.schema import OWNED_SHEETS_PROPERTY

    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(["项目名称", "年度计划投资", "1-7月完成投资"])
    ws.append(["甲项目", 1000, 600])
    user = wb.create_sheet("问题台账")
    user.append(["项目名称", "问题描述", "责任单位"])
    user.append(["甲项目", "用地未落实", "县自然资源局"])
    ours = wb.create_sheet("问题清单")
    ours.append(["项目名称", "问题描述", "责任单位"])
    for i in range(3):
        ours.append(["甲项目", f"旧输出{i}", "县发改局"])
    path = tmp_path / "refreshed.xlsx"
    wb.save(path)
    assert len(read_ledger(path).problems) == 3  # without the mark the first-named sheet wins

    wb.custom_doc_props.append(StringProperty(name=OWNED_SHEETS_PROPERTY, value=json.dumps(["问题清单"])))
    wb.save(path)
    problems = read_ledger(path).problems
    assert problems["problem"].tolist() == ["用地未落实"]


@pytest.mark.parametrize("header", ["本年度完成投资", "本年度累计完成投资", "本年累计完成投资"])
def test_year_to_date_header_variants(tmp_path: Path, header: str) -> None:
    path = tmp_path / "ytd.xlsx"
    make_workbook(path, [["项目名称", "年度计划投资", header], ["甲项目", 100, 50]])
    assert read_ledger(path).projects["ytd_completed"].tolist() == [50.0]


def test_merged_range_past_the_last_value_column(tmp_path: Path) -> None:
    """A user's merge to the right of the table (no values there) must not break header detection."""
    path = tmp_path / "wide_merge.xlsx"
    make_workbook(path, [["项目名称", "年度计划投资", "1-7月完成投资"], ["甲项目", 100, 60]],
                  merges=["E1:F1", "E2:F3"])
    ledger = read_ledger(path)
    assert ledger.projects["name"].tolist() == ["甲项目"]
    assert ledger.projects["ytd_completed"].tolist() == [60.0]
