"""The messy city ledger sample: 2024年自贡市重点项目推进情况表（1-9月）, amounts in 亿元.

What makes it messy, on purpose: a three-row merged header, Traditional headers in places
(項目名稱, 責任單位, 總投資（億元）, 計劃開工時間), a year-prefixed header (2024年计划投资), amounts typed
as text ("9.72", full-width "１４．３７", "约57.11", "—", "/", "无" and one "待定" that is an error), dates
typed in every style, a duplicate project name, typed 合计 and 其中：工业项目 rows, blank rows
inside the table, and notes and signatures under it.
"""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from keyproject.samples._style import (
    AMOUNT_FMT_YI,
    BOLD,
    CENTER,
    DATE_FMT,
    HEADER_FILL,
    LEFT,
    RATE_FMT,
    RIGHT,
    TITLE_FONT,
    TOTAL_FILL,
    first_sheet,
    new_workbook,
    put,
)
from keyproject.samples._style import save as _save
from keyproject.samples.data import CITY_SEED

FILE_NAME = "city_messy_2024.xlsx"
SHEET = "2024年重点项目"
TITLE = "2024年自贡市重点项目推进情况表（1-9月）"
YEAR, MONTH = 2024, 9
HEADER_ROWS = (3, 4, 5)
TOTAL_ROW, INDUSTRY_ROW = 6, 7
FIRST_ROW = 8
BLANK_AFTER = (12, 27)  # a blank row follows these project positions (1-based)

# (name, unit, town, industrial?, nature)
_SPECS: tuple[tuple[str, str, str, bool, str], ...] = (
    ("自贡航空产业园通航产业基地", "市经信局", "贡井区", True, "续建"),
    ("高新区锂电新材料产业园", "市经信局", "高新区", True, "续建"),
    ("大安区盐化工循环经济产业园", "大安区", "大安区", True, "续建"),
    ("沿滩区新材料产业园标准化厂房", "沿滩区", "沿滩区", True, "新建"),
    ("荣县电子信息产业园", "荣县", "荣县", True, "新建"),
    ("富顺县晨光新材料产业园", "富顺县", "富顺县", True, "续建"),
    ("贡井区智能制造产业园", "贡井区", "贡井区", True, "新建"),
    ("节能环保装备制造基地", "市经信局", "高新区", True, "续建"),
    ("无人机研发制造基地", "市经信局", "贡井区", True, "新建"),
    ("氟硅新材料产业化项目", "市经信局", "富顺县", True, "新建"),
    ("成自宜高铁自贡站站前综合交通枢纽", "市交通运输局", "大安区", False, "续建"),
    ("自贡绕城高速公路（南段）", "市交通运输局", "沿滩区", False, "续建"),
    ("G348荣县过境段改建工程", "市交通运输局", "荣县", False, "续建"),
    ("釜溪河综合治理工程", "市水务局", "自流井区", False, "续建"),
    ("自贡市城区排水防涝工程", "市住建局", "自流井区", False, "续建"),
    ("自贡市第一人民医院新区医院", "市卫健委", "高新区", False, "续建"),
    ("恐龙文化科技产业园", "市文广旅局", "大安区", False, "续建"),
    ("中华彩灯大世界提升工程", "市文广旅局", "自流井区", False, "新建"),
    ("2024年中心城区老旧小区改造", "市住建局", "自流井区", False, "新建"),
    ("沿滩区城乡供水一体化工程", "市水务局", "沿滩区", False, "续建"),
    ("小井沟水利工程配套灌区", "市水务局", "富顺县", False, "续建"),
    ("自贡职业技术学院新校区", "市教体局", "高新区", False, "续建"),
    ("自贡国际会展中心", "市商务局", "高新区", False, "新建"),
    ("盐帮美食文化街区", "市商务局", "自流井区", False, "续建"),
    ("自贡港口物流园", "市交通运输局", "富顺县", False, "续建"),
    ("双溪水库扩容工程", "市水务局", "贡井区", False, "新建"),
    ("自贡市大数据中心", "市发改委", "高新区", False, "新建"),
    ("自流井区老城片区城市更新", "自流井区", "自流井区", False, "续建"),
    ("大安区保障性租赁住房", "大安区", "大安区", False, "续建"),
    ("荣县2024年度高标准农田建设", "荣县", "荣县", False, "新建"),
    ("沿滩区现代农业产业园", "沿滩区", "沿滩区", False, "续建"),
    ("贡井区乡村振兴示范片", "贡井区", "贡井区", False, "新建"),
    ("自贡市妇幼保健院迁建", "市卫健委", "高新区", False, "续建"),
    ("天然气储气调峰项目", "市发改委", "荣县", False, "新建"),
    ("高新区污水处理厂扩建", "高新区管委会", "高新区", False, "续建"),
    ("富顺县沱江防洪治理工程", "富顺县", "富顺县", False, "续建"),
    ("荣县城区公共停车场", "荣县", "荣县", False, "新建"),
    ("自贡市体育中心改造提升", "市教体局", "自流井区", False, "新建"),
    ("自贡市城区排水防涝工程", "市住建局", "大安区", False, "新建"),  # the duplicate name
    ("川南城际铁路自贡段配套工程", "市交通运输局", "沿滩区", False, "新建"),
)
_LEADERS = ("郑某某", "冯某某", "蒋某某", "沈某某", "韩某某", "曹某某", "彭某某", "潘某某")
_PROGRESS = (
    "主体工程完成70%",
    "正在进行桩基施工",
    "厂房主体封顶",
    "路基工程完成60%",
    "设备安装调试中",
    "完成年度计划的75%",
    "前期手续办理中",
    "已完工待验收",
)
_PROBLEMS = ("征地拆迁进度滞后", "资金缺口较大", "用地指标不足", "环评手续未完成", None, None, None)

