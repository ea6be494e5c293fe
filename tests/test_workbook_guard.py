"""Lock files, and what a package edit cannot keep: found before anything is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from xlsx_fixtures import FEATURES, build

from keyproject.errors import LedgerFileError, RefreshRefused
from keyproject.package import Package
from keyproject.workbook.guard import (
    check_editable,
    check_not_open,
    find_losses,
    lock_files,
    remove_signature,
)


def with_parts(src: Path, dst: Path, parts: dict[str, bytes], rels: bytes = b"") -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "_rels/.rels" and rels:
                data = data.replace(b"</Relationships>", rels + b"</Relationships>")
            zout.writestr(item, data)
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_what_the_user_made_is_not_a_loss(tmp_path: Path, feature: str) -> None:
    """Pictures, charts, sparklines, controls … were refused before: an edit keeps them all."""
    with Package(build(tmp_path / "a.xlsx", feature)) as pkg:
        assert find_losses(pkg) == []


def test_a_document_signature_is_found_and_removed(tmp_path: Path) -> None:
    rel = (b'<Relationship Id="rIdSig" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
           b'digital-signature/origin" Target="_xmlsignatures/origin.sigs"/>')
    path = with_parts(build(tmp_path / "a.xlsx"), tmp_path / "b.xlsx",
                      {"_xmlsignatures/origin.sigs": b"", "_xmlsignatures/sig1.xml": b"<Signature/>"}, rel)
    with Package(path) as pkg:
        assert [loss.what.split("（")[0] for loss in find_losses(pkg)] == ["数字签名"]
        remove_signature(pkg)
        pkg.save(tmp_path / "c.xlsx")
    with zipfile.ZipFile(tmp_path / "c.xlsx") as zf:
        assert not any(n.startswith("_xmlsignatures") for n in zf.namelist())
        assert b"digital-signature" not in zf.read("_rels/.rels")


def test_a_shared_workbooks_revision_log_is_a_loss(tmp_path: Path) -> None:
    path = with_parts(build(tmp_path / "a.xlsx"), tmp_path / "b.xlsx",
                      {"xl/revisions/revisionHeaders.xml": b"<headers/>"})
    with Package(path) as pkg:
        assert [loss.what.split("（")[0] for loss in find_losses(pkg)] == ["共享工作簿的修订记录"]


def test_strict_open_xml_is_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(strict, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                    b"http://purl.oclc.org/ooxml/spreadsheetml/main")
            zout.writestr(item, data)
    with Package(strict) as pkg, pytest.raises(LedgerFileError, match="Strict Open XML"):
        check_editable(pkg)


@pytest.mark.parametrize("lock", ["~$台账.xlsx", ".~lock.台账.xlsx#"])
def test_lock_file_refuses(tmp_path: Path, lock: str) -> None:
    path = build(tmp_path / "台账.xlsx")
    assert lock_files(path) == []
    check_not_open(path)
    (tmp_path / lock).write_text("x", encoding="utf-8")
    assert lock_files(path) == [tmp_path / lock]
    with pytest.raises(RefreshRefused) as exc:
        check_not_open(path)
    assert "打开" in str(exc.value) and lock in str(exc.value)


def test_excel_long_name_lock(tmp_path: Path) -> None:
    path = build(tmp_path / "county_ledger.xlsx")
    (tmp_path / "~$unty_ledger.xlsx").write_text("x", encoding="utf-8")  # Excel drops two characters
    assert lock_files(path)
