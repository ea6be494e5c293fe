"""Traditional → Simplified Chinese at run time without OpenCC.

Headers ("項目名稱") and project names typed in Traditional characters are compared in Simplified.
OpenCC does that well but has no WebAssembly build, so xlwings Lite (Pyodide) could not install
keyproject while the reader imported it. The conversion is therefore a character table in package
data (``data/t2s.tsv``): OpenCC's ``t2s`` applied to every CJK character, made once by
``python -m keyproject.t2s`` (OpenCC is only the generator's dependency; a test checks the table
is current). Character by character is what matching needs: both sides of a comparison go
through the same table.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from pathlib import Path

DATA = "t2s.tsv"
# the blocks OpenCC's t2s changes characters in (radicals, CJK punctuation, the unified ideographs
# and their extensions, compatibility ideographs)
_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
           (0x20000, 0x2FA1F))


@cache
def _table() -> dict[int, str]:
    text = resources.files("keyproject").joinpath("data", DATA).read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {ord(t): s for t, s in pairs}


def to_simplified(text: str) -> str:
    """``text`` with every Traditional character replaced by its Simplified form."""
    return text.translate(_table())


def generate() -> str:
    """The table's text from OpenCC (the generator's dependency, not keyproject's)."""
    import opencc

    cc = opencc.OpenCC("t2s")
    lines = ["# Traditional\tSimplified, from OpenCC t2s per character: python -m keyproject.t2s"]
    for first, last in _RANGES:
        for cp in range(first, last + 1):
            ch = chr(cp)
            simple = cc.convert(ch)
            if simple != ch:
                lines.append(f"{ch}\t{simple}")
    return "\n".join(lines) + "\n"


def main() -> int:
    target = Path(__file__).resolve().parent / "data" / DATA
    target.write_text(generate(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