# Messy cells by project position (1-based) and field: how the office typed it. The text is
# derived from the project's own figure or date (see _messy).
_MESSY: dict[tuple[int, str], str] = {
    (2, "annual_plan"): "text",  # "9.72"
    (3, "ytd_completed"): "fullwidth",  # "１４．３７"
    (5, "total_investment"): "about",  # "约57.11": value kept, warning
    (37, "ytd_completed"): "—",
    (37, "month_completed"): "-",
    (27, "annual_plan"): "/",
    (30, "month_completed"): "无",
    (23, "total_investment"): "待定",  # an error naming the cell
    (4, "planned_start"): "dotted",  # 2024.7.14
    (4, "actual_start"): "cn_full",  # 2024年7月1日
    (18, "planned_completion"): "slash",  # 2025/12/30
    (26, "planned_start"): "ym_dash",  # 2024-01: month only, warning
    (19, "actual_start"): "cn_month",  # 2024年3月: month only, warning
}
_MISSING = ("—", "-", "/", "无")
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _messy(value: Any, style: str) -> tuple[str, Any, str | None]:
    """(text typed, value the reader should get (亿元 or date), issue severity or None)."""
    if style in _MISSING:
        return style, None, None
    if style == "待定":
        return style, None, "error"
    if style == "text":
        return f"{value}", value, None
    if style == "fullwidth":
        return f"{value}".translate(_FULLWIDTH), value, None
    if style == "about":
        return f"约{value}", value, "warning"
    d = value
    if style == "dotted":
        return f"{d.year}.{d.month}.{d.day}", d, None
    if style == "cn_full":
        return f"{d.year}年{d.month}月{d.day}日", d, None
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}", d, None
    month_only = date(d.year, d.month, 1)
    if style == "ym_dash":
        return f"{d.year}-{d.month:02d}", month_only, "warning"
    return f"{d.year}年{d.month}月", month_only, "warning"


# (header text per header row 3/4/5 (None = merged from above), field key, width)
_TRAD = {
    "name": "項目名稱",
    "unit": "責任單位",
    "total_investment": "總投資（億元）",
    "planned_start": "計劃開工時間",
}
COLUMNS: list[tuple[str, str]] = [
    ("序号", "seq"),
    (_TRAD["name"], "name"),
    ("建设性质", "nature"),
    (_TRAD["unit"], "unit"),
    ("市级领导", "leader"),
    ("所在地", "town"),
    (_TRAD["total_investment"], "total_investment"),
    ("2024年计划投资", "annual_plan"),
    ("1-9月完成投资", "ytd_completed"),
    ("本月完成", "month_completed"),
    ("完成率", "reported_rate"),
    (_TRAD["planned_start"], "planned_start"),
    ("实际开工时间", "actual_start"),
    ("计划竣工时间", "planned_completion"),
    ("形象进度", "progress_note"),
    ("存在问题", "problems"),
    ("备注", "备注"),
]
COL = {key: i + 1 for i, (_h, key) in enumerate(COLUMNS) if key}
AMOUNTS = ("total_investment", "annual_plan", "ytd_completed", "month_completed")
DATES = ("planned_start", "actual_start", "planned_completion")


def _yi(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 2)


