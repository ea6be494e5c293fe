"""Ledgers as real programs write them, each carrying one feature offices keep in their workbooks.

``FEATURES`` maps a feature name to a builder that writes, with XlsxWriter (which writes files the
way Excel does: shared strings, styles, drawings, VML, extension lists), a small county-style ledger
(title, unit note, merged two-row header, sections, subtotal formulas with cached results, a
signature footer) plus that feature. ``graft_ledger`` adds the same ledger as one more worksheet to
a file saved by another program, at the zip level, leaving every other part byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from realworld import realworld

SHEET = "项目台账"
HEADER_TOP = ["序号", "项目名称", "责任单位", "包保领导", "2023年", None, None, "计划开工时间",
              "实际开工时间", "形象进度", "存在问题"]
HEADER_SUB = [None, None, None, None, "年度计划投资", "1-7月完成投资", "完成率"]
PROJECTS = [
    (1, "四川川啤啤酒饮料生产项目", "县经信局", "张三", 46300, 33271, dt.date(2023, 3, 1),
     dt.date(2023, 3, 10), "主体完工", None),
    (2, "丰聚优能磷酸铁锂电池循环利用项目", "县经信局", "李四", 46200, 18904, dt.date(2023, 4, 20),
     dt.date(2023, 5, 6), "设备安装", "用地指标未落实"),
    (3, "兴永圣润滑油生产项目", "县发改局", "王五", 17650, 13670, dt.date(2023, 2, 27), dt.date(2023, 2, 4),
     "主体施工", None),
    (4, "S436东湖至富世段", "县交通运输局", "赵六", 34900, 5695, dt.date(2021, 6, 24), dt.date(2021, 6, 6),
     "路基施工", "征地拆迁进度慢"),
    (5, "锂电池正极材料前驱体项目", "县经信局", "钱七", 38300, 0, dt.date(2023, 4, 13), None, "前期",
     "环评审批滞后"),
    (6, "县城第二水源工程", "县水务局", "孙八", 48080, 25708, dt.date(2022, 4, 12), dt.date(2022, 4, 7),
     "管网铺设", None),
    (7, "富顺一中改扩建项目", "县教体局", "周九", 15000, 9500, dt.date(2023, 2, 15), dt.date(2023, 2, 20),
     "主体施工", None),
    (8, "沱江富顺港区码头（二期）", "县交通运输局", "吴十", 49280, 0, dt.date(2023, 4, 10), None, "前期",
     "资金到位不足"),
]
FIRST_PROJECT_ROW = 6  # Excel row of the first project
LAST_COLUMN = len(HEADER_TOP)  # K


def write_ledger(wb: Any, ws: Any, projects: list[tuple[Any, ...]] | None = None) -> dict[str, Any]:
    """The ledger into ``ws`` (``projects``: some of ``PROJECTS``); returns the formats used."""
    projects = PROJECTS if projects is None else projects
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                          "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    amount = wb.add_format({"border": 1, "num_format": "#,##0"})
    rate = wb.add_format({"border": 1, "num_format": "0.0%"})
    date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, LAST_COLUMN - 1, "2023年富顺县重大项目推进情况表（1-7月）", title)
    ws.write(1, 0, "单位：万元")
    for c, text in enumerate(HEADER_TOP):
        if text == "2023年":
            ws.merge_range(3, 4, 3, 6, text, head)
        elif text is not None:
            ws.merge_range(3, c, 4, c, text, head)
    for c, text in enumerate(HEADER_SUB):
        if text:
            ws.write(4, c, text, head)
    r = FIRST_PROJECT_ROW - 1
    for p in projects:
        seq, name, unit, leader, plan, done, start, actual, note, problem = p
        ws.write_number(r, 0, seq, cell)
        ws.write_string(r, 1, name, cell)
        ws.write_string(r, 2, unit, cell)
        ws.write_string(r, 3, leader, cell)
        ws.write_number(r, 4, plan, amount)
        ws.write_number(r, 5, done, amount)
        ws.write_formula(r, 6, f"=IFERROR(F{r + 1}/E{r + 1},\"\")", rate, done / plan)
        ws.write_datetime(r, 7, dt.datetime.combine(start, dt.time()), date)
        if actual is not None:
            ws.write_datetime(r, 8, dt.datetime.combine(actual, dt.time()), date)
        else:
            ws.write_blank(r, 8, None, date)
        ws.write_string(r, 9, note, cell)
        if problem:
            ws.write_string(r, 10, problem, cell)
        else:
            ws.write_blank(r, 10, None, cell)
        r += 1
    last = r
    ws.write_string(r, 1, "合计", cell)
    ws.write_formula(r, 4, f"=SUM(E{FIRST_PROJECT_ROW}:E{last})", amount, sum(p[4] for p in projects))
    ws.write_formula(r, 5, f"=SUM(F{FIRST_PROJECT_ROW}:F{last})", amount, sum(p[5] for p in projects))
    ws.write(r + 2, 0, "填报人：孙八")
    ws.write(r + 2, 4, "联系电话：0813-7202345")
    ws.set_column(1, 1, 30)
    ws.set_column(2, 3, 12)
    ws.set_column(4, 8, 12)
    ws.set_column(9, 10, 16)
    return {"cell": cell, "head": head}


def png(color: str = "red", size: tuple[int, int] = (24, 16)) -> io.BytesIO:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    buf.seek(0)
    return buf


def vba_project() -> bytes:
    """A real compiled VBA project: the one in XlsxWriter's comparison file saved by Excel."""
    with zipfile.ZipFile(realworld("corpus/jmcnamara+XlsxWriter/xlsxwriter/test/comparison/xlsx_files/"
                                   "macro01.xlsm")) as zf:
        return zf.read("xl/vbaProject.bin")


