"""Report → labelled tables: what every door shows, decided once.

A view is plain data: a sheet of blocks (facts, tables, paragraphs) whose cells hold plain values,
with ``Light`` for a light. The renderers (the workbook writer, the Excel/WPS button, the bulletin,
``kp report``'s text, the widgets) decide how each kind of cell looks; they never decide what is
shown, in which order, or under which label. ``keyproject.views.sheets`` builds the views of
keyproject's five sheets from a ``Report``.

Cell kinds, and what a value of that kind is:
- ``text``: a short text; ``wrap``: a long text (reasons, problems) a renderer wraps;
- ``count``: an int; ``amount``: a float in 万元; ``rate``: a fraction (0.5833 is 58.33%);
  ``points``: percentage points (−10.0); ``ratio``: a plain number (SPI);
- ``date``: a ``datetime.date``; ``light``: a ``Light`` (or None: no light);
- ``flag``: a bool shown as 是 / 否.
``Column.decimals`` (None: the kind's default) says how many decimals a renderer shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

CellKind = Literal["text", "wrap", "count", "amount", "rate", "points", "ratio", "date", "light", "flag"]


@dataclass(frozen=True)
class Light:
    """A light in a cell: its key (``red``/``yellow``/``green``) and its label under the rules."""

    key: str
    label: str

    def __str__(self) -> str:
        return self.label


Value = str | int | float | bool | dt.date | Light | None


@dataclass(frozen=True)
class Column:
    key: str  # stable id: a ledger field key or a report key ("completion_rate")
    label: str  # the Chinese header
    kind: CellKind = "text"
    decimals: int | None = None


@dataclass(frozen=True)
class Table:
    """Rows under a header; ``empty`` is shown instead when there are no rows."""

    key: str  # stable id within the sheet: "lights", "ranking.unit", "red_list" …
    title: str | None  # the heading above the table, or None
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    empty: str = "（无）"

    def column(self, key: str) -> int:
        """The position of column ``key``."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def values(self, key: str) -> list[Value]:
        i = self.column(key)
        return [r[i] for r in self.rows]


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: Value
    kind: CellKind = "text"
    decimals: int | None = None


@dataclass(frozen=True)
class Facts:
    """Labelled values, one a row, under a two-cell header (what | value)."""

    key: str
    title: str | None
    items: tuple[Fact, ...]
    header: tuple[str, str] = ("指标", "数值")
    empty: str = "（无）"

    def get(self, key: str) -> Fact | None:
        return next((f for f in self.items if f.key == key), None)


@dataclass(frozen=True)
class Paragraphs:
    """Running text, one paragraph a line (the 通报 sheet, notes under a table)."""

    key: str
    title: str | None
    lines: tuple[str, ...]


Block = Facts | Table | Paragraphs


@dataclass(frozen=True)
class SheetView:
    """One of keyproject's sheets: a title row, then its blocks down the sheet."""

    name: str  # the canonical sheet name: 汇总, 红黄绿灯, 排名, 问题清单, 通报
    title: str
    blocks: tuple[Block, ...]
    portrait: bool = False  # printed upright (the 通报); otherwise landscape
    # the first table is a long list: its header is frozen on screen and repeated on printed pages
    list_sheet: bool = False

    def block(self, key: str) -> Block:
        return next(b for b in self.blocks if b.key == key)

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))


__all__ = ["Block", "CellKind", "Column", "Fact", "Facts", "Light", "Paragraphs", "SheetView", "Table",
           "Value"]
