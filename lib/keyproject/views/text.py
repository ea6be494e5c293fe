"""Views as terminal text (``kp report``): the same blocks, labels and order as the sheets.

Facts print as one line ("总体情况：序时进度 58.33%，项目个数 60，…"), tables as ``rich`` tables
under their titles, paragraphs as lines; every value goes through ``keyproject.formats.text`` with
the decimals the view carries, so the terminal shows what the sheets and the 通报 show.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from keyproject.formats import MISSING, text
from keyproject.views import Facts, Paragraphs, SheetView, Table, Value

_RIGHT = frozenset({"count", "amount", "rate", "points", "ratio"})


def cell_text(value: Value, kind: str, decimals: int | None) -> str:
    """One cell as the terminal shows it ("—" for a number that is missing); a workbook's text is
    data, never ``rich`` markup ("[二期]" stays as typed)."""
    shown = text(value, kind, decimals)
    return escape(shown) if shown else (MISSING if kind in _RIGHT or kind == "flag" else "")


def facts_line(block: Facts) -> str:
    items = "，".join(f"{escape(f.label)} {cell_text(f.value, f.kind, f.decimals)}" for f in block.items)
    body = items or block.empty
    return f"{escape(block.title)}：{body}" if block.title else body


def rich_table(block: Table) -> RichTable:
    table = RichTable(title=escape(block.title) if block.title else None, title_justify="left")
    for c in block.columns:
        table.add_column(escape(c.label), justify="right" if c.kind in _RIGHT else "left",
                         overflow="fold")
    for row in block.rows:
        table.add_row(*(cell_text(v, c.kind, c.decimals) for v, c in zip(row, block.columns, strict=True)))
    return table


def print_views(views: Iterable[SheetView], console: Console) -> None:
    """Each view's title, then its blocks in order."""
    for view in views:
        console.print()
        console.print(f"[bold]{escape(view.title)}[/bold]")
        for block in view.blocks:
            if isinstance(block, Facts):
                console.print(facts_line(block))
            elif isinstance(block, Table):
                if block.rows:
                    console.print(rich_table(block))
                else:
                    console.print(escape(f"{block.title}：{block.empty}" if block.title else block.empty))
            elif isinstance(block, Paragraphs):
                if block.title:
                    console.print(escape(block.title))
                for line in block.lines:
                    console.print(escape(line))


__all__ = ["cell_text", "facts_line", "print_views", "rich_table"]
