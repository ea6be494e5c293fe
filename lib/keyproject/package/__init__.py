"""The xlsx/xlsm package: the one place that knows its parts, relationships and marks.

openpyxl's layout is the model, one module per part family:

- ``entries``: the zip container; ``ZipWriter.copy_raw`` copies an entry without recompressing it.
- ``content_types``: ``[Content_Types].xml``.
- ``relationships``: ``_rels/*.rels``, target resolution.
- ``workbook``: ``xl/workbook.xml`` — sheets, defined names (print titles), full recalculation.
- ``custom``: ``docProps/custom.xml``; ``marks``: keyproject's marks in it (its sheets, its
  columns per sheet, the period a refresh was made for).
- ``styles``: ``xl/styles.xml`` — formats derived from existing ones, appended, never renumbered.
- ``calc_chain``: ``xl/calcChain.xml`` kept consistent with the formula cells.
- ``cells``: cell references, values, safe text, formulas with cached results.
- ``worksheet``: a whole worksheet part keyproject generates (its own sheets, with print setup).
- ``sheet_edit``: a user's worksheet edited with the smallest change (``SheetEdits`` → ``edit_sheet``);
  ``sheet_plan`` the plan both engines carry out, ``sheet_scan`` the row scanner that keeps every
  untouched byte, ``sheet_tree`` the lxml tree engine for whatever the scanner does not read.
- ``package``: ``Package``, the file opened for editing and saved with untouched entries raw.
- ``xml``: safe parsing (no DTD, no entities, no network) and faithful writing.

Writing into a workbook goes through this API: open a ``Package``, describe each user sheet's
changes as ``SheetEdits`` (keyproject's cells ``put_cell``, the user's cells ``set_value``), render
keyproject's own sheets as ``worksheet.Sheet``, derive formats from ``Package.styles``, record
``Marks``, then ``Package.save`` to a temporary file and move it into place.
"""

from keyproject.package.cells import Cell, column_index, column_letter
from keyproject.package.marks import PERIOD_PROPERTY, Marks, read_marks
from keyproject.package.package import Package
from keyproject.package.sheet_edit import EditResult, ExistingCell, SheetEdits, edit_sheet
from keyproject.package.styles import Alignment, Border, Fill, Font, Style
from keyproject.package.worksheet import PageSetup, Row, Sheet, worksheet_xml

__all__ = ["PERIOD_PROPERTY", "Alignment", "Border", "Cell", "EditResult", "ExistingCell", "Fill", "Font",
           "Marks", "Package", "PageSetup", "Row", "Sheet", "SheetEdits", "Style", "column_index",
           "column_letter", "edit_sheet", "read_marks", "worksheet_xml"]
