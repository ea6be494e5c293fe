"""问题清单: 销号, overdue at the deadline boundary, due soon, closure rate, by unit."""

import datetime as dt

import pandas as pd

from keyproject.engine.problems import from_ledger_column, summarize
from keyproject.engine.rules import Rules

AS_OF = dt.date(2023, 7, 31)


def _problems() -> pd.DataFrame:
    d = pd.to_datetime
    return pd.DataFrame({
        "row": [3, 4, 5, 6, 7, 8, 9, 10],
        "project": list("ABCDEFGH"),
        "problem": ["征地", "资金", "环评", "用电", "拆迁", "用林", "规划", None],
        "unit": ["县自然资源局", "县财政局", "县生态环境局", "县发改局", "县自然资源局", None, "县住建局",
                 "x"],
        "deadline": d(["2023-07-30", "2023-07-31", "2023-08-07", "2023-08-08", "2023-06-30", None,
                       "2023-05-01", None]),
        "status": ["办理中", "未销号", None, "推进中", "已销号", "已办结", None, None],
        "closed_date": d([None, None, None, None, None, None, "2023-06-01", None]),
    })


def test_counts_and_boundaries() -> None:
    s = summarize(_problems(), AS_OF, Rules())
    assert s.total == 7  # the row without a problem text is not a problem
    assert (s.closed, s.open) == (3, 4)  # 已销号, 已办结, a closing date; 未销号 stays open
    # deadline 30 July is overdue on 31 July; a deadline on 31 July itself is not yet
    assert s.overdue == 1
    assert s.overdue_items["project"].tolist() == ["A"]
    assert s.overdue_items["days_overdue"].tolist() == [1]
    # due soon: deadline from as_of to as_of + 7 days (31 July and 7 August; not 8 August)
    assert s.due_soon == 2
    assert s.closure_rate == 3 / 7


def test_due_days_are_configurable_and_closing_date_after_as_of_does_not_count() -> None:
    assert summarize(_problems(), AS_OF, Rules(problem_due_days=8)).due_soon == 3
    s = summarize(_problems(), dt.date(2023, 5, 31), Rules())
    assert s.closed == 2  # the 1 June closing date is in the future on 31 May


def test_by_unit() -> None:
    by = summarize(_problems(), AS_OF, Rules()).by_unit.set_index("unit")
    zr = by.loc["县自然资源局"]
    assert (zr["total"], zr["closed"], zr["open"], zr["overdue"]) == (2, 1, 1, 1)
    assert zr["closure_rate"] == 0.5
    assert "未填写" in by.index
    assert by.index[0] == "县自然资源局"  # most overdue first


def test_none_and_to_dict() -> None:
    assert summarize(None, AS_OF).source == "none"
    d = summarize(_problems(), AS_OF).to_dict()
    assert d["total"] == 7 and d["closure_rate"] == round(3 / 7, 4)
    assert d["overdue_items"][0]["deadline"] == "2023-07-30"
    assert {r["unit"] for r in d["by_unit"]} >= {"县财政局", "未填写"}


def test_from_ledger_problem_column() -> None:
    projects = pd.DataFrame({"row": [5, 6, 7, 8, 9], "name": list("ABCDE"), "unit": list("甲乙丙丁戊"),
                             "problems": ["征地拆迁未完成", "无", None, "  ", "—"]})
    probs = from_ledger_column(projects)
    assert probs["project"].tolist() == ["A"] and probs["row"].tolist() == [5]
    s = summarize(probs, AS_OF, source="column")
    assert (s.total, s.open, s.overdue, s.source) == (1, 1, 0, "column")
