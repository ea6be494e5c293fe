"""keyproject: Python for the Excel ledgers of key-project offices (重点项目办).

One library API; the CLI (``kp``), the Excel formulas (``addin/keyproject_udfs.py``) and the
widgets (``keyproject.widgets``) are thin doors over it. Names are imported lazily so that
``import keyproject`` stays cheap (the Excel add-in imports it on every workbook open).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from keyproject.errors import CalendarError, KPError, LedgerFileError, RefreshRefused
from keyproject.ledger import ColumnMap, Issue, Ledger
from keyproject.schema import LEDGER, MILESTONES, PROBLEMS, Field, Schema

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "read_ledger": "keyproject.reader",
    "read_table": "keyproject.reader",
    "Rules": "keyproject.engine.rules",
    "time_progress": "keyproject.engine.progress",
    "build_report": "keyproject.engine.report",
    "Report": "keyproject.engine.report",
    "WorkCalendar": "keyproject.engine.calendar",
    "load_calendar_file": "keyproject.engine.calendar",
    "sprint_status": "keyproject.engine.sprint",
    "backward_plan": "keyproject.engine.backplan",
    "consolidate": "keyproject.submissions",
    "History": "keyproject.engine.history",
    "bulletin_text": "keyproject.bulletin",
    "write_docx": "keyproject.bulletin",
    "refresh_workbook": "keyproject.workbook.refresh",
}

if TYPE_CHECKING:
    from keyproject.bulletin import bulletin_text, write_docx
    from keyproject.engine.backplan import backward_plan
    from keyproject.engine.calendar import WorkCalendar, load_calendar_file
    from keyproject.engine.history import History
    from keyproject.engine.progress import time_progress
    from keyproject.engine.report import Report, build_report
    from keyproject.engine.rules import Rules
    from keyproject.engine.sprint import sprint_status
    from keyproject.reader import read_ledger, read_table
    from keyproject.submissions import consolidate
    from keyproject.workbook.refresh import refresh_workbook


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'keyproject' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "LEDGER",
    "MILESTONES",
    "PROBLEMS",
    "CalendarError",
    "ColumnMap",
    "Field",
    "History",
    "Issue",
    "KPError",
    "Ledger",
    "LedgerFileError",
    "RefreshRefused",
    "Report",
    "Rules",
    "Schema",
    "WorkCalendar",
    "__version__",
    "backward_plan",
    "build_report",
    "bulletin_text",
    "consolidate",
    "load_calendar_file",
    "read_ledger",
    "read_table",
    "refresh_workbook",
    "sprint_status",
    "time_progress",
    "write_docx",
]
