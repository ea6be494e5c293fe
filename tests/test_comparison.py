"""环比 and 同比 over snapshots (keyproject.engine.comparison)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from keyproject.engine.comparison import compare, compare_all
from keyproject.engine.history import Snapshot

D = dt.date
LAST_YEAR = [100.0, 100.0, 200.0, 200.0, 200.0, 300.0, 300.0, 400.0, 400.0, 400.0, 500.0, 900.0]


def snap(as_of: dt.date, ytd: float, rate: float | None = None, gap: float | None = None,
         lights: tuple[str | None, ...] = ("green",)) -> Snapshot:
    projects = pd.DataFrame({"light": pd.Series(list(lights), dtype=object)})
    return Snapshot(as_of=as_of, taken_at=dt.datetime.combine(as_of, dt.time()), source=None,
                    time_progress=as_of.month / 12, projects=projects,
                    totals={"ytd_completed": ytd, "completion_rate": rate, "gap_points": gap})


def test_month_on_month_and_year_on_year() -> None:
    jun, jul, aug = (snap(D(2023, 6, 30), 1000.0, 0.40, -10.0, ("red", "green")),
                     snap(D(2023, 7, 31), 1300.0, 0.52, -6.33, ("yellow", "green")),
                     snap(D(2023, 8, 31), 1700.0, 0.68, 1.33, ("green", "green")))
    c = compare(aug, jul, jun, LAST_YEAR)
    assert c.increase == 400.0 and c.previous_increase == 300.0
    assert c.mom_growth == pytest.approx(400 / 300 - 1)
    assert c.rate_change == pytest.approx(16.0) and c.gap_change == pytest.approx(7.66)
    assert c.lights_change == {"red": 0, "yellow": -1, "green": 1, "none": 0}
    assert c.last_year_ytd == 1800.0 and c.yoy_growth == pytest.approx(1700 / 1800 - 1)
    assert c.last_year_month == 400.0 and c.yoy_month_growth == pytest.approx(400 / 400 - 1)
    d = c.to_dict()
    assert d["as_of"] == "2023-08-31" and d["previous_as_of"] == "2023-07-31"


def test_a_mid_month_previous_snapshot_gives_no_monthly_yoy() -> None:
    c = compare(snap(D(2023, 8, 31), 1700.0), snap(D(2023, 8, 15), 1500.0), None, LAST_YEAR)
    assert c.increase == 200.0 and c.yoy_month_growth is None and c.mom_growth is None


def test_a_new_year_starts_again_and_missing_figures_stay_none() -> None:
    c = compare(snap(D(2024, 1, 31), 150.0), snap(D(2023, 12, 31), 4000.0), None, LAST_YEAR)
    assert c.increase == 150.0 and c.yoy_month_growth == pytest.approx(150 / 100 - 1)
    first = compare(snap(D(2023, 7, 31), 1300.0))
    assert first.increase is None and first.yoy_growth is None and first.previous_as_of is None
    assert compare(snap(D(2023, 7, 31), 1300.0), last_year=[None] * 12).last_year_ytd is None


def test_compare_all_orders_and_chains() -> None:
    rows = compare_all([snap(D(2023, 8, 31), 1700.0), snap(D(2023, 6, 30), 1000.0),
                        snap(D(2023, 7, 31), 1300.0)], LAST_YEAR)
    assert [c.as_of.month for c in rows] == [6, 7, 8]
    assert [c.increase for c in rows] == [None, 300.0, 400.0]
    assert rows[2].mom_growth == pytest.approx(400 / 300 - 1)
