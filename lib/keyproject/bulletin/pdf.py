"""The 通报 as PDF: the Word document converted by LibreOffice headless.

Each conversion runs LibreOffice with a private, throw-away profile (never the user's own, which may
be open in a running LibreOffice). Where a font the 通报 names (仿宋_GB2312, 方正小标宋简体 …) is not
installed, that profile's font replacement table (Tools ▸ Options ▸ Fonts) draws it with the same
design under another name or a free font of its kind (``keyproject.fonts.substitute``): without it
LibreOffice draws every missing Chinese font with one sans fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from keyproject.bulletin._files import atomic_output
from keyproject.errors import KPError
from keyproject.fonts import installed_families, substitute

TIMEOUT_S = 300
INSTALL_HINT = ("请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui；"
                "Windows：从 libreoffice.org 下载安装），或用 Word/WPS 打开 Word 文档另存为 PDF")


def find_soffice() -> str | None:
    """LibreOffice's ``soffice`` on PATH or where its installers put it, else None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates: list[Path] = []
    if sys.platform.startswith("win"):
        for env in ("PROGRAMFILES", "PROGRAMFILES(X86)"):
            base = os.environ.get(env)
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((str(c) for c in candidates if c.is_file()), None)


def font_replacements(fonts: Iterable[str], installed: Iterable[str] | None = None) -> dict[str, str]:
    """For each of ``fonts`` that is not installed, the installed font to draw it with."""
    have = frozenset(installed) if installed is not None else installed_families()
    out = {}
    for name in dict.fromkeys(fonts):
        sub = substitute(name, have)
        if sub is not None:
            out[name] = sub
    return out


def profile_settings(replacements: Mapping[str, str]) -> str:
    """A LibreOffice ``registrymodifications.xcu`` that turns the font replacement table on with
    ``replacements`` (always applied: each is only listed because its font is missing)."""
    items = ['<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
             '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>']
    for i, (font, sub) in enumerate(replacements.items()):
        items.append(
            '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
            f'<node oor:name="_{i}" oor:op="replace">'
            '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
            '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
            f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(font)}</value></prop>'
            f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(sub)}</value></prop>'
            '</node></item>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            + "\n".join(items) + "\n</oor:items>\n")


def convert_to_pdf(docx: str | Path, pdf: str | Path | None = None, *, fonts: Iterable[str] = (),
                   soffice: str | None = None, timeout: float = TIMEOUT_S) -> Path:
    """Convert ``docx`` to ``pdf`` (default: beside it, same name) with LibreOffice headless,
    atomically; ``fonts`` are the fonts the document names, replaced where missing."""
    docx = Path(docx)
    pdf = Path(pdf) if pdf is not None else docx.with_suffix(".pdf")
    exe = soffice or find_soffice()
    if exe is None:
        raise KPError(f"未找到 LibreOffice，无法生成 PDF。{INSTALL_HINT}", file=pdf)
    with tempfile.TemporaryDirectory(prefix="kp-pdf-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            profile_settings(font_replacements(fonts)), encoding="utf-8")
        source = work / "in" / "通报.docx"
        source.parent.mkdir()
        shutil.copyfile(docx, source)
        out = work / "out"
        cmd = [exe, "--headless", "--norestore", "--nologo", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise KPError(f"LibreOffice 转换 PDF 超过 {timeout:.0f} 秒仍未完成", file=pdf) from None
        except OSError as exc:
            raise KPError(f"无法运行 LibreOffice（{exe}）：{exc}。{INSTALL_HINT}", file=pdf) from None
        result = out / "通报.pdf"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["没有输出文件"]
            raise KPError(f"LibreOffice 未能把 Word 文档转换为 PDF：{detail[0]}", file=pdf)
        return atomic_output(pdf, lambda tmp: shutil.copyfile(result, tmp))
