"""序时进度, completion rates, gaps, earned value, 双过半."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from keyproject.engine.progress import completion_rate, gap_points, progress_frame, time_progress, totals
from keyproject.engine.rules import Rules
from keyproject.errors import KPError


@pytest.mark.parametrize(
    ("as_of", "basis", "expected"),
    [
        (dt.date(2023, 7, 31), "month", 7 / 12),
        (dt.date(2023, 7, 1), "month", 7 / 12),  # the month counts, not the day
        (dt.date(2023, 12, 31), "month", 1.0),
        (dt.date(2023, 7, 31), "day", 212 / 365),
        (dt.date(2024, 2, 29), "day", 60 / 366),
        (dt.date(2024, 12, 31), "day", 1.0),
        (dt.date(2023, 1, 1), "day", 1 / 365),
    ],
)
def test_time_progress(as_of: dt.date, basis: str, expected: float) -> None:
    assert time_progress(as_of, basis) == pytest.approx(expected)


def test_time_progress_accepts_datetimes_text_and_excel_serials() -> None:
    expected = 7 / 12
    assert time_progress(dt.datetime(2023, 7, 31, 18, 0)) == expected
    assert time_progress(pd.Timestamp("2023-07-31")) == expected
    assert time_progress("2023-07-31") == expected
    assert time_progress(45138) == expected  # Excel serial of 2023-07-31
    with pytest.raises(KPError, match="序时口径"):
        time_progress(dt.date(2023, 7, 31), "week")
    with pytest.raises(KPError, match="无法识别"):
        time_progress("not a date")


def test_completion_rate_missing_ytd_is_zero_and_no_plan_is_no_rate() -> None:
    rate = completion_rate(np.array([50.0, np.nan, 10.0, 10.0]), np.array([100.0, 100.0, np.nan, 0.0]))
    assert rate[0] == 0.5 and rate[1] == 0.0
    assert np.isnan(rate[2]) and np.isnan(rate[3])


def test_gap_is_rounded_before_anything_compares_it() -> None:
    # 48.33% at 7/12 is −10.0033… points: −10.00 after rounding
    assert gap_points(0.4833, 7 / 12)[()] == -10.0
    assert gap_points(np.array([0.2833, 0.2832]), 7 / 12).tolist() == [-30.0, -30.01]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"annual_plan": [1000.0, 2000.0, np.nan, 400.0],
                         "ytd_completed": [600.0, np.nan, 50.0, 100.0],
                         "total_investment": [5000.0, 8000.0, 300.0, np.nan]}, index=[10, 11, 12, 13])


def test_progress_frame_earned_value_and_double_half_per_project() -> None:
    pf = progress_frame(_frame(), dt.date(2023, 6, 30))
    assert list(pf.index) == [10, 11, 12, 13]
    assert pf["pv"].tolist()[:2] == [500.0, 1000.0]
    assert pf["ev"].tolist()[:2] == [600.0, 0.0]
    assert pf["spi"].iloc[0] == pytest.approx(1.2)
    assert np.isnan(pf["pv"].iloc[2]) and np.isnan(pf["spi"].iloc[2])
    assert pf["double_half"].tolist()[:2] == [True, False]
    assert pf["double_half"].isna().tolist() == [False, False, True, False]
    assert not pf["double_half"].iloc[3]


def test_double_half_is_null_before_june() -> None:
    assert progress_frame(_frame(), dt.date(2023, 5, 31))["double_half"].isna().all()
    later = Rules(double_half_month=5)
    assert progress_frame(_frame(), dt.date(2023, 5, 31), later)["double_half"].iloc[0]


def test_totals() -> None:
    t = totals(_frame(), dt.date(2023, 6, 30))
    assert t["projects"] == 4
    assert t["annual_plan"] == 3400.0 and t["ytd_completed"] == 750.0 and t["total_investment"] == 13300.0
    assert t["completion_rate"] == pytest.approx(750 / 3400)
    assert t["gap_points"] == round((750 / 3400 - 0.5) * 100, 2)
    assert t["spi"] == pytest.approx(750 / 1700)
    assert t["double_half"] is False
    assert totals(_frame(), dt.date(2023, 5, 31))["double_half"] is None


def test_totals_without_any_plan() -> None:
    t = totals(pd.DataFrame({"ytd_completed": [5.0]}), dt.date(2023, 7, 31))
    assert t["completion_rate"] is None and t["gap_points"] is None and t["spi"] is None
