"""Checks a workbook must pass before any parser sees it.

``check_workbook(path)`` refuses, with a Chinese ``LedgerFileError`` that names the file, says what is
wrong and what to do: a missing file, a file over the size limit, encrypted or password-protected
workbooks (an OLE file with an ``EncryptionInfo`` stream, or a BIFF ``FILEPASS`` record), Word or
PowerPoint files, CSV or other text, .xlsb, .ods, random bytes, a damaged zip or OLE container, zip
bombs, XML with a document type definition (entity expansion, "billion laughs"), and a zip without a
workbook.

Zip bombs: the total uncompressed size is capped (``max_uncompressed_bytes``), and a member whose
compression ratio is over ``max_ratio`` is refused only when it is also large in absolute terms
(``ratio_floor_bytes``): a genuine Excel-for-Mac sheet of long repeated strings compresses 250× to
a 57 MB part and is read; a bomb has to expand to something big to be one. Every member is streamed
once, so a size its header lies about fails its CRC check here, not in a parser.

Two container formats are accepted:

- **xlsx/xlsm** (OOXML zip, transitional or ISO/IEC 29500 Strict namespaces). Every ``<sheet>`` of the
  workbook is listed with its kind: worksheets, chart sheets, dialog sheets, Excel 4 macro sheets,
  and entries whose relationship or part is missing. Only worksheets hold cells the reader reads;
  the others are listed so the reader can say why it skipped them. Things python-calamine cannot
  open (a macro sheet, a ``state="show"`` value, a sheet entry without a relationship, UTF-16 XML,
  whole-row or whole-column merge references such as ``A:A``, a malformed ``<dimension>``) are noted
  in ``WorkbookInfo.repairs``; ``xlsx.Workbook`` hands calamine an in-memory copy with exactly those
  normalised (the file itself is never changed).
- **xls and WPS .et** (OLE compound file holding a BIFF5/BIFF8 ``Workbook`` stream; WPS's own
  streams beside it are ignored). ``keyproject.biff`` walks the records first: calamine parses every
  sheet of such a file at once, so every sheet's extent is bounded before it is opened.

Extents (both formats): python-calamine allocates a dense grid spanning the cells that hold a value and
aborts the whole process (uncatchable) when that grid is enormous (tafia/calamine#693). A huge
declared ``<dimension ref>`` alone is harmless for xlsx (checked: calamine sizes from the cells), and a
dimension may lie either way, so the extent is taken from the cell references themselves: a quick
pass over ``<row r>`` and the column letters bounds it, and only a sheet whose bound is over the limit
gets the exact scan of every cell that holds a value (``keyproject.package.cell_scan``: byte scans,
the one place cells are read without a parser, measured ten times faster than one). A sheet whose
real extent (counted from A1, as the reader builds its grid) is still over ``max_cells`` is not
handed to any parser:
``SheetInfo.too_large`` is set and ``xlsx.Workbook.grid`` raises a clear error naming the far cell.
For BIFF, calamine also reserves what ``DIMENSIONS`` declares, so that is bounded too; and since it
opens all sheets together, one sheet over the limit makes the whole file refused, naming that sheet.

The package is read by ``keyproject.package`` only: the sheet entries by its workbook and relationship
parts, each worksheet's frame (dimension, hidden columns, merges: everything but the cells) by
``package.frame``, parsed with lxml's safe parser; keyproject's marks by ``package.marks``.

While each worksheet's XML is in memory anyway, the checks also note its hidden columns (``<cols>``).
How many formulas each column holds and how many refer to another sheet (a summary sheet of
cross-sheet formulas is not a project sheet) is noted by the BIFF walk, and read on demand for xlsx
(``formula_stats``: only a choice between several sheets needs it).
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from keyproject import biff
from keyproject.errors import FileReason, LedgerFileError
from keyproject.package import cell_scan
from keyproject.package.frame import read_frame
from keyproject.package.marks import read_marks
from keyproject.package.relationships import Relationships, rels_part
from keyproject.package.workbook import WorkbookPart
from keyproject.package.xml import STRICT_MAIN, as_utf8, is_utf16, parse

# the extensions of the files read_ledger reads (the content decides; these are what to look for in a
# folder of submissions): OOXML workbooks and BIFF ones (.xls, WPS .et)
READABLE_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".et")
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError)
_WORKBOOK = "xl/workbook.xml"
_STATES = {"visible": "visible", "hidden": "hidden", "veryHidden": "veryHidden"}
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_REOPEN = "在Excel或WPS中打开（必要时用“打开并修复”），另存为.xlsx后再试"
_WHAT_TO_DO = "请" + _REOPEN
_ENCRYPTED = "工作簿设置了打开密码（已加密），无法读取：请在Excel或WPS中取消密码后另存为.xlsx"


@dataclass(frozen=True)
class Limits:
    """Thresholds of the checks; every one can be changed by the caller."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_ratio: float = 200.0  # per member, refused only together with ratio_floor_bytes
    ratio_floor_bytes: int = 100 * 1024 * 1024  # a member this large (uncompressed) and that compressed
    max_cells: int = 10_000_000  # rows x columns of a sheet's grid counted from A1
    # a TOML or CSV file handed beside a ledger (rules, a holiday calendar, steps) is a few KB
    max_text_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # zip member of the worksheet XML ("" for BIFF and in-memory sheets)
    state: str  # visible / hidden / veryHidden
    declared: str | None  # the <dimension ref> (BIFF: DIMENSIONS) as written, may be missing or wrong
    rows: int  # grid extent from A1 (bound or exact, see ``exact``)
    cols: int
    exact: bool  # True when rows/cols come from scanning every valued cell
    far_cell: str | None = None  # the cell that makes the sheet too large
    # worksheet / chartsheet / dialogsheet / macrosheet / module / missing (no part or relationship)
    kind: str = "worksheet"
    position: int = 0  # index among the workbook's sheet entries, in workbook order
    hidden_columns: frozenset[int] = frozenset()  # 0-based
    # per 0-based column, formulas and those citing other sheets: known here for BIFF; for xlsx
    # ``xlsx.Workbook.formula_stats`` reads them on demand
    formula_cells: Mapping[int, int] = field(default_factory=dict)
    cross_sheet_cells: Mapping[int, int] = field(default_factory=dict)
    may_cite_sheets: bool = True  # False when the sheet XML has no "!" at all

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def too_large(self) -> bool:
        return self.far_cell is not None


