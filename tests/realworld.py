"""Where the real files saved by other programs are: ``../shared/realworld`` beside the repository
(CI puts ``shared`` there), or ``$KP_SHARED/realworld``. They are used from there, never copied in.
A missing folder is an error of the test setup, not a reason to skip."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KP_SHARED") or ROOT.parent / "shared")
REALWORLD = SHARED / "realworld"


def realworld(relative: str) -> Path:
    """A file under ``realworld/`` (e.g. ``"derived/pivot_real.xlsx"``); fails when it is absent."""
    path = REALWORLD / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: clone the repository beside ../shared (see README)")
    return path
