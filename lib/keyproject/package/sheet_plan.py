"""What changes in a user's worksheet, and the plan both sheet engines carry out.

``SheetEdits`` says what changes in one sheet: keyproject's cells (``put``: replaced or added; a
``Derived`` cell takes the format of the user's cell beside it), new values for some of the user's
cells (``values``: a function of the cell as it is, so the user's format index stays and a formula
can be refused), keyproject's columns (their other cells below the header are removed; a retired one
goes whole), its merged header cells and minimum column widths. ``_plan`` turns them into the new
XML of each cell of a row; ``_edit_frame`` edits the elements around ``<sheetData>`` (dimension,
cols, mergeCells, and keyproject's conditional formats: ``package.conditional``).
``sheet_edit.edit_sheet`` applies them with one of the engines (``sheet_scan``, ``sheet_tree``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from keyproject.package.cells import (
    Cell,
    CellValue,
    cell_xml,
    column_letter,
    parse_range,
    plain_texts,
    range_text,
)
from keyproject.package.conditional import ConditionalFormat, edit_conditional
from keyproject.package.styles import Style
from keyproject.package.xml import MAIN, insert_in_order, local, q

_INFINITE = (float("inf"), float("-inf"))
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
    "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
    "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
    "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")


@dataclass(frozen=True)
class ExistingCell:
    """A cell of the user's, as the file has it."""

    row: int
    col: int
    style: int  # its ``s`` (0 when absent)
    type: str | None  # its ``t``
    has_formula: bool
    has_content: bool  # holds a value, a formula or an inline string

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"


# the new content of a user's cell given the cell as it is (None when the cell has none); None: leave it
ValueEdit = Callable[[ExistingCell | None], Cell | None]


@dataclass(frozen=True)
class Derived:
    """One of keyproject's cells formatted like the user's cell in the same row of column
    ``SheetEdits.style_source`` (so it carries the table's borders and font), changed by ``change``
    (a light's fill, a number format). When the row has no cell there, the row's last cell is the
    model."""

    value: CellValue = None
    change: Style | None = None
    formula: str | None = None


@dataclass
class SheetEdits:
    """What changes in one worksheet (rows and columns 1-based)."""

    put: dict[int, dict[int, Cell | Derived]] = field(default_factory=dict)  # keyproject's cells
    values: dict[int, dict[int, ValueEdit]] = field(default_factory=dict)  # user cells
    own_columns: frozenset[int] = frozenset()  # keyproject's columns
    fresh_columns: frozenset[int] = frozenset()  # own columns taken this time (must be empty)
    clear_from: int = 1  # below the header: cells of own (not fresh) columns not in ``put`` go
    retired: frozenset[int] = frozenset()  # own columns no longer used: every cell goes, header too
    widths: dict[int, float] = field(default_factory=dict)  # minimum widths of own columns
    merges: list[str] = field(default_factory=list)  # merged ranges inside own columns
    date1904: bool = False
    style_source: int | None = None  # the user's column ``Derived`` cells take their format from
    derive: Callable[[int, Style], int] | None = None  # Stylesheet.derive
    derived: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)  # (base, id) → index
    # keyproject's conditional formats (written anew each time; see package.conditional), the ranges
    # an earlier refresh recorded as its own, and how their formats get their dxf index
    conditional: list[ConditionalFormat] = field(default_factory=list)
    own_conditional: frozenset[str] = frozenset()
    dxf: Callable[[Style], int] | None = None  # Stylesheet.dxf
    changes: list[Style] = field(default_factory=list, repr=False)  # keeps the ids above valid

    def put_cell(self, row: int, col: int, cell: Cell | Derived) -> None:
        self.put.setdefault(row, {})[col] = cell

    def set_value(self, row: int, col: int, edit: ValueEdit) -> None:
        self.values.setdefault(row, {})[col] = edit

    def rows(self) -> set[int]:
        return set(self.put) | set(self.values)


@dataclass
class EditResult:
    data: bytes
    conflicts: set[int] = field(default_factory=set)  # fresh columns found holding the user's content
    removed_formulas: list[str] = field(default_factory=list)  # formula cells replaced or removed
    added_formulas: list[str] = field(default_factory=list)
    engine: str = "scan"


class Unsupported(Exception):
    """The row scanner met something it does not read; the tree engine takes the sheet."""


