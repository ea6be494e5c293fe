"""``xl/styles.xml``: cell formats keyproject needs, appended without renumbering any existing one.

A cell's ``s`` is an index into ``cellXfs``; each xf points at a font, fill, border and number
format by index. ``Stylesheet.derive(base, Style(...))`` returns the index of "format ``base`` with
these changes": it copies the base xf (and the font it changes), applies the change, and returns an
existing identical entry when there is one, else appends a new one. Indexes already in the file
never move, so every cell of the user's keeps its look, and a second refresh finds the formats the
first one appended instead of adding more.

``Stylesheet.dxf(Style(...))`` does the same for the differential formats of conditional formatting
(``<dxfs>``): the index of an identical entry, else of one appended.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from keyproject.package.xml import MAIN, insert_in_order, local, parse, q, serialize

PART = "xl/styles.xml"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# the built-in number formats keyproject uses (ECMA-376 Part 1, 18.8.30); others become numFmt entries
BUILTIN_FORMATS: dict[str, int] = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                                   "0.00%": 10, "@": 49}
_FIRST_CUSTOM_FORMAT = 164
_STYLESHEET_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                     "tableStyles", "colors", "extLst")
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
               "name", "family", "charset", "scheme")
_XF_ORDER = ("alignment", "protection", "extLst")
_EMPTY = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<fonts count="1"><font><sz val="11"/><name val="\xe5\xae\x8b\xe4\xbd\x93"/>'
          b'<charset val="134"/></font></fonts>'
          b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
          b'<fill><patternFill patternType="gray125"/></fill></fills>'
          b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          b'</styleSheet>')


@dataclass(frozen=True)
class Font:
    """Changes to a font: None leaves that property as the base font has it."""

    bold: bool | None = None
    size: float | None = None
    color: str | None = None  # ARGB, e.g. "FF9C0006"


@dataclass(frozen=True)
class Fill:
    color: str | None  # ARGB of a solid fill; None: no fill


@dataclass(frozen=True)
class Border:
    color: str = "FF808080"  # thin lines on all four sides
    style: str = "thin"


@dataclass(frozen=True)
class Alignment:
    horizontal: str | None = None
    vertical: str | None = None
    wrap: bool | None = None


@dataclass(frozen=True)
class Style:
    """A change to a cell format; fields left None keep the base format's."""

    number_format: str | None = None
    font: Font | None = None
    fill: Fill | None = None
    border: Border | None = None
    alignment: Alignment | None = None
    quote_prefix: bool | None = None  # text that must stay text when edited (=, +, -, @)


_Key = tuple[object, ...]


