"""The report period: which year and month a ledger reports, and where it says so.

Offices state the period in many places: the completion column's header ("1-7月完成投资",
"截至7月底累计完成投资", "2024年1-7月完成"), the title ("2024年1-7月全县重点项目推进情况"), a note
cell ("截至2024年7月31日", "截止7月底", "统计时间：2024年7月31日"), the sheet's name ("7月",
"2024年7月"), other header cells ("1-7月计划"), and headers that state only a year ("2024年计划投资").
A 填报时间 / 打印日期 / 制表日期 is when the sheet was filled in or printed, not what it reports, and
is never a source.

Every source found is kept (``ReportPeriod.candidates``). The month comes from the most precise source:
a day (with its year) over a month with its year over a month alone; among equally precise sources the
completion header wins, then the title, a note, the sheet name, other headers. The year is the
chosen source's own, else the best other source's. Where sources disagree a warning says which said
what and which was taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from openpyxl.utils import get_column_letter

from keyproject.ledger import PeriodSource, ReportPeriod
from keyproject.reader.headers import Header, norm
from keyproject.t2s import to_simplified

_NOT_PERIOD = re.compile(r"^(?:填报|打印|制表|报送|填表|审核|编制|上报|报出|导出)(?:日期|时间)")
_Y = r"((?:19|20)\d{2})"
_FULL = re.compile(
    rf"(?:截至|截止(?:到|至)?|统计截至|数据截至)(?:日期|时间)?[:：]?{_Y}年(\d{{1,2}})月(\d{{1,2}})日")
_FULL_LABELLED = re.compile(
    rf"(?:统计时间|统计日期|数据时间|截止日期|截至日期|统计截止日期|统计截止时间|数据截止日期)[:：]?{_Y}[年.\-/](\d{{1,2}})[月.\-/](\d{{1,2}})")
_YEAR_RANGE = re.compile(rf"{_Y}年度?1[-~至到—–](\d{{1,2}})月")
_RANGE = re.compile(r"(?<!\d)1[-~至到—–](\d{1,2})月")
_AS_OF = re.compile(rf"(?:截至|截止(?:到|至)?){_Y}?年?(\d{{1,2}})月(?:底|末|份)?")
_YEAR_MONTH = re.compile(rf"{_Y}年(\d{{1,2}})月(?!\d{{1,2}}日)(?:份)?")
_YEAR = re.compile(rf"{_Y}年")
_MONTH_SHEET = re.compile(
    rf"(?:{_Y}(?:年|[.\-_/]))?(?:1[-~至到—–])?(1[0-2]|0?[1-9])(月份?|月底|月末)?"
    r"((?:[(（]\d+[)）])?(?:台账|调度|调度表|进展|进展情况|推进情况|情况|报表|统计|数据|表|完成情况|项目|重点项目|项目台账)?"
    r"(?:[(（]\d+[)）]|副本|\d)?)")

# ties between equally precise sources: the completion header first, then the title …
KIND_ORDER = {"completion_header": 0, "title": 1, "note": 2, "sheet_name": 3, "header": 4, "year_header": 5}
KIND_LABELS = {"completion_header": "完成投资列表头", "title": "标题", "note": "单元格",
               "sheet_name": "工作表名", "header": "表头", "year_header": "表头"}


def _month(m: str | None) -> int | None:
    if m is None:
        return None
    v = int(m)
    return v if 1 <= v <= 12 else None


def sheet_name_period(name: str) -> tuple[int | None, int] | None:
    """(year, month) a sheet's name states ("7月", "2024年7月", "2024.7", "7月份台账"), else None."""
    t = to_simplified(norm(name))
    m = _MONTH_SHEET.fullmatch(t)
    if m is None:
        return None
    year, month, word = m.group(1), _month(m.group(2)), m.group(3)
    if month is None or not (word or (year and t[4:5] in ".-_/")):
        return None
    return (int(year) if year else None, month)


def text_sources(text: str, kind: str, sheet: str | None, cell: str | None) -> list[PeriodSource]:
    """The period a title or note cell states (none for a 填报时间 / 打印日期)."""
    t = to_simplified(norm(text))
    if not t or _NOT_PERIOD.match(t):
        return []
    for rx in (_FULL, _FULL_LABELLED):
        m = rx.search(t)
        if m and _month(m.group(2)):
            return [PeriodSource(kind, text, sheet, cell, int(m.group(1)), _month(m.group(2)),
                                 int(m.group(3)))]
    year_any = _YEAR.search(t)
    m = _YEAR_RANGE.search(t)
    if m and _month(m.group(2)):
        return [PeriodSource(kind, text, sheet, cell, int(m.group(1)), _month(m.group(2)))]
    for rx in (_RANGE, _AS_OF):
        m = rx.search(t)
        if m is None:
            continue
        month = _month(m.group(m.lastindex or 1))
        if month is None:
            continue
        y = m.group(1) if rx is _AS_OF else None
        year = int(y) if y else (int(year_any.group(1)) if year_any else None)
        return [PeriodSource(kind, text, sheet, cell, year, month)]
    m = _YEAR_MONTH.search(t)
    if m and _month(m.group(2)) and kind == "title":
        return [PeriodSource(kind, text, sheet, cell, int(m.group(1)), _month(m.group(2)))]
    if year_any and kind == "title":
        return [PeriodSource(kind, text, sheet, cell, int(year_any.group(1)), None)]
    return []


