"""红黄绿灯: every boundary, the reasons, partial frames from Excel, and monotonicity."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyproject.engine.lights import evaluate, light_code, light_counts
from keyproject.engine.rules import Rules

JULY = dt.date(2023, 7, 31)  # time progress 7/12 = 58.33%


def _one(ytd: float | None, plan: float | None = 100.0, planned: str | None = None,
         actual: str | None = None, as_of: dt.date = JULY, rules: Rules | None = None) -> pd.Series:
    frame = pd.DataFrame({"ytd_completed": [ytd], "annual_plan": [plan],
                          "planned_start": pd.to_datetime([planned]),
                          "actual_start": pd.to_datetime([actual])})
    return evaluate(frame, as_of, rules or Rules()).iloc[0]


@pytest.mark.parametrize(
    ("ytd", "gap", "light"),
    [
        (48.34, -9.99, "green"),
        (48.33, -10.00, "green"),  # −10.0033 rounds to −10.00 first: green
        (48.32, -10.01, "yellow"),
        (28.34, -29.99, "yellow"),
        (28.33, -30.00, "yellow"),  # exactly −30.00 is still yellow
        (28.32, -30.01, "red"),
        (0.0, -58.33, "red"),
        (120.0, 61.67, "green"),
    ],
)
def test_investment_light_boundaries(ytd: float, gap: float, light: str) -> None:
    r = _one(ytd)
    assert r["gap_points"] == gap
    assert r["investment_light"] == light and r["light"] == light


def test_investment_reason_text() -> None:
    r = _one(26.66)  # 26.66% − 58.33% = −31.67 points
    assert r["light"] == "red"
    assert r["light_reasons"] == ["低于序时进度31.7个百分点"]
    assert _one(28.33)["light_reasons"] == ["低于序时进度30.0个百分点"]
    assert _one(48.33)["light_reasons"] == []


@pytest.mark.parametrize(
    ("planned", "months", "light", "reason"),
    [
        ("2023-07-20", 0, "yellow", "计划7月开工，尚未开工"),  # planned this month, passed, not started
        ("2023-05-31", 2, "yellow", "计划5月开工，已滞后2个月未开工"),
        ("2023-04-01", 3, "red", "计划4月开工，已滞后3个月未开工"),
        ("2023-03-15", 4, "red", "计划3月开工，已滞后4个月未开工"),
        ("2022-11-03", 8, "red", "计划2022年11月开工，已滞后8个月未开工"),
    ],
)
def test_start_light_months_late(planned: str, months: int, light: str, reason: str) -> None:
    r = _one(80.0, planned=planned)  # investment is green: the start light decides
    assert r["investment_light"] == "green"
    assert r["months_late"] == months
    assert r["start_light"] == light and r["light"] == light
    assert r["light_reasons"] == [reason]


def test_start_light_needs_a_passed_planned_start_and_no_start() -> None:
    assert pd.isna(_one(80.0, planned="2023-08-01")["start_light"])  # not yet due
    assert _one(80.0, planned="2023-07-31")["start_light"] == "yellow"  # due on as_of itself
    assert pd.isna(_one(80.0, planned="2023-03-01", actual="2023-03-20")["start_light"])
    # started only after as_of: on as_of it had not started
    assert _one(80.0, planned="2023-03-01", actual="2023-08-10")["start_light"] == "red"


def test_start_red_months_is_configurable() -> None:
    r = _one(80.0, planned="2023-05-01", rules=Rules(start_red_months=2))
    assert r["months_late"] == 2 and r["light"] == "red"


def test_worst_light_wins_and_both_reasons_are_kept() -> None:
    r = _one(40.0, planned="2023-03-01")  # yellow investment (−18.33), red start
    assert (r["investment_light"], r["start_light"], r["light"]) == ("yellow", "red", "red")
    assert r["light_reasons"] == ["低于序时进度18.3个百分点", "计划3月开工，已滞后4个月未开工"]
    r = _one(10.0, planned="2023-07-01")  # red investment, yellow start
    assert r["light"] == "red" and len(r["light_reasons"]) == 2


def test_no_plan_means_no_rate_and_no_investment_light() -> None:
    r = _one(50.0, plan=None)
    assert np.isnan(r["completion_rate"]) and np.isnan(r["gap_points"])
    assert r["investment_light"] is None and r["light"] is None and r["light_reasons"] == []
    assert _one(50.0, plan=None, planned="2023-06-01")["light"] == "yellow"  # the start light still applies
    assert _one(50.0, plan=0.0)["light"] is None


def test_missing_ytd_counts_as_zero() -> None:
    r = _one(None)
    assert r["completion_rate"] == 0.0 and r["light"] == "red"


def test_custom_thresholds_and_day_basis() -> None:
    assert _one(40.0, rules=Rules(green_gap=-20, red_gap=-40))["light"] == "green"  # −18.33
    # by day 2023-07-31 is 212/365 = 58.08%: 48.08% is −10.00 → green; by month it would be −10.25
    assert _one(48.08, rules=Rules(basis="day"))["light"] == "green"
    assert _one(48.08)["light"] == "yellow"


def test_only_the_four_columns_and_excel_shaped_values() -> None:
    # what the add-in passes: text amounts, Excel serial dates, blanks as ""
    frame = pd.DataFrame({"ytd_completed": ["30", 80, ""], "annual_plan": [100, "100", 100],
                          "planned_start": [45000, "", 45100], "actual_start": ["", "", 45110]})
    out = evaluate(frame, 45138, Rules())  # 45138 = 2023-07-31
    assert out["light"].tolist() == ["red", "green", "red"]
    assert out["months_late"].iloc[0] == 4  # 45000 is 2023-03-15: planned in March, 4 months late
    assert pd.isna(out["start_light"].iloc[2])


def test_missing_columns_count_as_empty() -> None:
    out = evaluate(pd.DataFrame({"annual_plan": [100.0]}), JULY)
    assert out["light"].tolist() == ["red"]  # no ytd column: 0 done
    out = evaluate(pd.DataFrame({"ytd_completed": [10.0]}), JULY)
    assert out["light"].tolist() == [None]


def test_stage_or_nature_says_started() -> None:
    frame = pd.DataFrame({"ytd_completed": [80.0, 80.0, 80.0], "annual_plan": [100.0] * 3,
                          "planned_start": pd.to_datetime(["2023-01-10"] * 3),
                          "stage": ["在建", "未开工", None], "nature": [None, None, "续建"]})
    assert evaluate(frame, JULY)["light"].tolist() == ["green", "red", "green"]


def test_index_is_kept_and_columns_are_the_contract() -> None:
    frame = pd.DataFrame({"ytd_completed": [1.0, 2.0], "annual_plan": [10.0, 10.0]}, index=[7, 3])
    out = evaluate(frame, JULY)
    assert list(out.index) == [7, 3]
    assert list(out.columns) == ["completion_rate", "gap_points", "investment_light", "start_light",
                                 "months_late", "light", "light_reasons"]
    assert len(evaluate(frame.iloc[0:0], JULY)) == 0


def test_light_counts() -> None:
    counts = light_counts(pd.Series(["red", None, "green", "red", "yellow"]))
    assert counts == {"green": 1, "yellow": 1, "red": 2, "none": 1}
    assert light_code(pd.Series(["green", "yellow", "red", None])).tolist() == [1, 2, 3, 0]


@settings(max_examples=200, deadline=None)
@given(
    plan=st.one_of(st.none(), st.floats(min_value=1, max_value=1e6)),
    ytd=st.floats(min_value=0, max_value=2e6),
    less=st.floats(min_value=0, max_value=1),
    planned_offset=st.one_of(st.none(), st.integers(min_value=-800, max_value=200)),
    started=st.booleans(),
    month=st.integers(min_value=1, max_value=12),
)
def test_light_never_improves_when_completion_goes_down(plan, ytd, less, planned_offset, started,
                                                        month) -> None:
    as_of = dt.date(2023, month, 28)
    planned = None if planned_offset is None else pd.Timestamp(as_of) + pd.Timedelta(days=planned_offset)
    frame = pd.DataFrame({"ytd_completed": [ytd, ytd * less], "annual_plan": [plan, plan],
                          "planned_start": pd.to_datetime([planned, planned]),
                          "actual_start": pd.to_datetime([planned if started else None] * 2)})
    codes = light_code(evaluate(frame, as_of, Rules())["light"])
    assert codes[1] >= codes[0]  # less done: never better (and more done: never worse)
