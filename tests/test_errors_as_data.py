"""Errors carry what a door needs as typed fields; no door parses an error's message."""

from __future__ import annotations

import ast
import struct
from pathlib import Path

import pytest

from keyproject import biff
from keyproject.engine.calendar import WorkCalendar
from keyproject.errors import CalendarError
from keyproject.formulas import calendar_message

LIB = Path(__file__).resolve().parents[1] / "lib" / "keyproject"


def _record(typ: int, data: bytes) -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def test_a_biff_stream_too_old_is_told_apart_from_a_damaged_one() -> None:
    with pytest.raises(biff.BiffError) as old:
        biff.scan(_record(0x0809, struct.pack("<HH", 0x0200, 0x10)))  # BIFF2
    assert old.value.too_old
    with pytest.raises(biff.BiffError) as damaged:
        # a BOUNDSHEET record that runs past the end
        biff.scan(_record(0x0809, struct.pack("<HH", 0x0600, 0x05)) + b"\x85\x00\xff\xff")
    assert not damaged.value.too_old


def test_the_uncovered_year_is_data() -> None:
    with pytest.raises(CalendarError) as exc:
        WorkCalendar().workdays_between("2040-01-01", "2040-02-01")
    assert exc.value.year == 2040
    assert calendar_message(exc.value).startswith("2040年")


def test_no_module_reads_an_exceptions_text_to_decide() -> None:
    """``"…" in str(exc)`` or a regex over ``str(exc)``/``exc.message`` is how a door ends up parsing
    a message; only python-calamine's errors (third-party, English, untyped: ``xlsx``) are read so."""
    offenders = []
    for path in LIB.rglob("*.py"):
        if path.name == "xlsx.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                parts = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "re":
                parts = list(node.args)
            else:
                continue
            if any(ast.unparse(p) in ("str(exc)", "exc.message", "str(e)", "str(err)", "exc.args[0]")
                   for p in parts):
                offenders.append(f"{path.relative_to(LIB)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []
