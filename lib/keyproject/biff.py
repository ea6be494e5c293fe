"""What a legacy workbook (.xls, WPS .et) holds, learnt from its BIFF records before any parser sees it.

Excel 97-2003 ``.xls`` files and WPS Spreadsheets ``.et`` files are both OLE compound documents whose
``Workbook`` stream (``Book`` for Excel 5/95) is a sequence of BIFF records; WPS adds streams of its
own beside it, which are ignored. python-calamine reads these files, but unlike ``.xlsx`` it parses
*every* sheet as soon as the workbook is opened and allocates a dense grid per sheet (values and
formulas) spanning its cells, after reserving room for the extent its ``DIMENSIONS`` record declares.
A stray cell far away, or a corrupt ``DIMENSIONS``, aborts the whole process (tafia/calamine#693).
So the extent of every sheet is bounded here first, from the same records calamine reads:

- ``BOUNDSHEET`` gives each sheet's name, visibility, kind (worksheet, Excel 4 macro sheet, chart,
  VBA module) and where its substream starts;
- in each worksheet substream, the cell records calamine turns into cells (NUMBER, LABEL, RSTRING,
  BOOLERR, RK, MULRK, LABELSST, FORMULA) give the extent counted from A1, as the reader builds its
  grid; ``DIMENSIONS`` gives what calamine reserves; nested substreams (embedded charts) are skipped
  as calamine skips them;
- ``COLINFO`` gives hidden columns, and each FORMULA's parsed tokens say whether it refers to another
  sheet (3-D references: a summary sheet of cross-sheet formulas is not a project sheet);
- ``FILEPASS`` marks a password-protected workbook, ``CODEPAGE`` how BIFF5 names are encoded.

The OLE container itself is parsed by ``olefile``. Everything here is read-only and bounded by the
file size the safety checks already allow.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

# record types (MS-XLS 2.3)
_BOF, _EOF, _BOUNDSHEET, _CODEPAGE, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x0042, 0x002F
_DIMENSIONS, _COLINFO, _CONTINUE = 0x0200, 0x007D, 0x003C
_FORMULA, _SHRFMLA, _MULRK = 0x0006, 0x04BC, 0x00BD
# NUMBER LABEL RSTRING BOOLERR RK LABELSST
_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD))

SHEET_KINDS = {0x00: "worksheet", 0x01: "macrosheet", 0x02: "chartsheet", 0x06: "module"}
SHEET_STATES = {0x00: "visible", 0x01: "hidden", 0x02: "veryHidden"}
BIFF8, BIFF5 = 0x0600, 0x0500


class BiffError(ValueError):
    """The stream is not BIFF a reader can walk (truncated, corrupt or too old); the message is English
    and for logs: callers turn it into a Chinese message from ``too_old``, never from the text."""

    def __init__(self, message: str, *, too_old: bool = False) -> None:
        super().__init__(message)
        self.too_old = too_old  # a BIFF version before BIFF5 (Excel 5.0/95), not a damaged file


@dataclass
class BiffSheet:
    """One sheet of a BIFF workbook as its records describe it."""

    name: str
    state: str  # visible / hidden / veryHidden (anything else is reported as ``state_code``)
    kind: str  # worksheet / macrosheet / chartsheet / module / unknown
    offset: int  # where its BOF is in the Workbook stream
    state_code: int = 0
    kind_code: int = 0
    rows: int = 0  # extent from A1 of the cells calamine will build
    cols: int = 0
    far_cell: tuple[int, int] | None = None  # 0-based (row, col) of the farthest cell seen
    declared_cells: int = 0  # what DIMENSIONS makes calamine reserve, in cells
    declared: str | None = None  # DIMENSIONS as A1:B2
    hidden_columns: set[int] = field(default_factory=set)  # 0-based
    formula_cells: dict[int, int] = field(default_factory=dict)  # column → formulas
    cross_sheet_cells: dict[int, int] = field(default_factory=dict)  # column → formulas with 3-D refs


@dataclass
class BiffWorkbook:
    version: int  # BIFF8 (0x0600) or BIFF5 (0x0500)
    sheets: list[BiffSheet]
    encrypted: bool = False
    codepage: int = 1200


def _records(stream: bytes, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, data with its CONTINUE records appended)."""
    pos, end = start, len(stream)
    while pos + 4 <= end:
        typ, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            raise BiffError(f"record 0x{typ:04X} at {pos} runs past the end of the stream")
        data = stream[pos + 4: pos + 4 + length]
        at = pos
        pos += 4 + length
        while pos + 4 <= end and struct.unpack_from("<H", stream, pos)[0] == _CONTINUE and typ != _CONTINUE:
            (clen,) = struct.unpack_from("<H", stream, pos + 2)
            if pos + 4 + clen > end:
                raise BiffError("CONTINUE record runs past the end of the stream")
            if typ in (_FORMULA, _SHRFMLA):  # the rest of a long formula; other records' continuations
                data += stream[pos + 4: pos + 4 + clen]  # (strings) are not needed here
            pos += 4 + clen
        yield at, typ, data


def _codec(codepage: int) -> str:
    return {1200: "utf-16-le", 936: "gbk", 950: "big5", 65001: "utf-8", 1252: "cp1252", 367: "ascii",
            10000: "mac_roman", 932: "cp932", 949: "cp949"}.get(codepage, f"cp{codepage}")


def _sheet_name(data: bytes, version: int, codepage: int) -> str:
    if len(data) < 8:
        raise BiffError("BOUNDSHEET record too short")
    cch = data[6]
    if version >= BIFF8:
        high = data[7] & 0x01
        raw = data[8: 8 + cch * (2 if high else 1)]
        name = raw.decode("utf-16-le" if high else "latin-1", errors="replace")
    else:
        try:
            name = data[7: 7 + cch].decode(_codec(codepage), errors="replace")
        except LookupError:
            name = data[7: 7 + cch].decode("latin-1")
    return name.replace("\x00", "")


def scan(stream: bytes) -> BiffWorkbook:
    """Walk the Workbook stream: the globals, then each sheet's substream."""
    it = _records(stream)
    try:
        _, typ, data = next(it)
    except StopIteration:
        raise BiffError("empty stream") from None
    if typ != _BOF or len(data) < 4:
        raise BiffError("the stream does not start with a BOF record")
    version = struct.unpack_from("<H", data)[0]
    if version not in (BIFF8, BIFF5):
        raise BiffError(f"BIFF version 0x{version:04X} is not supported", too_old=True)
    book = BiffWorkbook(version=version, sheets=[])
    pending: list[tuple[int, bytes]] = []
    for _, typ, data in it:
        if typ == _EOF:
            break
        if typ == _FILEPASS:
            book.encrypted = True
        elif typ == _CODEPAGE and len(data) >= 2:
            book.codepage = struct.unpack_from("<H", data)[0]
        elif typ == _BOUNDSHEET:
            pending.append((struct.unpack_from("<I", data)[0] if len(data) >= 4 else -1, data))
    for offset, data in pending:
        state_code, kind_code = (data[4] & 0x3F, data[5]) if len(data) >= 6 else (0xFF, 0xFF)
        sheet = BiffSheet(name=_sheet_name(data, version, book.codepage),
                          state=SHEET_STATES.get(state_code, "visible"),
                          kind=SHEET_KINDS.get(kind_code, "unknown"), offset=offset,
                          state_code=state_code, kind_code=kind_code)
        if book.encrypted:  # cell records are encrypted: nothing more can be learnt
            book.sheets.append(sheet)
            continue
        if not 0 <= offset < len(stream):
            raise BiffError(f"sheet {sheet.name!r} starts outside the stream")
        _scan_sheet(stream, sheet)
        book.sheets.append(sheet)
    return book


def _scan_sheet(stream: bytes, sheet: BiffSheet) -> None:
    max_row = max_col = -1
    depth = 0
    seen_bof = False
    shared: list[tuple[int, int, int, int, bool]] = []  # SHRFMLA ranges and whether they are 3-D
    last_formula: tuple[int, int, bool] | None = None  # (row, col, counted as 3-D)
    for _, typ, data in _records(stream, sheet.offset):
        if depth:
            if typ == _BOF:
                depth += 1
            elif typ == _EOF:
                depth -= 1
            continue
        if typ == _BOF:
            if seen_bof:
                depth += 1
            seen_bof = True
            continue
        if typ == _EOF:
            break
        row = col = -1
        if typ in _CELLS or typ == _FORMULA:
            if len(data) < 4:
                raise BiffError(f"cell record 0x{typ:04X} too short")
            row, col = struct.unpack_from("<HH", data)
            if typ == _FORMULA:
                cross = _formula_is_3d(data[20:]) if len(data) >= 22 else False
                if len(data) >= 23 and data[22] == 0x01 and len(data) >= 27:  # ptgExp: a shared formula
                    r0, c0 = struct.unpack_from("<HH", data, 23)
                    cross = any(a <= r0 <= b and c <= c0 <= d and x for a, b, c, d, x in shared)
                sheet.formula_cells[col] = sheet.formula_cells.get(col, 0) + 1
                if cross:
                    sheet.cross_sheet_cells[col] = sheet.cross_sheet_cells.get(col, 0) + 1
                last_formula = (row, col, cross)
        elif typ == _MULRK:
            if len(data) < 6:
                raise BiffError("MULRK record too short")
            row, first = struct.unpack_from("<HH", data)
            (col,) = struct.unpack_from("<H", data, len(data) - 2)
            col = max(col, first)
        elif typ == _SHRFMLA and len(data) >= 8:
            r0, r1, c0, c1 = struct.unpack_from("<HHBB", data)
            is3d = _formula_is_3d(data[8:]) if len(data) >= 10 else False
            shared.append((r0, r1, c0, c1, is3d))
            if last_formula is not None and is3d and not last_formula[2]:  # the master cell itself
                c = last_formula[1]
                sheet.cross_sheet_cells[c] = sheet.cross_sheet_cells.get(c, 0) + 1
                last_formula = (last_formula[0], c, True)
        elif typ == _DIMENSIONS:
            _dimensions(sheet, data)
        elif typ == _COLINFO and len(data) >= 10:
            first, last, _w, _xf, options = struct.unpack_from("<HHHHH", data)
            if options & 0x0001:
                sheet.hidden_columns.update(range(first, min(last, 16383) + 1))
        if row >= 0:
            if row > max_row:
                max_row = row
            if col > max_col:
                max_col = col
            far = sheet.far_cell
            if far is None or (row + 1) * (col + 1) > (far[0] + 1) * (far[1] + 1):
                sheet.far_cell = (row, col)
    sheet.rows, sheet.cols = max_row + 1, max_col + 1


def _dimensions(sheet: BiffSheet, data: bytes) -> None:
    """What calamine reserves from DIMENSIONS (its own arithmetic, MS-XLS 2.4.90)."""
    if len(data) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", data)
    else:
        return
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl >= 1 and cl >= 1:
        rows, cols = max(rl - 1 - rf + 1, 0), max(cl - 1 - cf + 1, 0)
    else:
        rows = cols = 1
    sheet.declared_cells = rows * cols
    if rl >= 1 and cl >= 1:
        sheet.declared = f"{_a1(rf, cf)}:{_a1(rl - 1, cl - 1)}"


def _a1(row: int, col: int) -> str:
    letters = ""
    c = col + 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def a1(cell: tuple[int, int]) -> str:
    """"XFD1048576" for a 0-based (row, col)."""
    return _a1(*cell)


# fixed operand sizes of BIFF8 parsed-expression tokens (MS-XLS 2.5.198), by base token
_PTG_SIZE = {0x01: 4, 0x02: 4, **{p: 0 for p in range(0x03, 0x17)}, 0x1C: 1, 0x1D: 1, 0x1E: 2, 0x1F: 8,
             0x20: 7, 0x21: 2, 0x22: 3, 0x23: 4, 0x24: 4, 0x25: 8, 0x26: 6, 0x27: 6, 0x28: 6, 0x29: 2,
             0x2A: 4, 0x2B: 8, 0x2C: 4, 0x2D: 8, 0x39: 6, 0x3A: 6, 0x3B: 10, 0x3C: 6, 0x3D: 10}
_PTG_3D = frozenset((0x3A, 0x3B, 0x3C, 0x3D))


def _formula_is_3d(block: bytes) -> bool:
    """Does a formula (``cce`` then ``rgce``) refer to another sheet? Tokens are walked one by one;
    an unknown token ends the walk (the formula then counts as not cross-sheet)."""
    if len(block) < 2:
        return False
    (cce,) = struct.unpack_from("<H", block)
    rgce = block[2: 2 + cce]
    i = 0
    while i < len(rgce):
        ptg = rgce[i]
        base = ptg if ptg < 0x20 else 0x20 | (ptg & 0x1F)
        i += 1
        if base in _PTG_3D:
            return True
        if base == 0x17:  # ptgStr: cch, flags, characters
            if i + 2 > len(rgce):
                return False
            cch, flags = rgce[i], rgce[i + 1]
            i += 2 + cch * (2 if flags & 1 else 1)
        elif base == 0x19:  # ptgAttr: grbit, w (+ a jump table for tAttrChoose)
            if i + 3 > len(rgce):
                return False
            grbit = rgce[i]
            (w,) = struct.unpack_from("<H", rgce, i + 1)
            i += 3 + (2 * (w + 1) if grbit & 0x04 else 0)
        elif base in _PTG_SIZE:
            i += _PTG_SIZE[base]
        else:
            return False
    return False
