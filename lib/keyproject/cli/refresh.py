"""``kp refresh``: the main job — refresh a ledger workbook in place, losing nothing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from keyproject.cli._common import add_history_argument, add_ledger_arguments, history_scope

if TYPE_CHECKING:
    from keyproject.workbook.refresh import RefreshResult

_LIGHT_NAMES = (("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯"), ("none", "未评灯"))


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "refresh",
        help="刷新台账工作簿：汇总报送、计算灯号、写回汇总表（原样保留用户内容）",
        description="刷新台账工作簿：汇总各单位报送，计算序时进度和红黄绿灯，在原工作簿中写入灯号列和"
        "汇总、红黄绿灯、排名、问题清单、通报工作表；先备份，原子替换；只改动 keyproject 自己的列和工作表，"
        "用户的单元格、格式、图片、图表、透视表、宏等其余内容逐字节保留。报告期前移时，标题和表头中的期间文字"
        "（如“1-7月”“截至7月31日”）随之改写，逐处列出（--keep-headers 保留原文字）。"
        "退出码：0 成功；1 已刷新，但有报送文件未能使用（逐个列出原因）；2 输入有误或拒绝刷新。",
    )
    add_ledger_arguments(p)
    p.add_argument("--submissions", nargs="+", default=[], metavar="路径",
                   help="各单位报送的工作簿或所在文件夹（可多个）")
    p.add_argument("--out", metavar="路径", help="写入另一个文件，原文件不动")
    p.add_argument("--keep-headers", action="store_true",
                   help="报告期前移时不改写标题和表头中的期间文字（如“1-7月”“截至7月31日”）；报告期仍记录在工作簿中")
    p.add_argument("--force", action="store_true",
                   help="工作簿含有刷新无法原样保留的内容（数字签名、共享工作簿修订记录）时也在原文件上写入")
    p.add_argument("--live", action="store_true",
                   help="把“差距(百分点)”和“灯号”写成公式（附计算结果）：引用本行的计划、完成、日期、阶段、"
                   "建设性质单元格和“设置”表的阈值（表或阈值行缺少时自动添加，已有的值不改），在 WPS、Excel、"
                   "LibreOffice 中改数即自动重算，无需加载项；"
                   "灯号颜色用条件格式，随公式结果变化。报告日期和序时进度按本次刷新固定，下一期请再刷新；不加本项则写入数值")
    add_history_argument(p)
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(handler=run)


def _progress(quiet: bool) -> tuple[Callable[[str, float], None] | None, Callable[[], None]]:
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:  # a log or a pipe gets no bar (and no stray blank line)
        return None, lambda: None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    bar.start()
    task = bar.add_task("刷新", total=1.0)

    def update(text: str, fraction: float) -> None:
        bar.update(task, description=text, completed=fraction)

    return update, bar.stop


def run(args: argparse.Namespace) -> int:
    from keyproject.workbook.refresh import refresh_workbook

    callback, stop = _progress(args.quiet)
    try:
        result = refresh_workbook(
            Path(args.ledger), as_of=args.as_of, submissions=args.submissions, rules=args.rules,
            out=args.out, force=args.force, sheet=args.sheet, history_url=args.history, progress=callback,
            history_scope=history_scope(args, Path(args.ledger)), any_date=args.any_date,
            keep_headers=args.keep_headers,
            live=args.live,
        )
    finally:
        stop()
    print_summary(result)
    return 1 if result.unused_files else 0  # wrote what it could; a submitted file was not used


def print_summary(result: Any) -> None:
    out = sys.stdout
    where = "原文件" if result.in_place else f"“{result.path}”"
    out.write(f"已刷新 {where}（截至 {result.as_of:%Y-%m-%d}，台账工作表“{result.sheet}”）\n")
    if result.backup is not None:
        out.write(f"  备份：{result.backup}\n")
    cols = "、".join(f"{h}（{letter}列）" for h, letter in result.columns.items())
    out.write(f"  写入列：{cols}\n")
    out.write(f"  写入工作表：{'、'.join(result.sheets.values())}\n")
    lights = "，".join(f"{name}{result.lights.get(key, 0)}个" for key, name in _LIGHT_NAMES
                      if key in result.lights)
    if lights:
        out.write(f"  灯号：{lights}\n")
    if result.live is not None:
        _live_summary(out, result)
    if result.period_edits:
        out.write(f"  期间文字：改写 {len(result.period_edits)} 处（原文字在备份中）：\n")
        for e in result.period_edits:
            out.write(f"    {e}\n")
    if result.submitted_files:
        used = [f for f in result.submitted_files if f.used]
        out.write(f"  报送文件：共 {len(result.submitted_files)} 个，已汇总 {len(used)} 个\n")
        if result.unused_files:
            out.write(f"  以下 {len(result.unused_files)} 个报送文件未能使用，请核对后重新报送：\n")
            for f in result.unused_files:
                out.write(f"    {f}\n")
    if len(result.updates):
        files = result.updates["file"].nunique() if "file" in result.updates else 0
        out.write(f"  报送数据：更新 {len(result.updates)} 个单元格（来自 {files} 个文件）\n")
    report = result.report
    if report is not None and report.reporting is not None:
        late = report.unreported
        month = report.reporting.month
        if len(late):
            names = "、".join(f"{r.unit}（{r.status}）" for r in late.itertuples())
            out.write(f"  {month}月未报送单位（请催报）：{names}\n")
        else:
            out.write(f"  {month}月各责任单位均已报送\n")
    if result.issues:
        out.write(f"  报送汇总发现 {len(result.issues)} 个问题：\n")
        for issue in result.issues:
            out.write(f"    {issue}\n")
    for w in result.warnings:
        out.write(f"  注意：{w}\n")
    if result.history:
        done = f"，{result.snapshot.message()}" if result.snapshot is not None else ""
        out.write(f"  历史记录：{result.history}{done}\n")


def _live_summary(out: TextIO, result: RefreshResult) -> None:
    live = result.live
    assert live is not None
    out.write(f"  实时灯号：{live.rows}个项目行的差距、灯号为公式（已附计算结果），"
              f"修改完成投资、开工日期等后自动重算；报告日期和序时进度固定为{result.as_of:%Y-%m-%d}，下一期请再刷新\n")
    cells = {k: v for k, v in live.thresholds.items() if v is not None}
    constants = {k: v for k, v in live.values.items() if live.thresholds.get(k) is None}
    if cells:
        refs = "、".join(f"{k}（{v}）" for k, v in cells.items())
        out.write(f"  阈值：引用“{live.settings_sheet}”表的{refs}，改设置表即生效\n")
    if live.settings_added:
        added = "、".join(f"{k}（第{r}行）" for k, r in live.settings_added.items())
        where = (f"新建了“{live.settings_sheet}”表并" if live.settings_created
                 else f"在“{live.settings_sheet}”表")
        out.write(f"  {where}添加阈值：{added}，数值同本次计算\n")
    if constants:
        why = ("规则来自 --rules 指定的文件，不是工作簿的“设置”表" if live.explicit_rules
               else "工作簿的“设置”表没有这些项" if live.settings_sheet or cells else "工作簿没有“设置”表")
        values = "、".join(f"{k} {v:g}" for k, v in constants.items())
        out.write(f"  阈值为常数（{why}）：{values}；要改请修改规则后再刷新\n")
    if live.values_only:
        rows = "、".join(f"“{s}”第{r}行" for s, r in live.values_only[:10])
        more = f"等{len(live.values_only)}行" if len(live.values_only) > 10 else ""
        out.write(f"  注意：{rows}{more}的单元格文字过长，公式超过 Excel/WPS 的长度上限，差距、灯号写为数值；"
                  "改正这些单元格后再刷新\n")
    for sheet, ranges in live.conditional.items():
        out.write(f"  灯号颜色：工作表“{sheet}”{'、'.join(ranges)} 的条件格式（红、黄、绿及“待刷新”）\n")
