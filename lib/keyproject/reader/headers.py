"""Header text → field, and where a sheet's header is.

Headers are compared after normalisation: NFKC (full-width to ASCII), every space and line break
removed ("县级\\n包保领导", "项 目 名 称"), Traditional → Simplified, a unit in brackets taken out
and kept as the column's unit ("总投资\\n（亿元）"), a leading year taken out and kept as the column's
year ("2024年计划投资"), and "截至7月底" in front of a completion header dropped.

A column's header may span up to three rows (merged parents forward-filled). Its candidate texts
are tried most specific first: the child joined with its parents (nearest first: "1月" over "计划" is
"1月计划"), then child + parent ("计划" under "开工时间" is "计划开工时间"), then the child alone, then
the child without brackets. Exact names (the label, then the aliases) are tried over all candidates
before any pattern: the schema's patterns cover the forms no list can ("1-7月完成投资", any 领导 with
a role word in front, any 单位/部门 with one). The header row is the row (or 2-3 rows, merged parents
included) whose cells name the most distinct fields, within the first ``HEADER_SCAN_ROWS`` rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from keyproject.schema import Schema
from keyproject.t2s import to_simplified
from keyproject.xlsx import SheetGrid

HEADER_SCAN_ROWS = 30  # the header starts within the first rows of a sheet
MAX_HEADER_ROWS = 3

UNIT_IN_HEADER = re.compile(
    r"[(\[【]\s*(?:单位[:：]?)?\s*(亿元|万元|元|亿|万)\s*[)\]】]|[/／]\s*(亿元|万元)$|单位[:：]\s*(亿元|万元|元)")
UNIT_NOTE = re.compile(r"单位[:：]\s*(亿元|万元|元)")
YEAR_PREFIX = re.compile(r"^((?:19|20)\d{2})年")
AS_OF_PREFIX = re.compile(r"^(?:截至|截止到?|到)(\d{1,2})月(?:底|末|份)?")  # "截至7月底累计完成投资"
REPORT_MONTH = re.compile(r"1[-~至到—–](\d{1,2})月")
PARENS = re.compile(r"[(\[【][^)\]】]*[)\]】]")
FACTORS = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}


def norm(text: str) -> str:
    """NFKC and no whitespace at all (spaces and line breaks inside a header are typing, not meaning)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    parts = text.split()
    return parts[0] if len(parts) == 1 else "".join(parts)


@cache
def header_text(raw: str) -> tuple[str, float | None, int | None, int | None]:
    """Normalise one header cell: (text, unit factor, year prefix, report month in "1-N月")."""
    t = to_simplified(norm(raw)).strip("*※:：")
    factor = None
    m = UNIT_IN_HEADER.search(t)
    if m:
        factor = FACTORS[next(g for g in m.groups() if g)]
        t = (t[: m.start()] + t[m.end():]).strip()
    year = None
    m = YEAR_PREFIX.match(t)
    if m:
        year = int(m[1])
        t = t[m.end():]
        if t.startswith("度"):  # "2024年度投资计划" means "年度投资计划"
            t = "年" + t
    m = AS_OF_PREFIX.match(t)
    if m and len(t) > m.end():
        t = t[m.end():]
    m = REPORT_MONTH.search(t)
    month = int(m[1]) if m and 1 <= int(m[1]) <= 12 else None
    return t.strip("*※:：/"), factor, year, month


@dataclass(frozen=True)
class FieldIndex:
    """A schema's header names, normalised, for exact lookup; its patterns in declaration order."""

    exact: dict[str, tuple[str, int]]  # text → (key, specificity: 2 the label, 1 an alias)
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    kinds: dict[str, str]


_INDEXES: dict[int, tuple[Schema, FieldIndex]] = {}


def field_index(schema: Schema) -> FieldIndex:
    hit = _INDEXES.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    exact: dict[str, tuple[str, int]] = {}
    pats: list[tuple[re.Pattern[str], str]] = []
    for f in schema.fields:
        for name in f.names:
            text = header_text(name)[0]
            exact.setdefault(text, (f.key, 2 if name == f.label else 1))  # the first field keeps a name
        pats.extend((p, f.key) for p in f.compiled)
    idx = FieldIndex(exact, tuple(pats), {f.key: f.kind for f in schema.fields})
    _INDEXES[id(schema)] = (schema, idx)
    return idx


def candidates(parts: list[str]) -> list[str]:
    """Header texts to try, most specific first (see the module docstring)."""
    child = parts[-1]
    out = ["".join(parts[i:]) for i in range(len(parts) - 2, -1, -1)]
    if len(parts) >= 2:
        out.append(child + parts[-2])
    out.append(child)
    bare = PARENS.sub("", child)
    if bare and bare != child:
        out.append(bare)
    return [c for c in dict.fromkeys(out) if c]


SPEC_PATTERN, SPEC_LABEL, SPEC_ALIAS = 3, 2, 1


def match(parts: list[str], idx: FieldIndex) -> tuple[str | None, int]:
    """The field a header means and how specifically: 3 a pattern ("1-7月完成投资"), 2 the label,
    1 an alias ("完成投资"); when two columns claim one field the more specific one keeps it."""
    key = (id(idx), tuple(parts))
    hit = _MATCHES.get(key)
    if hit is None:
        if len(_MATCHES) > 50_000:
            _MATCHES.clear()
        hit = _MATCHES[key] = _match_uncached(parts, idx)
    return hit


