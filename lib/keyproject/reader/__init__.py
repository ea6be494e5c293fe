"""Workbook → ``Ledger``: which sheets hold the ledger, where each header is, what each column
means, which rows are projects, what each cell says, and which period the ledger reports — or,
when the reader cannot decide, exactly what it could not decide and how the user tells it.

Modules, in the order a read goes through them:

- ``sheets``: which sheets hold the ledger (one, one per 指挥部/category/town, the latest of the
  month copies; 汇总 sheets, hidden copies and other tables skipped, each with its reason);
- ``headers``: header text → field, and where the header is;
- ``columns``: which column keeps a field when several claim it (the report year's, a visible one,
  the more specific header), and why the others were left;
- ``rows``: which rows are records (totals, sections, notes, 打包项目 and their 其中 rows);
- ``cells``: cell values → typed columns (``keyproject.values`` parses what people type);
- ``period``: the report year and month, and the source that gave them;
- ``table``: one sheet read completely; ``read``: the public functions; ``settings``: the 设置 sheet.

The decisions are data on the ``Ledger`` (``sheet_decisions``, ``column_decisions``, ``period``);
``kp inspect`` shows them.
"""

from __future__ import annotations

from keyproject.errors import AmbiguousLedgerError
from keyproject.reader.read import read_grid, read_ledger, read_table
from keyproject.reader.settings import SETTINGS_SHEETS, read_settings

__all__ = ["SETTINGS_SHEETS", "AmbiguousLedgerError", "read_grid", "read_ledger", "read_settings",
           "read_table"]
