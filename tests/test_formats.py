"""keyproject.formats: one way of writing numbers for the 通报, the sheets and the CLI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from keyproject import formats as fmt
from keyproject.engine.rules import Rules


def test_half_up_rounding_as_excel_shows_it() -> None:
    # binary floats and banker's rounding would give 2.2, 0.1 and 1.0
    assert fmt.fixed(2.25, 1) == "2.3"
    assert fmt.fixed(0.125, 2) == "0.13"
    assert fmt.fixed(1.005, 2) == "1.01"
    assert fmt.fixed(-2.25, 1) == "-2.3"
    assert fmt.fixed(-0.04, 1) == "0.0"  # no "-0.0"
    assert fmt.fixed(163600, 0, grouping=True) == "163,600"
    assert fmt.fixed(None, 1) == fmt.fixed(float("nan"), 1) == fmt.MISSING
    assert fmt.fixed(np.int64(7), 0) == "7" and fmt.fixed(np.float64(0.5), 1) == "0.5"
    assert fmt.fixed(True, 0) == fmt.MISSING  # a flag is not a number


def test_house_units() -> None:
    assert fmt.yi(605127.0) == "60.51" and fmt.yi(605127.0, 1) == "60.5"
    assert fmt.percent(0.58333) == "58.3" and fmt.percent(0.5) == "50.0" and fmt.percent(0.0005) == "0.1"
    assert fmt.points(-3.667) == "-3.7" and fmt.points(13.1) == "13.1"
    assert fmt.wan(1530.0) == "1,530" and fmt.wan(1530.25, 2) == "1,530.25"


def test_words_for_gaps_and_growths() -> None:
    assert fmt.gap_phrase(1.07) == "超序时进度1.1个百分点"
    assert fmt.gap_phrase(-8.49) == "低于序时进度8.5个百分点"
    assert fmt.gap_phrase(-0.04) == "与序时进度持平"  # shown as 0.0: neither above nor below
    assert fmt.gap_phrase(None) == ""
    assert fmt.growth_phrase(0.2312) == "增长23.1%" and fmt.growth_phrase(-0.04) == "下降4.0%"
    assert fmt.growth_phrase(0.0001) == "持平" and fmt.growth_phrase(None) == ""
    assert fmt.cn_date(dt.date(2023, 8, 2)) == "2023年8月2日"


@pytest.mark.parametrize(("values", "places"), [
    ([1530.0, 2000.0, None, float("nan")], 0), ([1530.5, 2000.0], 1), ([1530.25, 2.0], 2),
    ([0.123456], 2), ([], 0), ([97200.00000001], 0),
])
def test_amount_decimals_follow_the_ledger(values: list, places: int) -> None:
    assert fmt.amount_decimals(values) == places


def test_decimals_from_rules_and_ledger() -> None:
    d = fmt.decimals(Rules(), [1530.5])
    assert (d.amount, d.yi, d.rate, d.points) == (1, 2, 1, 1)
    d = fmt.decimals(Rules(amount_decimals=0, rate_decimals=2, points_decimals=2, yi_decimals=1), [1530.5])
    assert (d.amount, d.yi, d.rate, d.points) == (0, 1, 2, 2)


def test_view_cells_as_text_and_as_excel_formats() -> None:
    d = fmt.Decimals(amount=0, rate=1, points=1)
    assert fmt.text(163600.0, "amount", dec=d) == "163,600"
    assert fmt.text(0.4984, "rate", dec=d) == "49.8%"
    assert fmt.text(-8.49, "points", dec=d) == "-8.5"
    assert fmt.text(0.4984, "rate", 2, d) == "49.84%"
    assert fmt.text(None, "amount", dec=d) == fmt.MISSING and fmt.text(None, "text") == ""
    assert fmt.text(True, "flag") == "是" and fmt.text(dt.date(2023, 2, 15), "date") == "2023-02-15"
    assert fmt.text(12, "count") == "12"
    assert fmt.excel_format("amount", dec=d) == "#,##0"
    assert fmt.excel_format("amount", dec=fmt.Decimals(amount=2)) == "#,##0.00"
    assert fmt.excel_format("rate", dec=d) == "0.0%"
    assert fmt.excel_format("points", dec=d) == "0.0"
    assert fmt.excel_format("text") is None
