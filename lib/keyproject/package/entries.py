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
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from keyproject.errors import LedgerFileError

# the local file header (APPNOTE 4.3.7), as zipfile declares it
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DATA_DESCRIPTOR_FLAG = 0x08
_ZIP64_EXTRA = 0x0001
# zlib level 5: within 2 % of level 6's size on sheet XML for 70 % of its time (measured on a
# 3,000-project ledger sheet: 567 KB in 0.050 s against 557 KB in 0.070 s). Parts of tens of MB
# (30,000 projects) take level 4: 14 % larger, a third less CPU (48 MB: 0.32 s against 0.49 s).
COMPRESS_LEVEL = 5
BIG_PART = 16 << 20
BIG_PART_LEVEL = 4
# a part bigger than this is not inflated (the reader's safety checks cap the whole workbook at 1 GB)
MAX_PART_BYTES = 1 << 30


@dataclass(frozen=True)
class Compressed:
    """A part already deflated (raw deflate, as a zip entry holds it), with its CRC and size."""

    data: bytes
    crc: int
    size: int


def compress(data: bytes) -> Compressed:
    level = BIG_PART_LEVEL if len(data) > BIG_PART else COMPRESS_LEVEL
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Compressed(deflate.compress(data) + deflate.flush(), zlib.crc32(data), len(data))


def decompress(part: Compressed) -> bytes:
    return zlib.decompress(part.data, -15)


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
        """The entry's content, its size and CRC checked. A deflated entry is inflated in one buffer
        (``ZipFile.read`` grows its result chunk by chunk: twice the part's size at its peak)."""
        info = self._by_name.get(name)
        if info is None:
            raise LedgerFileError(f"工作簿缺少“{name}”部分", file=self.path)
        if info.file_size > MAX_PART_BYTES:
            raise LedgerFileError(f"“{name}”解压后超过{MAX_PART_BYTES >> 20}MB，疑似压缩炸弹，拒绝读取",
                                  file=self.path)
        try:
            if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 0x1:
                return self._zf.read(name)
            raw = self.raw(info)
            if info.compress_type == zipfile.ZIP_DEFLATED:
                inflate = zlib.decompressobj(-15)
                data = inflate.decompress(raw, info.file_size + 1)
                del raw
            else:
                data = raw
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            raise LedgerFileError(f"文件已损坏（{name}：{exc}）", file=self.path) from None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise LedgerFileError(f"文件已损坏（{name}：大小或校验和不符）", file=self.path)
        return data

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's compressed bytes as stored (checked against its local header)."""
        if self._raw is None:
            self._raw = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        fh = self._raw
        fh.seek(info.header_offset)
        header = fh.read(_LOCAL_HEADER.size)
        fields = _LOCAL_HEADER.unpack(header) if len(header) == _LOCAL_HEADER.size else None
        if fields is None or fields[0] != _LOCAL_SIGNATURE:
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
        entry = copy.copy(info)
        # sizes and CRC go in the local header, so no data descriptor follows the data
        entry.flag_bits &= ~_DATA_DESCRIPTOR_FLAG
        entry.extra = _without_zip64_extra(info.extra)
        self._raw_entry(entry, source.raw(info))

    def write_compressed(self, name: str, part: Compressed, like: zipfile.ZipInfo | None = None,
                         date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)) -> None:
        """Write a part deflated beforehand (``compress``)."""
        self._claim(name)
        entry = zipfile.ZipInfo(name, date_time=like.date_time if like is not None else date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = like.external_attr if like is not None else 0o600 << 16
        if like is not None:
            entry.create_system = like.create_system
        entry.CRC, entry.file_size, entry.compress_size = part.crc, part.size, len(part.data)
        self._raw_entry(entry, part.data)

    def _raw_entry(self, entry: zipfile.ZipInfo, data: bytes) -> None:
        zf = self._zf
        fp = zf.fp
        assert fp is not None
        entry.header_offset = fp.tell()
        fp.write(entry.FileHeader(None))
        fp.write(data)
        zf.filelist.append(entry)
        zf.NameToInfo[entry.filename] = entry
        zf.start_dir = fp.tell()  # where the central directory goes (as ZipFile.writestr keeps it)
