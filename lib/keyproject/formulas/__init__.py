"""The KP_* formulas: one declaration (``catalog.FORMULAS``), one way to call them (``call``).

``call("KP_LIGHT", args, door_context())`` is what every door does: the xlwings module
(classic add-in, xlwings Server and Lite), ``kp serve`` (the WPS add-in) and the tests. It checks
the number of arguments, reads blank cells sent as 0 as blanks where that is what they are, and
turns any failure into a one-cell Chinese message: a spreadsheet shows no traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keyproject.errors import CalendarError, KPError
from keyproject.excel_shapes import Grid
from keyproject.formulas.catalog import BY_NAME, FORMULAS
from keyproject.formulas.spec import Context, Formula, Param, blank_zeros, door_context

__all__ = ["BY_NAME", "FORMULAS", "Context", "Formula", "Param", "calendar_message", "call", "door_context",
           "formula"]


def formula(name: str) -> Formula:
    """The formula called ``name`` (KP_LIGHT, kp_light or LIGHT), or KPError."""
    key = name.strip().upper()
    found = BY_NAME.get(key) or BY_NAME.get(f"KP_{key}")
    if found is None:
        raise KPError(f"没有名为“{name}”的公式；可用：{'、'.join(f.name for f in FORMULAS)}")
    return found


def calendar_message(exc: CalendarError) -> str:
    """The short cell text for a year the calendar does not cover (the library's message also
    explains the CLI's --calendar, which a cell has no room for)."""
    which = f"{exc.year}年" if exc.year is not None else "该年份"
    return f"{which}没有节假日数据，请传入节假日表（日期、班/休两列）"


def arguments(f: Formula, args: Sequence[Any]) -> list[Any]:
    """The arguments padded to every parameter, blank zeros read as blanks; KPError when too few or
    too many."""
    if len(args) > len(f.params):
        raise KPError(f"{f.name}最多有{len(f.params)}个参数，给了{len(args)}个")
    if len(args) < f.required:
        missing = f.params[len(args)]
        raise KPError(f"{f.name}缺少参数“{missing.zh}”")
    padded = list(args) + [None] * (len(f.params) - len(args))
    return [blank_zeros(v, p.kind) for v, p in zip(padded, f.params, strict=True)]


def call(name: str | Formula, args: Sequence[Any], context: Context) -> Grid:
    """The 2-D result of formula ``name`` on ``args``; a failure is a one-cell Chinese message."""
    try:
        f = name if isinstance(name, Formula) else formula(name)
        return f.function(context, *arguments(f, args))
    except CalendarError as exc:
        return [[calendar_message(exc)]]
    except KPError as exc:
        return [[exc.message]]
    except Exception as exc:  # the cell must get a message, whatever went wrong
        return [[f"计算出错：{type(exc).__name__} {str(exc)[:60]}".strip()]]
