"""Checks a workbook must pass before any parser sees it.

``check_workbook(path)`` refuses, with a Chinese ``LedgerFileError`` naming the file: a missing
file, a file over the size limit, anything that is not an xlsx/xlsm zip (legacy .xls, encrypted
or password-protected workbooks (both are OLE files; an ``EncryptionInfo`` stream tells them
apart), CSV or other text, .xlsb, .ods, random bytes), zip bombs (total uncompressed size or a
member's compression ratio over the limits; every member is streamed once so a size a member's
header lies about fails its CRC check), and a zip without ``xl/workbook.xml``.

It also measures each worksheet's extent. python-calamine allocates a dense grid spanning the
cells that hold a value and aborts the whole process (uncatchable) when that grid is enormous
(tafia/calamine#693). A huge declared ``<dimension ref>`` alone is harmless (checked: calamine
sizes from the cells), and a dimension may lie either way, so the extent is taken from the cell
references themselves: a quick pass over ``<row r>`` and the column letters bounds it, and only a
sheet whose bound is over the limit gets the exact scan of every cell that holds a value. A sheet
whose real extent (counted from A1, as the reader builds its grid) is still over ``max_cells`` is
not handed to any parser: ``SheetInfo.too_large`` is set and ``xlsx.load_sheet`` raises a clear
error naming the far cell (a ledger with a stray value in XFD1048576 must have it deleted; no
streaming fallback is attempted because the reader needs the dense grid anyway).
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET
from openpyxl.utils import column_index_from_string, get_column_letter

from keyproject.errors import FileReason, LedgerFileError
from keyproject.schema import OWNED_COLUMNS_PROPERTY, OWNED_SHEETS_PROPERTY

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET_REL = "/worksheet"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError)


@dataclass(frozen=True)
class Limits:
    """Thresholds of the checks; every one can be changed by the caller."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_ratio: float = 200.0  # per member, for members over 1 MB uncompressed
    max_cells: int = 10_000_000  # rows x columns of a sheet's grid counted from A1


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # zip member of the worksheet XML
    state: str  # visible / hidden / veryHidden
    declared: str | None  # the <dimension ref> as written, may be missing or wrong
    rows: int  # grid extent from A1 (bound or exact, see ``exact``)
    cols: int
    exact: bool  # True when rows/cols come from scanning every valued cell
    far_cell: str | None = None  # the cell that makes the sheet too large

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def too_large(self) -> bool:
        return self.far_cell is not None


@dataclass(frozen=True)
class WorkbookInfo:
    path: Path
    sheets: list[SheetInfo] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    # sheets an earlier refresh wrote (custom property schema.OWNED_SHEETS_PROPERTY): not user data
    owned_sheets: frozenset[str] = frozenset()

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        names = "、".join(self.sheet_names)
        raise LedgerFileError(f"没有名为“{name}”的工作表（现有：{names}）", file=self.path)


def _fail(path: Path, message: str, reason: FileReason | None = None) -> LedgerFileError:
    return LedgerFileError(message, file=path, reason=reason)


def check_workbook(path: str | Path, limits: Limits | None = None) -> WorkbookInfo:
    """Run every check on ``path``; return what was learnt about its worksheets."""
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
        raise _fail(path, *_ole_message(path))
    if not head.startswith(ZIP_MAGIC):
        raise _fail(path, _not_zip_message(path), "format")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, f"文件已损坏，无法作为xlsx打开（{exc}）", "damaged") from None
    with zf:
        _check_members(path, zf, limits)
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            raise _fail(path, _zip_kind_message(names), "format")
        sheets = _worksheets(path, zf)
        infos = [_measure(path, zf, name, part, state, limits) for name, part, state in sheets]
        _stream_all(path, zf, skip={i.part for i in infos})
        owned = frozenset(read_marks(zf)[0])
    return WorkbookInfo(path=path, sheets=infos, limits=limits, owned_sheets=owned)


def read_marks(zf: zipfile.ZipFile) -> tuple[list[str], dict[str, dict[str, str]]]:
    """What an earlier refresh recorded as keyproject's in the custom document properties: its
    sheets (``OWNED_SHEETS_PROPERTY``) and, per ledger sheet, its columns (``OWNED_COLUMNS_PROPERTY``,
    header → letter). ([], {}) for a workbook never refreshed or with unreadable properties."""
    try:
        root = SafeET.fromstring(zf.read("docProps/custom.xml"))
    except Exception:  # absent or unreadable custom properties only mean nothing is known to be ours
        return [], {}
    values: dict[str, object] = {}
    for prop in root:
        name = prop.get("name")
        if name in (OWNED_SHEETS_PROPERTY, OWNED_COLUMNS_PROPERTY):
            try:
                values[name] = json.loads("".join(prop.itertext()))
            except ValueError:
                continue
    sheets = values.get(OWNED_SHEETS_PROPERTY)
    columns = values.get(OWNED_COLUMNS_PROPERTY)
    return ([str(n) for n in sheets] if isinstance(sheets, list) else [],
            {str(k): dict(v) for k, v in columns.items() if isinstance(v, dict)}
            if isinstance(columns, dict) else {})


def _ole_message(path: Path) -> tuple[str, FileReason]:
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return "工作簿设置了打开密码（已加密），无法读取：请在Excel或WPS中取消密码后另存为.xlsx", "password"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "这是旧版Excel 97-2003格式（.xls），不支持：请在Excel或WPS中另存为.xlsx", "format"
    return "这是旧版Office格式或加密的工作簿，无法读取：请在Excel或WPS中取消密码并另存为.xlsx", "format"


