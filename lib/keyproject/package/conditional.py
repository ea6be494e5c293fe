"""Conditional formats keyproject owns in a user's worksheet (``<conditionalFormatting>``, ECMA-376
Part 1, 18.3.1.18).

keyproject writes one kind of rule, the text highlight: a cell whose value equals a text (红, 黄,
绿, 待刷新) takes a differential format (fill and font: a ``<dxf>`` that ``Stylesheet.dxf`` appends to
styles.xml). A column of formulas (``kp refresh --live``'s 灯号) is coloured this way, so its colour
follows what the formula gives as staff type, where a cell's own fill would stay what the refresh
wrote.

Every spreadsheet program reads the rule as written here (``cellIs``, ``equal``, a text literal):
Excel, WPS, LibreOffice.

keyproject's own rules are recognised on the next refresh (``is_own_rule``): a text highlight
(``cellIs`` / ``equal`` with one text literal) in a block whose ranges keyproject's marks record for
the sheet, or that lies wholly inside keyproject's columns (Excel moves a range when rows are
inserted or deleted; the columns move with it). Each such rule is removed (its block too when
nothing is left in it): a block the user made, or one where the user added a rule of their own to
keyproject's range (Excel keeps rules of one range in one block), keeps every rule of the user's.
keyproject's blocks are then written after the user's blocks, their priorities after every rule of
the user's (the ``x14`` ones in ``extLst`` included), so the user's rules keep their numbers and
precedence, and a second refresh writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from keyproject.package.cells import parse_range
from keyproject.package.styles import Style
from keyproject.package.xml import insert_in_order, local, q

BLOCK = "conditionalFormatting"
RULE = "cfRule"


@dataclass(frozen=True)
class TextHighlight:
    """Cells equal to ``text`` take ``style``'s font (bold, colour) and fill."""

    text: str
    style: Style


@dataclass(frozen=True)
class ConditionalFormat:
    """keyproject's rules over ``sqref`` (one or more ranges separated by spaces: "H4:H60")."""

    sqref: str
    rules: tuple[TextHighlight, ...]


def text_literal(text: str) -> str:
    """A text as a formula literal: "红", with quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _is_text_literal(formula: str) -> bool:
    f = formula.strip()
    return len(f) >= 2 and f[0] == f[-1] == '"' and '"' not in f[1:-1].replace('""', "")


def _ranges(sqref: str) -> list[tuple[int, int, int, int]] | None:
    try:
        return [parse_range(part) for part in sqref.split()]
    except ValueError:
        return None


def is_highlight(rule: etree._Element) -> bool:
    """Is ``rule`` a text highlight as keyproject writes it?"""
    if local(rule.tag) != RULE or rule.get("type") != "cellIs" or rule.get("operator") != "equal":
        return False
    formulas = [c for c in rule if local(c.tag) == "formula"]
    others = [c for c in rule if local(c.tag) not in ("formula",)]
    return len(formulas) == 1 and not others and _is_text_literal(formulas[0].text or "")


def is_own_block(block: etree._Element, own_columns: Collection[int], recorded: Collection[str]) -> bool:
    """Could ``block``'s highlights be keyproject's (see the module docstring)?"""
    sqref = block.get("sqref") or ""
    if sqref in recorded:
        return True
    ranges = _ranges(sqref)
    return bool(ranges) and bool(own_columns) and all(
        c in own_columns for _, c0, _, c1 in ranges or () for c in range(c0, c1 + 1))


def is_own_rule(block: etree._Element, rule: etree._Element, own_columns: Collection[int],
                recorded: Collection[str]) -> bool:
    return is_highlight(rule) and is_own_block(block, own_columns, recorded)


def _priorities(root: etree._Element) -> list[int]:
    """The priority of every rule in the sheet, x14 rules in extLst included."""
    out = []
    for el in root.iter():
        if local(el.tag) == RULE:
            p = el.get("priority") or ""
            if p.isdigit():
                out.append(int(p))
    return out


def _block(ns: str, cf: ConditionalFormat, dxf: Callable[[Style], int], first_priority: int
           ) -> etree._Element:
    block = etree.Element(q(BLOCK, ns), {"sqref": cf.sqref})
    for i, rule in enumerate(cf.rules):
        el = etree.SubElement(block, q(RULE, ns), {"type": "cellIs", "dxfId": str(dxf(rule.style)),
                                                   "priority": str(first_priority + i), "operator": "equal"})
        etree.SubElement(el, q("formula", ns)).text = text_literal(rule.text)
    return block


def _c14n(elements: Iterable[etree._Element]) -> list[bytes]:
    return [etree.tostring(el, method="c14n", with_tail=False) for el in elements]


def edit_conditional(root: etree._Element, ns: str, order: Sequence[str],
                     formats: Sequence[ConditionalFormat], own_columns: Collection[int],
                     recorded: Collection[str], dxf: Callable[[Style], int] | None) -> bool:
    """Replace keyproject's conditional formats in worksheet ``root`` by ``formats``; True when the
    sheet's blocks changed. ``order``: the worksheet's element sequence (where a first block goes)."""
    blocks = [el for el in root if local(el.tag) == BLOCK]
    if not blocks and not formats:
        return False
    before = _c14n(blocks)
    for block in blocks:
        for rule in [r for r in block if local(r.tag) == RULE]:
            if is_own_rule(block, rule, own_columns, recorded):
                block.remove(rule)
        if not any(local(r.tag) == RULE for r in block):
            root.remove(block)
    kept = [el for el in root if local(el.tag) == BLOCK]
    if formats:
        if dxf is None:
            raise ValueError("SheetEdits.dxf is needed for conditional formats")
        priority = max(_priorities(root), default=0) + 1
        new = []
        for cf in formats:
            new.append(_block(ns, cf, dxf, priority))
            priority += len(cf.rules)
        if kept:
            at = kept[-1]
            for block in new:
                block.tail = at.tail
                at.addnext(block)
                at = block
        else:
            for block in reversed(new):
                insert_in_order(root, block, tuple(order))
    return _c14n(el for el in root if local(el.tag) == BLOCK) != before


__all__ = ["BLOCK", "ConditionalFormat", "TextHighlight", "edit_conditional", "is_highlight", "is_own_block",
           "is_own_rule", "text_literal"]
