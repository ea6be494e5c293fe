"""Shared pieces of the CLI: option parsing and output helpers used by several commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from keyproject.errors import KPError


def parse_date_arg(text: str | None, option: str) -> dt.date | None:
    """A date given on the command line (YYYY-MM-DD, YYYY/M/D, YYYY.M.D)."""
    if text is None:
        return None
    for sep in ("-", "/", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
    raise KPError(f"参数 {option} 的日期“{text}”无法识别，请写成 2023-07-31 的形式")


def _default(obj: Any) -> Any:
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.strftime("%Y-%m-%d")
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(obj: Any) -> None:
    """Exactly one JSON object on stdout, UTF-8, Chinese kept readable."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_default, allow_nan=False))
    sys.stdout.write("\n")
