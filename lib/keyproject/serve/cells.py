"""Cell values over JSON: what a formula result becomes on the wire, and what a request may hold.

Dates go out as Excel serial numbers (2023-06-30 is 45107), as xlwings' Office.js path sends them,
so a spreadsheet shows them as dates once the cell is date-formatted. Empty results are ``null``;
the WPS client shows them as empty cells.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from keyproject.errors import KPError

_EPOCH = dt.datetime(1899, 12, 30)
MAX_DEPTH = 2  # an argument is a value or a 2-D list of rows


def to_serial(value: dt.date) -> float:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    days = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86_400
    return float(days) if not days.is_integer() else float(int(days))


def json_cell(value: Any) -> Any:
    """One result cell as JSON takes it."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return to_serial(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    return str(value)


def json_grid(grid: list[list[Any]]) -> list[list[Any]]:
    return [[json_cell(v) for v in row] for row in grid]


def check_argument(value: Any, index: int, depth: int = 0) -> None:
    """An argument is null, a number, text, true/false, or a list (of rows) of them."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, list) and depth < MAX_DEPTH:
        for v in value:
            check_argument(v, index, depth + 1)
        return
    raise KPError(f"第{index + 1}个参数的格式不对：应为单个值或二维数组（行的列表）")
