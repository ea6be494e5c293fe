"""Excel shapes in and out: what a worksheet formula hands Python, as numpy/pandas, and back.

Excel passes a formula's arguments as single values or 2-D lists of rows (a whole column is a list of
one-item rows); empty cells are ``None`` (or ``""``), dates are ``datetime`` objects (desktop Excel)
or serial numbers (Office.js: 2023-06-30 is 45107), and people type dates and amounts as text
("2023.8.30", "3,000"). This module turns such grids into flat arrays with one Chinese message per
cell that could not be read, and turns results back into 2-D lists. It is pure: no xlwings, no
clock, no files; the add-in (``addin/keyproject_udfs.py``) stays a thin layer over it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from keyproject.errors import KPError

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 the phantom 1900-02-29, so for every
# real date after February 1900 the day count starts on 1899-12-30.
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
MAX_SERIAL = 2958465  # 9999-12-31

Grid = list[list[Any]]


class ShapeError(KPError):
    """An argument that cannot be used as a whole (wrong size, no header row, ...)."""


@dataclass(frozen=True)
class Cells:
    """One argument flattened (row by row): values, the per-cell error message, the grid's shape."""

    values: np.ndarray  # float64, datetime64[us] or object, length rows*cols
    errors: np.ndarray  # object: None or a short Chinese message
    shape: tuple[int, int]

    @property
    def ok(self) -> np.ndarray:
        return pd.isna(self.errors)


def is_blank(value: Any) -> bool:
    """An empty cell: None, "" or whitespace, NaN/NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NaT


def grid(value: Any) -> Grid:
    """Any argument as a 2-D list of rows: a scalar is 1×1, a 1-D list is a column."""
    if isinstance(value, (np.ndarray, pd.Series)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            return [[None]]
        row_types = set(map(type, value))
        if row_types <= {list, tuple}:
            widths = set(map(len, value))
            if len(widths) == 1 and 0 not in widths:
                return cast(Grid, value)  # already rectangular: no copy (a 100,000-row column stays cheap)
            width = max(widths) or 1
            return [list(r) + [None] * (width - len(r)) for r in value]
        return [[v] for v in value]
    return [[value]]


def shape_of(g: Grid) -> tuple[int, int]:
    return (len(g), len(g[0]) if g else 0)


def flat(g: Grid) -> list[Any]:
    return list(itertools.chain.from_iterable(g))


# kinds of cell values, looked up by exact type (one dict lookup per cell)
OTHER, NUMBER, DATE, TEXT, BOOL, NONE = range(6)
_KINDS: dict[type, int] = {
    int: NUMBER, float: NUMBER, np.float64: NUMBER, np.int64: NUMBER, np.float32: NUMBER, np.int32: NUMBER,
    dt.datetime: DATE, dt.date: DATE, pd.Timestamp: DATE, np.datetime64: DATE,
    str: TEXT, np.str_: TEXT, bool: BOOL, np.bool_: BOOL, type(None): NONE,
}


def kinds(items: list[Any]) -> np.ndarray:
    """The kind code of each value (NUMBER, DATE, TEXT, BOOL, NONE or OTHER)."""
    codes = map(_KINDS.get, map(type, items), itertools.repeat(OTHER))  # all in C, no Python frames
    return np.fromiter(codes, dtype=np.int8, count=len(items))


def _blank_text(items: list[Any], kind: np.ndarray) -> np.ndarray:
    """Text cells that hold only spaces (Excel shows them empty)."""
    out = np.zeros(len(items), dtype=bool)
    for i in np.flatnonzero(kind == TEXT):
        if not items[i].strip():
            out[i] = True
    return out


def common_shape(*shapes: tuple[int, int]) -> tuple[int, int]:
    """The shape arguments broadcast to (a single cell goes with any column), or ShapeError."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        sizes = "、".join(f"{r}行{c}列" for r, c in shapes)
        raise ShapeError(f"各参数区域大小不一致（{sizes}）") from None


def broadcast(cells: Cells, shape: tuple[int, int]) -> Cells:
    """``cells`` repeated to ``shape`` (a 1×1 argument against a column)."""
    if cells.shape == shape:
        return cells
    idx = np.broadcast_to(np.arange(len(cells.values)).reshape(cells.shape), shape).ravel()
    return Cells(cells.values[idx], cells.errors[idx], shape)


def numbers(value: Any, what: str = "数值", parse_text: Callable[[str], Any] | None = None) -> Cells:
    """Numbers from a grid: blanks are NaN; text goes through ``parse_text`` (default: the library's
    amount parser, so "3,000" and "约500" read as numbers).

    A cell that is not a number (text that does not parse, TRUE/FALSE, a date) gets a message.
    """
    g = grid(value)
    shape = shape_of(g)
    items = flat(g)
    n = len(items)
    errors = np.full(n, None, dtype=object)
    kind = kinds(items)
    number = kind == NUMBER
    if number.all():  # the common case, converted in C
        return Cells(np.array(items, dtype=float), errors, shape)
    obj = _objects(items)
    out = np.full(n, np.nan)
    if number.any():
        out[number] = obj[number].astype(float)
    if parse_text is None:
        parse_text = default_amount_parser()
    cache: dict[str, tuple[Any, str | None]] = {}
    for i in np.flatnonzero(kind == TEXT):
        raw = items[i]
        if raw not in cache:
            cache[raw] = _parse_number_text(raw, what, parse_text)
        value, error = cache[raw]
        if error is not None:
            errors[i] = error
        elif value is not None:
            out[i] = value
    bad = (kind == BOOL) | (kind == DATE) | (kind == OTHER)
    errors[bad] = f"{what}应为数字"
    return Cells(out, errors, shape)


