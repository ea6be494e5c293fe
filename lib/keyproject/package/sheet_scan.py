"""The row scanner: a user's worksheet edited by copying its bytes and splicing only the cells that
change.

It is a careful reader of the subset of XML spreadsheet programs write inside ``<sheetData>``: element
tags and text, no comments, CDATA or processing instructions; rows and the cells it looks at carry
their ``r`` references; rows ascend. It checks each of these as it goes and gives up
(``Unsupported``) rather than guess; ``sheet_tree`` then takes the sheet. At 30,000 projects it takes
about a tenth of the time lxml needs to parse and serialize the sheet, and it keeps every untouched
byte. The frame around ``<sheetData>`` is edited in an lxml tree and only the elements that changed
are written back (``_rewrite_frame``), at the byte offsets expat reports.
"""

from __future__ import annotations

import copy
import difflib
import re
from xml.parsers import expat

from lxml import etree

from keyproject.package.cells import Cell, column_letter, escape_attr, escape_text, split_ref
from keyproject.package.frame import frame_bytes, sheet_data_span
from keyproject.package.sheet_plan import (
    Derived,
    EditResult,
    ExistingCell,
    SheetEdits,
    Unsupported,
    _appended,
    _edit_frame,
    _plan,
    _touches,
)
from keyproject.package.xml import MAIN, local, parse, q, serialize

_SPACE = b" \t\r\n"
_TAG_END = b" \t\r\n/>"


_NAME_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-"
_ATTR_CHARS = _NAME_CHARS + b" \t\r\n=/"


# The common start tag, every value double-quoted: validated and split by two regular expressions
# (3× faster than the tokenizer below, which takes every other form; a cell of a 30,000-project
# ledger's five owned columns goes through here)
_DOUBLE_QUOTED_TAG = re.compile(rb'(?:[ \t\r\n]+[A-Za-z0-9_:.\-]+[ \t\r\n]*=[ \t\r\n]*"[^"]*")*[ \t\r\n]*/?')
_DOUBLE_QUOTED_ATTR = re.compile(rb'([A-Za-z0-9_:.\-]+)[ \t\r\n]*=[ \t\r\n]*"([^"]*)"')


def _attributes(data: bytes, i: int, end: int) -> dict[bytes, bytes]:
    """The attributes of a start tag whose name ends at ``i`` and whose ``>`` is at ``end``:
    name → raw value. Anything but ``name="value"`` pairs (or all single-quoted) is unsupported."""
    if _DOUBLE_QUOTED_TAG.fullmatch(data, i, end):
        return dict(_DOUBLE_QUOTED_ATTR.findall(data, i, end))
    return _tokenized_attributes(data, i, end)


def _tokenized_attributes(data: bytes, i: int, end: int) -> dict[bytes, bytes]:
    """``_attributes`` for every form: split at the quotes, each name checked."""
    body = data[i:end]
    quote = b'"'
    if b'"' not in body and b"'" in body:
        quote = b"'"
    parts = body.split(quote)
    heads = parts[0::2]
    if len(parts) % 2 == 0 or b"".join(heads).translate(None, _ATTR_CHARS):
        raise Unsupported("bad attributes")
    last = heads.pop()
    if last.strip() not in (b"", b"/"):
        raise Unsupported("bad attributes")
    out: dict[bytes, bytes] = {}
    for head, value in zip(heads, parts[1::2], strict=True):
        name = head.strip()
        if head[:1] not in b" \t\r\n" or not head or not name.endswith(b"=") or len(name) < 2:
            raise Unsupported("bad attribute")
        name = name[:-1].rstrip()
        if not name or b"=" in name or b"/" in name or b" " in name or b"\t" in name:
            raise Unsupported("bad attribute name")
        out[name] = value
    return out