_MATCHES: dict[tuple[int, tuple[str, ...]], tuple[str | None, int]] = {}


def _match_uncached(parts: list[str], idx: FieldIndex) -> tuple[str | None, int]:
    cands = candidates(parts)
    for c in cands:
        if c in idx.exact:
            return idx.exact[c]
    for c in cands:
        for pat, key in idx.patterns:
            if pat.fullmatch(c):
                return key, SPEC_PATTERN
    return None, 0


def cell_text(v: Any) -> str:
    if isinstance(v, str):
        return v.strip()
    if v == "" or v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def filled_top(grid: SheetGrid, nrows: int) -> np.ndarray:
    """The top rows as text with merged ranges filled from their anchors."""
    top = np.array([[cell_text(v) for v in row] for row in grid.values[:nrows]], dtype=object)
    if top.size == 0:
        return top.reshape(0, grid.values.shape[1] if grid.values.ndim == 2 else 0)
    for r0, c0, r1, c1 in grid.merged:
        if r0 < nrows and c0 < top.shape[1]:  # a merge may reach past the last cell with a value
            top[r0 : min(r1, nrows - 1) + 1, c0 : c1 + 1] = top[r0, c0]
    return top


@dataclass
class Header:
    start: int  # 0-based first header row
    span: int
    parts: list[list[str]]  # per column: normalised header parts, top to bottom, deduplicated
    raw: list[str]  # per column: header text as read, parts joined with "/"
    keys: list[str | None]
    specs: list[int]
    years: list[int | None]  # per column: the year its header (or a parent) states
    score: int
    rows: list[int] = field(default_factory=list)  # per column: 0-based row of its lowest header text

    @property
    def end(self) -> int:
        """The first data row, 0-based."""
        return self.start + self.span


def header_at(top: np.ndarray, start: int, span: int, idx: FieldIndex) -> Header:
    ncols = top.shape[1]
    parts: list[list[str]] = []
    raw: list[str] = []
    keys: list[str | None] = []
    specs: list[int] = []
    years: list[int | None] = []
    rows: list[int] = []
    for c in range(ncols):
        p: list[str] = []
        rp: list[str] = []
        year = None
        low = start
        for r in range(start, start + span):
            cell = top[r, c]
            if cell:
                low = r
            if cell and (not rp or rp[-1] != cell):
                rp.append(cell)
                text, _, y, _ = header_text(cell)
                year = y if y is not None else year
                if text and (not p or p[-1] != text):
                    p.append(text)
        parts.append(p)
        raw.append("/".join(rp))
        key, spec = match(p, idx) if p else (None, 0)
        keys.append(key)
        specs.append(spec)
        years.append(year)
        rows.append(low)
    found = {k for k in keys if k}
    return Header(start, span, parts, raw, keys, specs, years, len(found), rows)


def find_header(grid: SheetGrid, schema: Schema) -> Header | None:
    idx = field_index(schema)
    nrows = min(grid.values.shape[0], HEADER_SCAN_ROWS + MAX_HEADER_ROWS)
    if nrows == 0:
        return None
    top = filled_top(grid, nrows)
    required = [f.key for f in schema.fields if f.required][:1]
    # rows of figures are data, not header: no header starts or runs through one
    figures = _figure_rows(grid.values[:nrows])
    best: Header | None = None
    for start in range(min(HEADER_SCAN_ROWS, nrows)):
        if not any(top[start]) or figures[start]:
            continue
        for span in range(1, MAX_HEADER_ROWS + 1):
            if start + span > nrows or figures[start + span - 1]:
                break
            h = header_at(top, start, span, idx)
            if required and required[0] not in h.keys:
                continue
            if best is None or (h.score, -h.span) > (best.score, -best.span):
                best = h
    if best is None:
        return None
    # rows above that belong to the header without naming a field of their own: parents merged
    # down into it, or rows of several group headings ("2023年" | "2024年")
    start, span = best.start, best.span
    while start > 0 and span < MAX_HEADER_ROWS and _is_parent_row(grid, top, start - 1, start):
        start, span = start - 1, span + 1
    return best if start == best.start else header_at(top, start, span, idx)


_FIGURES = (int, float)


def _figure_rows(values: np.ndarray) -> list[bool]:
    """Rows where at least three cells, and a third of the filled ones, hold numbers: records."""
    out = []
    for row in values.tolist():
        numbers = sum(1 for v in row if v.__class__ in _FIGURES)
        filled = sum(1 for v in row if v != "")
        out.append(numbers >= 3 and numbers * 3 >= filled)
    return out


def _is_parent_row(grid: SheetGrid, top: np.ndarray, row: int, header_start: int) -> bool:
    if any(r0 <= row and r1 >= header_start for r0, _, r1, _ in grid.merged):
        return True
    texts = [t for t in dict.fromkeys(top[row]) if t]
    if not texts or any(UNIT_NOTE.search(norm(t)) for t in texts):
        return False
    if len(texts) >= 2:
        return True
    first_used = next(i for i, t in enumerate(top[row]) if t)
    return first_used > 0 and bool(any(top[header_start, :first_used]))  # a heading over some columns
