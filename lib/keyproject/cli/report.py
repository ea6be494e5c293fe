"""``kp report``: 序时进度, lights, stages, rankings, 红黑榜 and problems of a ledger."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from keyproject.cli._common import (
    add_history_argument,
    add_ledger_arguments,
    ledger_report,
    open_history,
    print_json,
)
from keyproject.rules import BASES, Rules

HELP = """\
按序时进度统计台账：总体完成率与差距、红黄绿灯（附原因）、规模档次、三类项目、开工率和竣工率、
按责任单位/乡镇/指挥部/包保领导的排名、红黑榜与问题清单。
统计截止日期默认取上次刷新记录在工作簿中的报告期，否则取台账报告月份的月末（如“1-7月”为 7月31日）；
与台账报告期不符的 --as-of（另一年份、早于报告月份或晚于一个多月）需加 --any-date。有历史记录时，
早于最新快照的日期须用 --as-of 明确指定，并显示本期各单位报送情况。规则依次取 --rules 文件、
工作簿中的“设置”表、默认规则。"""

GROUP_NAMES = {"unit": "责任单位", "town": "乡镇", "command_post": "指挥部", "leader": "包保领导"}


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


def _pct(x: float | None) -> str:
    return "—" if x is None or pd.isna(x) else f"{x * 100:.2f}%"


def _pts(x: float | None) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:+.2f}"


def _wan(x: float | None) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:,.0f}"


def _marked(groups: pd.DataFrame) -> list[str]:
    """Group names, marked when the group is judged on figures it did not update this period."""
    if "not_updated" not in groups.columns:
        return [str(g) for g in groups["group"]]
    return [str(g) if not n else f"{g}（未报送）" if n == total else f"{g}（{n}个项目未报送）"
            for g, n, total in zip(groups["group"], groups["not_updated"], groups["projects"], strict=True)]


def print_table(report: Any, ledger: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not console.is_terminal:  # piped to a file: do not wrap at 80 columns
        console = Console(highlight=False, width=160)
    rules: Rules = report.rules
    t = report.totals
    name = ledger.title or (ledger.path.name if ledger.path else "")
    day = f"{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日"
    console.print(f"[bold]{name}[/bold]  统计截止 {day}，序时进度 {_pct(report.time_progress)}")
    gap = t["gap_points"]
    gap_text = "—" if gap is None else (f"超过序时进度{gap:.2f}个百分点" if gap >= 0
                                         else f"低于序时进度{-gap:.2f}个百分点")
    console.print(f"项目 {t['projects']} 个，总投资 {_wan(t['total_investment'])} 万元；年度计划 "
                  f"{_wan(t['annual_plan'])} 万元，累计完成 {_wan(t['ytd_completed'])} 万元，完成率 "
                  f"{_pct(t['completion_rate'])}，{gap_text}")
    if t["double_half"] is not None:
        console.print("双过半：" + ("已实现" if t["double_half"] else "未实现"))
    lights = report.lights
    names = rules.light_names
    console.print(f"灯号：{names[0]}灯 {lights['green']} 个，{names[1]}灯 {lights['yellow']} 个，"
                  f"{names[2]}灯 {lights['red']} 个，无灯 {lights['none']} 个")
    sr, cr = report.start_rate, report.completion_rate_projects
    console.print(f"开工率 {_pct(sr['rate'])}（应开工 {sr['planned']} 个，已开工 {sr['done']} 个）；"
                  f"竣工率 {_pct(cr['rate'])}（应竣工 {cr['planned']} 个，已竣工 {cr['done']} 个）")
    console.print("三类项目：" + "，".join(f"{k} {v} 个" for k, v in report.three_classes.items()))
    console.print("规模档次：" + "，".join(f"{r.band} {r.count} 个" for r in report.size_bands.itertuples()))

    for key, frame in report.rankings.items():
        group = GROUP_NAMES.get(key, key)
        table = Table(title=f"按{group}排名", title_justify="left")
        for col in ("名次", group, "项目数", "年度计划", "累计完成", "完成率", "差距(百分点)",
                    names[2], names[1], names[0]):
            table.add_column(col, justify="left" if col == group else "right")
        for r in frame.itertuples():
            table.add_row("—" if pd.isna(r.rank) else str(r.rank), str(r.group), str(r.projects),
                          _wan(r.annual_plan), _wan(r.ytd_completed), _pct(r.completion_rate),
                          _pts(r.gap_points), str(r.red), str(r.yellow), str(r.green))
        console.print(table)
    if report.list_by:
        label = GROUP_NAMES.get(report.list_by, report.list_by)
        console.print(f"红榜（{label}）：" + ("、".join(_marked(report.red_list)) or "无"))
        console.print(f"黑榜（{label}）：" + ("、".join(_marked(report.black_list)) or "无"))
    if report.reporting is not None:
        month = report.reporting.month
        late = report.unreported
        if len(late):
            console.print(f"{month}月未报送（请催报）：" + "、".join(
                f"{r.unit}（{r.status}，{r.missing}/{r.projects}个项目）" for r in late.itertuples()))
        else:
            console.print(f"{month}月各单位均已报送")

    flagged = report.projects[report.projects["light"].isin(["red", "yellow"])]
    if len(flagged):
        table = Table(title=f"{names[2]}灯、{names[1]}灯项目", title_justify="left")
        for col in ("行", "项目名称", "责任单位", "灯号", "完成率", "差距(百分点)", "原因"):
            table.add_column(col)
        order = flagged.assign(_o=flagged["light"].map({"red": 0, "yellow": 1}))
        order = order.sort_values(["_o", "gap_points"], kind="stable")
        for r in order.itertuples():
            table.add_row(str(r.row), str(r.name), "" if pd.isna(r.unit) else str(r.unit),
                          rules.light_label(r.light), _pct(r.completion_rate), _pts(r.gap_points),
                          "；".join(r.light_reasons))
        console.print(table)

    p = report.problems
    if p.source != "none":
        src = "问题清单" if p.source == "sheet" else "存在问题列"
        console.print(f"问题（{src}）：共 {p.total} 个，已销号 {p.closed} 个，未销号 {p.open} 个，"
                      f"销号率 {_pct(p.closure_rate)}，逾期 {p.overdue} 个，临期 {p.due_soon} 个")
        for r in p.overdue_items.head(20).itertuples():
            console.print(f"  逾期 {r.days_overdue} 天：{r.project}（{r.unit}）{r.problem}")
    for w in report.warnings:
        console.print(f"[yellow]提示：{w}[/yellow]")
    for issue in getattr(ledger, "errors", []):
        console.print(f"[red]{issue}[/red]")
