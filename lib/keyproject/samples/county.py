"""The county ledger sample: 2023年富顺县重大项目推进情况表（1-7月）and its side sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from keyproject.samples import data
from keyproject.samples._style import (
    AMOUNT_FMT,
    BOLD,
    CENTER,
    DATE_FMT,
    HEADER_FILL,
    LEFT,
    RATE_FMT,
    RIGHT,
    SECTION_FILL,
    TITLE_FONT,
    TOTAL_FILL,
    first_sheet,
    formula,
    new_workbook,
    put,
    save,
)

FILE_NAME = "county_fushun_2023.xlsx"
SHEET = "项目台账"
TITLE = "2023年富顺县重大项目推进情况表（1-7月）"

M = data.COUNTY_MONTH
# (header, field key or None, parent header or None, width)
COLUMNS: list[tuple[str, str | None, str | None, float]] = [
    ("序号", "seq", None, 5),
    ("项目名称", "name", None, 30),
    ("项目编号", "code", None, 24),
    ("项目级别", "level", None, 8),
    ("项目类别", "category", None, 8),
    ("建设性质", "nature", None, 6),
    ("指挥部", "command_post", None, 14),
    ("包保领导", "leader", None, 8),
    ("责任单位", "unit", None, 12),
    ("业主单位", "owner", None, 22),
    ("乡镇", "town", None, 9),
    ("总投资", "total_investment", None, 10),
    ("年度计划投资", "annual_plan", "2023年", 10),
    ("力争", "annual_stretch", "2023年", 9),
    (f"1-{M}月完成投资", "ytd_completed", "2023年", 10),
    ("当月完成投资", "month_completed", "2023年", 9),
    ("完成率", None, "2023年", 8),
    *((f"{m}月", f"m{m:02d}", "2023年各月完成投资", 8) for m in range(1, M + 1)),
    ("签约时间", "signed_date", None, 11),
    ("供地时间", "land_date", None, 11),
    ("计划开工时间", "planned_start", None, 11),
    ("实际开工时间", "actual_start", None, 11),
    ("计划竣工时间", "planned_completion", None, 11),
    ("竣工时间", "actual_completion", None, 11),
    ("形象进度", "progress_note", None, 28),
    ("存在问题", "problems", None, 28),
    ("资金来源", "funding_source", None, 14),
    ("备注", "备注", None, 16),
]
KEY_COL = {key: i + 1 for i, (_h, key, _p, _w) in enumerate(COLUMNS) if key}
RATE_COL = next(i + 1 for i, c in enumerate(COLUMNS) if c[0] == "完成率")
LAST_COL = len(COLUMNS)
SUM_KEYS = (
    "total_investment",
    "annual_plan",
    "annual_stretch",
    "ytd_completed",
    "month_completed",
    *(f"m{m:02d}" for m in range(1, M + 1)),
)
AMOUNT_KEYS = set(SUM_KEYS)
DATE_KEYS = {
    "signed_date",
    "land_date",
    "planned_start",
    "actual_start",
    "planned_completion",
    "actual_completion",
}


def column_letter(key: str) -> str:
    """Excel column letter of a field in the county ledger sheet."""
    return get_column_letter(KEY_COL[key])


def _rate_formula(r: int) -> str:
    plan, ytd = column_letter("annual_plan"), column_letter("ytd_completed")
    return f'=IFERROR({ytd}{r}/{plan}{r},"")'


def _header(ws: Worksheet) -> None:
    top, bottom = data.COUNTY_HEADER_ROWS
    ws.row_dimensions[top].height = 22
    ws.row_dimensions[bottom].height = 30
    parents: dict[str, list[int]] = {}
    for c, (head, _key, parent, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
        if parent is None:
            put(ws, top, c, head, font=BOLD, align=CENTER, fill=HEADER_FILL)
            put(ws, bottom, c, None, fill=HEADER_FILL)
            ws.merge_cells(start_row=top, start_column=c, end_row=bottom, end_column=c)
        else:
            parents.setdefault(parent, []).append(c)
            put(ws, bottom, c, head, font=BOLD, align=CENTER, fill=HEADER_FILL)
    for parent, cols in parents.items():
        for c in cols:
            put(ws, top, c, parent if c == cols[0] else None, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.merge_cells(start_row=top, start_column=cols[0], end_row=top, end_column=cols[-1])


def _project_row(ws: Worksheet, r: int, rec: dict[str, Any], messy: dict[str, str]) -> None:
    for c, (_head, key, _parent, _w) in enumerate(COLUMNS, start=1):
        if key is None:
            formula(ws, r, c, _rate_formula(r), fmt=RATE_FMT)
            continue
        value: Any = messy.get(key, rec.get(key))
        if key in messy:
            put(ws, r, c, value, align=RIGHT if key in AMOUNT_KEYS else CENTER)
        elif key in AMOUNT_KEYS:
            put(ws, r, c, None if value is None else int(value), fmt=AMOUNT_FMT, align=RIGHT)
        elif key in DATE_KEYS:
            put(ws, r, c, value, fmt=DATE_FMT, align=CENTER)
        elif key == "seq":
            put(ws, r, c, int(value), align=CENTER)
        elif key in ("name", "owner", "progress_note", "problems", "备注"):
            put(ws, r, c, value, align=LEFT)
        else:
            put(ws, r, c, value, align=CENTER)


def _sum_row(ws: Worksheet, r: int, label: str, refs: list[int] | tuple[int, int], fill: PatternFill) -> None:
    """A 合计/小计 row: label then formulas (SUM over a range, or a sum of subtotal cells)."""
    for c in range(1, LAST_COL + 1):
        put(ws, r, c, None, fill=fill)
    for key in SUM_KEYS:
        col = KEY_COL[key]
        letter = get_column_letter(col)
        if isinstance(refs, tuple):
            text = f"=SUM({letter}{refs[0]}:{letter}{refs[1]})"
        else:
            text = "=" + "+".join(f"{letter}{x}" for x in refs)
        formula(ws, r, col, text, fmt=AMOUNT_FMT, fill=fill, font=BOLD)
    formula(ws, r, RATE_COL, _rate_formula(r), fmt=RATE_FMT, fill=fill, font=BOLD)
    put(ws, r, 1, label, font=BOLD, align=CENTER, fill=fill)


def _ledger_sheet(ws: Worksheet) -> None:
    recs = data.county_projects()
    by_row = {r["row"]: r for r in recs}
    messy_by_name: dict[str, dict[str, str]] = {}
    for cell in data.county_messy_cells():
        messy_by_name.setdefault(cell["name"], {})[cell["key"]] = cell["text"]
    last_letter = get_column_letter(LAST_COL)

    put(ws, 1, 1, TITLE, font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(f"A1:{last_letter}1")
    ws.row_dimensions[1].height = 32
    unit_from = get_column_letter(LAST_COL - 2)
    put(ws, 2, LAST_COL - 2, "单位：万元", align=RIGHT, border=False)
    ws.merge_cells(f"{unit_from}2:{last_letter}2")
    _header(ws)

    layout = data.county_layout()
    subtotal_rows = [row for kind, row, _p in layout if kind == "subtotal"]
    last_row = layout[-1][1]
    for kind, r, payload in layout:
        if kind == "total":
            _sum_row(ws, r, "合计", subtotal_rows, TOTAL_FILL)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        elif kind == "section":
            text = f"{data.SECTION_NUMERALS[payload]}、{data.COMMAND_POSTS[payload]}"
            for c in range(1, LAST_COL + 1):
                put(ws, r, c, text if c == 1 else None, font=BOLD, align=LEFT, fill=SECTION_FILL)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=KEY_COL["town"])
        elif kind == "subtotal":
            _p, first, last = payload
            _sum_row(ws, r, "小计", (first, last), SECTION_FILL)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        else:
            rec = by_row[r]
            _project_row(ws, r, rec, messy_by_name.get(rec["name"], {}))

    # signatures and notes under the table
    r = last_row + 2
    put(ws, r, 1, "填报单位：富顺县重大项目推进办公室（县发改局）", align=LEFT, border=False)
    put(ws, r, KEY_COL["owner"], "审核人：陈某某", align=LEFT, border=False)
    put(ws, r, KEY_COL["m01"], "联系电话：0813-7202XXX", align=LEFT, border=False)
    put(
        ws,
        r + 1,
        1,
        "注：1.本表金额单位为万元；2.完成率=1-7月完成投资/年度计划投资；"
        "3.1-7月序时进度为58.33%；4.各镇（街道）项目由属地负责报送。",
        align=LEFT,
        border=False,
    )
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=KEY_COL["total_investment"])

    # conveniences a real office adds
    ws.freeze_panes = "C6"
    first_project = min(by_row)
    dv = DataValidation(
        type="list",
        formula1='"省重点,市重点,县重点"',
        allow_blank=True,
        errorTitle="项目级别",
        error="请从列表中选择：省重点、市重点、县重点",
    )
    ws.add_data_validation(dv)
    dv.add(f"{column_letter('level')}{first_project}:{column_letter('level')}{last_row}")
    rate = get_column_letter(RATE_COL)
    rng_text = f"{rate}{first_project}:{rate}{last_row}"
    ws.conditional_formatting.add(
        rng_text,
        CellIsRule(
            operator="lessThan",
            formula=["0.2833"],
            fill=PatternFill("solid", fgColor="FFC7CE"),
            font=Font(color="9C0006"),
        ),
    )
    ws.conditional_formatting.add(
        rng_text,
        CellIsRule(
            operator="between", formula=["0.2833", "0.4833"], fill=PatternFill("solid", fgColor="FFEB9C")
        ),
    )
    s436 = next(rec for rec in recs if rec["name"] == "S436东湖至富世段")
    ws[f"{column_letter('problems')}{s436['row']}"].comment = Comment(
        "8月30日拉练时县委主要领导现场询问征地拆迁进度", "县发改局"
    )
    ws.print_options.horizontalCentered = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = "4:5"


def _problems_sheet(ws: Worksheet) -> None:
    heads = [
        ("序号", 5),
        ("项目名称", 28),
        ("问题描述", 36),
        ("责任单位", 12),
        ("责任领导", 9),
        ("提出时间", 11),
        ("完成时限", 11),
        ("办理状态", 9),
        ("销号时间", 11),
        ("备注", 14),
    ]
    keys = [
        "seq",
        "project",
        "problem",
        "unit",
        "leader",
        "raised_date",
        "deadline",
        "status",
        "closed_date",
        "note",
    ]
    put(ws, 1, 1, "2023年富顺县重大项目问题台账", font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    hr = data.PROBLEM_HEADER_ROW
    for c, (h, w) in enumerate(heads, start=1):
        put(ws, hr, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = w
    for p in data.county_problems():
        for c, k in enumerate(keys, start=1):
            v = p[k]
            if k == "seq":
                v = int(v)
            put(
                ws,
                p["row"],
                c,
                v,
                fmt=DATE_FMT if isinstance(v, date) else None,
                align=LEFT if k in ("project", "problem", "note") else CENTER,
            )
    status_col = get_column_letter(keys.index("status") + 1)
    dv = DataValidation(type="list", formula1='"未销号,办理中,已销号"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"{status_col}{hr + 1}:{status_col}{hr + 200}")
    ws.freeze_panes = f"A{hr + 1}"


def _settings_sheet(ws: Worksheet) -> None:
    for c, (h, w) in enumerate((("项目", 18), ("值", 12), ("说明", 50)), start=1):
        put(ws, 1, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = w
    for i, (k, v, note) in enumerate(data.county_settings(), start=2):
        put(ws, i, 1, k, align=LEFT)
        put(ws, i, 2, v, fmt=DATE_FMT if isinstance(v, date) else None, align=CENTER)
        put(ws, i, 3, note, align=LEFT)


def _last_year_sheet(ws: Worksheet) -> None:
    for c, (h, w) in enumerate((("月份", 8), ("完成投资（万元）", 16)), start=1):
        put(ws, 1, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = w
    for m, v in enumerate(data.last_year_monthly(), start=1):
        put(ws, m + 1, 1, f"{m}月", align=CENTER)
        put(ws, m + 1, 2, int(v), fmt=AMOUNT_FMT, align=RIGHT)


def _milestones_sheet(ws: Worksheet) -> None:
    heads = [
        ("项目名称", 30),
        ("节点", 10),
        ("完成时限", 11),
        ("完成时间", 11),
        ("滞后原因", 22),
        ("调整后时限", 11),
    ]
    keys = ["project", "step", "deadline", "done_date", "reason", "revised_deadline"]
    for c, (h, w) in enumerate(heads, start=1):
        put(ws, 1, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = w
    for m in data.county_milestones():
        for c, k in enumerate(keys, start=1):
            v = m[k]
            put(
                ws,
                m["row"],
                c,
                v,
                fmt=DATE_FMT if isinstance(v, date) else None,
                align=LEFT if k in ("project", "reason") else CENTER,
            )
    ws.freeze_panes = "A2"


def build(out_dir: Path) -> Path:
    """Write county_fushun_2023.xlsx into ``out_dir`` and return its path."""
    wb = new_workbook("富顺县发改局", TITLE)
    ws = first_sheet(wb)
    ws.title = SHEET
    _ledger_sheet(ws)
    _problems_sheet(wb.create_sheet("问题台账"))
    _settings_sheet(wb.create_sheet("设置"))
    _last_year_sheet(wb.create_sheet("上年月度"))
    _milestones_sheet(wb.create_sheet("节点清单"))
    last_row = data.county_layout()[-1][1]
    wb.defined_names["台账数据"] = DefinedName(
        "台账数据",
        attr_text=f"'{SHEET}'!$A${data.COUNTY_HEADER_ROWS[0]}:${get_column_letter(LAST_COL)}${last_row}",
    )
    wb.defined_names["序时进度"] = DefinedName("序时进度", attr_text=f"{M}/12")
    return save(wb, out_dir / FILE_NAME)
