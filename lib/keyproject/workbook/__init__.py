"""Writing back into the user's workbook: in place, safely, losing nothing.

``refresh_workbook`` is the main job; the modules below it hold the pieces: ``guard`` (lock files,
what an edit cannot keep), ``backup`` (backups, atomic replace), ``cells`` (safe values, keyproject's
formats), ``columns`` (keyproject's columns in the project sheets), ``updates`` (new values for the
user's cells), ``sheets`` (keyproject's sheets rendered from the views). The package itself is edited
through ``keyproject.package``.
"""

from keyproject.workbook.guard import Loss, find_losses, lock_files
from keyproject.workbook.refresh import RefreshResult, refresh_workbook

__all__ = ["Loss", "RefreshResult", "find_losses", "lock_files", "refresh_workbook"]
