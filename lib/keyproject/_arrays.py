"""Coercion of engine inputs: whole ledgers, partial frames and arrays handed over from Excel.

Engine functions accept a projects DataFrame with any subset of the columns they use; a column
that is absent counts as all-missing. Values from Excel may be text or serial numbers, so amounts
go through ``pd.to_numeric`` and dates through ``to_dates`` (numbers are Excel serial dates).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from keyproject.dates import DateLike, parse_date
from keyproject.errors import KPError

EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def as_of_timestamp(as_of: DateLike) -> pd.Timestamp:
    """A report date as a midnight Timestamp (a date, datetime, Excel serial or date text, read by
    the strict ``keyproject.dates.parse_date``)."""
    if as_of is None or (isinstance(as_of, float) and np.isnan(as_of)):
        raise KPError("缺少统计截止日期（as_of）")
    return pd.Timestamp(parse_date(as_of, "统计截止日期")).as_unit("us")


def as_of_date(as_of: DateLike) -> dt.date:
    return as_of_timestamp(as_of).date()


def as_of_datetime64(as_of: DateLike) -> np.datetime64:
    """A report date as numpy's ``datetime64[us]``, to compare with date columns."""
    return as_of_timestamp(as_of).to_datetime64().astype("datetime64[us]")


def column(frame: pd.DataFrame, key: str) -> pd.Series | None:
    return frame[key] if key in frame.columns else None


def amounts(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Column ``key`` as float64 (NaN for missing or unreadable); all-NaN when absent."""
    col = column(frame, key)
    if col is None:
        return np.full(len(frame), np.nan)
    if col.dtype == "float64":
        return col.to_numpy()
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def to_dates(values: Any) -> pd.Series:
    """Dates as datetime64[us]: datetimes kept, numbers read as Excel serials, text parsed."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[us]")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = s.astype("float64")
        num = num.where(num > 0)
        return (EXCEL_EPOCH + pd.to_timedelta(num, unit="D")).astype("datetime64[us]")
    # mixed object/str: numbers as serials, the rest read as the reader reads a date cell
    # (keyproject.values.parse_date: one reading of date text everywhere), once per distinct text
    from keyproject.values import parse_date as parse_cell

    num = pd.to_numeric(s, errors="coerce")
    rest = s.where(num.isna())
    read: dict[object, object] = {}
    for v in rest.dropna().unique():
        parsed = parse_cell(v)
        read[v] = parsed.value if parsed.value is not None and not parsed.error else None
    days = pd.Series([read.get(v) for v in rest.tolist()], index=s.index, dtype=object)
    out: pd.Series = pd.to_datetime(days, errors="coerce").astype("datetime64[us]")
    serial: pd.Series = (EXCEL_EPOCH + pd.to_timedelta(num.where(num > 0), unit="D")).astype("datetime64[us]")
    return out.fillna(serial)


def dates(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Column ``key`` as a datetime64[us] array (NaT when missing); all-NaT when absent."""
    col = column(frame, key)
    if col is None:
        return np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[us]")
    if col.dtype == "datetime64[us]":
        return col.to_numpy()
    return to_dates(col).to_numpy(dtype="datetime64[us]")


def groups(frame: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Column ``key`` as (codes, labels): labels are the distinct stripped non-blank texts, codes
    index them (−1 for blank). None when the column is absent. Each distinct value is cleaned once."""
    col = column(frame, key)
    if col is None:
        return None
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    cleaned = pd.Series(np.asarray(uniques, dtype=object)).astype("str").str.strip()
    cleaned = cleaned.where(cleaned != "")
    # " 甲局" and "甲局" are one group
    sub_codes, labels = pd.factorize(cleaned, use_na_sentinel=True)
    remap = np.append(sub_codes, -1)  # index −1 (blank) stays −1
    return remap[codes].astype("int64"), np.asarray(labels, dtype=object)


def texts(frame: pd.DataFrame, key: str) -> pd.Series | None:
    """Column ``key`` as stripped str (NaN for blank), or None when absent."""
    g = groups(frame, key)
    if g is None:
        return None
    codes, labels = g
    values = np.where(codes >= 0, np.append(labels, [None])[codes], None) if len(labels) else None
    return pd.Series(values, index=frame.index, dtype="str")


def texts_match(frame: pd.DataFrame, key: str, pattern: str) -> np.ndarray | None:
    """Whether each cell of text column ``key`` matches regex ``pattern`` (searched once per
    distinct value); None when the column is absent."""
    g = groups(frame, key)
    if g is None:
        return None
    codes, labels = g
    rx = re.compile(pattern)
    hit = np.array([rx.search(str(label)) is not None for label in labels], dtype=bool)
    return np.append(hit, False)[codes]


def month_index(values: np.ndarray) -> np.ndarray:
    """Months since 1970-01 as float (NaN for NaT), for month arithmetic on whole arrays."""
    m = values.astype("datetime64[M]").astype("int64").astype("float64")
    m[np.isnat(values)] = np.nan
    return m
