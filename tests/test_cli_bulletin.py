"""kp bulletin on the county sample workbook: text, Word, PDF, history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keyproject.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"


def test_bulletin_text_and_docx(tmp_path, capsys):
    import docx

    from keyproject.bulletin import compose, totals_paragraph
    from keyproject.engine.comparison import compare_report
    from keyproject.engine.report import build_report
    from keyproject.engine.scenario import read_last_year
    from keyproject.reader import read_ledger

    wb = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, wb)
    out = tmp_path / "通报.docx"
    assert main(["bulletin", str(wb), "--out", str(out), "--text", "--date", "2023-08-02"]) == 0
    text = capsys.readouterr().out
    report = build_report(read_ledger(wb))
    lines = text.splitlines()
    assert lines[0] == "关于2023年1-7月全县重点项目推进情况的通报"
    assert lines[1] == "各乡镇人民政府、街道办事处，县级各部门："
    # the totals with 同比 from the 上年月度 sheet (keyproject.engine.comparison; no history yet: no 环比)
    last_year = [float(v) for v in read_last_year(wb)]
    comparison = compare_report(report, None, last_year)
    assert comparison.yoy_growth is not None and comparison.increase is None
    assert any(ln.endswith(totals_paragraph(report, comparison=comparison)) for ln in lines)
    assert lines[-2:] == ["县重点项目推进工作领导小组办公室", "2023年8月2日"]
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "县重点项目推进工作领导小组办公室"  # the 版头
    assert "".join(lines[0]) in [t.replace("\n", "") for t in texts]
    assert len(doc.tables) == len(compose(report).attachments) >= 4
    assert "较上次调度变化" not in text  # no history yet


def test_bulletin_region_option_and_settings(tmp_path, capsys):
    assert main(["bulletin", str(SAMPLE), "--text", "--region", "富顺县"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "关于2023年1-7月富顺县重点项目推进情况的通报"
    assert "为全面掌握富顺县重点项目推进情况" in text


def test_bulletin_uses_history_beside_the_workbook(tmp_path, capsys):
    from keyproject.engine.history import History
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger

    wb = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, wb)
    june = build_report(read_ledger(wb), as_of="2023-06-30", any_date=True)
    with History.for_workbook(wb) as h:
        h.record(june, source=wb)
    assert main(["bulletin", str(wb), "--text"]) == 0
    text = capsys.readouterr().out
    assert "较上次调度变化" in text and "与6月30日调度时相比" in text
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert main(["bulletin", str(wb), "--text", "--history", url]) == 0
    assert "较上次调度变化" not in capsys.readouterr().out


def test_bulletin_needs_an_output(tmp_path, capsys):
    assert main(["bulletin", str(SAMPLE)]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["bulletin", str(SAMPLE), "--out", str(tmp_path / "x.pdf")]) == 2
    assert ".docx" in capsys.readouterr().err
    assert main(["bulletin", str(SAMPLE), "--pdf"]) == 2  # no name and no --out to take it from
    assert "--pdf" in capsys.readouterr().err
    assert main(["bulletin", str(SAMPLE), "--pdf", str(tmp_path / "x.docx")]) == 2
    assert ".pdf" in capsys.readouterr().err
    assert main(["bulletin", str(SAMPLE), "--text", "--date", "8月2日"]) == 2
    assert "--date" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.libreoffice
def test_bulletin_writes_pdf_beside_the_docx(tmp_path):
    out = tmp_path / "通报.docx"
    proc = subprocess.run([sys.executable, "-m", "keyproject", "bulletin", str(SAMPLE), "--out", str(out),
                           "--pdf"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info
    assert "已生成 PDF" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["通报.docx", "通报.pdf"]  # no temp files left
    # a PDF alone, under a name of its own
    alone = tmp_path / "只要PDF.pdf"
    assert main(["bulletin", str(SAMPLE), "--pdf", str(alone)]) == 0
    assert alone.read_bytes()[:5] == b"%PDF-"


def test_bulletin_pdf_without_libreoffice_says_so_in_chinese(tmp_path):
    # a PATH without soffice: the Word document is written, the PDF refused with a message
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "通报.docx"
    env = {**os.environ, "PATH": str(empty)}
    proc = subprocess.run([sys.executable, "-m", "keyproject", "bulletin", str(SAMPLE), "--out", str(out),
                           "--pdf"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    assert "未找到 LibreOffice" in proc.stderr and "Word 文档已生成" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.exists() and not out.with_suffix(".pdf").exists()