@dataclass(frozen=True)
class WorkbookInfo:
    path: Path
    sheets: list[SheetInfo] = field(default_factory=list)  # worksheets, in workbook order
    limits: Limits = field(default_factory=Limits)
    # sheets an earlier refresh wrote (custom property schema.OWNED_SHEETS_PROPERTY): not user data
    owned_sheets: frozenset[str] = frozenset()
    format: str = "xlsx"  # "xlsx" (OOXML zip) or "xls" (BIFF in an OLE file: .xls, WPS .et)
    # the workbook's other sheet entries (chart, dialog and macro sheets, VBA modules, entries without
    # a part), in workbook order: never read, listed so the reader can say why
    others: list[SheetInfo] = field(default_factory=list)
    # zip members calamine cannot open as they are → what to normalise ("utf16", "sheets", "refs")
    repairs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    owned_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    recorded_as_of: dt.date | None = None  # PERIOD_PROPERTY, written by an earlier refresh
    strict: bool = False  # ISO/IEC 29500 Strict namespaces

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    @property
    def entries(self) -> list[SheetInfo]:
        """Every sheet entry (worksheets and the others) in workbook order."""
        return sorted([*self.sheets, *self.others], key=lambda s: s.position)

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        other = next((s for s in self.others if s.name == name), None)
        if other is not None:
            kind = KIND_LABELS.get(other.kind, "非数据工作表")
            raise LedgerFileError(f"“{name}”是{kind}，不是存放数据的工作表", file=self.path)
        names = "、".join(self.sheet_names)
        raise LedgerFileError(f"没有名为“{name}”的工作表（现有：{names}）", file=self.path)


