"""The bulletin (通报): text in the register offices use, and a Word document.

Every paragraph is a small function of the ``Report`` (and of ``history.Changes`` for what changed
since the previous refresh), so the refresh's 通报 sheet can put one paragraph per row and the Word
document can add tables beside them. Figures are taken from the report, never typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from keyproject.rules import Rules

if TYPE_CHECKING:
    from keyproject.history import Changes
    from keyproject.report import Report

GROUP_LABELS: dict[str, str] = {"unit": "责任单位", "command_post": "指挥部", "town": "乡镇",
                                "leader": "包保领导"}
SECTION_NUMBERS = "一二三四五六七八九十"
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
FALLBACK_FONT = "Noto Serif CJK SC"  # what LibreOffice/Linux has when 仿宋/宋体 are missing


# -- number formats ------------------------------------------------------------------------

def yi(wan: float) -> str:
    """万元 → 亿元 text with 2 decimals: 42800 → "4.28"."""
    return f"{wan / 10000:.2f}"


def pct(rate: float | None, decimals: int = 2) -> str:
    """A fraction as percent text with 1-2 decimals: 0.58333 → "58.33", 0.5 → "50.0"."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return "—"
    return points(rate * 100, decimals)


def points(value: float, decimals: int = 2) -> str:
    """Percentage points with 1-2 decimals (trailing zero dropped down to one decimal)."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    return text


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _names(values: Sequence[Any], limit: int | None = None) -> str:
    items = [str(v) for v in values if v is not None and str(v) not in ("", "nan")]
    if limit is not None and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}个"
    return "、".join(items)


# -- the pieces ----------------------------------------------------------------------------

def report_month(report: Report) -> int:
    """The N of a 1-N月 report: the month of as_of (month basis) — the period the figures cover."""
    return report.as_of.month


def period_label(report: Report) -> str:
    n = report_month(report)
    return "1月" if n == 1 else f"1-{n}月"


def title(report: Report, region: str = "全县") -> str:
    return f"关于{report.as_of.year}年{period_label(report)}{region}重点项目推进情况的通报"


def totals_paragraph(report: Report, region: str = "全县") -> str:
    """"1-7月全县重点项目完成投资X亿元，占年度计划的Y%，超/低于序时进度Z个百分点。" (+ 双过半)."""
    t = report.totals
    ytd = _num(t.get("ytd_completed")) or 0.0
    rate = _num(t.get("completion_rate"))
    gap = _num(t.get("gap_points"))
    text = f"{period_label(report)}{region}重点项目完成投资{yi(ytd)}亿元"
    if rate is None or gap is None:
        return text + "（未填报年度计划投资，无法计算完成率）。"
    word = "超" if gap >= 0 else "低于"
    text += f"，占年度计划的{pct(rate)}%，{word}序时进度{points(abs(gap))}个百分点。"
    dh = t.get("double_half")
    if dh is not None:
        text += "实现“时间过半、任务过半”目标。" if dh else "未实现“时间过半、任务过半”目标。"
    return text


def overview_paragraph(report: Report, region: str = "全县") -> str:
    t = report.totals
    total = yi(_num(t.get("total_investment")) or 0)
    plan = yi(_num(t.get("annual_plan")) or 0)
    n = int(t.get("projects") or 0)
    text = f"{region}纳入调度的重点项目{n}个，总投资{total}亿元，年度计划投资{plan}亿元。"
    bands = getattr(report, "size_bands", None)
    if bands is not None and len(bands):
        parts = [f"{_band_words(b)}{int(c)}个" for b, c in zip(bands["min"], bands["count"], strict=True)]
        text += "按投资规模分：" + "、".join(parts) + "。"
    return text


def _band_words(lower: float) -> str:
    return f"{lower / 10000:g}亿元以上" if lower >= 10000 else f"{lower:g}万元以上"


def stage_paragraph(report: Report) -> str:
    counts = getattr(report, "counts", {}).get("stage")
    parts = []
    if counts is not None and len(counts):
        parts.append("按建设阶段分：" + "、".join(f"{g}{int(c)}个" for g, c in
                                             zip(counts["group"], counts["count"], strict=True)) + "。")
    three = getattr(report, "three_classes", None) or {}
    if any(three.values()):
        parts.append("三类项目中，" + "、".join(f"{k}{v}个" for k, v in three.items()) + "。")
    return "".join(parts)


def start_completion_paragraph(report: Report) -> str:
    parts = []
    for label, d in (("开工", report.start_rate), ("竣工", report.completion_rate_projects)):
        planned = int(d.get("planned") or 0)
        if planned:
            parts.append(f"计划{label}的{planned}个项目已{label}{int(d.get('done') or 0)}个，"
                         f"{label}率{pct(d.get('rate'), 1)}%")
    return ("；".join(parts) + "。") if parts else ""


def lights_paragraph(report: Report, rules: Rules | None = None) -> str:
    rules = rules or report.rules
    g, y, r = (rules.light_label(x) for x in ("green", "yellow", "red"))
    counts = report.lights
    text = (f"按红黄绿灯评价，{g}灯{counts.get('green', 0)}个、{y}灯{counts.get('yellow', 0)}个、"
            f"{r}灯{counts.get('red', 0)}个")
    if counts.get("none"):
        text += f"，未评价{counts['none']}个"
    text += "。"
    red = report.projects[report.projects["light"] == "red"]
    if len(red):
        items = []
        for name, unit in zip(red["name"], red["unit"] if "unit" in red.columns else [None] * len(red),
                              strict=True):
            items.append(f"{name}（{unit}）" if isinstance(unit, str) and unit else str(name))
        text += f"{r}灯项目：" + "、".join(items) + "。"
    return text


def ranking_paragraph(report: Report, by: str, n: int = 3) -> str:
    table = report.rankings.get(by)
    if table is None or table.empty:
        return ""
    ranked = table[table["completion_rate"].notna()]
    if ranked.empty:
        return ""
    label = GROUP_LABELS.get(by, by)
    # top n and bottom n; a short list splits in two halves so no group is both
    k = 1 if len(ranked) < 2 else min(n, len(ranked) // 2)

    def fmt(rows: pd.DataFrame) -> str:
        return "、".join(f"{g}（{pct(rate)}%）" for g, rate in zip(rows["group"], rows["completion_rate"],
                                                                 strict=True))

    text = f"按{label}排名，投资完成率前{k}位的是：{fmt(ranked.head(k))}"
    if len(ranked) > k:
        tail = ranked.tail(min(n, len(ranked) - k)).iloc[::-1]
        text += f"；后{len(tail)}位的是：{fmt(tail)}"
    return text + "。"


def red_black_paragraph(report: Report) -> str:
    by = report.list_by
    if by is None:
        return ""
    label = GROUP_LABELS.get(by, by)

    def fmt(rows: pd.DataFrame) -> str:
        out = []
        for g, gap in zip(rows["group"], rows["gap_points"], strict=True):
            word = "超" if gap >= 0 else "低于"
            out.append(f"{g}（{word}序时进度{points(abs(gap))}个百分点）")
        return "、".join(out)

    red = fmt(report.red_list) if len(report.red_list) else "无"
    black = fmt(report.black_list) if len(report.black_list) else "无"
    return f"按{label}评定，红榜：{red}；黑榜：{black}。"


def problems_paragraph(report: Report) -> str:
    p = report.problems
    if p.source == "none" or not p.total:
        return ""
    text = f"梳理项目推进中存在的问题{p.total}个，已销号{p.closed}个，销号率{pct(p.closure_rate, 1)}%"
    if p.overdue:
        units = p.by_unit[p.by_unit["overdue"] > 0]
        text += (f"；逾期未解决{p.overdue}个，涉及"
                 + "、".join(f"{u}{int(n)}个" for u, n in zip(units["unit"], units["overdue"], strict=True)))
    if p.due_soon:
        text += f"；{p.due_soon}个问题临近办结时限"
    return text + "。"


def changes_paragraph(changes: Changes | None, rules: Rules | None = None) -> str:
    if changes is None:
        return ""
    rules = rules or Rules()
    g, r = rules.light_label("green"), rules.light_label("red")
    since = f"{changes.previous_as_of.month}月{changes.previous_as_of.day}日"
    parts = []
    delta = changes.totals_delta.get("ytd_completed")
    if delta is not None:
        parts.append(f"完成投资{'增加' if delta >= 0 else '减少'}{yi(abs(delta))}亿元")
    for label, names in ((f"新增{r}灯项目", changes.newly_red), (f"转为{g}灯项目", changes.turned_green),
                         ("新开工项目", changes.newly_started), ("新竣工项目", changes.newly_completed)):
        if names:
            parts.append(f"{label}{len(names)}个（{_names(names, 10)}）")
    if not parts:
        return f"与{since}调度时相比，项目推进情况无明显变化。"
    return f"与{since}调度时相比，" + "；".join(parts) + "。"


def sections(report: Report, changes: Changes | None = None, region: str = "全县",
             rules: Rules | None = None) -> list[tuple[str, list[str]]]:
    """The bulletin as (heading, paragraphs) sections; empty paragraphs and sections left out."""
    raw: list[tuple[str, list[str]]] = [
        ("总体情况", [totals_paragraph(report, region), overview_paragraph(report, region),
                      stage_paragraph(report), start_completion_paragraph(report)]),
        ("红黄绿灯", [lights_paragraph(report, rules)]),
        ("比学赶超", [ranking_paragraph(report, "unit"), ranking_paragraph(report, "command_post"),
                      red_black_paragraph(report)]),
        ("问题办理", [problems_paragraph(report)]),
        ("较上次调度变化", [changes_paragraph(changes, rules or report.rules)]),
    ]
    out = []
    for heading, paras in raw:
        kept = [p for p in paras if p]
        if kept:
            out.append((f"{SECTION_NUMBERS[len(out)]}、{heading}", kept))
    return out


def bulletin_paragraphs(report: Report, changes: Changes | None = None, region: str = "全县",
                        rules: Rules | None = None) -> list[str]:
    """Section headings and paragraphs in order (no title): one per row of the 通报 sheet."""
    out: list[str] = []
    for heading, paras in sections(report, changes, region, rules):
        out.append(heading)
        out.extend(paras)
    return out


def bulletin_text(report: Report, changes: Changes | None = None, region: str = "全县",
                  rules: Rules | None = None) -> str:
    """The whole bulletin as plain text: the title line, then one paragraph per line."""
    return "\n".join([title(report, region), *bulletin_paragraphs(report, changes, region, rules)]) + "\n"


# -- tables for the Word document ------------------------------------------------------------

def lights_table(report: Report, rules: Rules | None = None) -> pd.DataFrame:
    """Red then yellow projects with their reasons (worst gap first)."""
    rules = rules or report.rules
    p = report.projects
    lit = p[p["light"].isin(["red", "yellow"])].copy()
    lit["_order"] = lit["light"].map({"red": 0, "yellow": 1})
    lit = lit.sort_values(["_order", "gap_points"], na_position="last", kind="stable")
    reasons = lit["light_reasons"] if "light_reasons" in lit.columns else pd.Series([[]] * len(lit),
                                                                                   index=lit.index)

    def col(key: str) -> list[Any]:
        return lit[key].tolist() if key in lit.columns else [None] * len(lit)

    return pd.DataFrame({
        "项目名称": col("name"), "责任单位": col("unit"), "包保领导": col("leader"),
        "灯号": [rules.light_label(x) for x in lit["light"]],
        "完成率(%)": [pct(x) for x in lit["completion_rate"]],
        "差距(百分点)": [points(x) if _num(x) is not None else "—" for x in lit["gap_points"]],
        "原因": ["；".join(r) if isinstance(r, (list, tuple)) else "" for r in reasons],
    })


def ranking_table(report: Report, by: str) -> pd.DataFrame:
    t = report.rankings.get(by)
    if t is None:
        return pd.DataFrame()
    rules = report.rules
    return pd.DataFrame({
        "名次": ["" if pd.isna(x) else int(x) for x in t["rank"]],
        GROUP_LABELS.get(by, by): t["group"].tolist(),
        "项目数": t["projects"].tolist(),
        "年度计划(亿元)": [yi(x) for x in t["annual_plan"]],
        "已完成(亿元)": [yi(x) for x in t["ytd_completed"]],
        "完成率(%)": [pct(x) for x in t["completion_rate"]],
        "差距(百分点)": ["—" if pd.isna(x) else points(x) for x in t["gap_points"]],
        f"{rules.light_label('red')}灯": t["red"].tolist(),
        f"{rules.light_label('yellow')}灯": t["yellow"].tolist(),
    })


def red_black_table(report: Report) -> pd.DataFrame:
    rows = []
    label = GROUP_LABELS.get(report.list_by or "", report.list_by or "")
    for board, frame in (("红榜", report.red_list), ("黑榜", report.black_list)):
        for g, rate, gap in zip(frame["group"], frame["completion_rate"], frame["gap_points"], strict=True):
            rows.append({"榜单": board, label or "单位": g, "完成率(%)": pct(rate),
                         "差距(百分点)": "—" if pd.isna(gap) else points(gap)})
    return pd.DataFrame(rows)


def overdue_table(report: Report) -> pd.DataFrame:
    items = report.problems.overdue_items
    if items is None or items.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "责任单位": items["unit"].tolist(),
        "项目": items["project"].tolist() if "project" in items.columns else "",
        "问题": items["problem"].tolist(),
        "办结时限": [d.strftime("%Y-%m-%d") if pd.notna(d) else ""
                     for d in pd.to_datetime(items["deadline"])],
        "逾期天数": ["" if pd.isna(x) else int(x) for x in items["days_overdue"]],
    }).sort_values(["责任单位"], kind="stable")


def tables(report: Report, rules: Rules | None = None) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    """Tables to put after each section's paragraphs, keyed by section topic."""
    rules = rules or report.rules
    out: dict[str, list[tuple[str, pd.DataFrame]]] = {
        "红黄绿灯": [(f"{rules.light_label('red')}{rules.light_label('yellow')}灯项目",
                      lights_table(report, rules))],
        "比学赶超": [(f"按{GROUP_LABELS.get(k, k)}排名", ranking_table(report, k))
                     for k in ("unit", "command_post") if k in report.rankings]
                    + [("红黑榜", red_black_table(report))],
        "问题办理": [("逾期未解决问题", overdue_table(report))],
    }
    return {k: [(n, t) for n, t in v if not t.empty] for k, v in out.items()}


