"""Which column becomes which field, and why the others were left.

Several columns may claim one field (2024年计划投资 and 2025年计划投资; 完成投资 and 1-7月完成投资).
The column that keeps the field is, in this order of preference:

1. the one a 设置 key names (``年度计划投资列 = H``, a letter or the header text);
2. the one of the report year (a header with no year counts as the report year's, one of another
   year comes last), so with 2024年 and 2025年 plan columns the report year's wins;
3. a visible one over a hidden one (a hidden column is never preferred over a visible column of the
   report year);
4. one with values over an empty one;
5. the more specific header: a "1-N月" pattern over the label over an alias.

Columns still tied after that are the reader's to refuse, not to guess: for an amount field (it
goes into totals) the tie is an ``Ambiguity`` the caller raises as ``AmbiguousLedgerError`` (with the
candidates and the 设置 key that decides); for text, date and rate fields the first column keeps the
field, with a warning. Plan columns of several years with no report year known are refused the same
way. Every column gets a ``ColumnDecision``; the losers stay user columns (``extras``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from keyproject.ledger import ColumnDecision, ColumnMap, Issue, Severity
from keyproject.reader.headers import (
    AS_OF_PREFIX,
    SPEC_ALIAS,
    SPEC_LABEL,
    SPEC_PATTERN,
    Header,
    header_text,
    norm,
)
from keyproject.schema import OWNED_COLUMNS, Schema

SPEC_SETTING = 9
_REASON = {SPEC_SETTING: "setting", SPEC_PATTERN: "pattern", SPEC_LABEL: "label", SPEC_ALIAS: "alias"}
_OWNED = {norm(o) for o in OWNED_COLUMNS}


@dataclass(frozen=True)
class Ambiguity:
    """Columns of equal standing for one field (``what``: "column" or "year")."""

    what: str
    field: str
    columns: tuple[tuple[str, str], ...]  # (letter, header)


@dataclass
class Columns:
    columns: list[ColumnMap]  # the table's columns: fields and user columns, in sheet order
    owned: list[ColumnMap]
    decisions: list[ColumnDecision]
    issues: list[Issue]
    ambiguities: list[Ambiguity]


def _override_column(spec: str, header: Header, last_col: int) -> int | None:
    """The column a 设置 value names: a letter ("H") or a header text ("2025年计划投资")."""
    text = norm(str(spec)).upper()
    if text.isascii() and text.isalpha() and len(text) <= 3:
        c = column_index_from_string(text) - 1
        return c if c < last_col else None
    want = norm(str(spec))
    for c in range(last_col):
        raw = header.raw[c]
        if raw and (norm(raw) == want or norm(raw.split("/")[-1]) == want):
            return c
    return None


def assign(header: Header, last_col: int, schema: Schema, *, year: int | None, month: int | None,
           hidden: frozenset[int],
           has_data: np.ndarray, overrides: Mapping[str, str], note_factor: float | None, sheet: str,
           file: str | None) -> Columns:
    fields = schema.by_key
    keys = list(header.keys[:last_col])
    specs = list(header.specs[:last_col])
    issues: list[Issue] = []
    overridden: set[int] = set()
    for wanted, spec in overrides.items():
        if wanted not in fields:
            continue
        c = _override_column(spec, header, last_col)
        if c is None:
            issues.append(Issue("warning", f"设置项“{fields[wanted].label}列”的值“{spec}”在本表中找不到"
                                "对应的列，未使用", sheet, None, None, file))
            continue
        for other in range(last_col):
            if keys[other] == wanted and other != c:
                overridden.add(other)
        keys[c], specs[c] = wanted, SPEC_SETTING

    owned_idx = {c for c in range(last_col) if header.raw[c] and norm(header.raw[c].split("/")[-1]) in _OWNED}

    def rank(c: int) -> tuple[int, int, int, int, int]:
        y = header.years[c]
        year_rank = 1 if (year is None or y is None) else (2 if y == year else 0)
        # year-to-date columns of several months ("1-6月完成" | "1-7月完成"): the report month's, else
        # the latest
        m = _months(header.raw[c]) if keys[c] in _TO_DATE else 0
        month_rank = (13 if m == month else m) if month else m
        return (year_rank, int(c not in hidden), int(bool(has_data[c])), specs[c], month_rank)

    groups: dict[str, list[int]] = {}
    for c in range(last_col):
        k = keys[c]
        if k is not None and c not in owned_idx and c not in overridden:
            groups.setdefault(k, []).append(c)
    winner: dict[str, int] = {}
    losers: dict[int, tuple[str, str]] = {}  # column → (reason, message)
    ambiguities: list[Ambiguity] = []
    for k, cols in groups.items():
        label = fields[k].label
        if len(cols) == 1:
            c = cols[0]
            winner[k] = c
            y = header.years[c]
            if year is not None and y is not None and y != year and k in _YEARLY:
                issues.append(Issue("warning", f"“{header.raw[c]}”是{y}年的，与报告年份{year}年不一致，"
                                    f"仍按“{label}”读取；如不对，请在“设置”表中用“{label}列”指定", sheet,
                                    header.start + 1, get_column_letter(c + 1), file))
            continue
        best = max(rank(c) for c in cols)
        top = [c for c in cols if rank(c) == best]
        years = {header.years[c] for c in top}
        tied = tuple((get_column_letter(c + 1), header.raw[c]) for c in top)
        if len(top) > 1 and year is None and len(years) > 1 and None not in years:
            ambiguities.append(Ambiguity("year", k, tied))
        elif len(top) > 1 and fields[k].kind == "amount" and best[3] != SPEC_SETTING:
            ambiguities.append(Ambiguity("column", k, tied))
        keep = top[0]
        winner[k] = keep
        kept = get_column_letter(keep + 1)
        for c in cols:
            if c == keep:
                continue
            r = rank(c)
            if r[0] < best[0]:
                why = ("other_year", f"“{label}”取{kept}列“{header.raw[keep]}”（报告年份{year}年），"
                                     f"本列是{header.years[c]}年的，按其他列保留")
            elif r[1] < best[1]:
                why = ("hidden_duplicate", f"本列是隐藏列，“{label}”取可见的{kept}列，本列按其他列保留")
            elif r[3] < best[3]:
                why = ("less_specific", f"“{header.raw[c]}”与{kept}列都对应“{label}”，"
                                        f"只读取表头更具体的{kept}列，本列按其他列保留")
            elif r[4] < best[4]:
                why = ("other_month", f"“{label}”取{kept}列“{header.raw[keep]}”（报告月份），"
                                      "本列是其他月份的，按其他列保留")
            else:
                why = ("duplicate", f"“{header.raw[c]}”与{kept}列都对应“{label}”，只读取{kept}列，"
                                    "本列按其他列保留")
            losers[c] = why
            noted = why[0] in ("other_year", "other_month", "hidden_duplicate")
            severity: Severity = "info" if noted else "warning"
            issues.append(Issue(severity, why[1], sheet, header.start + 1, get_column_letter(c + 1), file))

    columns: list[ColumnMap] = []
    owned: list[ColumnMap] = []
    decisions: list[ColumnDecision] = []
    for c in range(last_col):
        letter = get_column_letter(c + 1)
        raw = header.raw[c]
        y = header.years[c]
        if c in owned_idx:
            owned.append(ColumnMap(letter, c, raw, None))
            decisions.append(ColumnDecision(sheet, letter, raw, None, "owned", "owned", "keyproject 生成的列",
                                            y, c in hidden))
            continue
        key = keys[c] if winner.get(keys[c] or "") == c else None
        factor = 1.0
        if key is not None and fields[key].kind == "amount":
            own = next((f for p in reversed(raw.split("/")) if (f := header_text(p)[1])), None)
            factor = own if own is not None else (note_factor or 1.0)
        cm = ColumnMap(letter, c, raw, key, factor)
        if key is not None or raw or has_data[c]:
            columns.append(cm)
        if key is not None:
            won_year = any(losers.get(o, ("",))[0] == "other_year" for o in groups.get(key, []))
            reason = ("report_year" if won_year and specs[c] != SPEC_SETTING
                      else _REASON.get(specs[c], "alias"))
            decisions.append(ColumnDecision(sheet, letter, raw, key, "field", reason, "", y, c in hidden,
                                            factor))
        elif c in overridden:
            decisions.append(ColumnDecision(sheet, letter, raw, header.keys[c], "extra", "overridden",
                                            "“设置”表指定了另一列，本列按其他列保留", y, c in hidden))
        elif c in losers:
            decisions.append(ColumnDecision(sheet, letter, raw, keys[c], "extra", losers[c][0], losers[c][1],
                                            y, c in hidden))
        elif raw:
            decisions.append(ColumnDecision(sheet, letter, raw, None, "extra", "unknown",
                                            "表头不对应任何已知字段，原样保留在其他列", y, c in hidden))
        elif has_data[c]:
            decisions.append(ColumnDecision(sheet, letter, raw, None, "extra", "no_header",
                                            "本列有数据但没有表头，原样保留在其他列", y, c in hidden))
    return Columns(columns, owned, decisions, issues, ambiguities)


# fields whose header usually states the year they belong to
_YEARLY = frozenset(("annual_plan", "annual_stretch", "ytd_completed", "ytd_plan"))
_TO_DATE = frozenset(("ytd_completed", "ytd_plan"))


def _months(raw: str) -> int:
    """The N of a "1-N月" header (0 when it states none)."""
    for part in reversed(raw.split("/")):
        m = header_text(part)[3]
        if m:
            return m
    as_of = AS_OF_PREFIX.match(norm(raw.split("/")[-1]))
    return int(as_of[1]) if as_of and 1 <= int(as_of[1]) <= 12 else 0
