"""History: one snapshot per as_of, changes between snapshots, trends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from keyproject.engine.history import History


@dataclass
class _Report:
    """Stand-in with the attributes history reads from keyproject.engine.report.Report."""

    as_of: dt.date
    projects: pd.DataFrame
    time_progress: float = 0.5
    totals: dict[str, Any] = field(default_factory=dict)
    context: Any = None
    reporting: Any = None


def _report(as_of: dt.date, ytd: list[float], lights: list[str | None], starts: list[str | None],
            completions: list[str | None]) -> _Report:
    plan = [1000.0, 2000.0, 500.0]
    projects = pd.DataFrame({
        "code": pd.Series(["A-1", None, None], dtype="str"),
        "name": pd.Series(["甲项目", "乙项目（一期）", "丙项目"], dtype="str"),
        "unit": pd.Series(["发改局", "住建局", "经信局"], dtype="str"),
        "annual_plan": plan,
        "ytd_completed": ytd,
        "light": pd.Series(lights, dtype=object),
        "stage": pd.Series(["在建", "在建", "前期"], dtype="str"),
        "actual_start": pd.to_datetime(pd.Series(starts)).astype("datetime64[us]"),
        "actual_completion": pd.to_datetime(pd.Series(completions)).astype("datetime64[us]"),
    })
    tp = as_of.month / 12
    projects["completion_rate"] = projects["ytd_completed"] / projects["annual_plan"]
    projects["gap_points"] = ((projects["completion_rate"] - tp) * 100).round(2)
    totals = {"projects": len(projects), "annual_plan": float(sum(plan)),
              "ytd_completed": float(projects["ytd_completed"].sum()), "double_half": False}
    return _Report(as_of=as_of, projects=projects, time_progress=tp, totals=totals)


def test_record_twice_same_as_of_keeps_one_snapshot(tmp_path):
    wb = tmp_path / "台账.xlsx"
    wb.write_bytes(b"")
    h = History.for_workbook(wb)
    assert History.path_for(wb) == tmp_path / "台账.keyproject.sqlite"
    r1 = _report(dt.date(2023, 6, 30), [100.0, 200.0, 0.0], ["red", "yellow", None], [None, None, None],
                 [None, None, None])
    h.record(r1, source=wb)
    r2 = _report(dt.date(2023, 6, 30), [300.0, 900.0, 10.0], ["yellow", "green", None],
                 ["2023-06-01", None, None], [None, None, None])
    h.record(r2, source=wb)
    assert h.dates() == [dt.date(2023, 6, 30)]
    with h.engine.connect() as conn:
        n = conn.execute(sa.text("select count(*) from project_snapshots")).scalar()
        s = conn.execute(sa.text("select count(*) from snapshots")).scalar()
    assert (n, s) == (3, 1)
    snap = h.get(dt.date(2023, 6, 30))
    assert snap is not None
    assert snap.totals["ytd_completed"] == sum(r2.projects["ytd_completed"])
    assert snap.projects.loc["编号:A-1", "light"] == "yellow"
    assert snap.projects.loc["名称:乙项目(一期)", "ytd_completed"] == 900.0
    h.close()


def test_changes_between_two_snapshots(tmp_path):
    h = History.open(f"sqlite:///{tmp_path / 'h.sqlite'}")
    june = _report(dt.date(2023, 6, 30), [100.0, 200.0, 0.0], ["yellow", "red", None],
                   [None, "2023-03-01", None], [None, None, None])
    july = _report(dt.date(2023, 7, 31), [150.0, 1500.0, 20.0], ["red", "green", "yellow"],
                   ["2023-07-10", "2023-03-01", None], [None, "2023-07-20", None])
    # a later snapshot must not count as "previous" for July
    august = _report(dt.date(2023, 8, 31), [900.0, 1900.0, 400.0], ["green", "green", "green"],
                     ["2023-07-10", "2023-03-01", "2023-08-01"], [None, "2023-07-20", None])
    h.record(june)
    h.record(august)
    assert h.changes(june) is None
    ch = h.changes(july)
    assert ch is not None
    assert ch.previous_as_of == dt.date(2023, 6, 30)
    assert ch.newly_red == ["甲项目"]
    assert ch.turned_green == ["乙项目（一期）"]
    assert ch.newly_started == ["甲项目"]
    assert ch.newly_completed == ["乙项目（一期）"]
    assert {(c.name, c.old, c.new) for c in ch.light_changes} == {
        ("甲项目", "yellow", "red"), ("乙项目（一期）", "red", "green"), ("丙项目", None, "yellow")}
    assert ch.totals_delta["ytd_completed"] == sum(july.projects["ytd_completed"]) - sum(
        june.projects["ytd_completed"])
    assert "double_half" not in ch.totals_delta
    assert ch.to_dict()["previous_as_of"] == "2023-06-30"

    trend = h.trend()
    assert list(trend.index.date) == [dt.date(2023, 6, 30), dt.date(2023, 8, 31)]
    assert trend["ytd_completed"].tolist() == [300.0, 3200.0]
    one = h.trend("名称:丙项目")
    assert one["light"].isna().tolist() == [True, False]
    assert one["light"].iloc[1] == "green"
    assert one["ytd_completed"].tolist() == [0.0, 400.0]


def test_scopes_share_one_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    a, b = History.open(url, scope="县A"), History.open(url, scope="县B")
    r = _report(dt.date(2023, 7, 31), [1.0, 2.0, 3.0], [None, None, None], [None] * 3, [None] * 3)
    a.record(r)
    assert a.dates() == [dt.date(2023, 7, 31)]
    assert b.dates() == []
