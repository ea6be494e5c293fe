"""``kp backplan``: 倒排工期, the latest dates of each approval step before a target date."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import pandas as pd

from keyproject.cli._common import parse_date_arg, print_json
from keyproject.cli.sprint import format_table
from keyproject.dates import parse_date
from keyproject.engine.backplan import (
    DEFAULT_STEPS,
    STATUS_LABELS,
    backward_plan,
    load_steps,
    milestone_counts,
    milestone_status,
)
from keyproject.engine.context import clock_today, resolve_calendar
from keyproject.errors import KPError

HELP = """\
倒排工期：从目标日期（如“5月1日前开工”）往前，按工作日（国家法定节假日和调休）倒推每个步骤的最晚开始、
最晚完成日期。最后一步在目标日当天或之前的最后一个工作日完成，前一步在后一步开始的前一个工作日完成。
默认步骤：""" + "、".join(f"{n} {d}" for n, d in DEFAULT_STEPS) + """ 个工作日。
--steps 可用 TOML（[steps] 下 "项目注册" = 5）、CSV 或 xlsx（两列：步骤、工作日数）自定义。
--milestones 给出含节点清单（项目名称、节点、完成时限、完成时间、滞后原因、调整后时限）的工作簿时，
截至 --as-of（默认今天）标出每个节点：已完成、已逾期（按调整后时限，如有）、即将到期（--due-within 天内，
默认 7 天）、未到期。"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("backplan", help="倒排工期：各步骤最晚开始与完成日期", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", metavar="日期", help="目标日期，如 2024-05-01（不给 --milestones 时必填）")
    p.add_argument("--steps", metavar="文件", help="步骤与工作日数（TOML、CSV 或 xlsx）")
    p.add_argument("--calendar", metavar="文件", help="节假日安排文件（TOML，或 日期/班休 两列的 CSV、xlsx）")
    p.add_argument("--milestones", metavar="工作簿",
                   help="含节点清单工作表的工作簿：标出各节点完成、逾期情况")
    p.add_argument("--sheet", metavar="工作表", help="节点清单所在工作表（默认自动识别）")
    p.add_argument("--as-of", metavar="日期", help="节点状态的截至日期（默认今天）")
    p.add_argument("--due-within", type=int, default=7, metavar="天数", help="即将到期的天数（默认 7）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.target is None and args.milestones is None:
        raise KPError("请用 --target 给出目标日期，或用 --milestones 给出节点清单")
    out: dict[str, Any] = {}
    text: list[str] = []
    if args.target is not None:
        target = parse_date(args.target, "--target")
        calendar = resolve_calendar(args.calendar)
        steps = load_steps(args.steps) if args.steps else None
        plan = backward_plan(target, steps, calendar=calendar)
        out.update(plan_to_dict(plan, target))
        text.append(f"倒排工期：目标日期 {target.isoformat()}，共 {int(plan['days'].sum())} 个工作日，"
                    f"最晚须于 {_d(plan['latest_start'].iloc[0])} 启动")
        rows = [[str(i), str(r.step), str(r.days), _d(r.latest_start), _d(r.latest_finish)]
                for i, r in enumerate(plan.itertuples(index=False), start=1)]
        text.append(format_table(["序号", "步骤", "工作日", "最晚开始", "最晚完成"], rows, right={0, 2}))
    if args.milestones is not None:
        if args.due_within < 0:
            raise KPError(f"参数 --due-within 应为非负整数，而不是 {args.due_within}")
        as_of = parse_date_arg(args.as_of, "--as-of") or clock_today()
        statuses = _milestones(args.milestones, args.sheet, as_of, args.due_within)
        out["as_of"] = as_of.isoformat()
        out["milestone_counts"] = milestone_counts(statuses)
        out["milestones"] = milestones_to_list(statuses)
        if text:
            text.append("")
        text.append(_milestone_text(statuses, as_of))
    if args.json:
        print_json(out)
    else:
        print("\n".join(text))
    return 0


def _milestones(path: str, sheet: str | None, as_of: dt.date, due_within: int) -> pd.DataFrame:
    from keyproject.reader import read_table
    from keyproject.schema import MILESTONES

    table = read_table(path, MILESTONES, sheet)
    for issue in table.errors:
        sys.stderr.write(f"kp：{issue}\n")
    return milestone_status(table.projects, as_of, due_within_days=due_within)


def milestones_to_list(statuses: pd.DataFrame) -> list[dict[str, Any]]:
    """Each milestone as JSON: row, project, step, deadline, done_date, reason, revised_deadline,
    effective_deadline, days_to_deadline, status, status_label, done_late."""
    keys = ["row", "project", "step", "deadline", "done_date", "reason", "revised_deadline",
            "effective_deadline", "days_to_deadline", "status", "status_label", "done_late"]
    out = []
    for rec in statuses.reindex(columns=keys).to_dict("records"):
        out.append({str(k): _plain(v) for k, v in rec.items()})
    return out


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


def _milestone_text(statuses: pd.DataFrame, as_of: dt.date) -> str:
    counts = milestone_counts(statuses)
    head = "、".join(f"{STATUS_LABELS[s]} {n} 个" for s, n in counts.items())
    lines = [f"节点清单（截至 {as_of.isoformat()}）：共 {len(statuses)} 个，{head}"]
    shown = statuses[statuses["status"].isin(["overdue", "due_soon"])]
    if len(shown):
        rows = [[str(r["project"]), str(r["step"]), _d_or_blank(r["effective_deadline"]),
                 r["status_label"], "" if pd.isna(r["reason"]) else str(r["reason"])]
                for r in shown.sort_values("effective_deadline").to_dict("records")]
        lines.append(format_table(["项目", "节点", "时限", "状态", "滞后原因"], rows))
    return "\n".join(lines)


def _d_or_blank(x: Any) -> str:
    return "" if pd.isna(x) else _d(x)


def _d(x: Any) -> str:
    return pd.Timestamp(x).date().isoformat()


def plan_to_dict(plan: pd.DataFrame, target: Any) -> dict[str, Any]:
    """The JSON of ``kp backplan --json``."""
    return {
        "target": _d(target),
        "start": _d(plan["latest_start"].iloc[0]),
        "finish": _d(plan["latest_finish"].iloc[-1]),
        "working_days": int(plan["days"].sum()),
        "steps": [{"step": r.step, "days": days, "latest_start": _d(r.latest_start),
                   "latest_finish": _d(r.latest_finish)}
                  for r, days in zip(plan.itertuples(index=False), plan["days"].astype(int).tolist(),
                                     strict=True)],
    }
