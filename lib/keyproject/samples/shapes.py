"""Ledgers laid out the way county and city offices really keep them, one workbook per shape, with
the truth of what a reader must get from each.

Each builder writes its workbook with XlsxWriter (as Excel writes files: formulas carry the values
Excel cached, hidden columns and sheets are marked as Excel marks them) and returns a ``Truth``: the
projects with their canonical fields (amounts in 万元, ``datetime.date`` dates), the sheet and row
each is on and whether it has started by the report date, the report period, what the reader must do
with each sheet, and the cells it must warn about. Tests read the workbooks through ``kp inspect
--json`` and ``kp report --json`` and compare with the truth; the lights are computed from the truth
independently of the engine.

Shapes (``SHAPES``): one sheet per 指挥部 with a 汇总 of cross-sheet formulas in front
(``multi_post``), one sheet per category (``multi_category``), one copy per month (``per_month``), the
report date in a note and a 填报时间 that is not it (``period_note``), headers typed with spaces and
line breaks, role-word leaders and units, and three header rows of monthly 计划 | 完成 pairs
(``typed_headers``), plan columns of two years, one hidden (``year_columns``), states typed into date
columns (``states``), numbers typed as text that the sheet's own 合计 leaves out (``text_amounts``),
and 打包项目 with their 其中 rows (``packages``).

XlsxWriter is a test dependency (``pip install -e ".[test]"``); it is imported when a builder runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

YEAR = 2024
D = dt.date


@dataclass(frozen=True)
class Formula:
    """A formula cell and the value Excel cached for it."""

    formula: str
    value: float | str


@dataclass
class Truth:
    """What reading a shape's workbook must give."""

    shape: str
    file: str
    year: int
    month: int
    day: int | None = None
    period_kind: str = ""  # the PeriodSource.kind that must give the month
    projects: list[dict[str, Any]] = field(default_factory=list)  # fields + "sheet", "row", "started"
    sheets: dict[str, tuple[str, str]] = field(default_factory=dict)  # sheet → (action, reason)
    warnings: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row, column) warned
    infos: list[tuple[str, int, str | None]] = field(default_factory=list)  # (sheet, row, column) noted
    fills: dict[str, str] = field(default_factory=dict)  # sheet → field its name fills

    @property
    def as_of(self) -> dt.date:
        import calendar

        return D(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])


class _Writer:
    """A thin layer over an XlsxWriter worksheet: typed cells, dates formatted as dates."""

    def __init__(self, wb: Any, name: str) -> None:
        self.ws = wb.add_worksheet(name)
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = wb.add_format({"text_wrap": True, "align": "center", "valign": "vcenter"})

    def put(self, r: int, c: int, v: Any) -> None:
        if v is None:
            return
        if isinstance(v, Formula):
            self.ws.write_formula(r, c, v.formula, None, v.value)
        elif isinstance(v, dt.date):
            self.ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), self.date)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            self.ws.write_number(r, c, v)
        else:
            self.ws.write_string(r, c, str(v), self.wrap if "\n" in str(v) else None)

    def row(self, r: int, values: Sequence[Any], start: int = 0) -> None:
        for c, v in enumerate(values):
            self.put(r, start + c, v)

    def merge(self, r0: int, c0: int, r1: int, c1: int, v: Any) -> None:
        self.ws.merge_range(r0, c0, r1, c1, v if isinstance(v, str) else "", self.wrap)


def _open(path: Path) -> Any:
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})


def _letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


# -- one sheet per 指挥部, a 汇总 of cross-sheet formulas in front --------------------------------

_POSTS: dict[str, list[tuple[Any, ...]]] = {
    # name, unit, leader, total, plan, ytd, planned start, actual start, progress
    "工业项目指挥部": [
        ("四川川啤啤酒饮料生产项目", "县经信局", "张某某", 50000, 12000, 8000,
          D(2024, 3, 1), D(2024, 3, 15), "主体完工"),
        ("丰聚优能磷酸铁锂电池循环利用项目", "县经信局", "李某某", 30000, 6000, 2400,
          D(2024, 4, 1), D(2024, 4, 10), "设备安装"),
        ("兴永圣润滑油生产项目", "县经信局", "王某某", 8000, 3000, 600,
          D(2024, 5, 1), None, "前期"),
    ],
    "交通项目指挥部": [
        ("S436东湖至富世段", "县交通运输局", "赵某某", 120000, 20000, 15000,
          D(2024, 1, 10), D(2024, 1, 20), "路基施工"),
        ("G348富顺绕城段", "县交通运输局", "钱某某", 60000, 10000, 5000,
          D(2024, 2, 1), D(2024, 2, 15), "桥梁施工"),
    ],
    "社会事业指挥部": [
        ("富顺一中改扩建项目", "县教体局", "孙某某", 15000, 5000, 2500,
          D(2024, 2, 15), D(2024, 2, 20), "主体施工"),
        ("县人民医院综合楼", "县卫健局", "周某某", 40000, 8000, 1600,
          D(2024, 3, 1), D(2024, 3, 5), "基础施工"),
        ("城北幼儿园", "县教体局", "吴某某", 3500, 1500, 0, D(2024, 9, 1), None, "前期"),
    ],
}
_POST_HEADER = ["序号", "项目名称", "责任单位", "包保领导", "总投资", "2024年计划投资", "1-7月完成投资",
                "计划开工时间", "实际开工时间", "形象进度"]
