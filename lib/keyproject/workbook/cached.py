"""Keep the cached results of the user's formulas across an openpyxl save.

openpyxl writes every formula with an empty cached value. Excel and WPS recalculate on open (the
refresh sets fullCalcOnLoad), but programs that read cached values — pandas/calamine, keyproject's own
reader on the next refresh, viewers, mail previews — would see blanks where the user's totals and
formula-computed figures were. So after saving, the cached value each formula cell had in the
original file is put back into the saved sheet XML (the formula itself is untouched).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from keyproject.workbook.guard import _sheet_names

# a formula cell with its cached value, as Excel and most writers store it
_REF = rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)>(<f\b[^>]*/>|<f\b[^>]*>.*?</f>)'
_CELL = re.compile(_REF + rb"(?:<v>(.*?)</v>)?", re.S)
# the same cell as openpyxl writes it: formula, then an empty value
_SAVED = re.compile(_REF + rb"<v\s*(?:/>|></v>)</c>", re.S)
_TYPE = re.compile(rb'\st="[^"]*"')


def cached_values(path: Path) -> dict[str, dict[bytes, tuple[bytes | None, bytes]]]:
    """{sheet title: {cell ref: (type attribute or None, cached value)}} of every formula cell
    that has a cached value."""
    out: dict[str, dict[bytes, tuple[bytes | None, bytes]]] = {}
    with zipfile.ZipFile(path) as zf:
        for part, title in _sheet_names(zf).items():
            try:
                xml = zf.read(part)
            except KeyError:
                continue
            if b"<f" not in xml:
                continue
            cells: dict[bytes, tuple[bytes | None, bytes]] = {}
            for m in _CELL.finditer(xml):
                value = m.group(4)
                if value is None or value == b"":
                    continue
                t = re.search(rb'\bt="([^"]*)"', m.group(2))
                cells[m.group(1)] = (t.group(1) if t else None, value)
            if cells:
                out[title] = cells
    return out


def restore_cached_values(saved: Path, cached: dict[str, dict[bytes, tuple[bytes | None, bytes]]]) -> int:
    """Put ``cached`` values back into the formula cells of ``saved`` (rewritten in place); return
    how many cells got their value back."""
    if not cached:
        return 0
    count = 0
    tmp = saved.with_name(saved.name + ".cv")
    with zipfile.ZipFile(saved) as zin:
        parts = {part: title for part, title in _sheet_names(zin).items() if title in cached}
        if not parts:
            return 0
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename in parts:
                    values = cached[parts[item.filename]]

                    def put_back(m: re.Match[bytes], values=values) -> bytes:
                        nonlocal count
                        hit = values.get(m.group(1))
                        if hit is None:
                            return m.group(0)
                        count += 1
                        t, v = hit
                        attrs = _TYPE.sub(b"", m.group(2)) + (b' t="' + t + b'"' if t else b"")
                        head = b'<c r="' + m.group(1) + b'"' + attrs + b">"
                        return head + m.group(3) + b"<v>" + v + b"</v></c>"

                    data = _SAVED.sub(put_back, data)
                zout.writestr(item, data)
    shutil.move(tmp, saved)
    return count
