"""The planning widgets driven headless: set control values, read the outputs (ipywidgets runs its
observers synchronously without a kernel)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess
import sys

import chinese_calendar
import numpy as np
import pandas as pd
import pytest

from keyproject.engine import battlemap
from keyproject.engine.calendar import load_calendar_file
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, conform
from keyproject.widgets import BattleMap, ScenarioPlanner, SprintCountdown
from keyproject.widgets.scenario_planner import summary_html

PNG = b"\x89PNG"


def make_ledger(projects: dict[str, list], *, month: int = 7, year: int = 2023) -> Ledger:
    df = pd.DataFrame(projects)
    df["row"] = range(5, 5 + len(df))
    return Ledger(path=None, sheet="项目台账", header_rows=[3, 4], columns=[], unit="万元",
                  report_month=month, report_year=year, projects=conform(df, LEDGER))


def two_projects() -> Ledger:
    """A: plan 600, 80 a month (green); B: plan 600, 20 a month (23% done at 58% of the year: red).
    Together 100 a month, 700 done in seven months; 确保 1200, 力争 1300."""
    months = {f"m{m:02d}": [80.0, 20.0] for m in range(1, 8)}
    return make_ledger({
        "name": ["甲项目", "乙项目"], "annual_plan": [600.0, 600.0], "annual_stretch": [650.0, 650.0],
        "ytd_completed": [560.0, 140.0], **months,
        "command_post": ["工业指挥部", "交通指挥部"], "unit": ["县经信局", "县交通局"],
        "planned_start": pd.to_datetime(["2023-02-01", "2023-03-15"]),
        "actual_start": pd.to_datetime(["2023-02-10", None]),
        "planned_completion": pd.to_datetime(["2024-06-30", None]),
    })


def text_of(widget_html: str, cls: str) -> str:
    m = re.search(rf"class='{cls}'>(.*?)<", widget_html)
    assert m, f"{cls} not in summary"
    return m.group(1)


# -- ScenarioPlanner ---------------------------------------------------------------------------

def test_planner_starts_from_the_observed_pace_and_follows_the_slider() -> None:
    sp = ScenarioPlanner(two_projects())
    b = sp.baseline
    assert (b.months_done, b.plan, b.stretch, b.done) == (7, 1200.0, 1300.0, 700.0)
    assert sp.pace_slider.value == pytest.approx(100.0)
    assert sp.year_end == pytest.approx(1200.0)
    assert text_of(sp.summary.value, "kp-year-end") == "1,200万元"
    assert text_of(sp.summary.value, "kp-reach-plan") == "12月"
    assert text_of(sp.summary.value, "kp-need-plan") == "100万元/月"  # (1200 − 700) / 5
    assert text_of(sp.summary.value, "kp-need-stretch") == "120万元/月"
    # identical months: no spread, certain outcomes
    assert sp.probabilities == {"plan": 1.0, "stretch": 0.0}
    first_chart = bytes(sp.chart.value)
    assert first_chart.startswith(PNG)

    sp.pace_slider.value = 150.0  # 700 + 150 × 5 = 1450
    assert sp.year_end == pytest.approx(1450.0)
    assert text_of(sp.summary.value, "kp-year-end") == "1,450万元"
    assert text_of(sp.summary.value, "kp-reach-plan") == "11月"
    assert text_of(sp.summary.value, "kp-reach-stretch") == "11月"
    assert sp.probabilities == {"plan": 1.0, "stretch": 1.0}
    # no event loop: the chart is redrawn at once
    assert bytes(sp.chart.value).startswith(PNG) and bytes(sp.chart.value) != first_chart

    sp.pace_slider.value = 90.0
    assert "年底差" in text_of(sp.summary.value, "kp-reach-plan")
    assert sp.probabilities["plan"] == 0.0


def test_planner_controls_change_the_projection_as_the_engine_says() -> None:
    sp = ScenarioPlanner(two_projects())
    # B is red and holds 460 of the 500 still to do
    assert sp.baseline.red_share == pytest.approx(460 / 500)
    sp.slip_slider.value = 50.0
    assert sp.year_end == pytest.approx(700 + 5 * 100 * (1 - 0.92 * 0.5))
    sp.slip_slider.value = 0.0
    sp.growth_slider.value = 10.0
    assert sp.year_end == pytest.approx(700 + sum(100 * 1.1 ** k for k in range(5)))
    sp.growth_slider.value = 0.0
    sp.new_count_slider.value = 2
    sp.new_annual_slider.value = 600.0
    sp.new_start_slider.value = 11  # 2 × 600 / 12 = 100 a month in November and December
    assert sp.year_end == pytest.approx(1200.0 + 200.0)
    sp.stretch_input.value = 1500.0
    assert sp.projection.tier("stretch").target == 1500.0
    assert text_of(sp.summary.value, "kp-need-stretch") == "160万元/月"
    assert [o[1] for o in sp.season_dropdown.options] == ["flat", "push"]  # no last year's figures


def test_planner_uses_last_years_shape_when_given() -> None:
    last = np.array([10, 10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 40], dtype=float)
    sp = ScenarioPlanner(two_projects(), last_year=last)
    assert "last_year" in [o[1] for o in sp.season_dropdown.options]
    sp.season_dropdown.value = "last_year"
    rest = last[7:] / last[7:].mean() * 100
    assert list(sp.projection.monthly[7:]) == pytest.approx(list(rest))
    assert sp.year_end == pytest.approx(1200.0)  # the shape moves money between months only


def test_planner_reports_double_half_and_staged_targets() -> None:
    sp = ScenarioPlanner(two_projects())
    html = sp.summary.value
    assert "双过半" in html and "实际累计 600万元" in html
    assert "9月底完成75%" in html
    sp.pace_slider.value = 50.0  # September: 700 + 100 = 800 < 900
    sep = next(c for c in sp.projection.staged if c.month == 9)
    assert not sep.ok and sep.projected
    assert "9月底完成75%：预计累计 800万元，目标 900万元，✘ 未达到" in sp.summary.value


def test_planner_chart_is_debounced_under_an_event_loop() -> None:
    async def scenario() -> tuple[bytes, bytes, bytes, float]:
        sp = ScenarioPlanner(two_projects(), debounce=0.05)
        before = bytes(sp.chart.value)
        for v in (110.0, 120.0, 130.0):
            sp.pace_slider.value = v
        immediate = bytes(sp.chart.value)  # summary updated, chart waits for the controls to rest
        year_end = sp.year_end
        await asyncio.sleep(0.3)
        return before, immediate, bytes(sp.chart.value), year_end

    before, immediate, after, year_end = asyncio.run(scenario())
    assert year_end == pytest.approx(700 + 5 * 130)
    assert immediate == before
    assert after != before and after.startswith(PNG)


def test_update_now_sets_controls_and_recomputes_once() -> None:
    sp = ScenarioPlanner(two_projects())
    proj = sp.update_now(pace=120.0, growth=0.0)
    assert proj.year_end == pytest.approx(1300.0)
    assert sp.pace_slider.value == 120.0 and sp.year_end == pytest.approx(1300.0)


def test_planner_needs_an_annual_plan() -> None:
    from keyproject.errors import KPError

    with pytest.raises(KPError, match="年度计划"):
        ScenarioPlanner(make_ledger({"name": ["甲"], "ytd_completed": [1.0]}))


def test_summary_html_is_a_plain_function() -> None:
    sp = ScenarioPlanner(two_projects())
    assert summary_html(sp.baseline, sp.projection) == sp.summary.value


# -- SprintCountdown --------------------------------------------------------------------------

class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def test_countdown_numbers_at_a_fixed_clock() -> None:
    clock = Clock(dt.datetime(2023, 9, 1, 10, 30, 15))
    sc = SprintCountdown(dt.date(2023, 8, 24), 100, target=100_000.0, done=30_000.0, clock=clock)
    assert (sc.start_date, sc.end_date) == (dt.date(2023, 8, 24), dt.date(2023, 12, 1))
    left = dt.datetime(2023, 12, 2) - clock.now
    h, rest = divmod(left.seconds, 3600)
    assert sc.countdown == f"剩余 {left.days} 天 {h} 小时 {rest // 60} 分 {rest % 60} 秒"
    st = sc.status
    assert st is not None and sc.error == ""
    assert st.days_left == (dt.date(2023, 12, 1) - dt.date(2023, 9, 1)).days
    workdays = len(chinese_calendar.get_workdays(dt.date(2023, 9, 2), dt.date(2023, 12, 1)))
    assert st.working_days_left == workdays
    assert st.per_working_day == pytest.approx(70_000 / workdays)
    assert f"<b class='kp-workdays-left'>{workdays}</b>" in sc.bars_html.value
    assert f"{70_000 / st.days_left:,.0f}万元" in sc.figures_html.value
    assert sc.task_bar.value == pytest.approx(0.3)
    elapsed = (clock.now - dt.datetime(2023, 8, 24)).total_seconds()
    assert sc.time_bar.value == pytest.approx(elapsed / (100 * 86400))

    before = sc.countdown
    clock.now += dt.timedelta(seconds=3)
    sc.tick()
    assert sc.countdown != before
    assert sc.countdown.endswith(f"{(rest - 3) % 60} 秒")


def test_countdown_before_the_start_and_after_the_end() -> None:
    clock = Clock(dt.datetime(2023, 8, 23, 23, 0, 0))
    sc = SprintCountdown(dt.date(2023, 8, 24), 100, 10.0, 0.0, clock=clock)
    assert sc.countdown == "距冲刺开始还有 0 天 1 小时 0 分 0 秒"
    clock.now = dt.datetime(2023, 12, 2, 0, 0, 1)
    sc.tick()
    assert sc.countdown == "冲刺已结束"


def test_leaderboard_ranks_groups_by_sprint_completion() -> None:
    groups = pd.DataFrame({"group": ["县住建局", "县经信局", "县交通局"], "target": [1000.0, 500.0, 800.0],
                           "done": [300.0, 400.0, 560.0]})
    sc = SprintCountdown(dt.date(2023, 8, 24), 100, 2300.0, 1260.0, groups=groups,
                         clock=Clock(dt.datetime(2023, 10, 1, 8)))
    board = sc.leaderboard.value
    order = [board.index(name) for name in ("县经信局", "县交通局", "县住建局")]  # 80%, 70%, 30%
    assert order == sorted(order)
    assert "80.0%" in board and "30.0%" in board


def test_uncovered_year_shows_the_calendar_error_and_keeps_counting(tmp_path) -> None:
    clock = Clock(dt.datetime(2026, 11, 22, 9, 0, 0))
    sc = SprintCountdown(dt.date(2026, 11, 1), 100, 1000.0, 400.0, clock=clock)  # ends 2027-02-08
    assert sc.status is None
    assert "2027" in sc.error
    assert "2027" in sc.figures_html.value and "kp-calendar-error" in sc.figures_html.value
    assert sc.countdown.startswith("剩余 ")
    clock.now += dt.timedelta(seconds=1)
    before = sc.countdown
    sc.tick()
    assert sc.countdown != before

    override = tmp_path / "2027.toml"
    override.write_text('[2027]\nholidays = ["2027-01-01", "2027-02-05", "2027-02-08"]\n'
                        'workdays = ["2027-02-07"]\n', encoding="utf-8")
    sc2 = SprintCountdown(dt.date(2026, 11, 1), 100, 1000.0, 400.0, clock=clock,
                          calendar=load_calendar_file(override))
    assert sc2.error == "" and sc2.status is not None
    cal2026 = len(chinese_calendar.get_workdays(dt.date(2026, 11, 23), dt.date(2026, 12, 31)))
    jan_feb = pd.bdate_range("2027-01-01", "2027-02-08")
    expected_2027 = len(jan_feb) - 3 + 1  # three weekday holidays out, one Sunday in
    assert sc2.status.working_days_left == cal2026 + expected_2027


def test_countdown_ticks_live_under_an_event_loop() -> None:
    calls: list[dt.datetime] = []
    base = dt.datetime(2023, 9, 1, 10, 0, 0)

    def clock() -> dt.datetime:
        calls.append(base + dt.timedelta(seconds=len(calls)))
        return calls[-1]

    async def run() -> tuple[int, str, str]:
        sc = SprintCountdown(dt.date(2023, 8, 24), 100, 10.0, 1.0, clock=clock, interval=0.02, autostart=True)
        first = sc.countdown
        await asyncio.sleep(0.25)
        sc.stop()
        n = len(calls)
        await asyncio.sleep(0.05)
        assert len(calls) == n  # stopped
        return n, first, sc.countdown

    n, first, last = asyncio.run(run())
    assert n >= 4
    assert first != last


def test_countdown_without_event_loop_does_not_start_a_task() -> None:
    sc = SprintCountdown(dt.date(2023, 8, 24), 100, 10.0, 1.0, clock=Clock(dt.datetime(2023, 9, 1)))
    assert sc.start() is False
    assert sc._task is None


def test_countdown_from_ledger_measures_from_the_start() -> None:
    """From 24 August: the work left after the seven closed months (1200 − 700), nothing since —
    the same figures ``kp sprint`` gives (both call sprint.sprint_targets)."""
    sc = SprintCountdown.from_ledger(two_projects(), dt.date(2023, 8, 24), by="unit",
                                     clock=Clock(dt.datetime(2023, 9, 1)))
    assert (sc.target, sc.done) == (500.0, 0.0)
    assert sc.basis is not None and sc.basis.basis == "monthly"
    assert "按1-7月各月完成投资" in sc.basis_html.value
    assert "县经信局" in sc.leaderboard.value and "县交通局" in sc.leaderboard.value
    # the start and length from the workbook's 设置 sheet
    led = two_projects()
    led.settings = {"百日冲刺开始": dt.date(2023, 9, 1), "冲刺天数": 60}
    sc = SprintCountdown.from_ledger(led, clock=Clock(dt.datetime(2023, 9, 2)))
    assert (sc.start_date, sc.days) == (dt.date(2023, 9, 1), 60)


# -- BattleMap --------------------------------------------------------------------------------

def battle_ledger() -> Ledger:
    return make_ledger({
        "name": ["甲", "乙", "丙", "丁", "戊"],
        "annual_plan": [100.0, 100.0, 100.0, 100.0, None],
        "ytd_completed": [58.0, 10.0, 40.0, 60.0, None],  # time progress 58.33%: green, red, yellow, green
        "command_post": ["工业", "工业", "交通", "交通", None],
        "unit": ["经信局", "住建局", "经信局", "交通局", "交通局"],
        "planned_start": pd.to_datetime(
            ["2023-03-01", "2023-01-01", "2023-05-01", "2023-09-01", "2023-02-01"]),
        "actual_start": pd.to_datetime(["2023-03-05", "2023-01-10", "2023-05-20", None, None]),
        "planned_completion": pd.to_datetime(["2023-06-30", "2024-12-31", None, "2025-01-31", "2023-12-31"]),
    })


def test_battle_frame_orders_and_flags() -> None:
    led = battle_ledger()
    as_of = dt.date(2023, 7, 31)
    lights = battlemap.lights_for(led.projects, as_of)
    f = battlemap.battle_frame(led.projects, as_of, lights, "command_post")
    assert list(f["group"]) == ["交通", "交通", "工业", "工业", battlemap.NO_GROUP]
    assert list(f["name"]) == ["丙", "丁", "乙", "甲", "戊"]  # by planned start within a group
    by = f.set_index("name")
    assert by.loc["甲", "overdue"] and not by.loc["乙", "overdue"]  # 甲 was due 30 June
    assert by.loc["戊", "not_started_late"] and not by.loc["丁", "not_started_late"]
    assert by.loc["丙", "open_end"] and by.loc["丙", "bar_end"] == pd.Timestamp("2023-12-31")
    # 戊: planned for February, not started: 5 months late
    assert by["light"].to_dict() == {"甲": "green", "乙": "red", "丙": "yellow", "丁": "green", "戊": "red"}
    red = battlemap.filter_frame(f, ["red"])
    assert set(red["name"]) == {"乙", "戊"}
    assert set(battlemap.filter_frame(f, ["red"], ["工业"])["name"]) == {"乙"}


def test_battle_map_widget_filters_and_regroups() -> None:
    bm = BattleMap(battle_ledger(), dt.date(2023, 7, 31))
    assert bm.shown == 5 and bytes(bm.chart.value).startswith(PNG)
    assert list(bm.group_select.options) == ["交通", "工业", battlemap.NO_GROUP]
    chart = bytes(bm.chart.value)
    bm.light_select.value = ("red",)
    assert bm.shown == 2
    assert "<b class='kp-shown'>2</b>" in bm.summary.value and "红灯 2 个" in bm.summary.value
    assert bytes(bm.chart.value) != chart
    bm.group_select.value = ("工业",)
    assert bm.shown == 1
    bm.group_dropdown.value = "unit"  # regrouping clears the group filter, keeps the light filter
    assert set(bm.group_select.options) == {"交通局", "经信局", "住建局"}
    assert bm.group_select.value == ()
    assert bm.shown == 2
    bm.light_select.value = ("green", "yellow")
    assert bm.shown == 3


def test_battle_map_with_nothing_selected_draws_a_note() -> None:
    bm = BattleMap(battle_ledger(), dt.date(2023, 7, 31))
    bm.light_select.value = ("none",)
    assert bm.shown == 0 and bytes(bm.chart.value).startswith(PNG)


# -- the library stays free of widgets ---------------------------------------------------------

def test_core_does_not_import_ipywidgets() -> None:
    code = ("import sys, keyproject, keyproject.scenario, keyproject.battlemap, keyproject.sprint, "
            "keyproject.calendar; assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
