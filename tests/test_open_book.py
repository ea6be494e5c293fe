"""The Excel button's refresh (``keyproject.open_book``, called by ``refresh_workbook`` in
``addin/keyproject_udfs.py``) places and fills keyproject's columns as the file refresh does: the
same library placement (``workbook.columns.locate``) and columns (``workbook.refresh.default_columns``),
in every project sheet."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from memory_book import MemoryBook
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from xlsx_fixtures import FIRST_PROJECT_ROW, PROJECTS, two_sheet_ledger, write_ledger

from keyproject.open_book import refresh_open_book
from keyproject.workbook.cells import light_rgb
from keyproject.workbook.refresh import refresh_workbook

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2023, 8, 1, 9, 0)



def _letters(columns: dict[str, int]) -> dict[str, str]:
    return {h: get_column_letter(c) for h, c in columns.items()}


@pytest.mark.parametrize("name", ["county_fushun_2023.xlsx", "city_messy_2024.xlsx", "两表"])
def test_the_button_places_and_fills_the_columns_as_the_file_refresh(name: str, tmp_path: Path) -> None:
    if name == "两表":
        source = two_sheet_ledger(tmp_path)
    else:
        source = Path(shutil.copy(ROOT / "sample_workbooks" / name, tmp_path / name))
    book = MemoryBook.from_file(source)
    button = refresh_open_book(book)
    file = refresh_workbook(source, out=tmp_path / f"refreshed_{source.name}", now=NOW)
    assert {s: _letters(c) for s, c in button.sheet_columns.items()} == file.sheet_columns
    assert len(button.sheet_columns) == (2 if name == "两表" else 1)
    written = load_workbook(file.path)
    for sheet, columns in file.sheet_columns.items():
        ws, mine = written[sheet], book.sheets[sheet]
        for header, letter in columns.items():
            col = column_index_from_string(letter)
            for row in range(FIRST_PROJECT_ROW if name == "两表" else 1, ws.max_row + 1):
                want, got = ws.cell(row, col).value, mine.cells.get((row, col))
                if isinstance(want, float):
                    assert got == pytest.approx(want), (sheet, header, row)
                else:
                    assert got == want, (sheet, header, row)
        light = column_index_from_string(columns["灯号"])
        for (row, col), value in mine.cells.items():
            if col == light and value in ("红", "黄", "绿"):
                key = {"红": "red", "黄": "yellow", "绿": "green"}[value]
                assert mine.colors[(row, col)] == light_rgb(key, value)


def test_a_second_press_finds_its_columns_again(tmp_path: Path) -> None:
    source = Path(shutil.copy(ROOT / "sample_workbooks" / "county_fushun_2023.xlsx", tmp_path / "台账.xlsx"))
    book = MemoryBook.from_file(source)
    first = refresh_open_book(book)
    cells = dict(book.sheets[first.sheet].cells)
    second = refresh_open_book(book)
    assert second.sheet_columns == first.sheet_columns
    assert book.sheets[first.sheet].cells == cells
    assert [s.name for s in book.sheets].count("汇总") == 1


def test_a_users_column_beside_the_table_is_stepped_over(tmp_path: Path) -> None:
    """A note the user keeps right of the table: keyproject's columns go past it, as in the file."""
    import xlsxwriter

    path = tmp_path / "备注.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目台账")
    write_ledger(wb, ws, PROJECTS)
    wb.close()
    last = load_workbook(path)["项目台账"].max_column
    wb = load_workbook(path)
    wb["项目台账"].cell(FIRST_PROJECT_ROW + 1, last + 2, "跟踪备注")
    wb.save(path)
    book = MemoryBook.from_file(path)
    result = refresh_open_book(book)
    assert min(result.columns.values()) != last + 2 and last + 2 not in result.columns.values()
    assert book.sheets["项目台账"].cells[(FIRST_PROJECT_ROW + 1, last + 2)] == "跟踪备注"
