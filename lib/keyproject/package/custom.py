"""``docProps/custom.xml``: the workbook's custom document properties (文件 → 属性 → 自定义).

Offices' files carry their own (WPS writes ``KSOProductBuildVer``, SharePoint its content type
ids); keyproject sets and replaces only the properties it names and leaves every other one as it is.
A workbook without the part gets one, with its content type and the package relationship to it.
"""

from __future__ import annotations

from lxml import etree

from keyproject.package.xml import CUSTOM_PROPS, VT, parse, q, serialize

PART = "docProps/custom.xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every custom property carries
_EMPTY = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
          b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')


class CustomProperties:
    def __init__(self, data: bytes | None) -> None:
        self.exists = data is not None
        self._data = data
        self.root = parse(data if data is not None else _EMPTY, PART)
        self.changed = False

    def _props(self) -> list[etree._Element]:
        return [p for p in self.root if p.tag == q("property", CUSTOM_PROPS)]

    def names(self) -> list[str]:
        return [p.get("name") or "" for p in self._props()]

    def get(self, name: str) -> str | None:
        """The text of property ``name`` (whatever its type), or None."""
        for p in self._props():
            if p.get("name") == name:
                return "".join(str(t) for t in p.itertext())
        return None

    def set(self, name: str, value: str) -> None:
        """Set ``name`` to the text ``value`` (``vt:lpwstr``), in place when it exists."""
        for p in self._props():
            if p.get("name") == name:
                if len(p) == 1 and p[0].tag == q("lpwstr", VT) and (p[0].text or "") == value:
                    return
                for child in list(p):
                    p.remove(child)
                _text_value(p, value)
                self.changed = True
                return
        pids = []
        for p in self._props():
            try:
                pids.append(int(p.get("pid") or 0))
            except ValueError:
                continue
        prop = etree.SubElement(self.root, q("property", CUSTOM_PROPS))
        prop.set("fmtid", FMTID)
        prop.set("pid", str(max(pids, default=1) + 1))  # pids start at 2
        prop.set("name", name)
        _text_value(prop, value)
        self.changed = True

    def remove(self, name: str) -> None:
        for p in self._props():
            if p.get("name") == name:
                self.root.remove(p)
                self.changed = True

    def to_bytes(self) -> bytes:
        if not self.changed and self._data is not None:
            return self._data
        return serialize(self.root, self._data)


def _text_value(prop: etree._Element, value: str) -> None:
    # declare vt: only where the document does not already have it in scope
    nsmap = None if VT in prop.nsmap.values() else {"vt": VT}
    etree.SubElement(prop, q("lpwstr", VT), nsmap=nsmap).text = value
