"""Parsers for what office staff type into ledger cells: amounts, dates and rates.

Pure functions of one value. Each returns the parsed value plus a Chinese warning (the value was
read but the reader should say how) or a Chinese error (the value cannot be read). Missing markers
("", "—", "-", "/", "无", None) are missing: no value, no warning, no error.

Decisions, documented here once:
- Amounts are returned in 万元. ``factor`` is the column's unit (亿元 column → 10000); a unit typed
  in the cell ("0.8亿", "500万", "12000元") overrides the column's unit. Negative amounts are
  returned as parsed; the reader reports them as errors.
- Dates: a state typed instead of a date ("已开工", "续建", "已竣工"; ``DONE_WORDS``) is no date and
  no error: ``ParsedDate.done`` names the milestone it states. Excel dates and datetimes are taken as
  they are; bare numbers in a plausible serial range
  (1990-01-01 … 2099-12-31) are Excel serials (with a warning: the cell is not formatted as a date);
  a number like 2023.4 is "year.month" (a typed "2023.4" becomes that number in Excel). Month-only
  text ("2023年4月", "2023.4", "2023-08") gives the 1st of the month with a warning; "月底/月末/
  下旬" gives the last day, "中旬" the 15th, "上旬/月初" the 1st. Text without a year ("8月底") uses
  ``report_year`` with a warning, or is an error when no year is known.
- Rates are fractions (58.3% → 0.583). A number is taken as a fraction, as Excel stores a
  percent-formatted cell, unless it is 5 or more: then it was typed as percent points (58.3) and is
  divided by 100 with a warning. Text with "%" is divided by 100.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from typing import Any, NamedTuple

# typed for "nothing here"; read as missing without complaint
MISSING_TEXT = frozenset({"", "-", "--", "---", "—", "——", "–", "/", "\\", "无", "暂无", "空", "/ ", "－",
                          "nan", "NaN", "None", "null", "N/A", "n/a", "NA", "#N/A", "…", "...", "0.0.0"})
# date cells that say "not yet": missing, not an error
NOT_YET_TEXT = frozenset({"未开工", "未竣工", "未投产", "未签约", "未供地", "未完成", "尚未开工", "尚未竣工",
                          "未", "否", "暂未"})

# date cells that say a milestone is done without giving the date: the milestone each word states
# (None: the column's own milestone). Offices type these into date columns: "已开工" in 开工时间,
# "续建" (started in an earlier year), "已竣工" even in the start column (then it has started too).
DONE_WORDS: dict[str, str | None] = {
    **dict.fromkeys(("已开工", "已动工", "开工", "续建", "在建", "已开建", "施工中", "正在施工", "已进场"),
                    "started"),
    **dict.fromkeys(("已竣工", "已完工", "竣工", "完工", "已建成", "建成", "已竣工验收"), "completed"),
    **dict.fromkeys(("已投产", "投产", "已投用", "已运营", "已投入使用"), "producing"),
    **dict.fromkeys(("已签约", "签约"), "signed"),
    **dict.fromkeys(("已供地", "已摘牌", "已拿地"), "land"),
    **dict.fromkeys(("已完成", "已办结", "是", "完成"), None),
}
DONE_TEXT = frozenset(DONE_WORDS)

_APPROX = re.compile(r"^(约|大约|约合|近|超|逾|预计|估算|估计|预估)")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_AMOUNT = re.compile(rf"^(?P<num>{_NUM})(?P<unit>亿元|亿|万元|万|元)?(?P<tail>左右|以上|余|多)?$")
_GROUPED = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])")
_NOTE_AFTER = re.compile(r"[(\[][^)\]]*[)\]]$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_MIN = (dt.datetime(1990, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (dt.datetime(2099, 12, 31) - _EXCEL_EPOCH).days


class ParsedAmount(NamedTuple):
    value: float | None  # 万元
    warning: str | None = None
    error: str | None = None


class ParsedDate(NamedTuple):
    value: dt.date | None
    warning: str | None = None
    error: str | None = None
    # the cell states a milestone without a date ("已开工"): "started", "completed", "producing",
    # "signed", "land", or "" for a word that means the column's own milestone ("已完成")
    done: str | None = None


class ParsedRate(NamedTuple):
    value: float | None  # fraction: 0.583 is 58.3%
    warning: str | None = None
    error: str | None = None


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and no whitespace at all."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        t = normalize_text(value)
        return t in MISSING_TEXT or not t.strip("-—–/")
    return False


_UNIT_FACTOR = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}


def finite_number(value: object) -> float | None:
    """A computed figure as a float, or None for blanks, NaN, booleans and non-numbers (for totals
    and comparisons, not for parsing what a user typed: that is ``parse_amount``)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def parse_amount(value: Any, factor: float = 1.0) -> ParsedAmount:
    """An amount in 万元 from a cell value; ``factor`` converts the column's unit to 万元."""
    if is_missing(value):
        return ParsedAmount(None)
    if isinstance(value, bool):
        return ParsedAmount(None, error=f"“{value}”不是金额")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isinf(value):
            return ParsedAmount(None, error="金额不是有限的数字")
        return ParsedAmount(float(value) * factor)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return ParsedAmount(None, error=f"“{value}”是日期或时间，不是金额")
    text = str(value).strip()
    t = normalize_text(text)
    if "," in t:
        if not _GROUPED.search(t):
            return ParsedAmount(None, error=f"“{text}”的千分位逗号位置不对，无法确定金额")
        t = t.replace(",", "")
    approx = _APPROX.match(t)
    if approx:
        t = t[approx.end():]
    note = _NOTE_AFTER.search(t)  # "3000(含征地)": the number, and say the note was not read
    if note and note.start() > 0:
        t = t[: note.start()]
    m = _AMOUNT.match(t)
    if not m:
        return ParsedAmount(None, error=f"“{text}”不是数字金额")
    unit = m["unit"]
    number = float(m["num"]) * (_UNIT_FACTOR[unit] if unit else factor)
    warning = None
    if approx or m["tail"]:
        warning = f"金额“{text}”不是确数，按{_fmt(number)}万元读取"
    elif note and note.start() > 0:
        warning = f"金额“{text}”带有说明，按{_fmt(number)}万元读取"
    return ParsedAmount(number, warning=warning)


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


