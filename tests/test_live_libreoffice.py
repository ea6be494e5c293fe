"""``kp refresh --live`` in LibreOffice headless: the lights it computes equal ``kp report``'s, right
after the refresh and after staff type into the ledger and its 设置 sheet.

Each workbook is refreshed with ``kp refresh --live`` (the command, or ``refresh_workbook`` for the
reader's shape fixtures), edited cell by cell the way a spreadsheet saves typing (only the typed
cells' XML changes), recalculated and saved by LibreOffice with a private profile, and read back;
``kp report`` on the same edited workbook gives the truth. The 灯号 colours are read from
LibreOffice's HTML export, which paints the conditional formats.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import live_harness as lh
import openpyxl
import pandas as pd
import pytest
import serve_helpers as sh

from keyproject.engine.report import build_report
from keyproject.engine.stages import STARTED, stage_step
from keyproject.errors import KPError
from keyproject.formulas.live import NEEDS_REFRESH, stage_expr
from keyproject.reader import read_ledger
from keyproject.samples import shapes
from keyproject.workbook import refresh_workbook
from keyproject.workbook.cells import light_style

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CITY = sh.ROOT / "sample_workbooks" / "city_messy_2024.xlsx"
NOW = dt.datetime(2024, 10, 8, 9, 0)
COLOURS = {label: "#" + (light_style(key, label).fill.color or "")[2:].upper()  # type: ignore[union-attr]
           for key, label in (("red", "红"), ("yellow", "黄"), ("green", "绿"))}


@pytest.mark.parametrize("sample", [sh.SAMPLE, CITY], ids=["county", "city"])
def test_every_row_of_the_samples_lights_as_kp_report(sample: Path, tmp_path: Path) -> None:
    live = lh.live_refresh(sample, tmp_path / sample.name)
    assert "实时灯号" in live.summary
    out = lh.recalculate(live.path, tmp_path / "out", tmp_path / "profile")
    got = lh.lights(out, live)
    want = lh.expected(live.path)
    assert set(got) == set(want) and len(want) >= 40
    assert lh.compare(got, want) == []
    assert {"绿", "黄", "红"} <= {light for _gap, light in want.values()}
    # the colours follow the formulas: LibreOffice paints each light by keyproject's conditional format
    html = lh.recalculate(live.path, tmp_path / "html", tmp_path / "profile", to="html")
    painted = lh.fills(html, live)
    for key, (_gap, light) in want.items():
        assert painted[key] == (light, COLOURS.get(light)), key


def test_the_lights_names_of_the_settings_sheet_light_and_colour_the_cells(tmp_path: Path) -> None:
    """肇庆's 蓝/黄/红 typed in 设置 before the refresh: the formulas give those names, painted blue,
    yellow and red."""
    path = tmp_path / "zhaoqing.xlsx"
    shutil.copyfile(sh.SAMPLE, path)
    lh.type_cells(path, {("设置", 10, "A"): "灯号名称", ("设置", 10, "B"): "蓝/黄/红"})
    live = lh.live_refresh(path, path)
    want = lh.expected(path)
    assert {"蓝", "黄", "红"} <= {light for _gap, light in want.values()}
    html = lh.recalculate(path, tmp_path / "html", tmp_path / "profile", to="html")
    blue = "#" + (light_style("green", "蓝").fill.color or "")[2:].upper()  # type: ignore[union-attr]
    colours = {**COLOURS, "蓝": blue}
    assert blue not in COLOURS.values()
    painted = lh.fills(html, live)
    for key, (_gap, light) in want.items():
        assert painted[key] == (light, colours.get(light)), key


def test_the_city_sample_gets_a_settings_sheet_its_lights_read(tmp_path: Path) -> None:
    """The city ledger has no 设置 sheet: the refresh makes one with the three thresholds; a threshold
    typed there relights every row as kp report does with that rule."""
    live = lh.live_refresh(CITY, tmp_path / "city.xlsx")
    assert "新建了“设置”表" in live.summary
    row = lh.settings_row(live.path, "黄灯差距")
    before = lh.expected(live.path)
    lh.type_cells(live.path, {("设置", row, "B"): -2})
    want = lh.expected(live.path)
    assert build_report(read_ledger(live.path)).rules.green_gap == -2
    assert sum(want[k] != before[k] for k in want) >= 3  # greens turned yellow
    out = lh.recalculate(live.path, tmp_path / "out", tmp_path / "profile")
    assert lh.compare(lh.lights(out, live), want) == []


def _rows(path: Path) -> dict[str, tuple[str, int]]:
    """Rows of the sample by what they show, to edit each kind."""
    report = build_report(read_ledger(path))
    p = report.projects
    as_of = pd.Timestamp(report.as_of)
    planned = p["planned_start"].notna() & (p["planned_start"] <= as_of)
    started = p["actual_start"].notna()
    new = p["nature"].astype("str").str.contains("新建", na=False)
    with_plan = p.index[p["annual_plan"].notna()]
    pick = {
        "boundary_green": with_plan[0], "boundary_yellow": with_plan[1], "below_red": with_plan[2],
        "blank_done": with_plan[3], "blank_plan": with_plan[4],
        "unstart": p.index[planned & started & new][0],
        "late_red": p.index[planned & started & new][1],
        "start_now": p.index[planned & ~started & new][0],
        "start_later": p.index[planned & ~started & new][1] if (planned & ~started & new).sum() > 1
        else p.index[planned & started & new][2],
        "continuing": p.index[planned & ~started & new][-1],
    }
    return {k: (str(p.at[i, "sheet"]), int(p.at[i, "row"])) for k, i in pick.items()}


def test_lights_follow_what_staff_type(tmp_path: Path) -> None:
    live = lh.live_refresh(sh.SAMPLE, tmp_path / "edited.xlsx")
    before = lh.expected(live.path)
    rows = _rows(live.path)

    def at(name: str, field: str) -> tuple[str, int, str]:
        sheet, row = rows[name]
        return sheet, row, field

    typed = {
        # exactly −10.00 and −30.00 points at 7/12: green and yellow; just below: red
        at("boundary_green", "annual_plan"): 1200, at("boundary_green", "ytd_completed"): 580,
        at("boundary_yellow", "annual_plan"): 1200, at("boundary_yellow", "ytd_completed"): 340,
        at("below_red", "annual_plan"): 1200, at("below_red", "ytd_completed"): 339.9,
        at("blank_done", "ytd_completed"): None,
        at("blank_plan", "annual_plan"): None,
        at("unstart", "actual_start"): None, at("unstart", "actual_completion"): None,
        at("unstart", "planned_start"): dt.datetime(2023, 6, 20),  # one month late: yellow
        at("late_red", "actual_start"): None, at("late_red", "actual_completion"): None,
        at("late_red", "planned_start"): dt.datetime(2023, 1, 10),  # six months late: red
        at("start_now", "actual_start"): dt.datetime(2023, 7, 20),
        at("start_later", "actual_start"): dt.datetime(2023, 8, 5),  # after the report date
        at("continuing", "nature"): "续建",
        ("设置", lh.settings_row(live.path, "黄灯差距"), "B"): -5,  # a threshold typed in 设置
    }
    lh.type_cells(live.path, typed)
    want = lh.expected(live.path)  # kp report on the edited workbook
    out = lh.recalculate(live.path, tmp_path / "out", tmp_path / "profile")
    assert lh.compare(lh.lights(out, live), want) == []
    changed = {k for k in want if want[k] != before[k]}
    assert {rows["unstart"], rows["late_red"], rows["blank_done"]} <= changed
    assert want[rows["late_red"]][1] == "红" and want[rows["unstart"]][1] in ("黄", "红")
    assert want[rows["boundary_green"]][0] == -10.0 and want[rows["blank_plan"]][0] is None
    assert len(changed) > len({rows[k] for k in ("unstart", "late_red", "blank_done")})  # the threshold too


def test_a_second_live_refresh_after_typing_replaces_its_own_formulas(tmp_path: Path) -> None:
    live = lh.live_refresh(sh.SAMPLE, tmp_path / "again.xlsx")
    sheet, row = _rows(live.path)["boundary_green"]
    lh.type_cells(live.path, {(sheet, row, "ytd_completed"): 1})
    again = lh.live_refresh(live.path, tmp_path / "again2.xlsx")
    ws = openpyxl.load_workbook(again.path)[sheet]
    formulas = [c.value for c in ws[again.columns[sheet]["灯号"]] if isinstance(c.value, str)
                and c.value.startswith("=")]
    assert len(formulas) == sum(1 for s, _ in again.rows if s == sheet)
    rules = [r for cf in ws.conditional_formatting for r in cf.rules if r.formula == ['"红"']]
    assert len(rules) == 1
    out = lh.recalculate(again.path, tmp_path / "out", tmp_path / "profile")
    assert lh.compare(lh.lights(out, again), lh.expected(again.path)) == []


def test_a_live_monthly_cycle_lights_as_kp_report_each_month(tmp_path: Path) -> None:
    """August's then September's submissions, each refreshed with --live: the period moves and is
    recorded, 本期报送 is written, the submitted figures are what the formulas read."""
    path = tmp_path / "cycle.xlsx"
    shutil.copyfile(sh.SAMPLE, path)
    for month, folder in ((8, "submissions"), (9, "submissions_september")):
        live = lh.live_refresh(path, path, "--submissions", str(sh.ROOT / "sample_workbooks" / folder))
        assert f"截至 2023-{month:02d}-" in live.summary and "实时灯号" in live.summary
        assert set(live.columns["项目台账"]) >= {"差距(百分点)", "灯号", "本期报送"}
        report = build_report(read_ledger(path))
        assert report.as_of.month == month and read_ledger(path).recorded_as_of.month == month
        out = lh.recalculate(path, tmp_path / f"out{month}", tmp_path / "profile")
        assert lh.compare(lh.lights(out, live), lh.expected(path)) == [], month


def test_a_workbook_saved_by_libreoffice_is_refreshed_live_again_without_duplicates(tmp_path: Path) -> None:
    """Staff save the live ledger in their spreadsheet (LibreOffice rewrites every part, its own way);
    next month's live refresh still knows its formulas and conditional formats, and keeps the user's."""
    live = lh.live_refresh(sh.SAMPLE, tmp_path / "first.xlsx")
    saved = lh.recalculate(live.path, tmp_path / "saved", tmp_path / "profile")
    again = lh.live_refresh(saved, tmp_path / "second.xlsx")
    assert again.columns == live.columns
    ws = openpyxl.load_workbook(again.path)["项目台账"]
    texts = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if r.formula]
    assert texts.count('"红"') == 1 and texts.count(f'"{NEEDS_REFRESH}"') == 1
    user = [r for cf in ws.conditional_formatting for r in cf.rules if r.formula and r.formula[0] == "0.2833"]
    assert len(user) == 2  # the sample's own rules on 完成率 (lessThan and between)
    out = lh.recalculate(again.path, tmp_path / "out", tmp_path / "profile")
    assert lh.compare(lh.lights(out, again), lh.expected(again.path)) == []


def test_text_the_formula_cannot_read_asks_for_a_refresh(tmp_path: Path) -> None:
    live = lh.live_refresh(sh.SAMPLE, tmp_path / "typed.xlsx")
    sheet, row = _rows(live.path)["start_now"]
    want = lh.expected(live.path)
    lh.type_cells(live.path, {(sheet, row, "actual_start"): "2023.7.5"})
    out = lh.recalculate(live.path, tmp_path / "out", tmp_path / "profile")
    got = lh.lights(out, live)
    assert got[(sheet, row)][1] == NEEDS_REFRESH
    others = {k: v for k, v in got.items() if k != (sheet, row)}
    assert lh.compare(others, {k: v for k, v in want.items() if k != (sheet, row)}) == []


def test_every_shape_the_refresh_can_write_lights_as_kp_report(tmp_path: Path) -> None:
    """The reader's shape fixtures (written by XlsxWriter as Excel does): several sheets, units in
    元 and 亿元, merged cells, monthly plans, year columns… each refreshed with --live."""
    lives, skipped = [], {}
    (tmp_path / "built").mkdir()
    (tmp_path / "live").mkdir()
    for name in shapes.SHAPES:
        path, _truth = shapes.build(name, tmp_path / "built")
        target = tmp_path / "live" / path.name
        shutil.copyfile(path, target)
        try:
            result = refresh_workbook(target, now=NOW, live=True)
        except KPError as e:  # a shape the writer refuses (said why): counted below
            skipped[name] = str(e)
            continue
        lives.append(lh.live_result(target, result))
    assert len(lives) == len(shapes.SHAPES), skipped
    outs = lh.recalculate_all([live.path for live in lives], tmp_path / "out", tmp_path / "profile")
    for live, out in zip(lives, outs, strict=True):
        want = lh.expected(live.path)
        assert want and lh.compare(lh.lights(out, live), want) == [], live.path.name


def test_real_files_refreshed_live_light_as_kp_report(tmp_path: Path) -> None:
    """The feature-survival suite's files saved by Excel, WPS, Tencent Docs… (its ledgers grafted in),
    refreshed with --live and recalculated by LibreOffice (.xlsm saved back as .xlsm's content)."""
    from realworld import realworld
    from test_refresh_features import AS_OF, DERIVED, GRAFTS
    from xlsx_fixtures import graft_ledger

    lives = []
    for i, name in enumerate([*DERIVED, *sorted(GRAFTS)]):
        if name in GRAFTS:
            src = realworld(GRAFTS[name])
            path = graft_ledger(src, tmp_path / f"f{i}_{name}{src.suffix}")
        else:
            path = tmp_path / f"f{i}_{name}"
            shutil.copyfile(realworld(f"derived/{name}"), path)
        lives.append(lh.live_result(path, refresh_workbook(path, as_of=AS_OF, now=NOW, live=True)))
    outs = lh.recalculate_all([live.path for live in lives], tmp_path / "out", tmp_path / "profile")
    for live, out in zip(lives, outs, strict=True):
        want = lh.expected(live.path)
        assert want and lh.compare(lh.lights(out, live), want) == [], live.path.name


STAGES = ["在建", "未开工", "已供地未开工", "竣工", "未竣工", "尚未竣工投产", "拟投产", "已投产", "投入使用",
          "达产", "前期手续办理中", "主体完工", "计划开工", "待开工 在建", "签约", "", "—", "建设中",
          "竣未竣工工", "未未竣工", "新建中", "准备施工", "已完工", "建成投用", "运营", "未运营", "续建"]


def test_the_stage_formula_reads_stage_text_as_the_engine_does(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for i, text in enumerate(STAGES, start=1):
        ws.cell(i, 1, text or None)
        ws.cell(i, 2, "=" + stage_expr(f"A{i}"))
    path = tmp_path / "stages.xlsx"
    wb.save(path)
    out = lh.recalculate(path, tmp_path / "out", tmp_path / "profile")
    sheet = openpyxl.load_workbook(out, data_only=True).active
    assert sheet is not None
    got = [sheet.cell(i, 2).value for i in range(1, len(STAGES) + 1)]
    want = (stage_step(pd.Series(STAGES, dtype="str")) >= STARTED).tolist()
    assert got == want
    assert any(want) and not all(want)
