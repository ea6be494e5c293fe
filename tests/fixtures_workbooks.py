"""Small workbooks for the reader's tests, built with openpyxl in a test's tmp_path."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl

Row = Sequence[Any]


def make_workbook(path: Path, rows: Iterable[Row], *, sheet: str = "项目台账", merges: Iterable[str] = (),
                  other_sheets: dict[str, Iterable[Row]] | None = None, first: str | None = None) -> Path:
    """Write ``rows`` (from A1) into ``sheet``; ``merges`` are ranges like "A1:F1".

    ``other_sheets`` adds more sheets after it; ``first`` names a sheet put before all of them.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    if first:
        ws.title = first
        ws["A1"] = "填报说明：本表每月5日前报送"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    for name, body in (other_sheets or {}).items():
        extra = wb.create_sheet(name)
        for r in body:
            extra.append(list(r))
    wb.save(path)
    return path


def set_cached_values(path: Path, values: dict[str, str], part: str = "xl/worksheets/sheet1.xml") -> None:
    """Give formula cells cached values, as Excel would have saved them (openpyxl writes none)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode()
                for ref, value in values.items():
                    text, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v>[^<]*</v>)?',
                                      rf"\g<1>\g<2><v>{value}</v>", text)
                    assert n == 1, ref
                data = text.encode()
            zout.writestr(item, data)
    tmp.replace(path)


def rewrite_member(src: Path, dst: Path, member: str, edit: Any) -> Path:
    """Copy an xlsx, passing one member's text through ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = edit(data.decode()).encode()
            zout.writestr(item, data)
    return dst


# A Fushun-style ledger: title, unit note, blank row, two-row merged header, sections, subtotals,
# a total, signatures and footnotes. Rows 6.. are data; the comments give each row's Excel number.
COUNTY_ROWS: list[Row] = [
    ["2023年富顺县重大项目推进情况表（1-7月）"],  # 1
    ["单位：万元"],  # 2
    [],  # 3
    ["序号", "项目编号", "项目名称", "指挥部", "包保领导", "总投资", "2023年", None, None,
     "计划开工时间", "实际开工时间", "形象进度", "备注", "灯号"],  # 4
    [None, None, None, None, None, None, "年度计划投资", "1-7月完成投资", "完成率"],  # 5
    ["一、工业项目"],  # 6
    [1, "FS001", "四川川啤啤酒饮料生产项目", "工业指挥部", "张三", 50000, 12000, 8000, 0.667,
     "2023.3.1", "2023年3月15日", "主体完工", "重点关注", "绿"],  # 7
    [2, "FS002", "丰聚优能磷酸铁锂电池循环利用项目", None, "李四", "3,000", "３０００", "约800", "26.7%",
     "2023-04-01", "—", "设备安装", None, None],  # 8
    [3, "FS003", "兴永圣润滑油生产项目", None, "王五", "0.8亿", "500万", "-", None,
     "2023/8/30", None, "前期", None, None],  # 9
    [None, "小计", None, None, None, 61000, 15500, 8800],  # 10
    ["二、基础设施项目"],  # 11
    [4, "FS004", "S436东湖至富世段", "交通指挥部", "赵六", 120000, 20000, 15000, 0.75,
     "2023年4月", "2023.4", "路基施工", None, None],  # 12
    [5, "FS005", "富顺一中改扩建项目", "社会事业指挥部", "钱七", 15000, 5000, 2500, 0.5,
     "2023-02-15", "2023-02-20", "主体施工", None, None],  # 13
    ["其中：续建项目", None, None, None, None, 135000, 25000, 17500],  # 14
    ["合计", None, None, None, None, 196000, 40500, 26300],  # 15
    [],  # 16
    ["填报人：孙八", None, None, "审核人：周九", None, None, "联系电话：0813-7202345"],  # 17
    ["注：1.金额单位为万元；"],  # 18
    ["2.完成率=1-7月完成投资/年度计划投资。"],  # 19
]
COUNTY_MERGES = ["A1:N1", "G4:I4", *[f"{c}4:{c}5" for c in "ABCDEFJKLMN"], "D7:D9", "A18:N18", "A19:N19"]
