"""``kp backplan``: 倒排工期, the latest dates of each approval step before a target date."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from keyproject.backplan import DEFAULT_STEPS, backward_plan, load_steps
from keyproject.calendar import WorkCalendar, load_calendar_file
from keyproject.cli._common import parse_date_arg, print_json
from keyproject.cli.sprint import format_table

HELP = """\
倒排工期：从目标日期（如“5月1日前开工”）往前，按工作日（国家法定节假日和调休）倒推每个步骤的最晚开始、
最晚完成日期。最后一步在目标日当天或之前的最后一个工作日完成，前一步在后一步开始的前一个工作日完成。
默认步骤：""" + "、".join(f"{n} {d}" for n, d in DEFAULT_STEPS) + """ 个工作日。
--steps 可用 TOML（[steps] 下 "项目注册" = 5）、CSV 或 xlsx（两列：步骤、工作日数）自定义。"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("backplan", help="倒排工期：各步骤最晚开始与完成日期", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True, metavar="日期", help="目标日期，如 2024-05-01")
    p.add_argument("--steps", metavar="文件", help="步骤与工作日数（TOML、CSV 或 xlsx）")
    p.add_argument("--calendar", metavar="文件", help="节假日安排文件（TOML，或 日期/班休 两列的 CSV、xlsx）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    target = parse_date_arg(args.target, "--target")
    calendar = load_calendar_file(args.calendar) if args.calendar else WorkCalendar()
    steps = load_steps(args.steps) if args.steps else None
    plan = backward_plan(target, steps, calendar=calendar)
    if args.json:
        print_json(plan_to_dict(plan, target))
        return 0
    print(f"倒排工期：目标日期 {target.isoformat()}，共 {int(plan['days'].sum())} 个工作日，"
          f"最晚须于 {_d(plan['latest_start'].iloc[0])} 启动")
    rows = [[str(i), r.step, str(r.days), _d(r.latest_start), _d(r.latest_finish)]
            for i, r in enumerate(plan.itertuples(index=False), start=1)]
    print(format_table(["序号", "步骤", "工作日", "最晚开始", "最晚完成"], rows, right={0, 2}))
    return 0


def _d(x: Any) -> str:
    return pd.Timestamp(x).date().isoformat()


def plan_to_dict(plan: pd.DataFrame, target: Any) -> dict[str, Any]:
    """The JSON of ``kp backplan --json``."""
    return {
        "target": _d(target),
        "start": _d(plan["latest_start"].iloc[0]),
        "finish": _d(plan["latest_finish"].iloc[-1]),
        "working_days": int(plan["days"].sum()),
        "steps": [{"step": r.step, "days": int(r.days), "latest_start": _d(r.latest_start),
                   "latest_finish": _d(r.latest_finish)} for r in plan.itertuples(index=False)],
    }
