"""Smoke run of the benchmark harness at its smallest size: it runs and its JSON has the documented
shape. Never a timed assertion: speed is reported by benchmarks/run.py, not tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
STAGES = {"read", "read_multi", "compute", "refresh", "refresh_live", "bulletin",
          "kp_light", "scenario", "scenario_chart"}


@pytest.mark.slow
def test_smoke_run_writes_documented_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--projects", "300", "--compute-sizes", "", "--repeat", "1",
         "--json", str(out), "--data", str(data)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (data / "synthetic_300_2023.xlsx").exists()  # the ledger went to the folder asked for

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"machine", "results"}
    assert doc["machine"]["cpus"] >= 1 and doc["machine"]["python"]
    results = doc["results"]
    assert {r["stage"] for r in results} == STAGES
    for r in results:
        assert {"stage", "projects", "seconds", "baseline_seconds", "ratio", "peak_rss_mb"} <= set(r)
        assert "error" not in r, r
        assert r["seconds"] > 0 and r["peak_rss_mb"] > 0
        assert isinstance(r["projects"], int) and r["projects"] > 0
    by_stage = {r["stage"]: r for r in results}
    assert by_stage["read"]["projects"] == 300 and by_stage["refresh"]["projects"] == 300
    assert by_stage["read_multi"]["projects"] == 3000  # 10 sheets × 300
    for stage in ("read", "read_multi", "kp_light"):  # the stages measured against a baseline
        r = by_stage[stage]
        assert r["baseline_seconds"] > 0
        assert r["ratio"] == pytest.approx(r["baseline_seconds"] / r["seconds"], rel=0.01)
    for stage in ("compute", "refresh", "refresh_live", "bulletin", "scenario"):
        assert by_stage[stage]["baseline_seconds"] is None and by_stage[stage]["ratio"] is None

    table = proc.stdout.splitlines()
    assert table[0].split()[:3] == ["stage", "projects", "seconds"]
    assert len(table) == 1 + len(results)


def test_synthetic_ledger_reads_as_generated(tmp_path: Path) -> None:
    """The generator's file is a ledger keyproject reads field by field (header mapping included)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    from keyproject.reader import read_ledger

    path = synth.generate(tmp_path / "s.xlsx", 40, seed=5)
    again = synth.generate(tmp_path / "t.xlsx", 40, seed=5)
    ledger = read_ledger(path)
    assert len(ledger.projects) == 40
    assert not [i for i in ledger.issues if i.severity == "error"]
    keys = {c.key for c in ledger.columns if c.key}
    assert {"code", "name", "annual_plan", "ytd_completed", "total_investment", "planned_start",
            "actual_start", "planned_completion", "problems"} <= keys
    assert {f"m{m:02d}" for m in range(1, 13)} <= keys
    p = ledger.projects
    assert ledger.report_month == 7 and ledger.unit == "万元"
    # the year-to-date figure is the sum of the monthly ones, as the generator writes it
    monthly = p[[f"m{m:02d}" for m in range(1, 8)]].sum(axis=1)
    assert (abs(monthly - p["ytd_completed"]) <= 0.006 * p["ytd_completed"] + 1).all()  # "x.xx亿" rounds
    assert p["annual_plan"].notna().all() and (p["annual_plan"] > 0).all()
    assert p["planned_start"].notna().all()
    # deterministic by seed
    assert read_ledger(again).projects.equals(p)
