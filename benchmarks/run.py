"""keyproject benchmarks: each stage at each size, median of repeats, with peak RSS.

    python benchmarks/run.py --projects 300,3000,30000 [--repeat 5] [--json OUT]

Every (stage, size) runs in its own subprocess so that its peak RSS is its own. Stages:
read (vs pandas.read_excel with openpyxl), read_multi (10 sheets × 300 projects, one per 指挥部, vs
pandas.read_excel of every sheet), compute (the whole `kp report` computation without
I/O, also at 100,000 projects), refresh (`kp refresh` in place, end to end, beside two baselines on the
same ledger: python-calamine's raw read of the sheet and openpyxl's load+save), refresh_live (the same
with --live: 差距 and 灯号 as formulas), bulletin (Word),
kp_light (one vectorized KP_LIGHT over 100,000 rows vs row by row) and scenario (one slider update
on a 1,000-project ledger).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

AS_OF = "2023-07-31"
DATA_ENV = "KP_BENCH_DATA"  # where the synthetic ledgers go; workers inherit it


def _ledger_path(n: int) -> Path:
    folder = os.environ.get(DATA_ENV)
    return synth.cached(n, folder=Path(folder) if folder else None)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _timed(fn: Callable[[], object], repeat: int) -> dict:
    """Median wall-clock seconds of ``repeat`` calls, and the median CPU seconds of this process
    (the CPU figure is what to read when other work shares the machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"seconds": statistics.median(wall), "cpu_seconds": statistics.median(cpu)}


# ---- workers: each runs in a fresh process and prints one JSON line ----

def work_read(n: int, repeat: int) -> dict:
    from keyproject.reader import read_ledger

    path = _ledger_path(n)
    read_ledger(path)  # warm imports and caches once
    return _timed(lambda: read_ledger(path), repeat)


def work_read_baseline(n: int, repeat: int) -> dict:
    import pandas as pd

    path = _ledger_path(n)
    fn = lambda: pd.read_excel(path, sheet_name="项目台账", header=[2, 3], engine="openpyxl")  # noqa: E731
    return _timed(fn, repeat)


MULTI_SHEETS = 10  # the multi-sheet case: MULTI_SHEETS sheets (one per 指挥部) of n / MULTI_SHEETS projects


