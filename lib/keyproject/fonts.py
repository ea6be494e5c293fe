"""Chinese fonts: the names offices use in a 公文, what stands in for them where they are missing,
and CJK font files for matplotlib when its font cache does not know them.

A 通报 names the fonts offices expect (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体); Word and WPS on
an office PC have them. Elsewhere a renderer needs a stand-in of the same kind: the same design
under another name (Windows ships 仿宋 as FangSong, simfang.ttf), else a free font that has the
glyphs (Debian's fonts-noto-cjk: Noto Serif CJK SC for the 宋/仿宋/楷 kinds, Noto Sans CJK SC for 黑体).

matplotlib caches its font list the first time it runs; a cache built before a CJK font was
installed has none, and charts then draw boxes although the font is there. ``matplotlib_cjk_font``
registers the font files found in the usual folders directly (``fontManager.addfont``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SERIF_FALLBACKS: tuple[str, ...] = ("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC",
                                    "Source Han Serif CN", "AR PL UMing CN", "Noto Sans CJK SC",
                                    "WenQuanYi Zen Hei")
SANS_FALLBACKS: tuple[str, ...] = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                                   "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")


@dataclass(frozen=True)
class OfficeFont:
    """A font named in a 公文, the same design under other names, and free stand-ins of its kind."""

    name: str
    alternates: tuple[str, ...]  # the same design, as Windows, WPS or macOS name it
    sans: bool = False  # 黑体 kinds fall back to a sans font, the 宋/仿宋/楷 kinds to a serif one
    family: str = "modern"  # the w:family of a Word font table entry
    panose: str = "02010609060101010101"  # the w:panose1 Word matches a missing font by

    @property
    def fallbacks(self) -> tuple[str, ...]:
        return SANS_FALLBACKS if self.sans else SERIF_FALLBACKS

    @property
    def chain(self) -> tuple[str, ...]:
        """Names to try in order when ``name`` is missing."""
        return (*self.alternates, *self.fallbacks)


_FANGSONG = ("仿宋", "FangSong", "仿宋_GB2312", "FangSong_GB2312", "STFangsong", "华文仿宋")
_KAITI = ("楷体", "KaiTi", "楷体_GB2312", "KaiTi_GB2312", "STKaiti", "华文楷体")
_HEITI = ("黑体", "SimHei", "STHeiti", "华文黑体", "Microsoft YaHei", "微软雅黑")
_SONG = ("宋体", "SimSun", "NSimSun", "新宋体", "STSong", "华文宋体")
_XBS = ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "小标宋", "华文中宋", "STZhongsong",
        "宋体", "SimSun")


_ROMAN = ("Times New Roman", "Liberation Serif", "Tinos", "Nimbus Roman", "TeX Gyre Termes")


def _family(names: tuple[str, ...], **kw: object) -> dict[str, OfficeFont]:
    return {n: OfficeFont(n, tuple(a for a in names if a != n), **kw) for n in names}  # type: ignore[arg-type]


OFFICE_FONTS: dict[str, OfficeFont] = {
    **_family(_FANGSONG, panose="02010609060101010101"),
    **_family(_KAITI, panose="02010609060101010101"),
    **_family(_HEITI, sans=True, panose="02010609060101010101"),
    **_family(_SONG, family="auto", panose="02010600030101010101"),
    **_family(_XBS, family="auto", panose="02000000000000000000"),
    # digits and Latin letters of a 公文: a metric twin of Times New Roman, else a CJK serif's own
    **_family(_ROMAN, family="roman", panose="02020603050405020304"),
}


def office_font(name: str) -> OfficeFont:
    """What is known of a font name; an unknown name falls back like a 宋 kind."""
    return OFFICE_FONTS.get(name) or OfficeFont(name, ())


# -- installed fonts ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """The font family names this machine has (fontconfig's, every localized name), or, without
    fontconfig, the families of the Chinese font files found in the usual folders."""
    fc = shutil.which("fc-list")
    if fc:
        try:
            out = subprocess.run([fc, ":", "family"], capture_output=True, text=True, timeout=60,
                                 check=True).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        names = {n.strip().replace("\\-", "-") for line in out.splitlines() for n in line.split(",")}
        if names - {""}:
            return frozenset(names - {""})
    return frozenset(f for p in cjk_font_files() for f in KNOWN_FILES.get(p.name.lower(), ()))


def substitute(name: str, installed: Iterable[str] | None = None) -> str | None:
    """The font to draw ``name`` with: None when ``name`` itself is installed, else the first
    installed alternate or stand-in (None too when there is nothing better to offer)."""
    have = set(installed_families() if installed is None else installed)
    if name in have:
        return None
    return next((n for n in office_font(name).chain if n in have), None)


# -- font files ------------------------------------------------------------------------------------

# font files that hold Chinese glyphs, lower-cased, with the families they hold
KNOWN_FILES: dict[str, tuple[str, ...]] = {
    "notosanscjk-regular.ttc": ("Noto Sans CJK SC",), "notoserifcjk-regular.ttc": ("Noto Serif CJK SC",),
    "notosanscjksc-regular.otf": ("Noto Sans CJK SC",), "notoserifcjksc-regular.otf": ("Noto Serif CJK SC",),
    "notosanscjk-bold.ttc": ("Noto Sans CJK SC",), "notoserifcjk-bold.ttc": ("Noto Serif CJK SC",),
    "sourcehansanssc-regular.otf": ("Source Han Sans SC",),
    "sourcehanserifsc-regular.otf": ("Source Han Serif SC",),
    "notosanssc-regular.otf": ("Noto Sans SC",), "notosanssc-regular.ttf": ("Noto Sans SC",),
    "wqy-zenhei.ttc": ("WenQuanYi Zen Hei",), "wqy-microhei.ttc": ("WenQuanYi Micro Hei",),
    "msyh.ttc": ("Microsoft YaHei", "微软雅黑"), "msyh.ttf": ("Microsoft YaHei", "微软雅黑"),
    "simhei.ttf": ("SimHei", "黑体"), "simsun.ttc": ("SimSun", "宋体", "NSimSun", "新宋体"),
    "simfang.ttf": ("FangSong", "仿宋"), "simkai.ttf": ("KaiTi", "楷体"),
    "pingfang.ttc": ("PingFang SC",), "hiragino sans gb.ttc": ("Hiragino Sans GB",),
    "stheiti light.ttc": ("STHeiti",), "droidsansfallbackfull.ttf": ("Droid Sans Fallback",),
}
# the order charts prefer them in: sans fonts read best at small sizes
CHART_FONTS: tuple[str, ...] = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei",
                                "SimHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC",
                                "Hiragino Sans GB", "STHeiti", "Source Han Serif SC", "Noto Serif CJK SC",
                                "Droid Sans Fallback", "Noto Sans CJK JP")


def font_dirs() -> list[Path]:
    """The folders fonts are installed in on this kind of system."""
    home = Path.home()
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    data = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data / "fonts", home / ".fonts"]


def cjk_font_files(dirs: Sequence[Path] | None = None) -> list[Path]:
    """Chinese font files (``KNOWN_FILES``) under ``dirs`` (default ``font_dirs()``), in the order of
    ``CHART_FONTS``."""
    found: dict[str, Path] = {}
    for d in dirs if dirs is not None else font_dirs():
        if not d.is_dir():
            continue
        for root, _subdirs, files in os.walk(d):
            for f in files:
                key = f.lower()
                if key in KNOWN_FILES and key not in found:
                    found[key] = Path(root) / f

    def order(key: str) -> int:
        fams = KNOWN_FILES[key]
        return min((CHART_FONTS.index(f) for f in fams if f in CHART_FONTS), default=len(CHART_FONTS))

    return [found[k] for k in sorted(found, key=lambda k: (order(k), "bold" in k, k))]


def matplotlib_cjk_font(dirs: Sequence[Path] | None = None) -> str | None:
    """A family matplotlib can draw Chinese with, registering the system's CJK font files when its
    font cache lacks them (a cache built before the font was installed); None when there is none."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CHART_FONTS if n in names), None)

    name = known()
    if name is not None:
        return name
    for path in cjk_font_files(dirs):
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # an unreadable file: try the next
            continue
    return known()


__all__ = ["CHART_FONTS", "KNOWN_FILES", "OFFICE_FONTS", "OfficeFont", "cjk_font_files", "font_dirs",
           "installed_families", "matplotlib_cjk_font", "office_font", "substitute"]
