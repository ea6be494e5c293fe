"""The bulletin text and Word document, from real reports."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from keyproject.bulletin import (
    bulletin_paragraphs,
    bulletin_text,
    changes_paragraph,
    lights_paragraph,
    pct,
    points,
    title,
    totals_paragraph,
    write_docx,
)
from keyproject.history import History
from keyproject.report import build_report

sys.path.insert(0, str(Path(__file__).parent))
from test_submissions import make_ledger


def _ledger(ytd_a: float, ytd_b: float, month: int = 7, start_b: str | None = None):
    return make_ledger("台账.xlsx", "项目台账", [
        {"code": "A1", "name": "甲项目", "unit": "发改局", "command_post": "工业指挥部", "leader": "张某",
         "total_investment": 60000.0, "annual_plan": 5000.0, "ytd_completed": ytd_a,
         "planned_start": "2023-02-01", "actual_start": "2023-02-10"},
        {"name": "乙项目", "unit": "住建局", "command_post": "城建指挥部", "leader": "李某",
         "total_investment": 8000.0, "annual_plan": 3000.0, "ytd_completed": ytd_b,
         "planned_start": "2023-03-01", "actual_start": start_b, "problems": "征地未完成"},
        {"name": "丙项目", "unit": "住建局", "command_post": "城建指挥部", "total_investment": 4000.0,
         "annual_plan": 2000.0, "ytd_completed": 1000.0, "planned_start": "2023-06-01",
         "actual_start": "2023-06-01"},
    ], month=month)


def _expected_totals(report) -> tuple[str, str, str, str]:
    p = report.projects
    ytd, plan = p["ytd_completed"].sum(), p["annual_plan"].sum()
    rate = ytd / plan
    gap = round((rate - report.as_of.month / 12) * 100, 2)
    return f"{ytd / 10000:.2f}", points(rate * 100), points(abs(gap)), "超" if gap >= 0 else "低于"


@pytest.mark.parametrize(("ytd_a", "ytd_b", "word"), [(4000.0, 500.0, "低于"), (5000.0, 3000.0, "超")])
def test_totals_paragraph_both_ways(ytd_a, ytd_b, word):
    report = build_report(_ledger(ytd_a, ytd_b))
    x, y, z, w = _expected_totals(report)
    assert w == word
    text = totals_paragraph(report)
    assert text.startswith(f"1-7月全县重点项目完成投资{x}亿元，占年度计划的{y}%，{w}序时进度{z}个百分点。")
    assert title(report, "富顺县") == "关于2023年1-7月富顺县重点项目推进情况的通报"


def test_number_formats():
    assert pct(0.58333) == "58.33" and pct(0.5) == "50.0" and pct(0.501) == "50.1"
    assert points(-3.3333) == "-3.33" and points(13.1) == "13.1"


def test_paragraphs_name_red_projects_rankings_and_problems():
    report = build_report(_ledger(4000.0, 500.0))
    paras = bulletin_paragraphs(report)
    text = bulletin_text(report)
    assert text.splitlines()[0] == title(report)
    assert text.splitlines()[1:] == paras
    red = report.projects.loc[report.projects["light"] == "red", "name"].tolist()
    assert red and all(n in lights_paragraph(report) for n in red)
    assert f"红灯{len(red)}个" in lights_paragraph(report)
    ranking = next(p for p in paras if p.startswith("按责任单位排名"))
    best = report.rankings["unit"].iloc[0]
    assert f"{best['group']}（{pct(best['completion_rate'])}%）" in ranking
    assert any(p.startswith("按责任单位评定，红榜") for p in paras)
    assert any("问题" in p and f"{report.problems.total}个" in p for p in paras)
    started = report.start_rate
    assert any(f"计划开工的{started['planned']}个项目已开工{started['done']}个" in p for p in paras)


def test_changes_since_previous_refresh(tmp_path):
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


def test_docx_has_title_paragraphs_tables_and_cjk_font(tmp_path):
    import docx
    from docx.oxml.ns import qn

    report = build_report(_ledger(4000.0, 500.0))
    out = write_docx(report, tmp_path / "通报.docx", region="全县")
    assert out.exists() and not list(tmp_path.glob(".*tmp"))
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == title(report)
    for para in bulletin_paragraphs(report):
        assert para in texts
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["项目名称", "责任单位", "包保领导", "灯号", "完成率(%)", "差距(百分点)", "原因"] in headers
    assert any("责任单位" in h and "名次" in h for h in headers)
    lights = doc.tables[[h[0] for h in headers].index("项目名称")]
    red_yellow = report.projects[report.projects["light"].isin(["red", "yellow"])]
    assert len(lights.rows) - 1 == len(red_yellow)
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "仿宋"


def test_write_docx_replaces_atomically(tmp_path):
    report = build_report(_ledger(4000.0, 500.0))
    target = tmp_path / "通报.docx"
    target.write_bytes(b"old")
    write_docx(report, target, title="测试通报", date=dt.date(2023, 8, 2))
    import docx

    doc = docx.Document(str(target))
    assert doc.paragraphs[0].text == "测试通报"
    assert doc.paragraphs[-1].text == "2023年8月2日"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["通报.docx"]


def _writer_available() -> bool:
    soffice = shutil.which("soffice")
    return bool(soffice) and Path("/usr/lib/libreoffice/program/libswlo.so").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(not _writer_available() or not shutil.which("pdftotext"),
                    reason="LibreOffice Writer (libreoffice-writer-nogui) or pdftotext missing")
def test_docx_converts_to_pdf_with_chinese(tmp_path):
    report = build_report(_ledger(4000.0, 500.0))
    out = write_docx(report, tmp_path / "bulletin.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bulletin.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "".join(title(report).split()) in flat
    assert "红灯项目" in flat


def test_empty_changes_paragraph():
    assert changes_paragraph(None) == ""
    assert isinstance(pd.Timestamp("2023-07-31"), pd.Timestamp)
