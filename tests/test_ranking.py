"""Rankings by group and the 红黑榜."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from keyproject.engine.ranking import RANK_COLUMNS, rank, red_black_lists
from keyproject.engine.rules import Rules
from keyproject.errors import KPError

JULY = dt.date(2023, 7, 31)
TP = 7 / 12


def _projects() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": ["甲局", "甲局", "乙局", "丙局", "丁局", "戊局", "己局", None, "庚局"],
        "annual_plan": [100.0, 300.0, 200.0, 100.0, 100.0, 100.0, 100.0, 100.0, np.nan],
        "ytd_completed": [80.0, 200.0, 100.0, 58.34, 20.0, 50.0, 20.0, 99.0, 5.0],
        "planned_start": pd.to_datetime([None] * 9),
        "actual_start": pd.to_datetime([None] * 9),
    })


def test_rank_aggregates_and_orders_groups() -> None:
    r = rank(_projects(), "unit", JULY)
    assert list(r.columns) == list(RANK_COLUMNS)
    assert r["group"].tolist() == ["甲局", "丙局", "乙局", "戊局", "丁局", "己局", "庚局"]
    jia = r.iloc[0]
    assert (jia["projects"], jia["annual_plan"], jia["ytd_completed"]) == (2, 400.0, 280.0)
    assert jia["completion_rate"] == pytest.approx(0.7)  # sum completed / sum plan, not a mean of rates
    assert jia["gap_points"] == round((0.7 - TP) * 100, 2)
    assert (jia["green"], jia["yellow"], jia["red"]) == (2, 0, 0)
    # 丁局 and 己局 tie at 20%: same rank; 庚局 has no plan: no rate, no rank, last
    assert r.set_index("group").loc[["丁局", "己局"], "rank"].tolist() == [5, 5]
    last = r.iloc[-1]
    assert last["group"] == "庚局" and pd.isna(last["rank"]) and np.isnan(last["completion_rate"])
    assert "None" not in r["group"].tolist() and len(r) == 7  # blank group left out


def test_rank_uses_a_light_column_when_given() -> None:
    p = _projects().assign(light=["red"] * 9)
    assert rank(p, "unit", JULY)["red"].sum() == 8


def test_rank_unknown_column() -> None:
    with pytest.raises(KPError, match="town"):
        rank(_projects(), "town", JULY)


def test_red_and_black_lists() -> None:
    r = rank(_projects(), "unit", JULY)
    red, black = red_black_lists(r, TP, Rules())
    # at or above 58.33%: 甲 70%, 丙 58.34% (+0.01 points); the list is not padded with groups below
    assert red["group"].tolist() == ["甲局", "丙局"]
    # below: 乙 50%, 戊 50%, 丁 20%, 己 20%: bottom three worst first, the tie at the cut kept together
    assert black["group"].tolist()[:2] == ["丁局", "己局"]
    assert set(black["group"]) == {"丁局", "己局", "乙局", "戊局"}
    red1, black1 = red_black_lists(r, TP, Rules(red_list_size=1, black_list_size=1))
    assert red1["group"].tolist() == ["甲局"]
    assert black1["group"].tolist() == ["丁局", "己局"]
    red0, black0 = red_black_lists(r, TP, Rules(red_list_size=0, black_list_size=0))
    assert red0.empty and black0.empty


def test_exactly_at_time_progress_is_on_the_red_side() -> None:
    r = pd.DataFrame({"group": ["a", "b"], "completion_rate": [0.5, 0.49]})
    red, black = red_black_lists(r, 0.5, Rules())
    assert red["group"].tolist() == ["a"] and black["group"].tolist() == ["b"]


def test_groups_below_the_minimum_have_no_rank_and_are_on_no_list() -> None:
    p = _projects()
    r = rank(p, "unit", JULY, min_projects=2)
    by = r.set_index("group")
    assert by.loc["甲局", "rank"] == 1  # the only group with two projects
    assert by.drop("甲局")["rank"].isna().all()
    # unranked groups follow the ranked one, by rate; the group without a rate comes last
    assert r["group"].tolist() == ["甲局", "丙局", "乙局", "戊局", "丁局", "己局", "庚局"]
    red, black = red_black_lists(r, TP, Rules())
    assert red["group"].tolist() == ["甲局"] and black.empty
    assert rank(p, "unit", JULY)["rank"].notna().sum() == 6  # the default ranks every group with a rate


@pytest.mark.parametrize(("name", "kind"), [
    ("赵化镇", "town"), ("琵琶镇人民政府", "town"), ("富世街道", "town"), ("东湖街道办事处", "town"),
    ("东湖街道办", "town"), ("某某乡", "town"), ("高新区管委会", "town"), ("荣县", "town"),
    ("邛崃市", "town"), ("县经信局", "department"), ("县委办", "department"), ("县政府办", "department"),
    ("市卫健委", "department"), ("县乡村振兴局", "department"), ("县城乡建设局", "department"),
    ("市场监管局", "department"), ("县交投集团公司", "department"),
])
def test_unit_classes_by_name(name: str, kind: str) -> None:
    from keyproject.engine.ranking import unit_classes

    assert unit_classes([name]) == [kind]


def test_unit_classes_from_a_list_override_the_names() -> None:
    from keyproject.engine.ranking import unit_classes

    # a listed unit is a town whatever its name; an unlisted 镇 is then a department
    assert unit_classes(["县经开区", "赵化镇", "县经信局"], towns=["县经开区"]) == ["town", "department",
                                                                               "department"]


def _town_and_department_projects() -> pd.DataFrame:
    units = ["赵化镇", "赵化镇", "童寺镇", "琵琶镇", "琵琶镇", "县经信局", "县经信局", "县住建局", "县住建局",
             "县民政局"]
    done = [70.0, 60.0, 100.0, 20.0, 30.0, 50.0, 40.0, 90.0, 80.0, 100.0]
    return pd.DataFrame({
        "unit": units, "annual_plan": [100.0] * len(units), "ytd_completed": done,
        "planned_start": pd.to_datetime([None] * len(units)),
        "actual_start": pd.to_datetime([None] * len(units)),
    })


def test_unit_boards_rank_towns_and_departments_apart_with_a_minimum() -> None:
    from keyproject.engine.ranking import unit_boards

    boards = unit_boards(_town_and_department_projects(), "unit", JULY, Rules(red_list_size=1,
                                                                              black_list_size=1))
    assert list(boards) == ["town", "department"]
    town, dept = boards["town"], boards["department"]
    # 童寺镇 (100%, one project) and 县民政局 (100%, one project) would top a mixed list
    assert town.exempt == ("童寺镇",) and dept.exempt == ("县民政局",)
    ranks = town.ranking.set_index("group")["rank"]
    assert ranks["赵化镇"] == 1 and ranks["琵琶镇"] == 2 and pd.isna(ranks["童寺镇"])
    assert town.red["group"].tolist() == ["赵化镇"]  # 65% ≥ 58.33%
    assert town.black["group"].tolist() == ["琵琶镇"]  # 25%
    assert dept.red["group"].tolist() == ["县住建局"]  # 85%
    assert dept.black["group"].tolist() == ["县经信局"]  # 45%
    assert set(dept.ranking["group"]).isdisjoint(town.ranking["group"])
    everyone = unit_boards(_town_and_department_projects(), "unit", JULY, Rules(rank_min_projects=1,
                                                                                 red_list_size=1))
    assert everyone["town"].red["group"].tolist() == ["童寺镇"] and everyone["town"].exempt == ()


def test_the_ranking_sheet_view_shows_towns_and_departments_apart() -> None:
    from pathlib import Path

    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger
    from keyproject.views.sheets import ranking_view

    sample = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"
    report = build_report(read_ledger(sample))
    tables = {t.key: t for t in ranking_view(report).tables()}
    town, dept = tables["board.town"], tables["board.department"]
    assert town.title == "乡镇（街道）排名（项目少于2个的不排名次）"
    assert set(town.values("group")) == set(report.boards["town"].ranking["group"])
    assert set(town.values("group")).isdisjoint(dept.values("group"))
    # the units below the minimum are listed last, without a rank
    ranks = town.values("rank")
    assert ranks[0] == 1 and all(r is None for r in ranks[1:])
    red = tables["board.department.red_list"].values("group")
    assert red == list(report.boards["department"].red["group"])
    assert tables["board.town.black_list"].rows == ()


def test_boards_follow_the_plan_basis_like_the_rankings() -> None:
    from keyproject.engine.report import build_report
    from keyproject.ledger import Ledger
    from keyproject.schema import LEDGER, conform

    frame = _town_and_department_projects().assign(
        ytd_plan=[80.0, 30.0, 50.0, 90.0, 20.0, 40.0, 70.0, 60.0, 60.0, 50.0], row=range(5, 15))
    ledger = Ledger(path=None, sheet="台账", header_rows=[4], columns=[], unit="万元", report_month=7,
                    report_year=2023, projects=conform(frame, LEDGER))
    report = build_report(ledger, basis="plan")
    unit = report.rankings["unit"].set_index("group")["gap_points"]
    for board in report.boards.values():
        gaps = board.ranking.set_index("group")["gap_points"]
        assert gaps.to_dict() == unit[gaps.index].to_dict()  # each group against its own plan to date
    month = build_report(ledger).boards["town"].ranking.set_index("group")["gap_points"]
    assert month.to_dict() != report.boards["town"].ranking.set_index("group")["gap_points"].to_dict()
