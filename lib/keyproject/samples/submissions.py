"""Three responsible units' August submissions (1-8月) for the county ledger's consolidation.

Each unit keeps its own layout:
- 交通运输局: a title, a unit note, a one-row header; names spelled with spaces and half-width
  brackets; one project submitted twice in the file (a duplicate row); one road that is not in the
  ledger (unmatched); 城区停车场建设项目, which 住建局 also submits (a conflict).
- 经信局: no title, a one-row header starting with 项目代码; names shortened or re-bracketed, so
  only the code matches.
- 住建局: a title and a two-row header with a merged "8月报送" parent.
Figures are newer than the ledger: 1-8月 = the ledger's 1-7月 + August.
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
    AMOUNT_FMT,
    BOLD,
    CENTER,
    DATE_FMT,
    FIXED_TIME,
    HEADER_FILL,
    LEFT,
    RIGHT,
    TITLE_FONT,
    first_sheet,
    new_workbook,
    put,
    save,
)
from keyproject.samples.data import SUBMISSION_SEED, county_projects

DIR = "submissions"
TRANSPORT = "交通运输局_8月报送.xlsx"
INDUSTRY = "经信局_8月报送.xlsx"
HOUSING = "住建局_8月报送.xlsx"
AS_OF = date(2023, 8, 31)
CONFLICT_PROJECT = "城区停车场建设项目"
DUPLICATE_PROJECT = "农村公路提档升级工程"
UNMATCHED_NAME = "富顺县城至长滩镇公路改造工程"
STARTED_IN_AUGUST = "赵化至童寺公路改建工程"

# how each unit spells some ledger names
_SPELLING = {
    "S436东湖至富世段": "S436 东湖至富世段",
    "沱江富顺港区码头（二期）": "沱江富顺港区码头(二期)",
    "富顺至荣县快速通道": "富顺至荣县快速通道 ",
    "富顺县客运枢纽站": "富顺县 客运枢纽站",
    "四川川啤啤酒饮料生产项目": "川啤啤酒饮料生产项目",
    "智能装备制造产业园（一期）": "智能装备制造产业园(一期)",
    "丰聚优能磷酸铁锂电池循环利用项目": "丰聚优能磷酸铁锂电池循环利用项目（一期）",
    "晨光新材料产业园扩能项目": "晨光新材料产业园扩能",
    "县城污水管网提升改造工程": "县城污水管网提升改造工程（2023年）",
    "富世街道老旧小区改造项目": "富世街道 老旧小区改造项目",
}
_NOTES = {
    TRANSPORT: ("路基工程完成75%", "8月完成路面铺设3公里", "桥梁下部结构施工中", "征地拆迁基本完成"),
    INDUSTRY: ("设备进场安装", "钢结构厂房封顶", "生产线调试中", "厂房基础施工中"),
    HOUSING: ("主体结构施工中", "管网铺设完成80%", "外立面改造完成60%", "已完成桩基施工"),
}


def _aug(rng: random.Random, rec: dict[str, Any]) -> float:
    plan = rec["annual_plan"] or 1200.0
    if rec["actual_completion"] is not None or (
        rec["actual_start"] is None and rec["name"] != STARTED_IN_AUGUST
    ):
        return 0.0
    return float(round(plan / 12 * rng.uniform(0.4, 1.6)))


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    rng = random.Random(SUBMISSION_SEED)
    ledger = county_projects()
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for rec in ledger:
        by_unit.setdefault(rec["unit"], []).append(rec)
    out: list[dict[str, Any]] = []

    def row(
        file: str, sheet: str, r: int, rec: dict[str, Any] | None, name: str, **kw: Any
    ) -> dict[str, Any]:
        aug = kw.pop("month_completed", None)
        if aug is None:
            aug = _aug(rng, rec) if rec else float(round(rng.uniform(200, 800)))
        ytd = (rec["ytd_completed"] if rec else 0.0) + aug
        d = {
            "file": f"{DIR}/{file}",
            "sheet": sheet,
            "row": r,
            "name": name,
            "code": None,
            "match_row": rec["row"] if rec else None,
            "match_name": rec["name"] if rec else None,
            "ytd_completed": ytd,
            "month_completed": aug,
            "progress_note": rng.choice(_NOTES[file]),
            "problems": rec["problems"] if rec else None,
            "actual_start": None,
            "duplicate": False,
            "conflict": False,
        }
        if rec and rec["actual_completion"] is not None:
            d["progress_note"] = rec["progress_note"]
        d.update(kw)
        return d

    # 交通运输局: header on row 3, data from row 4
    recs = by_unit["县交通运输局"]
    r = 4
    for rec in recs:
        extra: dict[str, Any] = {}
        if rec["name"] == STARTED_IN_AUGUST:
            extra = {"actual_start": date(2023, 8, 18), "progress_note": "8月18日开工，正在进行路基施工"}
        out.append(row(TRANSPORT, "交通项目", r, rec, _SPELLING.get(rec["name"], rec["name"]), **extra))
        r += 1
        if rec["name"] == DUPLICATE_PROJECT:  # typed twice, identically
            out.append(dict(out[-1], row=r, duplicate=True))
            r += 1
    parking = next(x for x in ledger if x["name"] == CONFLICT_PROJECT)
    out.append(row(TRANSPORT, "交通项目", r, parking, CONFLICT_PROJECT, conflict=True, month_completed=420.0))
    out.append(row(TRANSPORT, "交通项目", r + 1, None, UNMATCHED_NAME, progress_note="前期工作推进中"))

    # 经信局: header on row 1, matched by code
    r = 2
    for rec in by_unit["县经信局"]:
        out.append(row(INDUSTRY, "Sheet1", r, rec, _SPELLING.get(rec["name"], rec["name"]), code=rec["code"]))
        r += 1

    # 住建局: title row 1, header rows 2-3, data from row 4
    r = 4
    for rec in by_unit["县住建局"]:
        kw: dict[str, Any] = {}
        if rec["name"] == CONFLICT_PROJECT:
            kw = {"conflict": True, "month_completed": 380.0}
        out.append(row(HOUSING, "8月", r, rec, _SPELLING.get(rec["name"], rec["name"]), **kw))
        r += 1
    return tuple(out)


def submission_rows() -> list[dict[str, Any]]:
    """Every submitted row: file (relative to sample_workbooks/), sheet, row, name and code as typed,
    the ledger project it should match (match_row / match_name, or None when it matches none), the
    figures (1-8月 ytd_completed and August month_completed in 万元, progress_note, problems,
    actual_start), and flags: duplicate (a repeat within its file) and conflict (the same project
    also submitted in another file)."""
    return [dict(r) for r in _rows()]


def _title(ws: Worksheet, text: str, ncols: int) -> None:
    put(ws, 1, 1, text, font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)


def _write(ws: Worksheet, r: int, cols: list[str], rec: dict[str, Any], seq: int | None = None) -> None:
    for c, key in enumerate(cols, start=1):
        v: Any = seq if key == "seq" else rec.get(key)
        if key in ("ytd_completed", "month_completed"):
            put(ws, r, c, int(v), fmt=AMOUNT_FMT, align=RIGHT)
        elif isinstance(v, date):
            put(ws, r, c, v, fmt=DATE_FMT, align=CENTER)
        else:
            put(ws, r, c, v, align=LEFT if key in ("name", "progress_note", "problems") else CENTER)


def _headers(ws: Worksheet, r: int, heads: list[str], widths: list[float]) -> None:
    for c, (h, w) in enumerate(zip(heads, widths, strict=True), start=1):
        put(ws, r, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = w


def build(out_dir: Path) -> list[Path]:
    """Write the three submission workbooks into ``out_dir/submissions``."""
    rows = _rows()
    folder = out_dir / DIR
    paths = []

    # 交通运输局
    wb = new_workbook("县交通运输局", "8月报送", FIXED_TIME.replace(month=9))
    ws = first_sheet(wb)
    ws.title = "交通项目"
    heads = [
        "序号",
        "项目名称",
        "1-8月完成投资",
        "8月完成投资",
        "实际开工时间",
        "形象进度",
        "存在问题",
        "填报人",
    ]
    cols = [
        "seq",
        "name",
        "ytd_completed",
        "month_completed",
        "actual_start",
        "progress_note",
        "problems",
        "filler",
    ]
    _title(ws, "县交通运输局重大项目8月推进情况报送表", len(heads))
    put(ws, 2, len(heads), "单位：万元", align=RIGHT, border=False)
    _headers(ws, 3, heads, [5, 30, 12, 12, 12, 28, 28, 8])
    mine = [x for x in rows if x["file"].endswith(TRANSPORT)]
    for seq, x in enumerate(mine, start=1):
        _write(ws, x["row"], cols, dict(x, filler="吴某"), seq)
    paths.append(save(wb, folder / TRANSPORT))

    # 经信局
    wb = new_workbook("县经信局", "8月报送", FIXED_TIME.replace(month=9))
    ws = first_sheet(wb)
    ws.title = "Sheet1"
    heads = ["项目代码", "项目名称", "形象进度", "本月完成", "1-8月累计完成", "存在困难和问题"]
    cols = ["code", "name", "progress_note", "month_completed", "ytd_completed", "problems"]
    _headers(ws, 1, heads, [26, 32, 26, 10, 14, 30])
    for x in rows:
        if x["file"].endswith(INDUSTRY):
            _write(ws, x["row"], cols, x)
    paths.append(save(wb, folder / INDUSTRY))

    # 住建局
    wb = new_workbook("县住建局", "8月报送", FIXED_TIME.replace(month=9))
    ws = first_sheet(wb)
    ws.title = "8月"
    cols = ["seq", "name", "month_completed", "ytd_completed", "progress_note", "problems", "contact"]
    _title(ws, "县住建局2023年8月重点项目进展情况", len(cols))
    for c, (h, w) in enumerate(
        [
            ("序号", 5),
            ("项目名称", 30),
            (None, 12),
            (None, 14),
            ("形象进度", 26),
            ("存在问题", 26),
            ("联系人", 10),
        ],
        start=1,
    ):
        ws.column_dimensions[get_column_letter(c)].width = w
        if h:
            put(ws, 2, c, h, font=BOLD, align=CENTER, fill=HEADER_FILL)
            put(ws, 3, c, None, fill=HEADER_FILL)
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    put(ws, 2, 3, "8月报送（万元）", font=BOLD, align=CENTER, fill=HEADER_FILL)
    put(ws, 2, 4, None, fill=HEADER_FILL)
    ws.merge_cells("C2:D2")
    put(ws, 3, 3, "当月完成投资", font=BOLD, align=CENTER, fill=HEADER_FILL)
    put(ws, 3, 4, "1-8月完成投资", font=BOLD, align=CENTER, fill=HEADER_FILL)
    mine = [x for x in rows if x["file"].endswith(HOUSING)]
    for seq, x in enumerate(mine, start=1):
        _write(ws, x["row"], cols, dict(x, contact="郑某 139XXXX0000"), seq)
    paths.append(save(wb, folder / HOUSING))
    return paths
