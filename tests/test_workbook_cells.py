"""Safe text cells, backups and the atomic write."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from keyproject.workbook.backup import atomic_write, backup_copy
from keyproject.workbook.cells import put, put_light


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_saved_as_text(tmp_path: Path, text: str) -> None:
    wb = openpyxl.Workbook()
    put(wb.active["A1"], text)
    wb.save(tmp_path / "a.xlsx")
    xml = zipfile.ZipFile(tmp_path / "a.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    cell = openpyxl.load_workbook(tmp_path / "a.xlsx").active["A1"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_values_are_converted() -> None:
    ws = openpyxl.Workbook().active
    assert put(ws["A1"], np.float64("nan")).value is None
    assert put(ws["A2"], pd.Timestamp("2023-07-31")).value == dt.datetime(2023, 7, 31)
    assert put(ws["A3"], np.int64(3)).value == 3
    assert put(ws["A4"], ["甲", "乙"]).value == "甲；乙"
    assert put(ws["A5"], "普通文字").data_type == "s"


def test_light_cells() -> None:
    ws = openpyxl.Workbook().active
    put_light(ws["A1"], "red")
    put_light(ws["A2"], "green", "蓝")
    put_light(ws["A3"], None)
    assert ws["A1"].value == "红" and ws["A1"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["A2"].value == "蓝" and ws["A2"].fill.fgColor.rgb == "FFBDD7EE"
    assert ws["A3"].value is None and ws["A3"].fill.fill_type is None


def test_backup_names_do_not_clash(tmp_path: Path) -> None:
    src = tmp_path / "台账.xlsx"
    src.write_bytes(b"original")
    now = dt.datetime(2023, 8, 1, 9, 30, 0)
    a, b = backup_copy(src, now), backup_copy(src, now)
    assert a.parent == tmp_path / "backups" and a.name == "台账.20230801-093000.xlsx"
    assert b != a and b.read_bytes() == a.read_bytes() == b"original"


def test_atomic_write_failure_leaves_original(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"original")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]  # no temporary file left


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"original")
    atomic_write(target, lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
