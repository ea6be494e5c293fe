"""``kp bulletin``: the 通报 of a ledger as a Word document (and as text)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from keyproject.cli._common import add_history_argument, add_ledger_arguments, ledger_report, open_history
from keyproject.errors import KPError

HELP = """\
按台账生成重点项目推进情况通报：总体完成情况（完成投资、占年度计划比例、与序时进度的差距）、
规模与阶段、开工率和竣工率、红黄绿灯、排名与红黑榜、逾期问题，以及与上次刷新相比的变化
（需要台账旁的历史记录 <台账名>.keyproject.sqlite，由 kp refresh 写入，或用 --history 指定）。"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bulletin", help="生成通报（Word 文档或文本）", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_ledger_arguments(p)
    add_history_argument(p)
    p.add_argument("--region", metavar="地区", default="全县", help="通报中的地区称谓（默认：全县）")
    p.add_argument("--title", metavar="标题", help="通报标题（默认按年月和地区生成）")
    p.add_argument("--out", metavar="文件", help="输出的 Word 文档，如 通报.docx")
    p.add_argument("--text", action="store_true", help="把通报文本打印到标准输出")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from keyproject.bulletin import bulletin_text, write_docx

    if not args.out and not args.text:
        raise KPError("请用 --out 指定输出的 Word 文档（如 --out 通报.docx），或用 --text 输出文本")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".docx":
        raise KPError("--out 应为 .docx 文件", file=out)
    changes = None
    history = open_history(args, Path(args.ledger), create=False)  # a bad --history: exit 2 here
    try:
        _, report = ledger_report(args, history=history)  # never before the newest snapshot
        if history is not None:
            changes = history.changes(report)
    finally:
        if history is not None:
            history.close()

    if args.text:
        sys.stdout.write(bulletin_text(report, changes=changes, region=args.region))
    if out is not None:
        write_docx(report, out, changes=changes, region=args.region, title=args.title)
        sys.stderr.write(f"已生成通报：{out}\n")
    return 0
