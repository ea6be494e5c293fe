"""A ledger handed over as bytes (a browser upload): kept in a private file, then read exactly as a
file on disk is read (``keyproject.safety`` checks, ``reader.read_ledger``), with the same Chinese
errors, naming the file by the name the user chose.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from keyproject.errors import LedgerFileError
from keyproject.ledger import Ledger
from keyproject.safety import Limits

NAME_CHARS = 120  # longest file name kept; longer ones are cut before the suffix


def private_folder(prefix: str = "kp-upload-") -> Path:
    """A new folder only this user can read (``tempfile.mkdtemp`` creates it with mode 0700)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def safe_name(name: str) -> str:
    """The uploaded file's own name, fit to be a file name here: no folders, no control characters,
    no leading dots, at most ``NAME_CHARS`` characters (the suffix kept)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", str(name)))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*').strip()
    base = base.lstrip(".") or "台账.xlsx"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    if len(base) > NAME_CHARS:
        keep = NAME_CHARS - len(suffix) - 1
        base = f"{stem[:keep]}.{suffix}" if suffix else stem[:NAME_CHARS]
    return base


def store_upload(name: str, data: bytes, folder: Path, limits: Limits | None = None) -> Path:
    """Write uploaded bytes into ``folder`` under ``safe_name(name)``, readable by this user only;
    refuse an empty or oversized upload before writing it (the same limit ``safety`` applies)."""
    limits = limits or Limits()
    target = Path(folder) / safe_name(name)
    if not data:
        raise LedgerFileError("文件是空的（0字节）", file=target)
    if len(data) > limits.max_file_bytes:
        raise LedgerFileError(f"文件大小{len(data) / 1048576:.1f}MB，超过上限"
                              f"{limits.max_file_bytes / 1048576:.0f}MB", file=target)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return target


def read_upload(name: str, data: bytes, folder: Path, sheet: str | None = None) -> Ledger:
    """The ledger in uploaded bytes: stored privately in ``folder``, checked and read as the CLI reads
    a file. The file stays (``Ledger.path``: later steps read other sheets of it) until the caller
    removes ``folder``; a file that cannot be read is removed at once."""
    from keyproject.reader import read_ledger

    path = store_upload(name, data, folder)
    try:
        return read_ledger(path, sheet=sheet)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


__all__ = ["private_folder", "read_upload", "safe_name", "store_upload"]
