"""The live formula texts (keyproject.formulas.live, live_cells): pure checks, no spreadsheet.

LibreOffice recalculating them is tests/test_live_libreoffice.py.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import serve_helpers as sh
from hypothesis import given
from hypothesis import strategies as st

from keyproject.engine.progress import gap_points, spreadsheet_round
from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules
from keyproject.engine.stages import STARTED, stage_step
from keyproject.formulas import live
from keyproject.formulas.live_cells import live_cells
from keyproject.reader import read_ledger
from keyproject.xlsx import Workbook

FRAGMENTS = ["未", "待", "拟", "尚", "计划", "准备", "已", "开工", "动工", "施工", "在建", "续建",
             "竣工", "完工", "建成", "投产", "运营", "投用", "投入使用", "达产", "主体", "建设中", "新建中",
             "供地", "签约", "前期", "手续", "，", " ", "项目", "|"]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join))
def test_the_native_stage_reading_is_the_engines(text):
    engine = bool(stage_step(pd.Series([text], dtype="str"))[0] >= STARTED)
    assert live.native_stage_started(text) == engine


def test_spreadsheet_rounding_is_half_away_from_zero_on_the_decimal_value():
    got = spreadsheet_round(np.array([3.125, -10.005, 1.005, 2.675, -0.125, np.nan, 31.665]))
    assert got[:5].tolist() == [3.13, -10.01, 1.01, 2.68, -0.13]
    assert np.isnan(got[5]) and got[6] == 31.67
    assert float(gap_points(15000 / 19200, 9 / 12)) == 3.13  # the city sample's row 26: numpy said 3.12


def test_literals_and_native_readings():
    assert live.literal('说"明"') == '"说""明"""' and live.literal(None) == '""'
    assert live.literal(dt.date(2023, 7, 31)) == "45138" and live.literal(True) == "TRUE"
    assert live.native_date(dt.datetime(2023, 3, 1, 15, 0)) == 44986
    assert live.native_date(45138.75) == 45138 and live.native_date(2023.4) is live.UNKNOWN
    assert live.native_date("2023年3月") is live.UNKNOWN and live.native_date(None) == 0
    assert live.native_amount(-5, 1) == 0 and live.native_amount(9.72, 10000) == 9.72 * 10000
    assert live.native_amount("约500", 1) is live.UNKNOWN


def test_a_cell_the_formula_cannot_read_is_guarded_and_others_are_not():
    columns = live.LiveColumns(annual_plan="M", ytd=("O",), planned_start="AA", started=("AB",))
    plain = live.LiveRow(8, {"M": live.Seen(1000.0, 1000.0), "AB": live.Seen(dt.date(2023, 3, 5),
                                                                             dt.date(2023, 3, 5))})
    text = live.LiveRow(9, {"AB": live.Seen("2023年3月", dt.date(2023, 3, 1))})
    rules = Rules()
    f8 = live.light_formula(columns, plain, dt.date(2023, 7, 31), rules)
    f9 = live.light_formula(columns, text, dt.date(2023, 7, 31), rules)
    assert '"2023年3月"' not in f8 and 'IF(AB9="2023年3月",44986,' in f9
    # rows without odd cells share one formula, up to the row number (as a filled-down formula)
    as_row_9 = re.sub(r"(?<=[A-Z])8(?![0-9])", "9", f8)
    assert as_row_9 == live.light_formula(columns, live.LiveRow(9), dt.date(2023, 7, 31), rules)
    assert f8.startswith("=IFERROR(") and '"绿","黄","红"' in f8 and "DATE(2023,7,31)" in f8
    zhaoqing = Rules.preset("zhaoqing")
    assert '"蓝","黄","红"' in live.light_formula(columns, plain, dt.date(2023, 7, 31), zhaoqing)


def test_thresholds_read_the_settings_sheet_cells():
    ledger = read_ledger(sh.SAMPLE)
    report = build_report(ledger)
    book = Workbook(sh.SAMPLE)
    cells = live_cells(ledger, report, {lay.sheet: book.grid(lay.sheet) for lay in ledger.layouts},
                       book.grid("设置"))
    light = cells[0].light_formula
    for ref in ("'设置'!$B$2", "'设置'!$B$3", "'设置'!$B$4"):
        assert ref in light
    constant = live_cells(ledger, report, {lay.sheet: book.grid(lay.sheet) for lay in ledger.layouts},
                          book.grid("设置"), explicit_rules=True)
    assert "设置" not in constant[0].light_formula and ">=-10," in constant[0].light_formula


def test_cached_values_are_the_reports():
    for path in (sh.SAMPLE, sh.ROOT / "sample_workbooks" / "city_messy_2024.xlsx"):
        ledger = read_ledger(path)
        report = build_report(ledger)
        book = Workbook(path)
        cells = live_cells(ledger, report, {lay.sheet: book.grid(lay.sheet) for lay in ledger.layouts})
        assert [c.row for c in cells] == report.projects["row"].tolist()
        label = report.rules.light_label
        assert [c.light_value for c in cells] == [label(v) if isinstance(v, str) else ""
                                                  for v in report.projects["light"]]
        gaps = [None if g != g else float(g) for g in report.projects["gap_points"]]
        assert [c.gap_value for c in cells] == gaps
        assert max(len(c.light_formula) for c in cells) < 8192  # Excel's limit for a formula
