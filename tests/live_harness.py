"""LibreOffice headless as the spreadsheet in which staff type into a ledger after ``kp refresh --live``.

- ``live_refresh(src, dst)``: a copy of ``src`` refreshed with ``kp refresh --live`` (the command
  itself, in a subprocess, as staff run it).
- ``type_cells(path, {(sheet, row, field): value})``: values typed into the user's cells, the way a
  spreadsheet saves what was typed: only those cells' XML changes (``keyproject.package``), every
  other byte of the file stays, the refresh's formulas and conditional formats included.
- ``recalculate``: LibreOffice opens the file (the refresh asked for full recalculation on load),
  recalculates and saves it, with a private profile per call.
- ``lights``: the 差距 and 灯号 LibreOffice computed, per (sheet, row); ``expected``: ``kp report`` on
  the same workbook.
- ``fills``: the background LibreOffice paints each 灯号 cell with, read from its HTML export (the
  export applies conditional formats to the cells it writes).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from lxml import html

from keyproject.engine.report import build_report
from keyproject.package import Package, SheetEdits, edit_sheet
from keyproject.package.cells import Cell, column_index
from keyproject.package.sheet_edit import ExistingCell
from keyproject.reader import read_ledger

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
GAP, LIGHT = "差距(百分点)", "灯号"
NOW = "2023-08-01"
Key = tuple[str, int]  # (sheet, row)


@dataclass(frozen=True)
class Live:
    """A workbook after ``kp refresh --live``: where its live columns are."""

    path: Path
    columns: dict[str, dict[str, str]]  # sheet → header → letter
    rows: list[Key]  # the project rows
    summary: str  # what the command printed


def _kp(*args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "keyproject", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def live_refresh(src: Path, dst: Path, *extra: str) -> Live:
    """``dst`` (a copy of ``src``, or ``src`` itself) refreshed by ``kp refresh --live``."""
    if src != dst:
        shutil.copyfile(src, dst)
    summary = _kp("refresh", str(dst), "--live", "--quiet", *extra, cwd=dst.parent)
    import zipfile

    from keyproject.package.marks import read_marks

    with zipfile.ZipFile(dst) as zf:
        columns = {s: dict(c) for s, c in read_marks(zf).columns.items()}
    report = build_report(read_ledger(dst))
    rows = [(str(s), int(r)) for s, r in zip(report.projects["sheet"], report.projects["row"], strict=True)]
    return Live(dst, columns, rows, summary)


def live_result(path: Path, result: Any) -> Live:
    """The ``Live`` of a workbook refreshed in process (``refresh_workbook(..., live=True)``)."""
    p = result.report.projects
    rows = [(str(s), int(r)) for s, r in zip(p["sheet"], p["row"], strict=True)]
    return Live(path, dict(result.sheet_columns), rows, "")


def type_cells(path: Path, typed: Mapping[tuple[str, int, str], Any]) -> None:
    """Type ``typed`` ((sheet, row, field key or column letter) → value; None clears) into ``path``."""
    ledger = read_ledger(path)
    by_sheet: dict[str, dict[tuple[int, int], Any]] = {}
    for (sheet, row, what), value in typed.items():
        if what.isascii() and what.isupper() and what.isalpha():
            col = column_index(what)
        else:
            found = ledger.layout(sheet).column_of(what)
            assert found is not None, (sheet, what)
            col = found.index + 1
        by_sheet.setdefault(sheet, {})[(row, col)] = value
    tmp = path.with_name(path.stem + ".typing" + path.suffix)
    with Package(path) as pkg:
        for sheet, cells in by_sheet.items():
            entry = pkg.workbook.sheet(sheet)
            assert entry is not None and entry.part is not None
            edits = SheetEdits(date1904=pkg.workbook.date1904)
            for (row, col), value in cells.items():
                def typed_value(existing: ExistingCell | None, value: Any = value) -> Cell:
                    return Cell(value, existing.style if existing is not None else None)

                edits.set_value(row, col, typed_value)
            pkg.write(entry.part, edit_sheet(pkg.read(entry.part), edits).data)
        pkg.save(tmp)
    tmp.replace(path)


# LibreOffice's own setting "recalculation on file load" for Excel 2007+ files, in the private profile:
# always (0). By default it shows the cached results (the refresh's, right when it was made) and
# recalculates what staff change as they type; a file whose cells were changed outside any
# spreadsheet must be recalculated on load instead.
_RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(path: Path, outdir: Path, profile: Path, to: str = "xlsx") -> Path:
    """One file through LibreOffice headless, recalculated on load, saved as ``to``."""
    return recalculate_all([path], outdir, profile, to)[0]


def recalculate_all(paths: list[Path], outdir: Path, profile: Path, to: str = "xlsx") -> list[Path]:
    """Several files recalculated with one LibreOffice start (their names must differ)."""
    assert SOFFICE, "LibreOffice is installed by .ci/run"
    assert len({p.stem for p in paths}) == len(paths)
    outdir.mkdir(parents=True, exist_ok=True)
    settings = profile / "user" / "registrymodifications.xcu"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(_RECALC_ON_LOAD, encoding="utf-8")
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
                    "--convert-to", to, "--outdir", str(outdir), *map(str, paths)],
                   check=True, capture_output=True, timeout=300 if len(paths) == 1 else 600)
    out = [outdir / f"{p.stem}.{to}" for p in paths]
    assert all(o.is_file() for o in out), "LibreOffice wrote every file"
    return out


def settings_row(path: Path, key: str, sheet: str = "设置") -> int:
    """The row of ``key`` in the 设置 sheet of ``path``."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row and row[0] == key:
            return i
    raise AssertionError(f"no {key} in {sheet}")


