"""keyproject: Python for the Excel ledgers of key-project offices (重点项目办)."""

from __future__ import annotations

from keyproject.errors import KPError, LedgerFileError
from keyproject.ledger import ColumnMap, Issue, Ledger
from keyproject.schema import LEDGER, MILESTONES, PROBLEMS, Field, Schema

__version__ = "0.1.0"

__all__ = [
    "LEDGER",
    "MILESTONES",
    "PROBLEMS",
    "ColumnMap",
    "Field",
    "Issue",
    "KPError",
    "Ledger",
    "LedgerFileError",
    "Schema",
    "__version__",
]