KIND_LABELS = {"chartsheet": "图表工作表", "dialogsheet": "对话框工作表", "macrosheet": "Excel 4.0宏表",
               "module": "VBA模块表", "missing": "缺少数据部件的工作表", "unknown": "未知类型的工作表"}


def _fail(path: Path, message: str, reason: FileReason | None = None) -> LedgerFileError:
    """The error for a file that cannot be read, with why as data (``LedgerFileError.reason``)."""
    return LedgerFileError(message, file=path, reason=reason)


def check_text_file(path: str | Path, what: str, limits: Limits | None = None) -> Path:
    """A TOML or CSV file a user hands keyproject (rules, a holiday calendar, steps): it exists, is a
    file and is within ``max_text_bytes``, before anything parses it. ``what`` names it in the
    message ("规则文件")."""
    path = Path(path)
    limits = limits or Limits()
    if not path.exists():
        raise _fail(path, f"{what}不存在", "missing")
    if not path.is_file():
        raise _fail(path, f"{what}是一个文件夹，不是文件", "format")
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        cap = limits.max_text_bytes / 1048576
        raise _fail(path, f"{what}大小{size / 1048576:.1f}MB，超过上限{cap:.0f}MB，"
                          "不像是规则、节假日或步骤文件，拒绝读取", "unsafe")
    return path


def check_workbook(path: str | Path, limits: Limits | None = None) -> WorkbookInfo:
    """Run every check on ``path``; return what was learnt about its sheets."""
    path = Path(path)
    limits = limits or Limits()
    if not path.exists():
        raise _fail(path, "文件不存在", "missing")
    if path.is_dir():
        raise _fail(path, "这是一个文件夹，不是Excel文件", "format")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "文件是空的（0字节）", "empty")
    if size > limits.max_file_bytes:
        raise _fail(path, f"文件大小{size / 1048576:.1f}MB，超过上限{limits.max_file_bytes / 1048576:.0f}MB",
                    "unsafe")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        return _check_ole(path, limits)
    if not head.startswith(ZIP_MAGIC):
        raise _fail(path, _not_zip_message(path), "format")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _fail(path, "文件已损坏，不是完整的xlsx压缩包（可能下载或复制不完整）：请重新获取文件，或"
                    + _REOPEN, "damaged") from None
    with zf:
        _check_members(path, zf, limits)
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            raise _fail(path, _zip_kind_message(names), "format")
        repairs: dict[str, set[str]] = {}
        entries, strict = _sheet_entries(path, zf, repairs)
        # the worksheets are read whole below (ZipFile.read checks their CRC): stream the rest once
        _stream_all(path, zf, repairs, skip={part for _, part, _, kind in entries if kind == "worksheet"})
        sheets: list[SheetInfo] = []
        others: list[SheetInfo] = []
        for pos, (name, part, state, kind) in enumerate(entries):
            if kind == "worksheet":
                sheets.append(_measure(path, zf, name, part, state, pos, limits, repairs))
            else:
                others.append(SheetInfo(name, part, state, None, 0, 0, True, kind=kind, position=pos))
        marks = read_marks(zf)  # keyproject.package.marks: the one parser of keyproject's marks
    return WorkbookInfo(path=path, sheets=sheets, limits=limits, owned_sheets=frozenset(marks.sheets),
                        others=others, repairs={k: frozenset(v) for k, v in repairs.items()},
                        owned_columns=marks.columns, recorded_as_of=marks.period, strict=strict)


# -- what a file that is not an xlsx zip is ------------------------------------------------------

