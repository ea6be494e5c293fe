"""The 通报 as a 公文: its text from real reports, the 设置 keys, and the Word document's layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import sys
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from keyproject.bulletin import (
    bulletin_paragraphs,
    bulletin_text,
    changes_paragraph,
    compose,
    lights_paragraph,
    title,
    totals_paragraph,
    write_docx,
)
from keyproject.bulletin.word import column_widths, em_width, title_lines
from keyproject.engine.history import History
from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules

sys.path.insert(0, str(Path(__file__).parent))
from test_submissions import make_ledger


def _ledger(ytd_a: float, ytd_b: float, month: int = 7, start_b: str | None = None, settings=None):
    started = {"planned_start": "2023-01-01", "actual_start": "2023-01-05"}
    led = make_ledger("台账.xlsx", "项目台账", [
        {"code": "A1", "name": "甲项目", "unit": "县发改局", "command_post": "工业指挥部",
         "leader": "张某", "level": "省重点", "nature": "续建", "category": "工业",
         "total_investment": 60000.0, "annual_plan": 5000.0, "ytd_completed": ytd_a,
         "planned_start": "2023-02-01", "actual_start": "2023-02-10"},
        {"name": "乙项目", "unit": "县住建局", "command_post": "城建指挥部", "leader": "李某",
         "level": "县重点", "nature": "新建", "category": "基础设施", "total_investment": 8000.0,
         "annual_plan": 3000.0, "ytd_completed": ytd_b, "planned_start": "2023-03-01",
         "actual_start": start_b, "problems": "征地未完成"},
        {"name": "丙项目", "unit": "县住建局", "command_post": "城建指挥部", "level": "市重点",
         "nature": "新建", "category": "基础设施", "total_investment": 4000.0, "annual_plan": 2000.0,
         "ytd_completed": 1000.0, "planned_start": "2023-06-01", "actual_start": "2023-06-01"},
        {"name": "丁项目", "unit": "赵化镇", "command_post": "城建指挥部", "level": "县重点",
         "nature": "续建", "category": "农业", "total_investment": 3000.0, "annual_plan": 1000.0,
         "ytd_completed": 900.0, **started},
        {"name": "戊项目", "unit": "赵化镇", "command_post": "工业指挥部", "level": "县重点",
         "nature": "续建", "category": "农业", "total_investment": 3000.0, "annual_plan": 1000.0,
         "ytd_completed": 800.0, **started},
        {"name": "己项目", "unit": "童寺镇", "command_post": "工业指挥部", "level": "县重点",
         "nature": "续建", "category": "农业", "total_investment": 3000.0, "annual_plan": 1000.0,
         "ytd_completed": 990.0, **started},
    ], month=month)
    led.settings = settings
    return led


def test_totals_paragraph_one_number_format() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    t = report.totals
    text = totals_paragraph(report)
    ytd, plan = t["ytd_completed"], t["annual_plan"]
    rate = ytd / plan
    gap = (rate - 7 / 12) * 100
    assert text.startswith(f"1-7月全县6个重点项目完成投资{ytd / 10000:.2f}亿元，"
                           f"占年度计划{plan / 10000:.2f}亿元的{rate * 100:.1f}%，"
                           f"{'超' if gap >= 0 else '低于'}序时进度{abs(gap):.1f}个百分点（序时进度58.3%）。")
    # every percentage and point figure in the 通报 has one decimal; every 亿元 figure two
    whole = bulletin_text(report)
    assert all(len(m) == 1 for m in re.findall(r"\d+\.(\d+)%", whole))
    assert all(len(m) == 1 for m in re.findall(r"\d+\.(\d+)个百分点", whole))
    assert all(len(m) == 2 for m in re.findall(r"\d+\.(\d+)亿元", whole))
    assert title(report, "富顺县") == "关于2023年1-7月富顺县重点项目推进情况的通报"


def test_settings_change_the_decimals() -> None:
    report = build_report(_ledger(4000.0, 500.0, settings={"百分比小数位数": 2, "亿元小数位数": 1,
                                                           "百分点小数位数": 2}))
    rate = report.totals["completion_rate"]
    text = totals_paragraph(report)
    assert f"的{rate * 100:.2f}%" in text and f"{report.totals['ytd_completed'] / 10000:.1f}亿元" in text
    assert f"{abs(report.totals['gap_points']):.2f}个百分点" in text


def test_the_bulletin_is_a_gongwen() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    b = compose(report, date=dt.date(2023, 8, 2))
    lines = b.lines()
    assert b.issuer == "县重点项目推进工作领导小组办公室" and b.doc_number == ""
    assert lines[0] == "各乡镇人民政府、街道办事处，县级各部门："  # 主送 first
    assert lines[1].startswith("为全面掌握全县重点项目推进情况")
    assert lines[1].endswith("现将有关情况通报如下：")
    headings = [s.heading for s in b.sections]
    assert headings[:4] == ["一、总体情况", "二、项目评价", "三、比学赶超", "四、问题办理"]
    leads = [p.lead for p in b.sections[0].paragraphs]
    assert leads == ["（一）投资完成情况。", "（二）项目结构。", "（三）项目进度。"]
    assert lines[-2:] == ["县重点项目推进工作领导小组办公室", "2023年8月2日"]  # 落款 and 成文日期
    note = [ln for ln in lines if ln.startswith("附件：") or ln.startswith("　　　")]
    assert note[0] == "附件：1.全县重点项目红黄灯项目清单" and len(note) == len(b.attachments)
    text = bulletin_text(report)
    assert text.splitlines()[0] == title(report) and text.splitlines()[1:] == bulletin_paragraphs(report)


def test_breakdowns_by_nature_level_category_and_command_post() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    text = bulletin_text(report)
    structure = next(ln for ln in text.splitlines() if ln.startswith("（二）项目结构。"))
    # 新建 before 续建, 省 before 市 before 县, as offices list them
    assert structure.index("新建项目2个") < structure.index("续建项目4个")
    levels = [structure.index(f"{k}重点项目{n}个") for k, n in (("省", 1), ("市", 1), ("县", 4))]
    assert levels == sorted(levels)
    new = report.counts["nature"].set_index("group").loc["新建"]
    assert f"新建项目2个（完成{new['ytd_completed'] / 10000:.2f}亿元，完成率" \
           f"{new['ytd_completed'] / new['annual_plan'] * 100:.1f}%）" in structure
    assert "农业类项目3个" in structure
    posts = report.rankings["command_post"]
    post_line = next(ln for ln in text.splitlines() if ln.startswith("（三）指挥部。"))
    assert [g for g in posts["group"] if g in post_line] == list(posts["group"])


def test_towns_and_departments_ranked_apart_with_a_minimum() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    text = bulletin_text(report)
    towns = next(ln for ln in text.splitlines() if ln.startswith("（一）乡镇（街道）。"))
    depts = next(ln for ln in text.splitlines() if ln.startswith("（二）县直部门。"))
    # 童寺镇 (99% with one project) would top a mixed red list; here it is exempt
    assert "红榜：赵化镇（完成85.0%，超序时进度26.7个百分点）" in towns
    assert "童寺镇纳入调度的项目少于2个，不参与排名。" in towns
    assert "县发改局纳入调度的项目少于2个" in depts and "赵化镇" not in depts
    # 住建局 1500 of 5000 = 30%: below time progress, on the black list
    assert "黑榜：县住建局（完成30.0%，低于序时进度28.3个百分点）" in depts
    # the 设置 keys: a list of towns and a minimum of one project
    listed = build_report(_ledger(4000.0, 500.0, settings={"乡镇单位": "童寺镇", "参与排名最少项目数": 1}))
    assert set(listed.boards["town"].ranking["group"]) == {"童寺镇"}
    assert "赵化镇" in set(listed.boards["department"].ranking["group"])
    assert listed.boards["town"].red["group"].tolist() == ["童寺镇"]


def test_city_level_words_come_from_the_region() -> None:
    report = build_report(_ledger(4000.0, 500.0, settings={"地区称谓": "全市"}))
    b = compose(report)
    assert b.recipients == "各县（市、区）人民政府，市级各部门："
    assert b.issuer == "市重点项目推进工作领导小组办公室"
    assert "（二）市直部门。" in bulletin_text(report) and b.title.endswith("全市重点项目推进情况的通报")


def test_issuer_number_recipients_signature_and_requirements_from_settings() -> None:
    settings = {"发文机关": "富顺县重大项目推进工作领导小组办公室", "发文字号": "富重项办〔2023〕12号",
                "主送": "各乡镇人民政府，县级有关部门", "落款": "富顺县重大项目办",
                "工作要求": "各责任单位要对照问题清单，逐项销号。\n各指挥部要加强调度。"}
    report = build_report(_ledger(4000.0, 500.0, settings=settings))
    assert report.warnings == []
    b = compose(report)
    assert (b.issuer, b.doc_number) == ("富顺县重大项目推进工作领导小组办公室", "富重项办〔2023〕12号")
    assert (b.recipients, b.signature) == ("各乡镇人民政府，县级有关部门：", "富顺县重大项目办")
    last = b.sections[-1]
    assert last.heading.endswith("、下步工作要求")
    assert [p.text for p in last.paragraphs] == ["各责任单位要对照问题清单，逐项销号。",
                                                 "各指挥部要加强调度。"]


def test_lights_paragraph_names_red_projects_and_points_to_the_attachment() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    red = report.projects.loc[report.projects["light"] == "red", "name"].tolist()
    para = lights_paragraph(report)
    assert red and all(n in para for n in red) and f"红灯项目{len(red)}个" in para
    assert "（详见附件1）" in bulletin_text(report)


def test_changes_since_previous_refresh(tmp_path) -> None:
    h = History.open(f"sqlite:///{tmp_path / 'h.sqlite'}")
    june = build_report(_ledger(3000.0, 2000.0, month=6, start_b="2023-03-05"))
    july = build_report(_ledger(3100.0, 500.0))
    h.record(june)
    ch = h.changes(july)
    assert ch is not None and "乙项目" in ch.newly_red
    para = changes_paragraph(ch)
    assert para.startswith("与6月30日调度时相比")
    assert "新增红灯项目1个（乙项目）" in para
    delta = july.totals["ytd_completed"] - june.totals["ytd_completed"]
    assert f"减少{abs(delta) / 10000:.2f}亿元" in para
    assert para in bulletin_paragraphs(july, changes=ch)
    assert changes_paragraph(None) == ""


@dataclasses.dataclass(frozen=True)
class _Comparison:
    previous_as_of: dt.date | None = None
    increase: float | None = None
    mom_growth: float | None = None
    last_year_ytd: float | None = None
    yoy_growth: float | None = None


def test_yoy_and_mom_sentences() -> None:
    report = build_report(_ledger(4000.0, 500.0))
    ytd = report.totals["ytd_completed"]
    c = _Comparison(previous_as_of=dt.date(2023, 6, 30), increase=1234.0, mom_growth=0.1234,
                    last_year_ytd=ytd / 1.2, yoy_growth=0.2)
    text = totals_paragraph(report, comparison=c)
    assert f"较上年同期（{ytd / 1.2 / 10000:.2f}亿元）同比增长20.0%" in text
    assert "较6月30日调度时增加0.12亿元，环比增长12.3%" in text
    assert totals_paragraph(report, comparison=_Comparison()) == totals_paragraph(report)


# -- the Word document ------------------------------------------------------------------------------

def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _east_asia(run) -> str | None:
    rpr = run._r.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_docx_layout_follows_gb_t_9704(tmp_path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT

    report = build_report(_ledger(4000.0, 500.0, settings={"发文字号": "富重项办〔2023〕12号"}))
    out = write_docx(report, tmp_path / "通报.docx", date=dt.date(2023, 8, 2))
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == ["通报.docx"]
    doc = docx.Document(str(out))
    first = doc.sections[0]

    def mm(emu: int) -> float:
        return round(emu / 36000, 1)

    assert (mm(first.page_width), mm(first.page_height)) == (210.0, 297.0)  # A4, not Letter
    assert (mm(first.top_margin), mm(first.left_margin)) == (37.0, 28.0)
    assert mm(first.page_width - first.left_margin - first.right_margin) == 156.0  # the 版心
    assert mm(first.page_height - first.top_margin - first.bottom_margin) == 225.0
    texts = _texts(doc)
    masthead = next(p for p in doc.paragraphs if p.text == "县重点项目推进工作领导小组办公室")
    assert str(masthead.runs[0].font.color.rgb) == "FF0000"
    number = next(p for p in doc.paragraphs if p.text == "富重项办〔2023〕12号")
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    b = compose(report, date=dt.date(2023, 8, 2))
    title_p = next(p for p in doc.paragraphs if p.text.replace("\n", "") == b.title)
    assert _east_asia(title_p.runs[0]) == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("（一）投资完成情况。"))
    assert [_east_asia(r) for r in body.runs] == ["楷体_GB2312", "仿宋_GB2312"]
    assert body.runs[0].text == "（一）投资完成情况。"
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert _east_asia(heading.runs[0]) == "黑体"
    # 主送 flush left after the title, 落款 and date last before the attachments
    assert texts.index(b.recipients) > texts.index(masthead.text)
    sig = texts.index("县重点项目推进工作领导小组办公室", texts.index(b.recipients))
    assert texts[sig + 1] == "2023年8月2日"
    # the attachments: each in a landscape section, its header repeated on every page
    assert len(doc.sections) == 1 + len(b.attachments)
    assert all(s.orientation == WD_ORIENT.LANDSCAPE for s in doc.sections[1:])
    for t in doc.tables:
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "附件1" in texts and f"附件{len(b.attachments)}" in texts
    # page numbers: odd pages right, even pages left, a PAGE field between dashes
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (first.footer, first.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
    # the font table names the same design's other names for programs without the office font
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    table = doc.part.part_related_by(RT.FONT_TABLE).blob.decode("utf-8")
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋,FangSong', table)
    assert 'w:name="黑体"' in table and 'w:charset w:val="86"' in table


def test_docx_lights_table_rows_and_reasons(tmp_path) -> None:
    import docx

    report = build_report(_ledger(4000.0, 500.0))
    doc = docx.Document(str(write_docx(report, tmp_path / "b.docx")))
    headers = [[c.text.replace("\n", "") for c in t.rows[0].cells] for t in doc.tables]
    # the columns of the 红黄绿灯 sheet's view an A4 page has room for, under the sheet's labels
    assert headers[0] == ["序号", "灯号", "项目名称", "责任单位", "包保领导", "年度计划投资（万元）",
                          "本年累计完成投资（万元）", "完成率", "差距（百分点）", "原因"]
    lights = doc.tables[0]
    lit = report.projects[report.projects["light"].isin(["red", "yellow"])]
    assert len(lights.rows) - 1 == len(lit)
    first = [c.text for c in lights.rows[1].cells]
    worst = lit.sort_values("gap_points").iloc[0]
    assert first[2] == worst["name"] and first[7] == f"{worst['completion_rate'] * 100:.1f}%"
    assert first[8] == f"{worst['gap_points']:.1f}" and "个百分点" in first[9]
    assert any("县直部门" in p.text and "排名" in p.text for p in doc.paragraphs)


def test_region_and_title_overrides(tmp_path) -> None:
    import docx

    report = build_report(_ledger(4000.0, 500.0))
    out = write_docx(report, tmp_path / "通报.docx", title="测试通报", date=dt.date(2023, 8, 2),
                     region="富顺县")
    doc = docx.Document(str(out))
    texts = _texts(doc)
    assert "测试通报" in texts and "2023年8月2日" in texts
    assert any(t.startswith("为全面掌握富顺县重点项目推进情况") for t in texts)


@pytest.mark.parametrize("text", [
    "关于2023年1-7月全县重点项目推进情况的通报", "关于2024年1-9月自贡市重点项目推进情况的通报",
    "关于2023年1-12月全县重点项目和重大前期项目推进情况的通报", "富重项办〔2023〕12号关于通报的通报",
])
def test_title_lines_are_balanced_and_never_break_a_number(text: str) -> None:
    lines = title_lines(text, 18)
    assert "".join(lines) == text
    assert all(em_width(ln) <= 18 for ln in lines)
    for a, b in itertools.pairwise(lines):
        assert not (re.search(r"[\d.\-〔]$", a) and re.match(r"[\d.\-〕月年]", b)), (a, b)
    if len(lines) == 2:
        assert abs(em_width(lines[0]) - em_width(lines[1])) <= 8
    assert lines[-1] not in ("通报", "的通报")
    assert title_lines("关于全县的通报", 18) == ["关于全县的通报"]


def test_number_columns_get_their_whole_width() -> None:
    from keyproject.views import Column, Table

    t = Table("t", None, (Column("name", "项目名称", "wrap"), Column("gap", "差距（百分点）", "points"),
                          Column("rate", "完成率", "rate")), ())
    texts = [["很长的项目名称" * 4, "-66.7", "100.0%"], ["短", "-5.0", "9.9%"]]
    widths = column_widths(t, texts, 156.0)
    em_mm = 10.5 / 72 * 25.4
    assert widths[1] >= em_width("-66.7") * em_mm + 4 and widths[2] >= em_width("100.0%") * em_mm + 4
    assert sum(widths) == pytest.approx(156.0)
    assert widths[0] > widths[1]


def test_rules_for_the_gongwen_roundtrip() -> None:
    r = Rules.from_settings({"发文机关": "某某办", "正文字体": "仿宋", "万元小数位数": "自动",
                             "乡镇单位": "甲镇、乙镇"})
    assert (r.issuer, r.body_font, r.amount_decimals) == ("某某办", "仿宋", None)
    assert r.town_units == ("甲镇", "乙镇")
    assert Rules.from_mapping(r.to_dict()) == r
    from keyproject.errors import KPError

    with pytest.raises(KPError, match="参与排名最少项目数"):
        Rules.from_settings({"参与排名最少项目数": 0})
    with pytest.raises(KPError, match="小数位数"):
        Rules.from_settings({"百分比小数位数": 7})
