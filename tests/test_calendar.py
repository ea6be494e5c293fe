"""Working days: chinese_calendar is the reference; overrides for years it does not cover."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar as cc
import numpy as np
import pandas as pd
import pytest

from keyproject.engine.calendar import (
    PACKAGE_LAST_YEAR,
    WorkCalendar,
    YearOverride,
    load_calendar_file,
    read_calendar_overrides,
)
from keyproject.errors import CalendarError, KPError

D = dt.date


def days(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


def plain_rule(d: dt.date, holidays: set[dt.date], workdays: set[dt.date]) -> bool:
    """Independent statement of an override year: weekdays work unless a holiday; make-up days work."""
    return d in workdays or (d.weekday() < 5 and d not in holidays)


CAL_2027 = """\
[2027]
holidays = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"]
workdays = ["2027-02-07", "2027-02-20"]
"""
HOL_2027 = {D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10), D(2027, 2, 11)}
WORK_2027 = {D(2027, 2, 7), D(2027, 2, 20)}


@pytest.fixture
def cal2027(tmp_path: Path) -> WorkCalendar:
    path = tmp_path / "holidays.toml"
    path.write_text(CAL_2027, encoding="utf-8")
    return load_calendar_file(path)


def test_national_day_2023_with_make_up_weekend() -> None:
    cal = WorkCalendar()
    for d in days(D(2023, 9, 29), D(2023, 10, 6)):
        assert not cal.is_workday(d), d
        assert not cc.is_workday(d)
    for d in (D(2023, 10, 7), D(2023, 10, 8)):  # Saturday and Sunday, worked
        assert d.weekday() >= 5
        assert cal.is_workday(d) and cc.is_workday(d)
    assert cal.workdays_between(D(2023, 9, 25), D(2023, 10, 13)) == len(
        cc.get_workdays(D(2023, 9, 25), D(2023, 10, 13)))


def test_spring_festival_2024_make_up_days() -> None:
    cal = WorkCalendar()
    for d in (D(2024, 2, 4), D(2024, 2, 18)):  # Sundays worked
        assert d.weekday() == 6
        assert cal.is_workday(d) == cc.is_workday(d) is True
    for d in days(D(2024, 2, 10), D(2024, 2, 17)):
        assert cal.is_workday(d) == cc.is_workday(d) is False
    assert cal.workdays_between(D(2024, 2, 1), D(2024, 2, 29)) == len(
        cc.get_workdays(D(2024, 2, 1), D(2024, 2, 29)))


def test_every_covered_day_matches_the_package() -> None:
    cal = WorkCalendar()
    for year in range(2004, PACKAGE_LAST_YEAR + 1):
        expected = np.array([cc.is_workday(d) for d in days(D(year, 1, 1), D(year, 12, 31))])
        assert np.array_equal(cal.year_mask(year), expected), year


def test_count_across_a_year_boundary_is_inclusive() -> None:
    cal = WorkCalendar()
    a, b = D(2023, 12, 25), D(2024, 1, 5)
    assert cal.workdays_between(a, b) == len(cc.get_workdays(a, b))
    assert cal.workdays_between(D(2023, 10, 7), D(2023, 10, 7)) == 1  # a make-up day alone
    assert cal.workdays_between(D(2024, 1, 1), D(2024, 1, 1)) == 0  # New Year
    assert cal.workdays_between(b, a) == 0


def test_vectorised_counts_match_the_package() -> None:
    cal = WorkCalendar()
    rng = np.random.default_rng(7)
    base = np.datetime64("2019-06-01")
    starts = base + rng.integers(0, 1500, 200).astype("timedelta64[D]")
    ends = starts + rng.integers(-5, 400, 200).astype("timedelta64[D]")
    got = cal.workdays_between(pd.Series(starts), pd.Series(ends))
    for s, e, n in zip(starts, ends, got, strict=True):
        s, e = pd.Timestamp(s).date(), pd.Timestamp(e).date()
        assert n == (len(cc.get_workdays(s, e)) if e >= s else 0)
    # a scalar end broadcasts; a missing start gives NA, not a guess
    ser = pd.Series(pd.to_datetime(["2023-09-01", None]), index=[10, 11])
    out = cal.workdays_between(ser, D(2023, 10, 31))
    assert list(out.index) == [10, 11]
    assert out[10] == len(cc.get_workdays(D(2023, 9, 1), D(2023, 10, 31)))
    assert pd.isna(out[11])


def test_add_and_subtract_workdays_match_the_package() -> None:
    cal = WorkCalendar()
    for start in [*days(D(2023, 9, 20), D(2023, 10, 12)), D(2023, 12, 28), D(2024, 2, 8)]:
        for n in (1, 2, 5, 20):
            assert cal.add_workdays(start, n) == cc.find_workday(n - 1, start + dt.timedelta(days=1))
            assert cal.subtract_workdays(start, n) == cc.find_workday(-n, start)
    assert cal.add_workdays(D(2023, 9, 28), 1) == D(2023, 10, 7)
    assert cal.add_workdays(D(2023, 9, 28), 0) == D(2023, 9, 28)
    assert cal.workday_on_or_before(D(2023, 10, 6)) == D(2023, 9, 28)


def test_uncovered_year_is_an_error_naming_it() -> None:
    cal = WorkCalendar()
    with pytest.raises(CalendarError) as exc:
        cal.workdays_between(D(2026, 12, 1), D(2027, 1, 10))
    assert "2027" in str(exc.value) and "--calendar" in str(exc.value)
    with pytest.raises(CalendarError, match="2027"):
        cal.is_workday(D(2027, 3, 1))
    with pytest.raises(CalendarError, match="2027"):
        cal.add_workdays(D(2026, 12, 20), 30)
    with pytest.raises(CalendarError, match="2003"):
        cal.subtract_workdays(D(2004, 1, 5), 10)


def test_override_file_supplies_an_uncovered_year(cal2027: WorkCalendar) -> None:
    a, b = D(2026, 12, 1), D(2027, 3, 31)
    expected = len(cc.get_workdays(a, D(2026, 12, 31))) + sum(
        plain_rule(d, HOL_2027, WORK_2027) for d in days(D(2027, 1, 1), b))
    assert cal2027.workdays_between(a, b) == expected
    assert not cal2027.is_workday(D(2027, 1, 1))
    assert cal2027.is_workday(D(2027, 2, 7))  # a Sunday worked
    assert cal2027.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 7)
    with pytest.raises(CalendarError, match="2028"):
        cal2027.workdays_between(D(2027, 12, 1), D(2028, 1, 5))


def test_override_amends_a_covered_year() -> None:
    extra_rest = D(2023, 10, 9)  # a Monday the package has as a working day
    cal = WorkCalendar({2023: YearOverride(2023, holidays=frozenset({extra_rest}))})
    assert cc.is_workday(extra_rest) and not cal.is_workday(extra_rest)
    a, b = D(2023, 10, 1), D(2023, 10, 31)
    assert cal.workdays_between(a, b) == len(cc.get_workdays(a, b)) - 1
    assert cal.is_workday(D(2023, 10, 7))  # the package's make-up day still stands


def test_from_table_accepts_excel_shapes() -> None:
    rows = [
        ["日期", "类型"],  # a header row
        [46388, "休"],  # Excel serial of 2027-01-01
        [dt.datetime(2027, 2, 5), "休"],
        ["2027-02-08", "休"], ["2027年2月9日", "休"], ["2027/2/10", "休"], [pd.Timestamp("2027-02-11"), "休"],
        ["2027-02-07", "班"], [46438.0, "班"],  # 2027-02-20
        [None, None],
    ]
    cal = WorkCalendar.from_table(rows)
    for d in days(D(2027, 1, 1), D(2027, 3, 31)):
        assert cal.is_workday(d) == plain_rule(d, HOL_2027, WORK_2027), d
    # a frame works the same, and a covered year is amended
    cal2 = WorkCalendar.from_table(pd.DataFrame({"d": ["2023-10-09"], "t": ["休"]}))
    assert not cal2.is_workday(D(2023, 10, 9)) and cal2.is_workday(D(2023, 10, 10))


def test_from_table_rejects_bad_rows() -> None:
    with pytest.raises(KPError, match="班"):
        WorkCalendar.from_table([["2027-01-01", "放"]])
    with pytest.raises(KPError, match="无法识别"):
        WorkCalendar.from_table([["2027-01-01", "休"], ["明年元旦", "休"]])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[2027]\nholiday = ["2027-01-01"]\n', "holiday"),
        ('[2027]\nholidays = ["2028-01-01"]\n', "2028-01-01"),
        ('[2027]\nholidays = ["someday"]\n', "someday"),
        ('[next]\nholidays = []\n', "next"),
        ('[2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-01-01"]\n', "2027-01-01"),
        ("[2027\n", "TOML"),
    ],
)
def test_bad_calendar_file_names_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad_cal.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KPError) as exc:
        read_calendar_overrides(path)
    assert "bad_cal.toml" in str(exc.value) and needle in str(exc.value)


def test_toml_dates_and_csv_tables(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text("[2027]\nholidays = [2027-01-01]\nworkdays = []\n", encoding="utf-8")
    assert read_calendar_overrides(toml)[2027].holidays == frozenset({D(2027, 1, 1)})
    csv = tmp_path / "c.csv"
    csv.write_text("日期,班休\n2027-01-01,休\n2027-02-07,班\n", encoding="utf-8")
    cal = load_calendar_file(csv)
    assert not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 2, 7))


def test_two_dimensional_input_keeps_its_shape_and_numbers_are_refused() -> None:
    cal = WorkCalendar()
    grid = np.array([["2023-09-01", "2023-10-01"], [None, "2023-12-01"]], dtype="datetime64[D]")
    out = cal.workdays_between(grid, D(2023, 12, 31))
    assert out.shape == (2, 2) and np.isnan(out[1, 0])
    assert out[0, 1] == len(cc.get_workdays(D(2023, 10, 1), D(2023, 12, 31)))
    with pytest.raises(TypeError):
        cal.workdays_between(np.array([45107.0]), D(2023, 12, 31))  # an Excel serial, unconverted
