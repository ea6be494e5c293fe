"""Issue 14: one context behind every door. A workbook whose 设置 sheet sets 红灯差距 to −8 (and
黄灯差距 to −4) gets the same red projects from ``kp report``, the formulas (=KP_LIGHT with the 设置
range), the Excel button's refresh, the battle map and ``kp serve`` (its formula route and its
refresh): all of them decide the rules through ``keyproject.engine.context``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import httpx
import numpy as np
import openpyxl
import pandas as pd
import pytest
import serve_helpers as sh
from memory_book import MemoryBook

from keyproject.cli import main
from keyproject.engine.rules import Rules
from keyproject.formulas import call, door_context
from keyproject.reader import read_ledger

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"
EPOCH = dt.datetime(1899, 12, 30)


@pytest.fixture(scope="module")
def strict_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(shutil.copy(SAMPLE, tmp_path_factory.mktemp("ctx") / "台账.xlsx"))
    wb = openpyxl.load_workbook(path)
    for key, cell in ((r[0].value, r[1]) for r in wb["设置"].iter_rows(min_col=1, max_col=2)):
        if key in ("红灯差距", "黄灯差距"):
            cell.value = -8 if key == "红灯差距" else -4
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def report_red(strict_book: Path) -> set[str]:
    """The red projects ``kp report`` shows."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["report", str(strict_book), "--json"]) == 0
    red = {p["name"] for p in json.loads(out.getvalue())["projects"] if p["light"] == "red"}
    default = read_ledger(strict_book)
    from keyproject.engine.report import build_report

    # the 设置 sheet matters: the defaults (−30) give fewer red projects
    assert len(red) > (build_report(default, rules=Rules()).lights.get("red", 0)) > 0
    return red


def _columns(strict_book: Path) -> tuple[list[str], list[list[object]], dt.date]:
    """The ledger's columns as Excel hands them to a formula (numbers, datetimes, blanks)."""
    from keyproject.engine.context import resolve

    ledger = read_ledger(strict_book)
    p = ledger.projects
    as_of = resolve(ledger).as_of

    def col(key: str) -> list[list[object]]:
        values = p[key].astype(object).tolist()
        return [[None if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
                 else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)] for v in values]

    args = [col("ytd_completed"), col("annual_plan"), as_of, col("planned_start"), col("actual_start")]
    return list(p["name"]), args, as_of


def _settings(strict_book: Path) -> list[list[object]]:
    sheet = MemoryBook.from_file(strict_book).sheets["设置"]
    return sheet.used_range.options(ndim=2).value


def test_the_formula_with_the_settings_range_lights_as_kp_report(strict_book: Path,
                                                                  report_red: set[str]) -> None:
    names, args, _ = _columns(strict_book)
    lit = call("KP_LIGHT", [*args, _settings(strict_book)], door_context())
    assert {n for n, (v,) in zip(names, lit, strict=True) if v == "红"} == report_red
    # without the 设置 range the formula keeps the defaults, as documented
    plain = call("KP_LIGHT", args, door_context())
    assert {n for n, (v,) in zip(names, plain, strict=True) if v == "红"} < report_red


def test_the_excel_buttons_refresh_lights_as_kp_report(strict_book: Path, report_red: set[str]) -> None:
    from keyproject.open_book import refresh_open_book

    book = MemoryBook.from_file(strict_book)
    result = refresh_open_book(book)
    ledger = read_ledger(strict_book)
    sheet = book.sheets[result.sheet]
    col = result.columns["灯号"]
    red = {name for name, row in zip(ledger.projects["name"], ledger.projects["row"], strict=True)
           if sheet.cells.get((int(row), col)) == "红"}
    assert red == report_red


def test_the_battle_map_lights_as_kp_report(strict_book: Path, report_red: set[str]) -> None:
    from keyproject.widgets import BattleMap

    ledger = read_ledger(strict_book)
    widget = BattleMap(ledger)
    assert set(ledger.projects.loc[widget.lights == "red", "name"]) == report_red