def _attr_span(data: bytes, i: int, end: int, name: bytes) -> tuple[int, int] | None:
    """Where attribute ``name``'s value is in the start tag ``data[i:end]`` (``i`` just after the
    tag's name). With double quotes only, ``name="`` after whitespace can only start that attribute
    (a double-quoted value holds no ``"``); other tags are tokenized in full."""
    if data.find(b"'", i, end) >= 0:
        _attributes(data, i, end)
        return _value_span(data, i, end, name)
    needle = name + b'="'
    j = data.find(needle, i, end)
    while j >= 0:
        if data[j - 1] in _SPACE:
            start = j + len(needle)
            close = data.find(b'"', start, end)
            if close < 0:
                raise Unsupported("attribute value")
            return start, close
        j = data.find(needle, j + 1, end)
    return None


def _style_number(value: bytes | None) -> int:
    if not value:
        return 0
    if not value.isdigit():
        raise Unsupported("bad style index")
    return int(value)


def _attr_pair(data: bytes, i: int, end: int, first: bytes, second: bytes
               ) -> tuple[bytes | None, bytes | None]:
    """Two attributes of one start tag (what ``_attr`` gives, with one look for single quotes)."""
    if data.find(b"'", i, end) >= 0:
        return _attr(data, i, end, first), _attr(data, i, end, second)
    out: list[bytes | None] = []
    for name in (first, second):
        needle = name + b'="'
        j = data.find(needle, i, end)
        while j >= 0 and data[j - 1] not in _SPACE:
            j = data.find(needle, j + 1, end)
        if j < 0:
            out.append(None)
            continue
        start = j + len(needle)
        close = data.find(b'"', start, end)
        if close < 0:
            raise Unsupported("attribute value")
        out.append(data[start:close])
    return out[0], out[1]


def _attr(data: bytes, i: int, end: int, name: bytes) -> bytes | None:
    span = _attr_span(data, i, end, name)
    return None if span is None else data[span[0]:span[1]]


def _value_span(data: bytes, i: int, end: int, name: bytes) -> tuple[int, int] | None:
    """Where attribute ``name``'s value is in the start tag ``data[i:end]`` (already checked by
    ``_attributes``)."""
    body = data[i:end]
    quote = b"'" if b'"' not in body and b"'" in body else b'"'
    offset = i
    parts = body.split(quote)
    for k in range(0, len(parts) - 1, 2):
        head, value = parts[k], parts[k + 1]
        start = offset + len(head) + 1
        if head.strip()[:-1].rstrip() == name:
            return start, start + len(value)
        offset = start + len(value) + 1
    return None


def _number(value: bytes) -> int:
    if not value.isdigit():
        raise Unsupported("not a number")
    return int(value)


_COLUMN_OF: dict[bytes, int] = {}


