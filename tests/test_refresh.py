"""The main job: ``kp refresh`` writes lights, columns and sheets into the user's own workbook and
changes nothing else the user made (the evidence issue 4 asks for)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from wbcompare import differences, workbook_content

from keyproject.engine.report import build_report
from keyproject.errors import RefreshRefused
from keyproject.reader import read_ledger
from keyproject.workbook.refresh import refresh_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
NOW = dt.datetime(2023, 8, 1, 9, 0, 0)
SPARKLINES = (
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    "<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>'项目台账'!R8:X8</xm:f>"
    "<xm:sqref>AH8</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup>"
    "</x14:sparklineGroups></ext></extLst>"
).encode()


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A private copy of the county sample (the committed sample is never touched)."""
    path = tmp_path / "county_fushun_2023.xlsx"
    shutil.copyfile(SAMPLE, path)
    return path


def kp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keyproject", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def sheet_xml(path: Path, title: str) -> str:
    """The raw XML of the sheet called ``title``."""
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', wb).group(1)
        tag = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*>', rels).group(0)
        target = re.search(r'Target="/?(?:xl/)?([^"]+)"', tag).group(1)
        return zf.read("xl/" + target).decode()


def with_sheet_extra(path: Path, extra: bytes) -> None:
    """Insert ``extra`` at the end of the first worksheet's XML (in place)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", extra + b"</worksheet>")
            zout.writestr(item, data)
    tmp.replace(path)


# -- nothing the user made changes ------------------------------------------------------------------
def test_only_keyprojects_columns_and_sheets_differ(county: Path) -> None:
    original = county.read_bytes()
    result = refresh_workbook(county, now=NOW)
    assert result.backup is not None and result.backup.read_bytes() == original
    assert result.columns == {"差距(百分点)": "AI", "灯号": "AJ", "三类项目": "AK"}
    assert list(result.sheets.values()) == ["汇总", "红黄绿灯", "排名", "问题清单", "通报"]
    diffs = differences(result.backup, county, skip_sheets=result.sheets.values(),
                        skip_columns={result.sheet: result.columns.values()})
    assert diffs == []
    wb = openpyxl.load_workbook(county)
    assert wb.sheetnames[:5] == ["项目台账", "问题台账", "设置", "上年月度", "节点清单"]
    assert wb.sheetnames[5:] == ["汇总", "红黄绿灯", "排名", "问题清单", "通报"]
    assert wb.active.title == openpyxl.load_workbook(result.backup).active.title


def test_comparison_helper_sees_changes(county: Path, tmp_path: Path) -> None:
    """The helper is the evidence, so it must catch what it claims to check."""
    wb = openpyxl.load_workbook(county)
    ws = wb["项目台账"]
    ws["B8"].font = openpyxl.styles.Font(bold=True, color="FFFF0000")
    ws.column_dimensions["C"].width = 3
    ws["L6"] = 1
    ws.unmerge_cells("A51:K51")
    wb["问题台账"].data_validations.dataValidation.clear()
    del wb.defined_names["序时进度"]
    wb.move_sheet("设置", offset=-2)
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    text = "\n".join(differences(county, changed))
    for expected in ("项目台账!B8 style", "column C width", "项目台账!L6 value", "merged", "data validation",
                     "defined names", "sheet order"):
        assert expected in text


def test_owned_columns_hold_the_report(county: Path) -> None:
    result = refresh_workbook(county, now=NOW)
    report = build_report(read_ledger(result.backup))
    ws = openpyxl.load_workbook(county)["项目台账"]
    assert ws["AI4"].value == "差距(百分点)" and ws["AJ4"].value == "灯号" and ws["AK4"].value == "三类项目"
    assert {"AI4:AI5", "AJ4:AJ5", "AK4:AK5"} <= {str(m) for m in ws.merged_cells.ranges}
    labels = {"red": "红", "yellow": "黄", "green": "绿"}
    fills = {"红": "FFFFC7CE", "黄": "FFFFEB9C", "绿": "FFC6EFCE"}
    seen = set()
    for rec in report.projects[["row", "light", "gap_points", "three_class"]].to_dict("records"):
        r = int(rec["row"])
        light = ws.cell(row=r, column=36)
        if isinstance(rec["light"], str):
            assert light.value == labels[rec["light"]]
            assert light.fill.fgColor.rgb == fills[light.value]
            seen.add(light.value)
        else:
            assert light.value is None
        gap = ws.cell(row=r, column=35).value
        expected = rec["gap_points"]
        assert gap == pytest.approx(expected) if expected == expected else gap is None
        tc = rec["three_class"]
        assert ws.cell(row=r, column=37).value == (tc if isinstance(tc, str) else None)
    assert seen == {"红", "黄", "绿"}
    # subtotal rows (合计 / 小计) get nothing in keyproject's columns
    assert ws["A6"].value == "合计" and ws["AJ6"].value is None
    assert result.lights == {k: int(v) for k, v in report.lights.items()}


def test_refresh_twice_gives_identical_content(county: Path, tmp_path: Path) -> None:
    first = refresh_workbook(county, now=NOW)
    after_first = tmp_path / "first.xlsx"
    shutil.copyfile(county, after_first)
    second = refresh_workbook(county, now=NOW + dt.timedelta(minutes=1))
    assert second.columns == first.columns and second.sheets == first.sheets
    assert workbook_content(after_first) == workbook_content(county)
    # and the second run still changed nothing of the user's
    owned = {first.sheet: first.columns.values()}
    assert differences(first.backup, county, first.sheets.values(), owned) == []
    assert len(list((county.parent / "backups").iterdir())) == 2


def test_user_formulas_stay_and_recalculate_on_open(county: Path) -> None:
    refresh_workbook(county, now=NOW)
    ws = openpyxl.load_workbook(county)["项目台账"]
    assert ws["L6"].value == "=L18+L28+L39+L50+L60+L70+L80" and ws["L6"].data_type == "f"
    assert ws["Q8"].value == '=IFERROR(O8/M8,"")'
    with zipfile.ZipFile(county) as zf:
        assert re.search(r'<calcPr[^>]*fullCalcOnLoad="1"', zf.read("xl/workbook.xml").decode())


def test_formula_text_from_the_ledger_stays_text(county: Path) -> None:
    wb = openpyxl.load_workbook(county)
    ws = wb["项目台账"]
    link = '=HYPERLINK("http://x","点我")'
    ws["O8"] = 0  # nothing done this year: the project is red
    ws["AF8"] = link
    ws["AF8"].data_type = "s"  # stored as text in the source, as a user's typed text would be
    ws["AF8"].quotePrefix = True
    wb.save(county)
    refresh_workbook(county, now=NOW)
    lights = openpyxl.load_workbook(county)["红黄绿灯"]
    cells = [c for row in lights.iter_rows() for c in row if c.value == link]
    assert len(cells) == 1 and cells[0].data_type == "s"
    xml = sheet_xml(county, "红黄绿灯")
    assert "<f>" not in xml and "HYPERLINK" in xml
    assert "<f>" not in sheet_xml(county, "通报")


def test_user_sheet_with_keyprojects_name_is_left_alone(county: Path) -> None:
    wb = openpyxl.load_workbook(county)
    mine = wb.create_sheet("汇总")
    mine["A1"] = "我自己的汇总"
    wb.save(county)
    first = refresh_workbook(county, now=NOW)
    assert first.sheets["汇总"] == "汇总(keyproject)"
    assert any("汇总(keyproject)" in w for w in first.warnings)
    second = refresh_workbook(county, now=NOW)
    assert second.sheets == first.sheets
    wb = openpyxl.load_workbook(county)
    assert wb["汇总"]["A1"].value == "我自己的汇总"
    assert wb.sheetnames.count("汇总(keyproject)") == 1 and "汇总(keyproject2)" not in wb.sheetnames


def test_sheets_read_well(county: Path) -> None:
    refresh_workbook(county, now=NOW)
    wb = openpyxl.load_workbook(county)
    summary = [c.value for row in wb["汇总"].iter_rows() for c in row if c.value is not None]
    assert "序时进度" in summary and "双过半" in summary and "红灯" in summary and "已动工未竣工" in summary
    lights = wb["红黄绿灯"]
    assert lights.freeze_panes is not None and lights.page_setup.orientation == "landscape"
    assert lights.sheet_properties.pageSetUpPr.fitToPage
    ranking = [c.value for row in wb["排名"].iter_rows() for c in row if c.value is not None]
    assert {"按责任单位排名", "按指挥部排名", "按乡镇排名", "按包保领导排名", "红榜（按责任单位）",
            "黑榜（按责任单位）"} <= set(ranking)
    problems = [c.value for row in wb["问题清单"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("超期未销号问题") for v in problems)
    assert any(v.startswith("已销号问题") for v in problems)
    bulletin = [c.value for c in wb["通报"]["A"] if c.value]
    assert any("1-7月" in v and "序时进度" in v for v in bulletin)


# -- refusals ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lock", ["~$county_fushun_2023.xlsx", ".~lock.county_fushun_2023.xlsx#"])
def test_open_workbook_is_refused(county: Path, lock: str) -> None:
    (county.parent / lock).write_text("x", encoding="utf-8")
    original = county.read_bytes()
    proc = kp("refresh", str(county), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "打开" in proc.stderr and "Traceback" not in proc.stderr
    assert county.read_bytes() == original
    assert not (county.parent / "backups").exists()


SIGNATURE_REL = (b'<Relationship Id="rIdSig" Type="http://schemas.openxmlformats.org/package/2006/'
                 b'relationships/digital-signature/origin" Target="_xmlsignatures/origin.sigs"/>')


def with_signature(path: Path) -> None:
    """A document signature as Excel stores it: an origin part, one signature, the root relationship."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", SIGNATURE_REL + b"</Relationships>")
            zout.writestr(item, data)
        zout.writestr("_xmlsignatures/origin.sigs", b"")
        zout.writestr("_xmlsignatures/_rels/origin.sigs.rels",
                      b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                      b'digital-signature/signature" Target="sig1.xml"/></Relationships>')
        zout.writestr("_xmlsignatures/sig1.xml", b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>')
    tmp.replace(path)


def test_content_an_edit_cannot_keep_refuses_then_out_and_force(county: Path, tmp_path: Path) -> None:
    with_signature(county)
    original = county.read_bytes()
    proc = kp("refresh", str(county), "--quiet")
    assert proc.returncode == 2
    assert "数字签名" in proc.stderr and "--out" in proc.stderr and "--force" in proc.stderr
    assert county.read_bytes() == original

    out = tmp_path / "刷新后.xlsx"
    proc = kp("refresh", str(county), "--quiet", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert county.read_bytes() == original and out.exists()
    assert "汇总" in openpyxl.load_workbook(out).sheetnames
    assert "数字签名" in proc.stdout  # says what the new file does not keep
    with zipfile.ZipFile(out) as zf:  # unsigned rather than carrying a signature that no longer verifies
        assert not any(n.startswith("_xmlsignatures/") for n in zf.namelist())
        assert b"digital-signature" not in zf.read("_rels/.rels")
    assert sorted(p.name for p in county.parent.iterdir()) == [  # nothing written beside the original
        "county_fushun_2023.xlsx", "刷新后.keyproject.sqlite", "刷新后.xlsx"]

    proc = kp("refresh", str(county), "--quiet", "--force")
    assert proc.returncode == 0, proc.stderr
    assert county.read_bytes() != original
    assert len(list((county.parent / "backups").iterdir())) == 1


def test_content_it_does_not_touch_is_never_a_reason_to_refuse(county: Path) -> None:
    """Sparklines, which the openpyxl round trip lost, stay byte for byte and the refresh runs."""
    with_sheet_extra(county, SPARKLINES)
    result = refresh_workbook(county, now=NOW)
    assert result.losses == [] and not any("丢失" in w for w in result.warnings)
    assert SPARKLINES in sheet_xml(county, result.sheet).encode()


def test_refusal_in_python(county: Path) -> None:
    with_signature(county)
    with pytest.raises(RefreshRefused, match="数字签名"):
        refresh_workbook(county, now=NOW)


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_legacy_formats_are_refused_with_the_way_out(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"台账{suffix}"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    for extra in ([], ["--out", str(tmp_path / "新.xlsx")]):
        proc = kp("refresh", str(path), "--quiet", *extra)
        assert proc.returncode == 2 and "另存为 .xlsx" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_output_keeps_the_sources_format(county: Path, tmp_path: Path) -> None:
    proc = kp("refresh", str(county), "--quiet", "--out", str(tmp_path / "新.xlsm"))
    assert proc.returncode == 2 and "扩展名" in proc.stderr


def test_bad_input_exits_2(tmp_path: Path) -> None:
    proc = kp("refresh", str(tmp_path / "无此文件.xlsx"), "--quiet")
    assert proc.returncode == 2 and "找不到" in proc.stderr
    proc = kp("refresh", str(SAMPLE), "--quiet", "--as-of", "七月底")
    assert proc.returncode == 2 and "日期" in proc.stderr


# -- crashes ----------------------------------------------------------------------------------------
def test_killed_before_replace_leaves_original(county: Path) -> None:
    """SIGKILL once the new workbook is fully written but not yet moved over the original."""
    original = county.read_bytes()
    flag = county.parent / "hold.flag"
    proc = subprocess.Popen([sys.executable, "-m", "keyproject", "refresh", str(county), "--quiet"],
                            env={**os.environ, "KP_TEST_HOLD_BEFORE_REPLACE": str(flag)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "refresh never reached the write"
            time.sleep(0.02)
        temps = [p for p in county.parent.iterdir() if p.name.startswith(".county_fushun_2023.kp-")]
        assert temps and temps[0].stat().st_size > 0  # the new workbook exists beside the original
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert county.read_bytes() == original


def big_ledger(path: Path, n: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(["序号", "项目名称", "责任单位", "年度计划投资", "1-7月完成投资", "计划开工时间",
               "实际开工时间", "存在问题"])
    for i in range(n):
        ws.append([i + 1, f"项目{i:05d}", f"单位{i % 17}", 1000 + i % 900, (i * 37) % 1500,
                   dt.datetime(2023, 1 + i % 12, 1), None if i % 5 == 0 else dt.datetime(2023, 3, 1), "无"])
    wb.save(path)
    return path


def test_killed_while_writing_leaves_original(tmp_path: Path) -> None:
    """SIGKILL as soon as the temporary file appears, while the new package is still being written."""
    path = big_ledger(tmp_path / "big.xlsx", 30000)
    original = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "keyproject", "refresh", str(path), "--quiet",
                             "--as-of", "2023-07-31"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_while_writing = False
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(".big.kp-") for p in tmp_path.iterdir()):
                proc.send_signal(signal.SIGKILL)
                killed_while_writing = True
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert killed_while_writing, "the refresh finished before the kill"
    assert path.read_bytes() == original
    # the next refresh works and points at what the interrupted one left behind
    result = refresh_workbook(path, as_of=dt.date(2023, 7, 31), now=NOW)
    assert any("临时文件" in w for w in result.warnings)


# -- macros -----------------------------------------------------------------------------------------
VBA = bytes(range(256)) * 64  # stands in for a compiled VBA project: opaque bytes that must survive


def make_xlsm(src: Path, dst: Path) -> Path:
    """An .xlsm: the workbook plus a vbaProject.bin part, its content type and relationship."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                text = data.decode().replace(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                text = text.replace(
                    "</Types>",
                    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
                data = text.encode()
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba1" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    b'vbaProject" Target="vbaProject.bin"/></Relationships>')
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", VBA)
    return dst


def test_xlsm_keeps_its_macros(county: Path) -> None:
    xlsm = make_xlsm(county, county.with_suffix(".xlsm"))
    result = refresh_workbook(xlsm, now=NOW)
    with zipfile.ZipFile(xlsm) as zf:
        assert zf.read("xl/vbaProject.bin") == VBA
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
        assert "vbaProject" in zf.read("xl/_rels/workbook.xml.rels").decode()
    assert "汇总" in openpyxl.load_workbook(xlsm).sheetnames
    owned = {result.sheet: result.columns.values()}
    assert differences(result.backup, xlsm, result.sheets.values(), owned) == []


# -- the command ------------------------------------------------------------------------------------
def test_cli_prints_a_chinese_summary(county: Path) -> None:
    proc = kp("refresh", str(county), "--quiet", "--as-of", "2023-07-31")
    assert proc.returncode == 0, proc.stderr
    report = build_report(read_ledger(SAMPLE), as_of=dt.date(2023, 7, 31))
    assert f"红灯{report.lights['red']}个" in proc.stdout
    assert "差距(百分点)（AI列）" in proc.stdout and "备份" in proc.stdout
    assert (county.parent / "county_fushun_2023.keyproject.sqlite").exists()


# -- consolidation of the units' submissions ----------------------------------------------------------
SUBMISSIONS = ROOT / "sample_workbooks" / "submissions"


@pytest.mark.skipif(not SUBMISSIONS.exists(), reason="sample submissions not generated")
def test_submissions_are_consolidated_into_the_users_cells(county: Path) -> None:
    result = refresh_workbook(county, submissions=[SUBMISSIONS], now=NOW)
    messages = [str(i) for i in result.issues]
    # nothing dropped silently: the unmatched row and the duplicate are listed with file, sheet, row
    assert any("未能与台账匹配" in m and "交通运输局_8月报送.xlsx" in m and "第14行" in m for m in messages)
    assert any("重复报送" in m and "第10行" in m for m in messages)
    assert len(result.updates) > 0
    wb = openpyxl.load_workbook(county)
    before = openpyxl.load_workbook(result.backup)
    ws, old = wb[result.sheet], before[result.sheet]
    updated = set()
    for rec in result.updates.to_dict("records"):
        coord = f"{rec['column']}{int(rec['row'])}"
        updated.add(f"{result.sheet}!{coord}")
        cell = ws[coord]
        new = rec["new"]
        if isinstance(new, str):
            assert cell.value == new
        elif isinstance(cell.value, dt.datetime):
            assert cell.value.date() == pd_date(new)
        else:
            assert cell.value == pytest.approx(float(new))
        assert cell.number_format == old[coord].number_format  # the user's format stays
    # the period moved to August: the title's and the header's 1-7月 follow, each cell listed
    assert [(e.cell, e.new) for e in result.period_edits] == [
        ("A1", "2023年富顺县重大项目推进情况表（1-8月）"), ("O5", "1-8月完成投资")]
    updated |= {f"{e.sheet}!{e.cell}" for e in result.period_edits}
    owned = {result.sheet: result.columns.values()}
    diffs = differences(result.backup, county, result.sheets.values(), owned)
    changed = {d.split(" ")[0] for d in diffs}
    assert changed == updated and all(" value " in d for d in diffs)  # only the updated values changed
    # the lights are those of the consolidated figures
    ledger = read_ledger(county)
    total = result.report.projects["ytd_completed"].sum()
    assert ledger.projects["ytd_completed"].sum() == pytest.approx(total)


def pd_date(value: object) -> dt.date:
    import pandas as pd

    return pd.Timestamp(value).date()


def test_owned_columns_skip_a_column_holding_anything(county: Path) -> None:
    wb = openpyxl.load_workbook(county)
    wb["项目台账"]["AI20"] = "用户写在表外的说明"
    wb["项目台账"].merge_cells("AJ7:AK7")  # an empty merged block beside a group row (AJ is empty)
    wb["项目台账"]["AK21"] = "另一处说明"
    wb.save(county)
    result = refresh_workbook(county, now=NOW)
    assert result.columns == {"差距(百分点)": "AL", "灯号": "AM", "三类项目": "AN"}
    assert openpyxl.load_workbook(county)["项目台账"]["AI20"].value == "用户写在表外的说明"
    again = refresh_workbook(county, now=NOW)
    assert again.columns == result.columns


def test_submitted_figures_respect_the_users_cells(county: Path) -> None:
    """Amounts keep the cell's format, dates get one, text stays text, formulas are never overwritten."""
    import pandas as pd

    from keyproject.workbook.updates import CellEdit, submitted_edits

    wb = openpyxl.load_workbook(county)
    wb["项目台账"]["O9"] = "=SUM(R9:X9)"  # the user computes this ytd with a formula
    wb.save(county)
    fmt = openpyxl.load_workbook(county)["项目台账"]["O8"].number_format
    ledger = read_ledger(county)
    label = ledger.projects.index[ledger.projects["row"] == 8][0]
    src = {"file": "a.xlsx", "sheet": "s", "source_row": 3, "old": None, "project": label, "row": 8}
    updates = pd.DataFrame([{**src, "field": "m08", "new": 5.0}], index=[label])
    warnings: list[str] = []
    edits, _ = submitted_edits(ledger, updates, warnings)
    assert edits == [] and any("8月完成投资" in w for w in warnings)  # no such column: only for the report
    cell_edits = [CellEdit("项目台账", 8, 15, 40000.0, "amount"),
                  CellEdit("项目台账", 9, 15, 123.0, "amount"),
                  CellEdit("项目台账", 8, 28, pd.Timestamp("2023-08-02"), "date"),
                  CellEdit("项目台账", 8, 32, "=1+1")]
    result = refresh_workbook(county, now=NOW, cell_edits=cell_edits)
    assert sorted(e.ref for e in result.edits) == ["AB8", "AF8", "O8"]
    assert any("O9" in w and "公式" in w for w in result.warnings)
    ws = openpyxl.load_workbook(county)["项目台账"]
    assert ws["O8"].value == 40000.0 and ws["O8"].number_format == fmt
    assert ws["O9"].value == "=SUM(R9:X9)" and ws["O9"].data_type == "f"
    assert ws["AB8"].value == dt.datetime(2023, 8, 2) and ws["AB8"].is_date
    assert ws["AF8"].value == "=1+1" and ws["AF8"].data_type == "s" and ws["AF8"].quotePrefix
    owned = {result.sheet: result.columns.values()}
    changed = {d.split(" ")[0] for d in differences(result.backup, county, result.sheets.values(), owned)}
    assert changed == {"项目台账!O8", "项目台账!AB8", "项目台账!AF8"}


def test_history_goes_where_asked(county: Path, tmp_path: Path) -> None:
    from keyproject.engine.history import History

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    result = refresh_workbook(county, history_url=url, now=NOW)
    assert result.history == url
    with History.open(url) as h:
        assert h.dates() == [dt.date(2023, 7, 31)]
    assert not (county.parent / "county_fushun_2023.keyproject.sqlite").exists()
    refresh_workbook(county, history_url=url, now=NOW)  # the same as_of replaces, not duplicates
    with History.open(url) as h:
        assert h.dates() == [dt.date(2023, 7, 31)]


def test_progress_bar_runs(county: Path) -> None:
    proc = kp("refresh", str(county))
    assert proc.returncode == 0, proc.stderr
    assert "已刷新" in proc.stdout


CITY = ROOT / "sample_workbooks" / "city_messy_2024.xlsx"


@pytest.mark.skipif(not CITY.exists(), reason="city sample not generated")
def test_messy_city_ledger_keeps_everything_too(tmp_path: Path) -> None:
    path = tmp_path / CITY.name
    shutil.copyfile(CITY, path)
    result = refresh_workbook(path, now=NOW)
    assert result.lights and sum(result.lights.values()) > 0
    owned = {result.sheet: result.columns.values()}
    assert differences(result.backup, path, result.sheets.values(), owned) == []
    first = workbook_content(path)
    refresh_workbook(path, now=NOW)
    assert workbook_content(path) == first


def test_a_users_own_light_column_stays_the_users(county: Path) -> None:
    wb = openpyxl.load_workbook(county)
    ws = wb["项目台账"]
    ws["AI4"] = "灯号"  # the office lit projects by hand before keyproject
    ws["AI8"] = "自评绿"
    wb.save(county)
    first = refresh_workbook(county, now=NOW)
    assert "AI" not in first.columns.values()
    assert any("已有用户自己的“灯号”列（AI列）" in w for w in first.warnings)
    ws = openpyxl.load_workbook(county)["项目台账"]
    assert ws["AI4"].value == "灯号" and ws["AI8"].value == "自评绿"
    second = refresh_workbook(county, now=NOW)
    assert second.columns == first.columns
    owned = {first.sheet: first.columns.values()}
    assert differences(first.backup, county, first.sheets.values(), owned) == []


def test_a_refused_refresh_leaves_no_history_behind(county: Path) -> None:
    """A wrong date is refused before anything is written: no backup, no SQLite file."""
    for bad in (["--as-of", "七月底"], ["--as-of", "2022-07-31"]):
        proc = kp("refresh", str(county), "--quiet", *bad)
        assert proc.returncode == 2, proc.stderr
    assert sorted(p.name for p in county.parent.iterdir()) == [county.name]