def _resolve(cell: Cell | Derived, base: int, edits: SheetEdits) -> Cell:
    if type(cell) is Cell:
        return cell
    assert isinstance(cell, Derived)
    style = base
    change = cell.change
    if change is not None:
        # one change object is shared by a column's cells: looked up by identity, not by its hash
        key = (base, id(change))
        found = edits.derived.get(key)
        if found is None:
            if edits.derive is None:
                raise ValueError("SheetEdits.derive is needed for Derived cells")
            found = edits.derived[key] = edits.derive(base, change)
            edits.changes.append(change)
        style = found
    return Cell(cell.value, style, cell.formula)


def _plan(row: int, present: dict[int, ExistingCell], edits: SheetEdits,
          result: EditResult, base: int = 0) -> dict[int, str]:
    """The new XML of each cell that changes in ``row`` ("" removes the cell); ``base`` is the
    format ``Derived`` cells start from."""
    out: dict[int, str] = {}
    puts = edits.put.get(row)
    date1904 = edits.date1904
    if puts:
        fresh = edits.fresh_columns
        for col, spec in puts.items():
            cell = spec if type(spec) is Cell else _resolve(spec, base, edits)
            ref = f"{column_letter(col)}{row}"
            if present:
                ex = present.get(col)
                if ex is not None:
                    if ex.has_content and col in fresh:
                        result.conflicts.add(col)
                        continue
                    if ex.has_formula:
                        result.removed_formulas.append(ref)
            if cell.formula is not None:
                result.added_formulas.append(ref)
            out[col] = cell_xml(ref, cell, date1904)
    if present and (row >= edits.clear_from or edits.retired):
        clear = edits.own_columns - edits.fresh_columns if row >= edits.clear_from else edits.retired
        for col in clear | edits.retired:
            if col in out:
                continue
            ex = present.get(col)
            if ex is not None:
                out[col] = ""
                if ex.has_formula:
                    result.removed_formulas.append(ex.ref)
    values = edits.values.get(row)
    if values:
        for col, edit in values.items():
            if col in out or col in edits.own_columns:
                continue
            ex = present.get(col)
            edited = edit(ex)
            if edited is None:
                continue
            ref = f"{column_letter(col)}{row}"
            if ex is not None and ex.has_formula:
                result.removed_formulas.append(ref)
            out[col] = cell_xml(ref, edited, date1904)
    return out


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> bool:
    """``plain_texts`` for one text, remembered: a column's texts repeat (红, 黄, 绿, 已动工未竣工)."""
    return plain_texts([text])


