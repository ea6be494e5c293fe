"""本期报送: who reported this period, the 未报送 list and the marks on rankings and the 红黑榜."""

from __future__ import annotations

import pandas as pd

from keyproject.engine.report import build_report
from keyproject.engine.reporting import Reporting, units, unreported_units
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, conform


def _ledger() -> Ledger:
    projects = conform(pd.DataFrame({
        "name": ["甲", "乙", "丙", "丁", "戊"],
        "unit": ["经信局", "经信局", "住建局", "交通局", "交通局"],
        "annual_plan": [100.0, 100.0, 100.0, 100.0, 100.0],
        "ytd_completed": [70.0, 65.0, 20.0, 10.0, 80.0],
        "row": [5, 6, 7, 8, 9],
    }), LEDGER)
    return Ledger(path=None, sheet="项目台账", header_rows=[4], columns=[], unit="万元", report_month=8,
                  report_year=2023, projects=projects)


def test_labels_units_and_merging() -> None:
    led = _ledger()
    rep = Reporting((2023, 8), pd.Series([True, True, False, True, False], index=led.projects.index))
    assert rep.labels().tolist() == ["8月已报", "8月已报", "未报送", "8月已报", "未报送"]
    u = units(led.projects, rep).set_index("unit")
    assert u.loc["经信局", "status"] == "已报送" and u.loc["住建局", "status"] == "未报送"
    assert (u.loc["交通局", "status"], u.loc["交通局", "missing"]) == ("部分报送", 1)
    late = unreported_units(led.projects, rep)
    assert late["unit"].tolist() == ["住建局", "交通局"]  # none reported first
    # a late unit's file the same month adds to what an earlier refresh knew
    later = Reporting((2023, 8), pd.Series([False, False, True, False, False], index=led.projects.index))
    assert later.merged(rep).reported.tolist() == [True, True, True, True, False]
    assert later.merged(Reporting((2023, 7), rep.reported)).reported.tolist() == later.reported.tolist()


def test_report_marks_groups_judged_on_stale_figures() -> None:
    led = _ledger()
    rep = Reporting((2023, 8), pd.Series([True, True, False, True, False], index=led.projects.index))
    r = build_report(led, reporting=rep)
    assert r.projects["not_updated"].tolist() == [False, False, True, False, True]
    ranking = r.rankings["unit"].set_index("group")
    assert ranking.loc["住建局", "not_updated"] == 1 and ranking.loc["经信局", "not_updated"] == 0
    assert "not_updated" in r.black_list.columns and "not_updated" in r.red_list.columns
    assert r.unreported["unit"].tolist() == ["住建局", "交通局"]
    d = r.to_dict()["reporting"]
    assert d["period"] == "2023-08" and d["reported_projects"] == 3 and len(d["unreported_units"]) == 2
    plain = build_report(led)
    assert plain.reporting is None and plain.unreported.empty and "not_updated" not in plain.projects
    assert plain.to_dict()["reporting"] is None


def test_the_bulletin_names_who_did_not_report_and_marks_the_boards() -> None:
    from keyproject.bulletin import bulletin_text
    from keyproject.bulletin.compose import reporting_paragraph

    led = _ledger()
    rep = Reporting((2023, 8), pd.Series([True, True, False, True, False], index=led.projects.index))
    report = build_report(led, reporting=rep)
    text = reporting_paragraph(report)
    assert text.startswith("8月应报送责任单位3个，已报送1个、部分报送1个、未报送1个。")
    assert "未报送的有：住建局" in text and "部分项目未报送的有：交通局" in text
    full = bulletin_text(report)
    assert "四、报送情况" in full
    assert "交通局（完成45.0%，低于序时进度21.7个百分点，1个项目本期未报送）" in full
    assert "报送情况" not in bulletin_text(build_report(led))  # unknown: not stated


def test_views_show_the_unreported_list_and_the_marks() -> None:
    from keyproject.views.sheets import ranking_view, summary_view, view_rows

    led = _ledger()
    rep = Reporting((2023, 8), pd.Series([True, True, False, True, False], index=led.projects.index))
    rows = view_rows(summary_view(build_report(led, reporting=rep)))
    at = rows.index(["8月未报送单位（催报）"])
    assert rows[at + 1] == ["责任单位", "项目个数", "已报项目", "未报项目", "报送情况"]
    assert rows[at + 2] == ["住建局", 1, 0, 1, "未报送"] and rows[at + 3] == ["交通局", 2, 1, 1, "部分报送"]
    unit = ranking_view(build_report(led, reporting=rep)).blocks[0]
    assert unit.columns[-1].label == "未报送项目"
    assert {r[1]: r[-1] for r in unit.rows}["住建局"] == 1
    # without consolidated submissions neither appears
    plain = build_report(led)
    assert ["8月未报送单位（催报）"] not in view_rows(summary_view(plain))
    assert ranking_view(plain).blocks[0].columns[-1].key == "green"
