"""The zip container: entries read from the source, and a writer that copies untouched entries raw.

An untouched entry (a picture, a chart, the VBA project, a pivot cache, a part keyproject has never
heard of) is copied as its compressed bytes with its CRC, sizes, method, timestamp and attributes,
never decompressed and recompressed, so it is the same entry in the new file. Python's ``zipfile``
has no public call for that; ``ZipWriter.copy_raw`` writes the local header with
``ZipInfo.FileHeader`` and registers the entry in the archive's central directory list the way
``ZipFile.writestr`` does (``filelist``, ``NameToInfo``, ``start_dir``).
"""

from __future__ import annotations

import copy
import struct
import zipfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from keyproject.errors import LedgerFileError

_LOCAL_HEADER = struct.Struct(zipfile.structFileHeader)
_DATA_DESCRIPTOR_FLAG = 0x08
_ZIP64_EXTRA = 0x0001
COMPRESS_LEVEL = 6  # zlib's default, what Excel's files are close to


def _without_zip64_extra(extra: bytes) -> bytes:
    """``extra`` without its zip64 record: ``FileHeader`` adds a fresh one when the sizes need it."""
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i:i + 4])
        if kind != _ZIP64_EXTRA:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return bytes(out)


class ZipReader:
    """The source package's entries, in their order; each read checks its CRC."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise LedgerFileError(f"文件已损坏，无法作为xlsx打开（{exc}）", file=self.path) from None
        self.infos: list[zipfile.ZipInfo] = [i for i in self._zf.infolist()]
        self._by_name = {i.filename: i for i in self.infos}
        self._raw: BinaryIO | None = None

    def __enter__(self) -> ZipReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self._zf.close()

    @property
    def names(self) -> list[str]:
        return [i.filename for i in self.infos]

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self._by_name.get(name)

    def read(self, name: str) -> bytes:
        try:
            return self._zf.read(name)
        except KeyError:
            raise LedgerFileError(f"工作簿缺少“{name}”部分", file=self.path) from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise LedgerFileError(f"文件已损坏（{name}：{exc}）", file=self.path) from None

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's compressed bytes as stored (checked against its local header)."""
        if self._raw is None:
            self._raw = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        fh = self._raw
        fh.seek(info.header_offset)
        header = fh.read(_LOCAL_HEADER.size)
        fields = _LOCAL_HEADER.unpack(header) if len(header) == _LOCAL_HEADER.size else None
        if fields is None or fields[0] != zipfile.stringFileHeader:
            raise LedgerFileError(f"文件已损坏（{info.filename}：本地文件头无效）", file=self.path)
        name_length, extra_length = fields[10], fields[11]
        fh.seek(name_length + extra_length, 1)
        data = fh.read(info.compress_size)
        if len(data) != info.compress_size:
            raise LedgerFileError(f"文件已损坏（{info.filename}：数据不完整）", file=self.path)
        return data


class ZipWriter:
    """A new package file: entries written compressed, or copied raw from a ``ZipReader``."""

    def __init__(self, path: Path) -> None:
        self._zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        self._names: set[str] = set()

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._zf.close()

    def _claim(self, name: str) -> None:
        if name in self._names:
            raise ValueError(f"duplicate zip entry {name}")
        self._names.add(name)

    def write(self, name: str, data: bytes, like: zipfile.ZipInfo | None = None,
              date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)) -> None:
        """Write ``data`` compressed; an edited entry keeps ``like``'s timestamp and attributes."""
        self._claim(name)
        info = zipfile.ZipInfo(name, date_time=like.date_time if like is not None else date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        if like is not None:
            info.external_attr = like.external_attr
            info.create_system = like.create_system
        else:
            info.external_attr = 0o600 << 16
        self._zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)

    def copy_raw(self, source: ZipReader, info: zipfile.ZipInfo) -> None:
        """Copy ``info``'s entry from ``source`` without decompressing it."""
        self._claim(info.filename)
        data = source.raw(info)
        entry = copy.copy(info)
        # sizes and CRC go in the local header, so no data descriptor follows the data
        entry.flag_bits &= ~_DATA_DESCRIPTOR_FLAG
        entry.extra = _without_zip64_extra(info.extra)
        zf = self._zf
        fp = zf.fp
        assert fp is not None
        entry.header_offset = fp.tell()
        fp.write(entry.FileHeader(None))
        fp.write(data)
        zf.filelist.append(entry)
        zf.NameToInfo[entry.filename] = entry
        zf.start_dir = fp.tell()  # where the central directory goes (as ZipFile.writestr keeps it)
