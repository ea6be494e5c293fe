"""Bad files get a clear Chinese error naming the file, before any parser sees them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fixtures_workbooks import make_workbook, rewrite_member

from keyproject.errors import LedgerFileError
from keyproject.reader import read_ledger
from keyproject.safety import OLE_MAGIC, Limits, check_workbook

SHEET = "xl/worksheets/sheet1.xml"
FAR_CELL = '<row r="1048576"><c r="XFD1048576" t="n"><v>5</v></c></row></sheetData>'


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "ok.xlsx", [["项目名称", "年度计划投资"], ["甲", 100]])


def refused(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(LedgerFileError) as exc:
        check_workbook(path, limits)
    text = str(exc.value)
    assert path.name in text
    return text


def ole_file(path: Path, *streams: str) -> Path:
    body = b"".join(s.encode("utf-16-le") + b"\x00" * 16 for s in streams)
    path.write_bytes(OLE_MAGIC + b"\x00" * 504 + body + b"\x00" * 1024)
    return path


def test_a_good_workbook_passes(ledger: Path) -> None:
    info = check_workbook(ledger)
    assert info.sheet_names == ["项目台账"]
    sheet = info.sheets[0]
    assert sheet.declared == "A1:B2" and not sheet.too_large and sheet.state == "visible"


def test_missing_directory_and_empty(tmp_path: Path) -> None:
    assert "不存在" in refused(tmp_path / "nope.xlsx")
    (tmp_path / "d.xlsx").mkdir()
    assert "文件夹" in refused(tmp_path / "d.xlsx")
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert "空" in refused(tmp_path / "e.xlsx")


def test_size_limit(ledger: Path) -> None:
    assert "超过上限" in refused(ledger, Limits(max_file_bytes=1000))


def test_legacy_xls(tmp_path: Path) -> None:
    assert ".xls" in refused(ole_file(tmp_path / "old.xls", "Root Entry", "Workbook", "SummaryInformation"))


def test_encrypted_workbook(tmp_path: Path) -> None:
    text = refused(ole_file(tmp_path / "secret.xlsx", "Root Entry", "EncryptionInfo", "EncryptedPackage"))
    assert "密码" in text


def test_unknown_ole_file(tmp_path: Path) -> None:
    text = refused(ole_file(tmp_path / "odd.xlsx", "Root Entry"))
    assert "密码" in text and ".xlsx" in text


def test_csv_renamed(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("项目名称,总投资\n甲,100\n", encoding="utf-8")
    assert "CSV" in refused(path)
    path.write_bytes("项目名称,总投资\n甲,100\n".encode("gb18030"))
    assert "CSV" in refused(path)


def test_html_fake_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("<html><table><tr><td>项目名称</td></tr></table></html>", encoding="utf-8")
    assert "网页" in refused(path)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    assert "不是Excel工作簿" in refused(path)


def test_zip_without_workbook(tmp_path: Path) -> None:
    cases = (("x.xlsx", "hello.txt", "xl/workbook.xml"), ("w.xlsx", "word/document.xml", "Word"),
             ("b.xlsx", "xl/workbook.bin", ".xlsb"))
    for name, member, words in cases:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(member, "x")
        assert words in refused(path)


def _zeros(path: Path, mib: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(SHEET, "w") as fh:
        chunk = b"\x00" * (1 << 20)
        for _ in range(mib):
            fh.write(chunk)
    return path


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    """A bomb has to be big as well as compressed: 160 MiB at ~1000x is refused ..."""
    text = refused(_zeros(tmp_path / "bomb.xlsx", 160))
    assert "压缩炸弹" in text and SHEET in text and "160MB" in text


def test_highly_compressed_part_of_ordinary_size_is_not_a_bomb(tmp_path: Path) -> None:
    """... while a 64 MiB part at the same ratio (Excel for Mac writes sheets of long repeated strings
    that compress 250x) passes the bomb check and fails only for what it is: no workbook."""
    text = refused(_zeros(tmp_path / "big.xlsx", 64))
    assert "压缩炸弹" not in text and "xl/workbook.xml" in text


def test_total_uncompressed_limit(ledger: Path) -> None:
    assert "压缩炸弹" in refused(ledger, Limits(max_uncompressed_bytes=2000))


def test_corrupt_member(ledger: Path, tmp_path: Path) -> None:
    data = bytearray(ledger.read_bytes())
    with zipfile.ZipFile(ledger) as zf:
        info = zf.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0xFF
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(bytes(data))
    assert "损坏" in refused(bad)


def test_xml_entities_are_refused(ledger: Path, tmp_path: Path) -> None:
    def laughs(text: str) -> str:
        dtd = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        return dtd + text.split("?>", 1)[-1]

    bad = rewrite_member(ledger, tmp_path / "laughs.xlsx", "xl/workbook.xml", laughs)
    assert "不安全" in refused(bad)


def test_huge_declared_dimension_is_harmless(ledger: Path, tmp_path: Path) -> None:
    path = rewrite_member(ledger, tmp_path / "dim.xlsx", SHEET,
                          lambda t: t.replace('ref="A1:B2"', 'ref="A1:XFD1048576"'))
    info = check_workbook(path)
    assert info.sheets[0].declared == "A1:XFD1048576" and not info.sheets[0].too_large
    assert read_ledger(path).projects["annual_plan"].tolist() == [100]


def test_far_cell_without_value_is_harmless(ledger: Path, tmp_path: Path) -> None:
    far = '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
    path = rewrite_member(ledger, tmp_path / "styled.xlsx", SHEET, lambda t: t.replace("</sheetData>", far))
    assert not check_workbook(path).sheets[0].too_large
    assert read_ledger(path).projects["name"].tolist() == ["甲"]


def test_far_cell_is_caught_even_when_the_dimension_lies(ledger: Path, tmp_path: Path) -> None:
    path = rewrite_member(ledger, tmp_path / "far.xlsx", SHEET, lambda t: t.replace("</sheetData>", FAR_CELL))
    sheet = check_workbook(path).sheets[0]
    assert sheet.declared == "A1:B2" and sheet.too_large and sheet.far_cell == "XFD1048576"


def test_far_cell_exits_2_in_a_subprocess(ledger: Path, tmp_path: Path) -> None:
    """calamine would abort the process on this file (tafia/calamine#693); kp must not hand it over."""
    path = rewrite_member(ledger, tmp_path / "far.xlsx", SHEET, lambda t: t.replace("</sheetData>", FAR_CELL))
    proc = subprocess.run([sys.executable, "-m", "keyproject", "inspect", str(path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "far.xlsx" in proc.stderr and "XFD1048576" in proc.stderr and "过大" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_the_guard_is_needed(ledger: Path, tmp_path: Path) -> None:
    """Without the check, calamine kills the whole interpreter on the same file."""
    path = rewrite_member(ledger, tmp_path / "far.xlsx", SHEET, lambda t: t.replace("</sheetData>", FAR_CELL))
    code = f"import python_calamine as pc; pc.CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_index(0)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def test_limit_on_cells_is_configurable(tmp_path: Path) -> None:
    rows = [["项目名称", "年度计划投资"]] + [[f"项目{i}", i] for i in range(50)]
    path = make_workbook(tmp_path / "wide.xlsx", rows)
    assert not check_workbook(path).sheets[0].too_large
    sheet = check_workbook(path, Limits(max_cells=60)).sheets[0]
    assert sheet.too_large and sheet.exact and (sheet.rows, sheet.cols) == (51, 2)


def test_xlsx_content_under_another_extension_is_read(ledger: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "saved_as.xls"
    renamed.write_bytes(ledger.read_bytes())
    assert read_ledger(renamed).projects["name"].tolist() == ["甲"]
