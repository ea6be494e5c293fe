"""The scenario engine: hand-computed projections, reach months, required pace, checkpoints and the
Monte Carlo probabilities against their analytic values."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from keyproject.engine import scenario
from keyproject.engine.scenario import Baseline, ScenarioParams
from keyproject.errors import KPError
from keyproject.schema import LEDGER, conform


def flat_baseline(done_months: int = 7, per_month: float = 100.0, plan: float = 1200.0,
                  stretch: float | None = 1300.0, **kw: object) -> Baseline:
    return Baseline(year=2023, months_done=done_months, plan=plan, stretch=stretch,
                    actual=np.full(done_months, per_month), **kw)  # type: ignore[arg-type]


def test_flat_pace_from_month_8_reaches_plan_in_december() -> None:
    b = flat_baseline()
    p = scenario.project(b, ScenarioParams(pace=100.0))
    assert b.done == 700.0
    assert p.year_end == pytest.approx(1200.0)
    assert list(p.cumulative) == pytest.approx([100.0 * m for m in range(1, 13)])
    plan, stretch = p.tier("plan"), p.tier("stretch")
    assert plan.reach_month == 12 and plan.shortfall == 0.0
    assert plan.required_pace == pytest.approx((1200 - 700) / 5)
    assert stretch.reach_month is None
    assert stretch.shortfall == pytest.approx(100.0)
    assert stretch.required_pace == pytest.approx((1300 - 700) / 5)
    # identical months: no spread, so the outcome is certain
    assert p.sigma == 0.0
    assert plan.probability == 1.0 and stretch.probability == 0.0
    # June: 600 of 1200 is exactly half; September: 900 is exactly 75%
    assert p.double_half is not None and p.double_half.ok and not p.double_half.projected
    sep = next(s for s in p.staged if s.month == 9)
    assert sep.ok and sep.projected and sep.value == pytest.approx(900.0)
    assert list(p.plan_line) == pytest.approx([100.0 * m for m in range(1, 13)])
    assert np.isnan(p.actual_cum[7:]).all() and p.actual_cum[6] == 700.0


def test_faster_pace_reaches_earlier_and_slower_misses() -> None:
    b = flat_baseline(stretch=1350.0)
    fast = scenario.project(b, ScenarioParams(pace=150.0))  # 700 + 150k: 1150 in October, 1300 November
    assert fast.tier("plan").reach_month == 11
    assert fast.tier("stretch").reach_month == 12  # 1450 in December
    slow = scenario.project(b, ScenarioParams(pace=80.0))
    assert slow.year_end == pytest.approx(1100.0)
    assert slow.tier("plan").reach_month is None
    assert slow.tier("plan").shortfall == pytest.approx(100.0)
    sep = next(s for s in slow.staged if s.month == 9)
    assert not sep.ok  # 860 < 900


def test_default_pace_is_the_observed_average() -> None:
    b = Baseline(year=2023, months_done=4, plan=1000.0, stretch=None, actual=np.array([50.0, 70, 90, 110]))
    p = scenario.project(b)
    assert b.observed_pace == pytest.approx(80.0)
    assert p.year_end == pytest.approx(320.0 + 8 * 80.0)
    assert [t.key for t in p.tiers] == ["plan"]  # no 力争 in the ledger and none given
    p2 = scenario.project(b, ScenarioParams(stretch=1100.0))
    assert p2.tier("stretch").target == 1100.0


def test_growth_compounds_monthly() -> None:
    p = scenario.project(flat_baseline(), ScenarioParams(pace=100.0, growth=10.0))
    rest = [100 * 1.1 ** k for k in range(5)]
    assert list(p.monthly[7:]) == pytest.approx(rest)
    assert p.year_end == pytest.approx(700 + sum(rest))


def test_year_end_push_redistributes_without_changing_the_total() -> None:
    b = flat_baseline()
    p = scenario.project(b, ScenarioParams(pace=100.0, season="push"))
    assert p.year_end == pytest.approx(1200.0)
    assert p.monthly[11] > p.monthly[7]  # December carries more than August
    assert p.monthly[7:].mean() == pytest.approx(100.0)


def test_last_year_shape_follows_last_year() -> None:
    last = np.array([10, 10, 10, 10, 10, 10, 10, 10, 20, 20, 20, 30], dtype=float)
    b = flat_baseline(last_year=last)
    p = scenario.project(b, ScenarioParams(pace=100.0, season="last_year"))
    rest = last[7:] / last[7:].mean() * 100
    assert list(p.monthly[7:]) == pytest.approx(list(rest))
    with pytest.raises(KPError, match="上年"):
        scenario.project(flat_baseline(), ScenarioParams(season="last_year"))


def test_new_projects_add_their_monthly_share_from_their_start_month() -> None:
    p = scenario.project(flat_baseline(),
                         ScenarioParams(pace=100.0, new_count=3, new_annual=1200.0, new_start=10))
    # three projects × 1200 a year = 300 a month in October, November, December
    assert list(p.monthly[7:]) == pytest.approx([100, 100, 400, 400, 400])
    assert p.year_end == pytest.approx(1200 + 900)


def test_slip_cuts_only_the_red_share() -> None:
    b = flat_baseline(red_share=0.4)
    p = scenario.project(b, ScenarioParams(pace=100.0, slip=50.0))
    assert list(p.monthly[7:]) == pytest.approx([80.0] * 5)  # 100 × (1 − 0.4 × 0.5)


def test_red_share_is_the_red_projects_share_of_the_remaining_plan() -> None:
    projects = conform(pd.DataFrame({
        "name": ["甲", "乙", "丙", "丁"],
        "annual_plan": [1000.0, 1000.0, 500.0, 200.0],
        "ytd_completed": [900.0, 200.0, 100.0, 300.0],  # remaining 100, 800, 400, 0 (over-done)
    }), LEDGER)
    share = scenario.red_share(projects, pd.Series(["green", "red", "red", None]))
    assert share == pytest.approx(1200 / 1300)
    assert scenario.red_share(projects, None) == 0.0


def test_monthly_actuals_sum_known_months_and_spread_the_rest() -> None:
    projects = conform(pd.DataFrame({
        "name": ["甲", "乙"],
        "m01": [10.0, None], "m02": [20.0, 5.0], "m03": [None, None],
        "ytd_completed": [60.0, 40.0],
    }), LEDGER)
    months, estimated = scenario.monthly_actuals(projects, 4)
    # known: January 10, February 25; March and April share 100 − 35 = 65
    assert list(months) == pytest.approx([10.0, 25.0, 32.5, 32.5])
    assert estimated == (3, 4)
    # no monthly columns at all: the year-to-date figure spread evenly
    bare = conform(pd.DataFrame({"name": ["甲"], "ytd_completed": [700.0]}), LEDGER)
    months, estimated = scenario.monthly_actuals(bare, 7)
    assert list(months) == pytest.approx([100.0] * 7)
    assert estimated == tuple(range(1, 8))


def test_baseline_from_projects_needs_a_plan() -> None:
    projects = conform(pd.DataFrame({"name": ["甲"], "ytd_completed": [10.0]}), LEDGER)
    with pytest.raises(KPError, match="年度计划"):
        scenario.baseline_from_projects(projects, year=2023, months_done=7)
    projects = conform(pd.DataFrame({"name": ["甲", "乙"], "annual_plan": [100.0, 200.0],
                                     "annual_stretch": [120.0, None], "ytd_completed": [50.0, 70.0]}), LEDGER)
    b = scenario.baseline_from_projects(projects, year=2023, months_done=6)
    # 力争 counts a project without a stretch target at its plan
    assert b.plan == 300.0 and b.stretch == 320.0 and b.done == pytest.approx(120.0)


def test_sigma_is_the_std_of_month_over_month_log_ratios() -> None:
    b = Baseline(year=2023, months_done=4, plan=1000.0, stretch=None, actual=np.array([100.0, 200, 100, 200]))
    ratios = [math.log(2), math.log(0.5), math.log(2)]
    assert b.sigma == pytest.approx(statistics.stdev(ratios))
    one = Baseline(year=2023, months_done=2, plan=1000.0, stretch=None, actual=np.array([100.0, 200]))
    assert one.sigma == 0.0  # a single ratio has no spread to speak of


def test_normal_noise_matches_the_analytic_probability() -> None:
    b = flat_baseline()
    sigma = 0.1
    params = ScenarioParams(pace=100.0, sigma=sigma, noise="normal", sims=200_000, seed=7)
    # year-end = 700 + Σ 100(1 + σZ_k) over 5 months ~ N(1200, (σ·100·√5)²)
    sd = sigma * 100 * math.sqrt(5)
    for target in (1180.0, 1220.0, 1250.0):
        b2 = flat_baseline(plan=target)
        got = scenario.project(b2, params).tier("plan").probability
        assert got == pytest.approx(scenario.normal_probability(1200.0, sd, target), abs=0.006)
    p = scenario.project(b, params)
    assert p.quantiles["p50"] == pytest.approx(1200.0, abs=1.0)
    assert p.quantiles["p90"] - p.quantiles["p50"] == pytest.approx(1.2816 * sd, rel=0.03)


def test_lognormal_noise_keeps_the_mean_and_is_reproducible() -> None:
    b = flat_baseline(stretch=1250.0)
    params = ScenarioParams(pace=100.0, sigma=0.3, sims=50_000, seed=11)
    sims = scenario.simulate_year_end(b, scenario.projected_months(b, params), 0.3, 50_000, 11, "lognormal")
    assert sims.mean() == pytest.approx(1200.0, rel=0.005)
    a = scenario.project(b, params).tier("stretch").probability
    again = scenario.project(b, params).tier("stretch").probability
    other = scenario.project(b, ScenarioParams(pace=100.0, sigma=0.3, sims=50_000, seed=12))
    assert a == again
    assert 0.0 < a < 0.5
    assert other.tier("stretch").probability != a


def test_a_finished_year_has_no_remaining_months() -> None:
    b = Baseline(year=2023, months_done=12, plan=1200.0, stretch=1300.0, actual=np.full(12, 105.0))
    p = scenario.project(b, ScenarioParams(pace=999.0, sigma=0.5))
    assert p.year_end == pytest.approx(1260.0)
    assert p.tier("plan").reach_month == 12 and p.tier("plan").required_pace is None
    assert p.tier("plan").probability == 1.0 and p.tier("stretch").probability == 0.0


def test_read_last_year_from_a_column_or_a_row(tmp_path) -> None:
    values = [float(100 + 10 * m) for m in range(12)]
    wb = Workbook()
    ws = wb.active
    ws.title = "上年月度"
    ws.append(["月份", "完成投资（万元）"])
    for m, v in enumerate(values, start=1):
        ws.append([f"{m}月", v])
    col = tmp_path / "col.xlsx"
    wb.save(col)
    assert list(scenario.read_last_year(col)) == values

    wb = Workbook()
    ws = wb.active
    ws.title = "上年月度"
    ws.append(["项目"] + [f"{m}月" for m in range(1, 13)])
    ws.append(["合计", *values])
    row = tmp_path / "row.xlsx"
    wb.save(row)
    assert list(scenario.read_last_year(row)) == values

    wb = Workbook()
    wb.active.title = "别的"
    none = tmp_path / "none.xlsx"
    wb.save(none)
    assert scenario.read_last_year(none) is None
