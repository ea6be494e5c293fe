"""Legacy .xls and WPS .et workbooks (OLE files holding BIFF), converted by LibreOffice as offices'
files are: read exactly as the .xlsx they came from, with the same size and extent guards — and the
guards are needed: calamine aborts the process on a 5.6 KB .xls whose DIMENSIONS record lies."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from keyproject.cli import main
from keyproject.errors import LedgerFileError
from keyproject.reader import read_ledger
from keyproject.safety import check_workbook
from keyproject.samples import shapes

pytestmark = pytest.mark.libreoffice
CONVERTED = ("multi_post", "typed_headers", "year_columns", "states", "packages")


def soffice_convert(files: list[Path], out: Path, profile: Path) -> None:
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
           "--outdir", str(out), *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for f in files:
        assert (out / f"{f.stem}.xls").exists(), proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, shapes.Truth]]:
    """Each shape as .xlsx (XlsxWriter) and .xls (LibreOffice), in one soffice run."""
    src = tmp_path_factory.mktemp("xlsx")
    out = tmp_path_factory.mktemp("xls")
    built = {name: shapes.build(name, src) for name in CONVERTED}
    ledger = openpyxl.Workbook()
    ws = ledger.active
    ws.title = "项目台账"
    for r in (["项目名称", "年度计划投资"], ["甲项目", 100]):
        ws.append(r)
    ledger.save(src / "small.xlsx")
    far = openpyxl.Workbook()
    ws = far.active
    ws.title = "项目台账"
    for r in (["项目名称", "年度计划投资"], ["甲项目", 100]):
        ws.append(r)
    ws["IV65536"] = 1  # the farthest cell BIFF8 can hold
    far.save(src / "far.xlsx")
    soffice_convert([p for p, _ in built.values()] + [src / "small.xlsx", src / "far.xlsx"], out,
                    tmp_path_factory.mktemp("profile"))
    result = {name: (p, out / f"{name}.xls", t) for name, (p, t) in built.items()}
    result["small"] = (src / "small.xlsx", out / "small.xls", None)  # type: ignore[assignment]
    result["far"] = (src / "far.xlsx", out / "far.xls", None)  # type: ignore[assignment]
    return result


def inspect(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["inspect", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("shape", CONVERTED)
def test_xls_reads_as_the_xlsx_it_came_from(shape: str, legacy: dict,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    xlsx, xls, truth = legacy[shape]
    with open(xls, "rb") as fh:
        assert fh.read(8) == bytes.fromhex("D0CF11E0A1B11AE1")  # a real OLE file
    a, b = inspect(xlsx, capsys), inspect(xls, capsys)
    assert b["format"] == "xls" and a["format"] == "xlsx"
    assert b["projects"] == a["projects"]
    assert (b["report_year"], b["report_month"]) == (truth.year, truth.month)
    assert [(d["sheet"], d["action"], d["reason"]) for d in b["sheets"]] == [
        (d["sheet"], d["action"], d["reason"]) for d in a["sheets"]]
    assert {(d["column"], d["field"], d["reason"]) for d in b["column_decisions"]} == {
        (d["column"], d["field"], d["reason"]) for d in a["column_decisions"]}
    assert main(["report", str(xls), "--json"]) == 0
    report_b = json.loads(capsys.readouterr().out)
    assert main(["report", str(xlsx), "--json"]) == 0
    assert report_b == json.loads(capsys.readouterr().out)


def test_cross_sheet_formulas_and_hidden_columns_survive_in_biff(legacy: dict) -> None:
    """The 汇总 of ='工业项目指挥部'!B4 formulas is still found a summary (3-D references in the
    BIFF formula tokens), and the hidden 2024 column is still hidden (COLINFO)."""
    _, xls, _ = legacy["multi_post"]
    info = check_workbook(xls)
    summary = next(s for s in info.sheets if s.name == "汇总")
    assert summary.cross_sheet_cells.get(1, 0) == 8 and summary.formula_cells.get(2, 0) == 0
    _, xls, _ = legacy["year_columns"]
    assert check_workbook(xls).sheets[0].hidden_columns == frozenset({3})


def test_wps_et_is_read_like_xls(legacy: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """WPS Spreadsheets' .et is the same OLE/BIFF8 container (WPS adds streams of its own beside the
    Workbook stream); the content decides, not the extension."""
    _, xls, truth = legacy["multi_post"]
    et = tmp_path / "台账.et"
    shutil.copy(xls, et)
    data = inspect(et, capsys)
    assert data["format"] == "xls" and len(data["projects"]) == len(truth.projects)


def test_refreshing_a_legacy_file_in_place_is_refused(legacy: dict, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _, xls, _ = legacy["small"]
    for suffix in (".xls", ".et"):
        copy = tmp_path / f"copy{suffix}"
        shutil.copy(xls, copy)
        before = copy.read_bytes()
        assert main(["refresh", str(copy)]) == 2
        err = capsys.readouterr().err
        assert ".xlsx" in err and "Traceback" not in err
        assert copy.read_bytes() == before


def test_a_far_cell_in_biff_is_refused_before_calamine(legacy: dict) -> None:
    _, xls, _ = legacy["far"]
    with pytest.raises(LedgerFileError) as exc:
        read_ledger(xls)
    text = str(exc.value)
    assert "IV65536" in text and "过大" in text and "项目台账" in text


def _lying_dimensions(src: Path, dst: Path) -> Path:
    data = bytearray(src.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes: rwMic, rwMac (u32), colMic, colMac
    assert at > 0
    data[at + 8: at + 12] = struct.pack("<I", 0xFFFFFFF0)
    dst.write_bytes(bytes(data))
    return dst


def test_a_lying_dimensions_record_exits_2(legacy: dict, tmp_path: Path) -> None:
    bad = _lying_dimensions(legacy["small"][1], tmp_path / "dim.xls")
    proc = subprocess.run([sys.executable, "-m", "keyproject", "inspect", str(bad), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "dim.xls" in proc.stderr and "过大" in proc.stderr and "Traceback" not in proc.stderr


def test_the_biff_guard_is_needed(legacy: dict, tmp_path: Path) -> None:
    """Without the walk, calamine reserves what DIMENSIONS declares and kills the interpreter."""
    bad = _lying_dimensions(legacy["small"][1], tmp_path / "dim.xls")
    code = f"import python_calamine as pc; pc.CalamineWorkbook.from_path({str(bad)!r})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode < 0 or proc.returncode > 100, proc.returncode  # SIGABRT, not an exception


def test_a_legacy_submission_is_consolidated(legacy: dict) -> None:
    """A unit that sends its figures as .xls: the consolidation reads it through read_ledger."""
    from keyproject.submissions import consolidate

    xlsx, xls, truth = legacy["typed_headers"]
    result = consolidate(read_ledger(xlsx), [xls])
    assert result.files == [xls]
    assert not [i for i in result.issues if "无法读取" in i.message]
    assert result.matched_count == len(truth.projects)
