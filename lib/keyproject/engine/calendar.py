"""Working days in China: public holidays and their 调休 make-up days.

The reference is the ``chinese_calendar`` package (it knows each year's State Council holiday
arrangement, 2004–2026 in version 1.11). A year it does not cover is never guessed: counting into
it raises ``CalendarError`` unless the user supplies that year's arrangement, either as a TOML
file (``load_calendar_file``) or as a two-column table of (date, "班"/"休") (``WorkCalendar.from_table``,
what the Excel function ``KP_WORKDAYS`` passes). An override for a covered year amends the
package's days.

Counting is vectorised: each year becomes a boolean workday bitmap (cached), a span of years a
cumulative count, so a count between two dates is two array lookups whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import chinese_calendar
import numpy as np
import pandas as pd

from keyproject.dates import optional_date
from keyproject.errors import CalendarError, DateError, KPError

_EPOCH = dt.date(1970, 1, 1)
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 date system (serial 1 = 1900-01-01, with the 1900 bug)

# years the package knows (it checks the same bounds before answering)
PACKAGE_FIRST_YEAR: int = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR: int = max(chinese_calendar.holidays).year

# labels accepted in a (date, label) holiday table
_WORK_LABELS = frozenset({"班", "上班", "补班", "工作", "工作日", "调班", "work", "workday", "w"})
_REST_LABELS = frozenset({"休", "休息", "休假", "放假", "假", "假日", "节假日", "调休",
                          "rest", "holiday", "h"})


def package_covers(year: int) -> bool:
    """Whether chinese_calendar knows ``year``'s holiday arrangement."""
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


@dataclass(frozen=True)
class YearOverride:
    """A user's holiday arrangement for one year.

    ``holidays`` are rest days (usually weekdays of a holiday), ``workdays`` working days (usually
    the weekend make-up days). For a year the package does not cover, every other day follows the
    plain rule (Monday–Friday work); for a covered year the package decides the other days.
    """

    year: int
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    source: str | None = None  # file or table it came from, for messages

    def merged(self, other: YearOverride) -> YearOverride:
        """This override amended by ``other`` (``other`` wins where both name a day)."""
        holidays = (self.holidays - other.workdays) | other.holidays
        workdays = (self.workdays - other.holidays) | other.workdays
        return YearOverride(self.year, frozenset(holidays), frozenset(workdays), other.source or self.source)


def _uncovered_error(year: int) -> CalendarError:
    return CalendarError(
        f"{year}年不在内置节假日日历范围内"
        f"（chinese_calendar 仅覆盖 {PACKAGE_FIRST_YEAR}–{PACKAGE_LAST_YEAR} 年），"
        f"无法确定{year}年的工作日和调休安排。请用 --calendar 提供该年度的节假日安排"
        f"（TOML 文件，例如 [{year}] holidays = [\"{year}-01-01\"] workdays = [\"{year}-02-07\"]），"
        "或在 Excel 中传入“日期 / 班休”两列的节假日表",
        year=year,
    )


@lru_cache(maxsize=64)
def _package_mask(year: int) -> np.ndarray:
    """Workday bitmap of a covered year, straight from chinese_calendar (read-only, cached)."""
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    mask = np.fromiter((chinese_calendar.is_workday(first + dt.timedelta(days=i)) for i in range(n)),
                       dtype=bool, count=n)
    mask.flags.writeable = False
    return mask


def _weekday_mask(year: int) -> np.ndarray:
    first = np.datetime64(f"{year}-01-01", "D")
    days = np.arange(first, np.datetime64(f"{year + 1}-01-01", "D"))
    # 1970-01-01 was a Thursday: (day + 3) % 7 is Monday=0 … Sunday=6
    return ((days.astype(np.int64) + 3) % 7) < 5


