"""``kp inspect LEDGER [--sheet NAME] [--json]``: how keyproject reads a ledger."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import pandas as pd

from keyproject.cli._common import print_json
from keyproject.ledger import Ledger
from keyproject.reader import read_ledger
from keyproject.schema import LEDGER

# keys of each project in the JSON, in this order: every canonical field but the row number 序号
PROJECT_KEYS: tuple[str, ...] = tuple(k for k in LEDGER.keys if k != "seq")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("inspect", help="查看台账的读取结果：表头、列对应、单位、报告月份、项目和问题",
                              description="读取台账并显示 keyproject 如何理解它。")
    p.add_argument("ledger", metavar="LEDGER", help="台账文件（.xlsx/.xlsm）")
    p.add_argument("--sheet", metavar="NAME", help="工作表名称（默认自动选择最像台账的工作表）")
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
    cols = {k: p[k].tolist() for k in ("row", *PROJECT_KEYS)}
    projects = [{k: _json_value(cols[k][i]) for k in cols} for i in range(len(p))]
    return {
        "file": str(ledger.path) if ledger.path is not None else None,
        "sheet": ledger.sheet,
        "header_rows": ledger.header_rows,
        "unit": ledger.unit,
        "report_month": ledger.report_month,
        "report_year": ledger.report_year,
        "title": ledger.title,
        "columns": [{"column": c.letter, "header": c.header, "field": c.key, "factor": c.factor}
                    for c in ledger.columns],
        "projects": projects,
        "issues": [i.to_dict() for i in ledger.issues],
    }


def _human(ledger: Ledger) -> str:
    fields = LEDGER.by_key
    lines = [
        f"文件：{ledger.path}",
        f"工作表：{ledger.sheet}",
        f"标题：{ledger.title or '（无）'}",
        f"表头行：{'、'.join(str(r) for r in ledger.header_rows)}",
        f"单位：{ledger.unit}（金额均换算为万元）",
        f"报告月份：{f'1-{ledger.report_month}月' if ledger.report_month else '（未识别）'}"
        + (f"，年份：{ledger.report_year}" if ledger.report_year else ""),
        "列对应：",
    ]
    for c in ledger.columns:
        target = f"{fields[c.key].label}（{c.key}）" if c.key else "（未识别，原样保留）"
        unit = "，×10000" if c.factor == 10000 else ("，×0.0001" if c.factor == 0.0001 else "")
        lines.append(f"  {c.letter}列 {c.header or '（无表头）'} → {target}{unit}")
    for c in ledger.owned_columns:
        lines.append(f"  {c.letter}列 {c.header} → keyproject 生成的列")
    lines.append(f"项目数：{len(ledger.projects)}")
    if ledger.problems is not None:
        lines.append(f"问题清单：{len(ledger.problems)}条")
    errors, warnings = len(ledger.errors), len(ledger.warnings)
    lines.append(f"问题：{errors}个错误，{warnings}个警告" if ledger.issues else "问题：无")
    lines += [f"  {i}" for i in ledger.issues]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    ledger = read_ledger(args.ledger, sheet=args.sheet)
    if args.json:
        print_json(ledger_json(ledger))
    else:
        sys.stdout.write(_human(ledger) + "\n")
    return 0
