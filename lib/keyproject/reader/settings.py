"""The 设置 sheet: key/value rows, and the keys that tell the reader what it could not decide.

The 设置 sheet (``SETTINGS_SHEETS``) holds the progress rules (``keyproject.engine.rules``) and other tools'
settings side by side. The reader's own keys:

- ``台账工作表``: the sheet (or sheets, separated by 、 or ,) that hold the ledger, like ``--sheet``;
- ``<字段>列``, e.g. ``年度计划投资列 = H`` or ``本年累计完成投资列 = 1-7月完成投资``: the column (a
  letter or its header) that holds a field, when several columns could (the field's label or any of
  its aliases, followed by 列).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from keyproject.reader.cells import text_of
from keyproject.reader.headers import norm
from keyproject.schema import LEDGER, Schema
from keyproject.xlsx import SheetGrid

SETTINGS_SHEETS = ("设置", "参数设置", "规则设置")
SHEET_KEY = "台账工作表"
COLUMN_KEY_SUFFIX = "列"
_SETTINGS_HEADER = {"设置项", "参数", "项目", "名称", "键", "key", "设置", "参数名称", "规则"}


class _Book(Protocol):
    def grid(self, name: str) -> SheetGrid: ...


def read_settings(wb: _Book, sheet: str) -> dict[str, Any]:
    """Key/value rows (column A: key, column B: value) of a settings sheet."""
    return settings_from_rows(wb.grid(sheet).values.tolist())


def settings_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """The key/value pairs of a settings sheet's rows from A1 (a file's cells, or a formula's 设置
    range as a spreadsheet hands it over: blanks as "" or None, whole numbers as floats)."""
    out: dict[str, Any] = {}
    for row in rows:
        if len(row) < 2:
            continue
        key = text_of(row[0])
        if not key:
            continue
        v = row[1]
        if v is None or v == "":
            value: Any = None
        elif isinstance(v, float) and v.is_integer():
            value = int(v)
        elif isinstance(v, str):
            value = v.strip()
        elif isinstance(v, dt.datetime) and v.time() == dt.time():
            value = v.date()  # a date cell, as calamine gives it; Excel hands over midnight datetimes
        else:
            value = v
        if not out and norm(key) in _SETTINGS_HEADER and isinstance(value, str):
            continue  # a header row
        out[key.strip()] = value
    return out


def column_keys(schema: Schema = LEDGER) -> dict[str, str]:
    """设置 key (normalised) → field: every label and alias of ``schema`` followed by 列."""
    out: dict[str, str] = {}
    for f in schema.fields:
        for name in f.names:
            out.setdefault(norm(name) + COLUMN_KEY_SUFFIX, f.key)
    return out


def column_overrides(settings: Mapping[str, Any] | None, schema: Schema = LEDGER) -> dict[str, str]:
    """field → the column a 设置 key names for it."""
    if not settings:
        return {}
    keys = column_keys(schema)
    out: dict[str, str] = {}
    for k, v in settings.items():
        field = keys.get(norm(str(k)))
        if field is not None and v is not None and str(v).strip():
            out[field] = str(v).strip()
    return out


def sheet_setting(settings: Mapping[str, Any] | None) -> str | None:
    if not settings:
        return None
    for k, v in settings.items():
        if norm(str(k)) == SHEET_KEY and v is not None and str(v).strip():
            return str(v).strip()
    return None


def split_sheets(text: str, names: list[str]) -> list[str]:
    """"工业,交通" → ["工业", "交通"]; a name that exists as typed is never split."""
    if text in names:
        return [text]
    return [p.strip() for p in re.split(r"[,，、;；]", text) if p.strip()]
