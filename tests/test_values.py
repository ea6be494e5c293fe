"""Amount, date and rate parsers: every office form, and round trips with hypothesis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyproject.values import parse_amount, parse_date, parse_rate

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@pytest.mark.parametrize(("text", "value"), [
    ("3,000", 3000), ("３０００", 3000), ("0.8亿", 8000), ("１.２亿", 12000), ("500万", 500),
    ("500万元", 500), ("1.5亿元", 15000), ("12000元", 1.2), (" 42 ", 42), ("3,000.50", 3000.5),
    ("３，０００", 3000), (7, 7), (2.5, 2.5), ("-5", -5), (-3.0, -3),
])
def test_amounts(text: object, value: float) -> None:
    got = parse_amount(text)
    assert got.value == pytest.approx(value) and got.error is None and got.warning is None


@pytest.mark.parametrize("text", ["—", "-", "/", "无", "", None, "——", "  ", "－", float("nan")])
def test_missing_amounts_are_quiet(text: object) -> None:
    assert parse_amount(text) == (None, None, None)


@pytest.mark.parametrize("text", ["约800", "大约800", "800左右", "800多", "近800", "800（含征地）",
                                  "800(暂估)"])
def test_approximate_amounts_warn(text: str) -> None:
    got = parse_amount(text)
    assert got.value == 800 and got.error is None and text in got.warning


@pytest.mark.parametrize("text", ["待定", "约", "1,2", "3.000.0", "未报", "10万亿", True,
                                  dt.date(2023, 1, 1)])
def test_non_amounts_are_errors(text: object) -> None:
    got = parse_amount(text)
    assert got.value is None and got.error


def test_column_unit_factor_and_cell_unit() -> None:
    assert parse_amount(1.2, 10000).value == pytest.approx(12000)
    assert parse_amount("1.2", 10000).value == pytest.approx(12000)
    assert parse_amount("500万", 10000).value == 500  # the cell says 万: the column's 亿元 does not apply
    assert parse_amount("0.5亿", 1).value == 5000


money = st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False)


@given(money)
def test_round_trip_thousands_separators(x: Decimal) -> None:
    assert parse_amount(f"{x:,.2f}").value == pytest.approx(float(x))


@given(money)
def test_round_trip_full_width(x: Decimal) -> None:
    text = f"{x:,.2f}".translate(FULL_WIDTH)
    assert parse_amount(text).value == pytest.approx(float(x))


@given(st.decimals(min_value=0, max_value=Decimal("10000"), places=4), st.sampled_from(["亿", "亿元"]),
       st.booleans())
def test_round_trip_yi(x: Decimal, unit: str, wide: bool) -> None:
    text = f"{x}{unit}"
    if wide:
        text = text.translate(FULL_WIDTH)
    assert parse_amount(text).value == pytest.approx(float(x) * 10000)


@given(money, st.sampled_from(["万", "万元"]))
def test_round_trip_wan(x: Decimal, unit: str) -> None:
    assert parse_amount(f"{x}{unit}", factor=10000).value == pytest.approx(float(x))


# --- dates


@pytest.mark.parametrize("value", [
    dt.datetime(2023, 8, 30), dt.date(2023, 8, 30), dt.datetime(2023, 8, 30, 14, 5), "2023.8.30",
    "2023年8月30日", "2023-08-30", "2023/8/30", "2023-8-30 00:00:00", "20230830", "２０２３．８．３０",
    " 2023年8月30日 ", 20230830,
])
def test_exact_dates(value: object) -> None:
    assert parse_date(value)[:3] == (dt.date(2023, 8, 30), None, None)


@pytest.mark.parametrize(("value", "want"), [
    ("2023年4月", dt.date(2023, 4, 1)), ("2023.4", dt.date(2023, 4, 1)), ("2023-08", dt.date(2023, 8, 1)),
    ("2023/8", dt.date(2023, 8, 1)), ("2023年4月份", dt.date(2023, 4, 1)), (2023.4, dt.date(2023, 4, 1)),
    (2023.12, dt.date(2023, 12, 1)), ("2023年8月底", dt.date(2023, 8, 31)),
    ("2024年2月底", dt.date(2024, 2, 29)),
    ("2023年6月中旬", dt.date(2023, 6, 15)), ("2023年6月上旬", dt.date(2023, 6, 1)),
    (45107, dt.date(2023, 6, 30)), (45107.75, dt.date(2023, 6, 30)),
])
def test_imprecise_dates_warn(value: object, want: dt.date) -> None:
    got = parse_date(value)
    assert got.value == want and got.error is None and got.warning


def test_year_month_number_ten_is_flagged() -> None:
    assert "10月" in parse_date(2023.1).warning


def test_dates_without_a_year_need_the_report_year() -> None:
    assert parse_date("8月底").error and parse_date("8月底").value is None
    got = parse_date("8月底", report_year=2023)
    assert got.value == dt.date(2023, 8, 31) and "2023" in got.warning
    assert parse_date("9月30日", report_year=2024).value == dt.date(2024, 9, 30)
    assert parse_date("5月", report_year=2024).value == dt.date(2024, 5, 1)


@pytest.mark.parametrize("value", ["—", "", None, "/", "无", "未开工", "尚未竣工"])
def test_missing_dates_are_quiet(value: object) -> None:
    assert parse_date(value)[:3] == (None, None, None)


@pytest.mark.parametrize("value", ["待定", "上半年", "2023-02-30", "2023.13", 12.5, True, "明年"])
def test_bad_dates_are_errors(value: object) -> None:
    got = parse_date(value)
    assert got.value is None and got.error


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates, st.sampled_from(["{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}",
                               "{y}-{m}-{d}", "{y}{m:02d}{d:02d}", "{y}年{m:02d}月{d:02d}日"]), st.booleans())
def test_round_trip_date_text(d: dt.date, form: str, wide: bool) -> None:
    text = form.format(y=d.year, m=d.month, d=d.day)
    if wide:
        text = text.translate(FULL_WIDTH)
    assert parse_date(text)[:3] == (d, None, None)


@given(dates)
def test_round_trip_date_objects_and_serials(d: dt.date) -> None:
    assert parse_date(d).value == d
    assert parse_date(dt.datetime.combine(d, dt.time(9, 30))).value == d
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial).value == d


@given(dates, st.sampled_from(["{y}年{m}月", "{y}.{m}", "{y}-{m:02d}", "{y}/{m}"]))
def test_round_trip_month_only(d: dt.date, form: str) -> None:
    got = parse_date(form.format(y=d.year, m=d.month))
    assert got.value == d.replace(day=1) and got.warning


# --- rates


@pytest.mark.parametrize(("value", "want", "warns"), [
    ("58.3%", 0.583, False), (0.583, 0.583, False), ("0.583", 0.583, False), ("５８.３％", 0.583, False),
    (58.3, 0.583, True), ("58.3", 0.583, True), (1.2, 1.2, False), ("120%", 1.2, False), (0, 0.0, False),
])
def test_rates(value: object, want: float, warns: bool) -> None:
    got = parse_rate(value)
    assert got.value == pytest.approx(want) and got.error is None and bool(got.warning) == warns


@pytest.mark.parametrize("value", ["高", "58.3%%", True])
def test_bad_rates(value: object) -> None:
    assert parse_rate(value).error


@given(st.decimals(min_value=0, max_value=500, places=1))
def test_round_trip_percent_text(x: Decimal) -> None:
    assert parse_rate(f"{x}%").value == pytest.approx(float(x) / 100)


@pytest.mark.parametrize(("text", "milestone"), [("已开工", "started"), ("续建", "started"),
                                                 ("在建", "started"),
                                                 ("已竣工", "completed"), ("已投产", "producing"),
                                                 ("已签约", "signed"), ("已供地", "land"), ("已完成", "")])
def test_states_typed_into_date_cells(text: str, milestone: str) -> None:
    """A milestone stated without a date is no date and no error: it says which milestone is done."""
    got = parse_date(text)
    assert got.value is None and got.error is None and got.warning is None
    assert got.done == milestone
    assert parse_date("未开工").done is None and parse_date("2023-05-01").done is None
