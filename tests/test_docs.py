"""docs/ is generated from the code: the committed files must match, and they must say what the code says."""

from __future__ import annotations

import difflib
from pathlib import Path

import opencc
import pytest

from keyproject import docs, schema
from keyproject.cli import build_parser
from keyproject.engine.rules import SETTINGS, Rules, preset_names

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "docs"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    assert docs.main(["--out", str(out)]) == 0
    return out


def _text(generated: Path, name: str) -> str:
    return (generated / name).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1:]
    ends = [i for i, line in enumerate(rest.splitlines(keepends=True))
            if line.startswith("#") and line.split(" ")[0] in {level[:n] for n in range(1, len(level) + 1)}]
    if not ends:
        return rest
    return "".join(rest.splitlines(keepends=True)[: ends[0]])


def _row(text: str, first_cell: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| {first_cell} |")]
    assert len(rows) == 1, f"expected one table row for {first_cell}, got {rows}"
    return rows[0]


def test_committed_docs_are_up_to_date(generated: Path) -> None:
    names = sorted(docs.RENDERERS)
    assert sorted(p.name for p in generated.iterdir()) == names
    stale = []
    for name in names:
        new = (generated / name).read_bytes()
        old = (COMMITTED / name).read_bytes() if (COMMITTED / name).is_file() else b""
        if new != old:
            diff = difflib.unified_diff(old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines(),
                                        f"docs/{name} (committed)", f"docs/{name} (from the code)",
                                        lineterm="", n=1)
            stale.append("\n".join(list(diff)[:30]))
    assert not stale, (
        "docs/ is out of date with the code: run `python -m keyproject.docs` and commit docs/\n\n"
        + "\n\n".join(stale)
    )


def test_check_mode_reports_stale_and_fresh(generated: Path, tmp_path: Path) -> None:
    assert docs.main(["--check", "--out", str(generated)]) == 0
    for name in docs.RENDERERS:
        (tmp_path / name).write_bytes((generated / name).read_bytes())
    (tmp_path / "fields.md").write_text(_text(generated, "fields.md").replace("`annual_plan`", "`plan`"),
                                        encoding="utf-8")
    assert docs.main(["--check", "--out", str(tmp_path)]) == 1
    assert docs.stale(tmp_path) == ["fields.md"]


def test_fields_doc_lists_every_field_with_its_names(generated: Path) -> None:
    text = _text(generated, "fields.md")
    s2t = opencc.OpenCC("s2t")
    for table in (schema.LEDGER, schema.PROBLEMS, schema.MILESTONES):
        section = _section(text, f"## {table.title} {table.name.capitalize()} (`{table.name}`)")
        for f in table.fields:
            row = _row(section, f"`{f.key}`")
            assert f.label in row and f.kind in row and f.dtype in row
            for alias in f.aliases:
                assert alias.replace("|", "\\|") in row
            for name in f.names:
                assert s2t.convert(name) in row
            for pattern in f.patterns:
                assert "`" + pattern.replace("|", "\\|") + "`" in row
            if f.description:
                assert f.description in row
            if f.unit:
                assert f.unit in row
    owned = _section(text, "## keyproject 自有列 Columns keyproject owns")
    for column in schema.OWNED_COLUMNS:
        assert f"| {column} |" in owned


def test_rules_doc_lists_every_setting_and_preset(generated: Path) -> None:
    text = _text(generated, "rules.md")
    default = Rules()
    settings = _section(text, "## 设置项 Settings")
    for s in SETTINGS:
        row = _row(settings, f"`{s.name}`")
        assert s.zh in row and s.doc in row
        assert all(a in row for a in s.aliases)
        value = getattr(default, s.name)
        if value is None:  # decided when used (万元小数位数: from the ledger), written 自动
            assert '`"自动"`' in row
        elif isinstance(value, (int, float)):
            assert f"`{value!r}`" in row
        elif isinstance(value, str):
            assert f'`"{value}"`' in row
        else:  # tuples: every item is shown
            for item in value:
                assert str(item[0] if isinstance(item, tuple) else item) in row
    for name in preset_names():
        section = _section(text, f"### `{name}`")
        preset = Rules.preset(name)
        for s in SETTINGS:
            if getattr(preset, s.name) != getattr(default, s.name):
                assert s.name in section
                for item in getattr(preset, s.name):
                    assert str(item) in section


def test_cli_doc_has_every_command_in_parser_order(generated: Path) -> None:
    text = _text(generated, "cli.md")
    parser = build_parser()
    commands = docs.commands(parser)
    assert commands, "the kp parser registers commands"
    positions = [text.index(f"## kp {name}\n") for name, _, _ in commands]
    assert positions == sorted(positions)
    for name, short, sub in commands:
        section = _section(text, f"## kp {name}")
        assert f"用法：kp {name}" in section
        if short:
            assert short in section
        for action in sub._actions:
            for option in action.option_strings:
                assert option in section


def test_cli_help_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    narrow = docs.render_cli()
    monkeypatch.setenv("COLUMNS", "250")
    wide = docs.render_cli()
    assert narrow == wide
    import os

    assert os.environ["COLUMNS"] == "250"  # restored after rendering


def test_formulas_doc_shows_every_declared_formula(generated: Path) -> None:
    from keyproject.formulas import FORMULAS

    text = _text(generated, "formulas.md")
    assert FORMULAS
    for f in FORMULAS:
        section = _section(text, f"### {f.name}")
        assert f.zh in section and f.en in section
        assert f"={f.name}(" in section and f"=KP.{f.short_name}(" in section
        assert f"POST /api/formulas/{f.name}" in section
        assert f"`{f.function.__module__}.{f.function.__qualname__}`" in section
        for note in f.notes:
            assert note in section
        for p in f.params:
            row = _row(section, f"`{p.name}`")
            assert p.zh in row and p.help.replace("|", "\\|") in row
            assert ("可省略" in row) == p.optional
            shown = f"[{p.name}]" if p.optional else p.name
            assert shown in section


def test_formulas_doc_follows_the_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from keyproject import formulas
    from keyproject.formulas import catalog

    changed = dataclasses.replace(catalog.FORMULAS[0], zh="改过的说明。")
    monkeypatch.setattr(formulas, "FORMULAS", (changed, *catalog.FORMULAS[1:]))
    text = docs.render_formulas()
    assert "改过的说明。" in text and catalog.FORMULAS[0].zh not in text
