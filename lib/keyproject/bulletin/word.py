"""The 通报 as a Word document laid out as offices lay out a 公文 (GB/T 9704-2012).

A4, 版心 156 × 225 mm (top 37 mm, left 28 mm), 22 lines of 3号 (16 pt) 仿宋 a page; the red 发文机关标志
35 mm into the 版心, 发文字号 and the red rule under it; the title in 2号 小标宋 broken into lines at a
word, never inside a number; 主送 flush left; 一、 headings in 黑体 and （一） leads in 楷体; 附件说明,
then 落款 and date right-aligned as the standard places them; page numbers "— 1 —" in 4号, odd
pages right and even pages left; each 附件 on its own pages (landscape when wide) with its header row
repeated. Fonts are the office names (``Rules.*_font``); the font table tells Word and WPS which
same-design font to use where one is missing, and ``bulletin.pdf`` tells LibreOffice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproject import formats as fmt
from keyproject.bulletin._files import atomic_output
from keyproject.bulletin.compose import Attachment, Bulletin, compose
from keyproject.fonts import office_font
from keyproject.views import Light, Table

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.section import Section, _Footer
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph as DocxParagraph
    from docx.text.run import Run

    from keyproject.bulletin.compose import Comparison
    from keyproject.engine.history import Changes
    from keyproject.engine.report import Report
    from keyproject.engine.rules import Rules

# sizes in points: 2号 22, 3号 16, 4号 14, 5号 10.5
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT = 22.0, 16.0, 14.0, 10.5
LINE_PT = 225 / 22 / 25.4 * 72  # 22 lines in the 225 mm 版心: 28.95 pt
TITLE_LINE_PT = 35.0
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156.0, 225.0
RED = "FF0000"
LATIN_FONT = "Times New Roman"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# what may follow w:pBdr in w:pPr and w:tblCellMar in w:tblPr (ECMA-376: Word refuses children out of order)
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_TBLCELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def fonts_of(rules: Rules) -> list[str]:
    """The fonts a 通报 under ``rules`` names (what a PDF renderer must have or replace)."""
    return list(dict.fromkeys([rules.body_font, rules.title_font, rules.heading_font, rules.subheading_font,
                               "宋体", LATIN_FONT]))


# -- text width, for line breaks and column widths ----------------------------------------------------

_NARROW_WIDTH = {"%": 0.85, "-": 0.35, ".": 0.3, ",": 0.3, " ": 0.3}


def em_width(text: str) -> float:
    """Width of ``text`` in ems: Chinese characters and full-width punctuation 1, digits and Latin
    letters about 0.55 (Times New Roman and its stand-ins), "%" wider, "." and "," narrower."""
    return sum(1.0 if ord(ch) >= 0x2E80 else _NARROW_WIDTH.get(ch, 0.6) for ch in text)


def _breakable(text: str, i: int) -> bool:
    """Whether a line may break before ``text[i]``: never inside a run of digits, letters and the
    signs that belong to a number (1-7月, 60.51, 〔2023〕)."""
    a, b = text[i - 1], text[i]
    if ord(a) < 0x2E80 and ord(b) < 0x2E80:
        return False
    return not (b in "）》〕」』、，。；：%" or a in "（《〔「『")


def title_lines(text: str, width_em: float) -> list[str]:
    """The title broken into balanced lines that fit ``width_em`` (GB/T 9704: 回行时词意完整、排列对称),
    preferring breaks after 关于…月/年 or before 推进情况/的通报, never inside a number."""
    if em_width(text) <= width_em:
        return [text]
    best: tuple[float, int] | None = None
    for i in range(1, len(text)):
        if not _breakable(text, i):
            continue
        a, b = text[:i], text[i:]
        wa, wb = em_width(a), em_width(b)
        if wa > width_em or wb > width_em:
            continue
        score = abs(wa - wb)
        if a.endswith(("月", "年", "项目", "全县", "全市", "全区")) or b.startswith(("推进", "的通报",
                                                                                      "重点")):
            score -= 2.0
        if b in ("的通报", "通报"):
            score += 6.0  # a lone 通报 on the last line reads badly
        if best is None or score < best[0]:
            best = (score, i)
    if best is None:  # longer than two lines: break greedily at the last allowed place
        out, line = [], ""
        for i, ch in enumerate(text):
            if line and em_width(line + ch) > width_em and _breakable(text, i):
                out.append(line)
                line = ""
            line += ch
        return [*out, line]
    return [text[: best[1]], text[best[1]:]]


# -- low-level formatting -------------------------------------------------------------------------------

def _fonts(target: Any, east_asia: str, size: float | None = None, *, bold: bool | None = None,
           color: str | None = None) -> None:
    """Set a run's or style's fonts: ``east_asia`` for Chinese, Times New Roman for digits and Latin."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _paragraph(doc: DocxDocument, text: str = "", font: str = "", size: float = BODY_PT, *,
               align: str = "justify", indent_chars: float = 0.0, line: float = LINE_PT, bold: bool = False,
               color: str | None = None) -> DocxParagraph:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    pf.space_before = pf.space_after = Pt(0)
    if indent_chars:
        pf.first_line_indent = Pt(indent_chars * size)
    if text:
        _fonts(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _blank(doc: DocxDocument, n: int = 1) -> None:
    for _ in range(n):
        _paragraph(doc)


def _bottom_rule(p: DocxParagraph, color: str = RED, eighths: int = 18, space_pt: int = 11) -> None:
    """A rule under the paragraph across the 版心 (the red line under the 发文字号)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = p._p.get_or_add_pPr()
    ppr.insert_element_before(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="{eighths}" '
                                        f'w:space="{space_pt}" w:color="{color}"/></w:pBdr>'), *_AFTER_PBDR)


def _page_number_footer(footer: _Footer, align: str) -> None:
    """"— 1 —" in 4号 宋体, one character in from the edge (GB/T 9704 7.5)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if align == "right":
        p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
    dash = p.add_run("— ")
    _fonts(dash, "宋体", PAGE_NUMBER_PT)
    field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    p._p.append(field)
    for r in field.iter(f"{_W}r"):
        r.insert(0, deepcopy(dash._r.rPr))
    _fonts(p.add_run(" —"), "宋体", PAGE_NUMBER_PT)


def _declare_fonts(doc: DocxDocument, names: Sequence[str]) -> None:
    """Font table entries for the office fonts: the same design's other names as w:altName, the
    GB2312 character set and the PANOSE numbers Word and WPS pick a stand-in by."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from lxml import etree

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    root = parse_xml(part.blob)
    for name in dict.fromkeys(names):
        info = office_font(name)
        alt = ",".join(a for a in info.alternates[:3])
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}">'
            + (f'<w:altName w:val="{alt}"/>' if alt else "")
            + f'<w:panose1 w:val="{info.panose}"/><w:charset w:val="86"/><w:family w:val="{info.family}"/>'
            '<w:pitch w:val="variable"/></w:font>'))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _chinese_defaults(doc: DocxDocument) -> None:
    """East Asian text in Simplified Chinese by default, so a program substitutes a Chinese font, not
    a Japanese one, for a missing font. Latin text stays English: with a Chinese language on digits
    LibreOffice breaks lines inside numbers ("48." | "5%")."""
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    for lang in defaults.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")


def _a4(section: Section, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    if landscape:  # the 版心 turned on its side: 225 mm wide, 156 mm high
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(21)  # the page number's top 7 mm under the 版心


# -- tables -------------------------------------------------------------------------------------------

_NUMERIC = ("count", "amount", "rate", "points", "ratio", "date")
CELL_MARGIN_MM = 1.0  # left and right inside each cell (Word's default 1.9 mm wastes a narrow column)


def column_widths(table: Table, texts: Sequence[Sequence[str]], width_mm: float,
                  size_pt: float = TABLE_PT) -> list[float]:
    """Column widths in mm that fit ``width_mm``: numbers, dates and short labels get their whole
    width (a number never wraps), long texts share the rest in proportion to their length."""
    em_mm = size_pt / 72 * 25.4 * 1.08  # fonts differ: leave some room
    pad = 2 * CELL_MARGIN_MM + 1.0
    need, head = [], []
    for i, col in enumerate(table.columns):
        longest = max((em_width(t[i]) for t in texts), default=0.0)
        need.append(longest * em_mm + pad)
        # a header may wrap between Chinese characters, but keeps its "（万元）" whole
        head.append(max(em_width(w) for w in col.label.replace("（", " （").split()) * em_mm + pad)
    n = len(table.columns)
    fixed = {i for i, c in enumerate(table.columns) if c.kind in _NUMERIC or c.kind in ("light", "flag")
             or need[i] <= 4 * em_mm + pad}
    flex = [i for i in range(n) if i not in fixed]
    widths = [max(need[i], head[i], 2 * em_mm + pad) if i in fixed else 0.0 for i in range(n)]
    rest = width_mm - sum(widths)
    if flex:
        floor = {i: max(head[i], 4 * em_mm + pad) for i in flex}
        want = {i: max(need[i], floor[i]) for i in flex}
        total = sum(want.values())
        for i in flex:
            widths[i] = (want[i] + (rest - total) / len(flex) if total <= rest
                         else max(floor[i], rest * want[i] / total))
    elif rest > 0:  # only short columns: spread them over the line
        widths = [w + rest / n for w in widths]
    over = sum(widths) / width_mm
    return [w / over for w in widths] if over > 1 else widths


def cell_texts(table: Table, dec: fmt.Decimals) -> list[list[str]]:
    """Every body cell as text, by its column's kind (``formats.text``)."""
    out = []
    for row in table.rows:
        texts = []
        for col, v in zip(table.columns, row, strict=True):
            if isinstance(v, Light):
                texts.append(v.label)
            else:
                texts.append(fmt.text(v, col.kind, col.decimals, dec))
        out.append(texts)
    return out


TABLE_TEXT, TABLE_HEAD = "表格文字", "表格标题"  # paragraph styles of the 附件 tables


def _table_styles(doc: DocxDocument, font: str, head_font: str) -> None:
    """The tables' paragraph styles: fonts and spacing once in styles.xml, not in each of a long
    table's cells (half the memory and size of the document at 3,000 projects)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    names = {s.name for s in doc.styles}
    for name, east_asia in ((TABLE_TEXT, font), (TABLE_HEAD, head_font)):
        if name in names:
            continue
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        _fonts(style, east_asia, TABLE_PT)
        pf = style.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.first_line_indent = Pt(0)


def _cell_run(cell: _Cell, text: str, style: str, align: str) -> Run:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.style = style
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                   "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    return p.add_run(text)


_RUN_PATH = f"./{_W}tc/{_W}p/{_W}r/{_W}t"


def add_table(doc: DocxDocument, table: Table, dec: fmt.Decimals, font: str, width_mm: float,
              head_font: str = "黑体") -> None:
    """A table with a repeated header row, rows that do not split across pages, numbers right."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm

    texts = cell_texts(table, dec)
    widths = column_widths(table, texts, width_mm)
    _table_styles(doc, font, head_font)
    t = doc.add_table(rows=1, cols=len(table.columns))
    t.style = "Table Grid"
    t.autofit = False
    margin = round(CELL_MARGIN_MM / 25.4 * 1440)
    cell_margins = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{margin}" w:type="dxa"/>'
                             f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>')
    t._tbl.tblPr.insert_element_before(cell_margins, *_AFTER_TBLCELLMAR)
    for column, w in zip(t.columns, widths, strict=True):
        column.width = Mm(w)  # the grid LibreOffice and WPS lay out by
    head = t.rows[0]
    head._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    em_mm = TABLE_PT / 72 * 25.4
    for cell, col, w in zip(head.cells, table.columns, widths, strict=True):
        cell.width = Mm(w)
        label = col.label
        if em_width(label) * em_mm > w - 2 * CELL_MARGIN_MM and "（" in label[1:]:
            label = label.replace("（", "\n（", 1)  # the unit on a line of its own: "（万元）" stays whole
        _cell_run(cell, label, TABLE_HEAD, "center")
    aligns = ["right" if c.kind in ("amount", "rate", "points", "ratio") else
              "center" if c.kind in ("count", "date", "light", "flag") else "left" for c in table.columns]
    # the first body row through python-docx, the others copies of it with their texts set: python-docx's
    # add_row and font setters are most of a 30,000-project bulletin's time otherwise
    template = None
    for values in texts:
        if template is None:
            row = t.add_row()
            row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
            for cell, text, align in zip(row.cells, values, aligns, strict=True):
                _cell_run(cell, text, TABLE_TEXT, align)
            template = row._tr
            continue
        tr = deepcopy(template)
        t._tbl.append(tr)
        for node, text in zip(tr.iterfind(_RUN_PATH), values, strict=True):
            node.text = text
    if not texts:
        row = t.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _cell_run(merged, table.empty, TABLE_TEXT, "center")


# -- the document -------------------------------------------------------------------------------------

def _masthead(doc: DocxDocument, b: Bulletin) -> None:
    from docx.shared import Mm, Pt

    rules = b.rules
    office = b.issuer
    # as large as fits one line of the 版心, at most 小初 (36 pt)
    size = max(18.0, min(36.0, (TEXT_WIDTH_MM / 25.4 * 72) / max(em_width(office), 1.0) - 0.5))
    p = _paragraph(doc, office, rules.title_font, size, align="center", line=size * 1.2, color=RED)
    p.paragraph_format.space_before = Mm(35) - Pt(size * 0.2)
    if b.doc_number:
        _blank(doc, 2)
        number = _paragraph(doc, b.doc_number, rules.body_font, BODY_PT, align="center")
    else:
        _blank(doc, 1)
        number = _paragraph(doc)
    _bottom_rule(number)
    _blank(doc, 2)


def _title(doc: DocxDocument, b: Bulletin) -> None:
    width = TEXT_WIDTH_MM / 25.4 * 72 / TITLE_PT - 2  # leave a character each side
    lines = title_lines(b.title, width)
    p = _paragraph(doc, "", b.rules.title_font, TITLE_PT, align="center", line=TITLE_LINE_PT)
    for i, line in enumerate(lines):
        run = p.add_run(line)
        _fonts(run, b.rules.title_font, TITLE_PT)
        if i < len(lines) - 1:
            run.add_break()


def _signature(doc: DocxDocument, b: Bulletin) -> None:
    """落款 right, two characters in; the date on the next line, its first character two to the
    right of the signature's (GB/T 9704 7.3.5.2), both moved left when the date is the longer."""
    from docx.shared import Pt

    sig, date = b.signature, fmt.cn_date(b.date)
    ls, ld = em_width(sig), em_width(date)
    sig_right, date_right = 2.0, ls - ld
    if date_right < 2.0:
        date_right, sig_right = 2.0, ld - ls + 4.0
    for text, right in ((sig, sig_right), (date, date_right)):
        p = _paragraph(doc, text, b.rules.body_font, BODY_PT, align="right")
        p.paragraph_format.right_indent = Pt(right * BODY_PT)


def _attachment_note(doc: DocxDocument, b: Bulletin) -> None:
    from docx.shared import Pt

    for i, line in enumerate(b.attachment_note()):
        p = _paragraph(doc, line.lstrip("　"), b.rules.body_font, BODY_PT, align="left")
        if i == 0:
            p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        else:  # under the first attachment's name: 2 characters in, then "附件："
            p.paragraph_format.left_indent = Pt(5 * BODY_PT)


def _attachment(doc: DocxDocument, b: Bulletin, index: int, att: Attachment) -> None:
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section, landscape=att.landscape)
    label = "附件" if len(b.attachments) == 1 else f"附件{index}"
    _paragraph(doc, label, b.rules.heading_font, BODY_PT, align="left")
    _blank(doc)
    p = _paragraph(doc, "", b.rules.title_font, TITLE_PT, align="center", line=TITLE_LINE_PT)
    width = (225.0 if att.landscape else TEXT_WIDTH_MM) / 25.4 * 72 / TITLE_PT - 2
    lines = title_lines(att.title, width)
    for i, line in enumerate(lines):
        run = p.add_run(line)
        _fonts(run, b.rules.title_font, TITLE_PT)
        if i < len(lines) - 1:
            run.add_break()
    _paragraph(doc, f"（截至{fmt.cn_date(b.as_of)}）", b.rules.body_font, BODY_PT, align="center")
    add_table(doc, att.table, b.decimals, b.rules.body_font, 225.0 if att.landscape else TEXT_WIDTH_MM,
              b.rules.heading_font)