def _appended(row: int, puts: dict[int, Cell | Derived], edits: SheetEdits, result: EditResult,
              base: int) -> str:
    """keyproject's cells of a row that has none of them yet, in column order (``_plan`` for the
    common case, without its bookkeeping of existing cells)."""
    out = []
    derived = edits.derived
    date1904 = edits.date1904
    for col in sorted(puts):
        spec = puts[col]
        ref = f"{column_letter(col)}{row}"
        if type(spec) is Derived and spec.formula is None:
            change = spec.change
            if change is None:
                style = base
            else:
                style = derived.get((base, id(change)), -1)
                if style == -1:
                    style = _resolve(spec, base, edits).style or 0
            value = spec.value
            s = f' s="{style}"' if style else ""
            if isinstance(value, float):
                if value != value or value in _INFINITE:  # NaN, infinities: no value
                    out.append(f'<c r="{ref}"{s}/>')
                else:
                    number = int(value) if value.is_integer() and -1e15 < value < 1e15 else repr(value)
                    out.append(f'<c r="{ref}"{s}><v>{number}</v></c>')
                continue
            if value is None:
                out.append(f'<c r="{ref}"{s}/>')
                continue
            if isinstance(value, str) and _plain(value):
                out.append(f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
                continue
            out.append(cell_xml(ref, Cell(value, style), date1904))
            continue
        cell = spec if type(spec) is Cell else _resolve(spec, base, edits)
        if cell.formula is not None:
            result.added_formulas.append(ref)
        out.append(cell_xml(ref, cell, date1904))
    return "".join(out)


def _touches(row: int, edits: SheetEdits, clearing: bool) -> bool:
    """Does ``row`` have anything to change (``clearing``: own columns keyproject had before)?"""
    return (row in edits.put or row in edits.values or (clearing and row >= edits.clear_from)
            or bool(edits.retired))


# -- the frame: elements around sheetData ------------------------------------------------------------
def _extent(edits: SheetEdits) -> tuple[int, int, int, int] | None:
    rows = [*edits.put, *edits.values]
    if not rows:
        return None
    cols: set[int] = set()
    for group in (edits.put, edits.values):
        for row_cells in group.values():
            cols.update(row_cells)
    return min(rows), min(cols), max(rows), max(cols)


def _edit_frame(root: etree._Element, edits: SheetEdits) -> bool:
    """Update dimension, cols, mergeCells and keyproject's conditional formats in ``root``; True when
    something changed."""
    ns = etree.QName(root).namespace or MAIN
    changed = False
    extent = _extent(edits)
    dim = root.find(q("dimension", ns))
    if dim is not None and extent is not None:
        try:
            r0, c0, r1, c1 = parse_range(dim.get("ref") or "A1")
        except ValueError:
            r0 = c0 = r1 = c1 = 1
        new = range_text(min(r0, extent[0]), min(c0, extent[1]), max(r1, extent[2]), max(c1, extent[3]))
        if new != dim.get("ref"):
            dim.set("ref", new)
            changed = True
    changed |= _edit_cols(root, ns, edits.widths)
    changed |= _edit_merges(root, ns, edits)
    # (columns taken this time held nothing of keyproject's: a user's rule over them stays theirs)
    changed |= edit_conditional(root, ns, WORKSHEET_ORDER, edits.conditional,
                                edits.own_columns - edits.fresh_columns, edits.own_conditional, edits.dxf)
    return changed


def _edit_cols(root: etree._Element, ns: str, widths: dict[int, float]) -> bool:
    if not widths:
        return False
    cols = root.find(q("cols", ns))
    changed = False
    for col, width in sorted(widths.items()):
        if cols is None:
            cols = etree.Element(q("cols", ns))
            insert_in_order(root, cols, WORKSHEET_ORDER)
        cover = None
        for el in cols:
            try:
                lo, hi = int(el.get("min") or 0), int(el.get("max") or 0)
            except ValueError:
                continue
            if lo <= col <= hi:
                cover = el
                break
        if cover is None:
            at = next((i for i, el in enumerate(cols) if int(el.get("min") or 0) > col), len(cols))
            attrib = {"min": str(col), "max": str(col), "width": f"{width:g}", "customWidth": "1"}
            cols.insert(at, etree.Element(q("col", ns), attrib))
            changed = True
            continue
        try:
            have = float(cover.get("width") or 0)
        except ValueError:
            have = 0.0
        if have >= width and cover.get("hidden") not in ("1", "true"):
            continue
        lo, hi = int(cover.get("min") or 0), int(cover.get("max") or 0)
        at = list(cols).index(cover)
        pieces = []
        for a, b in ((lo, col - 1), (col, col), (col + 1, hi)):
            if a > b:
                continue
            piece = etree.Element(cover.tag, {str(k): str(v) for k, v in cover.attrib.items()})
            piece.set("min", str(a))
            piece.set("max", str(b))
            if a == col:
                piece.set("width", f"{max(have, width):g}")
                piece.set("customWidth", "1")
                if "hidden" in piece.attrib:
                    del piece.attrib["hidden"]
            pieces.append(piece)
        cols.remove(cover)
        for i, piece in enumerate(pieces):
            cols.insert(at + i, piece)
        changed = True
    return changed


def _edit_merges(root: etree._Element, ns: str, edits: SheetEdits) -> bool:
    container = root.find(q("mergeCells", ns))
    existing = [] if container is None else [m for m in container if local(m.tag) == "mergeCell"]
    want = set(edits.merges)
    have = {m.get("ref") for m in existing}
    changed = False
    for m in existing:
        refs = m.get("ref") or ""
        try:
            _, c0, _, c1 = parse_range(refs)
        except ValueError:
            continue
        mine = all(c in edits.own_columns for c in range(c0, c1 + 1))
        if mine and refs not in want and container is not None:
            container.remove(m)
            changed = True
    missing = [m for m in edits.merges if m not in have]
    if missing:
        if container is None:
            container = etree.Element(q("mergeCells", ns))
            insert_in_order(root, container, WORKSHEET_ORDER)
        for refs in missing:
            etree.SubElement(container, q("mergeCell", ns), {"ref": refs})
        changed = True
    if container is not None and changed:
        n = sum(1 for m in container if local(m.tag) == "mergeCell")
        if n:
            container.set("count", str(n))
        else:
            root.remove(container)
    return changed


