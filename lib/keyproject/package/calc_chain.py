"""``xl/calcChain.xml``: the order Excel last calculated formula cells in, by sheet id and cell.

Every entry must point at a formula cell, or Excel repairs the file on open. keyproject removes the
entries of formula cells it replaces or removes (and of sheets it removes) and adds those of the
formula cells it writes; other entries are untouched. ``i`` (the sheet id) is omitted on an entry
that has the previous entry's sheet, so a removed entry's ``i`` moves to the entry after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from keyproject.package.xml import local, parse, q, serialize

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"


class CalcChain:
    def __init__(self, data: bytes, part: str) -> None:
        self._data = data
        self.part = part
        self.root = parse(data, part)
        self.ns = etree.QName(self.root).namespace or ""
        self.changed = False

    def _entries(self) -> list[tuple[etree._Element, int]]:
        out = []
        sheet = 0
        for el in self.root:
            if local(el.tag) != "c":
                continue
            i = el.get("i")
            if i is not None and i.isdigit():
                sheet = int(i)
            out.append((el, sheet))
        return out

    def remove(self, sheet_id: int, refs: Iterable[str] | None = None) -> None:
        """Remove the entries of ``refs`` on sheet ``sheet_id`` (all of that sheet's when None)."""
        wanted = None if refs is None else {r.replace("$", "") for r in refs}
        entries = self._entries()
        gone = {id(el) for el, sheet in entries
                if sheet == sheet_id and (wanted is None or (el.get("r") or "") in wanted)}
        if not gone:
            return
        previous = None  # the sheet of the previous kept entry
        for el, sheet in entries:
            if id(el) in gone:
                self.root.remove(el)
                continue
            if el.get("i") is None and sheet != previous:
                el.set("i", str(sheet))
            previous = sheet
        self.changed = True

    def add(self, sheet_id: int, refs: Iterable[str]) -> None:
        entries = self._entries()
        have = {(sheet, el.get("r")) for el, sheet in entries}
        last = entries[-1][1] if entries else None
        for r in refs:
            if (sheet_id, r) in have:
                continue
            el = etree.SubElement(self.root, q("c", self.ns), {"r": r})
            if last != sheet_id:
                el.set("i", str(sheet_id))
                last = sheet_id
            self.changed = True

    @property
    def empty(self) -> bool:
        return not self._entries()

    def to_bytes(self) -> bytes:
        return serialize(self.root, self._data) if self.changed else self._data