def _not_zip_message(path: Path) -> str:
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
    return "不是Excel工作簿（.xlsx/.xlsm），无法读取"


def _zip_kind_message(names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return "这是Excel二进制工作簿（.xlsb），不支持：请另存为.xlsx"
    if "mimetype" in names and "content.xml" in names:
        return "这是OpenDocument表格（.ods），不支持：请另存为.xlsx"
    if "word/document.xml" in names:
        return "这是Word文档，不是Excel工作簿"
    if "ppt/presentation.xml" in names:
        return "这是PowerPoint文档，不是Excel工作簿"
    return "压缩包里没有工作簿（缺少xl/workbook.xml），不是xlsx文件"


def _check_members(path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            mb = limits.max_uncompressed_bytes / 1048576
            raise _fail(path, f"解压后超过{mb:.0f}MB，疑似压缩炸弹，拒绝读取", "unsafe")
        if info.file_size > 1024 * 1024:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _fail(path, f"压缩比异常（{info.filename}：{ratio:.0f}倍），疑似压缩炸弹，拒绝读取",
                            "unsafe")


def _stream_all(path: Path, zf: zipfile.ZipFile, skip: set[str]) -> None:
    """Decompress every member once: a lying size header or corruption fails here, not in a parser.

    ``skip``: the worksheets, already read whole (``ZipFile.read`` checks their CRC).
    """
    for info in zf.infolist():
        if info.filename in skip:
            continue
        try:
            with zf.open(info) as fh:
                while fh.read(1 << 20):
                    pass
        except _ZIP_ERRORS as exc:
            raise _fail(path, f"文件已损坏（{info.filename}：{exc}）", "damaged") from None


def _worksheets(path: Path, zf: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    try:
        wb_xml, rels_xml = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
    except KeyError as exc:
        raise _fail(path, f"文件结构不完整（缺少{exc}）") from None
    except _ZIP_ERRORS as exc:
        raise _fail(path, f"文件已损坏（{exc}）") from None
    try:
        wb = SafeET.fromstring(wb_xml)
        rels = SafeET.fromstring(rels_xml)
    except Exception as exc:  # defusedxml forbids entities/DTDs; malformed XML lands here too
        raise _fail(path, f"工作簿的XML无效或不安全（{type(exc).__name__}）") from None
    targets = {}
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Type", "").endswith(_WORKSHEET_REL):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id")] = part
    out = []
    for sh in wb.iter(f"{_NS_MAIN}sheet"):
        rid = sh.get(f"{_NS_REL}id")
        if rid in targets:
            out.append((sh.get("name", ""), targets[rid], sh.get("state", "visible")))
    return out


_DIM = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([^\"]+)\"")
_ROW = re.compile(rb"row [^>]*?\br=\"(\d+)\"")  # after "<" or a namespace prefix's ":"


def _columns_beyond(n: int) -> re.Pattern[bytes]:
    """A regex for a cell reference whose column is past column ``n`` (letters compared in base 26)."""
    letters = get_column_letter(n)
    alts = [f"[A-Z]{{{k}}}" for k in range(len(letters) + 1, 4)]
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            alts.append(letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    return re.compile(rb"(?:" + "|".join(alts).encode() + rb")\d")


def _beyond(n: int, data: bytes) -> bool:
    """Is there a cell reference past column ``n``? Usually " r=" (a literal prefix: C speed)."""
    body = _columns_beyond(n).pattern
    for sep in (b" ", b"\t", b"\n", b"\r"):
        if (sep == b" " or sep + b'r="' in data) and re.search(re.escape(sep + b'r="') + body, data):
            return True
    return False


_VALUED_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d{1,7})\"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|f|is)\b")


def _measure(path: Path, zf: zipfile.ZipFile, name: str, part: str, state: str, limits: Limits) -> SheetInfo:
    try:
        data = zf.read(part)
    except KeyError:
        raise _fail(path, f"工作表“{name}”的数据缺失（{part}）") from None
    except _ZIP_ERRORS as exc:
        raise _fail(path, f"文件已损坏（{part}：{exc}）") from None
    m = _DIM.search(data, 0, 4096)
    declared = m.group(1).decode() if m else None
    rows = max((int(r) for r in _ROW.findall(data)), default=0)
    rows = max(rows, data.count(b"<row") + data.count(b":row "))  # rows may omit r
    # the widest column the limit allows at this height; one search finds any cell beyond it
    allowed = min(16384, limits.max_cells // max(rows, 1))
    if allowed >= 1 and (allowed == 16384 or not _beyond(allowed, data)):
        return SheetInfo(name, part, state, declared, rows, allowed, exact=False)
    # suspicious: find the real extent of the cells that hold something
    max_row = max_col = 0
    far = None
    for col_letters, row_digits in _VALUED_CELL.findall(data):
        r = int(row_digits)
        c = column_index_from_string(col_letters.decode())
        if r > max_row:
            max_row = r
        if c > max_col:
            max_col = c
        if far is None and r * c > limits.max_cells:
            far = f"{col_letters.decode()}{r}"
    if max_row * max_col > limits.max_cells and far is None:
        far = f"{get_column_letter(max_col)}{max_row}"
    return SheetInfo(name, part, state, declared, max_row, max_col, exact=True, far_cell=far)
