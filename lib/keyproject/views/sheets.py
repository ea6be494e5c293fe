"""The views of keyproject's five sheets, built from a ``Report``: 汇总, 红黄绿灯, 排名, 问题清单, 通报.

The file refresh (``kp refresh``), the Excel/WPS button and anything else that shows these sheets
render exactly these views, so they cannot drift apart. ``flagged_projects`` is the one red/yellow
list (red first, then the widest gap) every door uses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from keyproject.engine.report import Report
from keyproject.engine.rules import LIGHTS
from keyproject.formats import Decimals
from keyproject.labels import NO_LIGHT, group_label, label, light_name
from keyproject.views import Block, Column, Fact, Facts, Light, Paragraphs, SheetView, Table, Value

SUMMARY, LIGHTS_SHEET, RANKING, PROBLEMS, BULLETIN = "汇总", "红黄绿灯", "排名", "问题清单", "通报"
SHEETS: tuple[str, ...] = (SUMMARY, LIGHTS_SHEET, RANKING, PROBLEMS, BULLETIN)
# each sheet's title starts with this (the button recognises its own sheets by it)
TITLES: dict[str, str] = {
    SUMMARY: "重点项目推进情况汇总（截至",
    LIGHTS_SHEET: "红黄灯项目（截至",
    RANKING: "比学赶超排名（截至",
    PROBLEMS: "问题清单（截至",
    BULLETIN: "通报（截至",
}
_FLAG_ORDER = {"red": 0, "yellow": 1}
_AMOUNT_KEYS = ("total_investment", "annual_plan", "ytd_completed")


def as_of_text(as_of: dt.date) -> str:
    return f"{as_of.year}年{as_of.month}月{as_of.day}日"


def _title(sheet: str, report: Report) -> str:
    return f"{TITLES[sheet]}{as_of_text(report.as_of)}）"


def amount_decimals(report: Report) -> int:
    """万元 are shown whole unless the ledger itself has amounts with decimals (or 设置 says how many):
    ``keyproject.formats``' rule, decided once in ``Report.decimals``."""
    return report.decimals.amount


def _value(v: object) -> Value:
    """A frame cell as a view value: NaN/NA → None, numpy scalars → Python, timestamps → dates,
    lists → text joined with "；"."""
    if type(v) is str:  # most cells of a text column: before the checks below
        return v
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (list, tuple)):
        return "；".join(str(x) for x in v) or None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, (str, int, float, bool, dt.date, Light)):
        return v
    return str(v)


def _light(key: object, report: Report) -> Light | None:
    if isinstance(key, str) and key in LIGHTS:
        return Light(key, report.rules.light_label(key))
    return None


def _columns(specs: Sequence[tuple[str, str]], decimals: int, names: dict[str, str] | None = None
             ) -> tuple[Column, ...]:
    out = []
    for key, kind in specs:
        header = (names or {}).get(key) or label(key)
        out.append(Column(key, header, kind, decimals if kind == "amount" else None))  # type: ignore[arg-type]
    return tuple(out)


def _table(key: str, title: str | None, columns: tuple[Column, ...], frame: pd.DataFrame,
           report: Report, empty: str = "（无）") -> Table:
    present = [c for c in columns if c.key in frame.columns]
    values = [_column_values(frame[c.key], c.kind, report) for c in present]
    return Table(key, title, tuple(present), tuple(zip(*values, strict=True)) if present else (), empty)


def _column_values(col: pd.Series, kind: str, report: Report) -> list[Value]:
    """A frame column as view values, converted a column at a time (per cell it was a third of a
    30,000-project refresh's view time)."""
    if kind == "light":
        lights = {k: _light(k, report) for k in LIGHTS}
        return [lights.get(v) if isinstance(v, str) else None for v in col.to_numpy(dtype=object)]
    numpy = isinstance(col.dtype, np.dtype)  # not pandas' nullable dtypes: their blank is NA
    if numpy and col.dtype.kind == "f":  # tolist gives Python floats; NaN is the only blank
        return [None if v != v else v for v in col.tolist()]
    if numpy and col.dtype.kind in "iub":
        return col.tolist()
    return [_value(v) for v in col.to_numpy(dtype=object)]


# -- 汇总 ------------------------------------------------------------------------------------------
_COUNT_SPECS = (("group", "text"), ("count", "count"), ("total_investment", "amount"),
                ("annual_plan", "amount"), ("ytd_completed", "amount"))