_POST_KEYS = ("name", "unit", "leader", "total_investment", "annual_plan", "ytd_completed", "planned_start",
              "actual_start", "progress_note")


def _post_sheet(wb: Any, sheet: str, records: list[tuple[Any, ...]], title: str, header: list[str],
                extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A 指挥部/category sheet: title, unit note, header on row 3, projects, a 合计 row of SUMs."""
    w = _Writer(wb, sheet)
    w.merge(0, 0, 0, len(header) - 1, title)
    w.put(1, len(header) - 1, "单位：万元")
    w.row(2, header)
    out = []
    first = 3
    for i, rec in enumerate(records):
        r = first + i
        values = list(rec)
        if extra is not None:
            values = [values[0], *extra.values(), *values[1:]]
        w.row(r, [i + 1, *values])
        truth = dict(zip(_POST_KEYS, rec, strict=True))
        truth.update(extra or {})
        truth.update(sheet=sheet, row=r + 1, started=rec[7] is not None)
        out.append(truth)
    last = first + len(records)
    w.put(last, 0, "合计")
    offset = len(extra or {})
    for c, key in ((4 + offset, 3), (5 + offset, 4), (6 + offset, 5)):
        total = sum(rec[key] for rec in records)
        w.put(last, c, Formula(f"SUM({_letter(c)}{first + 1}:{_letter(c)}{last})", total))
    w.put(last + 2, 0, "填报人：某某某")
    w.put(last + 2, 4, "联系电话：0813-7202345")
    return out


def multi_post(path: Path) -> Truth:
    wb = _open(path)
    s = _Writer(wb, "汇总")
    s.merge(0, 0, 0, 4, "2024年重点项目推进情况汇总表（1-7月）")
    s.row(1, ["序号", "项目名称", "指挥部", "年度计划投资", "1-7月完成投资"])
    r = 2
    for post, recs in _POSTS.items():
        for i, rec in enumerate(recs):
            row = i + 4
            s.row(r, [r - 1, Formula(f"'{post}'!B{row}", rec[0]), post, Formula(f"'{post}'!F{row}", rec[4]),
                      Formula(f"'{post}'!G{row}", rec[5])])
            r += 1
    truth = Truth("multi_post", path.name, YEAR, 7, period_kind="title",
                  sheets={"汇总": ("skipped", "summary")})
    for post, recs in _POSTS.items():
        for t in _post_sheet(wb, post, recs, f"2024年{post}重点项目推进情况表（1-7月）", _POST_HEADER):
            truth.projects.append({**t, "command_post": post})
        truth.sheets[post] = ("read", "projects")
        truth.fills[post] = "command_post"
    wb.close()
    return truth


_CATEGORIES = {"工业项目": "工业项目指挥部", "基础设施": "交通项目指挥部", "社会民生": "社会事业指挥部"}


def multi_category(path: Path) -> Truth:
    """One sheet per category (工业项目 / 基础设施 / 社会民生), each with its own 指挥部 column."""
    wb = _open(path)
    truth = Truth("multi_category", path.name, YEAR, 7, period_kind="title")
    header = [_POST_HEADER[0], _POST_HEADER[1], "指挥部", *_POST_HEADER[2:]]
    for category, post in _CATEGORIES.items():
        recs = _POSTS[post]
        for t in _post_sheet(wb, category, recs, f"2024年{category}推进情况表（1-7月）", header,
                             extra={"command_post": post}):
            truth.projects.append({**t, "category": category})
        truth.sheets[category] = ("read", "projects")
        truth.fills[category] = "category"
    wb.close()
    return truth


# -- one copy per month ----------------------------------------------------------------------------

_MONTHLY = [
    # name, unit, leader, plan, ytd by month (5, 6, 7), planned start, actual start
    ("晨光新材料产业园", "县经信局", "张某某", 12000, (4000, 5200, 6500), D(2024, 2, 1), D(2024, 2, 10)),
    ("富顺县城区供水管网改造", "县住建局", "刘某某", 6000, (1500, 2000, 2600), D(2024, 3, 1), D(2024, 3, 20)),
    ("东湖湿地公园", "县自然资源局", "陈某某", 5000, (500, 800, 1000), D(2024, 6, 1), None),
    ("工业园区标准化厂房", "县经信局", "杨某某", 4000, (1800, 2100, 2400), D(2024, 1, 15), D(2024, 1, 15)),
]
_DROPPED = ("县城农贸市场迁建", "县商务局", "黄某某", 2000, (600, None, None), D(2024, 1, 1), D(2024, 1, 5))


def per_month(path: Path) -> Truth:
    """Copies named 5月, 6月, 7月 (a project dropped after May); no month in any title or header: the
    report month comes from the latest sheet's name."""
    wb = _open(path)
    truth = Truth("per_month", path.name, YEAR, 7, period_kind="sheet_name",
                  sheets={"5月": ("skipped", "older_month"), "6月": ("skipped", "older_month"),
                          "7月": ("read", "latest_month")})
    header = ["序号", "项目名称", "责任单位", "包保领导", "年度计划投资", "本年累计完成投资", "计划开工时间",
              "实际开工时间"]
    for k, month in enumerate((5, 6, 7)):
        recs = [*_MONTHLY, _DROPPED] if month == 5 else _MONTHLY
        w = _Writer(wb, f"{month}月")
        w.merge(0, 0, 0, len(header) - 1, "2024年全县重点项目推进情况表")
        w.row(1, header)
        for i, rec in enumerate(recs):
            name, unit, leader, plan, ytd, ps, ast = rec
            w.row(2 + i, [i + 1, name, unit, leader, plan, ytd[k], ps, ast])
            if month == 7:
                truth.projects.append({"name": name, "unit": unit, "leader": leader, "annual_plan": plan,
                                       "ytd_completed": ytd[k], "planned_start": ps, "actual_start": ast,
                                       "sheet": "7月", "row": 3 + i, "started": ast is not None})
    wb.close()
    return truth


# -- the report date in a note; a 填报时间 that is not it -----------------------------------------

def period_note(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "项目台账")
    header = ["序号", "项目名称", "责任单位", "年度计划投资", "累计完成投资", "计划开工时间", "实际开工时间"]
    w.merge(0, 0, 0, len(header) - 1, "全县重点项目推进情况表")
    w.put(1, 0, "截至2024年6月30日")
    w.put(1, len(header) - 1, "单位：万元")
    w.row(2, header)
    recs = [("年产10万吨饲料项目", "县农业农村局", 5000, 2800, D(2024, 3, 1), D(2024, 3, 10)),
            ("县城污水处理厂提标改造", "县住建局", 4000, 1200, D(2024, 2, 1), D(2024, 2, 5)),
            ("冷链物流中心", "县商务局", 3000, 300, D(2024, 5, 1), None)]
    truth = Truth("period_note", path.name, YEAR, 6, 30, period_kind="note",
                  sheets={"项目台账": ("read", "projects")})
    for i, (name, unit, plan, ytd, ps, ast) in enumerate(recs):
        w.row(3 + i, [i + 1, name, unit, plan, ytd, ps, ast])
        truth.projects.append({"name": name, "unit": unit, "annual_plan": plan, "ytd_completed": ytd,
                               "planned_start": ps, "actual_start": ast, "sheet": "项目台账", "row": 4 + i,
                               "started": ast is not None})
    w.put(7, 0, "填报时间：2024年7月5日")
    w.put(7, 4, "打印日期：2024年7月6日")
    wb.close()
    return truth


# -- headers as people type them; monthly 计划 | 完成 pairs under merged month headers ------------

_PAIRS = [
    # name, leader, unit, total (亿元), plan, monthly plans 1-7, monthly completions 1-7
    ("富顺县城区供水管网改造", "刘某某", "县住建局", 2.5, 6000, (300, 300, 500, 500, 800, 800, 800),
     (200, 300, 400, 600, 700, 800, 900)),
    ("晨光新材料产业园", "张某某", "县经信局", 5.0, 12000, (500, 500, 1000, 1000, 1500, 1500, 2000),
     (400, 400, 600, 800, 900, 1000, 900)),
    ("东湖湿地公园", "陈某某", "县自然资源局", 1.2, 5000, (0, 0, 200, 300, 500, 500, 500),
     (0, 0, 100, 300, 400, 500, 500)),
    ("工业园区标准化厂房", "杨某某", "县经信局", 0.8, 4000, None, (200, 200, 300, 300, 300, 300, 400)),
]


def typed_headers(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "重点项目")
    months = 7
    first_pair = 6
    last = first_pair + 2 * months  # the 1-7月 column
    w.merge(0, 0, 0, last, "2024年1-7月重点项目调度表")
    typed = ["序号", "项 目 名 称", "县级\n包保领导", "牵头协调\n部门", "总投资\n（亿元）",
             "2024年\n计划投资"]
    for c, text in enumerate(typed):
        w.merge(1, c, 3, c, text)
    w.merge(1, first_pair, 1, last - 1, "2024年各月投资（万元）")
    for m in range(months):
        w.merge(2, first_pair + 2 * m, 2, first_pair + 2 * m + 1, f"{m + 1}月")
        w.put(3, first_pair + 2 * m, "计划")
        w.put(3, first_pair + 2 * m + 1, "完成")
    w.merge(1, last, 3, last, "1-7月\n累计完成")
    truth = Truth("typed_headers", path.name, YEAR, 7, period_kind="title",
                  sheets={"重点项目": ("read", "projects")})
    for i, (name, leader, unit, total, plan, plans, done) in enumerate(_PAIRS):
        r = 4 + i
        w.row(r, [i + 1, name, leader, unit, total, plan])
        for m in range(months):
            if plans is not None:
                w.put(r, first_pair + 2 * m, plans[m])
            w.put(r, first_pair + 2 * m + 1, done[m])
        w.put(r, last, Formula("+".join(f"{_letter(first_pair + 2 * m + 1)}{r + 1}" for m in range(months)),
                               sum(done)))
        rec = {"name": name, "leader": leader, "unit": unit, "total_investment": total * 10000,
               "annual_plan": plan, "ytd_completed": sum(done), "month_completed": done[-1],
               "sheet": "重点项目", "row": r + 1, "started": True}
        for m in range(months):
            rec[f"m{m + 1:02d}"] = done[m]
            rec[f"p{m + 1:02d}"] = plans[m] if plans is not None else None
        truth.projects.append(rec)
    wb.close()
    return truth


# -- plan columns of two years, last year's hidden -------------------------------------------------

def year_columns(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "项目台账")
    header = ["序号", "项目名称", "责任单位", "2024年计划投资", "2025年计划投资", "1-6月完成投资",
              "计划开工时间", "实际开工时间"]
    w.merge(0, 0, 0, len(header) - 1, "2025年1-6月全县重点项目推进情况")
    w.row(1, header)
    w.ws.set_column(3, 3, None, None, {"hidden": True})
    recs = [("县人民医院综合楼", "县卫健局", 8000, 10000, 4800, D(2024, 3, 1), D(2024, 3, 5)),
            ("G348富顺绕城段", "县交通运输局", 10000, 12000, 3000, D(2024, 2, 1), D(2024, 2, 15)),
            ("城北幼儿园", "县教体局", 1500, 2000, 1100, D(2025, 3, 1), D(2025, 3, 10))]
    truth = Truth("year_columns", path.name, 2025, 6, period_kind="title",
                  sheets={"项目台账": ("read", "projects")})
    for i, (name, unit, old, new, ytd, ps, ast) in enumerate(recs):
        w.row(2 + i, [i + 1, name, unit, old, new, ytd, ps, ast])
        truth.projects.append({"name": name, "unit": unit, "annual_plan": new, "ytd_completed": ytd,
                               "planned_start": ps, "actual_start": ast, "sheet": "项目台账", "row": 3 + i,
                               "started": True})
    truth.infos.append(("项目台账", 2, "D"))
    wb.close()
    return truth


# -- states typed into date columns ----------------------------------------------------------------

def states(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "项目台账")
    header = ["项目名称", "年度计划投资", "1-7月完成投资", "计划开工时间", "实际开工时间", "计划竣工时间",
              "竣工时间"]
    w.merge(0, 0, 0, len(header) - 1, "2024年1-7月重点项目推进情况")
    w.row(1, header)
    recs = [("年产10万吨饲料项目", 5000, 3000, D(2024, 3, 1), "已开工", D(2025, 6, 30), None, True),
            ("县城污水处理厂提标改造", 4000, 2400, D(2023, 5, 1), "续建", D(2024, 12, 31), None, True),
            ("老旧小区改造一期", 2000, 2000, D(2023, 3, 1), "已竣工", D(2024, 5, 31), "已竣工", True),
            ("冷链物流中心", 3000, 0, D(2024, 3, 1), None, D(2025, 12, 31), None, False)]
    truth = Truth("states", path.name, YEAR, 7, period_kind="title",
                  sheets={"项目台账": ("read", "projects")})
    for i, (name, plan, ytd, ps, ast, pc, ac, started) in enumerate(recs):
        w.row(2 + i, [name, plan, ytd, ps, ast, pc, ac])
        truth.projects.append({"name": name, "annual_plan": plan, "ytd_completed": ytd, "planned_start": ps,
                               "actual_start": None, "planned_completion": pc, "actual_completion": None,
                               "sheet": "项目台账", "row": 3 + i, "started": started,
                               "started_done": started, "completed_done": ac is not None})
        if ast:
            truth.infos.append(("项目台账", 3 + i, "E"))
        if ac:
            truth.infos.append(("项目台账", 3 + i, "G"))
    wb.close()
    return truth


# -- numbers typed as text that the sheet's own 合计 leaves out ----------------------------------

def text_amounts(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "项目台账")
    w.merge(0, 0, 0, 3, "2024年1-7月重点项目推进情况")
    w.row(1, ["序号", "项目名称", "年度计划投资", "1-7月完成投资"])
    recs = [("晨光新材料产业园", 3000, "1,200"), ("东湖湿地公园", 2000, 1000),
            ("工业园区标准化厂房", "5,000", 2500)]
    truth = Truth("text_amounts", path.name, YEAR, 7, period_kind="title",
                  sheets={"项目台账": ("read", "projects")},
                  warnings=[("项目台账", 3, "D"), ("项目台账", 5, "C")])
    for i, (name, plan, ytd) in enumerate(recs):
        w.row(2 + i, [i + 1, name, plan, ytd])
        truth.projects.append({"name": name, "annual_plan": float(str(plan).replace(",", "")),
                               "ytd_completed": float(str(ytd).replace(",", "")), "sheet": "项目台账",
                               "row": 3 + i, "started": True})
    # Excel's SUM skips the text cells: 3000 + 2000 and 1000 + 2500
    w.row(5, ["合计", None, Formula("SUM(C3:C5)", 5000), Formula("SUM(D3:D5)", 3500)])
    wb.close()
    return truth


# -- 打包项目 and their 其中 rows ----------------------------------------------------------------

def packages(path: Path) -> Truth:
    wb = _open(path)
    w = _Writer(wb, "项目台账")
    w.merge(0, 0, 0, 4, "2024年1-7月重点项目推进情况")
    w.row(1, ["序号", "项目名称", "责任单位", "年度计划投资", "1-7月完成投资"])
    rows = [
        (1, "城区老旧小区改造打包项目", "县住建局", 3000, 1800),
        (None, "其中：东湖小区改造", "县住建局", 1800, 1000),
        (None, "其中：西湖小区改造", "县住建局", 1200, 800),
        (2, "乡村振兴示范片打包项目（含2个项目）", "县农业农村局", None, None),
        ("2.1", "琵琶镇示范村建设", "县农业农村局", 1000, 700),
        ("2.2", "赵化镇示范村建设", "县农业农村局", 800, 300),
        (3, "县体育中心", "县教体局", 6000, 3600),
    ]
    for i, r in enumerate(rows):
        w.row(2 + i, list(r))
    w.row(2 + len(rows), ["合计", None, None, Formula("D3+D7+D8+D9", 10800), Formula("E3+E7+E8+E9", 6400)])
    truth = Truth("packages", path.name, YEAR, 7, period_kind="title",
                  sheets={"项目台账": ("read", "projects")},
                  infos=[("项目台账", 3, None), ("项目台账", 6, None)])
    for i in (0, 4, 5, 6):
        _, name, unit, plan, ytd = rows[i]
        truth.projects.append({"name": name, "unit": unit, "annual_plan": plan, "ytd_completed": ytd,
                               "sheet": "项目台账", "row": 3 + i, "started": True})
    wb.close()
    return truth


SHAPES: dict[str, Callable[[Path], Truth]] = {
    "multi_post": multi_post,
    "multi_category": multi_category,
    "per_month": per_month,
    "period_note": period_note,
    "typed_headers": typed_headers,
    "year_columns": year_columns,
    "states": states,
    "text_amounts": text_amounts,
    "packages": packages,
}


def build(shape: str, folder: Path) -> tuple[Path, Truth]:
    """Write the workbook of ``shape`` into ``folder``; return its path and its truth."""
    path = Path(folder) / f"{shape}.xlsx"
    return path, SHAPES[shape](path)
