"""A worksheet's frame: everything in the part except its cells.

The elements around ``<sheetData>`` (sheetPr, dimension, sheetViews, cols, mergeCells, page setup…)
are small; the cells can be 50 MB. ``sheet_data_span`` finds the cells by their element's tags
(byte searches, no parse), ``frame_bytes`` is the part with an empty ``<sheetData/>`` in their place,
and ``read_frame`` parses that safely (``xml.parse``) for what the reader's checks need: the declared
dimension, the hidden columns and the merged ranges. The safety checks, the copy calamine opens
(``fix_refs``) and the writer's row scanner (``sheet_scan``) all take a worksheet apart this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from keyproject.errors import LedgerFileError
from keyproject.package.xml import local, parse, serialize, without_declaration

_TAG_END = b" \t\r\n/>"
_NAME_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAME = b"sheetData"
# a cell range as calamine and Excel write it (A1 or A1:B2); whole rows/columns are repaired
_GOOD_REF = re.compile(r"^[A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?$")
_COLS_ONLY = re.compile(r"^\$?([A-Z]{1,3}):\$?([A-Z]{1,3})$")
_ROWS_ONLY = re.compile(r"^\$?(\d+):\$?(\d+)$")


@dataclass(frozen=True)
class SheetDataSpan:
    """Where the ``<sheetData>`` element is in a worksheet part (byte offsets)."""

    start: int  # the "<" of its start tag
    tag_end: int  # the ">" of its start tag
    body_start: int  # the first byte of its content
    body_end: int  # the "<" of its end tag (body_start when the element is empty, "<sheetData/>")
    tail_start: int  # the first byte after the element
    prefix: bytes  # b"" or the namespace prefix with its colon (b"x:")

    @property
    def self_closing(self) -> bool:
        return self.tail_start == self.body_start and self.body_end == self.body_start

    def start_tag(self, data: bytes) -> bytes:
        """The start tag as written, without its ">" (and without "/" when self-closing)."""
        return data[self.start:self.tag_end].rstrip(b"/").rstrip()


def _open_tag_at(data: bytes, i: int) -> bytes | None:
    """When ``data[i:]`` starts the name of a ``sheetData`` start tag, its prefix (b"" or b"x:")."""
    after = data[i + len(_NAME):i + len(_NAME) + 1]
    if not after or after[0] not in _TAG_END:
        return None
    if data[i - 1:i] == b"<":
        return b""
    if data[i - 1:i] != b":":
        return None
    j = i - 2
    while j >= 0 and data[j] in _NAME_CHARS:
        j -= 1
    if j < 0 or data[j] != 0x3C or j == i - 2:  # "<" then a non-empty prefix
        return None
    return data[j + 1:i]


def sheet_data_span(data: bytes) -> SheetDataSpan | None:
    """The one ``<sheetData>`` element of a worksheet part, or None when there is none, or more than
    one, or its end tag cannot be told apart (the caller then parses the whole part)."""
    i = data.find(_NAME)
    prefix = None
    while i >= 0:
        prefix = _open_tag_at(data, i)
        if prefix is not None:
            break
        i = data.find(_NAME, i + 1)
    if i < 0 or prefix is None:
        return None
    start = i - 1 - len(prefix)
    tag_end = data.find(b">", i)
    if tag_end < 0:
        return None
    if data[tag_end - 1] == 0x2F:  # "/": <sheetData/>
        body_start = body_end = tail_start = tag_end + 1
    else:
        body_start = tag_end + 1
        close = b"</" + prefix + _NAME + b">"
        body_end = data.find(close, body_start)
        if body_end < 0 or data.find(close, body_end + 1) >= 0:
            return None
        tail_start = body_end + len(close)
    if data.find(b"<" + prefix + _NAME, tail_start) >= 0:
        return None  # a second sheetData
    return SheetDataSpan(start, tag_end, body_start, body_end, tail_start, prefix)


def frame_bytes(data: bytes, span: SheetDataSpan) -> bytes:
    """The part with its cells left out: ``<sheetData …/>`` in their place."""
    return data[:span.start] + span.start_tag(data) + b"/>" + data[span.tail_start:]


@dataclass(frozen=True)
class WorksheetFrame:
    """What the frame of a worksheet says, as written (nothing is checked against the cells)."""

    dimension: str | None  # <dimension ref>, may be missing, wrong or malformed
    hidden_columns: frozenset[int]  # 0-based
    merges: tuple[str, ...]  # every <mergeCell ref>, as written

    @property
    def bad_refs(self) -> bool:
        """A dimension or merge reference calamine cannot parse (``A:A``, ``1:1``, garbage)."""
        refs = (*((self.dimension,) if self.dimension is not None else ()), *self.merges)
        return any(not _GOOD_REF.match(r) for r in refs)


def frame_root(data: bytes, part: str) -> etree._Element:
    """The worksheet's frame parsed safely (the whole part when its cells cannot be located)."""
    span = sheet_data_span(data)
    return parse(without_declaration(frame_bytes(data, span) if span is not None else data), part)


