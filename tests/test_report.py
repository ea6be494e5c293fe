"""build_report: defaults, rules precedence, the JSON contract, ledgers with missing columns."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules
from keyproject.errors import KPError
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, conform

SAMPLE = Path(__file__).resolve().parent.parent / "sample_workbooks" / "county_fushun_2023.xlsx"

JSON_KEYS = ["as_of", "time_progress", "totals", "lights", "size_bands", "three_classes", "start_rate",
             "completion_rate_projects", "projects", "rankings", "red_list", "black_list", "problems",
             "warnings", "boards", "as_of_source", "reporting"]
TOTAL_KEYS = ["projects", "total_investment", "annual_plan", "ytd_completed", "completion_rate", "gap_points",
              "double_half", "spi"]
PROJECT_KEYS = ["sheet", "row", "code", "name", "unit", "light", "light_reasons", "completion_rate",
                "gap_points", "stage", "three_class"]


def _projects(**drop: bool) -> pd.DataFrame:
    d = pd.to_datetime
    df = pd.DataFrame({
        "row": [5, 6, 7, 8, 9],
        "code": ["P1", "P2", None, "P4", "P5"],
        "name": ["甲项目", "乙项目", "丙项目", "丁项目", "戊项目"],
        "unit": ["发改局", "住建局", "发改局", "交通局", "交通局"],
        "town": ["富世街道", "富世街道", None, "琵琶镇", "琵琶镇"],
        "total_investment": [5000.0, 12000.0, 3000.0, 200000.0, 8000.0],
        "annual_plan": [1000.0, 2000.0, 500.0, np.nan, 1000.0],
        "ytd_completed": [600.0, 300.0, np.nan, 50.0, 700.0],
        "planned_start": d(["2023-01-01", "2023-03-01", None, "2023-05-10", "2022-01-01"]),
        "actual_start": d(["2023-02-01", None, None, None, "2022-03-01"]),
        "signed_date": d([None, "2022-12-01", None, None, None]),
        "problems": ["征地拆迁未完成", "无", None, "资金缺口", None],
    })
    return conform(df.drop(columns=[k for k, v in drop.items() if v]), LEDGER)


def _ledger(projects: pd.DataFrame | None = None, month: int | None = 7, year: int | None = 2023,
            **kw) -> Ledger:
    return Ledger(path=Path("台账.xlsx"), sheet="项目台账", header_rows=[3], columns=[], unit="万元",
                  report_month=month, report_year=year,
                  projects=_projects() if projects is None else projects, **kw)


def test_as_of_defaults_to_the_end_of_the_report_month() -> None:
    r = build_report(_ledger(month=2, year=2024))
    assert r.as_of == dt.date(2024, 2, 29) and r.time_progress == 2 / 12
    assert build_report(_ledger(), as_of="2023-07-15").as_of == dt.date(2023, 7, 15)
    assert build_report(_ledger(), as_of="2023年8月31日").as_of == dt.date(2023, 8, 31)
    # a date before the report month is a mistake unless asked for on purpose
    with pytest.raises(KPError, match="早于台账的报告月份"):
        build_report(_ledger(), as_of="2023-06-15")
    assert build_report(_ledger(), as_of="2023-06-15", any_date=True).as_of == dt.date(2023, 6, 15)


def test_no_report_month_asks_for_as_of() -> None:
    with pytest.raises(KPError, match="--as-of") as exc:
        build_report(_ledger(month=None))
    assert exc.value.sheet == "项目台账"
    assert build_report(_ledger(month=None), as_of=dt.date(2023, 7, 31)).as_of == dt.date(2023, 7, 31)


def test_to_dict_is_the_json_contract() -> None:
    d = build_report(_ledger()).to_dict()
    assert list(d) == JSON_KEYS
    assert list(d["totals"]) == TOTAL_KEYS
    assert list(d["lights"]) == ["green", "yellow", "red", "none"]
    assert all(list(p) == PROJECT_KEYS for p in d["projects"])
    json.dumps(d, allow_nan=False, ensure_ascii=False)  # NaN would raise
    assert d["as_of"] == "2023-07-31" and d["time_progress"] == 0.5833
    t = d["totals"]
    assert (t["projects"], t["annual_plan"], t["ytd_completed"]) == (5, 4500.0, 1650.0)
    assert t["completion_rate"] == round(1650 / 4500, 4)
    assert t["gap_points"] == round((1650 / 4500 - 7 / 12) * 100, 2)
    assert t["double_half"] is False
    assert d["lights"] == {"green": 2, "yellow": 1, "red": 2, "none": 0}
    by_name = {p["name"]: p for p in d["projects"]}
    assert by_name["乙项目"]["light"] == "red"
    assert by_name["乙项目"]["light_reasons"] == ["低于序时进度43.3个百分点",
                                                  "计划3月开工，已滞后4个月未开工"]
    assert by_name["乙项目"]["three_class"] == "已签约未供地"
    assert by_name["丁项目"]["completion_rate"] is None and by_name["丁项目"]["light"] == "yellow"
    assert by_name["甲项目"]["stage"] == "在建" and by_name["丙项目"]["code"] is None
    assert set(d["rankings"]) == {"unit", "town"}
    assert [g["group"] for g in d["rankings"]["unit"]] == ["交通局", "发改局", "住建局"]
    assert [g["group"] for g in d["red_list"]] == ["交通局"]  # 70% of its plan
    # 住建局 has one project: below the default 参与排名最少项目数 (2), so no rank and on no list
    assert [g["group"] for g in d["black_list"]] == ["发改局"]
    assert [g["rank"] for g in d["rankings"]["unit"]] == [1, 2, None]
    assert d["problems"]["source"] == "column" and d["problems"]["open"] == 2
    assert d["three_classes"] == {"已签约未供地": 1, "已供地未动工": 0, "已动工未竣工": 2}
    assert d["start_rate"] == {"planned": 4, "done": 2, "rate": 0.5}
    assert [b["count"] for b in d["size_bands"]] == [5, 4, 2, 1, 1]


def test_projects_frame_keeps_ledger_columns_and_adds_computed_ones() -> None:
    r = build_report(_ledger())
    for c in ("total_investment", "town", "pv", "ev", "spi", "double_half", "light", "light_reasons", "stage",
              "three_class", "months_late", "investment_light", "start_light"):
        assert c in r.projects.columns
    assert r.projects["pv"].iloc[0] == pytest.approx(1000 * 7 / 12)
    assert r.rankings["unit"].columns[0] == "group"
    assert r.list_by == "unit"


def test_rules_precedence_explicit_then_settings_then_defaults() -> None:
    settings = {"黄灯差距": -50, "红灯差距": -60, "灯号名称": "蓝/黄/红",
                "百日冲刺开始": dt.date(2023, 8, 24)}
    from_sheet = build_report(_ledger(settings=settings))
    assert from_sheet.rules.green_gap == -50 and from_sheet.rules.light_names == ("蓝", "黄", "红")
    assert from_sheet.lights["red"] < build_report(_ledger()).lights["red"]  # 丙 −58.33: yellow now
    assert from_sheet.warnings == []  # another tool's key is not a rules mistake
    explicit = build_report(_ledger(settings=settings), rules=Rules())
    assert explicit.rules == Rules()
    typo = build_report(_ledger(settings={"红灯差据": -20}))
    assert any("红灯差据" in w for w in typo.warnings)


def test_bad_settings_name_the_sheet() -> None:
    with pytest.raises(KPError, match="黄灯差距") as exc:
        build_report(_ledger(settings={"黄灯差距": "很多"}))
    assert exc.value.sheet == "设置"


def test_basis_override() -> None:
    r = build_report(_ledger(), basis="day")
    assert r.rules.basis == "day" and r.time_progress == pytest.approx(212 / 365)


def test_ledger_without_a_plan_column() -> None:
    r = build_report(_ledger(_projects(annual_plan=True)))
    assert r.totals["completion_rate"] is None and r.totals["annual_plan"] == 0.0
    assert r.projects["completion_rate"].isna().all()
    assert r.projects["investment_light"].isna().all()
    # only start lights remain: 乙 (4 months late) red, 丁 (2 months) yellow
    assert r.lights == {"green": 0, "yellow": 1, "red": 1, "none": 3}
    d = r.to_dict()
    assert d["totals"]["gap_points"] is None and d["totals"]["spi"] is None
    assert all(g["rank"] is None for g in d["rankings"]["unit"])
    assert d["red_list"] == [] and d["black_list"] == []


def test_ledger_without_completion_sums_the_months_or_gives_no_investment_light() -> None:
    months = _projects(ytd_completed=True).assign(m01=[100.0, 50.0, np.nan, 0, 300.0],
                                                  m07=[500.0, 250.0, 0, 50, 400])
    r = build_report(_ledger(months))
    assert r.projects["ytd_completed"].tolist()[:2] == [600.0, 300.0]
    assert any("各月" in w for w in r.warnings)
    r = build_report(_ledger(_projects(ytd_completed=True)))
    assert r.projects["investment_light"].isna().all()
    assert any("没有本年完成投资" in w for w in r.warnings)


def test_problem_sheet_wins_over_the_column() -> None:
    problems = pd.DataFrame({"project": ["甲项目"], "problem": ["用地"], "unit": ["自然资源局"],
                             "deadline": pd.to_datetime(["2023-07-01"]), "status": ["办理中"]})
    p = build_report(_ledger(problems=problems)).problems
    assert (p.source, p.total, p.overdue) == ("sheet", 1, 1)


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample workbook not generated")
def test_sample_county_ledger() -> None:
    from keyproject.reader import read_ledger
    from keyproject.samples.data import county_projects

    r = build_report(read_ledger(SAMPLE))
    assert r.as_of == dt.date(2023, 7, 31)
    scenario = {p["name"]: p["scenario"] for p in county_projects()}
    light = dict(zip(r.projects["name"], r.projects["light"], strict=True))
    expected = {"green": "green", "b10": "green", "yellow": "yellow", "b30": "yellow", "red": "red",
                "late_y": "yellow", "late_r": "red", "noplan": None}
    for name, sc in scenario.items():
        if sc in expected:
            assert light[name] == expected[sc], (name, sc)
    assert r.problems.source == "sheet" and r.problems.total > 0
    assert set(r.rankings) == {"unit", "town", "command_post", "leader"}