def _serial(v: object) -> object:
    if isinstance(v, dt.datetime):
        return (v - EPOCH).days
    if isinstance(v, dt.date):
        return (dt.datetime.combine(v, dt.time()) - EPOCH).days
    if isinstance(v, list):
        return [_serial(x) for x in v]
    return v


def test_kp_serve_lights_as_kp_report(strict_book: Path, report_red: set[str], tmp_path: Path) -> None:
    names, args, _ = _columns(strict_book)
    copy = Path(shutil.copy(strict_book, tmp_path / "台账.xlsx"))
    with sh.running(tmp_path) as service:
        r = httpx.post(f"{service.base}/api/formulas/KP_LIGHT",
                       json={"args": _serial([*args, _settings(strict_book)])}, timeout=120)
        assert r.status_code == 200, r.text
        lit = r.json()["result"]
        assert {n for n, (v,) in zip(names, lit, strict=True) if v == "红"} == report_red
        r = httpx.post(f"{service.base}/api/refresh", json={"path": str(copy)},
                       headers={"Authorization": f"Bearer {service.token}"}, timeout=300)
        assert r.status_code == 200, r.text
        assert r.json()["lights"]["red"] == len(report_red)


LIB = Path(__file__).resolve().parents[1] / "lib" / "keyproject"
DOORS = ("cli", "formulas", "serve", "widgets")


def _calls(path: Path) -> list[str]:
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            out.append(ast.unparse(node.func))
    return out


def test_one_clock() -> None:
    """Today is read in one place (context.clock_today); the other clocks are timestamps of what
    happened (a snapshot recorded, a file refreshed) and the countdown's ticking seconds."""
    allowed = {"engine/context.py": {"dt.date.today"}, "engine/history.py": {"dt.datetime.now"},
               "workbook/refresh.py": {"dt.datetime.now"}, "widgets/sprint_countdown.py": {"dt.datetime.now"}}
    found: dict[str, set[str]] = {}
    for path in LIB.rglob("*.py"):
        clocks = {c for c in _calls(path) if c.endswith(("date.today", "datetime.now", "datetime.today",
                                                          "datetime.utcnow", "time.time"))}
        if clocks:
            found[str(path.relative_to(LIB))] = clocks
    assert found == allowed
    notebooks = (LIB.parents[1] / "notebooks" / "make_notebooks.py").read_text(encoding="utf-8")
    assert "date.today()" not in notebooks and "clock_today()" in notebooks


def test_rules_files_and_presets_are_loaded_by_the_context_alone() -> None:
    """A rules file, a 设置 sheet or a preset becomes Rules in keyproject.engine.context (and in the rules
    module itself); every door goes through it."""
    offenders = []
    for path in LIB.rglob("*.py"):
        rel = str(path.relative_to(LIB))
        if rel in ("engine/context.py", "engine/rules.py", "docs.py") or rel.startswith("formulas/live"):
            continue  # docs lists the presets; the live formulas read the 设置 cells' own defaults
        for c in _calls(path):
            if c in ("Rules.from_toml", "Rules.from_settings", "Rules.preset"):
                offenders.append(f"{rel}: {c}")
    assert offenders == []


def test_domain_code_never_imports_a_door() -> None:
    """The engine, the reader and the writers import no door. ``formulas.live``/``live_cells`` are
    not a door but the native formula texts the writer puts into a workbook (``kp refresh --live``)."""
    import ast

    offenders = []
    for path in LIB.rglob("*.py"):
        rel = path.relative_to(LIB)
        if rel.parts[0] in DOORS or rel.name in ("__main__.py", "docs.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "keyproject" and len(parts) > 1 and parts[1] in DOORS and \
                        not (parts[1] == "formulas" and len(parts) > 2 and parts[2].startswith("live")):
                    offenders.append(f"{rel}: {node.module}")
    assert offenders == []
