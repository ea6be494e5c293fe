"""docs/architecture.md maps every module of lib/keyproject to its stage (read, engine, views, write,
doors); a module added without a place on the map fails here, and so does one the map names that is
gone. The README's layout section names the same top-level packages."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "lib" / "keyproject"
PAGE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def _is_alias(path: Path) -> bool:
    """An old top-level name kept for a moved module (``sys.modules[__name__] = …``)."""
    return "sys.modules[__name__]" in path.read_text(encoding="utf-8")


def _modules() -> set[str]:
    """Top-level modules and packages of keyproject (``reader/`` for a package), the engine's modules
    as ``engine.report``; the aliases left at old names are not modules of their own."""
    out = {p.stem for p in LIB.glob("*.py") if p.stem not in ("__init__", "__main__") and not _is_alias(p)}
    out |= {f"{p.name}/" for p in LIB.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    out.discard("engine/")
    out |= {f"engine.{p.stem}" for p in (LIB / "engine").glob("*.py") if p.stem != "__init__"}
    return out


def _named_on_page() -> set[str]:
    """The modules in the module column of the page's tables (before any parenthesis)."""
    names: set[str] = set()
    column = 1
    for line in PAGE.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = line.split("|")
        if cells[1].strip() in ("module", "door"):
            column = 1 if cells[1].strip() == "module" else 2
            continue
        names |= set(re.findall(r"`([A-Za-z_][\w/.]*)`", cells[column].split("(")[0]))
    return names


def test_every_module_is_on_the_map() -> None:
    mapped = _named_on_page()
    assert _modules() - mapped == set(), "add the module to docs/architecture.md"


def test_the_map_names_no_module_that_is_gone() -> None:
    mapped = {n for n in _named_on_page() if n != "notebooks/"}
    assert mapped - _modules() == set()


def test_the_readme_layout_names_the_packages() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    for package in sorted(m for m in {*_modules(), "engine/"} if m.endswith("/")
                          and not m.startswith(("data", "presets"))):
        assert f"`{package}`" in layout, package


def test_every_old_name_is_the_moved_module() -> None:
    """``keyproject.report`` and ``keyproject.engine.report`` are one module object: old imports,
    ``isinstance`` checks and patches of its names all still work."""
    import importlib

    aliases = [p.stem for p in LIB.glob("*.py") if _is_alias(p)]
    assert len(aliases) >= 17
    for name in aliases:
        old = importlib.import_module(f"keyproject.{name}")
        assert old is importlib.import_module(f"keyproject.engine.{name}"), name
    from keyproject.engine.report import Report
    from keyproject.report import Report as OldReport

    assert OldReport is Report
