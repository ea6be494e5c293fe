"""Live lights recalculated by LibreOffice headless equal ``kp report``'s, before and after edits.

The formulas come from ``keyproject.formulas.live_cells`` (what ``kp refresh --live`` writes); the
edits are what staff type: completion figures, start dates, 建设性质, a threshold in 设置.
"""

from __future__ import annotations

import datetime as dt

import live_harness as lh
import openpyxl
import pandas as pd
import pytest
import serve_helpers as sh

from keyproject.formulas.live import stage_expr
from keyproject.reader import read_ledger
from keyproject.report import build_report
from keyproject.stages import STARTED, stage_step

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CITY = sh.ROOT / "sample_workbooks" / "city_messy_2024.xlsx"


def compare(got: dict, want: dict) -> list:
    bad = []
    for row, (gap, light) in want.items():
        g, li = got[row]
        if (li or "") != light:
            bad.append((row, "light", li, light))
        if gap is None:
            if g not in (None, ""):
                bad.append((row, "gap", g, gap))
        elif not isinstance(g, (int, float)) or round(g, 2) != gap:
            bad.append((row, "gap", g, gap))
    return bad


@pytest.mark.parametrize("sample", [sh.SAMPLE, CITY], ids=["county", "city"])
def test_every_row_of_the_samples_lights_as_kp_report(sample, tmp_path):
    placed = lh.with_live(sample, tmp_path / sample.name)
    out = lh.recalculate(placed.path, tmp_path / "out", tmp_path / "profile")
    got = lh.lights(out, placed)
    want = lh.expected(sample)
    assert set(got) == set(want) and len(want) >= 40
    assert compare(got, want) == []
    assert {"绿", "黄", "红"} <= {light for _gap, light in want.values()}


def _rows(sample):
    """Rows of the sample by what they show, to edit each kind."""
    report = build_report(read_ledger(sample))
    p = report.projects
    planned = p["planned_start"].notna() & (p["planned_start"] <= "2023-07-31")
    started = p["actual_start"].notna()
    new = p["nature"].astype("str").str.contains("新建", na=False)
    pick = {
        "boundary_green": p.index[p["annual_plan"].notna()][0],
        "boundary_yellow": p.index[p["annual_plan"].notna()][1],
        "below_red": p.index[p["annual_plan"].notna()][2],
        "blank_done": p.index[p["annual_plan"].notna()][3],
        "blank_plan": p.index[p["annual_plan"].notna()][4],
        "unstart": p.index[planned & started & new][0],
        "late_red": p.index[planned & started & new][1],
        "start_now": p.index[planned & ~started & new][0],
        "start_later": p.index[planned & ~started & new][1] if (planned & ~started & new).sum() > 1
        else p.index[planned & started & new][2],
        "continuing": p.index[planned & ~started & new][-1],
    }
    return {k: int(p.at[i, "row"]) for k, i in pick.items()}


def test_lights_follow_what_staff_type(tmp_path):
    rows = _rows(sh.SAMPLE)
    edits = {
        # exactly −10.00 and −30.00 points: green and yellow
        (rows["boundary_green"], "annual_plan"): 1200, (rows["boundary_green"], "ytd_completed"): 580,
        (rows["boundary_yellow"], "annual_plan"): 1200, (rows["boundary_yellow"], "ytd_completed"): 340,
        (rows["below_red"], "annual_plan"): 1200, (rows["below_red"], "ytd_completed"): 339.9,
        (rows["blank_done"], "ytd_completed"): None,
        (rows["blank_plan"], "annual_plan"): None,
        (rows["unstart"], "actual_start"): None, (rows["unstart"], "actual_completion"): None,
        (rows["unstart"], "planned_start"): dt.datetime(2023, 6, 20),  # one month late: yellow
        (rows["late_red"], "actual_start"): None, (rows["late_red"], "actual_completion"): None,
        (rows["late_red"], "planned_start"): dt.datetime(2023, 1, 10),  # six months late: red
        (rows["start_now"], "actual_start"): dt.datetime(2023, 7, 20),
        (rows["start_later"], "actual_start"): dt.datetime(2023, 8, 5),  # after the report date
        (rows["continuing"], "nature"): "续建",
    }
    placed = lh.with_live(sh.SAMPLE, tmp_path / "edited.xlsx", edits, settings={"黄灯差距": -5})
    out = lh.recalculate(placed.path, tmp_path / "out", tmp_path / "profile")
    got = lh.lights(out, placed)
    want = lh.expected(placed.path)  # kp report on the edited workbook
    assert compare(got, want) == []
    before = lh.expected(sh.SAMPLE)
    changed = {r for r in want if want[r] != before[r]}
    assert {rows["unstart"], rows["late_red"], rows["blank_done"]} <= changed
    assert want[rows["late_red"]][1] == "红" and want[rows["unstart"]][1] in ("黄", "红")
    assert want[rows["blank_plan"]][0] is None


def test_text_the_formula_cannot_read_asks_for_a_refresh(tmp_path):
    rows = _rows(sh.SAMPLE)
    row = rows["start_now"]
    placed = lh.with_live(sh.SAMPLE, tmp_path / "typed.xlsx", {(row, "actual_start"): "2023.7.5"})
    out = lh.recalculate(placed.path, tmp_path / "out", tmp_path / "profile")
    got = lh.lights(out, placed)
    assert got[row][1] == "待刷新"
    want = lh.expected(sh.SAMPLE)
    others = {r: v for r, v in got.items() if r != row}
    assert compare(others, {r: v for r, v in want.items() if r != row}) == []


STAGES = ["在建", "未开工", "已供地未开工", "竣工", "未竣工", "尚未竣工投产", "拟投产", "已投产", "投入使用",
          "达产", "前期手续办理中", "主体完工", "计划开工", "待开工 在建", "签约", "", "—", "建设中",
          "竣未竣工工", "未未竣工", "新建中", "准备施工", "已完工", "建成投用", "运营", "未运营", "续建"]


def test_the_stage_formula_reads_stage_text_as_the_engine_does(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, text in enumerate(STAGES, start=1):
        ws.cell(i, 1, text or None)
        ws.cell(i, 2, "=" + stage_expr(f"A{i}"))
    path = tmp_path / "stages.xlsx"
    wb.save(path)
    out = lh.recalculate(path, tmp_path / "out", tmp_path / "profile")
    sheet = openpyxl.load_workbook(out, data_only=True).active
    got = [sheet.cell(i, 2).value for i in range(1, len(STAGES) + 1)]
    want = (stage_step(pd.Series(STAGES, dtype="str")) >= STARTED).tolist()
    assert got == want
    assert any(want) and not all(want)