def summary_view(report: Report) -> SheetView:
    d = amount_decimals(report)
    t = report.totals
    overview = Facts("overview", "总体情况", (
        Fact("time_progress", label("time_progress"), report.time_progress, "rate"),
        Fact("projects", label("projects"), int(t["projects"]), "count"),
        *(Fact(k, label(k), _value(t.get(k)), "amount", d) for k in _AMOUNT_KEYS),
        Fact("completion_rate", label("completion_rate"), _value(t.get("completion_rate")), "rate"),
        Fact("gap_points", label("gap_points"), _value(t.get("gap_points")), "points"),
        Fact("double_half", label("double_half"), _value(t.get("double_half")), "flag"),
        Fact("spi", label("spi"), _value(t.get("spi")), "ratio"),
    ))
    light_rows: list[tuple[Value, ...]] = [
        (Light(k, light_name(k, report.rules)) if k in LIGHTS else NO_LIGHT, int(report.lights[k]))
        for k in ("red", "yellow", "green", "none") if k in report.lights]
    light_columns = (Column("light", "灯号", "light"), Column("count", "项目个数", "count"))
    lights = Table("lights", "红黄绿灯", light_columns, tuple(light_rows))
    bands = _table("size_bands", "规模", _columns(
        (("band", "text"), ("min", "amount"), ("count", "count"), *((k, "amount") for k in _AMOUNT_KEYS)), d),
        report.size_bands, report)
    three = Facts("three_classes", "三类项目",
                  tuple(Fact(k, k, int(v), "count") for k, v in report.three_classes.items()),
                  header=("类别", "项目个数"))
    blocks: list[Facts | Table] = [overview, lights, bands, three]
    for key in ("stage", "category", "level", "command_post"):
        frame = report.counts.get(key)
        if frame is not None and len(frame):
            blocks.append(_table(f"by_{key}", f"按{group_label(key)}", _columns(
                _COUNT_SPECS, d, {"group": group_label(key)}), frame, report))
    sr, cr = report.start_rate, report.completion_rate_projects
    blocks.append(Facts("start_rate", label("start_rate"), (
        Fact("planned", label("planned_starts"), _value(sr.get("planned")), "count"),
        Fact("done", label("done_starts"), _value(sr.get("done")), "count"),
        Fact("rate", label("start_rate"), _value(sr.get("rate")), "rate"))))
    blocks.append(Facts("completion_rate_projects", label("completion_rate_projects"), (
        Fact("planned", label("planned_completions"), _value(cr.get("planned")), "count"),
        Fact("done", label("done_completions"), _value(cr.get("done")), "count"),
        Fact("rate", label("completion_rate_projects"), _value(cr.get("rate")), "rate"))))
    if report.reporting is not None:
        blocks.append(unreported_table(report))
    return SheetView(SUMMARY, _title(SUMMARY, report), tuple(blocks))


_UNREPORTED_NAMES = {"projects": "项目个数", "reported": "已报项目", "missing": "未报项目",
                     "status": "报送情况"}


def unreported_table(report: Report) -> Table:
    """The 未报送 list (催报): units that did not report every project this period."""
    month = report.reporting.month if report.reporting is not None else report.as_of.month
    specs = (("unit", "text"), ("projects", "count"), ("reported", "count"), ("missing", "count"),
             ("status", "text"))
    names = {"unit": group_label("unit"), **_UNREPORTED_NAMES}
    return _table("unreported", f"{month}月未报送单位（催报）", _columns(specs, 0, names), report.unreported,
                  report, empty="（各责任单位均已报送）")


# -- 红黄绿灯 ----------------------------------------------------------------------------------------
def flagged_projects(report: Report) -> pd.DataFrame:
    """The red and yellow projects: red first, then the widest gap (no gap last), then ledger order."""
    p = report.projects
    if "light" not in p.columns:
        return p.iloc[0:0]
    sel = p[p["light"].isin(list(_FLAG_ORDER))]
    order = sel["light"].map(_FLAG_ORDER)
    gap = sel["gap_points"] if "gap_points" in sel.columns else pd.Series(np.nan, index=sel.index)
    keys = pd.DataFrame({"o": order, "g": gap.astype(float)}, index=sel.index)
    return sel.loc[keys.sort_values(["o", "g"], kind="stable", na_position="last").index]


