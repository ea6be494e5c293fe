"""Evaluate a KP_* formula's text against an openpyxl workbook by calling its Python function.

Used by ``make_workbook.py`` (to write each example's answer) and by the tests (to check that the
answers in the shipped workbook are what the formulas give now). Handles what the examples use:
``=KP_NAME(arg, ...)`` with quoted text, numbers and references such as ``示例台账!$D$4:$D$13``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from openpyxl.utils.cell import range_boundaries

_CALL = re.compile(r"^=\s*(KP_[A-Z_]+)\((.*)\)\s*$", re.S)
_REF = re.compile(r"^(?:'?(?P<sheet>[^'!]+)'?!)?(?P<range>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments (commas inside quotes are text)."""
    out, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if buf or out:
        out.append("".join(buf).strip())
    return out


def resolve(arg: str, wb: Any, default_sheet: str | None = None) -> Any:
    """One argument's value as Excel would pass it (a reference gives a 2-D list of cell values)."""
    if arg.startswith('"') and arg.endswith('"'):
        return arg[1:-1].replace('""', '"')
    try:
        return float(arg)
    except ValueError:
        pass
    m = _REF.match(arg)
    if not m:
        raise ValueError(f"cannot read argument {arg!r}")
    ws = wb[m["sheet"] or default_sheet]
    min_col, min_row, max_col, max_row = range_boundaries(m["range"].replace("$", ""))
    return [[ws.cell(row=r, column=c).value for c in range(min_col, max_col + 1)]
            for r in range(min_row, max_row + 1)]


def parse(formula: str) -> tuple[str, list[str]]:
    m = _CALL.match(formula)
    if not m:
        raise ValueError(f"not a KP_ formula: {formula!r}")
    return m[1], split_args(m[2])


def evaluate_formula(formula: str, wb: Any, module: str = "keyproject_udfs") -> list[list[Any]]:
    """The 2-D result the formula's function returns for the workbook's current values."""
    name, args = parse(formula)
    fn = getattr(importlib.import_module(module), name)
    return fn(*(resolve(a, wb) for a in args))
