"""``Package``: an xlsx/xlsm file opened for editing part by part.

Parts are read on demand from the source zip. Edits are kept in memory: replaced or new parts, and
the part objects (content types, relationships, workbook, custom properties, styles, calculation
chain) written back only when they changed. ``save`` writes a new zip: the source's entries in
their order, each one nobody changed copied raw (``entries.ZipWriter.copy_raw``), then the new
parts. The source file itself is never written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import TracebackType

from keyproject.package import content_types as ct
from keyproject.package.calc_chain import CONTENT_TYPE as CALC_CHAIN_TYPE
from keyproject.package.calc_chain import CalcChain
from keyproject.package.content_types import ContentTypes
from keyproject.package.custom import PART as CUSTOM_PART
from keyproject.package.custom import CustomProperties
from keyproject.package.entries import Compressed, ZipReader, ZipWriter, compress, decompress
from keyproject.package.marks import Marks, parse_marks, write_marks
from keyproject.package.relationships import (
    CALC_CHAIN,
    CUSTOM_PROPERTIES,
    OFFICE_DOCUMENT,
    STYLES,
    WORKSHEET,
    Relationships,
    rels_part,
)
from keyproject.package.styles import CONTENT_TYPE as STYLES_TYPE
from keyproject.package.styles import Stylesheet
from keyproject.package.workbook import SheetEntry, WorkbookPart

_COMPRESS_AT_ONCE = 1 << 20


class Package:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.zip = ZipReader(self.path)
        self._parts: dict[str, bytes | Compressed] = {}  # replaced or new content
        self._new: list[str] = []  # names of new parts, in the order added
        self._removed: set[str] = set()
        self._content_types: ContentTypes | None = None
        self._rels: dict[str, Relationships] = {}
        self._workbook: WorkbookPart | None = None
        self._custom: CustomProperties | None = None
        self._styles: Stylesheet | None = None
        self._calc_chain: CalcChain | bool | None = False  # False: not looked up yet

    def __enter__(self) -> Package:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    # -- parts ------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The zip entries the package will have, in order."""
        return [n for n in self.zip.names if n not in self._removed] + \
               [n for n in self._new if n not in self._removed]

    def exists(self, name: str) -> bool:
        if name in self._removed:
            return False
        return name in self._parts or self.zip.info(name) is not None

    def _taken(self, name: str) -> bool:
        lowered = name.lower()
        return any(n.lower() == lowered for n in (*self.zip.names, *self._new))

    def read(self, name: str) -> bytes:
        if name in self._removed:
            raise KeyError(name)
        if name in self._parts:
            part = self._parts[name]
            return decompress(part) if isinstance(part, Compressed) else part
        return self.zip.read(name)

    def write(self, name: str, data: bytes) -> None:
        """Replace part ``name`` (or add it). A big part is deflated at once: the package then holds
        a tenth of its size until it is saved."""
        self._removed.discard(name)
        if name not in self._parts and self.zip.info(name) is None and name not in self._new:
            self._new.append(name)
        self._parts[name] = compress(data) if len(data) > _COMPRESS_AT_ONCE else data

    def remove(self, name: str) -> None:
        self._removed.add(name)
        self._parts.pop(name, None)

    def new_part_name(self, pattern: str) -> str:
        """The first free name of ``pattern`` (e.g. ``xl/worksheets/sheet{}.xml``), counting from 1;
        zip names that differ only in case count as taken (OPC part names ignore case)."""
        n = 1
        while self._taken(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # -- part objects ---------------------------------------------------------------------------
    @property
    def content_types(self) -> ContentTypes:
        if self._content_types is None:
            self._content_types = ContentTypes(self.read(ct.PART))
        return self._content_types

    def rels(self, source: str) -> Relationships:
        """The relationships of part ``source`` ("" for the package)."""
        if source not in self._rels:
            name = rels_part(source)
            self._rels[source] = Relationships(source, self.read(name) if self.exists(name) else None)
        return self._rels[source]

    @property
    def workbook_part(self) -> str:
        for rel in self.rels("").of_type(OFFICE_DOCUMENT):
            if rel.part is not None:
                return rel.part
        return "xl/workbook.xml"

    @property
    def workbook(self) -> WorkbookPart:
        if self._workbook is None:
            part = self.workbook_part
            self._workbook = WorkbookPart(self.read(part), self.rels(part))
        return self._workbook

    @property
    def custom(self) -> CustomProperties:
        if self._custom is None:
            self._custom = CustomProperties(self.read(CUSTOM_PART) if self.exists(CUSTOM_PART) else None)
        return self._custom

    def marks(self) -> Marks:
        return parse_marks(self.custom)

    def set_marks(self, marks: Marks) -> None:
        write_marks(self.custom, marks)

    def _styles_part(self) -> str | None:
        rels = self.rels(self.workbook_part)
        found = rels.of_type(STYLES)
        return found[0].part if found else None

    @property
    def styles(self) -> Stylesheet:
        if self._styles is None:
            part = self._styles_part()
            self._styles = Stylesheet(self.read(part) if part and self.exists(part) else None)
        return self._styles

    @property
    def calc_chain(self) -> CalcChain | None:
        if self._calc_chain is False:
            rels = self.rels(self.workbook_part).of_type(CALC_CHAIN)
            part = rels[0].part if rels else None
            self._calc_chain = CalcChain(self.read(part), part) if part and self.exists(part) else None
        return self._calc_chain  # type: ignore[return-value]

    # -- sheets ---------------------------------------------------------------------------------
    def sheets(self) -> list[SheetEntry]:
        return self.workbook.sheets()

    def add_worksheet(self, name: str, data: bytes) -> SheetEntry:
        """A new worksheet ``name`` after every other sheet, holding part ``data``."""
        part = self.new_part_name("xl/worksheets/sheet{}.xml")
        self.write(part, data)
        self.content_types.add(part, ct.WORKSHEET)
        rid = self.rels(self.workbook_part).add(WORKSHEET, part)
        return self.workbook.add_sheet(name, rid)

    def replace_worksheet(self, entry: SheetEntry, data: bytes) -> None:
        """Put ``data`` in place of sheet ``entry``'s part; what only the old part referred to (its
        relationships: printer settings, comments …) goes with it."""
        assert entry.part is not None
        self._drop_references(entry.part)
        self.write(entry.part, data)
        self.content_types.add(entry.part, ct.WORKSHEET)

    def remove_sheet(self, name: str) -> SheetEntry | None:
        """Remove sheet ``name``: its ``<sheet>``, relationship, part and the parts only it used."""
        entry = self.workbook.remove_sheet(name)
        if entry is None:
            return None
        self.rels(self.workbook_part).remove(entry.rid)
        chain = self.calc_chain
        if chain is not None:
            chain.remove(entry.sheet_id)
        if entry.part is not None:
            self.remove_tree(entry.part)
        return entry

    def _referenced(self) -> set[str]:
        """Every part some relationship still points at."""
        out: set[str] = set()
        for name in self.names():
            if not name.endswith(".rels"):
                continue
            folder, _, base = name.rpartition("/")
            source_folder = folder[:-len("_rels")].rstrip("/") if folder.endswith("_rels") else folder
            source = f"{source_folder}/{base[:-5]}" if source_folder else base[:-5]
            for rel in self.rels(source):
                if rel.part is not None:
                    out.add(rel.part)
        return out

    def _drop_references(self, part: str) -> None:
        """Remove ``part``'s relationships and the parts only they pointed at."""
        name = rels_part(part)
        if not self.exists(name):
            return
        targets = [r.part for r in self.rels(part) if r.part is not None]
        self.remove(name)
        self._rels.pop(part, None)
        still = self._referenced()
        for target in targets:
            if target not in still and self.exists(target):
                self.remove_tree(target)

    def remove_tree(self, part: str) -> None:
        """Remove ``part``, its relationships and the parts only it pointed at."""
        self._drop_references(part)
        self.remove(part)
        self.content_types.remove(part)

    # -- saving ---------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Write every changed part object back as a part."""
        if self._custom is not None and self._custom.changed:
            if not self._custom.exists:
                self.content_types.add(CUSTOM_PART, ct.CUSTOM_PROPERTIES)
                self.rels("").add(CUSTOM_PROPERTIES, CUSTOM_PART)
            self.write(CUSTOM_PART, self._custom.to_bytes())
        if self._styles is not None and self._styles.changed:
            part = self._styles_part()
            if part is None:
                part = "xl/styles.xml"
                self.rels(self.workbook_part).add(STYLES, part)
                self.content_types.add(part, STYLES_TYPE)
            self.write(part, self._styles.to_bytes())
        chain = self._calc_chain
        if isinstance(chain, CalcChain) and chain.changed:
            if chain.empty:  # no formula left to chain: the part goes, with its relationship
                wb_rels = self.rels(self.workbook_part)
                for rel in wb_rels.of_type(CALC_CHAIN):
                    wb_rels.remove(rel.id)
                self.remove(chain.part)
                self.content_types.remove(chain.part)
            else:
                self.write(chain.part, chain.to_bytes())
                self.content_types.add(chain.part, CALC_CHAIN_TYPE)
        if self._workbook is not None and self._workbook.changed:
            self.write(self.workbook_part, self._workbook.to_bytes())
        for source, rels in self._rels.items():
            if rels.changed and rels_part(source) not in self._removed:
                self.write(rels_part(source), rels.to_bytes())
        if self._content_types is not None and self._content_types.changed:
            self.write(ct.PART, self._content_types.to_bytes())

    def changed_parts(self) -> list[str]:
        """Parts written or added (complete after ``save``)."""
        return [n for n in self._parts if n not in self._removed]

    def save(self, path: str | Path, now: dt.datetime | None = None) -> None:
        """Write the edited package to ``path`` (never the source file itself)."""
        target = Path(path)
        if target.resolve() == self.path.resolve():
            raise ValueError("a package is saved to a new file, then moved over the original")
        now = now or dt.datetime(1980, 1, 1)
        self._flush()
        stamp = (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second // 2 * 2)
        with ZipWriter(target) as out:
            for info in self.zip.infos:
                name = info.filename
                if name in self._removed:
                    continue
                part = self._parts.get(name)
                if part is None:
                    out.copy_raw(self.zip, info)
                elif isinstance(part, Compressed):
                    out.write_compressed(name, part, like=info)
                else:
                    out.write(name, part, like=info)
            for name in self._new:
                if name in self._removed:
                    continue
                part = self._parts[name]
                if isinstance(part, Compressed):
                    out.write_compressed(name, part, date_time=stamp)
                else:
                    out.write(name, part, date_time=stamp)