_LIGHT_SPECS = (("seq", "count"), ("sheet", "text"), ("light", "light"), ("name", "text"), ("unit", "text"),
                ("leader", "text"), ("command_post", "text"), ("annual_plan", "amount"),
                ("ytd_completed", "amount"), ("completion_rate", "rate"), ("gap_points", "points"),
                ("light_reasons", "wrap"), ("problems", "wrap"))


def lights_view(report: Report) -> SheetView:
    flagged = flagged_projects(report)
    frame = flagged.assign(seq=np.arange(1, len(flagged) + 1))
    multi_sheet = "sheet" in frame.columns and report.projects["sheet"].nunique() > 1
    specs = [s for s in _LIGHT_SPECS if s[0] != "sheet" or multi_sheet]
    table = _table("lights", None, _columns(specs, amount_decimals(report), {"seq": "序号"}), frame, report)
    return SheetView(LIGHTS_SHEET, _title(LIGHTS_SHEET, report), (table,), list_sheet=True)


# -- 排名 -------------------------------------------------------------------------------------------
def _rank_columns(report: Report, group: str) -> tuple[Column, ...]:
    d = amount_decimals(report)
    names = {"group": group_label(group)}
    names |= {k: light_name(k, report.rules) for k in ("red", "yellow", "green")}
    # a group judged on figures it did not update this period is marked (keyproject.engine.reporting)
    stale = (("not_updated", "count"),) if report.reporting is not None else ()
    names["not_updated"] = "未报送项目"
    return _columns((("rank", "count"), ("group", "text"), ("projects", "count"), ("annual_plan", "amount"),
                     ("ytd_completed", "amount"), ("completion_rate", "rate"), ("gap_points", "points"),
                     ("red", "count"), ("yellow", "count"), ("green", "count"), *stale), d, names)


def ranking_view(report: Report) -> SheetView:
    blocks: list[Table] = []
    for group, frame in report.rankings.items():
        blocks.append(_table(f"ranking.{group}", f"按{group_label(group)}排名", _rank_columns(report, group),
                             frame, report))
    by = report.list_by or "unit"
    for key, title in (("red_list", "红榜"), ("black_list", "黑榜")):
        blocks.append(_table(key, f"{title}（按{group_label(by)}）", _rank_columns(report, by),
                             getattr(report, key), report))
    blocks += board_blocks(report)
    return SheetView(RANKING, _title(RANKING, report), tuple(blocks))


def board_blocks(report: Report) -> list[Table]:
    """乡镇（街道） and 部门 ranked apart (``Report.boards``): each class's ranking (units with too few
    projects listed last, without a rank, as its title says), 红榜 and 黑榜."""
    names = report.rules.unit_class_labels
    by = report.list_by or "unit"
    blocks: list[Table] = []
    for kind, board in report.boards.items():
        name = names.get(kind, kind)
        columns = _rank_columns(report, by)
        note = f"（项目少于{report.rules.rank_min_projects}个的不排名次）" if board.exempt else ""
        blocks.append(_table(f"board.{kind}", f"{name}排名{note}", columns, board.ranking, report))
        blocks.append(_table(f"board.{kind}.red_list", f"{name}红榜", columns, board.red, report))
        blocks.append(_table(f"board.{kind}.black_list", f"{name}黑榜", columns, board.black, report))
    return blocks


# -- 问题清单 ---------------------------------------------------------------------------------------
_PROBLEM_SPECS = (("project", "text"), ("problem", "wrap"), ("unit", "text"), ("deadline", "date"),
                  ("status", "text"), ("days_overdue", "count"))