def _check_ole(path: Path, limits: Limits) -> WorkbookInfo:
    """An OLE compound file: an encrypted OOXML package, a BIFF workbook (.xls, WPS .et), or else."""
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except Exception:  # olefile raises several kinds on a damaged container
        raise _fail(path, *_ole_message(path)) from None
    with ole:
        streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
        lower = {s.lower() for s in streams}
        if "encryptioninfo" in lower or "encryptedpackage" in lower:
            raise _fail(path, _ENCRYPTED, "password")
        name = next((n for n in ("Workbook", "Book", "WORKBOOK", "BOOK") if n in streams), None)
        if name is None:
            if "worddocument" in lower:
                raise _fail(path, "这是Word文档，不是Excel工作簿", "format")
            if "powerpoint document" in lower:
                raise _fail(path, "这是PowerPoint文档，不是Excel工作簿", "format")
            raise _fail(path, "这是旧版Office格式的文件，但其中没有工作簿数据，无法读取："
                              "请用Excel或WPS另存为.xlsx", "format")
        try:
            stream = ole.openstream(name).read()
        except Exception:
            raise _fail(path, "文件已损坏（工作簿数据流无法读出）：" + _WHAT_TO_DO, "damaged") from None
    try:
        book = biff.scan(stream)
    except biff.BiffError as exc:
        words = "版本过旧" if exc.too_old else "已损坏"
        raise _fail(path, f"这是旧版Excel格式（.xls/.et），但文件{words}，无法读取：{_WHAT_TO_DO}",
                    "format" if exc.too_old else "damaged") from None
    if book.encrypted:
        raise _fail(path, _ENCRYPTED, "password")
    sheets: list[SheetInfo] = []
    others: list[SheetInfo] = []
    for pos, s in enumerate(book.sheets):
        if s.kind != "worksheet":
            others.append(SheetInfo(s.name, "", s.state, None, 0, 0, True, kind=s.kind, position=pos))
            continue
        far = None
        if s.rows * s.cols > limits.max_cells and s.far_cell is not None:
            far = biff.a1(s.far_cell)
        elif s.declared_cells > limits.max_cells:
            far = (s.declared or "").split(":")[-1] or "?"
        if far is not None:  # calamine would build this sheet as soon as the file is opened
            raise LedgerFileError(
                f"工作表的数据范围过大（远到{far}，超过上限{limits.max_cells}个单元格），整个.xls/.et文件无法安全读取："
                "请在Excel或WPS中删除远处的多余内容（或另存为.xlsx）后再试", file=path, sheet=s.name)
        sheets.append(SheetInfo(s.name, "", s.state, s.declared, s.rows, s.cols, True, kind="worksheet",
                                position=pos, hidden_columns=frozenset(s.hidden_columns),
                                formula_cells=dict(s.formula_cells),
                                cross_sheet_cells=dict(s.cross_sheet_cells)))
    return WorkbookInfo(path=path, sheets=sheets, limits=limits, format="xls", others=others)


