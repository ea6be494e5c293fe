"""How keyproject writes numbers for people: one rule for the 通报, the sheets and the CLI text.

- 亿元 to 2 decimals, rates (as percent) and percentage points to 1 decimal, 万元 as whole numbers
  unless the ledger's own amounts carry decimals; each can be changed in the 设置 sheet
  (``Rules.yi_decimals``, ``rate_decimals``, ``points_decimals``, ``amount_decimals``).
- Rounding is half up (四舍五入), the way Excel and WPS show a number, never banker's rounding;
  a value that rounds to zero has no minus sign.
- A gap is the engine's ``gap_points`` (rate minus time progress, in points, to 2 decimals) shown
  with the points' decimals, the same number in the text, the tables, the reasons and the sheets.

Renderers call ``text(value, kind, decimals)`` for a cell of a view (``keyproject.views`` kinds)
and ``excel_format(kind, decimals)`` for the number format of the same cell in a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from keyproject.engine.rules import Rules

MISSING = "—"  # what a missing number reads as
MOST_AMOUNT_DECIMALS = 2  # 万元 with more decimals than this are shown to 2


@dataclass(frozen=True)
class Decimals:
    """How many decimals each kind of figure shows."""

    amount: int = 0  # 万元
    yi: int = 2  # 亿元
    rate: int = 1  # a rate shown as percent: 0.5833 → 58.3%
    points: int = 1  # percentage points
    ratio: int = 2  # a plain ratio (SPI)

    def of_kind(self, kind: str) -> int | None:
        """The decimals of a view cell kind (None for kinds that are not numbers with decimals)."""
        return {"amount": self.amount, "rate": self.rate, "points": self.points, "ratio": self.ratio,
                "count": 0}.get(kind)


def decimals(rules: Rules | None = None, amounts: Iterable[float | None] = ()) -> Decimals:
    """The decimals the rules ask for; 万元 from the ledger's ``amounts`` unless the rules fix them."""
    if rules is None:
        return Decimals(amount=amount_decimals(amounts))
    fixed_amount = rules.amount_decimals
    return Decimals(
        amount=amount_decimals(amounts) if fixed_amount is None else fixed_amount,
        yi=rules.yi_decimals, rate=rules.rate_decimals, points=rules.points_decimals,
    )


def amount_decimals(values: Iterable[float | None], most: int = MOST_AMOUNT_DECIMALS) -> int:
    """The fewest decimals (0 to ``most``) that show every amount as the ledger holds it: 0 when all
    are whole 万元, 1 for 1530.5, 2 for 1530.25 or anything finer."""
    arr = np.fromiter((v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)),
                      dtype="float64")
    arr = arr[np.isfinite(arr)]
    for need in range(most):  # whole arrays: a 30,000-project ledger's amounts in a few passes
        if not (np.abs(arr - np.round(arr, need)) > 1e-6).any():
            return need
    return most


def _number(value: object) -> float | None:
    """A finite float, or None (None, NaN, text, bools); numpy scalars count as numbers."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (from its shortest repr, as Excel shows it)."""
    q = Decimal(1).scaleb(-places)
    d = Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)
    return d if d != 0 else abs(d)  # no "-0.0"


def fixed(value: float | None, places: int, *, grouping: bool = False) -> str:
    """``value`` with exactly ``places`` decimals, half up; "—" when missing."""
    v = _number(value)
    if v is None:
        return MISSING
    d = rounded(v, places)
    return f"{d:,.{places}f}" if grouping else f"{d:.{places}f}"


def yi(wan: float | None, places: int = 2) -> str:
    """万元 as 亿元 text: 428000 → "42.80"."""
    v = _number(wan)
    return MISSING if v is None else fixed(v / 10000, places)


def wan(amount: float | None, places: int = 0, *, grouping: bool = True) -> str:
    """万元 text: 163600 → "163,600" (no separators with ``grouping=False``)."""
    return fixed(amount, places, grouping=grouping)


def percent(rate: float | None, places: int = 1) -> str:
    """A fraction as percent, without the sign: 0.58333 → "58.3"."""
    v = _number(rate)
    return MISSING if v is None else fixed(v * 100, places)


def points(value: float | None, places: int = 1) -> str:
    """Percentage points, signed when negative: −3.667 → "-3.7"."""
    return fixed(value, places)


def gap_phrase(gap: float | None, places: int = 1, subject: str = "序时进度") -> str:
    """"超序时进度1.1个百分点" / "低于序时进度3.6个百分点" / "与序时进度持平"; "" when missing."""
    v = _number(gap)
    if v is None:
        return ""
    shown = rounded(v, places)
    if shown == 0:
        return f"与{subject}持平"
    word = "超" if shown > 0 else "低于"
    return f"{word}{subject}{abs(shown):.{places}f}个百分点"


def growth_phrase(growth: float | None, places: int = 1) -> str:
    """A growth as a fraction in words: 0.231 → "增长23.1%", −0.04 → "下降4.0%", 0 → "持平"; "" when
    missing."""
    v = _number(growth)
    if v is None:
        return ""
    shown = rounded(v * 100, places)
    if shown == 0:
        return "持平"
    return f"{'增长' if shown > 0 else '下降'}{abs(shown):.{places}f}%"


def cn_date(d: dt.date) -> str:
    """2023年8月2日 (公文 dates: Arabic numerals, no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def text(value: object, kind: str, places: int | None = None, dec: Decimals | None = None) -> str:
    """A view cell as text (the docx tables, the CLI): numbers by kind with the house decimals."""
    dec = dec or Decimals()
    if places is None:
        places = dec.of_kind(kind)
    if value is None:
        return MISSING if kind in ("count", "amount", "rate", "points", "ratio") else ""
    if kind == "flag":
        return "是" if value else "否"
    if kind == "date" and isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if kind == "count":
        v = _number(value)
        return MISSING if v is None else str(int(v))
    if kind == "amount":
        return wan(_number(value), places or 0)
    if kind == "rate":
        shown = percent(_number(value), places or 0)
        return shown if shown == MISSING else shown + "%"
    if kind in ("points", "ratio"):
        return fixed(_number(value), places or 0)
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def excel_format(kind: str, places: int | None = None, dec: Decimals | None = None) -> str | None:
    """The Excel/WPS number format of a view cell kind (None: leave the cell's format alone)."""
    dec = dec or Decimals()
    if places is None:
        places = dec.of_kind(kind)
    tail = "." + "0" * places if places else ""
    if kind == "amount":
        return "#,##0" + tail
    if kind == "rate":
        return "0" + tail + "%"
    if kind in ("points", "ratio"):
        return "0" + tail
    if kind == "count":
        return "0"
    if kind == "date":
        return "yyyy-mm-dd"
    return None


__all__ = ["MISSING", "Decimals", "amount_decimals", "cn_date", "decimals", "excel_format",
           "fixed", "gap_phrase", "growth_phrase", "percent", "points", "rounded", "text", "wan", "yi"]
