"""Shared pieces of the CLI: the options several commands take, worded once, and output helpers.

Dates typed on the command line go through ``keyproject.dates.parse_date`` (the library's one
strict parser); the report date, rules and calendar through ``keyproject.engine.context.resolve``; the
history through ``History.open``. So every command accepts the same dates, refuses the same wrong
ones and reports a bad ``--history`` the same way (exit 2, Chinese, before anything is written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproject.dates import optional_date

if TYPE_CHECKING:
    from keyproject.engine.history import History
    from keyproject.engine.report import Report
    from keyproject.ledger import Ledger


def parse_date_arg(text: str | None, option: str) -> dt.date | None:
    """A date given on the command line (see ``keyproject.dates``), None when the option is absent."""
    return optional_date(text, option)


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


AS_OF_HELP = ("统计截止日期，如 2023-07-31 或 2023年7月31日（默认：上次刷新记录的报告期，"
              "否则为台账报告月份的月末）")
ANY_DATE_HELP = "接受与台账报告期不符的 --as-of（另一年份、早于报告月份或晚于报告月份一个多月）"


def add_as_of_argument(parser: Any, help: str = AS_OF_HELP) -> None:
    parser.add_argument("--as-of", metavar="日期", help=help)
    parser.add_argument("--any-date", action="store_true", help=ANY_DATE_HELP)


def add_ledger_arguments(parser: Any) -> None:
    """The ledger argument and the options every command that reads one shares, worded once."""
    parser.add_argument("ledger", metavar="台账", help="项目台账工作簿（.xlsx/.xlsm）")
    add_as_of_argument(parser)
    parser.add_argument("--rules", metavar="文件",
                        help="规则文件（TOML，可写 preset = \"zhaoqing\"）；默认读取工作簿的“设置”表")
    parser.add_argument("--sheet", metavar="工作表", help="台账所在工作表（默认自动识别）")


def add_history_argument(parser: Any) -> None:
    parser.add_argument("--history", metavar="URL",
                        help="历史记录数据库（SQLAlchemy URL，如 postgresql+psycopg://用户:密码@主机/库；"
                        "默认台账旁的 <台账名>.keyproject.sqlite）")
    parser.add_argument("--scope", metavar="名称",
                        help="共用数据库时区分各台账的名称，如“富顺县”（默认：用 --history 时为台账文件名，"
                        "否则为空）")


def history_scope(args: argparse.Namespace, ledger_path: Path) -> str:
    """The scope of ``--scope``, else the ledger's file name for a shared ``--history``, else ""."""
    if args.scope:
        return str(args.scope)
    return ledger_path.stem if args.history else ""


def open_history(args: argparse.Namespace, ledger_path: Path, *, create: bool,
                 beside: Path | None = None) -> History | None:
    """The history named by ``--history``/``--scope``, else the SQLite file beside ``beside`` (the
    ledger by default). Without ``create`` a missing file beside the workbook gives None.

    A bad URL, a missing driver or an unreachable server raises ``HistoryError`` here, before the
    command writes anything.
    """
    from keyproject.engine.history import History

    scope = history_scope(args, ledger_path)
    if args.history:
        history = History.open(args.history, scope=scope)
        others = [s for s in history.scopes() if s != scope]
        if others and scope not in history.scopes():
            sys.stderr.write(f"kp：提示：历史记录数据库中还没有“{scope}”的记录（已有：{'、'.join(others[:5])}），"
                             "将作为新台账记录；如是同一台账，请用 --scope 指定其名称\n")
        return history
    where = beside if beside is not None else ledger_path
    if not create:
        return History.existing_for(where, scope=scope)
    return History.for_workbook(where, scope=scope)


def read_ledger_arg(args: argparse.Namespace) -> Ledger:
    from keyproject.reader import read_ledger

    return read_ledger(Path(args.ledger), sheet=args.sheet)


def ledger_report(args: argparse.Namespace, basis: str | None = None,
                  history: History | None = None) -> tuple[Ledger, Report]:
    """Read the ledger named by ``add_ledger_arguments``' options and build its report
    (``report.report_with_history``: never before the history's newest snapshot unless ``--as-of``
    asks, with the 本期报送 statuses of a snapshot of the same date)."""
    from keyproject.engine.report import report_with_history

    ledger = read_ledger_arg(args)
    return ledger, report_with_history(ledger, history, as_of=args.as_of, rules=args.rules, basis=basis,
                                       any_date=args.any_date, as_of_name="--as-of")
