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


def add_ledger_arguments(parser: Any) -> None:
    """The ledger argument and the options every command that reads one shares, worded once."""
    parser.add_argument("ledger", metavar="台账", help="项目台账工作簿（.xlsx/.xlsm）")
    parser.add_argument("--as-of", metavar="日期", help="统计截止日期，如 2023-07-31（默认：报告月份月末）")
    parser.add_argument("--rules", metavar="文件",
                        help="规则文件（TOML，可写 preset = \"zhaoqing\"）；默认读取工作簿的“设置”表")
    parser.add_argument("--sheet", metavar="工作表", help="台账所在工作表（默认自动识别）")


def add_history_argument(parser: Any) -> None:
    parser.add_argument("--history", metavar="URL",
                        help="历史记录数据库（SQLAlchemy URL，默认台账旁的 SQLite 文件）")


def ledger_report(args: Any, basis: str | None = None) -> tuple[Any, Any]:
    """Read the ledger named by ``add_ledger_arguments``' options and build its report."""
    from pathlib import Path

    from keyproject.reader import read_ledger
    from keyproject.report import build_report
    from keyproject.rules import Rules

    as_of = parse_date_arg(args.as_of, "--as-of")
    rules = Rules.from_toml(args.rules) if args.rules else None
    ledger = read_ledger(Path(args.ledger), sheet=args.sheet)
    return ledger, build_report(ledger, as_of=as_of, rules=rules, basis=basis)
