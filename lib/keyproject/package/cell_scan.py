"""Byte scans of a worksheet's cells, for the checks that must run before any parser sees them.

These are the one place keyproject reads cell XML with regular expressions rather than a parser,
on purpose: they run on every worksheet of every workbook a user hands keyproject, before calamine
(which aborts the process on an enormous grid, tafia/calamine#693) and they must not cost what a
parse costs. Measured on the 48 MB sheet of the 30,000-project benchmark ledger: lxml parses it in
1.4 s (expat 1.1 s, lxml ``iterparse`` for ``<f>`` alone 1.9 s); the scans below take 0.01–0.1 s.

- ``row_bound``: the highest ``<row r>`` (or the row count, rows may omit ``r``): a bound of the
  sheet's height.
- ``refs_beyond`` / ``three_letter_refs``: is any cell reference past column N (past ZZ)? One search
  answers for an ordinary ledger; only a sheet that fails it gets
- ``valued_extent``: the exact extent of the cells that hold a value (``<v>``, ``<f>`` or ``<is>``),
  and the first cell beyond a cell limit.
- ``formula_counts``: formulas per column and those citing another sheet (a summary sheet of
  cross-sheet formulas is not a project sheet), read on demand.

They read what spreadsheet programs write (``r`` attributes in double quotes, optionally prefixed
elements); anything else only makes a bound looser, never lets a sheet through unmeasured: the
extent scan is exact over every cell that holds a value.
"""

from __future__ import annotations

import re

from openpyxl.utils import column_index_from_string, get_column_letter

_ROW = re.compile(rb"row [^>]*?\br=\"(\d+)\"")  # after "<" or a namespace prefix's ":"
_FORMULA = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})\d+\"[^>]*>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)<)")
_SI = re.compile(rb"\bsi=\"(\d+)\"")
_VALUED_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d{1,7})\"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|f|is)\b")
_SEPARATORS = (b" ", b"\t", b"\n", b"\r")
_THREE_LETTERS = {sep: re.compile(re.escape(sep + b'r="') + rb"[A-Z]{3}\d") for sep in _SEPARATORS}


def row_bound(data: bytes, prefixed: bool) -> int:
    """At least the sheet's height: the highest ``r`` of a row, or the number of rows (rows may omit
    ``r``). ``prefixed``: elements carry a namespace prefix (``<x:row``)."""
    rows = max((int(r) for r in _ROW.findall(data)), default=0)
    return max(rows, data.count(b"<row") + (data.count(b":row ") if prefixed else 0))


def _columns_beyond(n: int) -> bytes:
    """A pattern for a column past column ``n`` (letters compared in base 26), then a digit."""
    letters = get_column_letter(n)
    alts = [f"[A-Z]{{{k}}}" for k in range(len(letters) + 1, 4)]
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            alts.append(letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    return rb"(?:" + "|".join(alts).encode() + rb")\d"


def refs_beyond(n: int, data: bytes) -> bool:
    """Is there a cell reference past column ``n``? Usually " r=" (a literal prefix: C speed)."""
    body = _columns_beyond(n)
    for sep in _SEPARATORS:
        if (sep == b" " or sep + b'r="' in data) and re.search(re.escape(sep + b'r="') + body, data):
            return True
    return False


def three_letter_refs(data: bytes) -> bool:
    """Is there a cell reference past column ZZ (three letters)?"""
    return any((sep == b" " or sep + b'r="' in data) and rx.search(data)
               for sep, rx in _THREE_LETTERS.items())


def valued_extent(data: bytes, max_cells: int) -> tuple[int, int, str | None]:
    """(rows, columns) spanned from A1 by the cells that hold a value, and the first such cell whose
    grid from A1 is over ``max_cells`` (else the far corner when the whole extent is; else None)."""
    max_row = max_col = 0
    far = None
    for col_letters, row_digits in _VALUED_CELL.findall(data):
        r = int(row_digits)
        c = column_index_from_string(col_letters.decode())
        if r > max_row:
            max_row = r
        if c > max_col:
            max_col = c
        if far is None and r * c > max_cells:
            far = f"{col_letters.decode()}{r}"
    if max_row * max_col > max_cells and far is None:
        far = f"{get_column_letter(max_col)}{max_row}"
    return max_row, max_col, far


def formula_counts(data: bytes) -> tuple[dict[int, int], dict[int, int]]:
    """Per 0-based column: formula cells, and those whose formula refers to another sheet ("!"; a
    shared formula's followers count as their master does)."""
    if b"<f" not in data and b":f" not in data:
        return {}, {}
    total: dict[int, int] = {}
    cross: dict[int, int] = {}
    shared_cross: dict[bytes, bool] = {}
    col_of: dict[bytes, int] = {}
    for letters, attrs, text in _FORMULA.findall(data):
        c = col_of.get(letters)
        if c is None:
            c = col_of[letters] = column_index_from_string(letters.decode()) - 1
        total[c] = total.get(c, 0) + 1
        is_cross = b"!" in text
        si = _SI.search(attrs)
        if si is not None:
            if text:
                shared_cross[si.group(1)] = is_cross
            else:
                is_cross = shared_cross.get(si.group(1), False)
        if is_cross:
            cross[c] = cross.get(c, 0) + 1
    return total, cross


__all__ = ["formula_counts", "refs_beyond", "row_bound", "three_letter_refs", "valued_extent"]
