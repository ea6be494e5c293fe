"""百日冲刺: the window, the counts at its edges, the pace, groups and the countdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar as cc
import numpy as np
import pandas as pd
import pytest

from keyproject.engine.calendar import load_calendar_file
from keyproject.engine.sprint import MISSING_GROUP, group_targets, sprint_status, sprint_window, time_left
from keyproject.errors import CalendarError

D = dt.date
START = D(2023, 8, 24)
END = D(2023, 12, 1)  # 24 August + 99 days

JSON_KEYS = {"start", "end", "days", "days_elapsed", "days_left", "working_days_left", "target", "done",
             "remaining", "per_day", "per_week", "per_working_day", "on_track", "groups", "basis",
             "basis_note"}


def test_window_covers_start_to_start_plus_days_minus_one() -> None:
    assert sprint_window(START, 100) == (START, START + dt.timedelta(days=99)) == (START, END)
    assert sprint_window(START, 1) == (START, START)


@pytest.mark.parametrize(
    ("as_of", "elapsed"),
    [(START - dt.timedelta(days=1), 0), (START, 1), (D(2023, 8, 31), 8), (END, 100),
     (END + dt.timedelta(days=1), 100)],
)
def test_days_elapsed_and_left_at_the_edges(as_of: dt.date, elapsed: int) -> None:
    s = sprint_status(START, 100, target=1000, done=0, as_of=as_of)
    assert s.days_elapsed == elapsed
    assert s.days_left == 100 - elapsed
    first_left = max(START, as_of + dt.timedelta(days=1))
    expected_wd = len(cc.get_workdays(first_left, END)) if first_left <= END else 0
    assert s.working_days_left == expected_wd
    assert (s.start, s.end, s.days) == (START, END, 100)


def test_pace_from_what_remains() -> None:
    as_of = D(2023, 9, 27)  # the National Day holidays lie ahead
    s = sprint_status(START, 100, target=734000.0, done=428000.0, as_of=as_of)
    wd = len(cc.get_workdays(D(2023, 9, 28), END))
    left = (END - as_of).days
    assert s.remaining == pytest.approx(306000.0)
    assert s.per_day == pytest.approx(306000.0 / left)
    assert s.per_week == pytest.approx(306000.0 / left * 7)
    assert s.working_days_left == wd
    assert s.per_working_day == pytest.approx(306000.0 / wd)


def test_done_beyond_target_needs_nothing() -> None:
    s = sprint_status(START, 100, target=100.0, done=150.0, as_of=D(2023, 9, 1))
    assert s.remaining == 0.0 and s.per_day == 0.0 and s.per_working_day == 0.0 and s.on_track


def test_last_day_with_work_left_has_no_pace() -> None:
    s = sprint_status(START, 100, target=100.0, done=50.0, as_of=END)
    assert s.days_left == 0 and s.working_days_left == 0
    assert s.per_day is None and s.per_week is None and s.per_working_day is None
    assert s.to_dict()["per_day"] is None


def test_on_track_boundary() -> None:
    as_of = D(2023, 9, 12)  # day 20 of 100
    assert sprint_status(START, 100, target=1000.0, done=200.0, as_of=as_of).on_track
    assert not sprint_status(START, 100, target=1000.0, done=199.99, as_of=as_of).on_track
    assert sprint_status(START, 100, target=1000.0, done=0.0, as_of=START - dt.timedelta(days=3)).on_track


def test_sprint_into_an_uncovered_year(tmp_path: Path) -> None:
    start, as_of = D(2026, 11, 1), D(2026, 11, 10)
    with pytest.raises(CalendarError, match="2027"):
        sprint_status(start, 100, target=10.0, done=1.0, as_of=as_of)
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-02-07"]\n', encoding="utf-8")
    s = sprint_status(start, 100, target=10.0, done=1.0, as_of=as_of, calendar=load_calendar_file(path))
    end = start + dt.timedelta(days=99)
    in_2027 = [end - dt.timedelta(days=i) for i in range((end - D(2027, 1, 1)).days + 1)]
    plain = sum(1 for d in in_2027 if (d.weekday() < 5 and d != D(2027, 1, 1)) or d == D(2027, 2, 7))
    assert s.working_days_left == len(cc.get_workdays(D(2026, 11, 11), D(2026, 12, 31))) + plain
    # once the sprint is over no day is left to count: no calendar needed
    after = sprint_status(D(2026, 1, 1), 100, target=1.0, done=1.0, as_of=D(2027, 6, 1))
    assert after.working_days_left == 0


def test_to_dict_has_exactly_the_json_keys() -> None:
    d = sprint_status(START, 100, target=10.0, done=1.0, as_of=D(2023, 8, 31)).to_dict()
    assert set(d) == JSON_KEYS
    assert d["start"] == "2023-08-24" and d["end"] == "2023-12-01" and d["groups"] == []


def _projects() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": pd.Series(["交通局", "交通局", "工信局", None, "  "], dtype="str"),
        "annual_plan": [1000.0, 3000.0, 2000.0, 500.0, np.nan],
        "ytd_completed": [800.0, 1000.0, 300.0, np.nan, 50.0],
    })


def test_group_targets_from_one_ledger() -> None:
    g = group_targets(_projects(), "unit").set_index("group")
    assert g.loc["交通局", "target"] == 4000.0 and g.loc["交通局", "done"] == 1800.0
    assert g.loc["工信局", "projects"] == 1
    assert g.loc[MISSING_GROUP, "projects"] == 2 and g.loc[MISSING_GROUP, "done"] == 50.0
    assert g["target"].sum() == pytest.approx(_projects()["annual_plan"].sum())


def test_group_targets_against_a_baseline() -> None:
    now = _projects()
    then = now.assign(ytd_completed=[500.0, 500.0, 100.0, 0.0, 0.0])
    g = group_targets(now, "unit", baseline=then).set_index("group")
    assert g.loc["交通局", "target"] == 4000.0 - 1000.0
    assert g.loc["交通局", "done"] == 1800.0 - 1000.0
    assert g.loc["工信局", "target"] == 1900.0 and g.loc["工信局", "done"] == 200.0


def test_group_status_in_the_sprint() -> None:
    groups = group_targets(_projects(), "unit")
    as_of = D(2023, 10, 2)  # day 40
    s = sprint_status(START, 100, target=groups["target"].sum(), done=groups["done"].sum(), as_of=as_of,
                      groups=groups)
    by = {g["group"]: g for g in s.to_dict()["groups"]}
    wd = len(cc.get_workdays(D(2023, 10, 3), END))
    assert by["交通局"]["remaining"] == 2200.0
    assert by["交通局"]["per_working_day"] == pytest.approx(2200.0 / wd, abs=1e-4)
    assert by["交通局"]["on_track"] is True  # 1800 ≥ 4000 × 40/100
    assert by["工信局"]["on_track"] is False  # 300 < 2000 × 40/100
    assert by["工信局"]["expected"] == pytest.approx(800.0)


def test_time_left_to_the_end_of_the_last_day() -> None:
    assert time_left(dt.datetime(2023, 12, 1, 23, 59, 30), END) == (0, 0, 0, 30)
    assert time_left(dt.datetime(2023, 11, 30, 0, 0, 0), END) == (2, 0, 0, 0)
    assert time_left(dt.datetime(2023, 8, 24, 9, 30, 15), END) == (99, 14, 29, 45)
    assert time_left(dt.datetime(2023, 12, 2, 0, 0, 1), END) == (0, 0, 0, 0)
    tz = dt.timezone(dt.timedelta(hours=8))
    assert time_left(dt.datetime(2023, 12, 1, 12, 0, tzinfo=tz), END) == (0, 12, 0, 0)


# -- measured from the start (sprint.ledger_targets / sprint_targets) ---------------------------

def _two(ytd: list[float], months: int | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"name": ["甲", "乙"], "unit": ["经信局", "交通局"], "annual_plan": [1000.0, 600.0],
                          "ytd_completed": ytd})
    if months:
        for m in range(1, months + 1):
            frame[f"m{m:02d}"] = [ytd[0] / months, ytd[1] / months]
    return frame


def test_targets_from_the_monthly_columns_before_the_start() -> None:
    from keyproject.engine.sprint import ledger_targets

    # a 1-9月 ledger with monthly columns, sprint from 24 August: the start is 1-7月
    t = ledger_targets(_two([900.0, 450.0], months=9), dt.date(2023, 8, 24), by="unit",
                       figures_date=dt.date(2023, 9, 30))
    assert t.basis == "monthly" and t.basis_date == dt.date(2023, 7, 31) and t.warning is None
    assert t.target == pytest.approx(1600 - 7 / 9 * 1350) and t.done == pytest.approx(2 / 9 * 1350)
    g = t.groups.set_index("group")
    assert g.loc["经信局", "target"] == pytest.approx(1000 - 700)
    assert g.loc["经信局", "done"] == pytest.approx(200)


def test_targets_from_a_ledger_older_than_the_start_and_the_annual_fallback() -> None:
    from keyproject.engine.sprint import ledger_targets

    t = ledger_targets(_two([700.0, 100.0]), dt.date(2023, 8, 24), figures_date=dt.date(2023, 7, 31))
    assert (t.basis, t.target, t.done) == ("ledger", 800.0, 0.0)
    t = ledger_targets(_two([900.0, 300.0]), dt.date(2023, 8, 24), figures_date=dt.date(2023, 9, 30))
    assert (t.basis, t.target, t.done) == ("annual", 1600.0, 1200.0)
    assert t.warning and "按全年任务计算" in t.warning
    # the target is the total plan left (an overachiever offsets the others), never below 0
    t = ledger_targets(_two([1200.0, 100.0]), dt.date(2023, 8, 24), by="unit",
                       figures_date=dt.date(2023, 7, 31))
    assert t.target == 300.0
    assert t.groups.set_index("group").loc["经信局", "target"] == 0.0


def test_targets_from_the_history_snapshot_at_the_start(tmp_path: Path) -> None:
    from keyproject.engine.history import History
    from keyproject.engine.report import build_report
    from keyproject.engine.sprint import sprint_targets
    from keyproject.ledger import Ledger
    from keyproject.schema import LEDGER, conform

    def ledger(ytd: list[float], month: int) -> Ledger:
        frame = conform(_two(ytd).assign(row=[5, 6]), LEDGER)
        return Ledger(path=None, sheet="台账", header_rows=[4], columns=[], unit="万元", report_month=month,
                      report_year=2023, projects=frame)

    with History.open(f"sqlite:///{tmp_path / 'h.sqlite'}") as h:
        h.record(build_report(ledger([600.0, 200.0], 7)))
        h.record(build_report(ledger([650.0, 210.0], 8), as_of=dt.date(2023, 8, 20)))
        sept = ledger([900.0, 300.0], 9)
        t = sprint_targets(sept, dt.date(2023, 8, 24), by="unit", history=h)
    assert t.basis == "snapshot" and t.basis_date == dt.date(2023, 8, 20) and "8月20日" in t.note
    assert t.target == pytest.approx(1600 - 860) and t.done == pytest.approx(1200 - 860)
