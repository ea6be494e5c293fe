"""The second month of the dispatch cycle: September submissions (1-9月) for the county ledger.

After August (``submissions/``), three units send September figures:
- 交通运输局 and 住建局 again, in their own layouts, every project of theirs once (no duplicate, no
  stranger this time);
- 县水务局 for the first time: it sent nothing in August, so its 1-9月 figures hold August too;
- 经信局 sends nothing in September: its projects keep August's figures (未报送 in 本期报送, on the
  未报送 list and marked on the rankings).
Figures: 1-9月 = 1-8月 (the unit's August submission; for 城区停车场建设项目, whose two August
figures conflicted and were not used, 住建局's own August figure) + September's.
"""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from keyproject.samples._style import (
    AMOUNT_FMT,
    BOLD,
    CENTER,
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
from keyproject.samples.submissions import CONFLICT_PROJECT, submission_rows

DIR = "submissions_september"
TRANSPORT = "交通运输局_9月报送.xlsx"
HOUSING = "住建局_9月报送.xlsx"
WATER = "水务局_9月报送.xlsx"
AS_OF = date(2023, 9, 30)
SILENT_UNIT = "县经信局"  # reported in August, not in September
LATE_UNIT = "县水务局"  # first report in September
_UNITS = {TRANSPORT: "县交通运输局", HOUSING: "县住建局", WATER: LATE_UNIT}
_NOTES = ("9月完成主体施工节点", "正在加快推进", "设备安装调试中", "已完成年度形象进度的80%")


def _month(rng: random.Random, rec: dict[str, Any]) -> float:
    if rec["actual_completion"] is not None:
        return 0.0
    plan = rec["annual_plan"] or 1200.0
    return float(round(plan / 12 * rng.uniform(0.5, 1.5)))


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    rng = random.Random(SUBMISSION_SEED + 30)
    august = {r["match_row"]: r for r in submission_rows()
              if r["match_row"] is not None and not r["duplicate"] and not r["conflict"]}
    conflict_housing = next(r for r in submission_rows() if r["conflict"] and "住建局" in r["file"])
    out: list[dict[str, Any]] = []
    for file, unit in _UNITS.items():
        r = 4 if file != WATER else 3
        for rec in (x for x in county_projects() if x["unit"] == unit):
            if rec["name"] == CONFLICT_PROJECT:
                before = conflict_housing["ytd_completed"]
            elif rec["row"] in august:
                before = august[rec["row"]]["ytd_completed"]
            else:  # no August figure sent: the unit's 1-9月 includes its August
                before = rec["ytd_completed"] + _month(rng, rec)
            sep = _month(rng, rec)
            out.append({
                "file": f"{DIR}/{file}", "row": r, "name": rec["name"], "code": rec["code"],
                "match_row": rec["row"], "match_name": rec["name"], "unit": unit,
                "ytd_completed": before + sep, "month_completed": sep,
                "progress_note": rec["progress_note"] if rec["actual_completion"] else rng.choice(_NOTES),
            })
            r += 1
    return tuple(out)


def september_rows() -> list[dict[str, Any]]:
    """Every September row: file (relative to sample_workbooks/), row, name, code, the ledger project
    it matches (match_row / match_name), unit, 1-9月 ytd_completed and September month_completed
    (万元), progress_note."""
    return [dict(r) for r in _rows()]


def _form(path: Path, creator: str, sheet: str, title: str, heads: list[tuple[str, str, float]],
          rows: list[dict[str, Any]], header_row: int) -> Path:
    """One unit's form: a title, (a unit note,) a one-row header, the rows."""
    wb = new_workbook(creator, "9月报送", FIXED_TIME.replace(month=10))
    ws = first_sheet(wb)
    ws.title = sheet
    put(ws, 1, 1, title, font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    if header_row == 3:
        put(ws, 2, len(heads), "单位：万元", align=RIGHT, border=False)
    for c, (head, _key, width) in enumerate(heads, start=1):
        put(ws, header_row, c, head, font=BOLD, align=CENTER, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(c)].width = width
    for seq, rec in enumerate(rows, start=1):
        for c, (_head, key, _w) in enumerate(heads, start=1):
            value = seq if key == "seq" else rec.get(key)
            if key in ("ytd_completed", "month_completed"):
                put(ws, rec["row"], c, int(value or 0), fmt=AMOUNT_FMT, align=RIGHT)
            else:
                put(ws, rec["row"], c, value, align=LEFT if key in ("name", "progress_note") else CENTER)
    return save(wb, path)


def build(out_dir: Path) -> list[Path]:
    """Write the three September submission workbooks into ``out_dir/submissions_september``."""
    folder = out_dir / DIR
    rows = _rows()

    def mine(file: str) -> list[dict[str, Any]]:
        return [r for r in rows if r["file"].endswith(file)]

    return [
        _form(folder / TRANSPORT, "县交通运输局", "交通项目", "县交通运输局重大项目9月推进情况报送表",
              [("序号", "seq", 5), ("项目名称", "name", 30), ("1-9月完成投资", "ytd_completed", 12),
               ("9月完成投资", "month_completed", 12), ("形象进度", "progress_note", 28)],
              mine(TRANSPORT), 3),
        _form(folder / HOUSING, "县住建局", "9月", "县住建局2023年9月重点项目进展情况",
              [("序号", "seq", 5), ("项目名称", "name", 30), ("当月完成投资", "month_completed", 12),
               ("1-9月完成投资", "ytd_completed", 14), ("形象进度", "progress_note", 26)],
              mine(HOUSING), 3),
        _form(folder / WATER, "县水务局", "水利项目", "县水务局2023年1-9月重点水利项目推进情况",
              [("项目编号", "code", 24), ("项目名称", "name", 30), ("1-9月累计完成投资", "ytd_completed", 14),
               ("其中9月完成", "month_completed", 12), ("工程进展", "progress_note", 26)],
              mine(WATER), 2),
    ]
