"""``kp inspect LEDGER [--sheet NAME] [--json]``: how keyproject reads a ledger, and why.

Shows, for every sheet, whether its projects were read, it was read as a side table or skipped (and
why); for every column of the sheets read, the field it became or why it was left; where the report
year and month came from; the projects; and every problem located to sheet, row and column. When the
reader cannot decide (``AmbiguousLedgerError``) the command exits 2 with the candidates listed and
the option or 设置 key that decides.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import pandas as pd

from keyproject.cli._common import print_json
from keyproject.labels import field_label
from keyproject.ledger import Ledger
from keyproject.reader import read_ledger
from keyproject.schema import DONE_COLUMNS, LEDGER

# keys of each project in the JSON, in this order: every canonical field but the row number 序号,
# then the milestone flags of states typed into date cells ("已开工")
PROJECT_KEYS: tuple[str, ...] = tuple(k for k in LEDGER.keys if k != "seq")
STATE_KEYS: tuple[str, ...] = tuple(DONE_COLUMNS.values())
_ACTIONS = {"read": "读取", "side": "辅助表", "skipped": "跳过"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("inspect",
                              help="查看台账的读取结果：工作表、表头、列对应、单位、报告月份、项目和问题",
                              description="读取台账并显示 keyproject 如何理解它：每个工作表读取与否及原因、"
                                          "每列对应的字段或未使用的原因、报告年月的来源、项目和问题。")
    p.add_argument("ledger", metavar="LEDGER", help="台账文件（.xlsx/.xlsm/.xls/.et）")
    p.add_argument("--sheet", metavar="NAME",
                   help="工作表名称，多个用逗号分隔（默认自动识别：读取所有项目工作表）")
    p.add_argument("--json", action="store_true", help="输出一个JSON对象")
    p.set_defaults(handler=run)


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item"):
        return v.item()
    return v


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    """The object ``kp inspect --json`` prints."""
    p = ledger.projects
    keys = ("row", "sheet", *PROJECT_KEYS, *(k for k in STATE_KEYS if k in p.columns))
    cols = {k: p[k].tolist() for k in keys}
    projects = [{k: _json_value(cols[k][i]) for k in cols} for i in range(len(p))]
    return {
        "file": str(ledger.path) if ledger.path is not None else None,
        "format": ledger.format,
        "sheet": ledger.sheet,
        "sheets": [d.to_dict() for d in ledger.sheet_decisions],
        "header_rows": ledger.header_rows,
        "unit": ledger.unit,
        "report_month": ledger.report_month,
        "report_year": ledger.report_year,
        "period": ledger.period.to_dict(),
        "recorded_as_of": ledger.recorded_as_of.isoformat() if ledger.recorded_as_of else None,
        "title": ledger.title,
        "columns": [{"column": c.letter, "header": c.header, "field": c.key, "factor": c.factor}
                    for c in ledger.columns],
        "layouts": [{"sheet": lay.sheet, "header_rows": lay.header_rows, "unit": lay.unit, "title": lay.title,
                     "last_column": lay.last_column,
                     "columns": [{"column": c.letter, "header": c.header, "field": c.key, "factor": c.factor}
                                 for c in lay.columns],
                     "owned_columns": [{"column": c.letter, "header": c.header} for c in lay.owned_columns]}
                    for lay in ledger.layouts],
        "column_decisions": [d.to_dict() for d in ledger.column_decisions],
        "projects": projects,
        "issues": [i.to_dict() for i in ledger.issues],
    }


def _period_text(ledger: Ledger) -> str:
    per = ledger.period
    if per.month is None:
        return "（未识别）" + (f"，年份：{per.year}" if per.year else "")
    text = f"1-{per.month}月" + (f"，年份：{per.year}" if per.year else "")
    if per.day:
        text += f"（截至{per.month}月{per.day}日）"
    if per.source is not None:
        from keyproject.reader.period import describe

        text += f"；来源：{describe(per.source)}"
    return text


def _human(ledger: Ledger) -> str:
    fields = LEDGER.by_key
    lines = [f"文件：{ledger.path}", "工作表："]
    for d in ledger.sheet_decisions:
        extra = f"，{d.projects}个项目" if d.action == "read" else ""
        fill = f"，工作表名填入“{field_label(d.fills)}”" if d.fills else ""
        hidden = "（隐藏）" if d.state != "visible" else ""
        lines.append(f"  {d.sheet}{hidden}：{_ACTIONS[d.action]}（{d.message}{extra}{fill}）")
    lines += [
        f"标题：{ledger.title or '（无）'}",
        f"单位：{ledger.unit}（金额均换算为万元）",
        f"报告月份：{_period_text(ledger)}",
    ]
    if ledger.recorded_as_of:
        lines.append(f"上次刷新记录的统计截止日期：{ledger.recorded_as_of.isoformat()}")
    decisions = {(d.sheet, d.column): d for d in ledger.column_decisions}
    seen: dict[tuple[object, ...], str] = {}
    for lay in ledger.layouts:
        lines.append(f"工作表“{lay.sheet}”表头行：{'、'.join(str(r) for r in lay.header_rows)}")
        shape = (tuple(lay.header_rows), tuple((c.letter, c.header, c.key, c.factor) for c in lay.columns))
        if shape in seen:  # one sheet per 指挥部 usually shares one layout: say it once
            lines.append(f"列对应：与工作表“{seen[shape]}”相同")
            continue
        seen[shape] = lay.sheet
        lines.append("列对应：")
        for c in lay.columns:
            cd = decisions.get((lay.sheet, c.letter))
            known = cd is not None and cd.reason != "unknown"
            left = "（未使用，原样保留）" if known else "（未识别，原样保留）"
            target = f"{fields[c.key].label}（{c.key}）" if c.key else left
            unit = "，×10000" if c.factor == 10000 else ("，×0.0001" if c.factor == 0.0001 else "")
            why = f"：{cd.message}" if cd is not None and cd.message and cd.action != "field" else ""
            lines.append(f"  {c.letter}列 {c.header or '（无表头）'} → {target}{unit}{why}")
        for c in lay.owned_columns:
            lines.append(f"  {c.letter}列 {c.header} → keyproject 生成的列")
    lines.append(f"项目数：{len(ledger.projects)}")
    if ledger.problems is not None:
        lines.append(f"问题清单：{len(ledger.problems)}条")
    errors, warnings = len(ledger.errors), len(ledger.warnings)
    infos = len(ledger.issues) - errors - warnings
    lines.append(f"问题：{errors}个错误，{warnings}个警告，{infos}条提示" if ledger.issues else "问题：无")
    lines += [f"  {i}" for i in ledger.issues]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    ledger = read_ledger(args.ledger, sheet=args.sheet)
    if args.json:
        print_json(ledger_json(ledger))
    else:
        sys.stdout.write(_human(ledger) + "\n")
    return 0