_DAY_WORDS = (
    (re.compile(r"(底|末|下旬|前)$"), "end"),
    (re.compile(r"(中旬|中)$"), "mid"),
    (re.compile(r"(初|上旬)$"), "start"),
)
_YMD = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM = re.compile(r"^(\d{4})[-./年](\d{1,2})(?:月份?)?$")
_MD = re.compile(r"^(\d{1,2})月(\d{1,2})日$")
_M = re.compile(r"^(\d{1,2})月份?$")
_Y = re.compile(r"^(\d{4})年?$")


def _month_day(year: int, month: int, where: str) -> dt.date:
    if where == "end":
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if where == "mid":
        return dt.date(year, month, 15)
    return dt.date(year, month, 1)


def _day_text(where: str) -> str:
    return {"end": "当月最后一天", "mid": "当月15日", "start": "当月1日"}[where]


def parse_date(value: Any, report_year: int | None = None) -> ParsedDate:
    """A date from a cell value (Excel date, serial number or the many typed forms)."""
    if is_missing(value):
        return ParsedDate(None)
    if isinstance(value, bool):
        return ParsedDate(None, error=f"“{value}”不是日期")
    if isinstance(value, dt.datetime):
        return ParsedDate(value.date())
    if isinstance(value, dt.date):
        return ParsedDate(value)
    if isinstance(value, (int, float)):
        return _parse_date_number(float(value))
    text = str(value).strip()
    t = normalize_text(text)
    if t in NOT_YET_TEXT:
        return ParsedDate(None)
    if t in DONE_TEXT:
        return ParsedDate(None, done=DONE_WORDS[t] or "")
    try:
        m = _YMD.match(t) or _YMD_COMPACT.match(t)
        if m:
            return ParsedDate(dt.date(int(m[1]), int(m[2]), int(m[3])))
        where = None
        core = t
        for rx, w in _DAY_WORDS:
            mm = rx.search(core)
            if mm and mm.start() > 0:
                where, core = w, core[: mm.start()]
                break
        m = _YM.match(core)
        if m:
            d = _month_day(int(m[1]), int(m[2]), where or "start")
            return ParsedDate(d, warning=f"日期“{text}”只有年月，按{d.isoformat()}读取")
        m = _MD.match(core)
        if m or _M.match(core):
            if report_year is None:
                return ParsedDate(None, error=f"日期“{text}”没有年份，无法确定是哪一年")
            month_only = _M.match(core)
            if m:
                d = dt.date(report_year, int(m[1]), int(m[2]))
            elif month_only is not None:
                d = _month_day(report_year, int(month_only[1]), where or "start")
            return ParsedDate(d, warning=f"日期“{text}”没有年份，按报表年份读作{d.isoformat()}")
        m = _Y.match(core)
        if m and where == "end" and "年" in t:
            d = dt.date(int(m[1]), 12, 31)
            return ParsedDate(d, warning=f"日期“{text}”只有年份，按{d.isoformat()}读取")
    except ValueError:
        return ParsedDate(None, error=f"日期“{text}”不存在")
    return ParsedDate(None, error=f"“{text}”不是可识别的日期")


