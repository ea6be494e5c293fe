"""One vectorized KP_LIGHT over a 100,000-row column against the same rows one formula per cell.

    python benchmarks/bench_udfs.py [--rows 100000] [--row-sample 2000] [--full]

The inputs are Excel-shaped, as the classic add-in receives them: 2-D lists of one-item rows,
None for blanks, datetimes for date cells, a few dates typed as text. Row by row means calling
KP_LIGHT once per row with single cells (what =KP_LIGHT(D5, E5, ...) filled down does); it is
timed on ``--row-sample`` rows and extrapolated, unless ``--full`` runs every row. Targets: the
column call under 0.5 s and at least 50× faster than row by row. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addin"))

import keyproject_udfs as kp


def columns(n: int, seed: int = 0) -> tuple[list, list, dt.datetime, list, list]:
    rng = np.random.default_rng(seed)
    plan = rng.uniform(100, 50_000, n).round(1)
    done = (plan * rng.uniform(0, 1.2, n)).round(1)
    base = dt.datetime(2022, 6, 1)
    planned_days = rng.integers(0, 500, n)
    started = rng.uniform(size=n) > 0.35
    plan_cells = [[None] if i % 23 == 0 else [float(p)] for i, p in enumerate(plan)]
    done_cells = [[float(d)] for d in done]
    planned_cells = [[base + dt.timedelta(days=int(d))] for d in planned_days]
    start_cells = [[(base + dt.timedelta(days=int(d) + 5)).strftime("%Y-%m-%d") if i % 50 == 0
                    else base + dt.timedelta(days=int(d) + 5)] if s else [None]
                   for i, (d, s) in enumerate(zip(planned_days, started, strict=True))]
    return done_cells, plan_cells, dt.datetime(2023, 7, 31), planned_cells, start_cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--row-sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="time every row one by one (slow)")
    args = parser.parse_args()
    done, plan, as_of, planned, started = columns(args.rows)

    kp.KP_LIGHT(done[:10], plan[:10], as_of, planned[:10], started[:10])  # imports, calendar tables
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        column = kp.KP_LIGHT(done, plan, as_of, planned, started)
        times.append(time.perf_counter() - t0)
    vec = statistics.median(times)

    m = args.rows if args.full else min(args.row_sample, args.rows)
    t0 = time.perf_counter()
    single = [kp.KP_LIGHT(done[i][0], plan[i][0], as_of, planned[i][0], started[i][0])[0][0]
              for i in range(m)]
    per_row = (time.perf_counter() - t0) / m
    assert single == [r[0] for r in column[:m]], "row-by-row and column results differ"
    row_total = per_row * args.rows

    counts = {k: sum(1 for r in column if r[0] == k) for k in ("绿", "黄", "红", "")}
    print(f"KP_LIGHT over {args.rows:,} rows (lights {counts})")
    print(f"  one column call : {vec * 1000:8.1f} ms (median of {args.repeat}; target < 500 ms)")
    print(f"  row by row      : {per_row * 1e6:8.1f} µs per row × {args.rows:,} = {row_total:8.1f} s"
          f" ({'measured' if m == args.rows else f'extrapolated from {m:,} rows'})")
    print(f"  speed-up        : {row_total / vec:8.0f}× (target ≥ 50×)")


if __name__ == "__main__":
    main()