def _ole_message(path: Path) -> tuple[str, FileReason]:
    """For an OLE file olefile cannot parse: guess from the stream names in its directory."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return _ENCRYPTED, "password"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "这是旧版Excel格式（.xls/.et），但文件已损坏，无法读取：" + _WHAT_TO_DO, "damaged"
    return "这是旧版Office格式或加密的文件，已损坏或无法识别：请在Excel或WPS中取消密码并另存为.xlsx", "format"


def _not_zip_message(path: Path) -> str:
    if path.name.startswith("~$"):
        return ("这是Excel或WPS打开工作簿时留下的临时锁定文件（文件名以“~$”开头），不是工作簿："
                "请打开不带“~$”的原文件")
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if b"\x00" not in sample:
        for enc in ("utf-8", "gb18030"):
            try:
                text = sample.decode(enc)
            except UnicodeDecodeError:
                continue
            lower = text.lstrip("\ufeff").lstrip().lower()
            if lower.startswith(("<html", "<!doctype", "<?xml", "<table")):
                return ("这是网页或XML文本（可能是系统导出的“假xls”），不是xlsx工作簿："
                        "请用Excel或WPS打开后另存为.xlsx")
            if "," in text or "\t" in text:
                return "这是文本文件（可能是CSV），不是xlsx工作簿：请用Excel或WPS打开后另存为.xlsx"
            return "这是文本文件，不是xlsx工作簿"
    return "不是Excel工作簿（.xlsx/.xlsm/.xls/.et），无法读取"


def _zip_kind_message(names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return "这是Excel二进制工作簿（.xlsb），不支持：请另存为.xlsx"
    if "mimetype" in names and "content.xml" in names:
        return "这是OpenDocument表格（.ods），不支持：请另存为.xlsx"
    if "word/document.xml" in names:
        return "这是Word文档，不是Excel工作簿"
    if "ppt/presentation.xml" in names:
        return "这是PowerPoint文档，不是Excel工作簿"
    return "压缩包里没有工作簿（缺少“xl/workbook.xml”），不是xlsx文件"


# -- the zip members ------------------------------------------------------------------------------

def _check_members(path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            mb = limits.max_uncompressed_bytes / 1048576
            raise _fail(path, f"解压后超过{mb:.0f}MB，疑似压缩炸弹，拒绝读取", "unsafe")
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _fail(path, f"压缩比异常（“{info.filename}”解压后{info.file_size / 1048576:.0f}MB，"
                                  f"压缩比{ratio:.0f}倍），疑似压缩炸弹，拒绝读取", "unsafe")


def _xml_head(head: bytes) -> bytes:
    """The start of an XML part as ASCII-compatible bytes (UTF-16 decoded)."""
    return as_utf8(head)


def _stream_all(path: Path, zf: zipfile.ZipFile, repairs: dict[str, set[str]], skip: set[str]) -> None:
    """Decompress every member once: a lying size header or corruption fails here, not in a parser.
    XML parts are refused when they declare a DTD and noted for repair when they are UTF-16.

    ``skip``: the worksheets, read whole and checked the same way by ``_measure``."""
    for info in zf.infolist():
        if info.filename in skip:
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(1 << 16)
                while fh.read(1 << 20):
                    pass
        except _ZIP_ERRORS:
            raise _fail(path, f"文件已损坏（压缩包中的“{info.filename}”校验失败），无法读取："
                              f"{_WHAT_TO_DO}", "damaged") from None
        if info.filename.lower().endswith(_XML_SUFFIXES):
            _check_xml_head(path, info.filename, head, repairs)


def _check_xml_head(path: Path, member: str, head: bytes, repairs: dict[str, set[str]]) -> None:
    """A DTD (entity expansion) is refused; UTF-16 is noted for the copy calamine opens."""
    if is_utf16(head):
        repairs.setdefault(member, set()).add("utf16")
    text = _xml_head(head[: 1 << 16])
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise _fail(path, f"“{member}”含有XML文档类型定义（DTD/实体），可能是恶意构造的“XML炸弹”，"
                          "不安全，拒绝读取：请向来源核实文件，或在Excel/WPS中打开后另存为.xlsx", "unsafe")


def _read_xml(path: Path, zf: zipfile.ZipFile, member: str) -> bytes:
    """A small XML part, checked for a DTD and parsed once safely (``keyproject.package.xml``), so
    a damaged one is named here rather than in a parser after it."""
    try:
        data = zf.read(member)
    except KeyError:
        raise _fail(path, f"文件结构不完整（缺少“{member}”）：{_WHAT_TO_DO}", "damaged") from None
    except _ZIP_ERRORS:
        raise _fail(path, f"文件已损坏（“{member}”无法解压）：{_WHAT_TO_DO}", "damaged") from None
    _check_xml_head(path, member, data[: 1 << 16], {})
    try:
        parse(data, member)
    except (LedgerFileError, ValueError, etree.LxmlError):  # malformed, or an encoding lxml refuses
        raise _fail(path, f"文件已损坏（“{member}”不是有效的XML）：{_WHAT_TO_DO}", "damaged") from None
    return data


def _sheet_entries(path: Path, zf: zipfile.ZipFile, repairs: dict[str, set[str]]
                   ) -> tuple[list[tuple[str, str, str, str]], bool]:
    """(name, part, state, kind) of every <sheet> of the workbook, and whether it is Strict OOXML,
    read by the package's own workbook and relationship parts (``keyproject.package``)."""
    _read_xml(path, zf, "_rels/.rels")  # calamine needs the package relationships: a clear error first
    data = _read_xml(path, zf, _WORKBOOK)
    rels_name = rels_part(_WORKBOOK)
    rels = Relationships(_WORKBOOK, _read_xml(path, zf, rels_name) if rels_name in zf.namelist() else None)
    wb = WorkbookPart(data, rels)
    names = set(zf.namelist())
    out = []
    needs = False
    for entry in wb.sheets():
        raw_state = entry.state
        state = _STATES.get(raw_state, "hidden" if raw_state.lower() in ("hidden", "hide") else "visible")
        part, kind = entry.part or "", entry.kind
        if kind != "missing" and part not in names:
            kind = "missing"
        if kind in ("macrosheet", "missing") or raw_state not in _STATES:
            needs = True
        out.append((entry.name, part, state, kind))
    if needs:
        repairs.setdefault(_WORKBOOK, set()).add("sheets")
    return out, wb.ns == STRICT_MAIN


