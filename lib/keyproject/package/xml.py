"""Parsing and writing the package's XML parts safely, and the namespaces they use.

Every part keyproject parses goes through ``parse``: lxml with entity resolution, DTD loading and
network access off, and any document type declaration refused (an xlsx part never has one; a part
that does is a billion-laughs or external-entity attempt). ``serialize`` writes a tree back with the
part's own XML declaration, so an edited part differs from the original only where it was edited.
"""

from __future__ import annotations

from lxml import etree

from keyproject.errors import LedgerFileError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_blank_text=False, collect_ids=False)
_DEFAULT_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00?\x00", b"\x00<\x00?")


def is_utf16(head: bytes) -> bool:
    """Does a part start as UTF-16 XML (a BOM, or "<?" in two bytes a character)?"""
    return head.startswith(_UTF16_STARTS)


def as_utf8(data: bytes) -> bytes:
    """A part's bytes as UTF-8 (UTF-16 decoded; anything else as it is). The XML declaration still
    says what it said: parse the result with ``parse_utf8``."""
    if is_utf16(data):
        enc = "utf-16-be" if data.startswith((b"\xfe\xff", b"\x00<")) else "utf-16-le"
        return data.decode(enc, errors="ignore").lstrip("\ufeff").encode("utf-8", errors="ignore")
    return data


def to_utf8_part(data: bytes) -> bytes:
    """A UTF-16 part rewritten as UTF-8 under a declaration that says so (what python-calamine
    needs); a UTF-8 part as it is."""
    if not is_utf16(data):
        return data
    return _DEFAULT_DECLARATION + without_declaration(as_utf8(data))


def without_declaration(data: bytes) -> bytes:
    """UTF-8 bytes without a BOM or XML declaration: lxml then reads them as UTF-8 whatever the
    declaration said (``as_utf8`` decoded a UTF-16 part, its declaration still says UTF-16)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(b"<?xml"):
        end = data.find(b"?>")
        if end >= 0:
            return data[end + 2:].lstrip(b" \t\r\n")
    return data


def q(tag: str, ns: str = MAIN) -> str:
    """The Clark name lxml uses: ``{namespace}tag``."""
    return f"{{{ns}}}{tag}"


def local(tag: object) -> str:
    """The local name of an element's tag (comments and processing instructions give "")."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def parse(data: bytes, part: str) -> etree._Element:
    """Parse a part's XML safely; a malformed part or one with a DTD is a ``LedgerFileError``."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise LedgerFileError(f"工作簿的“{part}”部分不是有效的XML（{exc}）") from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise LedgerFileError(f"工作簿的“{part}”部分含有文档类型声明（DTD），可能不安全，拒绝处理")
    return root


def declaration(data: bytes) -> bytes:
    """The part's XML declaration with the whitespace after it (what ``serialize`` writes back), or
    the standard one when the part has none or is not UTF-8."""
    head = data[:200]
    bom = b"\xef\xbb\xbf" if head.startswith(b"\xef\xbb\xbf") else b""
    body = head[len(bom):]
    if not body.startswith(b"<?xml"):
        return bom
    end = body.find(b"?>")
    if end < 0:
        return _DEFAULT_DECLARATION
    decl = body[: end + 2]
    lowered = decl.lower()
    if b"encoding" in lowered and b"utf-8" not in lowered:
        return _DEFAULT_DECLARATION  # written back as UTF-8, so the declaration must say so
    rest = body[end + 2:]
    ws = len(rest) - len(rest.lstrip(b" \t\r\n"))
    return bom + decl + rest[:ws]


def serialize(root: etree._Element, original: bytes | None = None) -> bytes:
    """The tree as UTF-8 XML, under the original part's declaration when there was one."""
    head = declaration(original) if original is not None else _DEFAULT_DECLARATION
    return head + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def element(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
            index: int | None = None) -> etree._Element:
    """A new child ``tag`` (a Clark name) of ``parent``, at ``index`` or at the end; lxml reuses the
    prefix the document already binds to its namespace."""
    child = etree.Element(tag, attrib or {}, nsmap=None)
    if index is None:
        parent.append(child)
    else:
        parent.insert(index, child)
    return child


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Insert ``child`` among ``parent``'s children where the schema's sequence ``order`` (local
    names) puts it: before the first existing child the sequence puts after it, else at the end.
    Children the sequence does not name (``mc:AlternateContent``, extensions) are passed over."""
    rank = {n: i for i, n in enumerate(order)}
    mine = rank[local(child.tag)]
    for i, existing in enumerate(parent):
        r = rank.get(local(existing.tag))
        if r is not None and r > mine:
            parent.insert(i, child)
            return
    parent.append(child)
