"""The user's formulas keep their cached results through a refresh (openpyxl alone would blank them)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl

from keyproject.reader import read_ledger
from keyproject.workbook.cached import cached_values
from keyproject.workbook.refresh import refresh_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"


def with_cached(src: Path, dst: Path, values: dict[str, tuple[str | None, str]]) -> Path:
    """As Excel saves it: each formula cell carries its last result (``t="str"`` for text)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, (t, v) in values.items():
                    attr = f' t="{t}"' if t else ""
                    text, n = re.subn(rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)<v\s*(?:/>|></v>)',
                                      rf'<c r="{ref}"\1{attr}>\2<v>{v}</v>', text, count=1)
                    assert n == 1, ref
                data = text.encode()
            zout.writestr(item, data)
    return dst


def test_cached_results_survive_refresh(tmp_path: Path) -> None:
    values = {"L6": (None, "6867000"), "Q8": (None, "0.5"), "Q9": ("str", "待核")}
    path = with_cached(SAMPLE, tmp_path / "ledger.xlsx", values)
    assert cached_values(path)["项目台账"][b"L6"] == (None, b"6867000")
    refresh_workbook(path, now=dt.datetime(2023, 8, 1, 9, 0))
    after = cached_values(path)["项目台账"]
    assert after[b"L6"] == (None, b"6867000") and after[b"Q8"] == (None, b"0.5")
    assert after[b"Q9"] == (b"str", "待核".encode())
    formulas = openpyxl.load_workbook(path)["项目台账"]
    assert formulas["L6"].value == "=L18+L28+L39+L50+L60+L70+L80"  # still the user's formula
    data = openpyxl.load_workbook(path, data_only=True)["项目台账"]
    assert data["L6"].value == 6867000 and data["Q8"].value == 0.5 and data["Q9"].value == "待核"
    assert data["Q10"].value is None  # no cached value before, none invented
    # the next refresh reads what the user's formulas said
    ledger = read_ledger(path)
    assert ledger.projects.loc[ledger.projects["row"] == 8, "reported_rate"].iloc[0] == 0.5
