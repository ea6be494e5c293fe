"""Backups and crash-safe writes: the original workbook is never half-written.

A refresh copies the original into ``backups/`` beside it, writes the new workbook to a temporary
file in the same folder (same filesystem, so the rename is atomic), flushes it to disk, then
replaces the original with ``os.replace``. A crash before the rename leaves the original as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BACKUP_DIR = "backups"
# Test hook: when set to a path, the writer creates that file once the temporary workbook is
# complete and waits (up to 60 s) before replacing the original, so a test can kill it there.
HOLD_ENV = "KP_TEST_HOLD_BEFORE_REPLACE"


def backup_copy(path: Path, now: dt.datetime) -> Path:
    """Copy ``path`` to ``backups/<stem>.<YYYYmmdd-HHMMSS><suffix>`` beside it; return the copy."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    shutil.copy2(path, target)
    _fsync_file(target)
    return target


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on some platforms (Windows); the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_path_for(target: Path) -> Path:
    """A fresh temporary file name in the target's folder (hidden, same suffix)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.kp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def leftover_temps(target: Path) -> list[Path]:
    """Temporary files an interrupted refresh left beside ``target`` (the original is intact)."""
    target = Path(target)
    return sorted(target.parent.glob(f".{target.stem}.kp-*{target.suffix}"))


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` to produce the file, then move it over ``target`` atomically.

    If ``write`` fails, the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    tmp = temp_path_for(target)
    try:
        write(tmp)
        _fsync_file(tmp)
        if target.exists():  # keep the original's permission bits
            shutil.copymode(target, tmp)
        _hold_for_tests()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _hold_for_tests() -> None:
    flag = os.environ.get(HOLD_ENV)
    if not flag:
        return
    Path(flag).write_text("ready", encoding="utf-8")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Path(flag).exists():
        time.sleep(0.05)
