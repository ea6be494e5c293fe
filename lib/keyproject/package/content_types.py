"""``[Content_Types].xml``: the media type of every part (an ``Override`` per part name, or a
``Default`` per extension). keyproject adds the overrides of the parts it adds and removes those of
the parts it removes; every other entry stays as it was."""

from __future__ import annotations

from lxml import etree

from keyproject.package.xml import CONTENT_TYPES, parse, q, serialize

PART = "[Content_Types].xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def part_name(part: str) -> str:
    """The content-type part name of a zip entry: ``xl/a.xml`` → ``/xl/a.xml``."""
    return "/" + part.lstrip("/")


class ContentTypes:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self.root = parse(data, PART)
        self.changed = False

    def _overrides(self) -> list[etree._Element]:
        return list(self.root.iter(q("Override", CONTENT_TYPES)))

    def type_of(self, part: str) -> str | None:
        """The media type of zip entry ``part`` (part names compare case-insensitively)."""
        name = part_name(part).lower()
        for o in self._overrides():
            if (o.get("PartName") or "").lower() == name:
                return o.get("ContentType")
        ext = name.rpartition(".")[2]
        for d in self.root.iter(q("Default", CONTENT_TYPES)):
            if (d.get("Extension") or "").lower() == ext:
                return d.get("ContentType")
        return None

    def parts_of_type(self, content_type: str) -> list[str]:
        return [(o.get("PartName") or "").lstrip("/") for o in self._overrides()
                if o.get("ContentType") == content_type]

    def add(self, part: str, content_type: str) -> None:
        """Declare ``part``'s type (an Override), unless it already has exactly that type."""
        name = part_name(part)
        for o in self._overrides():
            if (o.get("PartName") or "").lower() == name.lower():
                if o.get("ContentType") != content_type:
                    o.set("ContentType", content_type)
                    self.changed = True
                return
        attrib = {"PartName": name, "ContentType": content_type}
        etree.SubElement(self.root, q("Override", CONTENT_TYPES), attrib)
        self.changed = True

    def remove(self, part: str) -> None:
        name = part_name(part).lower()
        for o in self._overrides():
            if (o.get("PartName") or "").lower() == name:
                self.root.remove(o)
                self.changed = True

    def to_bytes(self) -> bytes:
        return serialize(self.root, self._data) if self.changed else self._data