def _objects(items: list[Any]) -> np.ndarray:
    obj = np.empty(len(items), dtype=object)
    obj[:] = items
    return obj


def _parse_number_text(raw: str, what: str,
                       parse_text: Callable[[str], Any] | None) -> tuple[Any, str | None]:
    if not raw.strip():
        return None, None
    try:
        return float(raw), None
    except ValueError:
        pass
    if parse_text is None:
        return None, f"{what}“{_short(raw)}”无法识别"
    try:
        value, error = _unpack(parse_text(raw))
    except (KPError, ValueError) as exc:
        return None, str(exc)
    return (None if value is None else float(value)), error


def _short(text: Any, limit: int = 12) -> str:
    t = str(text).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"


def serial_to_datetime(serial: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (fractions are the time of day) as datetime64[us]."""
    micros = np.round(np.asarray(serial, dtype=float) * 86_400_000_000).astype("int64")
    return EXCEL_EPOCH.astype("datetime64[us]") + micros.astype("timedelta64[us]")


def datetime_to_serial(values: Any) -> np.ndarray:
    """datetime64 values (or anything pandas reads as dates) as Excel serial numbers (NaN for NaT)."""
    d = pd.to_datetime(pd.Series(np.asarray(values).ravel()), errors="coerce").astype("datetime64[us]")
    delta = (d - pd.Timestamp(EXCEL_EPOCH)).dt.total_seconds() / 86_400
    return delta.to_numpy(dtype=float, na_value=np.nan)


def dates(value: Any, what: str = "日期", parse_text: Callable[[str], Any] | None = None) -> Cells:
    """Dates from a grid: datetime/date objects, Excel serial numbers, or date text.

    Blanks are NaT. Text goes through ``parse_text`` (``keyproject.values.parse_date``); a cell that
    is neither a date, a plausible serial number nor readable date text gets a message.
    """
    if parse_text is None:
        parse_text = default_date_parser()
    g = grid(value)
    shape = shape_of(g)
    items = flat(g)
    n = len(items)
    errors = np.full(n, None, dtype=object)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    kind = kinds(items)
    obj = _objects(items)
    is_num = kind == NUMBER
    if is_num.any():
        serial = obj[is_num].astype(float)
        good = np.isfinite(serial) & (serial >= 1) & (serial <= MAX_SERIAL)
        idx = np.flatnonzero(is_num)
        out[idx[good]] = serial_to_datetime(np.floor(serial[good]))
        errors[idx[~good]] = f"{what}数值超出范围"
    is_date = kind == DATE
    if is_date.any():  # datetime objects convert in C; the time of day is dropped
        stamps = pd.DatetimeIndex(pd.to_datetime(obj[is_date])).normalize()
        out[is_date] = stamps.as_unit("us").to_numpy()
    if (kind == TEXT).any():
        cache: dict[str, tuple[np.datetime64 | None, str | None]] = {}
        for i in np.flatnonzero(kind == TEXT):
            raw = items[i]
            if raw not in cache:
                cache[raw] = _parse_date_text(raw, what, parse_text) if raw.strip() else (None, None)
            parsed, error = cache[raw]
            if error is not None:
                errors[i] = error
            elif parsed is not None:
                out[i] = parsed
    errors[kind == BOOL] = f"{what}不能是TRUE/FALSE"
    errors[kind == OTHER] = f"{what}应为日期"
    return Cells(out, errors, shape)


def default_date_parser() -> Callable[[str], Any] | None:
    """The library's date-text parser (``keyproject.values.parse_date``) when it is importable."""
    try:
        from keyproject.values import parse_date
    except ImportError:
        return None
    return parse_date


def default_amount_parser() -> Callable[[str], Any] | None:
    """The library's amount-text parser (``keyproject.values.parse_amount``) when it is importable."""
    try:
        from keyproject.values import parse_amount
    except ImportError:
        return None
    return parse_amount


def _unpack(parsed: Any) -> tuple[Any, str | None]:
    """A parser's answer as (value or None, Chinese error or None).

    The library's parsers return (value, warning, error) tuples; a plain value is taken as is.
    """
    if hasattr(parsed, "error") and hasattr(parsed, "value"):
        return parsed.value, parsed.error
    return parsed, None


def _parse_date_text(raw: str, what: str,
                     parse_text: Callable[[str], Any] | None) -> tuple[np.datetime64 | None, str | None]:
    text = raw.strip()
    value: Any = None
    error: str | None = None
    if parse_text is not None:
        try:
            value, error = _unpack(parse_text(text))
        except (KPError, ValueError) as exc:
            value, error = None, str(exc)
    else:
        try:  # ISO text works even without the library's parser
            value = dt.date.fromisoformat(text)
        except ValueError:
            error = f"{what}“{_short(raw)}”无法识别"
    if error is not None:
        return None, error
    if value is None or pd.isna(value):
        return None, None  # a missing marker ("—", "未开工")
    return pd.Timestamp(value).normalize().to_datetime64().astype("datetime64[us]"), None


def texts(value: Any) -> Cells:
    """Text from a grid: blanks are None, numbers are written as Excel shows them (3.0 → "3")."""
    g = grid(value)
    shape = shape_of(g)
    out = np.array([_as_text(v) for v in flat(g)], dtype=object)
    return Cells(out, np.full(len(out), None, dtype=object), shape)


def _as_text(v: Any) -> str | None:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


def scalar(value: Any) -> Any:
    """The single value of a 1×1 argument (a bigger range is an error)."""
    g = grid(value)
    if shape_of(g) != (1, 1):
        raise ShapeError("此参数只能是一个单元格")
    return g[0][0]


def default_exact_date_parser(what: str = "日期") -> Callable[[str], Any] | None:
    """The library's strict parser of typed dates (``keyproject.dates.parse_date``: one exact day,
    as every door reads a date given on purpose), naming the value ``what``, when it is importable."""
    try:
        from keyproject.dates import parse_date
    except ImportError:
        return None
    return lambda text: parse_date(text, what)


def one_date(value: Any, what: str, parse_text: Callable[[str], Any] | None = None) -> dt.date:
    """A single required date (ShapeError with ``what`` in the message otherwise). A date typed as
    text is read strictly (``default_exact_date_parser``): "2023-07" or "7月底" is not one day."""
    c = dates(scalar(value), what, parse_text or default_exact_date_parser(what))
    if c.errors[0] is not None:
        raise ShapeError(c.errors[0])
    if pd.isna(c.values[0]):
        raise ShapeError(f"缺少{what}")
    return pd.Timestamp(c.values[0]).date()


def to_excel(values: Any) -> Any:
    """One value as a cell takes it: NaN/NaT/None → None, numpy scalars → Python, dates → datetime."""
    if values is None or values is pd.NaT:
        return None
    if isinstance(values, (np.datetime64, pd.Timestamp)):
        return None if pd.isna(values) else pd.Timestamp(values).to_pydatetime()
    if isinstance(values, dt.date) and not isinstance(values, dt.datetime):
        return dt.datetime(values.year, values.month, values.day)
    if isinstance(values, np.generic):
        values = values.item()
    if isinstance(values, float) and math.isnan(values):
        return None
    return values


def column_out(values: Sequence[Any] | np.ndarray | pd.Series, errors: np.ndarray | None,
               shape: tuple[int, int]) -> Grid:
    """Results (flat, row by row) as a grid of ``shape``, the error message where a cell has one."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":  # NaN → None, Python floats
        boxed = arr.astype(object)
        boxed[np.isnan(arr)] = None
        vals = boxed.tolist()
    elif arr.dtype.kind == "M":  # NaT → None, datetimes
        vals = arr.astype("datetime64[us]").astype(object).tolist()
    elif arr.dtype == object and all(map(str.__instancecheck__, arr)):
        vals = arr.tolist()  # text only (lights, classes): nothing to convert
    else:
        vals = [to_excel(v) for v in arr.tolist()]
    if errors is not None:
        for i in np.flatnonzero(~pd.isna(errors)):
            vals[i] = errors[i]
    rows, cols = shape
    with _paused_gc():
        if cols == 1:
            return [[v] for v in vals]
        return [vals[r * cols:(r + 1) * cols] for r in range(rows)]


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Creating 100,000 one-cell rows would otherwise trigger full collections that walk every
    row of the caller's input grids (seconds instead of milliseconds); none of them is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def table_out(rows: Iterable[Sequence[Any]]) -> Grid:
    """A spilled table: rows padded to the same width, cells converted for Excel."""
    rows = [list(r) for r in rows]
    width = max((len(r) for r in rows), default=1)
    return [[to_excel(v) for v in r] + [None] * (width - len(r)) for r in rows] or [[None]]


def frame_out(frame: pd.DataFrame) -> Grid:
    """A DataFrame with its header row, for spilling."""
    return table_out([list(frame.columns), *frame.itertuples(index=False, name=None)])


def merge_errors(*cells: Cells) -> np.ndarray:
    """The first error message of each cell position across arguments (same length)."""
    n = len(cells[0].errors)
    out = np.full(n, None, dtype=object)
    for c in reversed(cells):
        has = ~pd.isna(c.errors)
        out[has] = c.errors[has]
    return out


def header_table(value: Any) -> tuple[list[str], Grid]:
    """A range with its header row: (headers as text, data rows without fully blank rows)."""
    g = grid(value)
    if len(g) < 2:
        raise ShapeError("区域至少要有标题行和一行数据")
    headers = [(_as_text(h) or "") for h in g[0]]
    body = [r for r in g[1:] if not all(is_blank(v) for v in r)]
    return headers, body
