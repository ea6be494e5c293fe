"""``kp history``: the snapshots the refreshes recorded, 环比, 同比 and one project's trend."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from keyproject.cli._common import add_history_argument, open_history, print_json
from keyproject.engine.comparison import Comparison, compare_all
from keyproject.engine.history import History, Snapshot
from keyproject.errors import KPError, LedgerFileError
from keyproject.names import normalise_code, normalise_name

HELP = """\
列出历史记录中的各次快照（每次 kp refresh 记录一次）：统计截止日期、项目数、年度计划、累计完成、完成率、
与序时进度的差距、红黄绿灯个数；每次与上一次相比的变化（环比：较上期增加的投资、完成率和灯号变化）；
工作簿有“上年月度”表（上年1-12月各月完成投资）时，与上年同期相比的增长（同比）。
--project 给出项目名称或编号时，列出该项目各次的完成投资、完成率、灯号和报送情况。"""

SNAPSHOT_KEYS: tuple[str, ...] = ("as_of", "taken_at", "source", "projects", "annual_plan", "ytd_completed",
                                  "completion_rate", "gap_points", "time_progress", "lights",
                                  "reporting_period", "comparison")
TREND_KEYS: tuple[str, ...] = ("as_of", "ytd_completed", "completion_rate", "gap_points", "light", "stage",
                               "reported")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("history", help="历史快照、环比与同比、项目走势", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ledger", metavar="台账", help="项目台账工作簿（其旁边的历史记录和“上年月度”表）")
    add_history_argument(p)
    p.add_argument("--project", metavar="项目", help="项目名称或项目编号：列出该项目的历次数据")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(handler=run)


def _last_year(path: Path) -> list[float] | None:
    from keyproject.engine.scenario import last_year_of

    values = last_year_of(path)
    return None if values is None else [float(v) for v in values]


def _num(v: Any, digits: int = 4) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    f = float(v)
    return None if math.isnan(f) else round(f, digits)


def snapshot_dict(s: Snapshot, c: Comparison) -> dict[str, Any]:
    """One snapshot of ``kp history --json``: exactly ``SNAPSHOT_KEYS``."""
    t = s.totals
    return {
        "as_of": s.as_of.isoformat(),
        "taken_at": s.taken_at.isoformat(sep=" "),
        "source": s.source,
        "projects": int(t.get("projects") or len(s.projects)),
        "annual_plan": _num(t.get("annual_plan")),
        "ytd_completed": _num(t.get("ytd_completed")),
        "completion_rate": _num(t.get("completion_rate")),
        "gap_points": _num(t.get("gap_points"), 2),
        "time_progress": _num(s.time_progress),
        "lights": s.lights,
        "reporting_period": None if s.reporting_period is None
        else f"{s.reporting_period[0]}-{s.reporting_period[1]:02d}",
        "comparison": c.to_dict(),
    }


def find_project(snapshots: list[Snapshot], text: str) -> tuple[str, str]:
    """(project key, name) of the project named or coded ``text`` in the snapshots."""
    names: dict[str, str] = {}
    for s in snapshots:
        names.update({k: n for k, n in zip(s.projects.index, s.projects["name"], strict=True) if n})
    wanted = {f"编号:{normalise_code(text)}", f"名称:{normalise_name(text)}"}
    exact = [k for k in names if k in wanted or k.split("#")[0] in wanted]
    if len(exact) == 1:
        return exact[0], names[exact[0]]
    needle = normalise_name(text) or ""
    partial = sorted({k for k, n in names.items() if needle and needle in (normalise_name(n) or "")})
    if len(exact) > 1 or len(partial) > 1:
        found = "、".join(names[k] for k in (exact or partial)[:10])
        raise KPError(f"历史记录中有多个项目与“{text}”相符：{found}；请写出完整名称或项目编号")
    if len(partial) == 1:
        return partial[0], names[partial[0]]
    raise KPError(f"历史记录中没有名称或编号为“{text}”的项目")


def run(args: argparse.Namespace) -> int:
    ledger = Path(args.ledger)
    if not args.history and not ledger.is_file():
        raise LedgerFileError("找不到台账工作簿", file=ledger)
    history = open_history(args, ledger, create=False)
    if history is None:
        raise KPError(f"台账旁没有历史记录（{History.path_for(ledger).name}）：先用 kp refresh 刷新台账，"
                      "或用 --history 指定历史记录数据库", file=ledger)
    with history:
        snapshots = history.snapshots()
        if not snapshots:
            where = f"“{history.scope}”" if history.scope else ""
            raise KPError(f"历史记录中还没有{where}的快照：先用 kp refresh 刷新台账")
        project = find_project(snapshots, args.project) if args.project else None
        trend = history.trend(project[0]) if project else None
    last_year = _last_year(ledger)
    comparisons = compare_all(snapshots, last_year)
    out: dict[str, Any] = {
        "scope": history.scope,
        "database": history.url,
        "last_year": last_year is not None,
        "snapshots": [snapshot_dict(s, c) for s, c in zip(snapshots, comparisons, strict=True)],
    }
    if project is not None and trend is not None:
        out["project"] = {"key": project[0], "name": project[1], "trend": _trend_records(trend)}
    if args.json:
        print_json(out)
    else:
        sys.stdout.write(format_history(out) + "\n")
    return 0


def _trend_records(trend: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for as_of, (_, r) in zip(pd.DatetimeIndex(trend.index).date, trend.iterrows(), strict=True):
        rows.append({
            "as_of": as_of.isoformat(),
            "ytd_completed": _num(r["ytd_completed"]),
            "completion_rate": _num(r["completion_rate"]),
            "gap_points": _num(r["gap_points"], 2),
            "light": None if pd.isna(r["light"]) else r["light"],
            "stage": None if pd.isna(r["stage"]) else r["stage"],
            "reported": None if r["reported"] is None or pd.isna(r["reported"]) else bool(r["reported"]),
        })
    return rows


def _wan(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def _pts(x: float | None) -> str:
    return "—" if x is None else f"{x:+.2f}"


def format_history(d: dict[str, Any]) -> str:
    """``kp history``'s text: one row per snapshot, then the project's trend."""
    from keyproject.cli.sprint import format_table

    head = f"历史记录（{d['database']}" + (f"，{d['scope']}" if d["scope"] else "") + "）"
    lines = [head]
    rows = []
    for s in d["snapshots"]:
        c = s["comparison"]
        lights = s["lights"]
        rows.append([s["as_of"], str(s["projects"]), _wan(s["annual_plan"]), _wan(s["ytd_completed"]),
                     _pct(s["completion_rate"]), _pts(s["gap_points"]),
                     f"{lights['red']}/{lights['yellow']}/{lights['green']}",
                     _wan(c["increase"]), _pts(c["rate_change"]), _pct(c["yoy_growth"])])
    header = ["统计截止", "项目数", "年度计划(万元)", "累计完成(万元)", "完成率", "差距(百分点)", "红/黄/绿",
              "较上期增加(万元)", "完成率变化", "同比增长"]
    lines.append(format_table(header, rows, right=range(1, 10)))
    if not d["last_year"]:
        lines.append("（工作簿没有“上年月度”表，未计算同比）")
    project = d.get("project")
    if project:
        lines.append("")
        lines.append(f"项目“{project['name']}”历次数据：")
        labels = {"red": "红", "yellow": "黄", "green": "绿"}
        trows = [[r["as_of"], _wan(r["ytd_completed"]), _pct(r["completion_rate"]), _pts(r["gap_points"]),
                  labels.get(r["light"] or "", "—"), r["stage"] or "—",
                  "—" if r["reported"] is None else ("已报" if r["reported"] else "未报送")]
                 for r in project["trend"]]
        theader = ["统计截止", "累计完成(万元)", "完成率", "差距(百分点)", "灯号", "阶段", "本期报送"]
        lines.append(format_table(theader, trows, right=range(1, 4)))
    return "\n".join(lines)