def formula_stats(path: Path, part: str) -> tuple[dict[int, int], dict[int, int]]:
    """Per 0-based column of a worksheet part: formula cells, and those whose formula refers to
    another sheet (``package.cell_scan.formula_counts``). Read on demand (only a choice between
    several sheets needs it)."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read(part)
    return cell_scan.formula_counts(as_utf8(data))


def _measure(path: Path, zf: zipfile.ZipFile, name: str, part: str, state: str, position: int,
             limits: Limits, repairs: dict[str, set[str]]) -> SheetInfo:
    try:
        data = zf.read(part)
    except KeyError:
        raise _fail(path, f"工作表“{name}”的数据缺失（“{part}”）：{_WHAT_TO_DO}") from None
    except _ZIP_ERRORS:
        raise _fail(path, f"文件已损坏（“{part}”无法解压）：{_WHAT_TO_DO}") from None
    _check_xml_head(path, part, data[: 1 << 16], repairs)
    if "utf16" in repairs.get(part, ()):
        data = as_utf8(data)
    try:
        frame = read_frame(data, part)  # dimension, hidden columns, merges: parsed, the cells left out
    except (LedgerFileError, ValueError, etree.LxmlError):
        raise _fail(path, f"文件已损坏（工作表“{name}”的“{part}”不是有效的XML）：{_WHAT_TO_DO}",
                    "damaged") from None
    if frame.bad_refs:
        repairs.setdefault(part, set()).add("refs")
    # a formula citing another sheet has a "!"; without one anywhere there is nothing to read later
    extra = {"kind": "worksheet", "position": position, "hidden_columns": frame.hidden_columns,
             "may_cite_sheets": b"!" in data}
    # the extent, from the cells themselves (package.cell_scan: byte scans, measured faster than a parse)
    prefixed = b":worksheet" in data[:4096]  # <x:worksheet …>: elements carry a namespace prefix
    rows = cell_scan.row_bound(data, prefixed)
    # the widest column the limit allows at this height; one search finds any cell beyond it (no
    # three-letter column at all means nothing past ZZ, the cheap answer for ordinary ledgers)
    allowed = min(16384, limits.max_cells // max(rows, 1))
    if allowed >= 1 and (allowed == 16384 or (allowed >= 702 and not cell_scan.three_letter_refs(data))
                         or not cell_scan.refs_beyond(allowed, data)):
        return SheetInfo(name, part, state, frame.dimension, rows, allowed, exact=False,
                         **extra)  # type: ignore[arg-type]
    # suspicious: find the real extent of the cells that hold something
    max_row, max_col, far = cell_scan.valued_extent(data, limits.max_cells)
    return SheetInfo(name, part, state, frame.dimension, max_row, max_col, exact=True, far_cell=far,
                     **extra)  # type: ignore[arg-type]