def _key(el: etree._Element) -> _Key:
    """What makes two style entries the same (namespace prefixes and declarations do not)."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(_key(c) for c in el))


class _Collection:
    """One indexed list of styles.xml (fonts, fills, borders, cellXfs): find or append."""

    def __init__(self, sheet: Stylesheet, tag: str, child: str) -> None:
        self.sheet = sheet
        self.tag = tag
        self.child = child
        self._index: dict[_Key, int] | None = None

    @property
    def el(self) -> etree._Element:
        found = self.sheet.root.find(q(self.tag, self.sheet.ns))
        if found is None:
            found = etree.Element(q(self.tag, self.sheet.ns))
            insert_in_order(self.sheet.root, found, _STYLESHEET_ORDER)
        return found

    def items(self) -> list[etree._Element]:
        return [c for c in self.el if local(c.tag) == self.child]

    def get(self, i: int) -> etree._Element | None:
        items = self.items()
        return items[i] if 0 <= i < len(items) else None

    def find_or_add(self, item: etree._Element) -> int:
        if self._index is None:
            self._index = {}
            for i, existing in enumerate(self.items()):
                self._index.setdefault(_key(existing), i)
        key = _key(item)
        found = self._index.get(key)
        if found is not None:
            return found
        parent = self.el
        parent.append(item)
        n = len(self.items())
        parent.set("count", str(n))
        self._index[key] = n - 1
        self.sheet.changed = True
        return n - 1


class Stylesheet:
    def __init__(self, data: bytes | None) -> None:
        self.exists = data is not None
        self._data = data
        self.root = parse(data if data is not None else _EMPTY, PART)
        self.ns = etree.QName(self.root).namespace or MAIN
        self.changed = False
        self.fonts = _Collection(self, "fonts", "font")
        self.fills = _Collection(self, "fills", "fill")
        self.borders = _Collection(self, "borders", "border")
        self.xfs = _Collection(self, "cellXfs", "xf")
        self.dxfs = _Collection(self, "dxfs", "dxf")
        self._derived: dict[tuple[int, Style], int] = {}
        self._formats: dict[str, int] | None = None

    def _q(self, tag: str) -> str:
        return q(tag, self.ns)

    # -- reading --------------------------------------------------------------------------------
    def number_format_id(self, xf: int) -> int:
        el = self.xfs.get(xf)
        try:
            return int(el.get("numFmtId") or 0) if el is not None else 0
        except ValueError:
            return 0

    def is_general(self, xf: int) -> bool:
        return self.number_format_id(xf) == 0

    # -- number formats -------------------------------------------------------------------------
    def format_id(self, code: str) -> int:
        """The id of number format ``code``: built in, already in the file, or appended."""
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        parent = self.root.find(self._q("numFmts"))
        if self._formats is None:
            self._formats = {}
            for nf in parent if parent is not None else []:
                if local(nf.tag) == "numFmt" and (nf.get("numFmtId") or "").isdigit():
                    self._formats.setdefault(nf.get("formatCode") or "", int(nf.get("numFmtId") or 0))
        if code in self._formats:
            return self._formats[code]
        if parent is None:
            parent = etree.Element(self._q("numFmts"))
            insert_in_order(self.root, parent, _STYLESHEET_ORDER)
        new_id = max([_FIRST_CUSTOM_FORMAT - 1, *self._formats.values()]) + 1
        etree.SubElement(parent, self._q("numFmt"), {"numFmtId": str(new_id), "formatCode": code})
        parent.set("count", str(len(parent)))
        self._formats[code] = new_id
        self.changed = True
        return new_id

    # -- deriving formats -----------------------------------------------------------------------
    def _font(self, base_id: int, change: Font) -> int:
        base = self.fonts.get(base_id)
        font = copy.deepcopy(base) if base is not None else etree.Element(self._q("font"))
        font.tail = None
        if change.bold is not None:
            for b in font.findall(self._q("b")):
                font.remove(b)
            if change.bold:
                insert_in_order(font, etree.Element(self._q("b")), _FONT_ORDER)
        if change.size is not None:
            for sz in font.findall(self._q("sz")):
                font.remove(sz)
            insert_in_order(font, etree.Element(self._q("sz"), {"val": f"{change.size:g}"}), _FONT_ORDER)
        if change.color is not None:
            for c in font.findall(self._q("color")):
                font.remove(c)
            insert_in_order(font, etree.Element(self._q("color"), {"rgb": change.color}), _FONT_ORDER)
        return self.fonts.find_or_add(font)

    def _fill(self, change: Fill) -> int:
        if change.color is None:
            return 0  # the first fill is "none" in every stylesheet Excel reads
        fill = etree.Element(self._q("fill"))
        pattern = etree.SubElement(fill, self._q("patternFill"), {"patternType": "solid"})
        etree.SubElement(pattern, self._q("fgColor"), {"rgb": change.color})
        etree.SubElement(pattern, self._q("bgColor"), {"indexed": "64"})
        return self.fills.find_or_add(fill)

    def _border(self, change: Border) -> int:
        border = etree.Element(self._q("border"))
        for side in ("left", "right", "top", "bottom"):
            el = etree.SubElement(border, self._q(side), {"style": change.style})
            etree.SubElement(el, self._q("color"), {"rgb": change.color})
        etree.SubElement(border, self._q("diagonal"))
        return self.borders.find_or_add(border)

    def derive(self, base: int, style: Style) -> int:
        """The cellXfs index of format ``base`` changed by ``style`` (found or appended)."""
        memo = self._derived.get((base, style))
        if memo is not None:
            return memo
        base_el = self.xfs.get(base)
        if base_el is None:
            base_el = self.xfs.get(0)
        xf = copy.deepcopy(base_el) if base_el is not None else etree.Element(self._q("xf"))
        xf.tail = None
        for attr, default in (("numFmtId", "0"), ("fontId", "0"), ("fillId", "0"), ("borderId", "0")):
            if xf.get(attr) is None:
                xf.set(attr, default)
        if base_el is not None and base_el.get("xfId") is None:
            xf.set("xfId", "0")
        if style.number_format is not None:
            xf.set("numFmtId", str(self.format_id(style.number_format)))
            xf.set("applyNumberFormat", "1")
        if style.font is not None:
            xf.set("fontId", str(self._font(int(xf.get("fontId") or 0), style.font)))
            xf.set("applyFont", "1")
        if style.fill is not None:
            xf.set("fillId", str(self._fill(style.fill)))
            xf.set("applyFill", "1")
        if style.border is not None:
            xf.set("borderId", str(self._border(style.border)))
            xf.set("applyBorder", "1")
        if style.alignment is not None:
            align = xf.find(self._q("alignment"))
            if align is None:
                align = etree.Element(self._q("alignment"))
                insert_in_order(xf, align, _XF_ORDER)
            a = style.alignment
            for attr, value in (("horizontal", a.horizontal), ("vertical", a.vertical),
                                ("wrapText", None if a.wrap is None else ("1" if a.wrap else "0"))):
                if value is not None:
                    align.set(attr, value)
            xf.set("applyAlignment", "1")
        if style.quote_prefix is not None:
            if style.quote_prefix:
                xf.set("quotePrefix", "1")
            elif "quotePrefix" in xf.attrib:
                del xf.attrib["quotePrefix"]
        index = self.xfs.find_or_add(xf)
        self._derived[(base, style)] = index
        return index

    def dxf(self, style: Style) -> int:
        """The ``<dxfs>`` index of a differential format (conditional formatting) with ``style``'s
        font (bold, colour), number format and fill, found or appended. A solid fill's colour is the
        pattern's background colour in a dxf (as Excel writes it); sizes, borders and alignment stay
        the cell's own."""
        el = etree.Element(self._q("dxf"))
        if style.font is not None and (style.font.bold is not None or style.font.color is not None):
            font = etree.SubElement(el, self._q("font"))
            if style.font.bold is not None:
                etree.SubElement(font, self._q("b"), {} if style.font.bold else {"val": "0"})
            if style.font.color is not None:
                etree.SubElement(font, self._q("color"), {"rgb": style.font.color})
        if style.number_format is not None:
            etree.SubElement(el, self._q("numFmt"), {"numFmtId": str(self.format_id(style.number_format)),
                                                     "formatCode": style.number_format})
        if style.fill is not None:
            fill = etree.SubElement(el, self._q("fill"))
            pattern = etree.SubElement(fill, self._q("patternFill"))
            if style.fill.color is None:
                pattern.set("patternType", "none")
            else:
                etree.SubElement(pattern, self._q("bgColor"), {"rgb": style.fill.color})
        return self.dxfs.find_or_add(el)

    def to_bytes(self) -> bytes:
        if not self.changed and self._data is not None:
            return self._data
        return serialize(self.root, self._data)
