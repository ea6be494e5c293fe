"""Tables built for Excel formulas: a ledger range to a projects frame, summary and ranking rows.

Pure functions shared by the Excel add-in (``addin/keyproject_udfs.py``) and anything else that
has a ledger as a range of values (a header row, then one row per project) rather than a file.
Headers are mapped with the schema (``keyproject.schema.LEDGER``), values with the library's parsers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from keyproject import excel_shapes as xs
from keyproject.errors import KPError
from keyproject.lights import evaluate, light_counts
from keyproject.progress import totals
from keyproject.ranking import rank
from keyproject.rules import Rules
from keyproject.schema import LEDGER, OWNED_COLUMNS, Field, Schema, conform

_SPACE = re.compile(r"[\s\u3000]+")


def _norm(header: str) -> str:
    text = _SPACE.sub("", str(header))
    return text.replace("（", "(").replace("）", ")")


def _strip_unit(header: str) -> str:
    """"年度计划投资(万元)" → "年度计划投资"."""
    return re.sub(r"\((万元|亿元|元|%|万)\)$", "", header)


def _translator() -> Any:
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # OpenCC is a dependency; still map Simplified headers without it
        return None


def match_header(header: Any, schema: Schema = LEDGER) -> Field | None:
    """The field a header cell means (label, alias or pattern; Traditional headers too), or None."""
    if xs.is_blank(header):
        return None
    text = _norm(header)
    candidates = [text, _strip_unit(text)]
    cc = _translator()
    if cc is not None:
        simplified = cc.convert(text)
        candidates += [simplified, _strip_unit(simplified)]
    for cand in candidates:
        for f in schema.fields:
            if cand in f.names or any(rx.fullmatch(cand) for rx in f.compiled):
                return f
    return None


def projects_from_range(value: Any, schema: Schema = LEDGER) -> pd.DataFrame:
    """A projects frame (every field of ``schema`` as a column, ``row`` = data row 1..n) from a range
    whose first row holds the headers. Amount and date text is parsed; an unreadable cell is a
    KPError naming its row and column header. keyproject's own columns are ignored."""
    headers, body = xs.header_table(value)
    fields: dict[int, Field] = {}
    for j, h in enumerate(headers):
        if h in OWNED_COLUMNS:
            continue
        f = match_header(h, schema)
        if f is not None and f.key not in {g.key for g in fields.values()}:
            fields[j] = f
    required = [f for f in schema.fields if f.required]
    missing = [f.label for f in required if f.key not in {g.key for g in fields.values()}]
    if missing:
        raise KPError(f"区域标题行中找不到“{'、'.join(missing)}”列")
    n = len(body)
    data: dict[str, Any] = {"row": pd.array(range(1, n + 1), dtype="Int64")}
    for j, f in fields.items():
        column = [[r[j] if j < len(r) else None] for r in body] or [[None]]
        if f.kind == "amount":
            cells = xs.numbers(column, f.label)
        elif f.kind == "date":
            cells = xs.dates(column, f.label)
        elif f.kind == "rate":
            cells = xs.numbers(column, f.label)
        else:
            cells = xs.texts(column)
        bad = ~pd.isna(cells.errors)
        if n and bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise KPError(f"第{i + 2}行“{headers[j]}”列：{cells.errors[i]}")
        data[f.key] = cells.values[:n]
    frame = pd.DataFrame(data)
    frame = conform(frame, schema)
    # subtotal rows (合计 / 小计 / 其中) are not projects
    names = frame["name"].fillna("").astype(str)
    frame = frame[(names != "") & ~names.str.match(r"^(合计|总计|小计|其中)")]
    return frame.reset_index(drop=True)


def summary_rows(projects: pd.DataFrame, as_of: Any, rules: Rules | None = None) -> list[tuple[str, Any]]:
    """(指标, 值) rows: projects, plan, completed, rate, time progress, gap, lights, 双过半."""
    rules = rules or Rules()
    t = totals(projects, as_of, rules)
    counts = light_counts(evaluate(projects, as_of, rules)["light"])
    label = rules.light_label
    dh = t["double_half"]
    return [
        ("指标", "值"),
        ("项目个数", t["projects"]),
        ("年度计划投资(万元)", t["annual_plan"]),
        ("累计完成投资(万元)", t["ytd_completed"]),
        ("完成率", t["completion_rate"]),
        ("序时进度", t["time_progress"]),
        ("差距(百分点)", t["gap_points"]),
        (f"{label('green')}灯", counts["green"]),
        (f"{label('yellow')}灯", counts["yellow"]),
        (f"{label('red')}灯", counts["red"]),
        ("双过半", "" if dh is None else ("是" if dh else "否")),
    ]


RANK_HEADERS: tuple[str, ...] = ("排名", "分组", "项目数", "年度计划投资(万元)", "累计完成投资(万元)",
                                 "完成率", "差距(百分点)", "红灯", "黄灯", "绿灯")


def rank_rows(groups: Sequence[Any] | np.ndarray, done: np.ndarray, plan: np.ndarray, as_of: Any,
              rules: Rules | None = None) -> list[tuple[Any, ...]]:
    """A ranking table (header row first) of groups by completion rate, via ``ranking.rank``."""
    rules = rules or Rules()
    frame = pd.DataFrame({"group": pd.Series(list(groups), dtype="str"),
                          "ytd_completed": np.asarray(done, dtype=float),
                          "annual_plan": np.asarray(plan, dtype=float)})
    ranking = rank(frame, "group", as_of, rules)
    heads = list(RANK_HEADERS)
    heads[-3:] = [f"{rules.light_label(c)}灯" for c in ("red", "yellow", "green")]
    rows: list[tuple[Any, ...]] = [tuple(heads)]
    for r in ranking.itertuples(index=False):
        rows.append((None if pd.isna(r.rank) else int(r.rank), r.group, r.projects, r.annual_plan,
                     r.ytd_completed, r.completion_rate, r.gap_points, r.red, r.yellow, r.green))
    return rows
