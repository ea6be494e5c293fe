"""``kp bulletin``: the 通报 of a ledger as a Word document, a PDF and as text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproject.cli._common import (
    add_history_argument,
    add_ledger_arguments,
    ledger_report,
    open_history,
    parse_date_arg,
)
from keyproject.errors import KPError

if TYPE_CHECKING:
    pass

HELP = """\
按台账生成重点项目推进情况通报（公文格式，GB/T 9704：A4，版头、标题、主送、正文、附件、落款和日期）：
总体完成情况（完成投资、占年度计划比例、与序时进度的差距，有历史记录和“上年月度”表时含环比、同比），
新建/续建、项目级别、类别、规模与阶段，开工率和竣工率，红黄绿灯，乡镇（街道）与县直部门分别排名的
红黑榜，各指挥部完成情况，逾期问题，以及与上次刷新相比的变化（需要台账旁的历史记录
<台账名>.keyproject.sqlite，由 kp refresh 写入，或用 --history 指定）。
发文机关、发文字号、主送、落款、工作要求、字体和小数位数等可在工作簿“设置”表中设定（见 docs/rules.md）。
--pdf 用 LibreOffice 把 Word 文档转换为 PDF（需要安装 LibreOffice）。"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bulletin", help="生成通报（Word 文档、PDF 或文本）", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_ledger_arguments(p)
    add_history_argument(p)
    p.add_argument("--region", metavar="地区",
                   help="通报中的地区称谓（默认：设置表的“地区称谓”，否则“全县”）")
    p.add_argument("--title", metavar="标题", help="通报标题（默认按年月和地区生成）")
    p.add_argument("--date", metavar="日期", help="成文日期，如 2023-08-02（默认：统计截止日期）")
    p.add_argument("--out", metavar="文件", help="输出的 Word 文档，如 通报.docx")
    p.add_argument("--pdf", metavar="文件", nargs="?", const="", default=None,
                   help="同时输出 PDF（默认与 Word 文档同名，如 通报.pdf；用 LibreOffice 转换）")
    p.add_argument("--text", action="store_true", help="把通报文本打印到标准输出")
    p.set_defaults(handler=run)


def _outputs(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".docx":
        raise KPError("--out 应为 .docx 文件", file=out)
    pdf = None
    if args.pdf is not None:
        if args.pdf:
            pdf = Path(args.pdf)
        elif out is not None:
            pdf = out.with_suffix(".pdf")
        else:
            raise KPError("--pdf 不带文件名时需要 --out（PDF 与 Word 文档同名）；或写成 --pdf 通报.pdf")
        if pdf.suffix.lower() != ".pdf":
            raise KPError("--pdf 应为 .pdf 文件", file=pdf)
    if out is None and pdf is None and not args.text:
        raise KPError("请用 --out 指定输出的 Word 文档（如 --out 通报.docx）、用 --pdf 指定 PDF，"
                      "或用 --text 输出文本")
    return out, pdf


def run(args: argparse.Namespace) -> int:
    from keyproject.bulletin import bulletin_text, write_docx, write_pdf
    from keyproject.engine.comparison import comparison_for

    out, pdf = _outputs(args)
    date = parse_date_arg(args.date, "--date")
    changes = None
    history = open_history(args, Path(args.ledger), create=False)  # a bad --history: exit 2 here
    try:
        ledger, report = ledger_report(args, history=history)  # never before the newest snapshot
        if history is not None:
            changes = history.changes(report)
        comparison = comparison_for(report, history, ledger.path)
    finally:
        if history is not None:
            history.close()

    options = {"changes": changes, "region": args.region, "date": date, "comparison": comparison}
    if args.text:
        sys.stdout.write(bulletin_text(report, title_text=args.title, **options))
    if out is not None:
        write_docx(report, out, title=args.title, **options)
        sys.stderr.write(f"已生成通报：{out}\n")
    if pdf is not None:
        try:
            write_pdf(report, pdf, title=args.title, docx=out, **options)
        except KPError as exc:
            if out is not None:  # say the Word document is there all the same
                raise KPError(f"{exc.message}（Word 文档已生成：{out}）", file=exc.file) from None
            raise
        sys.stderr.write(f"已生成 PDF：{pdf}\n")
    return 0
