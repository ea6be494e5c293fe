"""倒排工期: backward dates through the Chinese calendar; milestone statuses at their edges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar as cc
import openpyxl
import pandas as pd
import pytest

from keyproject.engine.backplan import DEFAULT_STEPS, backward_plan, load_steps, milestone_status
from keyproject.engine.calendar import load_calendar_file
from keyproject.errors import CalendarError, KPError

D = dt.date


def _dates(col: pd.Series) -> list[dt.date]:
    return [pd.Timestamp(x).date() for x in col]


def check_plan_against_package(plan: pd.DataFrame, target: dt.date, steps: list[tuple[str, int]]) -> None:
    starts, finishes = _dates(plan["latest_start"]), _dates(plan["latest_finish"])
    assert list(plan["step"]) == [s for s, _ in steps] and list(plan["days"]) == [d for _, d in steps]
    last_workday = target if cc.is_workday(target) else cc.find_workday(-1, target)
    assert finishes[-1] == last_workday
    for (_, n), s, f in zip(steps, starts, finishes, strict=True):
        assert cc.is_workday(s) and cc.is_workday(f)
        assert len(cc.get_workdays(s, f)) == n  # exactly n working days, both ends included
    for f, s_next in zip(finishes, starts[1:], strict=False):
        assert f < s_next
        assert cc.get_workdays(f + dt.timedelta(days=1), s_next - dt.timedelta(days=1)) == []


def test_default_steps() -> None:
    assert DEFAULT_STEPS == (("项目注册", 5), ("备案/核准", 10), ("规划许可", 15), ("用地批复", 20),
                             ("环评批复", 20), ("施工许可", 10))
    plan = backward_plan(D(2024, 5, 1))
    assert list(plan.columns) == ["step", "days", "latest_start", "latest_finish"]
    assert str(plan["latest_start"].dtype) == "datetime64[us]"


@pytest.mark.parametrize("target", [D(2024, 5, 1), D(2024, 3, 1), D(2023, 10, 5), D(2023, 10, 8),
                                    D(2024, 2, 19)])
def test_backward_dates_across_holidays(target: dt.date) -> None:
    steps = list(DEFAULT_STEPS)
    check_plan_against_package(backward_plan(target), target, steps)


def test_short_steps_around_national_day() -> None:
    steps = [("施工图审查", 3), ("施工许可", 2)]
    target = D(2023, 10, 9)
    plan = backward_plan(target, steps)
    check_plan_against_package(plan, target, steps)
    # 10-07/10-08 were working weekend days, 09-29…10-06 off
    assert _dates(plan["latest_finish"]) == [D(2023, 10, 7), D(2023, 10, 9)]
    assert _dates(plan["latest_start"])[0] == D(2023, 9, 27)


def test_plan_into_uncovered_years(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="2027"):
        backward_plan(D(2027, 5, 1))
    with pytest.raises(CalendarError, match="2003"):
        backward_plan(D(2004, 2, 1))
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01", "2027-04-05"]\nworkdays = []\n', encoding="utf-8")
    plan = backward_plan(D(2027, 5, 1), [("施工许可", 20)], calendar=load_calendar_file(path))
    finish, start = _dates(plan["latest_finish"])[0], _dates(plan["latest_start"])[0]
    assert finish == D(2027, 4, 30)  # a Friday
    span = [start + dt.timedelta(days=i) for i in range((finish - start).days + 1)]
    assert sum(1 for d in span if d.weekday() < 5 and d != D(2027, 4, 5)) == 20


def test_load_steps_from_files(tmp_path: Path) -> None:
    mapping = tmp_path / "a.toml"
    mapping.write_text('[steps]\n"项目赋码" = 3\n"施工许可" = 7\n', encoding="utf-8")
    assert load_steps(mapping) == [("项目赋码", 3), ("施工许可", 7)]
    array = tmp_path / "b.toml"
    array.write_text('[[steps]]\nname = "规划许可"\ndays = 15\n[[steps]]\nname = "施工许可"\ndays = 10\n',
                     encoding="utf-8")
    assert load_steps(array) == [("规划许可", 15), ("施工许可", 10)]
    csv = tmp_path / "c.csv"
    csv.write_text("节点,工作日\n用地批复,20\n环评批复,20\n", encoding="utf-8")
    assert load_steps(csv) == [("用地批复", 20), ("环评批复", 20)]
    xlsx = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["步骤", "工作日数"], ["项目注册", 5], ["施工许可", 10.0]):
        ws.append(row)
    wb.save(xlsx)
    assert load_steps(xlsx) == [("项目注册", 5), ("施工许可", 10)]


@pytest.mark.parametrize(
    ("text", "needle"),
    [('[steps]\n"施工许可" = "十天"\n', "十天"), ('[steps]\n"施工许可" = 0\n', "正整数"),
     ('[stages]\n"a" = 1\n', "steps"), ('[[steps]]\nname = "x"\nduration = 3\n', "duration")],
)
def test_bad_steps_file(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "steps.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KPError) as exc:
        load_steps(path)
    assert "steps.toml" in str(exc.value) and needle in str(exc.value)


def _milestones() -> pd.DataFrame:
    return pd.DataFrame({
        "project": ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"],
        "step": ["用地批复"] * 8,
        "deadline": pd.to_datetime(["2023-08-31", "2023-08-30", "2023-09-07", "2023-09-08", None,
                                    "2023-08-01", "2023-08-01", "2023-08-20"]),
        "done_date": pd.to_datetime([None, None, None, None, None, "2023-08-31", "2023-09-01", "2023-08-10"]),
        "reason": [None, "土地报批滞后", None, None, None, None, None, None],
        "revised_deadline": pd.to_datetime([None, "2023-09-15", None, None, None, None, None, None]),
    })


def test_milestone_status_at_the_edges() -> None:
    out = milestone_status(_milestones(), D(2023, 8, 31), due_within_days=7).set_index("project")
    assert out.loc["甲", "status"] == "due_soon"  # the deadline day itself
    assert out.loc["乙", "status"] == "pending"  # late on its deadline, but revised to 9-15
    assert out.loc["丙", "status"] == "due_soon"  # 7 days ahead
    assert out.loc["丁", "status"] == "pending"  # 8 days ahead
    assert out.loc["戊", "status"] == "pending"  # no deadline
    assert out.loc["己", "status"] == "done" and bool(out.loc["己", "done_late"])
    assert out.loc["庚", "status"] == "overdue"  # done only after as_of
    assert out.loc["辛", "status"] == "done" and not bool(out.loc["辛", "done_late"])
    assert out.loc["甲", "status_label"] == "即将到期" and out.loc["庚", "status_label"] == "已逾期"
    assert out.loc["乙", "reason"] == "土地报批滞后"
    assert out.loc["丙", "days_to_deadline"] == 7

    nxt = milestone_status(_milestones(), D(2023, 9, 1)).set_index("project")
    assert nxt.loc["甲", "status"] == "overdue" and nxt.loc["甲", "days_to_deadline"] == -1
    assert nxt.loc["乙", "status"] == "pending"  # 14 days to the revised deadline
    assert nxt.loc["庚", "status"] == "done"
    later = milestone_status(_milestones(), D(2023, 9, 16)).set_index("project")
    assert later.loc["乙", "status"] == "overdue"