def sheet_sources(sheet: str, top: np.ndarray, header: Header, tail: Iterable[tuple[int, int, str]],
                  title: tuple[int, int, str] | None, ytd_cols: list[int],
                  plan_cols: set[int]) -> list[PeriodSource]:
    """Every source of one sheet: its name, title and notes above the header, its headers, and the
    note cells under the table (``tail``: (row, col, text), 0-based)."""
    out: list[PeriodSource] = []
    named = sheet_name_period(sheet)
    if named is not None:
        out.append(PeriodSource("sheet_name", sheet, sheet, None, named[0], named[1]))
    seen: set[str] = set()
    for r in range(min(header.start, top.shape[0])):
        for c in range(top.shape[1]):
            text = top[r, c]
            if not text or text in seen:
                continue
            seen.add(text)
            kind = "title" if title is not None and (r, c) == title[:2] else "note"
            out += text_sources(text, kind, sheet, f"{get_column_letter(c + 1)}{r + 1}")
    for r, c, text in tail:
        out += [s for s in text_sources(text, "note", sheet, f"{get_column_letter(c + 1)}{r + 1}")
                if s.month is not None]
    for c in ytd_cols:
        out += _header_source(header, c, "completion_header", sheet)
    years: dict[int, int] = {}
    for c, raw in enumerate(header.raw):
        if not raw or c in ytd_cols:
            continue
        if c not in plan_cols:
            out += _header_source(header, c, "header", sheet, need_range=True)
        if header.years[c] is not None:
            years.setdefault(header.years[c] or 0, c)
    for y, c in years.items():
        out.append(PeriodSource("year_header", header.raw[c], sheet, _cell(header, c), y, None))
    return out


def _cell(header: Header, c: int) -> str:
    row = header.rows[c] if c < len(header.rows) else header.start
    return f"{get_column_letter(c + 1)}{row + 1}"


def _header_source(header: Header, c: int, kind: str, sheet: str,
                   need_range: bool = False) -> list[PeriodSource]:
    raw = header.raw[c]
    t = to_simplified(norm(raw))
    m = _YEAR_RANGE.search(t)
    if m and _month(m.group(2)):
        return [PeriodSource(kind, raw, sheet, _cell(header, c), int(m.group(1)), _month(m.group(2)))]
    m = _RANGE.search(t) or (None if need_range else _AS_OF.search(t))
    if m is None:
        return []
    month = _month(m.group(m.lastindex or 1))
    if month is None:
        return []
    return [PeriodSource(kind, raw, sheet, _cell(header, c), header.years[c], month)]


def describe(s: PeriodSource) -> str:
    where = f"{s.cell}" if s.cell else ""
    if s.kind == "sheet_name":
        return f"工作表名“{s.text}”"
    sheet = f"工作表“{s.sheet}”" if s.sheet else ""
    return f"{sheet}{KIND_LABELS[s.kind]}{where}“{s.text}”"


def _says(s: PeriodSource) -> str:
    if s.day is not None:
        return f"{s.year}年{s.month}月{s.day}日"
    if s.month is None:
        return f"{s.year}年"
    return f"{s.year}年{s.month}月" if s.year else f"{s.month}月"


def resolve(sources: list[PeriodSource], year_hint: int | None = None) -> ReportPeriod:
    """The period of a set of sources (see the module docstring). ``year_hint``: a year the caller
    knows (from --as-of), used when no source states one."""
    unique = list(dict.fromkeys(sources))
    months = [s for s in unique if s.month is not None]
    warnings: list[str] = []
    best = min(months, key=lambda s: (-s.precision, KIND_ORDER[s.kind])) if months else None
    month = best.month if best else None
    day = best.day if best else None
    year_source: PeriodSource | None = None
    if best is not None and best.year is not None:
        year_source = best
    else:
        with_year = [s for s in unique if s.year is not None and s.kind != "year_header"]
        with_year.sort(key=lambda s: (s.month != month, -s.precision, KIND_ORDER[s.kind]))
        if with_year:
            year_source = with_year[0]
        else:
            header_years = {s.year for s in unique if s.kind == "year_header"}
            if len(header_years) == 1:
                year_source = next(s for s in unique if s.kind == "year_header")
    year = year_source.year if year_source is not None else year_hint
    if best is not None:
        other = [s for s in months if s.month != month]
        if other:
            said = "；".join(f"{describe(s)}为{_says(s)}" for s in other[:4])
            warnings.append(f"报告月份的来源不一致：{describe(best)}为{_says(best)}，而{said}。已按最具体的"
                            f"{describe(best)}取{month}月；如不对，请用 --as-of 指定统计截止日期")
    if year_source is not None:
        clash = [s for s in unique if s.year is not None and s.year != year and s.kind != "year_header"]
        if clash:
            said = "；".join(f"{describe(s)}为{s.year}年" for s in clash[:4])
            warnings.append(f"报告年份的来源不一致：{describe(year_source)}为{year}年，而{said}。已取{year}年；"
                            "如不对，请用 --as-of 指定统计截止日期")
    return ReportPeriod(year, month, day, best, year_source, tuple(unique), tuple(warnings))
