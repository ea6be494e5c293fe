"""The period texts a user typed in a ledger's titles and headers, moved on to a new period.

When a refresh moves a ledger from 1-7月 to 1-8月, the words the office typed must follow, or the
next reader takes August's figures for July's. Rewritten, in the title rows and header cells:

- a month range ending in the old month (and of the old year when one is written):
  ``1-7月`` → ``1-8月`` (also ``1—7月``, ``1～7月``, ``1至7月``,
  ``１－７月``, with spaces); a range ending in another month (``1-3月计划``) is not the period and
  stays;
- a closing date: ``截至2023年7月31日`` / ``截止7月31日`` / ``截至7月底`` → the new date;
- a year and month naming the period: ``2023年7月`` → ``2023年8月`` (titles such as
  "2023年7月重点项目调度表"), when the month is the old one;
- in the cells of the current-month column (``month_cells``, e.g. the header "7月完成投资" of
  当月完成), the lone month ``7月`` → ``8月``. A lone month elsewhere is a monthly column (1月 … 12月)
  and is never touched.

Digits keep their width (full-width stays full-width). Nothing is rewritten across a year: a
ledger moving from December to January is a new year's ledger (``rewrite`` returns the text
unchanged and ``period_edits`` says so by returning no edit). Pure functions: the writer applies
the edits, the summary lists them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

_D = "[0-9０-９]"
_DASH = r"\s*(?:-|－|—|–|~|～|〜|至|到)\s*"
_RANGE = re.compile(rf"(?:(?P<year>{_D}{{4}})(?P<mid>\s*年\s*))?(?P<first>{_D}{{1,2}})(?P<dash>{_DASH})"
                    rf"(?P<month>{_D}{{1,2}})(?P<tail>\s*月)")
_CLOSING = re.compile(rf"(?P<word>截[至止])\s*(?:(?P<year>{_D}{{4}})\s*年\s*)?(?P<month>{_D}{{1,2}})\s*月\s*"
                      rf"(?:(?P<day>{_D}{{1,2}})\s*日|(?P<end>底|末))")
_YEAR_MONTH = re.compile(rf"(?P<year>{_D}{{4}})(?P<mid>\s*年\s*)(?P<month>{_D}{{1,2}})(?P<tail>\s*月)"
                         rf"(?!\s*{_D})")
_LONE_MONTH = re.compile(rf"(?<![0-9０-９\-－—–~～〜至到])(?P<month>{_D}{{1,2}})(?P<tail>\s*月)")

_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_HALF = str.maketrans("０１２３４５６７８９", "0123456789")


def _value(digits: str) -> int:
    return int(digits.translate(_HALF))


def _like(template: str, number: int) -> str:
    """``number`` written with the digit width of ``template``."""
    text = str(number)
    return text.translate(_FULL) if any("０" <= ch <= "９" for ch in template) else text


@dataclass(frozen=True)
class PeriodEdit:
    """One cell whose period text changes."""

    sheet: str
    cell: str  # A1 reference
    old: str
    new: str

    def __str__(self) -> str:
        return f"工作表“{self.sheet}”{self.cell}：“{self.old}”→“{self.new}”"


def rewrite(text: str, old: tuple[int, int], new: dt.date, *, month_cell: bool = False) -> str:
    """``text`` with its period words moved from ``old`` (year, month) to the period ending ``new``
    (see the module docstring); unchanged when nothing in it names the old period."""
    old_year, old_month = old
    if new.year != old_year:
        return text
    last_day = (new + dt.timedelta(days=1)).day == 1

    def closing(m: re.Match[str]) -> str:
        if _value(m["month"]) != old_month:
            return m[0]
        year = m["year"]
        if year is not None and _value(year) != old_year:
            return m[0]
        head = f"{m['word']}{year + '年' if year else ''}{_like(m['month'], new.month)}月"
        if m["end"] and last_day:
            return head + m["end"]
        return head + f"{_like(m['day'] or m['month'], new.day)}日"

    def month_range(m: re.Match[str]) -> str:
        year = m["year"]
        if _value(m["month"]) != old_month or (year is not None and _value(year) != old_year):
            return m[0]
        head = f"{year}{m['mid']}" if year is not None else ""
        return f"{head}{m['first']}{m['dash']}{_like(m['month'], new.month)}{m['tail']}"

    def year_month(m: re.Match[str]) -> str:
        if _value(m["year"]) != old_year or _value(m["month"]) != old_month:
            return m[0]
        return f"{m['year']}{m['mid']}{_like(m['month'], new.month)}{m['tail']}"

    out = _CLOSING.sub(closing, text)
    out = _RANGE.sub(month_range, out)
    out = _YEAR_MONTH.sub(year_month, out)
    def lone_month(m: re.Match[str]) -> str:
        if _value(m["month"]) != old_month:
            return m[0]
        return f"{_like(m['month'], new.month)}{m['tail']}"

    if month_cell:
        out = _LONE_MONTH.sub(lone_month, out)
    return out


def period_edits(sheet: str, cells: Mapping[str, str], old: tuple[int, int], new: dt.date,
                 month_cells: Collection[str] = ()) -> list[PeriodEdit]:
    """The edits that move the period texts of ``cells`` (A1 reference → text: the title rows and
    header cells of a sheet) from ``old`` to ``new``; ``month_cells`` are the header cells of the
    current-month column. Cells whose text does not change are left out."""
    edits = []
    for ref, text in cells.items():
        if not isinstance(text, str) or not text.strip():
            continue
        new_text = rewrite(text, old, new, month_cell=ref in month_cells)
        if new_text != text:
            edits.append(PeriodEdit(sheet, ref, text, new_text))
    return edits
