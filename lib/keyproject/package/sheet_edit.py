"""Editing a user's worksheet part with the smallest change.

``SheetEdits`` says what changes in one sheet: keyproject's cells (``put``: replaced or added), new
values for some of the user's cells (``values``: a function of the cell as it is, so the user's
format index stays and a formula can be refused), keyproject's columns (their other cells below the
header are removed), its merged header cells and minimum column widths. ``edit_sheet`` applies them
and returns the new part: every row, cell and element it does not change is what it was (sheet
views, conditional formats, validations, drawing and comment references, protection, outline,
header/footer, ``ignoredErrors``, ``extLst`` …); the dimension covers the cells added.

Two engines apply the same plan (``sheet_plan``):

- the row scanner (``sheet_scan``) copies the original bytes and splices only the cells that change.
  It is a careful reader of the subset of XML that spreadsheet programs write inside
  ``<sheetData>``: element tags and text, no comments, CDATA or processing instructions; rows and the
  cells it looks at carry their ``r`` references; rows ascend. It checks each of these as it goes and
  gives up (``Unsupported``) rather than guess. At 30,000 projects it takes about a tenth of the time
  lxml needs to parse and serialize the sheet, and it keeps every untouched byte, so the sheet's XML
  differs only in the changed cells.
- the tree engine (``sheet_tree``) parses the whole part with lxml and edits the tree; it handles
  anything well-formed (implicit cell positions, comments …) and is used when the scanner gives up.

The elements around ``<sheetData>`` (``dimension``, ``cols``, ``mergeCells``) are edited with lxml
in both engines; when they need no change their bytes are kept.
"""

from __future__ import annotations

from keyproject.package.sheet_plan import (
    WORKSHEET_ORDER,
    Derived,
    EditResult,
    ExistingCell,
    SheetEdits,
    Unsupported,
    ValueEdit,
)
from keyproject.package.sheet_scan import _ScanEngine
from keyproject.package.sheet_tree import _tree_edit


def edit_sheet(data: bytes, edits: SheetEdits, engine: str = "auto") -> EditResult:
    """Apply ``edits`` to worksheet part ``data``. ``engine``: "auto" (the row scanner, the tree
    engine when the scanner gives up), "scan" or "tree"."""
    if engine in ("auto", "scan"):
        result = EditResult(b"", engine="scan")
        try:
            result.data = _ScanEngine(data, edits, result).run()
            return result
        except Unsupported:
            if engine == "scan":
                raise
    result = EditResult(b"", engine="tree")
    result.data = _tree_edit(data, edits, result)
    return result


__all__ = ["WORKSHEET_ORDER", "Derived", "EditResult", "ExistingCell", "SheetEdits", "Unsupported",
           "ValueEdit", "edit_sheet"]
