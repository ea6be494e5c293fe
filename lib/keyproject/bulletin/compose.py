"""What the 通报 says: a ``Bulletin`` (a 公文: 版头, 标题, 主送, 正文 in 一、二、三 sections, 附件,
落款 and date) composed from a ``Report``, and its plain text.

Every figure is taken from the report and written with ``keyproject.formats`` (亿元 to 2 decimals,
rates and points to 1 unless 设置 says otherwise); every paragraph is a small function of the report
so the refresh's 通报 sheet, the text and the Word document say the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from keyproject import formats as fmt
from keyproject.engine.ranking import DEPARTMENT, TOWN
from keyproject.engine.rules import Rules
from keyproject.formats import cn_date
from keyproject.labels import group_label
from keyproject.values import finite_number as _num
from keyproject.views import Table

if TYPE_CHECKING:
    from keyproject.engine.history import Changes
    from keyproject.engine.ranking import UnitBoard
    from keyproject.engine.report import Report

SECTION_NUMBERS = "一二三四五六七八九十"
NAMES_IN_TEXT = 10  # a list of projects in the 正文 names this many, then "等N个（详见附件）"
# the order offices list these in, when the ledger uses the usual words
NATURAL_ORDER: dict[str, tuple[str, ...]] = {
    "nature": ("新建", "续建"),
    "level": ("省重点", "市重点", "县重点", "区重点"),
}


# -- the document model ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the 正文; ``lead`` is a run-in 二级标题 such as "（一）投资完成情况。"."""

    text: str
    lead: str = ""

    def __str__(self) -> str:
        return self.lead + self.text


@dataclass(frozen=True)
class Section:
    heading: str  # "一、总体情况"
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Attachment:
    """A 附件: a table on its own pages after the 落款 (landscape when it is wide)."""

    title: str
    table: Table
    landscape: bool = False


@dataclass(frozen=True)
class Bulletin:
    issuer: str  # 发文机关 (版头)
    doc_number: str  # 发文字号 ("" when none)
    title: str
    recipients: str  # 主送, ending in "："
    opening: str
    sections: tuple[Section, ...]
    attachments: tuple[Attachment, ...]
    signature: str  # 落款
    date: dt.date  # 成文日期
    as_of: dt.date  # the day the figures are counted to
    rules: Rules = field(default_factory=Rules)
    decimals: fmt.Decimals = field(default_factory=fmt.Decimals)

    def attachment_note(self) -> list[str]:
        """附件说明: "附件：1.红黄灯项目清单", then one line per further attachment."""
        if not self.attachments:
            return []
        if len(self.attachments) == 1:
            return [f"附件：{self.attachments[0].title}"]
        lines = [f"附件：1.{self.attachments[0].title}"]
        lines += [f"　　　{i}.{a.title}" for i, a in enumerate(self.attachments[1:], start=2)]
        return lines

    def lines(self) -> list[str]:
        """The 正文 as plain text, one paragraph a line, from 主送 to the date (no 版头, no title)."""
        out = [self.recipients, self.opening]
        for s in self.sections:
            out.append(s.heading)
            out.extend(str(p) for p in s.paragraphs)
        out += self.attachment_note()
        out += [self.signature, cn_date(self.date)]
        return out


class Comparison(Protocol):
    """The 环比 and 同比 the 通报 states: what ``keyproject.engine.comparison.Comparison`` (the comparison
    engine ``kp history`` shares) holds; amounts in 万元, growths as fractions, None where unknown."""

    @property
    def previous_as_of(self) -> dt.date | None: ...  # the previous dispatch (snapshot)
    @property
    def increase(self) -> float | None: ...  # completed since then
    @property
    def mom_growth(self) -> float | None: ...  # 环比: this period's completion against the previous one's
    @property
    def last_year_ytd(self) -> float | None: ...  # last year's same months
    @property
    def yoy_growth(self) -> float | None: ...  # 同比 of the year to date


# -- helpers ---------------------------------------------------------------------------------------



def _names(values: Sequence[Any], limit: int | None = None, note: str = "") -> str:
    items = [str(v) for v in values if v is not None and str(v) not in ("", "nan", "<NA>")]
    if limit is not None and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}个{note}"
    return "、".join(items)


def _d(report: Report) -> fmt.Decimals:
    return report.decimals


