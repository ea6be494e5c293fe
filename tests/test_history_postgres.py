"""Shared history on a real PostgreSQL server (a throw-away cluster, see tests/pgserver.py): the
counties of a city write to one database at the same time, nothing is lost or mixed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from keyproject.engine.history import History
from keyproject.engine.report import build_report
from keyproject.reader import read_ledger
from tests.pgserver import postgres_server

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
CITY = ROOT / "sample_workbooks" / "city_messy_2024.xlsx"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _fresh_database(server: str, name: str) -> str:
    """A new empty database on the server (keyproject's tables not yet created)."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def test_snapshots_replace_and_compare_on_postgres(server: str) -> None:
    url = _fresh_database(server, "basic")
    ledger = read_ledger(COUNTY)
    july = build_report(ledger)
    with History.open(url, scope="富顺县") as h:
        first = h.record(july, source=COUNTY, taken_at=dt.datetime(2023, 8, 1, 9))
        again = h.record(july, source=COUNTY, taken_at=dt.datetime(2023, 8, 2, 9))
        assert not first.replaced and again.replaced and "已替换" in again.message()
        assert h.dates() == [dt.date(2023, 7, 31)]
        snap = h.get(dt.date(2023, 7, 31))
        assert snap is not None and len(snap.projects) == len(ledger.projects)
        assert snap.taken_at == dt.datetime(2023, 8, 2, 9)
        assert snap.totals["ytd_completed"] == pytest.approx(july.totals["ytd_completed"])
        assert snap.lights == {k: july.lights[k] for k in ("red", "yellow", "green", "none")}
        aug = build_report(ledger, as_of=dt.date(2023, 8, 31))
        changes = h.changes(aug)
        assert changes is not None and changes.previous_as_of == dt.date(2023, 7, 31)
    with History.open(url, scope="另一县") as other:
        assert other.dates() == [] and other.scopes() == ["富顺县"]


_WRITER = """
import datetime as dt, sys, time
from pathlib import Path
from keyproject.engine.history import History
from keyproject.reader import read_ledger
from keyproject.engine.report import build_report
from keyproject.dates import month_end
url, scope, path, go = sys.argv[1:5]
ledger = read_ledger(path)
year = ledger.report_year
reports = [build_report(ledger, as_of=month_end(year, m), any_date=True) for m in range(1, 13)]
while not Path(go).exists():
    time.sleep(0.01)
with History.open(url, scope=scope) as h:  # both processes create the tables of a new database
    for i, r in enumerate(reports):
        h.record(r, source=path, taken_at=dt.datetime(year, 12, 31, 12, 0, i), explicit=True)
print("done", scope)
"""


def test_two_counties_write_concurrently_nothing_lost_or_mixed(server: str, tmp_path: Path) -> None:
    url = _fresh_database(server, "city")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, scope, str(path), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for scope, path in (("富顺县", COUNTY), ("某市", CITY))]
    time.sleep(3)  # both have read their ledger and wait at the start line
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.startswith("done")
    county, city = read_ledger(COUNTY), read_ledger(CITY)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        per = dict(conn.execute(sa.text(
            "select scope, count(*) from snapshots group by scope")).all())
        assert per == {"富顺县": 12, "某市": 12}
        rows = dict(conn.execute(sa.text(
            "select scope, count(*) from project_snapshots group by scope")).all())
        assert rows == {"富顺县": 12 * len(county.projects), "某市": 12 * len(city.projects)}
        for scope, ledger in (("富顺县", county), ("某市", city)):
            names = {r[0] for r in conn.execute(sa.text(
                "select distinct name from project_snapshots where scope = :s"), {"s": scope})}
            assert names == {n for n in ledger.projects["name"] if isinstance(n, str)}
    engine.dispose()
    with History.open(url, scope="富顺县") as h:
        totals = h.trend()
        assert len(totals) == 12
        ytd = read_ledger(COUNTY).projects["ytd_completed"].sum()
        assert totals["ytd_completed"].iloc[-1] == pytest.approx(ytd)


def _kp(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "keyproject", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_kp_refresh_of_two_counties_into_one_server(server: str, tmp_path: Path) -> None:
    url = _fresh_database(server, "refresh")
    county = shutil.copy(COUNTY, tmp_path / "富顺县台账.xlsx")
    city = shutil.copy(CITY, tmp_path / "某市台账.xlsx")
    procs = [_kp("refresh", str(county), "--history", url, "--scope", "富顺县", "--quiet", "--force",
                 cwd=tmp_path),
             _kp("refresh", str(city), "--history", url, "--quiet", "--force", cwd=tmp_path)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert not (tmp_path / "富顺县台账.keyproject.sqlite").exists()  # the server holds the history
    done = subprocess.run([sys.executable, "-m", "keyproject", "history", str(county), "--history", url,
                           "--scope", "富顺县", "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    assert d["scope"] == "富顺县" and [s["as_of"] for s in d["snapshots"]] == ["2023-07-31"]
    assert d["snapshots"][0]["projects"] == len(read_ledger(COUNTY).projects)
    # the city's scope defaults to its file name
    with History.open(url, scope="某市台账") as h:
        assert h.dates() == [dt.date(2024, 9, 30)]


def test_an_unreachable_server_exits_2_before_anything_is_written(tmp_path: Path) -> None:
    from tests.pgserver import free_port

    county = shutil.copy(COUNTY, tmp_path / "台账.xlsx")
    before = county.read_bytes()
    url = f"postgresql+psycopg://kp@127.0.0.1:{free_port()}/keyproject"
    for cmd in (["refresh", str(county), "--quiet", "--force"], ["report", str(county)],
                ["bulletin", str(county), "--text"], ["history", str(county)]):
        proc = subprocess.run([sys.executable, "-m", "keyproject", *cmd, "--history", url],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, (cmd, proc.stderr)
        assert "无法连接历史记录数据库" in proc.stderr and "Traceback" not in proc.stderr
    assert county.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]  # no backup, no SQLite file
