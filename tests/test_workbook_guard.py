"""Lock files and loss detection: what openpyxl would drop is found before anything is written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from keyproject.errors import RefreshRefused
from keyproject.workbook.guard import check_not_open, comment_warnings, find_losses, lock_files

SPARKLINES = (
    b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b"<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>Sheet!A1:C1</xm:f><xm:sqref>D1</xm:sqref>"
    b"</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>"
)


def ordinary(path: Path) -> Path:
    """A workbook with everything openpyxl keeps: comments, validation, formats, names, merges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["项目名称", "年度计划投资", "完成", "状态"])
    ws.append(["甲", 100, 50, "在建"])
    ws["A2"].comment = Comment("备注", "办公室")
    dv = DataValidation(type="list", formula1='"在建,竣工"')
    dv.add("D2:D10")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("C2:C10", CellIsRule(operator="lessThan", formula=["10"],
                                                       fill=PatternFill("solid", fgColor="FFFF0000")))
    wb.defined_names["计划"] = DefinedName("计划", attr_text="'台账'!$B$2:$B$10")
    ws.merge_cells("E1:F1")
    ws["B3"] = "=SUM(B2:B2)"
    wb.save(path)
    return path


def with_sheet_xml_extra(src: Path, dst: Path, extra: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", extra + b"</worksheet>")
            zout.writestr(item, data)
    return dst


def test_ordinary_content_is_not_a_loss(tmp_path: Path) -> None:
    path = ordinary(tmp_path / "a.xlsx")
    assert find_losses(path) == []
    assert comment_warnings(path)  # comment boxes reset: a warning only


def test_sparklines_are_found(tmp_path: Path) -> None:
    path = with_sheet_xml_extra(ordinary(tmp_path / "a.xlsx"), tmp_path / "b.xlsx", SPARKLINES)
    losses = find_losses(path)
    assert [(loss.what, loss.where) for loss in losses] == [("迷你图", "工作表“台账”")]


def test_image_and_chart_are_found(tmp_path: Path) -> None:
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (4, 4), "red").save(buf, format="PNG")
    wb = openpyxl.load_workbook(ordinary(tmp_path / "a.xlsx"))
    ws = wb.active
    ws.add_image(Image(io.BytesIO(buf.getvalue())), "H2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    ws.add_chart(chart, "H10")
    wb.save(tmp_path / "c.xlsx")
    whats = {loss.what for loss in find_losses(tmp_path / "c.xlsx")}
    assert "图片" in whats
    assert any(w.startswith("图表") for w in whats)


def test_unknown_parts_and_controls_are_found(tmp_path: Path) -> None:
    src = ordinary(tmp_path / "a.xlsx")
    dst = tmp_path / "d.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/ctrlProps/ctrlProp1.xml", "<formControlPr/>")
        zout.writestr("xl/somethingNew/part1.xml", "<x/>")
    found = {(loss.what, loss.where) for loss in find_losses(dst)}
    assert ("表单控件（按钮、复选框等）", "xl/ctrlProps/ctrlProp1.xml") in found
    assert ("openpyxl 不认识的内容", "xl/somethingNew/part1.xml") in found


@pytest.mark.parametrize("lock", ["~$台账.xlsx", ".~lock.台账.xlsx#"])
def test_lock_file_refuses(tmp_path: Path, lock: str) -> None:
    path = ordinary(tmp_path / "台账.xlsx")
    assert lock_files(path) == []
    check_not_open(path)
    (tmp_path / lock).write_text("x", encoding="utf-8")
    assert lock_files(path) == [tmp_path / lock]
    with pytest.raises(RefreshRefused) as exc:
        check_not_open(path)
    assert "打开" in str(exc.value) and lock in str(exc.value)


def test_excel_long_name_lock(tmp_path: Path) -> None:
    path = ordinary(tmp_path / "county_ledger.xlsx")
    (tmp_path / "~$unty_ledger.xlsx").write_text("x", encoding="utf-8")  # Excel drops two characters
    assert lock_files(path)
