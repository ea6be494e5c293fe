"""Errors users see: a Chinese message that names the file, sheet, row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Literal


def where(file: str | Path | None = None, sheet: str | None = None, row: int | None = None,
          column: str | None = None) -> str:
    """Chinese location text: 文件“a.xlsx”工作表“台账”第7行 F列."""
    parts = []
    if file is not None:
        parts.append(f"文件“{Path(file).name}”")
    if sheet:
        parts.append(f"工作表“{sheet}”")
    if row is not None:
        parts.append(f"第{row}行")
    if column:
        parts.append(f"{column}列")
    return "".join(parts)


class KPError(Exception):
    """A problem with the user's input, reported in Chinese; the CLI exits 2 on it."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | Path | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = where(self.file, self.sheet, self.row, self.column)
        return f"{loc}：{self.message}" if loc else self.message


# why a file cannot be read as a ledger, as data (``LedgerFileError.reason``)
FileReason = Literal["format", "password", "not_ledger", "empty", "damaged", "unsafe", "missing"]


class LedgerFileError(KPError):
    """The file cannot be read as a ledger at all (not xlsx, too large, encrypted, no name column).

    ``reason`` classifies it (``FileReason``: an unreadable format, a password, not a ledger, empty,
    damaged, unsafe or over the limits, missing), None where no class fits."""

    def __init__(self, message: str, *, reason: FileReason | None = None, file: str | Path | None = None,
                 sheet: str | None = None, row: int | None = None, column: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, file=file, sheet=sheet, row=row, column=column)


class CalendarError(KPError):
    """A date falls in a year the working-day calendar does not cover and no override was given.

    ``year`` is that year, as data: a door that has its own short wording (a formula cell) reads it
    instead of parsing the message."""

    def __init__(self, message: str, *, year: int | None = None, file: str | Path | None = None,
                 sheet: str | None = None, row: int | None = None, column: str | None = None) -> None:
        self.year = year
        super().__init__(message, file=file, sheet=sheet, row=row, column=column)


class RefreshRefused(KPError):
    """A refresh would lose data or the workbook is open elsewhere."""


class DateError(KPError):
    """A date typed by a user (an option, a formula argument, a settings cell) that is not one exact
    day. ``value`` is what was given, ``what`` names it (e.g. ``--as-of``)."""

    def __init__(self, message: str, *, value: object = None, what: str | None = None,
                 file: str | Path | None = None, sheet: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        self.value = value
        self.what = what
        super().__init__(message, file=file, sheet=sheet, row=row, column=column)


class PeriodError(KPError):
    """A report date that does not fit the ledger's period or its history: another year, before the
    report month, more than a month after it, or earlier than the newest snapshot. ``as_of`` is the
    refused date, ``period`` the ledger's (year, month), ``latest`` the newest snapshot's date."""

    def __init__(self, message: str, *, as_of: object = None, period: tuple[int, int] | None = None,
                 latest: object = None, file: str | Path | None = None, sheet: str | None = None) -> None:
        self.as_of = as_of
        self.period = period
        self.latest = latest
        super().__init__(message, file=file, sheet=sheet)


class HistoryError(KPError):
    """The history database cannot be used: a bad URL, a missing driver, an unreachable server or a
    file that is not keyproject's history. ``url`` is the URL with any password hidden."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(message)


class AmbiguousLedgerError(LedgerFileError):
    """The reader cannot decide between candidates of equal standing and will not guess.

    ``what``: ``"sheet"`` (two sheets that hold the same projects, two copies of one month),
    ``"column"`` (two columns for one field, e.g. two 2024年计划投资) or ``"year"`` (plan columns of
    several years and no report year). ``candidates``: what the user can name (sheet names or column
    letters), ``labels``: the same in Chinese with what each is; ``option``: the command-line option
    that decides (``--sheet``), ``setting``: the 设置 sheet key that decides (``年度计划投资列``).
    """

    def __init__(self, message: str, *, what: str, candidates: tuple[str, ...], labels: tuple[str, ...],
                 option: str | None = None, setting: str | None = None, file: str | Path | None = None,
                 sheet: str | None = None) -> None:
        self.what = what
        self.candidates = candidates
        self.labels = labels
        self.option = option
        self.setting = setting
        self.problem = message  # what could not be decided, without the how-to (reason stays the FileReason)
        how = []
        if option:
            how.append(f"用 {option} 指定（如 {option} {candidates[0]}）")
        if setting:
            how.append(f"在“设置”表中填写“{setting}”（如 {setting} = {candidates[0]}）")
        text = f"{message}：候选有{'、'.join(labels)}；无法自动确定，请{'，或'.join(how)}"
        super().__init__(text, file=file, sheet=sheet)