def _parse_date_number(x: float) -> ParsedDate:
    if math.isnan(x) or math.isinf(x):
        return ParsedDate(None)
    if 1900 <= x < 2100 and not x.is_integer():
        # "2023.4" typed into a cell is the number 2023.4: year.month
        year_text, _, month_text = repr(x).partition(".")
        month = int(month_text)
        if 1 <= month <= 12:
            d = dt.date(int(year_text), month, 1)
            hint = "（也可能是10月）" if month_text == "1" else ""
            return ParsedDate(d, warning=f"日期“{x}”只有年月，按{d.isoformat()}读取{hint}")
    if x.is_integer() and 19000101 <= x <= 20991231:
        s = str(int(x))
        try:
            return ParsedDate(dt.date(int(s[:4]), int(s[4:6]), int(s[6:])))
        except ValueError:
            pass
    if _SERIAL_MIN <= x <= _SERIAL_MAX:
        d = (_EXCEL_EPOCH + dt.timedelta(days=math.floor(x))).date()
        warning = f"单元格是数字{_fmt(x)}而不是日期格式，按Excel日期序号读作{d.isoformat()}"
        return ParsedDate(d, warning=warning)
    return ParsedDate(None, error=f"数字{_fmt(x)}不是日期")


def parse_rate(value: Any) -> ParsedRate:
    """A rate as a fraction: "58.3%" and 0.583 give 0.583; 58.3 (≥ 5) is read as percent points."""
    if is_missing(value):
        return ParsedRate(None)
    if isinstance(value, (bool, dt.date, dt.time)):
        return ParsedRate(None, error=f"“{value}”不是比率")
    if isinstance(value, (int, float)):
        x = float(value)
        if math.isinf(x):
            return ParsedRate(None, error="比率不是有限的数字")
        if abs(x) >= 5:
            return ParsedRate(x / 100, warning=f"比率{_fmt(x)}按百分数读作{_fmt(x)}%")
        return ParsedRate(x)
    text = str(value).strip()
    t = normalize_text(text)
    m = re.match(rf"^({_NUM})%$", t)
    if m:
        return ParsedRate(float(m[1]) / 100)
    m = re.match(rf"^({_NUM})$", t)
    if m:
        return parse_rate(float(m[1]))
    return ParsedRate(None, error=f"“{text}”不是比率")
