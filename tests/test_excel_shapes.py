"""Excel shapes in and out (keyproject.excel_shapes): grids, blanks, serial dates, date text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyproject import excel_shapes as xs
from keyproject.values import parse_amount, parse_date


def test_grid_shapes():
    assert xs.grid(5) == [[5]]
    assert xs.grid(None) == [[None]]
    assert xs.grid([1, 2, 3]) == [[1], [2], [3]]  # a 1-D list is a column
    assert xs.grid([[1, 2], [3]]) == [[1, 2], [3, None]]
    assert xs.grid(np.array([[1.0], [2.0]])) == [[1.0], [2.0]]


def test_serial_dates_match_excel():
    # Excel's own numbers: 2023-06-30 is 45107, 1900-03-01 is 61
    got = xs.dates([[45107], [45107.75], [61]])
    assert list(pd.to_datetime(got.values).date) == [dt.date(2023, 6, 30), dt.date(2023, 6, 30),
                                                     dt.date(1900, 3, 1)]
    assert xs.datetime_to_serial(np.array(["2023-06-30"], dtype="datetime64[us]"))[0] == 45107


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)))
def test_serial_round_trip(day):
    serial = xs.datetime_to_serial(np.array([day], dtype="datetime64[us]"))
    back = xs.serial_to_datetime(serial)
    assert pd.Timestamp(back[0]).date() == day


def test_dates_mixed_column():
    cells = [[dt.datetime(2023, 7, 31, 15, 30)], [dt.date(2023, 1, 5)], ["2023年8月30日"], ["2023.8.30"],
             [None], [""], ["—"], [45107], ["不是日期"], [True], [-3]]
    got = xs.dates(cells, "开工时间")
    assert got.shape == (11, 1)
    expect_text = [parse_date(t).value for t in ("2023年8月30日", "2023.8.30")]
    days = [None if pd.isna(v) else pd.Timestamp(v).date() for v in got.values]
    assert days[:4] == [dt.date(2023, 7, 31), dt.date(2023, 1, 5), *expect_text]
    assert days[4:7] == [None, None, None]  # blanks and a missing marker: no value, no error
    assert list(got.errors[:8]) == [None] * 8
    assert days[7] == dt.date(2023, 6, 30)
    # the library's own message for unreadable text; our own for TRUE and impossible serials
    assert got.errors[8] == parse_date("不是日期").error
    assert "开工时间" in got.errors[9] and "开工时间" in got.errors[10]


def test_numbers_blank_text_and_wrong_types():
    cells = [[1], [None], ["3,000"], ["1.2亿"], ["—"], [""], ["abc"], [True], [dt.date(2023, 1, 1)], [2.5]]
    got = xs.numbers(cells, "完成投资")
    expect = [1.0, np.nan, parse_amount("3,000").value, parse_amount("1.2亿").value, np.nan, np.nan,
              np.nan, np.nan, np.nan, 2.5]
    np.testing.assert_array_equal(got.values, np.array(expect))
    assert got.errors[6] == parse_amount("abc").error
    assert "完成投资" in got.errors[7] and "完成投资" in got.errors[8]
    assert sum(e is not None for e in got.errors) == 3


def test_numbers_fast_path_keeps_nan_for_blanks():
    got = xs.numbers([[1.0], [None], [3]])
    assert got.values.dtype == np.float64
    assert np.isnan(got.values[1]) and got.values[2] == 3.0
    assert all(e is None for e in got.errors)


def test_broadcast_and_shape_errors():
    one = xs.numbers(5)
    col = xs.numbers([[1], [2], [3]])
    shape = xs.common_shape(one.shape, col.shape)
    assert shape == (3, 1)
    assert list(xs.broadcast(one, shape).values) == [5.0, 5.0, 5.0]
    with pytest.raises(xs.ShapeError, match="大小不一致"):
        xs.common_shape((3, 1), (2, 1))


def test_column_out_puts_messages_in_their_cells():
    out = xs.column_out(np.array([1.5, np.nan, 2.0]), np.array([None, None, "坏"], dtype=object), (3, 1))
    assert out == [[1.5], [None], ["坏"]]
    assert xs.column_out(np.array([1.0, 2.0]), None, (1, 2)) == [[1.0, 2.0]]


def test_to_excel_values():
    assert xs.to_excel(np.float64(2.0)) == 2.0 and type(xs.to_excel(np.float64(2.0))) is float
    assert xs.to_excel(np.datetime64("2023-06-30")) == dt.datetime(2023, 6, 30)
    assert xs.to_excel(dt.date(2023, 6, 30)) == dt.datetime(2023, 6, 30)
    assert xs.to_excel(pd.NaT) is None and xs.to_excel(float("nan")) is None


def test_one_date_and_scalar():
    assert xs.one_date("2023-07-31", "截止日期") == dt.date(2023, 7, 31)
    assert xs.one_date([[45138]], "截止日期") == dt.date(2023, 7, 31)
    with pytest.raises(xs.ShapeError, match="缺少截止日期"):
        xs.one_date(None, "截止日期")
    with pytest.raises(xs.ShapeError, match="一个单元格"):
        xs.scalar([[1], [2]])


def test_header_table_skips_blank_rows():
    headers, body = xs.header_table([["项目名称", 2023.0], ["甲", 1], [None, ""], ["乙", 2]])
    assert headers == ["项目名称", "2023"]
    assert body == [["甲", 1], ["乙", 2]]
    with pytest.raises(xs.ShapeError):
        xs.header_table([["项目名称"]])