def _day(d: Any) -> int:
    """Days since 1970-01-01 of a date-like scalar."""
    if isinstance(d, dt.datetime):
        d = d.date()
    if isinstance(d, dt.date):
        return (d - _EPOCH).days
    if isinstance(d, pd.Timestamp):
        return (d.date() - _EPOCH).days
    if isinstance(d, np.datetime64):
        return int(d.astype("datetime64[D]").astype(np.int64))
    raise TypeError(f"expected a date, got {type(d).__name__}")


def _date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def _year_of_day(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class WorkCalendar:
    """Chinese working days, with optional per-year overrides.

    ``WorkCalendar()`` uses chinese_calendar alone; ``WorkCalendar({2027: YearOverride(...)})``
    adds (or amends) years. Any question about a year neither covers raises ``CalendarError``.
    """

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        self.overrides: dict[int, YearOverride] = dict(overrides or {})
        self._masks: dict[int, np.ndarray] = {}
        self._tables: dict[tuple[int, int], tuple[int, np.ndarray, np.ndarray]] = {}

    def __repr__(self) -> str:
        return f"WorkCalendar(overrides={sorted(self.overrides)})"

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_table(cls, rows: Any, *, source: str | None = None,
                   base: WorkCalendar | None = None) -> WorkCalendar:
        """A calendar from a table of (date, "班"/"休") rows, on top of ``base`` (default: the package).

        ``rows`` is a DataFrame (first two columns) or any iterable of 2-item rows, as an Excel
        range arrives: dates may be Excel serial numbers, datetimes or text. Blank rows and one
        header row are skipped. "班" marks a working day, "休" a rest day.
        """
        overrides = _overrides_from_rows(rows, source)
        cal = base if base is not None else cls()
        return cal.with_overrides(overrides)

    def with_overrides(self, overrides: Mapping[int, YearOverride]) -> WorkCalendar:
        """A new calendar: this one amended by ``overrides`` (the new days win)."""
        merged = dict(self.overrides)
        for year, ov in overrides.items():
            merged[year] = merged[year].merged(ov) if year in merged else ov
        return WorkCalendar(merged)

    # -- coverage -----------------------------------------------------------------------------
    def covers(self, year: int) -> bool:
        """Whether this calendar can answer for ``year`` (package or override)."""
        return package_covers(year) or year in self.overrides

    def check_years(self, first: int, last: int) -> None:
        """Raise ``CalendarError`` naming the first year in first…last this calendar cannot answer for."""
        for year in range(first, last + 1):
            if not self.covers(year):
                raise _uncovered_error(year)

    def year_mask(self, year: int) -> np.ndarray:
        """Workday bitmap of ``year`` (index 0 = 1 January)."""
        mask = self._masks.get(year)
        if mask is not None:
            return mask
        ov = self.overrides.get(year)
        if package_covers(year):
            mask = _package_mask(year)
        elif ov is not None:
            mask = _weekday_mask(year)
        else:
            raise _uncovered_error(year)
        if ov is not None:
            mask = mask.copy()
            first = dt.date(year, 1, 1)
            if ov.holidays:
                mask[[(d - first).days for d in ov.holidays]] = False
            if ov.workdays:
                mask[[(d - first).days for d in ov.workdays]] = True
            mask.flags.writeable = False
        self._masks[year] = mask
        return mask

    def _table(self, first: int, last: int) -> tuple[int, np.ndarray, np.ndarray]:
        """(day number of first-01-01, workday mask, cumulative count with a leading 0) for the years."""
        key = (first, last)
        hit = self._tables.get(key)
        if hit is None:
            mask = np.concatenate([self.year_mask(y) for y in range(first, last + 1)])
            cum = np.zeros(len(mask) + 1, dtype=np.int64)
            np.cumsum(mask, out=cum[1:])
            hit = (_day(dt.date(first, 1, 1)), mask, cum)
            if len(self._tables) > 32:
                self._tables.clear()
            self._tables[key] = hit
        return hit

    # -- questions ----------------------------------------------------------------------------
    def is_workday(self, d: dt.date | dt.datetime | pd.Timestamp) -> bool:
        """Whether people work on ``d`` (weekday not a holiday, or a make-up weekend day)."""
        day = _day(d)
        year = _date(day).year
        return bool(self.year_mask(year)[day - _day(dt.date(year, 1, 1))])

    @overload
    def workdays_between(self, start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> int: ...
    @overload
    def workdays_between(self, start: Any, end: Any) -> Any: ...

    def workdays_between(self, start: Any, end: Any) -> Any:
        """Working days from ``start`` to ``end``, both included (0 when end < start).

        Scalars give an int. Arrays, lists or Series (either argument; a scalar broadcasts) give
        an array (a Series keeps its index); a missing date gives NaN (an ``Int64`` NA in a Series).
        """
        if _is_scalar(start) and _is_scalar(end):
            s, e = _day(start), _day(end)
            if e < s:
                return 0
            y0, y1 = _date(s).year, _date(e).year
            self.check_years(y0, y1)
            base, _mask, cum = self._table(y0, y1)
            return int(cum[e - base + 1] - cum[s - base])
        index = next((x.index for x in (start, end) if isinstance(x, pd.Series)), None)
        s_arr, s_ok = _days_array(start)
        e_arr, e_ok = _days_array(end)
        s_arr, e_arr = np.broadcast_arrays(s_arr, e_arr)
        ok = np.broadcast_to(s_ok, s_arr.shape) & np.broadcast_to(e_ok, e_arr.shape)
        valid = ok & (e_arr >= s_arr)
        counts = np.zeros(s_arr.shape, dtype=np.int64)
        if valid.any():
            sv, ev = s_arr[valid], e_arr[valid]
            ys, ye = _year_of_day(sv), _year_of_day(ev)
            # check only the years some pair actually spans
            for a, b in set(zip(ys.tolist(), ye.tolist(), strict=True)):
                self.check_years(a, b)
            y0, y1 = int(ys.min()), int(ye.max())
            base, _mask, cum = self._table_loose(y0, y1)
            counts[valid] = cum[ev - base + 1] - cum[sv - base]
        if index is not None:
            out = pd.Series(counts, index=index, dtype="Int64")
            return out.mask(~ok)
        if ok.all():
            return counts
        return np.where(ok, counts.astype(np.float64), np.nan)

    def _table_loose(self, first: int, last: int) -> tuple[int, np.ndarray, np.ndarray]:
        """Like ``_table`` but years no pair spans may be uncovered (filled with plain weekdays)."""
        if all(self.covers(y) for y in range(first, last + 1)):
            return self._table(first, last)
        mask = np.concatenate([self.year_mask(y) if self.covers(y) else _weekday_mask(y)
                               for y in range(first, last + 1)])
        cum = np.zeros(len(mask) + 1, dtype=np.int64)
        np.cumsum(mask, out=cum[1:])
        return _day(dt.date(first, 1, 1)), mask, cum

    def workdays(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days from ``start`` to ``end``, both included."""
        s, e = _day(start), _day(end)
        if e < s:
            return []
        y0, y1 = _date(s).year, _date(e).year
        self.check_years(y0, y1)
        base, mask, _cum = self._table(y0, y1)
        idx = np.flatnonzero(mask[s - base:e - base + 1]) + s
        return [_date(int(i)) for i in idx]

    def add_workdays(self, d: dt.date | pd.Timestamp, n: int) -> dt.date:
        """The ``n``-th working day after ``d`` (``d`` itself not counted; n=0 gives ``d``)."""
        n = int(n)
        if n < 0:
            return self.subtract_workdays(d, -n)
        x = _day(d)
        if n == 0:
            return _date(x)
        y0 = _date(x).year
        y1 = y0
        while True:
            base, _mask, cum = self._table(y0, y1)
            want = cum[x - base + 1] + n  # count up to and including the answer
            if want <= cum[-1]:
                return _date(int(np.searchsorted(cum, want, side="left")) - 1 + base)
            y1 += 1

    def subtract_workdays(self, d: dt.date | pd.Timestamp, n: int) -> dt.date:
        """The ``n``-th working day before ``d`` (``d`` itself not counted; n=0 gives ``d``)."""
        n = int(n)
        if n < 0:
            return self.add_workdays(d, -n)
        x = _day(d)
        if n == 0:
            return _date(x)
        y1 = _date(x).year
        y0 = y1
        while True:
            base, _mask, cum = self._table(y0, y1)
            want = cum[x - base] - n + 1  # count up to and including the answer
            if want >= 1:
                return _date(int(np.searchsorted(cum, want, side="left")) - 1 + base)
            y0 -= 1

    def workday_on_or_before(self, d: dt.date | pd.Timestamp) -> dt.date:
        """``d`` when it is a working day, else the last working day before it."""
        return _date(_day(d)) if self.is_workday(d) else self.subtract_workdays(d, 1)

    def workday_on_or_after(self, d: dt.date | pd.Timestamp) -> dt.date:
        """``d`` when it is a working day, else the first working day after it."""
        return _date(_day(d)) if self.is_workday(d) else self.add_workdays(d, 1)


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (dt.date, pd.Timestamp, np.datetime64))


def _days_array(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """(day numbers, not-missing mask) of a scalar or an array of dates (any shape)."""
    if _is_scalar(x):
        return np.asarray(_day(x), dtype=np.int64), np.asarray(True)
    if isinstance(x, pd.Series):
        series, shape = x, (len(x),)
    else:
        arr = np.asarray(x)
        series, shape = pd.Series(arr.ravel()), arr.shape
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        # pandas would read numbers as nanoseconds since 1970; Excel serials need converting first
        raise TypeError("workdays_between takes dates, not numbers (convert Excel serials first)")
    values = pd.to_datetime(series, errors="coerce")
    ok = values.notna().to_numpy()
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    return np.where(ok, days, 0).reshape(shape), ok.reshape(shape)


# -- override files and tables --------------------------------------------------------------------

def to_date(value: Any) -> dt.date | None:
    """A date from an Excel cell value: date/datetime, Excel serial number, or text; None if blank.

    Read by the strict ``keyproject.dates.parse_date``; raises ValueError for text or numbers that
    are not one exact day.
    """
    try:
        return optional_date(value)
    except DateError as exc:
        raise ValueError(exc.message) from None


def _overrides_from_rows(rows: Any, source: str | None) -> dict[int, YearOverride]:
    if isinstance(rows, pd.DataFrame):
        if rows.shape[1] < 2:
            raise KPError("节假日表需要两列：日期、班/休", file=source)
        body: Iterable[Any] = rows.iloc[:, :2].itertuples(index=False, name=None)
    else:
        body = rows
    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    seen_data = False
    for i, row in enumerate(body, start=1):
        cells: list[object] = list(row) if not isinstance(row, (str, bytes)) else [row]
        cells += [None] * (2 - len(cells))
        raw_date, raw_label = cells[0], cells[1]
        label = "" if raw_label is None or (isinstance(raw_label, float) and np.isnan(raw_label)) \
            else str(raw_label).strip().lower()
        try:
            day = to_date(raw_date)
        except ValueError:
            day = None
            if seen_data or label in _WORK_LABELS or label in _REST_LABELS:
                raise KPError(f"节假日表中的日期“{raw_date}”无法识别", file=source, row=i) from None
            continue  # a header row before any data
        if day is None:
            if label:
                raise KPError("节假日表中此行缺少日期", file=source, row=i)
            continue
        seen_data = True
        if label in _WORK_LABELS:
            workdays.setdefault(day.year, set()).add(day)
            holidays.get(day.year, set()).discard(day)
        elif label in _REST_LABELS:
            holidays.setdefault(day.year, set()).add(day)
            workdays.get(day.year, set()).discard(day)
        else:
            raise KPError(f"节假日表中 {day.isoformat()} 的标记“{raw_label}”无法识别，应为“班”或“休”",
                          file=source, row=i)
    years = sorted(set(holidays) | set(workdays))
    return {y: YearOverride(y, frozenset(holidays.get(y, ())), frozenset(workdays.get(y, ())), source)
            for y in years}


def read_calendar_overrides(path: str | Path) -> dict[int, YearOverride]:
    """The per-year overrides in a calendar file.

    TOML: one table per year, ``[2027]`` with ``holidays = ["2027-01-01", …]`` (rest days) and
    ``workdays = ["2027-02-07", …]`` (make-up working days); TOML dates or ISO strings.
    CSV / a workbook (.xlsx/.xlsm/.xls/.et, its first sheet): a two-column table of (date, "班"/"休").
    """
    from keyproject.safety import READABLE_SUFFIXES, check_text_file

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:  # a workbook gets the workbook checks below
        check_text_file(path, "节假日文件")
    if suffix in (".csv", ".txt"):
        try:
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise KPError(f"节假日文件无法读取（{exc}）", file=path) from None
        return _overrides_from_rows(frame, str(path))
    if suffix in READABLE_SUFFIXES:  # a workbook: read after the safety checks, as a ledger is
        from keyproject.xlsx import table_rows  # calamine: imported only for a workbook

        return _overrides_from_rows(table_rows(path, 2, 5000, "节假日表"), str(path))
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KPError(f"节假日文件不是有效的 TOML（{exc}）", file=path) from None
    return _overrides_from_toml(data, path)


def load_calendar_file(path: str | Path, base: WorkCalendar | None = None) -> WorkCalendar:
    """A ``WorkCalendar`` with the overrides of a calendar file (see ``read_calendar_overrides``)."""
    cal = base if base is not None else WorkCalendar()
    return cal.with_overrides(read_calendar_overrides(path))


def _overrides_from_toml(data: dict[str, Any], path: Path) -> dict[int, YearOverride]:
    out: dict[int, YearOverride] = {}
    for key, table in data.items():
        if not (key.isdigit() and len(key) == 4):
            raise KPError(f"键“{key}”不是年份：每个年份写成一个表，例如 [2027]", file=path)
        year = int(key)
        if not isinstance(table, dict):
            raise KPError(f"键“{key}”应为一个表（[{key}] 下写 holidays 与 workdays）", file=path)
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            bad = "、".join(sorted(unknown))
            raise KPError(f"[{key}] 中的键“{bad}”无法识别，"
                          "只能是 holidays（休息日）或 workdays（调休上班日）", file=path)
        days: dict[str, frozenset[dt.date]] = {}
        for name in ("holidays", "workdays"):
            items = table.get(name, [])
            if not isinstance(items, list):
                raise KPError(f"[{key}] {name} 应为日期列表，例如 [\"{key}-01-01\"]", file=path)
            parsed = set()
            for item in items:
                try:
                    day = to_date(item) if not isinstance(item, (int, float)) else None
                except ValueError:
                    day = None
                if day is None:
                    raise KPError(f"[{key}] {name} 中的“{item}”不是日期（应写成 {key}-01-01）", file=path)
                if day.year != year:
                    raise KPError(f"[{key}] {name} 中的日期 {day.isoformat()} 不属于{year}年", file=path)
                parsed.add(day)
            days[name] = frozenset(parsed)
        both = days["holidays"] & days["workdays"]
        if both:
            first = min(both).isoformat()
            raise KPError(f"[{key}] 中的日期 {first} 同时出现在 holidays 和 workdays 中", file=path)
        out[year] = YearOverride(year, days["holidays"], days["workdays"], str(path))
    return out
