"""Ledger ranges and whole workbooks given as values (keyproject.excel_tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from keyproject.bulletin import bulletin_text
from keyproject.engine.report import build_report
from keyproject.excel_tables import (
    is_own_sheet,
    ledger_from_values,
    projects_from_range,
    sheet_tables,
)
from keyproject.reader import read_ledger

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"


@pytest.fixture(scope="module")
def sample_values():
    wb = load_workbook(SAMPLE, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def test_projects_from_range_skips_subtotals_and_reads_text():
    frame = projects_from_range([["项目名称", "年度计划投资", "计划开工时间"], ["甲", "1,200", "2023.3.1"],
                                 ["合计", 1200, None], ["乙", None, 44986]])
    assert frame["name"].tolist() == ["甲", "乙"]
    assert frame["annual_plan"].iloc[0] == 1200.0 and pd.isna(frame["annual_plan"].iloc[1])
    assert list(frame["planned_start"].dt.date.astype(str)) == ["2023-03-01", "2023-03-01"]


def test_ledger_from_values_reads_as_the_file_reader(sample_values):
    got = ledger_from_values(sample_values, SAMPLE.name)
    ref = read_ledger(SAMPLE)
    assert (got.sheet, got.header_rows, got.report_month, got.last_column) == \
           (ref.sheet, ref.header_rows, ref.report_month, ref.last_column)
    pd.testing.assert_frame_equal(got.projects, ref.projects)
    assert got.settings == ref.settings
    pd.testing.assert_frame_equal(got.problems, ref.problems)


def test_sheet_tables_follow_the_report(sample_values):
    report = build_report(ledger_from_values(sample_values, SAMPLE.name))
    tables = sheet_tables(report, bulletin_text(report))
    assert list(tables) == ["汇总", "红黄绿灯", "排名", "问题清单", "通报"]
    for name, rows in tables.items():
        assert is_own_sheet(name, rows[0][0])
        assert not is_own_sheet(name, "问题描述")
    lit = tables["红黄绿灯"][3:]
    assert len(lit) == report.lights["red"] + report.lights["yellow"]
    assert [r[1] for r in lit[: report.lights["red"]]] == ["红"] * report.lights["red"]
    assert tables["通报"][2][0] == bulletin_text(report).splitlines()[0].strip()
