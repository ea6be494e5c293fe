"""Cell values → typed columns, one column at a time.

Numbers are converted in one vectorised pass; every distinct text is parsed once
(``keyproject.values``) and its result spread over the rows that hold it, so a 30,000-row ledger
reads in about two seconds of CPU (python-calamine takes half of it). A text cell merged down over
several projects (指挥部, 包保领导) belongs to each of them; merged amounts are not copied (that would
count them twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from keyproject.ledger import ColumnMap
from keyproject.schema import Field
from keyproject.values import MISSING_TEXT, is_missing, parse_amount

# (positions in the column, severity, Chinese message)
Problems = list[tuple[np.ndarray, str, str]]


_SMALL = 20_000  # below this many cells a dict is faster than pandas' hash table


def factorize(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per cell, distinct values): equal values of different types (1, 1.0, True) stay apart."""
    if len(col) < _SMALL:
        seen: dict[tuple[type, Any], int] = {}
        values = col.tolist()
        codes = np.fromiter((seen.setdefault((v.__class__, v), len(seen)) for v in values), dtype=np.intp,
                            count=len(values))
        uniques = np.empty(len(seen), dtype=object)
        uniques[:] = [k[1] for k in seen]
        return codes, uniques
    codes, found = pd.factorize(pd.Series(col, dtype=object), use_na_sentinel=True)
    return codes, np.asarray(found, dtype=object)


def text_of(v: Any) -> str | None:
    if is_missing(v) or v == "":
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v).strip()
    return text or None


def parsed_column(col: np.ndarray, parse: Callable[[Any], tuple[Any, ...]]
                  ) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """Parse each distinct value once: (parsed result per distinct value, codes per row)."""
    codes, uniques = factorize(col)
    return [parse(u) for u in uniques], codes


def _notes(parsed: list[tuple[Any, ...]], positions: np.ndarray, codes: np.ndarray) -> Problems:
    out: Problems = []
    for k, p in enumerate(parsed):
        if p[2]:
            out.append((positions[codes == k], "error", p[2]))
        elif p[1]:
            out.append((positions[codes == k], "warning", p[1]))
    return out


_NUMBER_TYPES = frozenset((float, int))


def is_number(col: np.ndarray) -> np.ndarray:
    """Cells holding a number (bools are not amounts)."""
    return np.fromiter((v.__class__ in _NUMBER_TYPES for v in col.tolist()), dtype=bool, count=len(col))


def amount_column(col: np.ndarray, factor: float) -> tuple[np.ndarray, Problems, np.ndarray]:
    """Amounts in 万元: numbers vectorised, everything else parsed once per distinct text.

    Returns (values, problems, from_text): ``from_text`` marks cells whose number was read from text
    ("3,000"), which a sheet's own SUM leaves out."""
    numeric = is_number(col)
    out = np.full(len(col), np.nan)
    if numeric.any():
        out[numeric] = col[numeric].astype(float) * factor
    other = ~numeric & (col != "")
    problems: Problems = []
    from_text = np.zeros(len(col), dtype=bool)
    if other.any():
        pos = np.flatnonzero(other)
        parsed, codes = parsed_column(col[pos], lambda v: parse_amount(v, factor))
        arr = np.array([np.nan if p[0] is None else p[0] for p in parsed], dtype=float)
        out[pos] = arr[codes]
        problems += _notes(parsed, pos, codes)
        from_text[pos] = ~np.isnan(arr[codes])
    neg = np.flatnonzero(out < 0)
    for i in neg:
        problems.append((np.array([i]), "error", f"金额为负数（{out[i]:g}万元），按缺失处理"))
    out[neg] = np.nan
    from_text[neg] = False
    return out, problems, from_text


def generic_column(col: np.ndarray, parse: Callable[[Any], tuple[Any, ...]]
                   ) -> tuple[list[Any], Problems, list[tuple[Any, ...]], np.ndarray, np.ndarray]:
    """(value per row, problems, parsed distinct results, their codes, the non-empty positions)."""
    nonempty = np.flatnonzero(col != "")
    out: list[Any] = [None] * len(col)
    problems: Problems = []
    parsed: list[tuple[Any, ...]] = []
    codes = np.zeros(0, dtype=np.intp)
    if len(nonempty):
        parsed, codes = parsed_column(col[nonempty], parse)
        arr = np.empty(len(parsed), dtype=object)
        arr[:] = [p[0] for p in parsed]
        for i, v in zip(nonempty.tolist(), arr[codes].tolist(), strict=True):
            out[i] = v
        problems = _notes(parsed, nonempty, codes)
    return out, problems, parsed, codes, nonempty


def _text_one(v: Any) -> str | None:
    if v.__class__ is str:  # the common case, kept cheap
        t = v.strip()
        return None if t in MISSING_TEXT or not t.strip("-—–/\\－") else t
    return text_of(v)


def text_values(col: np.ndarray) -> np.ndarray:
    """Cells as text (None when empty or a missing marker), each distinct value converted once."""
    seen: dict[tuple[type, Any], str | None] = {}
    out = []
    for v in col.tolist():
        key = (v.__class__, v)
        t = seen.get(key, _UNSEEN)
        if t is _UNSEEN:
            t = seen[key] = _text_one(v)
        out.append(t)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


_UNSEEN: Any = object()


def text_column(col: np.ndarray) -> pd.Series:
    """``text_values`` as a str Series."""
    return pd.Series(text_values(col), dtype="str")


def fill_merged_text(body: np.ndarray, merged: Iterable[tuple[int, int, int, int]], hdr_end: int,
                     rows_idx: np.ndarray, columns: list[ColumnMap], fields: dict[str, Field]) -> np.ndarray:
    """A text cell merged down over several projects (a command post, a leader) belongs to each."""
    text_cols = {cm.index for cm in columns if cm.key and fields[cm.key].kind == "text"}
    todo = [m for m in merged if m[2] > m[0] and m[0] >= hdr_end and (set(range(m[1], m[3] + 1)) & text_cols)]
    if not todo or not len(rows_idx):
        return body
    body = body.copy()
    pos = {int(r) + hdr_end: i for i, r in enumerate(rows_idx)}  # 0-based sheet row → body row
    for r0, c0, r1, c1 in todo:
        anchor_row = pos.get(r0)
        if anchor_row is None:
            continue
        for c in range(c0, c1 + 1):
            if c not in text_cols:
                continue
            value = body[anchor_row, c]
            for r in range(r0 + 1, r1 + 1):
                if r in pos and body[pos[r], c] == "":
                    body[pos[r], c] = value
    return body
