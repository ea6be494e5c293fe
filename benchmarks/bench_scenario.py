"""Time one ScenarioPlanner slider update on a 1,000-project ledger (a benchmark, not a test).

    python benchmarks/bench_scenario.py [--projects 1000] [--repeat 20] [--sims 2000]

Reads the synthetic ledger of benchmarks/synth.py (generated once into benchmarks/out/), builds
the planner, then moves the pace slider ``repeat`` times and prints the median of:
- summary: the projection (Monte Carlo included) and the summary text, what the page shows at once;
- chart: redrawing the chart (debounced in a page: once the slider rests);
- full: one ``update_now`` (both).
benchmarks/run.py's "scenario" stage is the summary part as a real slider move (``.value`` set in a
running event loop, chart debounced) and its "scenario_chart" stage the debounced redraw.
The goal is < 100 ms for a full update.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

from keyproject.reader import read_ledger
from keyproject.widgets import ScenarioPlanner

AS_OF = dt.date(2023, 7, 31)


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for k in range(repeat):
        t = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--sims", type=int, default=2000)
    a = ap.parse_args()

    t = time.perf_counter()
    ledger = read_ledger(synth.cached(a.projects))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    planner = ScenarioPlanner(ledger, as_of=AS_OF, sims=a.sims)
    build_s = time.perf_counter() - t
    slider = planner.pace_slider

    def value(k: int) -> float:
        return slider.min + (slider.max - slider.min) * ((k % 19) + 1) / 20

    summary = median_ms(lambda k: planner.update_now(pace=value(k), chart=False), a.repeat)
    chart = median_ms(lambda k: planner.render_chart(), a.repeat)
    full = median_ms(lambda k: planner.update_now(pace=value(k + 7)), a.repeat)
    print(f"projects {len(ledger.projects)}, simulations {a.sims}; "
          f"read {read_s:.2f} s, build {build_s:.2f} s")
    print(f"one slider update, median of {a.repeat}: summary {summary:.1f} ms, chart {chart:.1f} ms, "
          f"full {full:.1f} ms (goal < 100 ms)")


if __name__ == "__main__":
    main()
