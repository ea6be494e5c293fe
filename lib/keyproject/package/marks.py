"""keyproject's marks in a workbook: what an earlier refresh wrote, kept in custom properties.

- ``keyproject.sheets``: JSON list of the sheets keyproject wrote (汇总 … 通报, or "名称(keyproject)"
  where the user has a sheet of that name): the next refresh replaces exactly these, and the reader
  never takes them for user data.
- ``keyproject.columns``: JSON ``{sheet: {header: column letter}}``, keyproject's columns in each
  project sheet; a column with one of keyproject's headers that is not recorded here is the user's.
- ``keyproject.conditional``: JSON ``{sheet: [range, …]}``, the ranges of keyproject's conditional
  formats in each project sheet (the live 灯号's colours, ``package.conditional``); present only while
  there are some.
- ``keyproject.settings``: JSON ``{sheet: [key, …]}``, the 设置 rows keyproject added (the live
  lights' thresholds, ``workbook.settings_sheet``); present only while there are some.
- ``keyproject.period``: the ISO date (``2023-07-31``) the refresh was made for; a later read takes
  it as the ledger's recorded period.

The values are plain text properties (``vt:lpwstr``) a user can see under 文件 → 属性 → 自定义.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from keyproject.package.custom import PART, CustomProperties
from keyproject.schema import OWNED_COLUMNS_PROPERTY, OWNED_SHEETS_PROPERTY, PERIOD_PROPERTY

SHEETS_PROPERTY = OWNED_SHEETS_PROPERTY
COLUMNS_PROPERTY = OWNED_COLUMNS_PROPERTY
CONDITIONAL_PROPERTY = "keyproject.conditional"
SETTINGS_PROPERTY = "keyproject.settings"


@dataclass(frozen=True)
class Marks:
    sheets: tuple[str, ...] = ()
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # sheet → header → letter
    period: dt.date | None = None
    conditional: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # sheet → ranges
    settings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # 设置 sheet → keys added

    def columns_of(self, sheet: str) -> dict[str, str]:
        return dict(self.columns.get(sheet, {}))

    def conditional_of(self, sheet: str) -> frozenset[str]:
        return frozenset(self.conditional.get(sheet, ()))


def _json(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def _lists(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): tuple(str(r) for r in v) for k, v in value.items() if isinstance(v, list)}


def parse_marks(props: CustomProperties) -> Marks:
    """The marks in ``props``; anything unreadable counts as not marked."""
    sheets = _json(props.get(SHEETS_PROPERTY))
    columns = _json(props.get(COLUMNS_PROPERTY))
    conditional = _json(props.get(CONDITIONAL_PROPERTY))
    settings = _json(props.get(SETTINGS_PROPERTY))
    return Marks(
        tuple(str(s) for s in sheets) if isinstance(sheets, list) else (),
        {str(k): {str(h): str(c) for h, c in v.items()} for k, v in columns.items() if isinstance(v, dict)}
        if isinstance(columns, dict) else {},
        _date(props.get(PERIOD_PROPERTY)),
        _lists(conditional),
        _lists(settings),
    )


def read_marks(zf: zipfile.ZipFile) -> Marks:
    """The marks of an open workbook zip (cheap: one small part, parsed safely); empty when there are
    none or the properties cannot be read. The reader's safety checks take them from here too."""
    try:
        data = zf.read(PART)
    except KeyError:
        return Marks()
    try:
        return parse_marks(CustomProperties(data))
    except Exception:  # unreadable properties only mean nothing is known to be keyproject's
        return Marks()


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_marks(props: CustomProperties, marks: Marks) -> None:
    """Record ``marks`` (each property replaced in place; the period only when given)."""
    props.set(SHEETS_PROPERTY, _dump(list(marks.sheets)))
    props.set(COLUMNS_PROPERTY, _dump({k: dict(v) for k, v in marks.columns.items()}))
    for name, value in ((CONDITIONAL_PROPERTY, marks.conditional), (SETTINGS_PROPERTY, marks.settings)):
        lists = {k: list(v) for k, v in value.items() if v}
        if lists:
            props.set(name, _dump(lists))
        elif props.get(name) is not None:
            props.remove(name)
    if marks.period is not None:
        props.set(PERIOD_PROPERTY, marks.period.isoformat())