def lights(recalculated: Path, live: Live) -> dict[Key, tuple[Any, Any]]:
    """(sheet, row) → (差距, 灯号) as LibreOffice computed them (its cached results, read with
    python-calamine: openpyxl cannot load every file LibreOffice writes)."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(recalculated))
    grids: dict[str, list[list[Any]]] = {}
    out = {}
    for sheet, row in live.rows:
        if sheet not in grids:
            grids[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        cols = live.columns[sheet]
        cells = grids[sheet][row - 1] if row - 1 < len(grids[sheet]) else []

        def at(letter: str, cells: list[Any] = cells) -> Any:
            i = column_index(letter) - 1
            return cells[i] if i < len(cells) else None

        out[(sheet, row)] = (at(cols[GAP]), at(cols[LIGHT]))
    return out


def expected(path: Path) -> dict[Key, tuple[float | None, str]]:
    """(sheet, row) → (gap, light label) by ``kp report`` on ``path``."""
    report = build_report(read_ledger(path))
    label = report.rules.light_label
    p = report.projects
    out = {}
    for sheet, row, gap, light in zip(p["sheet"], p["row"], p["gap_points"], p["light"], strict=True):
        out[(str(sheet), int(row))] = (None if gap != gap else float(gap),
                                       label(light) if isinstance(light, str) else "")
    return out


def compare(got: Mapping[Key, tuple[Any, Any]], want: Mapping[Key, tuple[float | None, str]]) -> list[tuple]:
    """Every row where LibreOffice's 差距 or 灯号 is not ``kp report``'s."""
    bad = []
    for key, (gap, light) in want.items():
        g, li = got[key]
        if (li or "") != light:
            bad.append((key, "light", li, light))
        if gap is None:
            if g not in (None, ""):
                bad.append((key, "gap", g, gap))
        elif not isinstance(g, (int, float)) or round(g, 2) != gap:
            bad.append((key, "gap", g, gap))
    return bad


def _table(doc: Any, sheet: str) -> Any:
    for anchor in doc.iter("a"):
        if (anchor.get("name") or "").startswith("table") and anchor.findtext(".//em") == sheet:
            table = anchor.getnext()
            while table is not None and table.tag != "table":
                table = table.getnext()
            assert table is not None, sheet
            return table
    raise AssertionError(f"no table for sheet {sheet}")


def fills(exported: Path, live: Live) -> dict[Key, tuple[str, str | None]]:
    """(sheet, row) → (the 灯号 cell's text, its background colour "#RRGGBB" or None) in LibreOffice's
    HTML export of the recalculated workbook."""
    doc = html.fromstring(exported.read_bytes().decode("utf-8"))
    out: dict[Key, tuple[str, str | None]] = {}
    for sheet in {s for s, _ in live.rows}:
        grid: dict[tuple[int, int], Any] = {}
        for r, tr in enumerate(_table(doc, sheet).iter("tr"), start=1):
            c = 1
            for td in tr.iter("td"):
                while (r, c) in grid:
                    c += 1
                rs, cs = int(td.get("rowspan") or 1), int(td.get("colspan") or 1)
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = td
                c += cs
        col = column_index(live.columns[sheet][LIGHT])
        for s, row in live.rows:
            if s == sheet:
                td = grid[(row, col)]
                out[(s, row)] = (td.text_content().strip(), (td.get("bgcolor") or "").upper() or None)
    return out


def day(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d)
