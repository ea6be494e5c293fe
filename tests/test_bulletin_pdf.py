"""The 通报 as a person sees it: the Word document converted to PDF by LibreOffice headless (a private
profile per conversion), read back with poppler (pdfinfo, pdftotext, pdffonts, pdftoppm).

``docs/bulletin_page1.png`` is page 1 as rendered here, looked at by eye once and committed; the
test renders it again and compares. After changing the 通报's layout or wording on purpose, rewrite
it with ``KP_UPDATE_DOCS=1 python -m pytest tests/test_bulletin_pdf.py`` and look at it again.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from keyproject.bulletin import compose, convert_to_pdf, fonts_of, write_docx
from keyproject.bulletin.word import cell_texts
from keyproject.engine.report import build_report
from keyproject.reader import read_ledger

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
PAGE1 = ROOT / "docs" / "bulletin_page1.png"
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("bulletin")
    report = build_report(read_ledger(SAMPLE))
    docx = write_docx(report, tmp / "通报.docx")
    pdf = convert_to_pdf(docx, tmp / "通报.pdf", fonts=fonts_of(report.rules))
    return report, pdf


def test_pages_are_a4_upright_and_attachments_landscape(converted) -> None:
    report, pdf = converted
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", _run("pdfinfo", "-f", "1", "-l", "99",
                                                                         str(pdf)))
    pages = [(round(float(w)), round(float(h))) for w, h in sizes]
    assert pages[0] == (595, 842)  # A4 (595.3 × 841.9 pt), not Letter (612 × 792)
    assert set(pages) <= {(595, 842), (842, 595)}
    b = compose(report)
    assert pages[-1] == (842, 595) and pages.count((842, 595)) >= len(b.attachments)


def test_title_recipients_and_signature_are_on_the_pages(converted) -> None:
    report, pdf = converted
    b = compose(report)
    text = _run("pdftotext", str(pdf), "-")
    flat = "".join(text.split())
    assert "".join(b.title.split()) in flat
    page1 = _run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-")
    assert "县重点项目推进工作领导小组办公室" in page1.splitlines()[0]  # the 版头 comes first
    lines = ["".join(ln.split()) for ln in text.splitlines()]  # pdftotext spaces digits from Chinese
    assert b.recipients in lines  # 主送 on a line of its own
    sig = [i for i, ln in enumerate(lines) if ln == b.signature]
    assert sig and lines[sig[-1] + 1] == "2023年7月31日"  # 落款, then the date under it
    for a in b.attachments:
        assert "".join(a.title.split()) in flat


def test_no_number_is_broken_across_lines(converted) -> None:
    report, pdf = converted
    b = compose(report)
    source = [b.title, *b.lines()]
    for a in b.attachments:
        source += [c.label for c in a.table.columns]
        source += [t for row in cell_texts(a.table, b.decimals) for t in row]
    expected = Counter(m for s in source for m in NUMBER.findall(s))
    seen = Counter(m for line in _run("pdftotext", str(pdf), "-").splitlines() for m in NUMBER.findall(line))
    broken = {k: n - seen[k] for k, n in expected.items() if seen[k] < n}
    assert not broken, f"numbers split over two lines (or lost): {broken}"
    assert expected["49.8%"] >= 1 and expected["60.51"] >= 1  # the check looks at real figures


def test_office_fonts_are_drawn_with_a_font_of_their_kind(converted) -> None:
    _report, pdf = converted
    fonts = _run("pdffonts", str(pdf))
    # 仿宋/楷体/小标宋 as a serif CJK font, 黑体 as a sans one (without the replacement table
    # LibreOffice draws all of them with one sans fallback)
    assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts
    assert "DejaVu" not in fonts  # digits too: Times New Roman drawn with a serif, not DejaVu


def _page1_png(pdf: Path, out: Path) -> bytes:
    _run("pdftoppm", "-r", "90", "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), str(out))
    return out.with_suffix(".png").read_bytes()


def test_page_one_looks_as_committed(converted, tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    _report, pdf = converted
    png = _page1_png(pdf, tmp_path / "page1")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = image.size
    assert abs(h / w - 297 / 210) < 0.01
    # the red 版头 and the red rule in the upper half, nothing red below it
    red = [(x, y) for y in range(h) for x in range(0, w, 2)
           if (p := image.getpixel((x, y)))[0] > 200 and p[1] < 80 and p[2] < 80]
    assert red and max(y for _, y in red) < h / 2
    rows = sorted({y for _, y in red})
    assert rows[-1] - rows[0] > 20  # the office's name and, under it, the rule
    if os.environ.get("KP_UPDATE_DOCS"):
        PAGE1.write_bytes(png)
    assert PAGE1.exists(), "docs/bulletin_page1.png missing: run with KP_UPDATE_DOCS=1 and look at it"
    committed = Image.open(PAGE1).convert("RGB")
    assert committed.size == image.size
    diff = ImageChops.difference(committed, image).convert("L")
    changed = sum(1 for v in diff.tobytes() if v > 64) / (w * h)
    assert changed < 0.01, (f"page 1 differs from docs/bulletin_page1.png in {changed:.1%} of its pixels: "
                            "run with KP_UPDATE_DOCS=1 and look at the new image")