@cache
def _raw() -> tuple[dict[str, Any], ...]:
    """Projects in 亿元 as typed (before the messy cells)."""
    rng = random.Random(CITY_SEED)
    out = []
    for i, (name, unit, town, industrial, nature) in enumerate(_SPECS, start=1):
        total = _yi(rng, 1.0, 80.0) if rng.random() < 0.7 else _yi(rng, 0.5, 10.0)
        plan = max(0.3, round(total * rng.uniform(0.1, 0.45), 2))
        rate = min(1.3, max(0.0, rng.gauss(0.72, 0.2)))
        ytd = round(plan * rate, 2)
        month = round(ytd * rng.uniform(0.05, 0.16), 2)
        if nature == "续建":
            ps = date(2023, rng.randint(1, 10), rng.randint(1, 28))
            started: date | None = date(ps.year, ps.month, min(28, ps.day + rng.randint(0, 20)))
        else:
            ps = date(2024, rng.randint(1, 8), rng.randint(1, 28))
            started = date(2024, min(9, ps.month + rng.choice((0, 0, 1))), rng.randint(1, 28))
            if rng.random() < 0.2:
                started, ytd, month = None, 0.0, 0.0
        pc = date(max(2024, ps.year + rng.randint(1, 3)), rng.choice((6, 12)), 30)
        out.append(
            {
                "seq": i,
                "name": name,
                "nature": nature,
                "unit": unit,
                "leader": _LEADERS[i % len(_LEADERS)],
                "town": town,
                "total_investment": total,
                "annual_plan": plan,
                "ytd_completed": ytd,
                "month_completed": month,
                "planned_start": ps,
                "actual_start": started,
                "planned_completion": pc,
                "progress_note": rng.choice(_PROGRESS),
                "problems": rng.choice(_PROBLEMS),
                "备注": "新增项目" if i == 40 else None,
                "industrial": industrial,
            }
        )
    for (i, key), style in _MESSY.items():
        assert style in (*_MISSING, "待定") or out[i - 1][key] is not None, (i, key)
    return tuple(out)


def _rows() -> list[int]:
    rows, r = [], FIRST_ROW
    for i in range(1, len(_SPECS) + 1):
        rows.append(r)
        r += 2 if i in BLANK_AFTER else 1
    return rows


def city_projects() -> list[dict[str, Any]]:
    """The city ledger's projects as the reader should read them: LEDGER keys, amounts in 万元
    (亿元 × 10000), dates ``datetime.date``, missing ``None``, ``row`` (Excel row) and ``备注``.
    ``reported_rate`` is the typed 完成率 (a fraction) where the sheet has one."""
    out = []
    for i, (raw, row) in enumerate(zip(_raw(), _rows(), strict=True), start=1):
        rec = {k: v for k, v in raw.items() if k != "industrial"}
        rec["seq"] = str(rec["seq"])
        for key in (*AMOUNTS, *DATES):
            if (i, key) in _MESSY:
                rec[key] = _messy(raw[key], _MESSY[(i, key)])[1]
        for key in AMOUNTS:
            if rec[key] is not None:
                rec[key] = round(rec[key] * 10000, 2)
        rec["reported_rate"] = _rate(rec)
        rec["row"] = row
        out.append(rec)
    return out


def _rate(rec: dict[str, Any]) -> float | None:
    if rec["annual_plan"] and rec["ytd_completed"] is not None:
        return round(rec["ytd_completed"] / rec["annual_plan"], 4)
    return None


def city_expected_issues() -> list[dict[str, Any]]:
    """Issues the reader should report on the city sheet: severity, row, column letter, field, text.

    Includes the duplicate project name (a warning on the later row; ``first_row`` names the other)."""
    rows = _rows()
    raw = _raw()
    out = []
    for (i, key), style in sorted(_MESSY.items()):
        text, _value, sev = _messy(raw[i - 1][key], style)
        if sev:
            out.append(
                {
                    "severity": sev,
                    "row": rows[i - 1],
                    "column": get_column_letter(COL[key]),
                    "key": key,
                    "text": text,
                }
            )
    names = [s[0] for s in _SPECS]
    for i, n in enumerate(names):
        if n in names[:i]:  # a repeat: warned on the later row
            out.append(
                {
                    "severity": "warning",
                    "row": rows[i],
                    "column": get_column_letter(COL["name"]),
                    "key": "name",
                    "text": n,
                    "first_row": rows[names.index(n)],
                }
            )
    return out


