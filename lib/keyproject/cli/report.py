"""``kp report``: 序时进度, lights, stages, rankings, 红黑榜 and problems of a ledger."""

from __future__ import annotations

import argparse
from typing import Any

from keyproject.cli._common import (
    add_history_argument,
    add_ledger_arguments,
    ledger_report,
    open_history,
    print_json,
)
from keyproject.engine.report import Report
from keyproject.engine.rules import BASES
from keyproject.ledger import Ledger

HELP = """\
按序时进度统计台账：总体完成率与差距、红黄绿灯（附原因）、规模档次、三类项目、开工率和竣工率、
按责任单位/乡镇/指挥部/包保领导的排名、红黑榜与问题清单。
统计截止日期默认取上次刷新记录在工作簿中的报告期，否则取台账报告月份的月末（如“1-7月”为 7月31日）；
与台账报告期不符的 --as-of（另一年份、早于报告月份或晚于一个多月）需加 --any-date。有历史记录时，
早于最新快照的日期须用 --as-of 明确指定，并显示本期各单位报送情况。规则依次取 --rules 文件、
工作簿中的“设置”表、默认规则。"""



def register(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="序时进度、红黄绿灯、排名与问题统计", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_ledger_arguments(p)
    add_history_argument(p)
    p.add_argument("--basis", choices=BASES,
                   help="序时进度口径：month 按月（默认）、day 按日、plan 按月度计划（完成1-N月计划的比例）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    history = open_history(args, Path(args.ledger), create=False)
    try:
        ledger, report = ledger_report(args, basis=args.basis, history=history)
    finally:
        if history is not None:
            history.close()
    if args.json:
        print_json(report.to_dict())
    else:
        print_table(report, ledger)
    return 0


def print_table(report: Report, ledger: Ledger) -> None:
    """The report as text: the sheets' views (``keyproject.views``: the same labels, light list,
    rankings and problem sections as the workbook's 汇总, 红黄绿灯, 排名, 问题清单), then the
    reader's notes."""
    from rich.console import Console
    from rich.markup import escape

    from keyproject.views.sheets import BULLETIN, sheet_views
    from keyproject.views.text import print_views

    console = Console(highlight=False)
    if not console.is_terminal:  # piped to a file: wide enough that the light list's reasons stay whole
        console = Console(highlight=False, width=240)
    name = ledger.title or (ledger.path.name if ledger.path else "")
    if name:
        console.print(f"[bold]{escape(name)}[/bold]")
    print_views((v for v in sheet_views(report, ()) if v.name != BULLETIN), console)
    for w in report.warnings:
        console.print(f"[yellow]提示：{escape(w)}[/yellow]")
    for issue in ledger.errors:
        console.print(f"[red]{escape(str(issue))}[/red]")
