"""One set of views behind every door: the Excel button's sheets hold exactly the values the file
refresh writes, on the samples; and the labels users read are the same everywhere."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import openpyxl
import pytest

from keyproject.bulletin import bulletin_text
from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules
from keyproject.excel_tables import sheet_tables
from keyproject.labels import NO_LIGHT
from keyproject.reader import read_ledger
from keyproject.views import Facts, Light, Table
from keyproject.views.sheets import SHEETS, flagged_projects, sheet_views
from keyproject.workbook.refresh import refresh_workbook

ROOT = Path(__file__).resolve().parents[1] / "sample_workbooks"
NOW = dt.datetime(2023, 8, 1, 9, 0)


def _norm(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, float):
        return round(v, 9) if not math.isnan(v) else None
    return v


def _rows(rows: list[list[object]]) -> list[list[object]]:
    out = []
    for r in rows:
        r = [_norm(v) for v in r]
        while r and r[-1] is None:
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("sample", ["county_fushun_2023.xlsx", "city_messy_2024.xlsx"])
def test_button_sheets_equal_file_sheets(sample: str, tmp_path: Path) -> None:
    """The Excel button itself (``open_book.refresh_open_book`` on the workbook's values) writes the
    file refresh's sheets, the 通报 with its 同比 included."""
    from memory_book import MemoryBook

    from keyproject.open_book import refresh_open_book

    book = tmp_path / sample
    shutil.copyfile(ROOT / sample, book)
    open_book = MemoryBook.from_file(book)
    pressed = refresh_open_book(open_book)
    result = refresh_workbook(book, now=NOW)
    wb = openpyxl.load_workbook(book)
    button = sheet_tables(result.report, bulletin_text(result.report, result.changes))
    assert list(button) == list(SHEETS) == list(pressed.sheets)
    for name in SHEETS:
        written = _rows([list(r) for r in wb[result.sheets[name]].iter_rows(values_only=True)])
        sheet = open_book.sheets[pressed.sheets[name]]
        assert written == _rows(sheet.used_range.options(ndim=2).value), name
        if name != "通报":  # the library's tables without the 通报's 环比/同比 sentences
            assert written == _rows(button[name]), name


def test_one_word_for_no_light_and_group_labels() -> None:
    report = build_report(read_ledger(ROOT / "county_fushun_2023.xlsx"))
    views = {v.name: v for v in sheet_views(report, bulletin_text(report).splitlines())}
    lights = views["汇总"].block("lights")
    assert isinstance(lights, Table)
    assert NO_LIGHT in lights.values("light")
    ranking = views["排名"].block("ranking.unit")
    assert isinstance(ranking, Table) and ranking.columns[1].label == "责任单位"
    start = views["汇总"].block("completion_rate_projects")
    assert isinstance(start, Facts) and [f.label for f in start.items] == ["应竣工", "已竣工", "竣工率"]
    labels = [c.label for b in views["汇总"].blocks if isinstance(b, Table) for c in b.columns]
    labels += [f.label for b in views["汇总"].blocks if isinstance(b, Facts) for f in b.items]
    assert all(not any("a" <= ch.lower() <= "z" for ch in lab) or "SPI" in lab for lab in labels), labels


def test_flagged_projects_red_first_then_widest_gap() -> None:
    report = build_report(read_ledger(ROOT / "county_fushun_2023.xlsx"))
    flagged = flagged_projects(report)
    order = [0 if v == "red" else 1 for v in flagged["light"]]
    assert order == sorted(order) and len(flagged) == report.lights["red"] + report.lights["yellow"]
    for light in ("red", "yellow"):
        gaps = flagged.loc[flagged["light"] == light, "gap_points"].dropna().tolist()
        assert gaps == sorted(gaps)
    view = sheet_views(report, [])[1]
    table = next(view.tables())
    assert [v.key for v in table.values("light") if isinstance(v, Light)] == flagged["light"].tolist()


def test_zhaoqing_names_reach_the_ranking_headers() -> None:
    report = build_report(read_ledger(ROOT / "county_fushun_2023.xlsx"), rules=Rules.preset("zhaoqing"))
    table = sheet_views(report, [])[2].block("ranking.unit")
    assert isinstance(table, Table) and [c.label for c in table.columns[-3:]] == ["红灯", "黄灯", "蓝灯"]


def test_rules_decimals_reach_every_number_cell_of_the_views() -> None:
    import dataclasses

    ledger = read_ledger(ROOT / "county_fushun_2023.xlsx")
    rules = dataclasses.replace(Rules(), rate_decimals=3, points_decimals=0)
    report = build_report(ledger, rules=rules)
    for view in sheet_views(report, []):
        for block in view.blocks:
            cells = (block.columns if isinstance(block, Table)
                     else block.items if isinstance(block, Facts) else ())
            for c in cells:
                if c.kind == "rate":
                    assert c.decimals == 3, (view.name, block.key, c.key)
                elif c.kind == "points":
                    assert c.decimals == 0, (view.name, block.key, c.key)