def _multi_path(n: int) -> Path:
    folder = os.environ.get(DATA_ENV)
    return synth.cached(n // MULTI_SHEETS, folder=Path(folder) if folder else None, sheets=MULTI_SHEETS)


def work_read_multi(n: int, repeat: int) -> dict:
    """read_ledger on a ledger kept as one sheet per 指挥部: every sheet is read into one ledger."""
    from keyproject.reader import read_ledger

    path = _multi_path(n)
    ledger = read_ledger(path)
    assert len(ledger.projects) == n and len(ledger.layouts) == MULTI_SHEETS
    return _timed(lambda: read_ledger(path), repeat)


def work_read_multi_baseline(n: int, repeat: int) -> dict:
    import pandas as pd

    path = _multi_path(n)
    fn = lambda: pd.read_excel(path, sheet_name=None, header=[2, 3], engine="openpyxl")  # noqa: E731
    return _timed(fn, repeat)


def _ledger_of_size(n: int):
    """The synthetic ledger of ``n`` projects; above 30,000 the 30,000 one tiled (reading is not timed)."""
    import dataclasses

    import pandas as pd

    from keyproject.reader import read_ledger

    if n <= 30000:
        return read_ledger(_ledger_path(n))
    base = read_ledger(_ledger_path(30000))
    reps = -(-n // len(base.projects))
    projects = pd.concat([base.projects] * reps, ignore_index=True).iloc[:n]
    projects = projects.assign(name=projects["name"] + "#" + pd.Series(range(n)).astype(str))
    return dataclasses.replace(base, projects=projects, extras=pd.DataFrame(index=projects.index))


def work_compute(n: int, repeat: int) -> dict:
    import datetime as dt

    from keyproject.engine.report import build_report

    ledger = _ledger_of_size(n)
    as_of = dt.date.fromisoformat(AS_OF)
    build_report(ledger, as_of=as_of)
    return _timed(lambda: build_report(ledger, as_of=as_of), repeat)


def work_refresh(n: int, repeat: int, live: bool = False) -> dict:
    """``refresh_workbook`` in place, each repeat on a fresh copy of the ledger, and right before each
    repeat the baseline python-calamine read of the same sheet (so both are measured under the same
    load of a shared machine). The first repeat also imports everything; the medians are of warm
    runs once repeat >= 3. ``live``: ``kp refresh --live`` (差距 and 灯号 as formulas)."""
    import datetime as dt

    import python_calamine as pc

    from keyproject.workbook.refresh import refresh_workbook

    src = _ledger_path(n)
    wall, cpu, read_wall, read_cpu = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            pc.CalamineWorkbook.from_path(str(src)).get_sheet_by_name("项目台账").to_python()
            read_wall.append(time.perf_counter() - t0)
            read_cpu.append(time.process_time() - c0)
            path = Path(tmp) / f"ledger{i}.xlsx"
            shutil.copy(src, path)
            t0, c0 = time.perf_counter(), time.process_time()
            refresh_workbook(path, as_of=dt.date.fromisoformat(AS_OF), live=live)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return {"seconds": statistics.median(wall), "cpu_seconds": statistics.median(cpu),
            "raw_read_seconds": statistics.median(read_wall),
            "raw_read_cpu_seconds": statistics.median(read_cpu)}


def work_refresh_live(n: int, repeat: int) -> dict:
    """``work_refresh`` with ``live=True``: the formulas of every row, their 设置 rows, the conditional
    formats."""
    return work_refresh(n, repeat, live=True)


def work_refresh_openpyxl(n: int, repeat: int) -> dict:
    """Baseline of the refresh: what the refresh did before it edited the package, openpyxl's load and
    save of the whole workbook (no content written)."""
    from openpyxl import load_workbook

    path = _ledger_path(n)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "roundtrip.xlsx"
        return _timed(lambda: load_workbook(path, rich_text=True, keep_links=True).save(out), repeat)


def work_bulletin(n: int, repeat: int) -> dict:
    import datetime as dt

    from keyproject.bulletin import write_docx
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger

    path = _ledger_path(n)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "通报.docx"

        def run() -> None:
            report = build_report(read_ledger(path), as_of=dt.date.fromisoformat(AS_OF))
            write_docx(report, out)

        return _timed(run, repeat)


def _light_inputs(n: int):
    import numpy as np

    rng = np.random.default_rng(7)
    plan = rng.uniform(1000, 50000, n)
    done = plan * rng.uniform(0, 1.2, n)
    planned = 44927 + rng.integers(0, 365, n)  # Excel serials in 2023
    started = np.where(rng.random(n) < 0.8, planned + 10, np.nan)
    col = lambda a: [[None if v != v else float(v)] for v in a]  # noqa: E731  (Excel 2-D column)
    return col(done), col(plan), col(planned), col(started)


def work_kp_light(n: int, repeat: int) -> dict:
    sys.path.insert(0, str(HERE.parent / "addin"))
    from keyproject_udfs import KP_LIGHT

    done, plan, planned, started = _light_inputs(n)
    as_of = 45138  # 2023-07-31
    return _timed(lambda: KP_LIGHT(done, plan, as_of, planned, started), repeat)


def work_kp_light_rowwise(n: int, repeat: int) -> dict:
    """Row by row, as n separate formula calls would; timed on a slice and scaled to n."""
    sys.path.insert(0, str(HERE.parent / "addin"))
    from keyproject_udfs import KP_LIGHT

    done, plan, planned, started = _light_inputs(n)
    sample = min(n, 2000)

    def run() -> None:
        for i in range(sample):
            KP_LIGHT(done[i][0], plan[i][0], 45138, planned[i][0], started[i][0])

    t = _timed(run, max(1, repeat // 2))
    return {"seconds": t["seconds"] * n / sample, "cpu_seconds": t["cpu_seconds"] * n / sample,
            "scaled_from": sample}


def _planner_and_values(n: int, repeat: int):
    import datetime as dt

    from keyproject.reader import read_ledger
    from keyproject.widgets import ScenarioPlanner

    planner = ScenarioPlanner(read_ledger(_ledger_path(n)), as_of=dt.date.fromisoformat(AS_OF))
    slider = planner.pace_slider
    # distinct positions across the slider's range, each a multiple of its step, as a drag gives
    values = [round((slider.min + (slider.max - slider.min) * k / (repeat + 2)) / slider.step) * slider.step
              for k in range(1, repeat + 2)]
    return planner, slider, values


def work_scenario(n: int, repeat: int) -> dict:
    """One pace-slider move as in Jupyter/Voila: ``slider.value = v`` inside a running event loop.

    The planner's observer recomputes the projection and the summary (HTML and traits) at once; the
    chart redraw is debounced (``loop.call_later``), so it is cancelled here and timed separately
    (stage scenario_chart)."""
    import asyncio

    planner, slider, values = _planner_and_values(n, repeat)

    async def measure() -> dict:
        it = iter(values)

        def move() -> None:
            slider.value = next(it)
            if planner._pending is not None:  # the debounced chart redraw
                planner._pending.cancel()
                planner._pending = None

        move()  # warm
        return _timed(move, repeat)

    return asyncio.run(measure())


def work_scenario_chart(n: int, repeat: int) -> dict:
    """The chart redraw the debounce calls (``render_chart``) after a pace change."""
    planner, _slider, values = _planner_and_values(n, repeat)
    planner.render_chart()  # warm (fonts, first figure)
    wall, cpu = [], []
    for v in values[1:]:
        planner.update_now(pace=v, chart=False)  # new projection, not timed
        t0, c0 = time.perf_counter(), time.process_time()
        planner.render_chart()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"seconds": statistics.median(wall), "cpu_seconds": statistics.median(cpu)}


WORKERS: dict[str, Callable[[int, int], dict]] = {
    "read": work_read,
    "read_baseline": work_read_baseline,
    "read_multi": work_read_multi,
    "read_multi_baseline": work_read_multi_baseline,
    "compute": work_compute,
    "refresh": work_refresh,
    "refresh_live": work_refresh_live,
    "refresh_openpyxl": work_refresh_openpyxl,
    "bulletin": work_bulletin,
    "kp_light": work_kp_light,
    "kp_light_rowwise": work_kp_light_rowwise,
    "scenario": work_scenario,
    "scenario_chart": work_scenario_chart,
}


def run_worker(stage: str, n: int, repeat: int, timeout: float) -> dict:
    """Run one stage in a fresh interpreter; returns seconds and peak RSS, or an error."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", stage, str(n), str(repeat)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f}s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": tail[0][:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# stages measured beside baselines of another kind (not "the same job done another way"): each run
# right after the stage on the same input, reported in the stage's row as ``beside``
# (the refresh worker times the raw calamine read itself, interleaved with its repeats)
BESIDE: dict[str, tuple[str, ...]] = {"refresh": ("refresh_openpyxl",)}


def beside(row: dict, r: dict, runs: dict[str, dict]) -> str:
    """Record the baselines in ``row``; the comparisons as printed (CPU time)."""
    row["beside"] = {**runs, "raw_read": {"seconds": r.get("raw_read_seconds"),
                                          "cpu_seconds": r.get("raw_read_cpu_seconds")}}
    cpu = row.get("cpu_seconds")
    read = r.get("raw_read_cpu_seconds")
    roundtrip = runs.get("refresh_openpyxl", {}).get("cpu_seconds")
    if not cpu or not read or not roundtrip:
        return ""
    row["vs_raw_read"] = round(cpu / read, 2)  # refresh CPU / calamine read CPU (target <= 8)
    row["vs_openpyxl"] = round(roundtrip / cpu, 2)  # openpyxl load+save CPU / refresh CPU (>= 2.5)
    return (f"  read {read:.3f}s: refresh {row['vs_raw_read']:.1f}x; openpyxl load+save {roundtrip:.3f}s: "
            f"{row['vs_openpyxl']:.1f}x slower")


def plan_runs(sizes: list[int], compute_sizes: list[int]) -> list[tuple[str, int, str | None]]:
    """(stage, projects, baseline stage) in the order they run."""
    runs: list[tuple[str, int, str | None]] = []
    for n in sizes:
        runs.append(("read", n, "read_baseline"))
    runs.append(("read_multi", 3000, "read_multi_baseline"))  # 10 sheets × 300 projects
    for n in sorted(set(sizes) | set(compute_sizes)):
        runs.append(("compute", n, None))
    for n in sizes:
        runs.append(("refresh", n, None))
        runs.append(("refresh_live", n, None))
        runs.append(("bulletin", n, None))
    runs.append(("kp_light", 100_000, "kp_light_rowwise"))
    runs.append(("scenario", 1000, None))
    runs.append(("scenario_chart", 1000, None))
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", default="300,3000,30000", help="comma-separated ledger sizes")
    ap.add_argument("--compute-sizes", default="100000", help="extra sizes for the compute stage")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, help="write results as JSON here")
    ap.add_argument("--only", help="comma-separated stages to run (default all)")
    ap.add_argument("--data", type=Path, help="folder for the synthetic ledgers (default benchmarks/out)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per stage run")
    ap.add_argument("--worker", nargs=3, metavar=("STAGE", "N", "REPEAT"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        stage, n, repeat = a.worker[0], int(a.worker[1]), int(a.worker[2])
        result = WORKERS[stage](n, repeat)
        result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        print(json.dumps(result))
        return 0

    if a.data:
        os.environ[DATA_ENV] = str(a.data.resolve())
    sizes = [int(s) for s in a.projects.split(",") if s]
    compute_sizes = [int(s) for s in a.compute_sizes.split(",") if s]
    only = set(a.only.split(",")) if a.only else None
    for n in sizes:  # generate inputs before timing anything
        _ledger_path(n)
    if only is None or "read_multi" in only:
        _multi_path(3000)
    if (only is None or "compute" in only) and any(n > 30000 for n in compute_sizes):
        _ledger_path(30000)
    if only is None or only & {"scenario", "scenario_chart"}:
        _ledger_path(1000)

    results = []
    print(f"{'stage':<15} {'projects':>9} {'seconds':>10} {'cpu s':>9} {'baseline':>10} {'ratio':>8} "
          f"{'s/1k proj':>10} {'RSS MB':>8}")
    for stage, n, base in plan_runs(sizes, compute_sizes):
        if only and stage not in only:
            continue
        r = run_worker(stage, n, a.repeat, a.timeout)
        row = {"stage": stage, "projects": n, "seconds": r.get("seconds"), "baseline_seconds": None,
               "ratio": None, "peak_rss_mb": r.get("peak_rss_mb"), "cpu_seconds": r.get("cpu_seconds"),
               "baseline_cpu_seconds": None}
        if "error" in r:
            row["error"] = r["error"]
        if base and "error" not in r:
            b = run_worker(base, n, a.repeat, a.timeout)
            if "error" in b:
                row["baseline_error"] = b["error"]
            else:
                row["baseline_seconds"] = b["seconds"]
                row["baseline_cpu_seconds"] = b.get("cpu_seconds")
                row["ratio"] = round(b["seconds"] / r["seconds"], 2) if r["seconds"] else None
        note = ""
        if stage in BESIDE and "error" not in r:
            runs = {b: run_worker(b, n, a.repeat, a.timeout) for b in BESIDE[stage]}
            note = beside(row, r, runs)
        results.append(row)
        if "error" in row:
            print(f"{stage:<15} {n:>9} {'ERROR':>10}  {row['error']}", flush=True)
            continue
        per_k = row["seconds"] / n * 1000
        bs = f"{row['baseline_seconds']:.4f}" if row["baseline_seconds"] is not None else "-"
        ratio = f"{row['ratio']:.1f}x" if row["ratio"] is not None else "-"
        cs = f"{row['cpu_seconds']:.4f}" if row["cpu_seconds"] is not None else "-"
        print(f"{stage:<15} {n:>9} {row['seconds']:>10.4f} {cs:>9} {bs:>10} {ratio:>8} {per_k:>10.4f} "
              f"{row['peak_rss_mb']:>8.0f}{note}", flush=True)
    machine = {"platform": platform.platform(), "python": platform.python_version(),
               "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=2))
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
