"""``kp inspect`` over every real file in ``../shared/realworld`` (saved by Excel, Excel for Mac,
LibreOffice, WPS, Tencent Docs, POI, PhpSpreadsheet …): never a crash, never a traceback, never a
raw English library error — a Chinese message that says what is wrong and what to do, or the file is
read. The files are used from ``../shared`` (tests/realworld.py), never copied in.

All files run in one child process (an abort in a native parser would fail the test, not the session).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from realworld import REALWORLD, realworld

from keyproject.reader import read_ledger
from keyproject.xlsx import Workbook

# words a Chinese message may carry as they are (formats, products, the debug switch)
ALLOWED = {"xlsx", "xlsm", "xls", "et", "xlsb", "ods", "xltx", "Excel", "WPS", "XML", "DTD", "CSV", "Word",
           "PowerPoint", "OpenDocument", "MB", "KP_DEBUG", "kp", "sheet", "as", "of", "SUM"}

WORKER = textwrap.dedent("""
    import contextlib, io, json, sys, traceback
    from keyproject.cli import main
    out = []
    for path in sys.argv[1:]:
        err, std = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
                code = main(["inspect", path, "--json"])
        except BaseException:
            code, err = 99, io.StringIO(traceback.format_exc())
        out.append({"file": path, "code": code, "stderr": err.getvalue(), "stdout": std.getvalue()})
    print(json.dumps(out, ensure_ascii=False))
""")


def untranslated(message: str) -> list[str]:
    """English words left in a message once the quoted names (files, sheets, parts) are taken out."""
    bare = re.sub(r"“[^”]*”", "", message)
    bare = re.sub(r"[A-Z]{1,3}\d+", "", bare)  # cell references
    return [w for w in re.findall(r"[A-Za-z_]{2,}", bare) if w not in ALLOWED]


@pytest.fixture(scope="module")
def results() -> list[dict]:
    files = sorted(str(p) for p in REALWORLD.rglob("*") if p.is_file() and p.suffix.lower()
                   in (".xlsx", ".xlsm", ".xltx", ".xls", ".et"))
    assert len(files) >= 157, "the realworld corpus is missing files"
    proc = subprocess.run([sys.executable, "-c", WORKER, *files], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_every_real_file_gets_a_chinese_answer(results: list[dict]) -> None:
    bad = []
    for r in results:
        name = Path(r["file"]).name
        if r["code"] not in (0, 2) or "Traceback" in r["stderr"] or "内部错误" in r["stderr"]:
            bad.append((name, r["code"], r["stderr"][-300:]))
        elif r["code"] == 2:
            assert r["stdout"] == "" and r["stderr"].startswith("kp："), name
            words = untranslated(r["stderr"])
            if words or not re.search(r"[\u4e00-\u9fff]", r["stderr"]):
                bad.append((name, r["code"], r["stderr"]))
        else:
            json.loads(r["stdout"])
    assert not bad, "\n".join(map(str, bad))


def test_the_grafted_ledgers_are_read(results: list[dict]) -> None:
    derived = [r for r in results if "/derived/" in r["file"]]
    assert derived and all(r["code"] == 0 for r in derived), [r["file"] for r in derived if r["code"]]
    for r in derived:
        assert json.loads(r["stdout"])["projects"]


@pytest.mark.parametrize(("relative", "skipped"), [
    ("corpus/SheetJS+test_files/BlankSheetTypes.xlsm", {"Chart1": "chartsheet", "Macro1": "macrosheet",
                                                        "Dialog1": "dialogsheet"}),
    ("corpus/apache+poi/test-data/spreadsheet/xlmmacro.xlsm", {"Macro1": "macrosheet"}),
    ("corpus/apache+poi/test-data/spreadsheet/60825.xlsx", {"Module": "missing"}),
])
def test_macro_dialog_and_orphan_sheets_are_skipped_not_the_workbook(relative: str, skipped: dict) -> None:
    wb = Workbook(realworld(relative))
    assert {s.name: s.kind for s in wb.info.others} == skipped
    for name in wb.sheet_names:  # every worksheet still loads
        wb.grid(name)


@pytest.mark.parametrize(("relative", "sheets"), [
    ("corpus/tafia+calamine/tests/strict_iso_paths.xlsx", ["ml_out"]),  # ISO/IEC 29500 Strict
    # UTF-16 workbook XML
    ("corpus/PHPOffice+PhpSpreadsheet/tests/data/Reader/XLSX/utf16be.xlsx", ["Sheet1"]),
    ("corpus/exceljs+exceljs/spec/integration/data/test-row-styles.xlsx", ["Sheet1"]),  # state="show"
    # whole-column and whole-row merges (A:A, 1:1)
    ("corpus/PHPOffice+PhpSpreadsheet/tests/data/Reader/XLSX/issue.2501.b.xlsx", ["Columns", "Rows"]),
    ("corpus/exceljs+exceljs/spec/integration/data/test-issue-176.xlsx", ["Sheet"]),  # dimension 1:4
])
def test_files_calamine_alone_cannot_open_are_read(relative: str, sheets: list[str]) -> None:
    wb = Workbook(realworld(relative))
    assert wb.sheet_names == sheets
    grids = [wb.grid(n) for n in sheets]
    if "strict" in relative:
        assert wb.info.strict and grids[0].shape == (76, 18) and grids[0].values[0, 0] != ""
    if "176" in relative:
        assert grids[0].shape == (4, 2)


def test_a_mac_workbook_of_long_strings_is_not_a_zip_bomb() -> None:
    """Excel for Mac: a 57 MB sheet part compressed 121x (250x once grafted) is an ordinary workbook."""
    wb = Workbook(realworld("corpus/SheetJS+test_files/large_strings.xlsx"))
    grid = wb.grid("Large Strings")
    assert grid.shape == (9999, 17) and len(grid.values[-1, 0]) == 9999  # row n holds n letters


def test_strict_ooxml_ledger_sheets_are_listed() -> None:
    path = realworld("corpus/tafia+calamine/tests/strict_iso_paths.xlsx")
    with pytest.raises(Exception) as exc:
        read_ledger(path)
    assert "没有哪个工作表有“项目名称”列" in str(exc.value)  # read, and truthfully not a ledger
