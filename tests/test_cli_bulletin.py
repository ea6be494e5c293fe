"""kp bulletin on the county sample workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from keyproject.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample workbooks not generated")


def test_bulletin_text_and_docx(tmp_path, capsys):
    import docx

    from keyproject.bulletin import totals_paragraph
    from keyproject.reader import read_ledger
    from keyproject.report import build_report

    wb = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, wb)
    out = tmp_path / "通报.docx"
    assert main(["bulletin", str(wb), "--out", str(out), "--text"]) == 0
    text = capsys.readouterr().out
    report = build_report(read_ledger(wb))
    assert totals_paragraph(report) in text.splitlines()
    assert text.splitlines()[0].startswith("关于2023年1-7月全县重点项目推进情况的通报")
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == text.splitlines()[0]
    assert len(doc.tables) >= 3
    assert "较上次调度变化" not in text  # no history yet


def test_bulletin_uses_history_beside_the_workbook(tmp_path, capsys):
    from keyproject.history import History
    from keyproject.reader import read_ledger
    from keyproject.report import build_report

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