def render(b: Bulletin) -> DocxDocument:
    """The ``Bulletin`` as a python-docx ``Document`` (not saved)."""
    from docx import Document
    from docx.shared import Pt

    rules = b.rules
    doc = Document()
    _chinese_defaults(doc)
    normal = doc.styles["Normal"]
    _fonts(normal, rules.body_font, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    _declare_fonts(doc, [f for f in fonts_of(rules) if f != LATIN_FONT])
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _a4(section)
    _page_number_footer(section.footer, "right")
    _page_number_footer(section.even_page_footer, "left")

    _masthead(doc, b)
    _title(doc, b)
    _blank(doc)
    _paragraph(doc, b.recipients, rules.body_font, BODY_PT, align="justify")
    _paragraph(doc, b.opening, rules.body_font, BODY_PT, indent_chars=2)
    for s in b.sections:
        _paragraph(doc, s.heading, rules.heading_font, BODY_PT, indent_chars=2)
        for para in s.paragraphs:
            p = _paragraph(doc, "", rules.body_font, BODY_PT, indent_chars=2)
            if para.lead:
                _fonts(p.add_run(para.lead), rules.subheading_font, BODY_PT)
            _fonts(p.add_run(para.text), rules.body_font, BODY_PT)
    if b.attachments:
        _blank(doc)
        _attachment_note(doc, b)
    _blank(doc)
    _signature(doc, b)
    for i, att in enumerate(b.attachments, start=1):
        _attachment(doc, b, i, att)
    return doc


def build_docx(report: Report, changes: Changes | None = None, region: str | None = None,
               title_text: str | None = None, rules: Rules | None = None, date: dt.date | None = None,
               comparison: Comparison | None = None) -> DocxDocument:
    """The 通报 of ``report`` as a python-docx ``Document`` (not saved)."""
    return render(compose(report, changes, region=region, rules=rules, title_text=title_text, date=date,
                          comparison=comparison))


def write_docx(report: Report, path: str | Path, changes: Changes | None = None, region: str | None = None,
               title: str | None = None, rules: Rules | None = None, date: dt.date | None = None,
               comparison: Comparison | None = None) -> Path:
    """Write the 通报 as a Word document, atomically (a temp file beside it, then os.replace)."""
    doc = build_docx(report, changes=changes, region=region, title_text=title, rules=rules, date=date,
                     comparison=comparison)
    return atomic_output(Path(path), lambda tmp: doc.save(str(tmp)))
