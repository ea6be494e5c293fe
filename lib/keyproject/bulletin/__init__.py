"""The bulletin (通报): a 公文 composed from a ``Report`` (``compose``), as text for the 通报 sheet and
``kp bulletin --text``, as a Word document (``word``, GB/T 9704 layout) and as PDF (``pdf``,
through LibreOffice)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from keyproject.bulletin.compose import (
    Attachment,
    Bulletin,
    Comparison,
    Paragraph,
    Section,
    attachments,
    board_paragraph,
    bulletin_paragraphs,
    bulletin_text,
    changes_paragraph,
    command_post_paragraph,
    compose,
    lights_paragraph,
    period_label,
    problems_paragraph,
    ranking_paragraph,
    red_black_paragraph,
    sections,
    select,
    stage_paragraph,
    start_completion_paragraph,
    structure_paragraph,
    title,
    totals_paragraph,
)
from keyproject.bulletin.pdf import convert_to_pdf, find_soffice
from keyproject.bulletin.word import build_docx, fonts_of, render, write_docx

if TYPE_CHECKING:
    from keyproject.engine.history import Changes
    from keyproject.engine.report import Report
    from keyproject.engine.rules import Rules


def write_pdf(report: Report, path: str | Path, changes: Changes | None = None, region: str | None = None,
              title: str | None = None, rules: Rules | None = None, date: dt.date | None = None,
              comparison: Comparison | None = None, docx: str | Path | None = None) -> Path:
    """Write the 通报 as PDF (LibreOffice converts the Word document; ``docx`` when one was written)."""
    rules = rules or report.rules
    if docx is not None:
        return convert_to_pdf(docx, path, fonts=fonts_of(rules))
    with tempfile.TemporaryDirectory(prefix="kp-bulletin-") as tmp:
        source = write_docx(report, Path(tmp) / "通报.docx", changes=changes, region=region, title=title,
                            rules=rules, date=date, comparison=comparison)
        return convert_to_pdf(source, path, fonts=fonts_of(rules))


__all__ = [
    "Attachment", "Bulletin", "Comparison", "Paragraph", "Section", "attachments", "board_paragraph",
    "build_docx", "bulletin_paragraphs", "bulletin_text", "changes_paragraph", "command_post_paragraph",
    "compose", "convert_to_pdf", "find_soffice", "fonts_of", "lights_paragraph", "lights_table",
    "period_label", "problems_paragraph", "ranking_paragraph", "ranking_table",
    "red_black_paragraph", "render", "sections", "select", "stage_paragraph", "start_completion_paragraph",
    "structure_paragraph", "title", "totals_paragraph", "write_docx", "write_pdf",
]
