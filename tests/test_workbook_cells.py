"""Safe values and keyproject's formats, backups and the atomic write."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from keyproject.workbook.backup import atomic_write, backup_copy
from keyproject.workbook.cells import combine, light_style, text_style, to_value


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_written_as_text(tmp_path: Path, text: str) -> None:
    from keyproject.package import Cell, Package, Row, Sheet, worksheet_xml

    path = tmp_path / "a.xlsx"
    openpyxl.Workbook().save(path)
    with Package(path) as pkg:
        style = pkg.styles.derive(0, text_style(text))  # type: ignore[arg-type]
        pkg.replace_worksheet(pkg.sheets()[0], worksheet_xml(Sheet([Row(1, [(1, Cell(text, style))])])))
        pkg.save(tmp_path / "b.xlsx")
    xml = zipfile.ZipFile(tmp_path / "b.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    cell = openpyxl.load_workbook(tmp_path / "b.xlsx").active["A1"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_values_are_converted() -> None:
    assert to_value(np.float64("nan")) is None and to_value(pd.NA) is None and to_value(pd.NaT) is None
    assert to_value(pd.Timestamp("2023-07-31")) == dt.datetime(2023, 7, 31)
    assert to_value(np.int64(3)) == 3 and type(to_value(np.int64(3))) is int
    assert to_value(["甲", "乙"]) == "甲；乙"
    assert to_value(float("inf")) is None
    assert text_style("普通文字") is None


def test_light_formats() -> None:
    red = light_style("red")
    assert red.fill.color == "FFFFC7CE" and red.font.bold and red.font.color == "FF9C0006"  # type: ignore[union-attr]
    assert light_style("green", "蓝").fill.color == "FFBDD7EE"  # type: ignore[union-attr]  # Zhaoqing's blue
    assert combine(red, text_style("=x")).quote_prefix and combine(red, None) == red  # type: ignore[union-attr]


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
