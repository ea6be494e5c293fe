"""Build addin/keyproject_formulas.xlsx: the xlwings.conf sheet and worked examples of every formula.

    python addin/make_workbook.py            # writes addin/keyproject_formulas.xlsx

Deterministic: the same sample ledger gives the same workbook. The example rows are copied (values
only) from ``sample_workbooks/county_fushun_2023.xlsx``; each example shows the formula text and the
answer the formula gives, computed here by calling the formula's own Python function, so a user
sees the answer before installing anything. ``tests/test_addin_workbook.py`` re-evaluates each
formula text against the sheet and compares.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
OUT = HERE / "keyproject_formulas.xlsx"
MODULE = "keyproject_udfs"

DATA_SHEET = "示例台账"
SETTINGS_SHEET = "设置"  # the sample's own 设置 rows: the formulas that take it light as kp report does
EXAMPLES_SHEET = "公式示例"
CONF_SHEET = "xlwings.conf"
AS_OF = dt.date(2023, 7, 31)

# the sample ledger's columns copied into the example sheet, in order (field key, header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "项目名称"),
    ("unit", "责任单位"),
    ("annual_plan", "年度计划投资"),
    ("ytd_completed", "1-7月完成投资"),
    ("planned_start", "计划开工时间"),
    ("actual_start", "实际开工时间"),
    ("signed_date", "签约时间"),
    ("land_date", "供地时间"),
    ("actual_completion", "竣工时间"),
)
FIRST_ROW = 4  # header on row 3, the report date in B1
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
FMT_DATE = "yyyy-mm-dd"


def pick_rows(projects: pd.DataFrame) -> pd.DataFrame:
    """A handful of sample projects that show every light and every 三类项目 class (deterministic)."""
    picks: list[int] = list(projects.index[:6])
    wants = [
        projects["signed_date"].notna() & projects["land_date"].isna() & projects["actual_start"].isna(),
        projects["land_date"].notna() & projects["actual_start"].isna(),
        projects["annual_plan"].isna(),
        projects["unit"] != projects["unit"].iloc[0],
    ]
    for mask in wants:
        for i in projects.index[mask.fillna(False).to_numpy(dtype=bool)]:
            if i not in picks:
                picks.append(i)
                break
    return projects.loc[sorted(picks)].reset_index(drop=True)


def _ref(col: int, n: int) -> str:
    letter = get_column_letter(col)
    return f"{DATA_SHEET}!${letter}${FIRST_ROW}:${letter}${FIRST_ROW + n - 1}"


def examples(n: int, settings_rows: int = 1) -> list[tuple[str, str]]:
    """(formula text, 说明) of every example; ranges point into the example ledger sheet."""
    c = {key: i for i, (key, _h) in enumerate(COLUMNS, start=1)}
    rng = {key: _ref(i, n) for key, i in c.items()}
    as_of = f"{DATA_SHEET}!$B$1"
    settings = f"{SETTINGS_SHEET}!$A$1:$B${settings_rows}"
    table = f"{DATA_SHEET}!$A${FIRST_ROW - 1}:${get_column_letter(len(COLUMNS))}${FIRST_ROW + n - 1}"
    return [
        (f"=KP_TIMEPROGRESS({as_of})", "序时进度（按月）：1-7月为7/12"),
        (f'=KP_TIMEPROGRESS({as_of},"按日")', "序时进度（按日）：当年已过天数 ÷ 全年天数"),
        (f"=KP_RATE({rng['ytd_completed']},{rng['annual_plan']})", "完成率（整列一次算完）"),
        (f"=KP_GAP({rng['ytd_completed']},{rng['annual_plan']},{as_of})", "与序时进度的差距（百分点）"),
        (f"=KP_LIGHT({rng['ytd_completed']},{rng['annual_plan']},{as_of},{rng['planned_start']},"
         f"{rng['actual_start']})", "红黄绿灯（投资进度和开工情况取最差）"),
        (f"=KP_LIGHT({rng['ytd_completed']},{rng['annual_plan']},{as_of},{rng['planned_start']},"
         f"{rng['actual_start']},{settings})",
         "红黄绿灯，按本工作簿“设置”表的阈值和灯号名称（与 kp report 读同一工作簿的结果一致）"),
        (f"=KP_THREECLASS({rng['signed_date']},{rng['land_date']},{rng['actual_start']},"
         f"{rng['actual_completion']})", "三类项目"),
        (f"=KP_WORKDAYS({rng['planned_start']},{as_of})", "计划开工至统计日的工作日（含调休）"),
        (f'=KP_SPRINT("2023-08-24",100,{rng["annual_plan"]},{rng["ytd_completed"]},"2023-09-30")',
         "百日冲刺：目标为年度计划合计，已完成为1-7月合计"),
        ('=KP_BACKPLAN("2024-05-01")', "倒排工期：2024年5月1日开工，各前期手续最晚日期"),
        (f"=KP_SUMMARY({table},{as_of})", "台账汇总（区域含标题行）"),
        (f"=KP_RANK({rng['unit']},{rng['ytd_completed']},{rng['annual_plan']},{as_of})", "按责任单位排名"),
    ]


def _put(cell: Any, value: Any) -> None:
    """Write a value; text that looks like a formula stays text."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        cell.value = value
        cell.number_format = FMT_DATE
        return
    cell.value = value
    if isinstance(value, str) and value[:1] in "=+-@":
        cell.data_type = "s"
        cell.quotePrefix = True


