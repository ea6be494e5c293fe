"""The Traditional → Simplified table is OpenCC's, current, and no run-time module needs OpenCC."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import opencc

from keyproject import t2s


def test_table_is_current() -> None:
    stored = resources.files("keyproject").joinpath("data", t2s.DATA).read_text(encoding="utf-8")
    assert stored == t2s.generate(), "data/t2s.tsv is stale: run python -m keyproject.t2s"


def test_same_as_opencc_on_office_text() -> None:
    cc = opencc.OpenCC("t2s")
    for text in ("項目名稱", "責任單位", "總投資（億元）", "計劃開工時間", "開工至上年底累計完成投資",
                 "縣城污水管網提升改造工程（2023年）", "包保領導：張某某", "1-9月完成投資"):
        assert t2s.to_simplified(text) == cc.convert(text)


def test_reader_imports_without_opencc() -> None:
    # a child process where importing opencc fails, as in Pyodide: the reader and the engine load
    code = ("import sys; sys.modules['opencc'] = None\n"
            "import keyproject.reader, keyproject.names, keyproject.engine.report, keyproject.submissions\n"
            "from keyproject.names import normalise_name\n"
            "print(normalise_name('項目 名稱'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "项目名称"
