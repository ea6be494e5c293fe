"""Relationship parts (``_rels/*.rels``): which part points at which, by id and type.

Targets are resolved to zip entry names (``worksheets/sheet1.xml`` from ``xl/workbook.xml`` is
``xl/worksheets/sheet1.xml``; an absolute ``/xl/...`` target is taken from the root). keyproject
adds relationships with fresh ids and removes only its own.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from keyproject.package.xml import PKG_REL, parse, q, serialize

OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET = f"{OFFICE}/worksheet"
CHARTSHEET = f"{OFFICE}/chartsheet"
CALC_CHAIN = f"{OFFICE}/calcChain"
STYLES = f"{OFFICE}/styles"
SHARED_STRINGS = f"{OFFICE}/sharedStrings"
CUSTOM_PROPERTIES = f"{OFFICE}/custom-properties"
OFFICE_DOCUMENT = f"{OFFICE}/officeDocument"
TABLE = f"{OFFICE}/table"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_EMPTY = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'


def rels_part(part: str) -> str:
    """The relationship part of ``part`` ("" is the package itself: ``_rels/.rels``)."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def resolve(source: str, target: str) -> str:
    """The zip entry a relationship of ``source`` with ``target`` points at."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    folder = source.rpartition("/")[0]
    return posixpath.normpath(posixpath.join(folder, target)) if folder else posixpath.normpath(target)


def relative(source: str, part: str) -> str:
    """The target text for ``part`` as seen from ``source`` (how Excel writes it)."""
    folder = source.rpartition("/")[0]
    return posixpath.relpath(part, folder) if folder else part


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # as written
    part: str | None  # the zip entry it points at (None for an external target)

    @property
    def external(self) -> bool:
        return self.part is None


class Relationships:
    """The relationships of one source part (``source`` "" for the package root)."""

    def __init__(self, source: str, data: bytes | None) -> None:
        self.source = source
        self._data = data
        self.root = parse(data, rels_part(source)) if data is not None else parse(_EMPTY, rels_part(source))
        self.changed = False
        self.exists = data is not None

    def __iter__(self):  # type: ignore[no-untyped-def]
        for el in self.root.iter(q("Relationship", PKG_REL)):
            yield self._rel(el)

    def _rel(self, el: etree._Element) -> Relationship:
        target = el.get("Target") or ""
        external = el.get("TargetMode") == "External"
        return Relationship(el.get("Id") or "", el.get("Type") or "", target,
                            None if external else resolve(self.source, target))

    def get(self, rid: str) -> Relationship | None:
        return next((r for r in self if r.id == rid), None)

    def of_type(self, rel_type: str) -> list[Relationship]:
        return [r for r in self if r.type == rel_type]

    def add(self, rel_type: str, part: str, rid: str | None = None) -> str:
        """Add a relationship to ``part``; returns its id (a fresh ``rIdN`` unless given)."""
        ids = {r.id for r in self}
        if rid is None:
            n = len(ids) + 1
            while f"rId{n}" in ids:
                n += 1
            rid = f"rId{n}"
        etree.SubElement(self.root, q("Relationship", PKG_REL),
                         {"Id": rid, "Type": rel_type, "Target": relative(self.source, part)})
        self.changed = True
        return rid

    def remove(self, rid: str) -> None:
        for el in self.root.iter(q("Relationship", PKG_REL)):
            if el.get("Id") == rid:
                self.root.remove(el)
                self.changed = True
                return

    def to_bytes(self) -> bytes:
        if not self.changed and self._data is not None:
            return self._data
        return serialize(self.root, self._data)
