"""Checks before keyproject writes a workbook: is it open elsewhere, and what would openpyxl lose.

The loss check reads the xlsx zip parts directly (no openpyxl), so it is cheap and sees exactly
what the file holds: drawings with shapes, images, charts, sparklines and other ``extLst``
extensions, slicers, timelines, pivot caches, ActiveX and form controls, embedded objects,
threaded comments, the data model. openpyxl drops or rebuilds those on save.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from keyproject.errors import RefreshRefused

# Parts openpyxl reads and writes back faithfully (or regenerates harmlessly).
_KEPT_PARTS = (
    r"\[Content_Types\]\.xml",
    r"_rels/\.rels",
    r"docProps/.*",
    r"xl/workbook\.xml",
    r"xl/_rels/workbook\.xml\.rels",
    r"xl/styles\.xml",
    r"xl/sharedStrings\.xml",
    r"xl/theme/.*",
    r"xl/worksheets/sheet\d+\.xml",
    r"xl/worksheets/_rels/sheet\d+\.xml\.rels",
    r"xl/comments/comment\d+\.xml",
    r"xl/comments\d+\.xml",
    r"xl/drawings/[^/]+\.vml",  # legacy comment boxes (rebuilt: a warning, not a loss)
    r"xl/drawings/_rels/[^/]+\.vml\.rels",
    r"xl/calcChain\.xml",  # dropped, rebuilt by Excel on the full recalculation we ask for
    r"xl/tables/table\d+\.xml",
    r"xl/tables/_rels/.*",
    r"xl/externalLinks/.*",
    r"xl/printerSettings/.*",
    r"xl/vbaProject\.bin",  # kept with keep_vba=True (.xlsm)
    r"xl/vbaProjectSignature\.bin",
    r"xl/_rels/vbaProject\.bin\.rels",
    r"xl/worksheets/_rels/.*",
    r"xl/chartsheets/.*",
)
_KEPT = re.compile("|".join(f"(?:{p})" for p in _KEPT_PARTS))

# Known part families that openpyxl loses, with the Chinese name of what would be lost.
_LOST_PARTS: tuple[tuple[str, str], ...] = (
    (r"xl/charts/chart\d+\.xml", "图表（样式、格式和部分设置会丢失）"),
    (r"xl/media/.*", "图片"),
    (r"xl/slicers/.*|xl/slicerCaches/.*", "切片器"),
    (r"xl/timelines/.*|xl/timelineCaches/.*", "日程表（时间线切片器）"),
    (r"xl/pivotCache/.*|xl/pivotTables/.*", "数据透视表及其缓存（可能被重建或丢失格式）"),
    (r"xl/activeX/.*", "ActiveX 控件"),
    (r"xl/ctrlProps/.*", "表单控件（按钮、复选框等）"),
    (r"xl/embeddings/.*", "嵌入对象（OLE）"),
    (r"xl/threadedComments/.*|xl/persons/.*", "新式批注（对话式批注）"),
    (r"xl/model/.*|xl/connections\.xml|xl/queryTables/.*", "数据模型、外部数据连接或查询"),
    (r"xl/richData/.*", "单元格内图片（富数据）"),
    (r"xl/metadata\.xml", "动态数组公式的元数据"),
    (r"xl/webextensions/.*", "加载项（Web 扩展）"),
    (r"customXml/.*", "自定义 XML 数据（如 SharePoint 文档属性）"),
)

# Markers inside worksheet XML.
_SHEET_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"sparklineGroup", "迷你图"),
    (b"x14:dataValidation", "扩展数据验证（如引用其他工作表的下拉列表）"),
    (b"x14:conditionalFormatting", "扩展条件格式（数据条、图标集等）"),
    (b"slicerList", "切片器"),
    (b"timelineRef", "日程表（时间线切片器）"),
    (b"<picture ", "工作表背景图片"),
    (b"<oleObjects", "嵌入对象（OLE）"),
    (b"<controls", "控件"),
)

# Markers inside drawing XML (the DrawingML part that holds shapes, pictures and chart frames).
_DRAWING_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b":sp>", "形状或文本框"),
    (b":cxnSp>", "连接线"),
    (b":grpSp>", "组合图形"),
    (b":pic>", "图片"),
    (b"<mc:AlternateContent", "形状或控件的替代内容"),
)


@dataclass(frozen=True)
class Loss:
    """One kind of content that openpyxl would drop or rebuild, and where it is."""

    what: str  # Chinese
    where: str  # sheet name or part path

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


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map worksheet part paths to sheet names."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            t = target.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"|\b\w+:id="([^"]+)"', tag)
        if name and rid:
            key = rid.group(1) or rid.group(2)
            if key in targets:
                out[targets[key]] = _unescape(name.group(1))
    return out


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def _drawing_owners(zf: zipfile.ZipFile, sheets: dict[str, str]) -> dict[str, str]:
    """Map drawing part paths to the sheet that shows them."""
    owners = {}
    for part, sheet in sheets.items():
        folder, _, base = part.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels"
        try:
            rels = zf.read(rels_name).decode("utf-8", "replace")
        except KeyError:
            continue
        for m in re.finditer(r'Target="([^"]+)"', rels):
            target = m.group(1)
            if "drawings/" in target and not target.endswith(".vml"):
                owners["xl/drawings/" + target.rsplit("/", 1)[-1]] = sheet
    return owners


def _scan(data_iter, markers: tuple[tuple[bytes, str], ...]) -> list[str]:
    found: list[str] = []
    tail = b""
    for chunk in data_iter:
        buf = tail + chunk
        for marker, what in markers:
            if what not in found and marker in buf:
                found.append(what)
        tail = buf[-64:]
    return found


def _chunks(zf: zipfile.ZipFile, name: str, size: int = 1 << 20):
    with zf.open(name) as fh:
        while chunk := fh.read(size):
            yield chunk


def find_losses(path: Path) -> list[Loss]:
    """What openpyxl would drop or rebuild if it loaded and saved this workbook.

    An empty list means a load+save keeps everything the user made (comment box sizes aside).
    """
    path = Path(path)
    losses: list[Loss] = []

    def add(what: str, where: str) -> None:
        loss = Loss(what, where)
        if loss not in losses:
            losses.append(loss)

    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        sheets = _sheet_names(zf)
        drawings = _drawing_owners(zf, sheets)
        for name in names:
            if name.endswith("/"):
                continue
            if name in sheets:
                for what in _scan(_chunks(zf, name), _SHEET_MARKERS):
                    add(what, f"工作表“{sheets[name]}”")
                continue
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                where = f"工作表“{drawings[name]}”" if name in drawings else name
                for what in _scan(_chunks(zf, name), _DRAWING_MARKERS):
                    add(what, where)
                continue
            if re.fullmatch(r"xl/drawings/_rels/.*", name):
                continue
            if name == "xl/workbook.xml":
                markers = ((b"slicerCache", "切片器"), (b"timelineCache", "日程表"))
                for what in _scan(_chunks(zf, name), markers):
                    add(what, "工作簿")
                continue
            for pattern, what in _LOST_PARTS:
                if re.fullmatch(pattern, name):
                    add(what, name)
                    break
            else:
                if not _KEPT.fullmatch(name):
                    add("openpyxl 不认识的内容", name)
    return losses


def comment_warnings(path: Path) -> list[str]:
    """Things that change cosmetically on save and deserve a warning, not a refusal."""
    out = []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    if any(re.fullmatch(r"xl/comments/comment\d+\.xml|xl/comments\d+\.xml", n) for n in names):
        out.append("批注的文字会保留，但批注框的大小和位置会恢复为默认值")
    if any(n.startswith("xl/printerSettings/") for n in names):
        out.append("打印机驱动的专用设置不保留（页面方向、缩放、页边距等页面设置会保留）")
    return out


def describe_losses(losses: list[Loss]) -> str:
    """A Chinese list, one loss a line."""
    return "\n".join(f"  - {loss}" for loss in losses)
