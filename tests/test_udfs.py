"""The Excel formulas (addin/keyproject_udfs.py) called directly with Excel-shaped inputs.

On Linux xlwings' decorators are pass-through, so each function receives exactly what is passed:
single cells, 2-D columns, None for blanks, Excel serial dates, date text and wrong types. Every
result is compared with the library's own answer computed here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keyproject import excel_shapes as xs
from keyproject.engine.backplan import backward_plan
from keyproject.engine.calendar import WorkCalendar
from keyproject.engine.lights import evaluate
from keyproject.engine.progress import completion_rate, gap_points, time_progress, totals
from keyproject.engine.ranking import rank
from keyproject.engine.rules import Rules
from keyproject.engine.sprint import sprint_status
from keyproject.engine.stages import three_class

ADDIN = Path(__file__).resolve().parents[1] / "addin"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def kp():
    sys.path.insert(0, str(ADDIN))
    try:
        yield importlib.import_module("keyproject_udfs")
    finally:
        sys.path.remove(str(ADDIN))


def is_message(value) -> bool:
    """A short Chinese message, not a traceback."""
    return (isinstance(value, str) and bool(CJK.search(value)) and "Traceback" not in value
            and len(value) < 200)


def col(values):
    return [[v] for v in values]


def flat(result):
    assert all(len(r) == 1 for r in result), result
    return [r[0] for r in result]


JULY = dt.date(2023, 7, 31)
JULY_SERIAL = 45138  # 2023-07-31 in Excel


def test_every_function_is_exported(kp):
    names = {n for n in dir(kp) if n.startswith("KP_")}
    assert names == {"KP_TIMEPROGRESS", "KP_RATE", "KP_GAP", "KP_LIGHT", "KP_THREECLASS", "KP_WORKDAYS",
                     "KP_SPRINT", "KP_BACKPLAN", "KP_SUMMARY", "KP_RANK"}
    assert set(kp.__all__) >= names | {"refresh_workbook"}


def test_timeprogress_cells_serials_text_and_blanks(kp):
    expect = time_progress(JULY)
    assert kp.KP_TIMEPROGRESS(JULY) == [[expect]]
    assert round(expect, 4) == 0.5833
    cells = col([JULY_SERIAL, "2023年7月31日", dt.datetime(2023, 6, 30), None, "明天"])
    got = flat(kp.KP_TIMEPROGRESS(cells))
    assert got[:3] == [expect, expect, time_progress(dt.date(2023, 6, 30))]
    assert got[3] is None
    assert is_message(got[4])
    assert kp.KP_TIMEPROGRESS(JULY, "按日") == [[time_progress(JULY, "day")]]
    assert is_message(kp.KP_TIMEPROGRESS(JULY, "按年")[0][0])


def test_rate_whole_column(kp):
    done = [600, None, 300.0, "1,200", 50]
    plan = [1000, 800, 0, "2,000", None]
    got = flat(kp.KP_RATE(col(done), col(plan)))
    expect = completion_rate(np.array([600, np.nan, 300, 1200, 50.0]), np.array([1000, 800, 0, 2000, np.nan]))
    assert got[0] == expect[0] and got[1] == expect[1] and got[3] == expect[3]
    assert got[2] is None and got[4] is None  # no plan: no rate
    # wrong type: a message in that row, the other rows still computed
    got = flat(kp.KP_RATE(col([100, True, "abc"]), col([200, 200, 200])))
    assert got[0] == 0.5 and is_message(got[1]) and is_message(got[2])


def test_gap_matches_engine_and_broadcasts_a_single_date(kp):
    done, plan = [600, 100, 300, None], [1000, 1000, 400, 500]
    frame = pd.DataFrame({"ytd_completed": [600, 100, 300, np.nan], "annual_plan": [1000, 1000, 400, 500.0]})
    expect = evaluate(frame, JULY, Rules())["gap_points"].tolist()
    for as_of in (JULY, JULY_SERIAL, "2023-07-31", [[JULY_SERIAL]]):
        assert flat(kp.KP_GAP(col(done), col(plan), as_of)) == expect
    # one as_of per row also works
    got = flat(kp.KP_GAP(col(done), col(plan), col([JULY, JULY, 45107, None])))
    assert got[2] == float(gap_points(0.75, time_progress(dt.date(2023, 6, 30))))
    assert is_message(got[3])


def test_light_exactly_the_engine(kp):
    rng = np.random.default_rng(7)
    n = 300
    plan = rng.uniform(100, 5000, n).round(1)
    done = (plan * rng.uniform(0, 1.2, n)).round(1)
    plan[::17] = np.nan
    planned = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    started = planned + pd.to_timedelta(rng.integers(-20, 60, n), unit="D")
    started = started.where(rng.uniform(size=n) > 0.4)
    frame = pd.DataFrame({"ytd_completed": done, "annual_plan": plan,
                          "planned_start": planned.astype("datetime64[us]"),
                          "actual_start": started.astype("datetime64[us]")})
    rules = Rules()
    expect = [rules.light_label(v) for v in evaluate(frame, JULY, rules)["light"]]
    # Excel shapes: serial numbers for planned starts, text for actual starts, None for blanks
    planned_serial = col(xs.datetime_to_serial(frame["planned_start"].to_numpy()).tolist())
    started_text = col([None if pd.isna(d) else d.strftime("%Y年%m月%d日") for d in frame["actual_start"]])
    done_cells = col(done.tolist())
    plan_cells = col([None if np.isnan(p) else p for p in plan])
    got = flat(kp.KP_LIGHT(done_cells, plan_cells, JULY_SERIAL, planned_serial, started_text))
    assert got == expect
    assert {"绿", "黄", "红"} <= set(got)
    # without the start dates: the investment light alone
    inv_only = evaluate(frame[["ytd_completed", "annual_plan"]], JULY, rules)["light"]
    inv = [rules.light_label(v) for v in inv_only]
    assert flat(kp.KP_LIGHT(done_cells, plan_cells, JULY)) == inv
    assert "" in inv  # rows without a plan have no light


def test_light_single_cell_and_bad_input(kp):
    assert kp.KP_LIGHT(600, 1000, JULY) == [[Rules().light_label(evaluate(
        pd.DataFrame({"ytd_completed": [600.0], "annual_plan": [1000.0]}), JULY)["light"][0])]]
    got = flat(kp.KP_LIGHT(col([600, 600]), col([1000, 1000]), JULY, col(["三月", None])))
    assert is_message(got[0]) and got[1] in {"绿", "黄", "红"}
    assert is_message(kp.KP_LIGHT(col([1, 2, 3]), col([1, 2]), JULY)[0][0])  # sizes differ


def test_threeclass(kp):
    signed = col(["2023-01-10", "2023-01-10", 44950, None, "2023-02-01"])
    land = col([None, "2023-03-01", 44980, None, None])
    started = col([None, None, "2023-05-01", None, None])
    completed = col([None, None, None, None, None])
    got = flat(kp.KP_THREECLASS(signed, land, started, completed))
    cells = [xs.dates(c).values for c in (signed, land, started, completed)]
    expect = ["" if v is None else v for v in three_class(*cells)]
    assert got == expect
    assert got[:3] == ["已签约未供地", "已供地未动工", "已动工未竣工"] and got[3] == ""
    got = flat(kp.KP_THREECLASS(signed, land, started, completed, "2023-01-31"))
    assert got[4] == "" and got[0] == "已签约未供地"  # signed after as_of does not count yet
    assert is_message(kp.KP_THREECLASS("签了", None, None, None)[0][0])


def test_workdays_chinese_calendar(kp):
    cal = WorkCalendar()
    starts = col([dt.date(2023, 9, 28), 45197, "2023-10-01"])
    ends = col([dt.date(2023, 10, 8), "2023.10.31", None])
    got = flat(kp.KP_WORKDAYS(starts, ends))
    assert got[0] == cal.workdays_between(dt.date(2023, 9, 28), dt.date(2023, 10, 8))
    assert got[1] == cal.workdays_between(dt.date(2023, 9, 28), dt.date(2023, 10, 31))
    assert got[2] is None
    # 2027 is not in the package: a message, unless a (date, 班/休) table is given
    assert is_message(kp.KP_WORKDAYS("2027-01-04", "2027-01-08")[0][0])
    table = [["日期", "班/休"], ["2027-01-01", "休"], [46394, "休"]]  # 46394 = 2027-01-06
    expect = WorkCalendar.from_table(table).workdays_between(dt.date(2027, 1, 1), dt.date(2027, 1, 8))
    assert kp.KP_WORKDAYS("2027-01-01", "2027-01-08", table) == [[expect]]
    assert expect == 4


def test_sprint_table(kp):
    got = kp.KP_SPRINT("2023-08-24", 100, col([30000, 20000, None]), col([12000, 8000]), JULY_SERIAL + 37)
    st = sprint_status(dt.date(2023, 8, 24), 100, 50000, 20000, dt.date(2023, 9, 6))
    assert [r[0] for r in got] == ["指标", "结束日期", "已过天数", "剩余天数", "剩余工作日", "剩余任务",
                                  "日均需完成", "周均需完成", "是否达序时"]
    values = dict(got[1:])
    assert values["结束日期"] == dt.datetime.combine(st.end, dt.time())
    assert values["已过天数"] == st.days_elapsed and values["剩余天数"] == st.days_left
    assert values["剩余工作日"] == st.working_days_left and values["剩余任务"] == st.remaining
    assert values["日均需完成"] == st.per_day and values["周均需完成"] == st.per_week
    assert values["是否达序时"] == ("是" if st.on_track else "否")
    assert is_message(kp.KP_SPRINT("2023-08-24", "一百", 1, 1, JULY)[0][0])


def test_sprint_defaults_to_today(kp):
    got = dict(kp.KP_SPRINT(dt.date.today(), 10, 100, 0)[1:])
    assert got["已过天数"] == sprint_status(dt.date.today(), 10, 100, 0, dt.date.today()).days_elapsed


def test_backplan_default_and_own_steps(kp):
    target = dt.date(2024, 5, 1)
    plan = backward_plan(target)
    got = kp.KP_BACKPLAN("2024-05-01")
    assert got[0] == ["节点", "工作日", "最晚开始", "最晚完成"]
    assert [r[0] for r in got[1:]] == plan["step"].tolist()
    assert [r[2].date() for r in got[1:]] == [d.date() for d in plan["latest_start"]]
    assert [r[3].date() for r in got[1:]] == [d.date() for d in plan["latest_finish"]]
    steps = [["节点", "工作日"], ["项目注册", 3], [None, None], ["施工许可", 5.0]]
    own = backward_plan(target, [("项目注册", 3), ("施工许可", 5)])
    got = kp.KP_BACKPLAN(45413, steps)  # 45413 = 2024-05-01
    assert [r[2].date() for r in got[1:]] == [d.date() for d in own["latest_start"]]
    assert is_message(kp.KP_BACKPLAN(target, [["项目注册", "三天"]])[0][0])


LEDGER_RANGE = [
    ["序号", "项目名称", "责任单位", "年度计划投资（万元）", "1-7月完成投资", "计划开工时间", "实际开工时间",
     "灯号"],
    [1, "甲项目", "发改局", 1000, 600, "2023-03-01", "2023-03-05", "红"],
    [2, "乙项目", "住建局", 2000, "300", 44986, None, None],
    [None, "合计", None, 3000, 900, None, None, None],
    [3, "丙项目", "发改局", "500", "—", None, None, None],
    [None, None, None, None, None, None, None, None],
]


def test_summary_from_a_ledger_range(kp):
    got = dict(kp.KP_SUMMARY(LEDGER_RANGE, JULY_SERIAL)[1:])
    frame = pd.DataFrame({
        "ytd_completed": [600, 300, np.nan], "annual_plan": [1000, 2000, 500.0],
        "planned_start": pd.to_datetime(["2023-03-01", "2023-03-01", None]).astype("datetime64[us]"),
        "actual_start": pd.to_datetime(["2023-03-05", None, None]).astype("datetime64[us]"),
    })
    t = totals(frame, JULY)
    lights = evaluate(frame, JULY)["light"].value_counts()
    assert got["项目个数"] == 3  # the 合计 row and the blank row are not projects
    assert got["年度计划投资（万元）"] == t["annual_plan"]
    assert got["本年累计完成投资（万元）"] == t["ytd_completed"]
    assert got["完成率"] == t["completion_rate"] and got["差距（百分点）"] == t["gap_points"]
    assert got["红灯"] == lights.get("red", 0) and got["绿灯"] == lights.get("green", 0)
    assert got["双过半"] == ("是" if t["double_half"] else "否")
    assert is_message(kp.KP_SUMMARY([["名称不对", "x"], [1, 2]], JULY)[0][0])
    assert is_message(kp.KP_SUMMARY([["项目名称", "年度计划投资"], ["甲", "很多"]], JULY)[0][0])


def test_rank(kp):
    groups = col(["发改局", "住建局", "发改局", None, "交通局"])
    done = col([600, 300, None, 50, 900])
    plan = col([1000, 2000, 500, 100, 1000])
    got = kp.KP_RANK(groups, done, plan, JULY)
    frame = pd.DataFrame({"group": pd.Series(["发改局", "住建局", "发改局", None, "交通局"], dtype="str"),
                          "ytd_completed": [600, 300, np.nan, 50, 900.0],
                          "annual_plan": [1000, 2000, 500, 100, 1000.0]})
    expect = rank(frame, "group", JULY)
    assert got[0][:3] == ["名次", "分组", "项目个数"]
    assert [r[1] for r in got[1:]] == expect["group"].tolist()
    assert [r[0] for r in got[1:]] == [int(x) for x in expect["rank"]]
    assert [r[5] for r in got[1:]] == expect["completion_rate"].tolist()
    assert is_message(kp.KP_RANK(groups, col([1, "很多", 3, 4, 5]), plan, JULY)[0][0])


def test_no_function_leaks_a_traceback(kp):
    weird = [object(), {"a": 1}, [[1, 2], [3, 4]], ""]
    for name in [n for n in kp.__all__ if n.startswith("KP_")]:
        fn = getattr(kp, name)
        nargs = fn.__code__.co_argcount
        for w in weird:
            result = fn(*([w] * nargs))
            assert isinstance(result, list) and all(isinstance(r, list) for r in result)
            cells = [v for r in result for v in r]
            assert not any(isinstance(v, str) and "Traceback" in v for v in cells)
            if isinstance(w, (dict, object)) and not isinstance(w, (list, str)):
                assert any(is_message(v) for v in cells), (name, w, result)
