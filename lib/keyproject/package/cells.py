"""Cells as SpreadsheetML writes them: references, values, text, formulas with cached results.

``Cell(value, style, formula)`` is one cell keyproject writes: ``value`` a number, text, bool, date
(written as a date serial under the workbook's date system) or None; ``style`` a ``cellXfs`` index;
``formula`` (without ``=``) makes it a formula cell whose cached result is ``value``, so readers of
cached values (pandas, calamine, viewers) see the result before Excel or WPS recalculates.

Text is always a string cell (an inline string), never a formula, whatever it starts with. Characters
XML 1.0 cannot carry are written as OOXML's ``_xHHHH_`` escapes, and a literal ``_xHHHH_`` in the
text is protected the same way, so what Excel shows is the text that was given.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

CellValue = str | int | float | bool | dt.date | dt.datetime | None

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]|_x")
MAX_TEXT = 32767  # characters Excel keeps in a cell


@dataclass(frozen=True)
class Cell:
    value: CellValue = None
    style: int | None = None  # cellXfs index; None: the default format
    formula: str | None = None  # without the leading "="; ``value`` is its cached result


def _letter(col: int) -> str:
    if col < 1:
        raise ValueError(col)
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_LETTERS: dict[int, str] = {}


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letter = _LETTERS.get(col)
    if letter is None:
        letter = _LETTERS[col] = _letter(col)
    return letter


def column_index(letters: str) -> int:
    """A → 1, AA → 27 (upper or lower case)."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(letters)
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int]:
    """"AI8" → (8, 35): (row, column), 1-based."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    if i == 0 or i == len(ref) or not ref[i:].isdigit():
        raise ValueError(ref)
    return int(ref[i:]), column_index(ref[:i])


def ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def parse_range(text: str) -> tuple[int, int, int, int]:
    """"A1:C3" → (1, 1, 3, 3) as (min_row, min_col, max_row, max_col); "B2" → (2, 2, 2, 2)."""
    a, _, b = text.replace("$", "").partition(":")
    r1, c1 = split_ref(a)
    r2, c2 = split_ref(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_text(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    a, b = ref(min_row, min_col), ref(max_row, max_col)
    return a if a == b else f"{a}:{b}"


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    return "_x005F_" if ch == "_" else f"_x{ord(ch):04X}_"


def escape_text(text: str) -> str:
    """Text for an element's content: XML-escaped, OOXML-escaped where XML cannot carry it."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _ILLEGAL.sub(_escape_char, text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attr(text: str) -> str:
    return (escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def date_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """A date as Excel's serial number (1900 system, or 1904 when the workbook uses it)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and serial < 61:  # Excel counts a 29 February 1900 that never was
        serial -= 1
    return serial


def number_text(value: float | int) -> str | None:
    """A number as ``<v>`` holds it (None for NaN and infinities, which a cell cannot hold)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return None
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


_SEPARATOR = "\ue000"  # a private-use character: joins a column's texts for one check
_SPACED = re.compile(r"(?:^|\ue000)\s|\s(?:\ue000|$)|\n")


def plain_texts(texts: list[str]) -> bool:
    """Can every one of ``texts`` go into ``<t>`` as it is (nothing to escape, no leading or
    trailing space, none too long)? Checked for a whole column at once."""
    joined = _SEPARATOR.join(texts)
    return (not _NEEDS_ESCAPE.search(joined) and not _SPACED.search(joined)
            and max(map(len, texts)) <= MAX_TEXT)


def text_element(text: str) -> str:
    """An inline string's ``<t>`` element."""
    text = text[:MAX_TEXT]
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
    return f"<t{space}>{escape_text(text)}</t>"


def cell_xml(reference: str, cell: Cell, date1904: bool = False) -> str:
    """One ``<c>`` element."""
    return f'<c r="{reference}"{cell_body(cell, date1904)}'


def cell_body(cell: Cell, date1904: bool = False) -> str:
    """A ``<c>`` element after its ``r`` attribute (callers writing many cells put the reference)."""
    value = cell.value
    head = f' s="{cell.style}"' if cell.style else ""
    kind = type(value)
    if cell.formula is None:
        if kind is float:
            v = number_text(value)  # type: ignore[arg-type]
            return f"{head}/>" if v is None else f"{head}><v>{v}</v></c>"
        if value is None:
            return f"{head}/>"
        if kind is str:
            return f'{head} t="inlineStr"><is>{text_element(value)}</is></c>'  # type: ignore[arg-type]
        if kind is bool:
            return f'{head} t="b"><v>{int(value)}</v></c>'  # type: ignore[arg-type]
        if isinstance(value, (dt.date, dt.datetime)):
            return f"{head}><v>{number_text(date_serial(value, date1904))}</v></c>"
        if isinstance(value, str):
            return f'{head} t="inlineStr"><is>{text_element(value)}</is></c>'
        v = number_text(value)
        return f"{head}/>" if v is None else f"{head}><v>{v}</v></c>"
    f = f"<f>{escape_text(cell.formula)}</f>"
    if isinstance(value, (dt.date, dt.datetime)):
        value = date_serial(value, date1904)
    if value is None:
        return f"{head}>{f}</c>"
    if isinstance(value, bool):
        return f'{head} t="b">{f}<v>{int(value)}</v></c>'
    if isinstance(value, str):
        return f'{head} t="str">{f}<v>{escape_text(value[:MAX_TEXT])}</v></c>'
    v = number_text(value)
    return f"{head}>{f}</c>" if v is None else f"{head}>{f}<v>{v}</v></c>"
