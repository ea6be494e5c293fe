"""Working-day counts over 100,000 date pairs (what one KP_WORKDAYS call over a column does).

    python benchmarks/bench_calendar.py [--rows 100000]

Prints the cold time (building the per-year workday bitmaps from chinese_calendar) and the warm
median. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from keyproject.engine.calendar import WorkCalendar


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    start = np.datetime64("2015-01-01") + rng.integers(0, 3650, args.rows).astype("timedelta64[D]")
    end = np.minimum(start + rng.integers(-10, 700, args.rows).astype("timedelta64[D]"),
                     np.datetime64("2026-12-31"))
    s, e = pd.Series(start), pd.Series(end)
    cal = WorkCalendar()
    t0 = time.perf_counter()
    cal.workdays_between(s, e)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        cal.workdays_between(s, e)
        warm.append(time.perf_counter() - t0)
    print(f"workdays_between over {args.rows:,} pairs: cold {cold * 1000:.0f} ms, "
          f"warm median {statistics.median(warm) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