Feature = Callable[[Any, Any, dict[str, Any]], None]


def _picture(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.insert_image("L8", "photo.png", {"image_data": png()})


def _picture_elsewhere(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    wb.add_worksheet("现场照片").insert_image("B2", "photo.png", {"image_data": png("blue")})


def _chart(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "年度计划投资", "categories": f"='{SHEET}'!$B$6:$B$13",
                      "values": f"='{SHEET}'!$E$6:$E$13", "fill": {"color": "#5B9BD5"}})
    chart.set_title({"name": "各项目年度计划投资"})
    ws.insert_chart("M3", chart)


def _chart_sheet(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"values": f"='{SHEET}'!$F$6:$F$13"})
    wb.add_chartsheet("投资图").set_chart(chart)


def _data_bars(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.conditional_format("F6:F13", {"type": "data_bar", "bar_solid": True, "bar_color": "#63BE7B"})
    ws.conditional_format("G6:G13", {"type": "icon_set", "icon_style": "3_traffic_lights"})


def _list_validation(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    lists = wb.add_worksheet("选项")
    for i, unit in enumerate(["县经信局", "县发改局", "县交通运输局", "县水务局", "县教体局"]):
        lists.write(i, 0, unit)
    ws.data_validation("C6:C13", {"validate": "list", "source": "=选项!$A$1:$A$5"})


def _sparklines(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.add_sparkline("L6", {"range": f"'{SHEET}'!E6:F6", "type": "column"})


def _header_picture(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.set_header("&L&G&C重点项目台账", {"image_left": "logo.png", "image_data_left": png("green")})


def _dynamic_array(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    formula = f"=_xlfn._xlws.FILTER('{SHEET}'!B6:B13,'{SHEET}'!F6:F13>10000)"
    wb.add_worksheet("筛选").write_dynamic_array_formula("A1", formula, None, "四川川啤啤酒饮料生产项目")


def _text_box(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.insert_textbox("M10", "本表由县重点项目办每月更新", {"width": 240, "height": 60})


def _background(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.set_background(png("#EEEEEE", (64, 64)))


def _in_cell_picture(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.embed_image("L6", "photo.png", {"image_data": png()})


def _comments(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.write_comment("B6", "重点调度项目", {"visible": True, "color": "#FFFF99", "font_size": 12,
                                        "width": 200, "height": 60, "author": "项目办"})


def _outline(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    for r in range(FIRST_PROJECT_ROW - 1, FIRST_PROJECT_ROW + 2):
        ws.set_row(r, None, None, {"level": 1})
    ws.set_column(7, 8, 12, None, {"level": 1, "hidden": True})


def _header_footer(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.set_header("&C&\"宋体,加粗\"重点项目推进情况表")
    ws.set_footer("第&P页，共&N页")


def _protected_ranges(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.protect("", {"format_cells": True})
    ws.unprotect_range("E6:F13", "报送区")


def _date1904(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    pass  # the workbook is made with {"date_1904": True}


def _button(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.insert_button("M3", {"caption": "刷新", "width": 80, "height": 30})


def _properties(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    wb.set_properties({"title": "项目台账", "company": "富顺县发展和改革局", "manager": "县重点项目办",
                       "author": "项目办"})
    wb.set_custom_property("报送月份", "2023-07")


def _ignored_errors(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    ws.ignore_errors({"number_stored_as_text": "A1:K20", "formula_differs": "G6:G13"})


def _table_and_links(wb: Any, ws: Any, f: dict[str, Any]) -> None:
    other = wb.add_worksheet("联系人")
    other.add_table("A1:C4", {"data": [["县经信局", "张三", "13800000001"],
                                       ["县发改局", "王五", "13800000002"],
                                       ["县水务局", "孙八", "13800000003"]],
                              "columns": [{"header": "单位"}, {"header": "联系人"}, {"header": "电话"}]})
    ws.write_url("J6", "https://www.example.gov.cn/xm/1", string="主体完工")
    ws.write_url("J7", "internal:'联系人'!A2", string="设备安装")
    wb.define_name("计划投资", f"='{SHEET}'!$E$6:$E$13")
    wb.define_name(f"'{SHEET}'!本表项目", f"='{SHEET}'!$B$6:$B$13")
    ws.freeze_panes(5, 2)
    ws.autofilter("A5:K13")
    ws.repeat_rows(3, 4)
    ws.conditional_format("F6:F13", {"type": "cell", "criteria": "<", "value": 1000,
                                     "format": wb.add_format({"bg_color": "#FFC7CE"})})
    ws.set_landscape()
    ws.set_paper(9)


FEATURES: dict[str, Feature] = {
    "picture": _picture,
    "picture_elsewhere": _picture_elsewhere,
    "chart": _chart,
    "chart_sheet": _chart_sheet,
    "data_bars_icon_sets": _data_bars,
    "list_validation": _list_validation,
    "sparklines": _sparklines,
    "header_picture": _header_picture,
    "dynamic_array": _dynamic_array,
    "text_box": _text_box,
    "background": _background,
    "in_cell_picture": _in_cell_picture,
    "comments": _comments,
    "outline": _outline,
    "header_footer": _header_footer,
    "protected_ranges": _protected_ranges,
    "date1904": _date1904,
    "button": _button,
    "properties": _properties,
    "ignored_errors": _ignored_errors,
    "tables_links_names": _table_and_links,
}


def build(path: Path, feature: str | None = None, vba: bool = False) -> Path:
    """A ledger with ``feature`` (a key of ``FEATURES``), written by XlsxWriter to ``path``."""
    options = {"date_1904": True} if feature == "date1904" else {}
    wb = xlsxwriter.Workbook(str(path), options)
    ws = wb.add_worksheet(SHEET)
    formats = write_ledger(wb, ws)
    ws.activate()
    if feature is not None:
        FEATURES[feature](wb, ws, formats)
    if vba:
        wb.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
        wb.set_vba_name()
        ws.set_vba_name()
    wb.close()
    return path


# -- grafting into files saved by other programs -------------------------------------------------------
def _cell(col: int, row: int, value: object) -> str:
    ref = f"{chr(65 + col)}{row}"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value.isoformat()}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def ledger_sheet_xml() -> bytes:
    """The ledger as a plain worksheet part (inline strings, dates as text), header in row 1."""
    header = ["项目名称", "责任单位", "年度计划投资", "1-7月完成投资", "计划开工时间", "实际开工时间"]
    rows = [header] + [[p[1], p[2], p[4], p[5], p[6], p[7]] for p in PROJECTS]
    body = "".join(f'<row r="{r}">' + "".join(_cell(c, r, v) for c, v in enumerate(values)) + "</row>"
                   for r, values in enumerate(rows, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:F9"/>'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def graft_ledger(src: Path, dst: Path, name: str = SHEET) -> Path:
    """``src`` with the ledger added as one more worksheet; every other part byte for byte except the
    workbook, its relationships and the content types, which get that sheet's entries."""
    with zipfile.ZipFile(src) as zin:
        names = zin.namelist()
        part = next(f"xl/worksheets/sheet{n}.xml" for n in range(1, 999)
                    if f"xl/worksheets/sheet{n}.xml" not in names)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "xl/workbook.xml":
                    text = data.decode("utf-8")
                    prefix = next(p for p in ("", "ns2:", "x:") if f"</{p}sheets>" in text)
                    close = text.index(f"</{prefix}sheets>")
                    tag = f'<{prefix}sheet name="{name}" sheetId="9999" r:id="rIdKP1"/>'
                    data = (text[:close] + tag + text[close:]).encode("utf-8")
                elif info.filename == "xl/_rels/workbook.xml.rels":
                    rel = (b'<Relationship Id="rIdKP1" Type="http://schemas.openxmlformats.org/officeDocument/'
                           b'2006/relationships/worksheet" Target="' + posixpath.relpath(part, "xl").encode()
                           + b'"/>')
                    data = data.replace(b"</Relationships>", rel + b"</Relationships>")
                elif info.filename == "[Content_Types].xml":
                    override = (b'<Override PartName="/' + part.encode() + b'" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
                    data = data.replace(b"</Types>", override + b"</Types>")
                zout.writestr(info, data)
            zout.writestr(part, ledger_sheet_xml())
    return dst


def add_vml_line(path: Path, sheet_part: str, vml: bytes) -> Path:
    """Give ``sheet_part`` a VML drawing (WPS draws its 斜线表头 diagonal header lines so)."""
    tmp = path.with_suffix(".tmp")
    folder, base = posixpath.split(sheet_part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == sheet_part:
                text = data.decode("utf-8")
                if 'xmlns:r="' not in text.split(">", 2)[1]:
                    text = text.replace("<worksheet ", '<worksheet xmlns:r="http://schemas.openxmlformats.org/'
                                        'officeDocument/2006/relationships" ', 1)
                data = text.replace("</worksheet>", '<legacyDrawing r:id="rIdVml9"/></worksheet>').encode()
            elif info.filename == "[Content_Types].xml" and b'Extension="vml"' not in data:
                data = data.replace(b"</Types>", b'<Default Extension="vml" ContentType="application/vnd.'
                                    b'openxmlformats-officedocument.vmlDrawing"/></Types>')
            elif info.filename == rels_part:
                data = data.replace(b"</Relationships>", _VML_REL + b"</Relationships>")
            zout.writestr(info, data)
        if rels_part not in names:
            zout.writestr(rels_part, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                     b'relationships">' + _VML_REL + b"</Relationships>")
        zout.writestr("xl/drawings/vmlDrawing9.vml", vml)
    tmp.replace(path)
    return path


_VML_REL = (b'<Relationship Id="rIdVml9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/vmlDrawing" Target="../drawings/vmlDrawing9.vml"/>')


def two_sheet_ledger(folder: Path) -> Path:
    """A ledger split over 工业 and 基础设施, as offices keep one sheet per 指挥部 (XlsxWriter writes
    it as Excel does)."""
    import xlsxwriter

    path = folder / "两表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    write_ledger(wb, wb.add_worksheet("工业"), PROJECTS[:3])
    write_ledger(wb, wb.add_worksheet("基础设施"), PROJECTS[3:])
    wb.close()
    return path