def build(sample: Path = SAMPLE, out: Path = OUT) -> Path:
    from keyproject.reader import read_ledger

    sys.path.insert(0, str(HERE))
    try:
        from formula_text import evaluate_formula  # the same evaluator the test uses
        importlib.import_module(MODULE)
    finally:
        sys.path.remove(str(HERE))

    ledger = read_ledger(sample)
    projects = pick_rows(ledger.projects)
    n = len(projects)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws["A1"] = "统计截止日期"
    ws["A1"].font = BOLD
    ws["B1"] = dt.datetime.combine(AS_OF, dt.time())
    ws["B1"].number_format = FMT_DATE
    ws["C1"] = f"以下{n}个项目摘自 {sample.name}（金额单位：万元）"
    for j, (_key, header) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=FIRST_ROW - 1, column=j, value=header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = 30 if j == 1 else 14
    for i, rec in enumerate(projects.itertuples(index=False), start=FIRST_ROW):
        for j, (key, _h) in enumerate(COLUMNS, start=1):
            v = getattr(rec, key)
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                continue
            if key in ("annual_plan", "ytd_completed"):
                v = float(v)
            elif isinstance(v, (pd.Timestamp, dt.date)):
                v = pd.Timestamp(v).to_pydatetime()
            else:
                v = str(v)
            _put(ws.cell(row=i, column=j), v)

    st = wb.create_sheet(SETTINGS_SHEET)
    settings = list((ledger.settings or {}).items())
    for i, (key, value) in enumerate(settings, start=1):
        st.cell(row=i, column=1, value=key)
        _put(st.cell(row=i, column=2),
             dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value)
    st.column_dimensions["A"].width = 18

    ex = wb.create_sheet(EXAMPLES_SHEET)
    heads = ("公式", "说明", "结果（由 keyproject 计算；装好加载项后公式给出同样结果）")
    for j, h in enumerate(heads, start=1):
        cell = ex.cell(row=1, column=j, value=h)
        cell.font, cell.fill = BOLD, HEADER_FILL
    ex.column_dimensions["A"].width = 60
    ex.column_dimensions["B"].width = 34
    for k in range(3, 14):
        ex.column_dimensions[get_column_letter(k)].width = 14
    row = 2
    for formula, note in examples(n, max(len(settings), 1)):
        _put(ex.cell(row=row, column=1), formula)
        ex.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ex.cell(row=row, column=2, value=note).alignment = Alignment(wrap_text=True, vertical="top")
        result = evaluate_formula(formula, wb)
        for r, values in enumerate(result):
            for c, v in enumerate(values):
                if v is not None:
                    _put(ex.cell(row=row + r, column=3 + c), v)
        row += max(1, len(result)) + 1

    conf = wb.create_sheet(CONF_SHEET)
    conf["A1"], conf["B1"] = "UDF Modules", MODULE
    conf.column_dimensions["A"].width = 16
    conf.column_dimensions["B"].width = 24

    wb.properties.creator = "keyproject"
    wb.properties.created = wb.properties.modified = dt.datetime(2023, 7, 31)
    wb.save(out)
    return out


if __name__ == "__main__":
    print(build())
