"""``kp sprint``: the hundred-day sprint (百日冲刺) countdown and the pace it needs."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keyproject.cli._common import (
    add_as_of_argument,
    add_history_argument,
    open_history,
    parse_date_arg,
    print_json,
)
from keyproject.engine.context import check_sprint_date, clock_today, resolve_calendar, resolve_sprint
from keyproject.engine.sprint import SprintStatus, sprint_status, sprint_targets, sprint_window
from keyproject.errors import KPError
from keyproject.ledger import Ledger

GROUP_CHOICES = {"unit": "责任单位", "command_post": "指挥部", "town": "乡镇", "leader": "包保领导"}

HELP = """\
百日冲刺：从 --start 起共 --days 天（含首日；未给出时取工作簿“设置”表的“百日冲刺开始”“冲刺天数”，
天数默认 100），截至 --as-of（默认今天）统计已过天数、剩余天数、剩余工作日（按国家法定节假日和调休计算），
以及完成目标每天、每周、每个工作日需完成的量。
给出台账时，冲刺按开始时尚未完成的任务衡量：目标 = 年度计划投资 − 冲刺开始时已完成的投资，已完成 =
开始以来新增完成的投资（金额单位万元）。开始时的完成情况依次取：--baseline（冲刺开始时的台账）、
历史记录中冲刺开始当天或之前的快照、台账中冲刺开始前各月的月度完成数据、数据日期早于冲刺开始的台账本身；
都没有时按全年任务计算并提示。--target、--done 可覆盖。"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("sprint", help="百日冲刺倒计时与日均进度", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ledger", nargs="?", metavar="台账", help="项目台账工作簿（可选）")
    p.add_argument("--start", metavar="日期",
                   help="冲刺开始日期，如 2023-08-24（默认：设置表的“百日冲刺开始”）")
    p.add_argument("--days", type=int, metavar="天数", help="冲刺天数（默认：设置表的“冲刺天数”，否则 100）")
    add_as_of_argument(p, help="统计截至日期（默认今天）")
    p.add_argument("--target", type=float, metavar="万元", help="冲刺目标（默认：按台账计算，见上）")
    p.add_argument("--done", type=float, metavar="万元",
                   help="已完成（默认：按台账计算，见上；无台账时为 0）")
    p.add_argument("--calendar", metavar="文件",
                   help="节假日安排文件（TOML，或 日期/班休 两列的 CSV、xlsx），"
                   "用于 chinese_calendar 未覆盖的年份或修正某些日期")
    p.add_argument("--group-by", choices=sorted(GROUP_CHOICES), metavar="分组",
                   help="按分组列出目标与进度：" + "、".join(f"{k}（{v}）" for k, v in GROUP_CHOICES.items()))
    p.add_argument("--baseline", metavar="台账", help="冲刺开始时的台账：目标与已完成按开始以来计算")
    add_history_argument(p)
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(handler=run)


def _read(path: str) -> Ledger:
    from keyproject.reader import read_ledger

    return read_ledger(Path(path))


def run(args: argparse.Namespace) -> int:
    if args.ledger is None:
        if args.target is None:
            raise KPError("请给出台账文件，或用 --target 指定冲刺目标（万元）")
        if args.group_by or args.baseline:
            raise KPError("--group-by 和 --baseline 需要给出台账文件")
    ledger = _read(args.ledger) if args.ledger is not None else None
    start, days = resolve_sprint(ledger, args.start, args.days)
    first, end = sprint_window(start, days)
    as_of = parse_date_arg(args.as_of, "--as-of") or clock_today()
    if args.as_of is not None and not args.any_date:
        check_sprint_date(as_of, first, end)
    calendar = resolve_calendar(args.calendar)
    target, done, groups, basis = args.target, args.done, None, None
    if ledger is not None:
        history = open_history(args, Path(args.ledger), create=False)
        try:
            measured = sprint_targets(ledger, start, by=args.group_by, history=history,
                                      baseline=_read(args.baseline) if args.baseline else None,
                                      need_plan=target is None)
        finally:
            if history is not None:
                history.close()
        target = measured.target if target is None else target
        done = measured.done if done is None else done
        groups, basis = measured.groups, measured
        if measured.warning and not args.json:
            sys.stderr.write(f"kp：提示：{measured.warning}\n")
    status = sprint_status(start, days, target, done or 0.0, as_of, calendar=calendar, groups=groups)
    if basis is not None:
        status = dataclasses.replace(status, basis=basis.basis, basis_note=basis.note)
    if args.json:
        print_json(status.to_dict())
    else:
        print(format_status(status, GROUP_CHOICES.get(args.group_by or "", "分组")))
    return 0


def _amount(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def format_status(s: SprintStatus, group_title: str = "分组") -> str:
    """The status as readable Chinese lines (and a table of the groups)."""
    lines = [f"百日冲刺：{s.start.isoformat()} 至 {s.end.isoformat()}，共 {s.days} 天"]
    as_of = s.as_of.isoformat() if s.as_of else ""
    lines.append(f"截至 {as_of}：已过 {s.days_elapsed} 天，剩余 {s.days_left} 天"
                 f"（其中工作日 {s.working_days_left} 天）")
    lines.append(f"目标 {_amount(s.target)} 万元，已完成 {_amount(s.done)} 万元，"
                 f"尚需完成 {_amount(s.remaining)} 万元")
    lines.append(f"需日均完成 {_amount(s.per_day)} 万元，周均 {_amount(s.per_week)} 万元，"
                 f"每个工作日 {_amount(s.per_working_day)} 万元")
    verdict = "符合进度" if s.on_track else "落后于进度"
    lines.append(f"进度判断：{verdict}（按冲刺天数均衡推进，截至目前应完成 {_amount(s.expected)} 万元）")
    if s.basis_note:
        lines.append(f"口径：{s.basis_note}")
    if s.groups:
        header = [group_title, "项目数", "目标(万元)", "已完成(万元)", "尚需(万元)", "每工作日(万元)", "进度"]
        rows = [[str(g["group"]), "" if g.get("projects") is None else str(g["projects"]),
                 _amount(g["target"]), _amount(g["done"]), _amount(g["remaining"]),
                 _amount(g["per_working_day"]), "符合" if g["on_track"] else "落后"] for g in s.groups]
        lines.append("")
        lines.append(format_table(header, rows, right=range(1, 6)))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Any = ()) -> str:
    """A plain text table whose columns line up with Chinese (double-width) characters."""
    right = set(right)
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(str(cell)))
            out.append(pad + str(cell) if i in right else str(cell) + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
