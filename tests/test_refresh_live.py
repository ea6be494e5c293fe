"""``kp refresh --live`` without a spreadsheet program: the 设置 rows its formulas reference (added
where missing, the user's kept, recorded as keyproject's), a second refresh writing the same bytes, a
plain refresh turning the lights back into values, ``--rules`` giving constants, workbook text that
looks like a formula written as text, the command's help and summary.

LibreOffice recalculating the formulas is ``test_live_libreoffice.py``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import live_harness as lh
import openpyxl
from test_refresh import sheet_xml

from keyproject.package.marks import SETTINGS_PROPERTY, read_marks
from keyproject.workbook.refresh import refresh_workbook

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
CITY = ROOT / "sample_workbooks" / "city_messy_2024.xlsx"
NOW = dt.datetime(2024, 10, 8, 9, 0)


def copy(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    dst = tmp_path / (name or src.name)
    shutil.copyfile(src, dst)
    return dst


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def settings_rows(path: Path, sheet: str = "设置") -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [tuple(c.value for c in row[:2]) for row in ws.iter_rows()
            if any(c.value is not None for c in row)]


def light_formulas(path: Path, result: object) -> list[str]:
    sheet = result.sheet  # type: ignore[attr-defined]
    letter = result.sheet_columns[sheet]["灯号"]  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(path)[sheet]
    return [c.value for c in ws[letter] if isinstance(c.value, str) and c.value.startswith("=")]


def test_missing_thresholds_get_rows_in_the_users_settings_and_their_values_stay(tmp_path: Path) -> None:
    path = copy(COUNTY, tmp_path)
    # the user's 设置: 黄灯差距 changed to −12, the 红灯差距 row cleared
    lh.type_cells(path, {("设置", 2, "B"): -12, ("设置", 3, "A"): None, ("设置", 3, "B"): None,
                         ("设置", 3, "C"): None})
    before = settings_rows(path)
    result = refresh_workbook(path, now=NOW, live=True)
    live = result.live
    assert live is not None and live.settings_sheet == "设置" and not live.settings_created
    assert live.settings_added == {"红灯差距": len(before) + 2}  # after the last row (row 3 is empty now)
    assert live.thresholds == {"黄灯差距": "B2", "红灯差距": f"B{len(before) + 2}", "开工滞后红灯月数": "B4"}
    after = settings_rows(path)
    assert after[:len(before)] == before and after[len(before):] == [("红灯差距", -30)]
    assert result.report.rules.green_gap == -12  # the user's value, read and referenced
    formulas = light_formulas(path, result)
    assert formulas and all("'设置'!$B$2" in f for f in formulas if "'设置'!" in f)
    assert any(f"'设置'!$B${len(before) + 2}" in f for f in formulas)
    with zipfile.ZipFile(path) as zf:
        assert read_marks(zf).settings == {"设置": ("红灯差距",)}
    first = parts(path)
    again = refresh_workbook(path, now=NOW + dt.timedelta(minutes=5), live=True)
    assert again.live is not None and again.live.settings_added == {}
    assert parts(path) == first  # replaced, never duplicated
    # a plain refresh: values and fills again, keyproject's conditional formats gone, its 设置 record kept
    plain = refresh_workbook(path, now=NOW + dt.timedelta(minutes=10))
    assert plain.live is None and light_formulas(path, plain) == []
    assert '"红"' not in sheet_xml(path, plain.sheet)
    with zipfile.ZipFile(path) as zf:
        marks = read_marks(zf)
        assert marks.settings == {"设置": ("红灯差距",)} and marks.conditional == {}
    assert settings_rows(path) == after


def test_a_ledger_without_settings_gets_a_settings_sheet(tmp_path: Path) -> None:
    path = copy(CITY, tmp_path)
    result = refresh_workbook(path, now=NOW, live=True)
    assert result.live is not None and result.live.settings_created
    wb = openpyxl.load_workbook(path)
    assert "设置" in wb.sheetnames and wb.sheetnames.index("设置") < wb.sheetnames.index("汇总")
    assert settings_rows(path) == [("设置项", "值"), ("黄灯差距", -10), ("红灯差距", -30),
                                   ("开工滞后红灯月数", 3)]
    with zipfile.ZipFile(path) as zf:
        assert json.loads(re.search(rf'name="{SETTINGS_PROPERTY}"[^>]*><vt:lpwstr>([^<]*)<',
                                    zf.read("docProps/custom.xml").decode()).group(1)) == \
            {"设置": ["黄灯差距", "红灯差距", "开工滞后红灯月数"]}
    first = parts(path)
    refresh_workbook(path, now=NOW + dt.timedelta(minutes=5), live=True)
    assert parts(path) == first


def test_rules_from_a_file_are_constants_and_no_settings_row_is_added(tmp_path: Path) -> None:
    path = copy(CITY, tmp_path)
    rules = tmp_path / "rules.toml"
    rules.write_text('green_gap = -5\n', encoding="utf-8")
    result = refresh_workbook(path, now=NOW, live=True, rules=rules)
    assert result.live is not None and result.live.explicit_rules
    assert result.live.thresholds == {"黄灯差距": None, "红灯差距": None, "开工滞后红灯月数": None}
    assert result.live.values["黄灯差距"] == -5
    assert "设置" not in openpyxl.load_workbook(path).sheetnames
    formulas = light_formulas(path, result)
    assert formulas and not any("设置" in f for f in formulas) and all(">=-5" in f for f in formulas
                                                                       if ">=-" in f)


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = copy(COUNTY, tmp_path)
    link = '=HYPERLINK("http://x","点我")'
    lh.type_cells(path, {("项目台账", 8, "AF"): link, ("项目台账", 8, "O"): 0,
                         ("设置", 10, "A"): "备注", ("设置", 10, "B"): "+86 电话"})
    result = refresh_workbook(path, now=NOW, live=True)
    assert result.live is not None
    lights = openpyxl.load_workbook(path)["红黄绿灯"]
    cells = [c for row in lights.iter_rows() for c in row if c.value == link]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert "<f>" not in sheet_xml(path, "红黄绿灯") and "<f>" not in sheet_xml(path, "通报")
    assert openpyxl.load_workbook(path)["设置"]["B10"].data_type == "s"


def kp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keyproject", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=300)


def test_the_command_documents_and_reports_live(tmp_path: Path) -> None:
    help_text = "".join(kp("refresh", "--live", "--help").stdout.split())  # (argparse wraps lines)
    assert "--live" in help_text and "条件格式" in help_text and "缺少时自动添加" in help_text
    path = copy(CITY, tmp_path)
    done = kp("refresh", str(path), "--live", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "实时灯号：40个项目行" in done.stdout and "新建了“设置”表" in done.stdout
    assert re.search(r"灯号颜色：工作表“2024年重点项目”S\d+:S\d+ 的条件格式", done.stdout)


def test_settings_plan_reads_aliases_and_adds_only_what_is_missing() -> None:
    import numpy as np

    from keyproject.engine.rules import Rules
    from keyproject.reader import read_ledger
    from keyproject.workbook.settings_sheet import plan_settings
    from keyproject.xlsx import SheetGrid

    ledger = read_ledger(COUNTY)
    rules = Rules()
    rows = [["参数", "值"], ["绿灯差距", -8.0], ["", ""], ["备注", "=不是公式"]]
    grid = SheetGrid("参数设置", np.array(rows, dtype=object), [])
    plan = plan_settings(ledger, rules, grid)
    assert plan.sheet == "参数设置" and not plan.created
    assert [(r.row, r.key, r.value) for r in plan.rows] == [(5, "红灯差距", -30), (6, "开工滞后红灯月数", 3)]
    assert plan.grid.values[3].tolist() == ["备注", "=不是公式"]  # the user's rows as they were
    assert plan.grid.values[4].tolist() == ["红灯差距", -30.0]
    empty = plan_settings(ledger, rules, None)
    assert empty.created and empty.sheet == "设置" and [r.row for r in empty.rows] == [2, 3, 4]


def test_a_formula_longer_than_excel_accepts_is_written_as_its_value() -> None:
    """Each guarded cell adds its text to the formula; past Excel's 8,192 characters the row's cells
    are values (coloured by the same conditional formats) and the summary says which rows."""
    import dataclasses

    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger
    from keyproject.workbook.live import FORMULA_LIMIT, LiveLights, formula_text, live_lights
    from keyproject.workbook.refresh import default_columns
    from keyproject.xlsx import Workbook

    assert formula_text("=" + "1" * (FORMULA_LIMIT - 1)) == "1" * (FORMULA_LIMIT - 1)
    assert formula_text("=" + "1" * FORMULA_LIMIT) is None
    ledger = read_ledger(COUNTY)
    report = build_report(ledger)
    lights = live_lights(ledger, report, Workbook(COUNTY), [], explicit_rules=False)
    assert lights.info.values_only == []
    first = next(iter(lights.cells.values()))
    long = dataclasses.replace(first, light_formula="=" + "1+" * FORMULA_LIMIT + "1")
    patched = LiveLights({**lights.cells, (first.sheet, first.row): long}, lights.highlights, lights.info)
    layout = ledger.layouts[0]
    projects = report.projects[report.projects["sheet"] == layout.sheet]
    columns = {c.header: c for c in patched.columns(default_columns)(report, layout, projects, {})}
    formulas = list(columns["灯号"].formulas or [])
    i = projects["row"].tolist().index(first.row)
    assert formulas[i] is None and columns["灯号"].values[i] == first.light_value
    assert sum(f is None for f in formulas) == 1
