"""The tree engine: a user's worksheet parsed whole with lxml and edited in the tree. It reads
anything well-formed (cells without references, comments, prefixed elements …) and is what
``sheet_edit.edit_sheet`` uses when the row scanner gives up."""

from __future__ import annotations

from lxml import etree

from keyproject.package.cells import column_letter, split_ref
from keyproject.package.sheet_plan import (
    WORKSHEET_ORDER,
    EditResult,
    ExistingCell,
    SheetEdits,
    _edit_frame,
    _plan,
    _touches,
)
from keyproject.package.xml import MAIN, insert_in_order, local, parse, q, serialize


def _tree_edit(data: bytes, edits: SheetEdits, result: EditResult) -> bytes:
    root = parse(data, "worksheet")
    ns = etree.QName(root).namespace or MAIN
    sd = root.find(q("sheetData", ns))
    if sd is None:
        sd = etree.Element(q("sheetData", ns))
        insert_in_order(root, sd, WORKSHEET_ORDER)
    pending = sorted(edits.rows())
    k = 0
    prev = 0
    clearing = bool(edits.own_columns - edits.fresh_columns)
    rows = [el for el in sd if local(el.tag) == "row"]
    for row_el in rows:
        r_text = row_el.get("r")
        r = int(r_text) if r_text and r_text.isdigit() else prev + 1
        while k < len(pending) and pending[k] < r:
            new = _tree_new_row(pending[k], edits, result, ns)
            if new is not None:
                row_el.addprevious(new)
            k += 1
        if k < len(pending) and pending[k] == r:
            k += 1
        if _touches(r, edits, clearing):
            _tree_row(row_el, r, edits, result, ns)
        prev = r
    while k < len(pending):
        new = _tree_new_row(pending[k], edits, result, ns)
        if new is not None:
            sd.append(new)
        k += 1
    _edit_frame(root, edits)
    return serialize(root, data)


def _cells_from(xml: str, ns: str) -> list[etree._Element]:
    wrapper = etree.fromstring(f'<w xmlns="{ns}">{xml}</w>'.encode())
    return list(wrapper)


def _tree_new_row(r: int, edits: SheetEdits, result: EditResult, ns: str) -> etree._Element | None:
    plan = _plan(r, {}, edits, result)
    body = "".join(plan[c] for c in sorted(plan) if plan[c])
    if not body:
        return None
    row = etree.Element(q("row", ns), {"r": str(r)})
    for c in _cells_from(body, ns):
        row.append(c)
    return row


def _tree_row(row_el: etree._Element, r: int, edits: SheetEdits, result: EditResult, ns: str) -> None:
    cells = [el for el in row_el if local(el.tag) == "c"]
    positions: list[int] = []
    col = 0
    implicit = False
    for el in cells:
        ref_text = el.get("r")
        if ref_text:
            try:
                _, col = split_ref(ref_text)
            except ValueError:
                col += 1
                implicit = True
        else:
            col += 1
            implicit = True
        positions.append(col)
    present: dict[int, ExistingCell] = {}
    for el, c in zip(cells, positions, strict=True):
        s = el.get("s")
        present[c] = ExistingCell(r, c, int(s) if s and s.isdigit() else 0, el.get("t"),
                                  el.find(q("f", ns)) is not None, len(el) > 0)
    base = 0
    src = edits.style_source
    if src is not None:
        if src in present:
            base = present[src].style
        else:  # the row's last cell left of keyproject's (as the row scanner takes it)
            limit = min([*edits.put.get(r, {}), *(edits.own_columns if r >= edits.clear_from else ()),
                         *edits.retired, 16385])
            left = [c for c in present if c < limit]
            if left:
                base = present[max(left)].style
            elif row_el.get("customFormat") in ("1", "true") and (row_el.get("s") or "").isdigit():
                base = int(row_el.get("s") or 0)
    plan = _plan(r, present, edits, result, base)
    if not plan:
        return
    if implicit:  # new cells carry references: give every cell of the row its own first
        for el, c in zip(cells, positions, strict=True):
            el.set("r", f"{column_letter(c)}{r}")
    by_col = dict(zip(positions, cells, strict=True))
    for c in sorted(plan):
        new = plan[c]
        old = by_col.pop(c, None)
        if old is not None:
            if new:
                replacement = _cells_from(new, ns)[0]
                old.addnext(replacement)
                by_col[c] = replacement
            row_el.remove(old)
            continue
        if not new:
            continue
        el = _cells_from(new, ns)[0]
        after = next((by_col[p] for p in sorted(by_col, reverse=True) if p < c), None)
        if after is not None:
            after.addnext(el)
        else:
            first = next((x for x in row_el if local(x.tag) == "c"), None)
            if first is not None:
                first.addprevious(el)
            else:
                ext = row_el.find(q("extLst", ns))
                if ext is not None:
                    ext.addprevious(el)
                else:
                    row_el.append(el)
        by_col[c] = el
    spans = row_el.get("spans")
    top = max([c for c, x in plan.items() if x] or [0])
    if spans and top:
        parts = spans.split(" ")
        lo, _, hi = parts[-1].partition(":")
        if hi.isdigit() and int(hi) < top:
            parts[-1] = f"{lo}:{top}"
            row_el.set("spans", " ".join(parts))


