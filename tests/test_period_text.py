"""The user's period words in titles and headers moved on to the new period (keyproject.period_text)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyproject.engine.period_text import period_edits, rewrite

AUG = dt.date(2023, 8, 31)


@pytest.mark.parametrize(("old", "new"), [
    ("2023年富顺县重大项目推进情况表（1-7月）", "2023年富顺县重大项目推进情况表（1-8月）"),
    ("1-7月完成投资", "1-8月完成投资"),
    ("2023年1—7月", "2023年1—8月"),
    ("1～7月累计", "1～8月累计"),
    ("1至7月", "1至8月"),
    ("1 - 7 月", "1 - 8 月"),
    ("１－７月完成", "１－８月完成"),  # full-width stays full-width
    ("截至2023年7月31日", "截至2023年8月31日"),
    ("（截止7月底）", "（截止8月底）"),
    ("2023年7月重点项目调度表", "2023年8月重点项目调度表"),
])
def test_period_words_move(old: str, new: str) -> None:
    assert rewrite(old, (2023, 7), AUG) == new


@pytest.mark.parametrize("text", ["7月", "12月", "1-3月计划", "2023年7月8日开工", "2022年1-7月",
                                  "截至2022年7月31日", "单位：万元", "年度计划投资"])
def test_other_words_stay(text: str) -> None:
    assert rewrite(text, (2023, 7), AUG) == text


def test_the_current_month_column_and_a_mid_month_date() -> None:
    assert rewrite("7月完成投资", (2023, 7), AUG, month_cell=True) == "8月完成投资"
    assert rewrite("7月", (2023, 7), AUG, month_cell=True) == "8月"
    assert rewrite("7月完成投资", (2023, 7), AUG) == "7月完成投资"  # elsewhere a monthly column
    assert rewrite("截至7月底", (2023, 7), dt.date(2023, 8, 20)) == "截至8月20日"
    assert rewrite("截至2023年8月20日", (2023, 8), AUG) == "截至2023年8月31日"


def test_never_across_a_year() -> None:
    assert rewrite("2023年1-12月", (2023, 12), dt.date(2024, 1, 31)) == "2023年1-12月"


def test_edits_list_each_changed_cell() -> None:
    cells = {"A1": "2023年富顺县重大项目推进情况表（1-7月）", "A2": "单位：万元", "O4": "1-7月完成投资",
             "P4": "7月完成投资", "R4": "7月", "M3": "2023年"}
    edits = period_edits("项目台账", cells, (2023, 7), AUG, month_cells={"P4"})
    assert [(e.cell, e.new) for e in edits] == [("A1", "2023年富顺县重大项目推进情况表（1-8月）"),
                                              ("O4", "1-8月完成投资"), ("P4", "8月完成投资")]
    assert str(edits[1]) == "工作表“项目台账”O4：“1-7月完成投资”→“1-8月完成投资”"