def read_frame(data: bytes, part: str) -> WorksheetFrame:
    """The dimension, hidden columns and merged ranges of a worksheet part (UTF-8 bytes). A frame
    that is not XML is a ``LedgerFileError`` (``xml.parse``)."""
    root = frame_root(data, part)
    dimension: str | None = None
    hidden: set[int] = set()
    merges: list[str] = []
    for child in root:
        name = local(child.tag)
        if name == "dimension":
            dimension = child.get("ref")
        elif name == "cols":
            for col in child:
                if local(col.tag) != "col" or (col.get("hidden") or "").lower() not in ("1", "true"):
                    continue
                lo, hi = col.get("min") or "", col.get("max") or ""
                if lo.isdigit():
                    top = int(hi) if hi.isdigit() else int(lo)
                    hidden.update(range(int(lo) - 1, min(top, 16384)))
        elif name == "mergeCells":
            merges += [m.get("ref") or "" for m in child if local(m.tag) == "mergeCell"]
    return WorksheetFrame(dimension, frozenset(hidden), tuple(merges))


def _repaired_ref(ref: str) -> str | None:
    """A merge reference calamine can parse: whole columns and rows as cell ranges; None to drop it."""
    if _GOOD_REF.match(ref):
        return ref
    cols, rows = _COLS_ONLY.match(ref), _ROWS_ONLY.match(ref)
    if cols is not None:
        return f"{cols.group(1)}1:{cols.group(2)}1048576"
    if rows is not None:
        return f"A{rows.group(1)}:XFD{rows.group(2)}"
    return None


def fix_refs(data: bytes, part: str) -> bytes:
    """The part with whole-column (``A:A``) and whole-row (``1:1``) merges written as cell ranges and a
    malformed dimension or merge reference left out (python-calamine parses neither); the cells are
    spliced back byte for byte. For the in-memory copy calamine opens, never for the user's file."""
    data = without_declaration(data)
    span = sheet_data_span(data)
    root = parse(frame_bytes(data, span) if span is not None else data, part)
    for child in list(root):
        name = local(child.tag)
        if name == "dimension" and not _GOOD_REF.match(child.get("ref") or ""):
            root.remove(child)
        elif name == "mergeCells":
            for m in list(child):
                new = _repaired_ref(m.get("ref") or "")
                if new is None:
                    child.remove(m)
                else:
                    m.set("ref", new)
            if len(child) == 0:
                root.remove(child)
            else:
                child.set("count", str(len(child)))
    if span is None:
        return serialize(root)
    cells = next(c for c in root if local(c.tag) == "sheetData")
    marker = etree.ProcessingInstruction("kp-sheet-data")
    marker.tail = cells.tail
    cells.addprevious(marker)
    root.remove(cells)
    framed = serialize(root)
    token = etree.tostring(marker, with_tail=False)
    at = framed.find(token)
    if at < 0 or framed.find(token, at + 1) >= 0:
        raise LedgerFileError(f"工作簿的“{part}”部分无法整理")
    return framed[:at] + data[span.start:span.tail_start] + framed[at + len(token):]

__all__ = ["SheetDataSpan", "WorksheetFrame", "fix_refs", "frame_bytes", "frame_root", "read_frame",
           "sheet_data_span"]
