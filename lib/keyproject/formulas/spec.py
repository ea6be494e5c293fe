"""What a formula is, as data: its name, descriptions, parameters, result shape and function.

A ``Formula`` is declared once (``keyproject.formulas.catalog``); every door is made from it: the
xlwings module (``addin/keyproject_udfs.py``), ``kp serve``'s routes, the WPS add-in's
``functions.json`` and ``functions.js``, and ``docs/formulas.md``. The logic lives in the plain
function a formula names (``keyproject.formulas.functions``), never in a door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from keyproject.engine.rules import Rules
from keyproject.excel_shapes import Grid

# What an argument holds, which decides how a blank cell may arrive (see ``blank_zeros``):
# - date: dates (Excel dates, serial numbers, date text); amount: numbers in 万元; rate: fractions;
# - text: labels (a unit, a town); choice: one word from a short list (按月 / 按日);
# - count: a whole number where 0 means 0 (a number of days);
# - table: a range whose first row may be headers (a ledger, a steps list, a holiday table).
ParamKind = Literal["date", "amount", "rate", "text", "choice", "count", "table"]
ResultShape = Literal["column", "table"]

# kinds whose blank cells Office.js (desktop Excel) and WPS may send as 0
ZERO_IS_BLANK: frozenset[str] = frozenset({"date", "amount", "rate", "text", "choice", "table"})


@dataclass(frozen=True)
class Param:
    """One positional parameter of a formula."""

    name: str  # English identifier (xlwings parameter, JSON, docs)
    zh: str  # Chinese name shown to users: 完成投资
    help: str  # Chinese help text
    en: str  # English help text
    kind: ParamKind
    optional: bool = False
    column: bool = True  # a whole column (or range) is accepted, not only one cell


@dataclass(frozen=True)
class Context:
    """What a formula needs besides its arguments, supplied by the door: the rules the door was
    given (``kp serve --rules``; None: the workbook's own) and today's date (the library never
    reads the clock; ``door_context`` does, for the doors).

    A formula's rules are decided as ``kp report`` decides a ledger's (``keyproject.engine.context``):
    the door's rules > the workbook's 设置 range passed as the formula's last argument > the
    defaults; so =KP_LIGHT(…, 设置!$A$1:$B$30) lights a row as ``kp report`` lights that project."""

    rules: Rules | None  # None: the 设置 range's rules, else the defaults
    today: dt.date

    def rules_for(self, settings_range: Any = None) -> Rules:
        """The rules of a call whose 设置 range is ``settings_range`` (None: not given)."""
        from keyproject import excel_shapes as xs
        from keyproject.engine.context import resolve_rules
        from keyproject.reader.settings import settings_from_rows

        settings = settings_from_rows(xs.grid(settings_range)) if settings_range is not None else None
        return resolve_rules(None, self.rules, settings=settings)[0]


def door_context(rules: Rules | None = None, today: dt.date | None = None) -> Context:
    """The context a door calls the formulas with: its rules, and today from the one clock."""
    from keyproject.engine.context import clock_today

    return Context(rules=rules, today=today or clock_today())


FormulaFunction = Callable[..., Grid]  # (Context, *arguments) -> 2-D result


@dataclass(frozen=True)
class Formula:
    """One KP_* formula."""

    name: str  # KP_LIGHT
    zh: str  # one Chinese line: what it gives (the xlwings docstring, WPS's description)
    en: str  # one English line
    params: tuple[Param, ...]
    result: ResultShape  # column: one value per input row; table: a spilled table with a header row
    function: FormulaFunction
    notes: tuple[str, ...] = field(default_factory=tuple)  # further Chinese lines for the docs

    @property
    def short_name(self) -> str:
        """The name in a namespace: KP_LIGHT is KP.LIGHT in WPS."""
        return self.name.removeprefix("KP_")

    @property
    def required(self) -> int:
        return sum(not p.optional for p in self.params)

    @property
    def function_path(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def signature(self) -> str:
        """``KP_LIGHT(done, plan, as_of, [planned_start], [actual_start])``."""
        shown = [f"[{p.name}]" if p.optional else p.name for p in self.params]
        return f"{self.name}({', '.join(shown)})"

    def signature_zh(self, namespace: str | None = None) -> str:
        """``KP_LIGHT(完成投资, 计划投资, 截止日期, [计划开工], [实际开工])``; with a namespace
        ``KP.LIGHT(...)``, as WPS shows it."""
        shown = [f"[{p.zh}]" if p.optional else p.zh for p in self.params]
        name = f"{namespace}.{self.short_name}" if namespace else self.name
        return f"{name}({', '.join(shown)})"


def _is_zero(v: Any) -> bool:
    return v.__class__ in (int, float) and v == 0


def blank_zeros(value: Any, kind: str) -> Any:
    """``value`` with cells holding exactly 0 turned into blanks, for kinds whose blank cells arrive
    as 0 (desktop Excel through Office.js, WPS): a date of 0 is 1899-12-30, never meant; an amount,
    rate or label of 0 counts the same as a blank in every formula. ``count`` keeps its zeros."""
    if kind not in ZERO_IS_BLANK:
        return value
    if isinstance(value, (list, tuple)):
        rows = list(value)
        if not any(_is_zero(v) or (isinstance(v, (list, tuple)) and any(map(_is_zero, v))) for v in rows):
            return value  # nothing to change: no copy of a long column
        out: list[Any] = []
        for r in rows:
            if isinstance(r, (list, tuple)):
                out.append([None if _is_zero(v) else v for v in r])
            else:
                out.append(None if _is_zero(r) else r)
        return out
    return None if _is_zero(value) else value