def problems_view(report: Report) -> SheetView:
    s = report.problems
    title = _title(PROBLEMS, report)
    if not s.total:
        return SheetView(PROBLEMS, title, (Paragraphs("none", None, ("（未发现问题记录）",)),))
    blocks: list[Facts | Table] = [Facts("counts", "问题办理情况", (
        Fact("total", label("problems_total"), int(s.total), "count"),
        Fact("open", label("open"), int(s.open), "count"),
        Fact("closed", label("closed"), int(s.closed), "count"),
        Fact("overdue", label("overdue"), int(s.overdue), "count"),
        Fact("due_soon", label("due_soon"), int(s.due_soon), "count"),
        Fact("closure_rate", label("closure_rate"), _value(s.closure_rate), "rate")))]
    if len(s.by_unit):
        specs = (("unit", "text"), ("total", "count"), ("open", "count"), ("closed", "count"),
                 ("overdue", "count"), ("due_soon", "count"), ("closure_rate", "rate"))
        blocks.append(_table("by_unit", "按责任单位", _columns(specs, 0, {"total": label("problems_total")}),
                             s.by_unit, report))
    items = s.items
    if isinstance(items, pd.DataFrame) and len(items) and {"closed", "overdue"} <= set(items.columns):
        if "days_overdue" in items.columns:
            items = items.sort_values("days_overdue", ascending=False, na_position="last", kind="stable")
        closed = items["closed"].fillna(False).astype(bool)
        overdue = items["overdue"].fillna(False).astype(bool) & ~closed
        cols = _columns(_PROBLEM_SPECS, 0)
        for key, name, mask, columns in (
                ("overdue", "超期未销号问题", overdue, cols),
                ("open", "其他未销号问题", ~closed & ~overdue, cols),
                ("closed", "已销号问题", closed, tuple(c for c in cols if c.key != "days_overdue"))):
            blocks.append(_table(key, f"{name}（{int(mask.sum())}个）", columns, items.loc[mask], report))
    elif len(s.overdue_items):
        cols = _columns(_PROBLEM_SPECS, 0)
        blocks.append(_table("overdue", "超期未销号问题", cols, s.overdue_items, report))
    return SheetView(PROBLEMS, title, tuple(blocks))


# -- 通报 -------------------------------------------------------------------------------------------
def bulletin_view(report: Report, lines: Sequence[str]) -> SheetView:
    """The 通报's text, one paragraph a row (its own title first), ready to copy into a document."""
    paras = tuple(t.strip() for t in lines if t.strip())
    return SheetView(BULLETIN, _title(BULLETIN, report), (Paragraphs("text", None, paras),), portrait=True)


def with_decimals(view: SheetView, decimals: Decimals) -> SheetView:
    """``view`` with every number cell that does not say its decimals given the report's
    (``Report.decimals``: the 设置 sheet's or ``keyproject.formats``' defaults), so every renderer
    shows rates, points and amounts alike."""
    def fill(kind: str, have: int | None) -> int | None:
        return have if have is not None else decimals.of_kind(kind)

    blocks: list[Block] = []
    for b in view.blocks:
        if isinstance(b, Table):
            b = replace(b, columns=tuple(replace(c, decimals=fill(c.kind, c.decimals)) for c in b.columns))
        elif isinstance(b, Facts):
            b = replace(b, items=tuple(replace(f, decimals=fill(f.kind, f.decimals)) for f in b.items))
        blocks.append(b)
    return replace(view, blocks=tuple(blocks))


def sheet_views(report: Report, bulletin_lines: Sequence[str]) -> tuple[SheetView, ...]:
    """keyproject's five sheets, in the order they are written."""
    views = (summary_view(report), lights_view(report), ranking_view(report), problems_view(report),
             bulletin_view(report, bulletin_lines))
    return tuple(with_decimals(v, report.decimals) for v in views)


def view_rows(view: SheetView) -> list[list[Value]]:
    """A view as rows of values from A1 (what a values-only writer such as the Excel button puts in):
    the title, a blank row, then each block's heading, header and rows, a blank row after each."""
    rows: list[list[Value]] = [[view.title], []]
    for block in view.blocks:
        if block.title:
            rows.append([block.title])
        if isinstance(block, Facts):
            rows.append(list(block.header))
            rows += [[f.label, f.value] for f in block.items] or [[block.empty]]
        elif isinstance(block, Table):
            if block.rows:
                rows.append([c.label for c in block.columns])
                rows += [list(r) for r in block.rows]
            else:
                rows.append([block.empty])
        else:
            rows += [[line] for line in block.lines]
        rows.append([])
    while rows and not rows[-1]:
        rows.pop()
    return rows


__all__ = ["BULLETIN", "PROBLEMS", "RANKING", "SHEETS", "SUMMARY", "TITLES", "amount_decimals",
           "board_blocks", "bulletin_view", "flagged_projects", "lights_view", "problems_view",
           "ranking_view", "sheet_views", "summary_view", "unreported_table", "view_rows"]
