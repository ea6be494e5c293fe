"""``xl/workbook.xml``: the sheets in their order, defined names, the calculation settings.

keyproject adds its sheets after all others (so no sheet index a defined name, the active tab or a
pivot cache refers to moves), keeps its existing sheets where they are (same ``sheetId``, ``r:id``
and part), gives each of its list sheets a print-titles name, and asks for a full recalculation on
open. Removing one of its stale sheets shifts the sheet indexes behind it (``localSheetId`` of
defined names, ``activeTab``/``firstSheet``), which is everything in the workbook part that counts
sheets by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from keyproject.package.relationships import Relationships
from keyproject.package.xml import REL, STRICT_REL, insert_in_order, local, parse, q, serialize

PART = "xl/workbook.xml"
PRINT_TITLES = "_xlnm.Print_Titles"
# the last segment of a sheet relationship's type (transitional and Strict alike) → the sheet's kind
SHEET_KINDS = {"worksheet": "worksheet", "chartsheet": "chartsheet", "dialogsheet": "dialogsheet",
               "xlMacrosheet": "macrosheet", "xlIntlMacrosheet": "macrosheet"}
_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
          "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
          "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
          "fileRecoveryPr", "webPublishObjects", "extLst")


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of the workbook: its name, ids, state, and the part that holds it."""

    name: str
    sheet_id: int
    rid: str
    state: str  # visible / hidden / veryHidden
    part: str | None  # zip entry of the sheet part (None when the relationship is missing)
    # worksheet / chartsheet / dialogsheet / macrosheet; "missing" when no sheet relationship has
    # its id (the part may still be absent from the zip: the caller checks)
    kind: str
    index: int  # position in the workbook (what localSheetId and activeTab count)


def _detach(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def quote_sheet(name: str) -> str:
    """A sheet name as a formula reference writes it: ``'红黄绿灯'`` (quotes doubled inside)."""
    return "'" + name.replace("'", "''") + "'"


class WorkbookPart:
    def __init__(self, data: bytes, rels: Relationships) -> None:
        self._data = data
        self.root = parse(data, PART)
        self.rels = rels
        self.changed = False
        self.ns = etree.QName(self.root).namespace or ""

    def _q(self, tag: str) -> str:
        return q(tag, self.ns)

    def _child(self, tag: str) -> etree._Element | None:
        return self.root.find(self._q(tag))

    def _ensure(self, tag: str) -> etree._Element:
        el = self._child(tag)
        if el is None:
            el = etree.Element(self._q(tag))
            insert_in_order(self.root, el, _ORDER)
            self.changed = True
        return el

    # -- sheets ---------------------------------------------------------------------------------
    def _sheet_elements(self) -> list[etree._Element]:
        sheets = self._child("sheets")
        return [] if sheets is None else [s for s in sheets if local(s.tag) == "sheet"]

    def sheets(self) -> list[SheetEntry]:
        out = []
        for i, el in enumerate(self._sheet_elements()):
            rid = el.get(q("id", REL)) or el.get(q("id", STRICT_REL)) or ""
            rel = self.rels.get(rid)
            kind = "missing" if rel is None else SHEET_KINDS.get(rel.type.rpartition("/")[2], "missing")
            if kind == "missing":
                rel = None
            try:
                sheet_id = int(el.get("sheetId") or 0)
            except ValueError:
                sheet_id = 0
            out.append(SheetEntry(el.get("name") or "", sheet_id, rid, el.get("state") or "visible",
                                  rel.part if rel is not None else None, kind, i))
        return out

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets() if s.name == name), None)

    def add_sheet(self, name: str, rid: str) -> SheetEntry:
        """Append a ``<sheet>`` for relationship ``rid`` after every existing sheet."""
        sheets = self._ensure("sheets")
        ids = [s.sheet_id for s in self.sheets()]
        el = etree.SubElement(sheets, self._q("sheet"))
        el.set("name", name)
        el.set("sheetId", str(max(ids, default=0) + 1))
        el.set(q("id", REL), rid)
        self.changed = True
        entry = self.sheet(name)
        assert entry is not None
        return entry

    def set_state(self, name: str, state: str) -> None:
        """Sheet ``name``'s visibility: visible (the attribute removed), hidden or veryHidden."""
        entry = self.sheet(name)
        if entry is None:
            return
        el = self._sheet_elements()[entry.index]
        if state == "visible":
            if "state" in el.attrib:
                del el.attrib["state"]
        else:
            el.set("state", state)
        self.changed = True

    def remove_sheet(self, name: str) -> SheetEntry | None:
        """Remove sheet ``name`` and everything in this part that belongs to it by position."""
        entry = self.sheet(name)
        if entry is None:
            return None
        el = self._sheet_elements()[entry.index]
        _detach(el)
        names = self._child("definedNames")
        for dn in list(names) if names is not None else []:
            local_id = dn.get("localSheetId")
            if local_id is None or not local_id.isdigit():
                continue
            i = int(local_id)
            if i == entry.index:
                _detach(dn)
            elif i > entry.index:
                dn.set("localSheetId", str(i - 1))
        if names is not None and len(names) == 0:
            self.root.remove(names)
        views = self._child("bookViews")
        for view in views if views is not None else []:
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and value.isdigit() and int(value) >= entry.index and int(value) > 0:
                    view.set(attr, str(int(value) - 1))
        self.changed = True
        return entry

    # -- defined names ----------------------------------------------------------------------------
    def _local_name(self, name: str, index: int) -> etree._Element | None:
        names = self._child("definedNames")
        if names is None:
            return None
        return next((dn for dn in names if dn.get("name") == name and dn.get("localSheetId") == str(index)),
                    None)

    def set_print_titles(self, index: int, sheet: str, rows: tuple[int, int] | None) -> None:
        """The rows repeated on every printed page of sheet ``index`` (None: no print titles)."""
        current = self._local_name(PRINT_TITLES, index)
        if rows is None:
            if current is not None:
                _detach(current)
                self.changed = True
            return
        text = f"{quote_sheet(sheet)}!${rows[0]}:${rows[1]}"
        if current is not None:
            if current.text != text:
                current.text = text
                self.changed = True
            return
        names = self._ensure("definedNames")
        dn = etree.SubElement(names, self._q("definedName"))
        dn.set("name", PRINT_TITLES)
        dn.set("localSheetId", str(index))
        dn.text = text
        self.changed = True

    # -- calculation ------------------------------------------------------------------------------
    def request_full_calculation(self) -> None:
        """Excel and WPS recalculate every formula when the file is next opened."""
        calc = self._ensure("calcPr")
        if calc.get("fullCalcOnLoad") not in ("1", "true"):
            calc.set("fullCalcOnLoad", "1")
            self.changed = True

    @property
    def date1904(self) -> bool:
        pr = self._child("workbookPr")
        return pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")

    def to_bytes(self) -> bytes:
        return serialize(self.root, self._data) if self.changed else self._data
