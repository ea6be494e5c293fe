"""Time the progress engine on synthetic projects (a benchmark, not a test).

    python benchmarks/bench_engine.py [--projects 100000] [--repeat 5]

Builds a projects frame in memory (no workbook I/O) with the mix a county ledger has (plans,
completions, missing values, planned and actual starts, stages, units, towns, command posts,
leaders, 存在问题 text) and prints the median seconds of: lights.evaluate, build_report (everything
`kp report` computes) and Report.to_dict (the JSON rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from keyproject.engine.lights import evaluate
from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, conform

AS_OF = dt.date(2023, 7, 31)


def synthetic_projects(n: int, seed: int = 2023) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    plan = np.round(rng.lognormal(8.5, 1.0, n), 0)
    plan[rng.random(n) < 0.03] = np.nan  # no annual plan
    ytd = np.round(plan * rng.uniform(0.0, 1.0, n), 0)
    ytd[rng.random(n) < 0.05] = np.nan  # not reported
    day = pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    planned = pd.Series(day).where(rng.random(n) < 0.95)
    started = rng.random(n) < 0.8
    actual = (planned + pd.to_timedelta(rng.integers(-20, 60, n), unit="D")).where(started)
    pick = lambda words, k: np.array(words, dtype=object)[rng.integers(0, k, n)]  # noqa: E731
    frame = pd.DataFrame({
        "row": np.arange(5, n + 5),
        "code": [f"2023-510322-{i:06d}" for i in range(n)],
        "name": [f"项目{i}" for i in range(n)],
        "unit": pick([f"单位{i}" for i in range(40)], 40),
        "town": pick([f"乡镇{i}" for i in range(25)], 25),
        "command_post": pick([f"指挥部{i}" for i in range(7)], 7),
        "leader": pick([f"领导{i}" for i in range(30)], 30),
        "category": pick(["工业", "基础设施", "社会民生", "服务业", "农业"], 5),
        "nature": pick(["新建", "续建"], 2),
        "stage": pd.Series(pick(["在建", "前期", "签约", None, None], 5)).where(lambda s: s.notna(), None),
        "total_investment": np.round(plan * rng.uniform(1, 20, n), 0),
        "annual_plan": plan,
        "ytd_completed": ytd,
        "planned_start": planned,
        "actual_start": actual,
        "signed_date": planned - pd.Timedelta(days=120),
        "problems": pd.Series(pick(["征地拆迁滞后", "资金未到位", "无", None, None, None], 6)),
    })
    return conform(frame, LEDGER)


def median_seconds(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    projects = synthetic_projects(args.projects)
    ledger = Ledger(path=None, sheet="项目台账", header_rows=[3, 4], columns=[], unit="万元", report_month=7,
                    report_year=2023, projects=projects)
    rules = Rules()
    evaluate(projects, AS_OF, rules)  # warm up imports and caches
    report = build_report(ledger, as_of=AS_OF)
    t_lights = median_seconds(lambda: evaluate(projects, AS_OF, rules), args.repeat)
    t_report = median_seconds(lambda: build_report(ledger, as_of=AS_OF), args.repeat)
    t_json = median_seconds(report.to_dict, max(1, args.repeat // 2))
    print(f"projects: {args.projects}  (median of {args.repeat}; wall / CPU seconds)")
    for label, (wall, cpu) in (("lights.evaluate", t_lights),
                               ("build_report (progress, lights, stages, rankings, problems)", t_report),
                               ("Report.to_dict (JSON rows for every project)", t_json)):
        print(f"{label}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    print(f"lights: {report.lights}")


if __name__ == "__main__":
    main()