def _rules(report: Report, rules: Rules | None, region: str | None) -> Rules:
    rules = rules or report.rules
    if region and region != rules.region:
        rules = dataclasses.replace(rules, region=region)
    return rules


def _yi(report: Report, wan: float | None) -> str:
    return fmt.yi(wan or 0.0, _d(report).yi)


def _rate(report: Report, rate: float | None) -> str:
    return fmt.percent(rate, _d(report).rate) + "%"


def _gap(report: Report, gap: float | None) -> str:
    """"超序时进度1.1个百分点" from a gap in points."""
    return fmt.gap_phrase(_num(gap), _d(report).points)


def _ordered(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    order = NATURAL_ORDER.get(key)
    if not order or frame.empty:
        return frame
    pos = {v: i for i, v in enumerate(order)}
    return frame.assign(_o=[pos.get(str(g), len(order)) for g in frame["group"]]).sort_values(
        "_o", kind="stable").drop(columns="_o")


# -- the pieces ------------------------------------------------------------------------------------

def period_label(report: Report) -> str:
    """The period the figures cover: "1-7月" (the month of ``as_of``)."""
    n = report.as_of.month
    return "1月" if n == 1 else f"1-{n}月"


def title(report: Report, region: str | None = None) -> str:
    region = region or report.rules.region
    return f"关于{report.as_of.year}年{period_label(report)}{region}重点项目推进情况的通报"


def opening(report: Report, rules: Rules) -> str:
    return (f"为全面掌握{rules.region}重点项目推进情况，{rules.issuing_office}对截至{cn_date(report.as_of)}"
            f"的重点项目推进情况进行了调度。现将有关情况通报如下：")


def totals_paragraph(report: Report, region: str | None = None,
                     comparison: Comparison | None = None) -> str:
    """"1-7月全县60个重点项目完成投资60.51亿元，占年度计划121.40亿元的49.8%，低于序时进度（58.3%）8.5个
    百分点" with 双过半, 同比 and 环比 where known."""
    region = region or report.rules.region
    t = report.totals
    ytd = _num(t.get("ytd_completed")) or 0.0
    rate = _num(t.get("completion_rate"))
    n = int(t.get("projects") or 0)
    text = f"{period_label(report)}{region}{n}个重点项目完成投资{_yi(report, ytd)}亿元"
    if rate is None:
        text += "（未填报年度计划投资，无法计算完成率）。"
    else:
        text += (f"，占年度计划{_yi(report, _num(t.get('annual_plan')))}亿元的{_rate(report, rate)}，"
                 f"{_gap(report, t.get('gap_points'))}（序时进度{_rate(report, report.time_progress)}）。")
        dh = t.get("double_half")
        if dh is not None:
            text += "实现“时间过半、任务过半”目标。" if dh else "未实现“时间过半、任务过半”目标。"
    text += comparison_sentence(report, comparison)
    return text


def comparison_sentence(report: Report, comparison: Comparison | None) -> str:
    """同比 against last year's same months (the 上年月度 sheet); 环比 against the previous dispatch
    (the history beside the ledger)."""
    if comparison is None:
        return ""
    d = _d(report)
    parts = []
    last, yoy = _num(comparison.last_year_ytd), fmt.growth_phrase(comparison.yoy_growth, d.rate)
    if last is not None and yoy:
        parts.append(f"较上年同期（{_yi(report, last)}亿元）{'同比' if yoy != '持平' else ''}{yoy}")
    since, inc = comparison.previous_as_of, _num(comparison.increase)
    if since is not None and inc is not None:
        text = (f"较{since.month}月{since.day}日调度时{'增加' if inc >= 0 else '减少'}"
                f"{_yi(report, abs(inc))}亿元")
        mom = fmt.growth_phrase(comparison.mom_growth, d.rate)
        if mom:
            text += f"，{'环比' if mom != '持平' else '与上期'}{mom}"
        parts.append(text)
    return ("；".join(parts) + "。") if parts else ""


def structure_paragraph(report: Report, region: str | None = None) -> str:
    """Projects, total investment and plan; by 新建/续建, level, category and size band."""
    region = region or report.rules.region
    t = report.totals
    n = int(t.get("projects") or 0)
    text = (f"{region}纳入调度的重点项目{n}个，总投资{_yi(report, _num(t.get('total_investment')))}亿元，"
            f"年度计划投资{_yi(report, _num(t.get('annual_plan')))}亿元。")
    parts = []
    counts = report.counts
    for key, word in (("nature", "项目"), ("level", "项目"), ("category", "类项目")):
        frame = counts.get(key)
        if frame is None or frame.empty:
            continue
        frame = _ordered(frame[frame["group"] != "未填写"], key)
        if frame.empty:
            continue
        parts.append("、".join(f"{g}{word}{int(c)}个（完成{_yi(report, y)}亿元{_rate_of(report, y, p)}）"
                               for g, c, y, p in zip(frame["group"], frame["count"], frame["ytd_completed"],
                                                     frame["annual_plan"], strict=True)))
    if parts:
        text += "其中，" + "；".join(parts) + "。"
    bands = report.size_bands
    if bands is not None and len(bands):
        text += "按投资规模分：" + "、".join(f"{_band_words(b)}{int(c)}个" for b, c in
                                          zip(bands["min"], bands["count"], strict=True)) + "。"
    return text


def _rate_of(report: Report, done: float, plan: float) -> str:
    if not plan or plan <= 0:
        return ""
    return f"，完成率{_rate(report, done / plan)}"


def _band_words(lower: float) -> str:
    return f"{lower / 10000:g}亿元以上" if lower >= 10000 else f"{lower:g}万元以上"


def stage_paragraph(report: Report) -> str:
    counts = report.counts.get("stage")
    parts = []
    if counts is not None and len(counts):
        parts.append("按建设阶段分：" + "、".join(f"{g}{int(c)}个" for g, c in
                                             zip(counts["group"], counts["count"], strict=True)) + "。")
    three = report.three_classes
    if any(three.values()):
        parts.append("三类项目中，" + "、".join(f"{k}{v}个" for k, v in three.items()) + "。")
    return "".join(parts)


def start_completion_paragraph(report: Report) -> str:
    parts = []
    for label, d in (("开工", report.start_rate), ("竣工", report.completion_rate_projects)):
        planned = int(d.get("planned") or 0)
        if planned:
            parts.append(f"计划{label}的{planned}个项目已{label}{int(d.get('done') or 0)}个，"
                         f"{label}率{_rate(report, _num(d.get('rate')))}")
    return ("；".join(parts) + "。") if parts else ""


def lights_paragraph(report: Report, rules: Rules | None = None, note: str = "") -> str:
    """Counts of the lights and the red projects (the first ten by name, then a count)."""
    rules = rules or report.rules
    g, y, r = (rules.light_label(x) for x in ("green", "yellow", "red"))
    counts = report.lights
    text = (f"按红黄绿灯评价，{g}灯项目{counts.get('green', 0)}个、{y}灯项目{counts.get('yellow', 0)}个、"
            f"{r}灯项目{counts.get('red', 0)}个")
    if counts.get("none"):
        text += f"，未评价{counts['none']}个"
    text += "。"
    red = report.projects[report.projects["light"] == "red"]
    if len(red):
        units = red["unit"] if "unit" in red.columns else pd.Series([None] * len(red), index=red.index)
        items = [f"{n}（{u}）" if isinstance(u, str) and u else str(n)
                 for n, u in zip(red["name"], units, strict=True)]
        text += f"{r}灯项目为：{_names(items, NAMES_IN_TEXT)}{note}。"
    return text


def ranking_paragraph(report: Report, by: str, n: int = 3) -> str:
    """"按指挥部排名，投资完成率前3位的是……；后3位的是……" over the ranked groups."""
    table = report.rankings.get(by)
    if table is None or table.empty:
        return ""
    ranked = table[table["rank"].notna()] if "rank" in table.columns else table
    ranked = ranked[ranked["completion_rate"].notna()]
    if ranked.empty:
        return ""
    label = group_label(by)
    k = 1 if len(ranked) < 2 else min(n, len(ranked) // 2)  # a short list splits so none is both

    def items(rows: pd.DataFrame) -> str:
        return "、".join(f"{g}（{_rate(report, rate)}）" for g, rate in
                        zip(rows["group"], rows["completion_rate"], strict=True))

    text = f"按{label}排名，投资完成率前{k}位的是：{items(ranked.head(k))}"
    if len(ranked) > k:
        tail = ranked.tail(min(n, len(ranked) - k)).iloc[::-1]
        text += f"；后{len(tail)}位的是：{items(tail)}"
    return text + "。"


def command_post_paragraph(report: Report) -> str:
    """Every command post by completion rate (offices have a handful: all of them are read out)."""
    table = report.rankings.get("command_post")
    if table is None or table.empty or table["completion_rate"].notna().sum() == 0:
        return ""
    rows = table[table["completion_rate"].notna()]
    items = "、".join(f"{g}{_rate(report, rate)}" for g, rate in zip(rows["group"], rows["completion_rate"],
                                                                    strict=True))
    return f"各指挥部投资完成率依次为：{items}。"


def _stale_note(rows: pd.DataFrame) -> list[str]:
    """Per row: "" or "，本期未报送" / "，N个项目本期未报送" (a group judged on figures it did not update)."""
    if "not_updated" not in rows.columns:
        return [""] * len(rows)
    return ["" if not n else "，本期未报送" if n == total else f"，{n}个项目本期未报送"
            for n, total in zip(rows["not_updated"], rows["projects"], strict=True)]


def _board_items(report: Report, rows: pd.DataFrame) -> str:
    if rows.empty:
        return "无"
    return "、".join(f"{g}（完成{_rate(report, rate)}，{_gap(report, gap)}{note}）"
                     for g, rate, gap, note in zip(rows["group"], rows["completion_rate"], rows["gap_points"],
                                                   _stale_note(rows), strict=True))


def reporting_paragraph(report: Report) -> str:
    """Who reported this period and who is to be chased (催报), when submissions were consolidated."""
    if report.reporting is None:
        return ""
    month = report.reporting.month
    late = report.unreported
    units = report.projects["unit"].nunique() if "unit" in report.projects.columns else 0
    if late.empty:
        return f"{month}月各责任单位均已按时报送。"
    none = late[late["status"] == "未报送"]["unit"].tolist()
    partly = late[late["status"] != "未报送"]["unit"].tolist()
    text = f"{month}月应报送责任单位{units}个，已报送{units - len(late)}个"
    text += f"、部分报送{len(partly)}个" if partly else ""
    text += f"、未报送{len(none)}个。" if none else "。"
    if none:
        text += f"未报送的有：{_names(none)}，请督促抓紧报送。"
    if partly:
        text += f"部分项目未报送的有：{_names(partly)}。"
    return text + "未报送单位的项目按上期数据评价，排名中已标注。"


def board_paragraph(report: Report, board: UnitBoard, rules: Rules | None = None) -> str:
    """The 红榜 and 黑榜 of one class of units, and who was too small to be ranked."""
    rules = rules or report.rules
    text = f"红榜：{_board_items(report, board.red)}；黑榜：{_board_items(report, board.black)}。"
    if board.exempt:
        text += (f"{_names(board.exempt, NAMES_IN_TEXT)}纳入调度的项目少于{rules.rank_min_projects}个，"
                 "不参与排名。")
    return text


def red_black_paragraph(report: Report) -> str:
    """The 红黑榜 of all units in one list (when the report has no separate boards)."""
    by = report.list_by
    if by is None:
        return ""
    label = group_label(by)
    return f"按{label}评定，{_board_text(report, report.red_list, report.black_list)}"


def _board_text(report: Report, red: pd.DataFrame, black: pd.DataFrame) -> str:
    return f"红榜：{_board_items(report, red)}；黑榜：{_board_items(report, black)}。"


def problems_paragraph(report: Report, note: str = "") -> str:
    """Problems found, closed (销号) and overdue by unit; ``note`` follows the overdue ones."""
    p = report.problems
    if p.source == "none" or not p.total:
        return ""
    text = (f"梳理项目推进中存在的问题{p.total}个，已销号{p.closed}个，"
            f"销号率{_rate(report, p.closure_rate)}")
    if p.overdue:
        units = p.by_unit[p.by_unit["overdue"] > 0]
        text += (f"；逾期未解决{p.overdue}个，涉及"
                 + "、".join(f"{u}{int(n)}个" for u, n in zip(units["unit"], units["overdue"], strict=True))
                 + note)
    if p.due_soon:
        text += f"；{p.due_soon}个问题临近办结时限"
    return text + "。"


def changes_paragraph(changes: Changes | None, rules: Rules | None = None,
                      decimals: fmt.Decimals | None = None, *, with_total: bool = True) -> str:
    """What changed since the previous dispatch (the history beside the ledger); ``with_total=False``
    leaves out the investment completed since, when the 环比 sentence has said it."""
    if changes is None:
        return ""
    rules = rules or Rules()
    d = decimals or fmt.decimals(rules)
    g, r = rules.light_label("green"), rules.light_label("red")
    since = f"{changes.previous_as_of.month}月{changes.previous_as_of.day}日"
    parts = []
    delta = changes.totals_delta.get("ytd_completed") if with_total else None
    if delta is not None:
        parts.append(f"完成投资{'增加' if delta >= 0 else '减少'}{fmt.yi(abs(delta), d.yi)}亿元")
    for label, names in ((f"新增{r}灯项目", changes.newly_red), (f"转为{g}灯项目", changes.turned_green),
                         ("新开工项目", changes.newly_started), ("新竣工项目", changes.newly_completed)):
        if names:
            parts.append(f"{label}{len(names)}个（{_names(names, NAMES_IN_TEXT)}）")
    if not parts:
        return f"与{since}调度时相比，项目推进情况无明显变化。"
    return f"与{since}调度时相比，" + "；".join(parts) + "。"


# -- attachments (tables) ----------------------------------------------------------------------------
# the columns of the sheets' views an A4 attachment has room for, in the views' order and labels
LIGHT_KEYS = ("seq", "light", "name", "unit", "leader", "annual_plan", "ytd_completed", "completion_rate",
              "gap_points", "light_reasons")
OVERDUE_KEYS = ("project", "unit", "problem", "deadline", "days_overdue")


def select(table: Table, keys: Sequence[str]) -> Table:
    """``table`` with only the columns ``keys`` (those it has), rows and labels as they are."""
    have = {c.key: i for i, c in enumerate(table.columns)}
    idx = [have[k] for k in keys if k in have]
    return Table(table.key, table.title, tuple(table.columns[i] for i in idx),
                 tuple(tuple(r[i] for i in idx) for r in table.rows), table.empty)


def attachments(report: Report, rules: Rules | None = None, *, tables: bool = True) -> list[Attachment]:
    """The 附件 of the 通报, from the sheets' views (``keyproject.views.sheets``): the red and yellow
    projects, 乡镇（街道） and 部门 ranked apart, the command posts, the overdue problems.
    ``tables=False`` names them only (the text needs no rows: the red/yellow list of a large ledger
    is not built for nothing)."""
    from keyproject.views.sheets import (
        board_blocks,
        flagged_projects,
        lights_view,
        problems_view,
        ranking_view,
    )

    rules = rules or report.rules
    y, r = rules.light_label("yellow"), rules.light_label("red")
    out = []
    if len(flagged_projects(report)):
        lights = (select(next(lights_view(report).tables()), LIGHT_KEYS) if tables
                  else Table("lights", None, (), ()))
        out.append(Attachment(f"{rules.region}重点项目{r}{y}灯项目清单", lights, landscape=True))
    names = rules.unit_class_labels
    for table in board_blocks(report):
        kind = table.key.removeprefix("board.")
        if kind in names and table.rows:
            out.append(Attachment(f"{names[kind]}重点项目投资完成情况排名", table, landscape=True))
    rankings = {t.key: t for t in ranking_view(report).tables()}
    if not report.boards and f"ranking.{report.list_by}" in rankings:
        out.append(Attachment(f"按{group_label(report.list_by or 'unit')}重点项目投资完成情况排名",
                              rankings[f"ranking.{report.list_by}"], landscape=True))
    posts = rankings.get("ranking.command_post")
    if posts is not None and posts.rows:
        out.append(Attachment("各指挥部重点项目投资完成情况", posts, landscape=True))
    overdue = next((t for t in problems_view(report).tables() if t.key == "overdue"), None)
    if overdue is not None and overdue.rows:
        out.append(Attachment("逾期未解决问题清单", select(overdue, OVERDUE_KEYS), landscape=True))
    return out


# -- the whole 通报 ---------------------------------------------------------------------------------

def _lead(i: int, text: str) -> str:
    return f"（{SECTION_NUMBERS[i]}）{text}。"


def compose(report: Report, changes: Changes | None = None, *, region: str | None = None,
            rules: Rules | None = None, title_text: str | None = None, date: dt.date | None = None,
            comparison: Comparison | None = None, tables: bool = True) -> Bulletin:
    """The 通报 of ``report``: sections and paragraphs with nothing empty left in, and its 附件
    (with their rows unless ``tables=False``: the text only names them)."""
    rules = _rules(report, rules, region)
    files = attachments(report, rules, tables=tables)
    see = {a.table.key: f"（详见附件{i}）" if len(files) > 1 else "（详见附件）"
           for i, a in enumerate(files, start=1)}  # keyed by the views' table keys

    def subsections(items: Sequence[tuple[str, str]]) -> tuple[Paragraph, ...]:
        kept = [(lead, text) for lead, text in items if text]
        if len(kept) == 1 and not kept[0][0]:
            return (Paragraph(kept[0][1]),)
        return tuple(Paragraph(text, _lead(i, lead) if lead else "") for i, (lead, text) in enumerate(kept))

    overview = subsections([
        ("投资完成情况", totals_paragraph(report, rules.region, comparison)),
        ("项目结构", structure_paragraph(report, rules.region)),
        ("项目进度", stage_paragraph(report) + start_completion_paragraph(report)),
    ])
    labels = rules.unit_class_labels
    boards = report.boards
    board_items: list[tuple[str, str]] = [(labels[k], board_paragraph(report, boards[k], rules))
                                          for k in (TOWN, DEPARTMENT) if k in boards]
    if not boards:
        board_items.append(("红黑榜", red_black_paragraph(report)))
    board_items.append(("指挥部", command_post_paragraph(report)))
    raw: list[tuple[str, tuple[Paragraph, ...]]] = [
        ("总体情况", overview),
        ("项目评价", subsections([("", lights_paragraph(report, rules, see.get("lights", "")))])),
        ("比学赶超", subsections(board_items)),
        ("问题办理", subsections([("", problems_paragraph(report, see.get("overdue", "")))])),
        ("报送情况", subsections([("", reporting_paragraph(report))])),
        ("较上次调度变化", subsections([("", changes_paragraph(
            changes, rules, _d(report),
            with_total=comparison is None or _num(getattr(comparison, "increase", None)) is None))])),
        ("下步工作要求", tuple(Paragraph(t) for t in rules.requirements.splitlines() if t.strip())),
    ]
    sections: list[Section] = []
    for heading, paras in raw:
        if paras:
            sections.append(Section(f"{SECTION_NUMBERS[len(sections)]}、{heading}", paras))
    return Bulletin(
        issuer=rules.issuing_office, doc_number=rules.doc_number.strip(),
        title=title_text or title(report, rules.region), recipients=rules.main_recipients,
        opening=opening(report, rules), sections=tuple(sections), attachments=tuple(files),
        signature=rules.signature, date=date or report.as_of, as_of=report.as_of, rules=rules,
        decimals=_d(report),
    )


def sections(report: Report, changes: Changes | None = None, region: str | None = None,
             rules: Rules | None = None) -> list[tuple[str, list[str]]]:
    """The 正文 as (heading, paragraphs) sections."""
    b = compose(report, changes, region=region, rules=rules, tables=False)
    return [(s.heading, [str(p) for p in s.paragraphs]) for s in b.sections]


def bulletin_paragraphs(report: Report, changes: Changes | None = None, region: str | None = None,
                        rules: Rules | None = None, comparison: Comparison | None = None) -> list[str]:
    """From 主送 to the date, one paragraph a line (no title): one per row of the 通报 sheet."""
    return compose(report, changes, region=region, rules=rules, comparison=comparison, tables=False).lines()


def bulletin_text(report: Report, changes: Changes | None = None, region: str | None = None,
                  rules: Rules | None = None, comparison: Comparison | None = None,
                  title_text: str | None = None, date: dt.date | None = None) -> str:
    """The whole 通报 as plain text: the title line, then one paragraph per line."""
    b = compose(report, changes, region=region, rules=rules, comparison=comparison, title_text=title_text,
                date=date, tables=False)
    return "\n".join([b.title, *b.lines()]) + "\n"
