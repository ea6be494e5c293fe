"""Writing back into the user's workbook: in place, safely, losing nothing.

``refresh_workbook`` is the main job; the modules below it hold the pieces: ``guard`` (lock files,
what openpyxl would lose), ``backup`` (backups, atomic replace), ``cells`` (safe text, styles),
``columns`` (keyproject's columns in the ledger sheet), ``sheets`` (keyproject's sheets).
"""

from keyproject.workbook.guard import Loss, find_losses, lock_files
from keyproject.workbook.refresh import RefreshResult, refresh_workbook

__all__ = ["Loss", "RefreshResult", "find_losses", "lock_files", "refresh_workbook"]