# -- Word ---------------------------------------------------------------------------------------

def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _set_fonts(run_or_style: Any, east_asia: str, size: float | None = None,
               bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = "Times New Roman"
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    # zh-CN tells a program without the font to substitute a Simplified Chinese one
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _declare_fallbacks(doc: Any, names: Sequence[str], fallback: str) -> None:
    """fontTable entries that name ``fallback`` as the alternative of each CJK font (LibreOffice and
    WPS use w:altName when the font itself is missing)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    root = parse_xml(part.blob)
    for name in names:
        root.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{fallback}"/>'
                              f'<w:charset w:val="86"/><w:family w:val="roman"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# cm; other columns share the rest of the text width
_WIDE_COLUMNS = {"项目名称": 3.4, "项目": 3.0, "原因": 4.2, "问题": 4.6, "责任单位": 2.4, "包保领导": 1.6,
                 "灯号": 1.1, "榜单": 1.4, "名次": 1.1}
_TEXT_WIDTH_CM = 15.6


_RUN_PATH = "./{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc/" \
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p/" \
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}r"


def _add_table(doc: Any, caption: str, frame: pd.DataFrame, font: str) -> None:
    from copy import deepcopy

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    cap = doc.add_paragraph()
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(cap.add_run(caption), TITLE_FONT, 12, bold=True)
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    wide = {c: _WIDE_COLUMNS[c] for c in frame.columns if c in _WIDE_COLUMNS}
    rest = (_TEXT_WIDTH_CM - sum(wide.values())) / max(1, len(frame.columns) - len(wide))
    widths = [Cm(wide.get(name, rest)) for name in frame.columns]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice/WPS lay out by
    for cell, name, width in zip(table.rows[0].cells, frame.columns, widths, strict=True):
        cell.text = ""
        cell.width = width
        _set_fonts(cell.paragraphs[0].add_run(str(name)), font, 10.5, bold=True)
    # body rows: the first through python-docx, the others copies of it with their texts set (python-docx's
    # add_row looks up the table grid by a search that slows as the table grows, and its font setters
    # are slow: together most of a 30,000-project bulletin's time in the profile)
    template = None
    for values in frame.itertuples(index=False):
        texts = ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]
        if template is None:
            rpr = None
            for cell, text in zip(table.add_row().cells, texts, strict=True):  # cells sized by the grid
                run = cell.paragraphs[0].add_run(text)
                if rpr is None:
                    _set_fonts(run, font, 10.5)
                    rpr = run.element.rPr
                else:
                    run.element.insert(0, deepcopy(rpr))
            template = table.rows[-1]._tr
            continue
        tr = deepcopy(template)
        table._tbl.append(tr)
        for r, text in zip(tr.iterfind(_RUN_PATH), texts, strict=True):
            r.text = text  # python-docx's run text: tabs and line breaks as Word's elements
    doc.add_paragraph()


def build_docx(report: Report, changes: Changes | None = None, region: str = "全县",
               title_text: str | None = None, rules: Rules | None = None, date: dt.date | None = None,
               font: str = BODY_FONT) -> Any:
    """The bulletin as a python-docx ``Document`` (not saved)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    _set_fonts(normal, font, 14)
    for sec in doc.sections:
        sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
        sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    _declare_fallbacks(doc, [font, TITLE_FONT, "黑体"], FALLBACK_FONT)

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(head.add_run(title_text or title(report, region)), TITLE_FONT, 20, bold=True)
    when = doc.add_paragraph()
    when.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(when.add_run(f"（截至{_cn_date(report.as_of)}）"), font, 14)

    extra = tables(report, rules)
    for heading, paras in sections(report, changes, region, rules):
        h = doc.add_paragraph()
        _set_fonts(h.add_run(heading), "黑体", 14, bold=True)
        for text in paras:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            p.paragraph_format.line_spacing = Pt(28)
            _set_fonts(p.add_run(text), font, 14)
        for caption, frame in extra.get(heading.split("、", 1)[1], []):
            _add_table(doc, caption, frame, font)

    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_fonts(sign.add_run(_cn_date(date or report.as_of)), font, 14)
    return doc


def write_docx(report: Report, path: str | Path, changes: Changes | None = None, region: str = "全县",
               title: str | None = None, rules: Rules | None = None, date: dt.date | None = None) -> Path:
    """Write the bulletin as a Word document, atomically (temp file beside it, then os.replace)."""
    path = Path(path)
    doc = build_docx(report, changes=changes, region=region, title_text=title, rules=rules, date=date)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".docx.tmp", dir=path.parent)
    os.close(fd)
    try:
        doc.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
