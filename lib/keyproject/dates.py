"""The one strict parser for dates a user types: an option (``--as-of``, ``--start``, ``--target``),
a formula argument, a settings cell, a calendar or steps file, a widget's field.

A date given on purpose must name one exact day. These are accepted, with full-width digits and
spaces allowed: ``2023-07-31``, ``2023/7/31``, ``2023.7.31``, ``2023年7月31日``, ``20230731``,
``2023-07-31 00:00:00``; and the date objects Python, pandas and numpy use; and an Excel serial
number (45138 is 2023-07-31), because that is how a date cell reaches a formula.

Everything else is refused with a Chinese ``DateError`` that says why: a month without a day
(``2023-07``, ``7月底``), a day without a year, a day that does not exist (``2023-02-30``), words.
The lenient reading of ledger *cells* (where "8月底" is read as the 31st with a warning) is
``keyproject.values.parse_date``; this parser is built on it and accepts only what it reads without
a warning, so the two can never disagree on a date both accept.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from keyproject.errors import DateError

# Excel's 1900 date system; serial 1 is 1900-01-01 and 2958465 is 9999-12-31
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_LAST = 2958465
FORMS = "2023-07-31 或 2023年7月31日"  # how the messages tell users to write a date

DateLike = dt.date | dt.datetime | pd.Timestamp | np.datetime64 | str | int | float


def parse_date(value: Any, what: str = "日期") -> dt.date:
    """The exact day ``value`` names (see the module docstring), or ``DateError``.

    ``what`` names the value in the message (``"--as-of"``, ``"统计截止日期"``).
    """
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            raise _error(value, what, "为空")
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise _error(value, what, "为空")
        return pd.Timestamp(value).date()
    if isinstance(value, bool) or value is None:
        raise _error(value, what, "为空" if value is None else "不是日期")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _serial(value, what)
    text = str(value)
    if not text.strip():
        raise _error(value, what, "为空")
    from keyproject.values import parse_date as parse_cell

    parsed = parse_cell(text)
    if parsed.error:
        raise _error(value, what, parsed.error)
    if parsed.value is None or parsed.warning:  # "2023-07", "8月底", "已开工": no exact day
        raise _error(value, what, "没有写明具体是哪一天")
    return parsed.value


def optional_date(value: Any, what: str = "日期") -> dt.date | None:
    """``parse_date``, with None, NaN, NaT and blank text meaning "not given"."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.datetime64) and np.isnat(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return parse_date(value, what)


def _serial(value: int | float | np.integer | np.floating, what: str) -> dt.date:
    x = float(value)
    if math.isnan(x) or math.isinf(x) or not 1 <= x <= _SERIAL_LAST:
        raise _error(value, what, "不是 Excel 日期序号")
    return _EXCEL_EPOCH + dt.timedelta(days=math.floor(x))


def _error(value: Any, what: str, reason: str) -> DateError:
    shown = "" if value is None else str(value)
    return DateError(f"{what}“{shown}”无法识别：{reason}。请写成 {FORMS} 的形式", value=value, what=what)


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month (2023, 7 → 2023-07-31)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def cn_date(d: dt.date) -> str:
    """2023年7月31日."""
    return f"{d.year}年{d.month}月{d.day}日"