def _cell_col(value: bytes, row_digits: bytes) -> int:
    """The column of a cell reference in the row whose number is ``row_digits``."""
    if not value.endswith(row_digits) or len(value) <= len(row_digits):
        raise Unsupported("cell outside its row")
    letters = value[:-len(row_digits)]
    col = _COLUMN_OF.get(letters)
    if col is None:
        try:
            r, col = split_ref(value.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise Unsupported("bad cell reference") from None
        if str(r).encode() != row_digits:
            raise Unsupported("bad cell reference")
        _COLUMN_OF[letters] = col
    return col


class _ScanEngine:
    """The row scanner (see the module docstring): ``run`` returns the new part."""

    def __init__(self, data: bytes, edits: SheetEdits, result: EditResult) -> None:
        self.data = data
        self.view = memoryview(data)  # untouched stretches are joined from here, not copied first
        self.edits = edits
        self.result = result
        self.out: list[bytes | memoryview] = []  # the new sheetData content
        self.min_own = min(edits.own_columns, default=16385)
        self.clearing = bool(edits.own_columns - edits.fresh_columns)
        self.copied = 0  # data[body_start:copied] is in ``out``

    def _emit_to(self, pos: int) -> None:
        if pos > self.copied:
            self.out.append(self.view[self.copied:pos])
            self.copied = pos

    def _skip(self, pos: int) -> None:
        self.copied = pos

    def run(self) -> bytes:
        data = self.data
        root_start = self._root_start()
        name_end = root_start + 1
        while name_end < len(data) and data[name_end] not in _TAG_END:
            name_end += 1
        if b":" in data[root_start + 1:name_end]:
            raise Unsupported("prefixed elements")  # the cells written here use the default namespace
        span = sheet_data_span(data)  # keyproject.package.frame: where the cells are
        if span is None or span.prefix:
            raise Unsupported("no single unprefixed sheetData")
        a, tag_end, self_closing = span.start, span.tag_end, span.self_closing
        body_start, body_end, tail_start = span.body_start, span.body_end, span.tail_start
        close_tag = b"</sheetData>"
        # comments, CDATA and processing instructions could hide tags from the scanner. (Namespace
        # declarations inside rows are harmless: they are copied, and the cells keyproject writes use
        # the main namespace the root declares.)
        if _markup(data, body_start, body_end):
            raise Unsupported("a comment, CDATA or processing instruction inside sheetData")
        start_tag = span.start_tag(data)
        frame_data = frame_bytes(data, span)
        frame = parse(frame_data, "worksheet")
        if etree.QName(frame).namespace != MAIN or frame.prefix is not None:
            raise Unsupported("not the transitional main namespace")
        self.p = b""
        self.copied = body_start
        self._rows(body_start, body_end)
        # the new sheetData element, as pieces joined once into the new part (it can be 50 MB)
        if self.out or not self_closing:
            element: list[bytes | memoryview] = [start_tag, b">", *self.out, close_tag]
        else:
            element = [self.view[a:tag_end + 1]]
        self.out = []
        placeholder = (a, a + len(start_tag) + 2)
        original = copy.deepcopy(frame)
        if not _edit_frame(frame, self.edits):
            return b"".join([self.view[:a], *element, self.view[tail_start:]])
        try:
            framed, at = _rewrite_frame(frame_data, original, frame, placeholder)
        except Unsupported:  # something the element splicer does not write: lxml writes the frame
            return _splice_frame(frame, b"".join(element), data)
        return b"".join([framed[:at], *element, framed[at + placeholder[1] - placeholder[0]:]])

    def _root_start(self) -> int:
        data = self.data
        i = 0
        while True:
            i = data.find(b"<", i)
            if i < 0:
                raise Unsupported("no root")
            if data[i + 1:i + 2] in (b"?", b"!"):
                i += 1
                continue
            return i

    def _rows(self, start: int, end: int) -> None:
        data = self.data
        row_open = b"<row"
        row_close = b"</row>"
        pending = sorted(self.edits.rows())
        k = 0  # next pending row
        pos = start
        prev = 0
        find = data.find
        clearing = bool(self.edits.own_columns - self.edits.fresh_columns)
        edits = self.edits
        while True:
            a = find(row_open, pos, end)
            if a < 0:
                if data[pos:end].strip():
                    raise Unsupported("content between rows")
                break
            if data[pos:a].strip() or data[a + len(row_open)] not in _TAG_END:
                raise Unsupported("content between rows")
            gt = find(b">", a, end)
            if gt < 0:
                raise Unsupported("row tag")
            r_text = _attr(data, a + 4, gt, b"r")
            if r_text is None:
                raise Unsupported("row without r")
            r = _number(r_text)
            if r <= prev:
                raise Unsupported("rows out of order")
            empty = data[gt - 1] == 0x2F
            if empty:
                content_start = content_end = row_end = gt + 1
            else:
                content_start = gt + 1
                content_end = find(row_close, content_start, end)
                if content_end < 0:
                    raise Unsupported("row end")
                row_end = content_end + len(row_close)
            while k < len(pending) and pending[k] < r:  # rows to create before this one
                self._emit_to(a)
                self._new_row(pending[k])
                k += 1
            if k < len(pending) and pending[k] == r:
                k += 1
            if _touches(r, edits, clearing):
                self._row(r, a, gt, empty, content_start, content_end, row_end)
            pos = row_end
            prev = r
        self._emit_to(end)
        while k < len(pending):
            self._new_row(pending[k])
            k += 1

    def _new_row(self, r: int) -> None:
        cells = _plan(r, {}, self.edits, self.result)
        body = "".join(cells[c] for c in sorted(cells) if cells[c])
        if body:
            self.out.append(f'<row r="{r}">{body}</row>'.encode())

    def _cell_bounds(self, start: int, limit: int, digits: bytes
                     ) -> tuple[int, int, int, int, dict[bytes, bytes]]:
        """The cell whose start tag begins at ``start``: (end, column, inner start, inner end, attributes)."""
        data = self.data
        gt = data.find(b">", start, limit)
        if gt < 0:
            raise Unsupported("cell tag")
        attrs = _attributes(data, start + 2, gt)
        r_attr = attrs.get(b"r")
        if r_attr is None:
            raise Unsupported("cell without r")
        col = _cell_col(r_attr, digits)
        if data[gt - 1] == 0x2F:
            return gt + 1, col, gt + 1, gt + 1, attrs
        inner_end = data.find(b"</c>", gt + 1, limit)
        if inner_end < 0:
            raise Unsupported("cell end")
        return inner_end + 4, col, gt + 1, inner_end, attrs

    def _cell_at(self, start: int, limit: int, row: int, digits: bytes) -> tuple[int, int, ExistingCell]:
        """The cell whose start tag begins at ``start``: (cell end, column, cell)."""
        data = self.data
        cell_end, col, inner_start, inner_end, attrs = self._cell_bounds(start, limit, digits)
        has_formula = False
        i = data.find(b"<f", inner_start, inner_end)
        while i >= 0:
            if data[i + 2] in _TAG_END:
                has_formula = True
                break
            i = data.find(b"<f", i + 1, inner_end)
        s = attrs.get(b"s")
        t = attrs.get(b"t")
        try:
            style = int(s) if s else 0
        except ValueError:
            raise Unsupported("bad style index") from None
        cell = ExistingCell(row, col, style, t.decode("ascii", "replace") if t else None, has_formula,
                            data.find(b"<", inner_start, inner_end) >= 0)
        return cell_end, col, cell

    def _cell_start_before(self, pos: int, lo: int) -> int:
        """The start of the last cell tag before ``pos`` (not before ``lo``), or -1."""
        data = self.data
        i = data.rfind(b"<c", lo, pos)
        while i >= 0 and data[i + 2] not in _TAG_END:
            i = data.rfind(b"<c", lo, i)
        return i

    def _cell_start_after(self, pos: int, hi: int) -> int:
        data = self.data
        i = data.find(b"<c", pos, hi)
        while i >= 0 and data[i + 2] not in _TAG_END:
            i = data.find(b"<c", i + 1, hi)
        return i

    def _append(self, r: int, a: int, gt: int, empty: bool, content_start: int, content_end: int,
                row_end: int, puts: dict[int, Cell | Derived]) -> bool:
        """The common row: only keyproject's cells to add, all right of the row's last cell. Appends
        them and returns True; False when the row needs the general path."""
        data = self.data
        digits = str(r).encode()
        base = -1
        if not empty:
            i = data.rfind(b"<c", content_start, content_end)
            while i >= 0 and data[i + 2] not in _TAG_END:
                i = data.rfind(b"<c", content_start, i)
            if i >= 0:
                tag_end = data.find(b">", i, content_end)
                if tag_end < 0:
                    return False
                ref_text, style_text = _attr_pair(data, i + 2, tag_end, b"r", b"s")
                if ref_text is None:
                    return False
                col = _cell_col(ref_text, digits)
                if col >= min(puts):
                    return False
                if data[tag_end - 1] == 0x2F:
                    end = tag_end + 1
                else:
                    end = data.find(b"</c>", tag_end, content_end)
                    if end < 0:
                        return False
                    end += 4
                if end != content_end and data[end:content_end].strip():
                    return False
                src = self.edits.style_source
                if src is None:
                    base = 0
                elif col <= src:  # the source column's cell, or none: the last cell is the model
                    base = _style_number(style_text)
        if base < 0:
            base = self._base(r, digits, a, gt, content_start, content_end)
        cells = _appended(r, puts, self.edits, self.result, base)
        out = self.out
        if a > self.copied:
            out.append(self.view[self.copied:a])
        out.append(self._row_tag(r, a, gt, empty, max(puts)))
        out.append(self.view[gt + 1:content_end])
        out.append(cells.encode())
        if empty:
            out.append(b"</row>")
            self.copied = row_end
        else:
            self.copied = content_end
        return True

    def _base(self, r: int, digits: bytes, a: int, gt: int, lo: int, hi: int) -> int:
        """The format ``Derived`` cells of row ``r`` start from: the user's cell of the style source
        column, else the row's last cell before ``hi``, else the row's own format. The source column
        is the table's last, so the walk from the row's end is short."""
        src = self.edits.style_source
        if src is None:
            return 0
        data = self.data
        last = -1
        pos = hi
        while True:
            i = self._cell_start_before(pos, lo)
            if i < 0:
                break
            tag_end = data.find(b">", i, hi)
            if tag_end < 0:
                raise Unsupported("cell tag")
            ref_text = _attr(data, i + 2, tag_end, b"r")
            if ref_text is None:
                raise Unsupported("cell without r")
            col = _cell_col(ref_text, digits)
            style = _style_number(_attr(data, i + 2, tag_end, b"s"))
            if last < 0:
                last = style
            if col <= src:
                return style if col == src else last
            pos = i
        if last >= 0:
            return last
        if _attr(data, a + 4, gt, b"customFormat") in (b"1", b"true"):
            return _style_number(_attr(data, a + 4, gt, b"s"))
        return 0

    def _row_tag(self, r: int, a: int, gt: int, empty: bool, top: int) -> bytes:
        """The row's start tag, its ``spans`` widened to column ``top`` (open when it was empty)."""
        data = self.data
        tag = data[a:gt + 1]
        if top and data.find(b"spans", a, gt) >= 0:  # (most rows of most writers have none)
            where = _attr_span(data, a + 4, gt, b"spans")
            if where is not None:
                tag = data[a:where[0]] + _widen_spans(data[where[0]:where[1]], top) + data[where[1]:gt + 1]
        if empty:
            tag = tag[:-2].rstrip() + b">"
        return tag

    def _row(self, r: int, a: int, gt: int, empty: bool, content_start: int, content_end: int,
             row_end: int) -> None:
        data = self.data
        edits = self.edits
        puts = edits.put.get(r)
        if (puts and r not in edits.values and (r < edits.clear_from or not self.clearing)
                and not edits.retired
                and self._append(r, a, gt, empty, content_start, content_end, row_end, puts)):
            return
        trailing_from = min(puts) if puts else 16385
        if r >= edits.clear_from and edits.own_columns:
            trailing_from = min(trailing_from, self.min_own)
        if edits.retired:
            trailing_from = min(trailing_from, min(edits.retired))
        # the cells at the row's end from column ``trailing_from`` on (keyproject's columns are there)
        trailing: list[tuple[int, int, int, ExistingCell]] = []  # (start, end, col, cell), right to left
        digits = str(r).encode()
        pos = content_end
        while True:
            i = self._cell_start_before(pos, content_start)
            if i < 0:
                if data[content_start:trailing[-1][0] if trailing else content_end].strip():
                    raise Unsupported("content before the cells")
                break
            cell_end, col, *_ = self._cell_bounds(i, content_end, digits)
            if data[cell_end:trailing[-1][0] if trailing else content_end].strip():
                raise Unsupported("content between cells")
            if col < trailing_from:
                break
            _, _, cell = self._cell_at(i, content_end, r, digits)
            trailing.append((i, cell_end, col, cell))
            pos = i
        trailing.reverse()
        cut = trailing[0][0] if trailing else content_end
        present = {col: cell for _, _, col, cell in trailing}
        # the user's cells to edit left of the trailing block, found by their reference
        spans: dict[int, tuple[int, int]] = {}
        for col in edits.values.get(r, {}):
            if col in present or col >= trailing_from:
                continue
            found = self._find_cell(r, digits, col, content_start, cut)
            if found is not None:
                start, end, cell = found
                present[col] = cell
                spans[col] = (start, end)
        base = self._base(r, digits, a, gt, content_start, cut) if puts else 0
        plan = _plan(r, present, edits, self.result, base)
        if not plan:
            return
        # splices left of the trailing block: replaced cells, and new cells before the first cell
        # to their right
        splices: list[tuple[int, int, int, bytes]] = []  # (start, column, end, new bytes)
        for col, xml in plan.items():
            if col >= trailing_from:
                continue
            if col in spans:
                start, end = spans[col]
                splices.append((start, col, end, xml.encode()))
            elif xml:
                at = self._insert_point(digits, col, content_start, cut)
                splices.append((at, col, at, xml.encode()))
        self._emit_to(a)
        self.out.append(self._row_tag(r, a, gt, empty, max([c for c, x in plan.items() if x] or [0])))
        self._skip(gt + 1)
        for start, _col, end, replacement in sorted(splices):
            self._emit_to(start)
            self.out.append(replacement)
            self._skip(end)
        # the trailing block rebuilt in column order
        self._emit_to(cut)
        keep = {col: self.view[s:e] for s, e, col, _ in trailing}
        for col in sorted(set(keep) | {c for c in plan if c >= trailing_from}):
            if col in plan:
                if plan[col]:
                    self.out.append(plan[col].encode())
            else:
                self.out.append(keep[col])
        self._skip(trailing[-1][1] if trailing else content_end)
        if empty:
            self.out.append(b"</row>")
            self._skip(row_end)

    def _insert_point(self, digits: bytes, col: int, lo: int, hi: int) -> int:
        """Where a new cell of column ``col`` goes: before the first cell to its right."""
        pos = lo
        while True:
            i = self._cell_start_after(pos, hi)
            if i < 0:
                return hi
            end, c, *_ = self._cell_bounds(i, hi, digits)
            if c > col:
                return i
            pos = end

    def _find_cell(self, r: int, digits: bytes, col: int, lo: int, hi: int
                   ) -> tuple[int, int, ExistingCell] | None:
        data = self.data
        needle_text = f"{column_letter(col)}{r}".encode("ascii")
        for quote in (b'"', b"'"):
            needle = b"r=" + quote + needle_text + quote
            i = data.find(needle, lo, hi)
            while i >= 0:
                start = self._cell_start_before(i, lo)
                if start >= 0 and data.find(b">", start, i) < 0 and data[i - 1] in _SPACE:
                    end, c, cell = self._cell_at(start, hi, r, digits)
                    if c == col:
                        return start, end, cell
                i = data.find(needle, i + 1, hi)
        return None


def _markup(data: bytes, start: int, end: int) -> bool:
    """Is there ``<!`` or ``<?`` in ``data[start:end]``? Searched for by the rarer second character
    (a one-byte search is several times faster than one for "<!", "<" being everywhere)."""
    for mark in (b"!", b"?"):
        i = data.find(mark, start, end)
        seen = 0
        while i >= 0:
            if data[i - 1] == 0x3C:  # "<"
                return True
            seen += 1
            if seen > 1000:  # a sheet full of them (cross-sheet formulas): search the pair itself
                return data.find(b"<" + mark, i, end) >= 0
            i = data.find(mark, i + 1, end)
    return False


def _widen_spans(value: bytes, top: int) -> bytes:
    """A row's ``spans`` ("1:32", or several groups) widened to column ``top``."""
    parts = value.split(b" ")
    lo, _, hi = parts[-1].partition(b":")
    if hi.isdigit() and int(hi) < top:
        parts[-1] = lo + b":" + str(top).encode()
    return b" ".join(parts)


_FRAME_EDITED = ("dimension", "cols", "mergeCells", "conditionalFormatting")


def _top_level_spans(data: bytes) -> list[tuple[str, int, int]]:
    """(local name, start, end) of each child element of the root, by expat's byte offsets."""
    parser = expat.ParserCreate(namespace_separator=" ")
    spans: list[tuple[str, int, int]] = []
    depth = 0
    start = 0

    def begin(name: str, attrs: object) -> None:
        nonlocal depth, start
        depth += 1
        if depth == 2:
            start = parser.CurrentByteIndex

    def end(name: str) -> None:
        nonlocal depth
        if depth == 2:
            i = parser.CurrentByteIndex
            # an empty-element tag ends with its start tag
            stop = data.index(b">", i) + 1 if data.startswith(b"</", i) else data.index(b"/>", start) + 2
            spans.append((name.rpartition(" ")[2], start, stop))
        depth -= 1

    parser.StartElementHandler = begin
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unsupported(f"frame: {exc}") from None
    return spans


def _plain_xml(el: etree._Element) -> bytes:
    """An element of the default (main) namespace written out (a conditional format's formula has
    text); others are unsupported."""
    if etree.QName(el).namespace != MAIN or el.prefix is not None or (el.tail or "").strip():
        raise Unsupported("element outside the default namespace")
    attrs = []
    for k, v in el.attrib.items():
        if k.startswith("{"):
            raise Unsupported("namespaced attribute")
        attrs.append(f' {k}="{escape_attr(v)}"')
    name = local(el.tag)
    text = (el.text or "") if len(el) == 0 else ""
    if len(el) and (el.text or "").strip():
        raise Unsupported("mixed content")
    inner = escape_text(text).encode() + b"".join(_plain_xml(c) for c in el)
    head = f"<{name}{''.join(attrs)}".encode()
    return head + b">" + inner + f"</{name}>".encode() if inner else head + b"/>"


def _rewrite_frame(data: bytes, before: etree._Element, after: etree._Element, placeholder: tuple[int, int]
                   ) -> tuple[bytes, int]:
    """``data`` with only the frame elements that changed (dimension, cols, mergeCells, conditional
    formats: removed, replaced or added) rewritten, every other byte kept; returns it and where the
    sheetData placeholder now starts."""
    spans = _top_level_spans(data)
    names = [n for n, _, _ in spans]
    if names != [local(c.tag) for c in before]:
        raise Unsupported("frame children")
    # the elements nobody edits keep their order: each is known by its place among them, the edited
    # kinds by their canonical XML
    a, b = _frame_keys(before), _frame_keys(after)
    edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if any(local(after[j].tag) not in _FRAME_EDITED for j in range(j1, j2)) or \
                any(names[i] not in _FRAME_EDITED for i in range(i1, i2)):
            raise Unsupported("an element outside the edited kinds changed")
        piece = b"".join(_plain_xml(after[j]) for j in range(j1, j2))
        if i1 < i2:
            edits.append((spans[i1][1], spans[i2 - 1][2], piece))
        elif i1 < len(spans):  # new: before the element that follows it
            edits.append((spans[i1][1], spans[i1][1], piece))
        else:
            raise Unsupported("no element after the new one")
    out: list[bytes] = []
    pos = 0
    at = placeholder[0]
    for s, e, piece in sorted(edits, key=lambda x: x[0]):
        out.append(data[pos:s])
        out.append(piece)
        if e <= placeholder[0]:  # before the placeholder (an insertion right at it too)
            at += len(piece) - (e - s)
        pos = e
    out.append(data[pos:])
    return b"".join(out), at


def _frame_keys(root: etree._Element) -> list[tuple[str, int | bytes]]:
    out: list[tuple[str, int | bytes]] = []
    fixed = 0
    for child in root:
        name = local(child.tag)
        if name in _FRAME_EDITED:
            out.append((name, etree.tostring(child, method="c14n", with_tail=False)))
        else:
            out.append(("", fixed))
            fixed += 1
    return out


def _splice_frame(frame: etree._Element, element: bytes, original: bytes) -> bytes:
    """The edited frame serialized by lxml, with the sheetData ``element`` put in its place."""
    ns = etree.QName(frame).namespace or MAIN
    sd = frame.find(q("sheetData", ns))
    if sd is None:
        raise Unsupported("sheetData moved")
    marker = etree.ProcessingInstruction("kp-sheet-data")
    marker.tail = sd.tail
    sd.addprevious(marker)
    frame.remove(sd)
    framed = serialize(frame, original)
    token = etree.tostring(marker, with_tail=False)
    at = framed.find(token)
    if at < 0 or framed.find(token, at + 1) >= 0:
        raise Unsupported("frame marker")
    return framed[:at] + element + framed[at + len(token):]


