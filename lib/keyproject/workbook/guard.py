"""Checks before keyproject writes a workbook: is it open elsewhere, and can it be edited safely.

The refresh edits the package (see ``keyproject.package``): every part it does not own is copied byte
for byte, so pictures, charts, pivot tables, slicers, controls, VBA, threaded comments, WPS's parts
and anything else survive untouched. What remains on the loss list is what an edit cannot keep
intact however carefully it is made:

- a **digital signature** of the document (``_xmlsignatures/``): it signs the parts keyproject
  changes, so after any refresh it no longer verifies. A forced refresh removes it (the new file is
  simply unsigned, rather than carrying a signature Excel reports as broken). A signed VBA project
  (``vbaProjectSignature.bin``) signs the macros only and stays valid.
- a **shared workbook's revision log** (the legacy 共享工作簿, ``xl/revisions/``): Excel reconciles
  the users' changes through it, and a change made outside Excel is not in it; Excel may report
  conflicts or drop the history. A forced refresh leaves the log as it is.

Strict Open XML files (ISO 29500 strict namespaces) are refused outright: keyproject writes
transitional SpreadsheetML, which must not be mixed into a strict package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keyproject.errors import LedgerFileError, RefreshRefused
from keyproject.package.package import Package
from keyproject.package.relationships import STRICT_OFFICE_DOCUMENT
from keyproject.package.xml import STRICT_MAIN

SIGNATURE_ORIGIN = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin"


@dataclass(frozen=True)
class Loss:
    """One kind of content a refresh cannot keep intact, and where it is."""

    what: str  # Chinese
    where: str  # sheet name, part path or 工作簿

    def __str__(self) -> str:
        return f"{self.where}：{self.what}"


def lock_files(path: Path) -> list[Path]:
    """Lock files that say the workbook is open in Excel, WPS or LibreOffice."""
    path = Path(path)
    name = path.name
    candidates = [
        path.with_name("~$" + name),  # Excel/WPS (short names)
        path.with_name("~$" + name[2:]) if len(name) > 2 else None,  # Excel replaces 2 chars
        path.with_name(".~lock." + name + "#"),  # LibreOffice
    ]
    return [p for p in candidates if p is not None and p.exists()]


def check_not_open(path: Path) -> None:
    """Refuse when the workbook is open in another program."""
    locks = lock_files(path)
    if locks:
        raise RefreshRefused(
            f"工作簿正在被 Excel、WPS 或 LibreOffice 打开（发现锁文件“{locks[0].name}”），"
            "请先关闭该工作簿再刷新；如确认无人打开，可删除该锁文件",
            file=path,
        )


def check_editable(pkg: Package) -> None:
    """Refuse packages keyproject must not edit at all (Strict Open XML)."""
    strict = any(r.type == STRICT_OFFICE_DOCUMENT for r in pkg.rels(""))
    if strict or pkg.workbook.ns == STRICT_MAIN:
        raise LedgerFileError("这是 Strict Open XML 格式的工作簿，不能刷新：请在 Excel 中另存为"
                              "“Excel 工作簿(*.xlsx)”后再刷新", file=pkg.path)


def signature_parts(pkg: Package) -> list[str]:
    return [n for n in pkg.names() if n.startswith("_xmlsignatures/")]


def find_losses(pkg: Package) -> list[Loss]:
    """What a refresh of ``pkg`` cannot keep intact (see the module docstring); empty for nearly
    every workbook."""
    losses: list[Loss] = []
    if signature_parts(pkg) or any(r.type == SIGNATURE_ORIGIN for r in pkg.rels("")):
        losses.append(Loss("数字签名（工作簿修改后签名即失效，刷新会去掉签名）", "工作簿"))
    if any(n.startswith("xl/revisions/") for n in pkg.names()):
        losses.append(Loss("共享工作簿的修订记录（在 Excel 之外所做的修改不在记录中，Excel 可能报告冲突）",
                           "工作簿"))
    return losses


def remove_signature(pkg: Package) -> None:
    """Take the document signature out: after the edit it would no longer verify."""
    root = pkg.rels("")
    for rel in list(root):
        if rel.type == SIGNATURE_ORIGIN:
            if rel.part is not None and pkg.exists(rel.part):
                pkg.remove_tree(rel.part)
            root.remove(rel.id)
    for name in signature_parts(pkg):
        pkg.remove(name)
        pkg.content_types.remove(name)


def describe_losses(losses: list[Loss]) -> str:
    """A Chinese list, one loss a line."""
    return "\n".join(f"  - {loss}" for loss in losses)