def _header(ws: Worksheet) -> None:
    r3, r4, r5 = HEADER_ROWS
    plan_col, rate_col = COL["annual_plan"], COL["reported_rate"]
    ytd_col, month_col = COL["ytd_completed"], COL["month_completed"]
    for c, (head, _key) in enumerate(COLUMNS, start=1):
        for r in HEADER_ROWS:
            put(ws, r, c, None, fill=HEADER_FILL)
        if plan_col <= c <= rate_col:
            continue
        put(ws, r3, c, head, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.merge_cells(start_row=r3, start_column=c, end_row=r5, end_column=c)
    put(ws, r3, plan_col, "2024年投资情况", font=BOLD, align=CENTER, fill=HEADER_FILL)
    ws.merge_cells(start_row=r3, start_column=plan_col, end_row=r3, end_column=rate_col)
    for c in (plan_col, rate_col):
        put(ws, r4, c, COLUMNS[c - 1][0], font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.merge_cells(start_row=r4, start_column=c, end_row=r5, end_column=c)
    put(ws, r4, ytd_col, "完成投资", font=BOLD, align=CENTER, fill=HEADER_FILL)
    ws.merge_cells(start_row=r4, start_column=ytd_col, end_row=r4, end_column=month_col)
    put(ws, r5, ytd_col, COLUMNS[ytd_col - 1][0], font=BOLD, align=CENTER, fill=HEADER_FILL)
    put(ws, r5, month_col, COLUMNS[month_col - 1][0], font=BOLD, align=CENTER, fill=HEADER_FILL)


def _typed_total(ws: Worksheet, r: int, label: str, recs: list[dict[str, Any]]) -> None:
    """合计 / 其中 rows as offices type them: plain numbers, in 亿元."""
    for c in range(1, len(COLUMNS) + 1):
        put(ws, r, c, None, fill=TOTAL_FILL)
    put(ws, r, COL["name"], label, font=BOLD, align=CENTER, fill=TOTAL_FILL)
    for key in AMOUNTS:
        total = sum(x[key] or 0 for x in recs) / 10000
        put(ws, r, COL[key], round(total, 2), fmt=AMOUNT_FMT_YI, font=BOLD, align=RIGHT, fill=TOTAL_FILL)


def build(out_dir: Path) -> Path:
    """Write city_messy_2024.xlsx into ``out_dir`` and return its path."""
    wb = new_workbook("自贡市发改委", TITLE)
    ws = first_sheet(wb)
    ws.title = SHEET
    last = get_column_letter(len(COLUMNS))
    put(ws, 1, 1, TITLE, font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(f"A1:{last}1")
    put(ws, 2, len(COLUMNS), "单位：亿元", align=RIGHT, border=False)
    _header(ws)
    widths = {"name": 30, "unit": 12, "town": 10, "progress_note": 22, "problems": 20}
    for c, (_h, key) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(key or "", 11)

    recs = city_projects()
    raw = _raw()
    _typed_total(ws, TOTAL_ROW, "合计", recs)
    _typed_total(
        ws, INDUSTRY_ROW, "其中：工业项目", [r for r, x in zip(recs, raw, strict=True) if x["industrial"]]
    )
    for i, (rec, x) in enumerate(zip(recs, raw, strict=True), start=1):
        r = rec["row"]
        for c, (_h, key) in enumerate(COLUMNS, start=1):
            if (i, key) in _MESSY:
                text = _messy(x[key], _MESSY[(i, key)])[0]
                put(ws, r, c, text, align=RIGHT if key in AMOUNTS else CENTER)
            elif key in AMOUNTS:
                put(ws, r, c, x[key], fmt=AMOUNT_FMT_YI, align=RIGHT)
            elif key in DATES:
                put(ws, r, c, x[key], fmt=DATE_FMT, align=CENTER)
            elif key == "reported_rate":
                put(ws, r, c, rec["reported_rate"], fmt=RATE_FMT, align=RIGHT)
            elif key == "seq":
                put(ws, r, c, x["seq"], align=CENTER)
            else:
                put(ws, r, c, x[key], align=LEFT if key in ("name", "progress_note", "problems") else CENTER)
    r = recs[-1]["row"] + 2
    put(
        ws,
        r,
        1,
        "注：1.本表金额单位为亿元；2.“/”表示无年度计划；3.总投资“待定”项目正在开展可研。",
        align=LEFT,
        border=False,
    )
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COL["annual_plan"])
    put(ws, r + 1, 1, "填报人：韩某某", align=LEFT, border=False)
    put(ws, r + 1, COL["town"], "审核人：郑某某", align=LEFT, border=False)
    put(ws, r + 1, COL["planned_start"], "填报日期：2024年10月8日", align=LEFT, border=False)
    ws.freeze_panes = "C6"
    return _save(wb, out_dir / FILE_NAME)
