"""Workbook → ``Ledger``: find the header, map columns to fields, parse values, locate problems.

The header is found by scoring rows against the schema's declaration (aliases and patterns): the
rows (one to three, merged parents forward-filled and joined to their children) whose cells map to
the most distinct fields win. Everything a sheet says about units, the report month and year comes
from its title, unit note and header text. Rows that are not records (totals, sections, notes and
signatures, repeated headers) are skipped without complaint. Values are parsed column by column:
numbers in one vectorised pass, every distinct text once (``keyproject.values``), so a 30,000-row
ledger reads in about two seconds of CPU (python-calamine takes half of it).

Decisions worth knowing:
- Two columns that mean one field: the more specific header keeps it (a "1-N月" pattern over the
  label over an alias; then the first); the other stays a user column (``extras``) with a warning.
- ``Ledger.columns`` lists the table's columns (known and user columns); keyproject's own columns
  (``schema.OWNED_COLUMNS``) are only in ``owned_columns``. ``last_column`` counts all of them.
- A text cell merged down over several projects (指挥部, 包保领导) belongs to each of them; merged
  amounts are not copied (that would count them twice).
- The report month is the "1-N月" of the completed-to-date column, else of the title ("1-7月",
  "截至7月"), else of any header cell. Without a 当月 column, ``month_completed`` is that month's
  column (m08 in a 1-8月 report).
- ``sheet=None``: sheets named as the schema expects first; a hidden sheet only when no visible
  sheet holds the table.
- Negative and non-numeric amounts are errors and read as missing; Excel error values (#DIV/0!)
  reach us as empty cells (calamine) and read as missing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from keyproject import schema as sch
from keyproject.errors import LedgerFileError
from keyproject.ledger import ColumnMap, Issue, Ledger
from keyproject.schema import LEDGER, OWNED_COLUMNS, PROBLEMS, Field, Schema, conform
from keyproject.t2s import to_simplified
from keyproject.values import MISSING_TEXT, is_missing, parse_amount, parse_date, parse_rate
from keyproject.xlsx import MemoryWorkbook, SheetGrid, Workbook

SETTINGS_SHEETS = ("设置", "参数设置", "规则设置")
_SETTINGS_HEADER = {"设置项", "参数", "项目", "名称", "键", "key", "设置", "参数名称", "规则"}
HEADER_SCAN_ROWS = 30  # the header starts within the first rows of a sheet
MAX_HEADER_ROWS = 3

_UNIT_IN_HEADER = re.compile(
    r"[(\[【]\s*(?:单位[:：]?)?\s*(亿元|万元|元|亿|万)\s*[)\]】]|[/／]\s*(亿元|万元)$|单位[:：]\s*(亿元|万元|元)")
_UNIT_NOTE = re.compile(r"单位[:：]\s*(亿元|万元|元)")
_YEAR_PREFIX = re.compile(r"^(\d{4})年")
_AS_OF_PREFIX = re.compile(r"^(?:截至|截止到?|到)(\d{1,2})月(?:底|末|份)?")  # "截至7月底累计完成投资"
_YEAR_ANY = re.compile(r"((?:19|20)\d{2})年")
_REPORT_MONTH = re.compile(r"1[-~至到—–](\d{1,2})月")
_REPORT_MONTH_TITLE = re.compile(r"(?:1[-~至到—–]|截至|截止|截止到)(\d{1,2})月")
_PARENS = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_FACTORS = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}

_TOTAL = re.compile(  # no project is called 合计: anywhere in the label ("全县总计（60个）")
    r"合计|总计|小计|共计|^(?:累计|汇总)|汇总[:：]?$|^其中")
_SECTION = re.compile(
    r"^[一二三四五六七八九十]+[、.]|^[(][一二三四五六七八九十\d]+[)]|^第[一二三四五六七八九十\d]+(?:部分|类|批|组)"
    r"|^.{1,15}(?:项目|类)[(（]\d+个[)）]$")
_NOTE = re.compile(
    r"^(?:填报人|填报单位|填表人|填表单位|填报日期|审核人|审核|审批人|制表人|制表|制表单位|负责人|单位负责人|分管领导|联系人"
    r"|联系电话|电话|报送单位|报送日期|数据来源)[:：]|^(?:注|备注|说明|附注)\d*[:：、.]")


# ---------------------------------------------------------------------------------------------
# header text → field


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@cache
def _header_text(raw: str) -> tuple[str, float | None, int | None, int | None]:
    """Normalise one header cell: (text, unit factor, year prefix, report month in "1-N月")."""
    t = to_simplified(_norm(raw)).strip("*※:：")
    factor = None
    m = _UNIT_IN_HEADER.search(t)
    if m:
        factor = _FACTORS[next(g for g in m.groups() if g)]
        t = (t[: m.start()] + t[m.end():]).strip()
    year = None
    m = _YEAR_PREFIX.match(t)
    if m:
        year = int(m[1])
        t = t[m.end():]
        if t.startswith("度"):  # "2024年度投资计划" means "年度投资计划"
            t = "年" + t
    m = _AS_OF_PREFIX.match(t)
    if m and len(t) > m.end():
        t = t[m.end():]
    m = _REPORT_MONTH.search(t)
    month = int(m[1]) if m and 1 <= int(m[1]) <= 12 else None
    return t.strip("*※:：/"), factor, year, month


@dataclass(frozen=True)
class _Index:
    """A schema's header names, normalised, for exact lookup; its patterns in declaration order."""

    exact: dict[str, tuple[str, int]]  # text → (key, specificity: 2 the label, 1 an alias)
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    kinds: dict[str, str]


_INDEXES: dict[int, tuple[Schema, _Index]] = {}


def _index(schema: Schema) -> _Index:
    hit = _INDEXES.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    exact: dict[str, tuple[str, int]] = {}
    pats = []
    for f in schema.fields:
        for name in f.names:
            text = _header_text(name)[0]
            exact.setdefault(text, (f.key, 2 if name == f.label else 1))  # the first field keeps a name
        pats.extend((p, f.key) for p in f.compiled)
    idx = _Index(exact, tuple(pats), {f.key: f.kind for f in schema.fields})
    _INDEXES[id(schema)] = (schema, idx)
    return idx


def _candidates(parts: list[str]) -> list[str]:
    """Header texts to try, most specific first: the child, then joined with its parents."""
    child = parts[-1]
    out = [child]
    for i in range(len(parts) - 2, -1, -1):
        out.append("".join(parts[i:]))
    bare = _PARENS.sub("", child)
    if bare and bare != child:
        out.append(bare)
    return [c for c in out if c]


def _match(parts: list[str], idx: _Index) -> tuple[str | None, int]:
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


def _match_uncached(parts: list[str], idx: _Index) -> tuple[str | None, int]:
    cands = _candidates(parts)
    for c in cands:
        if c in idx.exact:
            return idx.exact[c]
    for c in cands:
        for pat, key in idx.patterns:
            if pat.fullmatch(c):
                return key, 3
    return None, 0


# ---------------------------------------------------------------------------------------------
# header detection


def _cell_text(v: Any) -> str:
    if isinstance(v, str):
        return v.strip()
    if v == "" or v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _filled_top(grid: SheetGrid, nrows: int) -> np.ndarray:
    """The top rows as text with merged ranges filled from their anchors."""
    top = np.array([[_cell_text(v) for v in row] for row in grid.values[:nrows]], dtype=object)
    if top.size == 0:
        return top.reshape(0, grid.values.shape[1] if grid.values.ndim == 2 else 0)
    for r0, c0, r1, c1 in grid.merged:
        if r0 < nrows and c0 < top.shape[1]:  # a merge may reach past the last cell with a value
            top[r0 : min(r1, nrows - 1) + 1, c0 : c1 + 1] = top[r0, c0]
    return top


@dataclass
class _Header:
    start: int  # 0-based first header row
    span: int
    parts: list[list[str]]  # per column: normalised header parts, top to bottom, deduplicated
    raw: list[str]  # per column: header text as read, parts joined with "/"
    keys: list[str | None]
    specs: list[int]
    score: int


def _header_at(top: np.ndarray, start: int, span: int, idx: _Index) -> _Header:
    ncols = top.shape[1]
    parts: list[list[str]] = []
    raw: list[str] = []
    keys: list[str | None] = []
    specs: list[int] = []
    for c in range(ncols):
        p: list[str] = []
        rp: list[str] = []
        for r in range(start, start + span):
            cell = top[r, c]
            if cell and (not rp or rp[-1] != cell):
                rp.append(cell)
                text = _header_text(cell)[0]
                if text and (not p or p[-1] != text):
                    p.append(text)
        parts.append(p)
        raw.append("/".join(rp))
        key, spec = _match(p, idx) if p else (None, 0)
        keys.append(key)
        specs.append(spec)
    found = {k for k in keys if k}
    return _Header(start, span, parts, raw, keys, specs, len(found))


def _find_header(grid: SheetGrid, schema: Schema) -> _Header | None:
    idx = _index(schema)
    nrows = min(grid.values.shape[0], HEADER_SCAN_ROWS + MAX_HEADER_ROWS)
    if nrows == 0:
        return None
    top = _filled_top(grid, nrows)
    required = [f.key for f in schema.fields if f.required][:1]
    best: _Header | None = None
    for start in range(min(HEADER_SCAN_ROWS, nrows)):
        if not any(top[start]):
            continue
        for span in range(1, MAX_HEADER_ROWS + 1):
            if start + span > nrows:
                break
            h = _header_at(top, start, span, idx)
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
    return best if start == best.start else _header_at(top, start, span, idx)


def _is_parent_row(grid: SheetGrid, top: np.ndarray, row: int, header_start: int) -> bool:
    if any(r0 <= row and r1 >= header_start for r0, _, r1, _ in grid.merged):
        return True
    texts = [t for t in dict.fromkeys(top[row]) if t]
    if not texts or any(_UNIT_NOTE.search(_norm(t)) for t in texts):
        return False
    if len(texts) >= 2:
        return True
    first_used = next(i for i, t in enumerate(top[row]) if t)
    return first_used > 0 and bool(any(top[header_start, :first_used]))  # a heading over some columns


# ---------------------------------------------------------------------------------------------
# per-column parsing, once per distinct value


def _factorize(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(col, dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _text_of(v: Any) -> str | None:
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


def _parsed_column(col: np.ndarray, parse: Callable[[Any], tuple[Any, str | None, str | None]]
                   ) -> tuple[list[Any], np.ndarray, list[tuple[int, str, str]]]:
    """Parse each distinct value once: (value per row, codes, [(unique code, severity, message)])."""
    codes, uniques = _factorize(col)
    parsed = [parse(u) for u in uniques]
    values = [p[0] for p in parsed]
    notes = [(k, "error", p[2]) for k, p in enumerate(parsed) if p[2]]
    notes += [(k, "warning", p[1]) for k, p in enumerate(parsed) if p[1] and not p[2]]
    return values, codes, notes


_NUMBER_TYPES = frozenset((float, int))


def _is_number(col: np.ndarray) -> np.ndarray:
    """Cells holding a number (bools are not amounts)."""
    return np.fromiter((v.__class__ in _NUMBER_TYPES for v in col.tolist()), dtype=bool, count=len(col))


def _amount_column(col: np.ndarray, factor: float) -> tuple[np.ndarray, list[tuple[np.ndarray, str, str]]]:
    """Amounts in 万元: numbers vectorised, everything else parsed once per distinct text."""
    numeric = _is_number(col)
    out = np.full(len(col), np.nan)
    if numeric.any():
        out[numeric] = col[numeric].astype(float) * factor
    other = ~numeric & (col != "")
    problems: list[tuple[np.ndarray, str, str]] = []
    if other.any():
        pos = np.flatnonzero(other)
        values, codes, notes = _parsed_column(col[pos], lambda v: parse_amount(v, factor))
        arr = np.array([np.nan if v is None else v for v in values], dtype=float)
        out[pos] = arr[codes]
        for k, sev, msg in notes:
            problems.append((pos[codes == k], sev, msg))
    neg = np.flatnonzero(out < 0)
    for i in neg:
        problems.append((np.array([i]), "error", f"金额为负数（{out[i]:g}万元），按缺失处理"))
    out[neg] = np.nan
    return out, problems


def _generic_column(col: np.ndarray, parse: Callable[[Any], tuple[Any, str | None, str | None]]
                    ) -> tuple[list[Any], list[tuple[np.ndarray, str, str]]]:
    nonempty = np.flatnonzero(col != "")
    out: list[Any] = [None] * len(col)
    problems: list[tuple[np.ndarray, str, str]] = []
    if len(nonempty):
        values, codes, notes = _parsed_column(col[nonempty], parse)
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        for i, v in zip(nonempty.tolist(), arr[codes].tolist(), strict=True):
            out[i] = v
        for k, sev, msg in notes:
            problems.append((nonempty[codes == k], sev, msg))
    return out, problems


def _text_one(v: Any) -> str | None:
    if v.__class__ is str:  # the common case, kept cheap
        t = v.strip()
        return None if t in MISSING_TEXT or not t.strip("-—–/\\－") else t
    return _text_of(v)


def _text_column(col: np.ndarray) -> pd.Series:
    """Cells as text (None when empty or a missing marker), each distinct value converted once."""
    codes, uniques = _factorize(col)
    texts = np.array([_text_one(u) for u in uniques.tolist()] + [None], dtype=object)
    return pd.Series(texts[codes], dtype="str")


def _norm_series(s: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(s.fillna(""))
    normed = np.array([_norm(u) for u in np.asarray(uniques, dtype=object).tolist()] + [""], dtype=object)
    return pd.Series(normed[codes], dtype=object)


_ANY_SPECIAL = re.compile(f"{_TOTAL.pattern}|{_SECTION.pattern}|{_NOTE.pattern}")


def _classify(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(total/section row, note/signature row) per text; one regex pass, the few hits re-checked."""
    skip = np.zeros(len(texts), dtype=bool)
    note = np.zeros(len(texts), dtype=bool)
    values = texts.tolist()
    search = _ANY_SPECIAL.search
    for i in [i for i, t in enumerate(values) if search(t)]:
        t = values[i]
        note[i] = bool(_NOTE.search(t))
        skip[i] = not note[i] and bool(_TOTAL.search(t) or _SECTION.search(t))
    return skip, note


# ---------------------------------------------------------------------------------------------
# the table


def _unit_note(top: np.ndarray, upto: int) -> tuple[str | None, float | None]:
    for r in range(min(upto, top.shape[0])):
        for cell in top[r]:
            if cell:
                m = _UNIT_NOTE.search(_norm(cell))
                if m:
                    return m[1], _FACTORS[m[1]]
    return None, None


def _title(top: np.ndarray, upto: int) -> str | None:
    for r in range(min(upto, top.shape[0])):
        texts = [c for c in dict.fromkeys(top[r]) if c]
        for t in texts:
            if not _UNIT_NOTE.search(_norm(t)) and len(t) >= 4:
                return t
    return None


def _last_used_col(mask: np.ndarray) -> int:
    used = np.flatnonzero(mask.any(axis=0))
    return int(used[-1]) + 1 if len(used) else 0


def _unique_header(name: str, taken: set[str], letter: str) -> str:
    if not name:
        name = f"{letter}列"
    if name in taken:
        name = f"{name}（{letter}列）"
    taken.add(name)
    return name


def _read_sheet(wb: Any, grid: SheetGrid, schema: Schema, header: _Header | None) -> Ledger:
    """``wb`` is anything with a ``path`` (a ``Workbook``, or a stand-in for values from memory)."""
    path, name = getattr(wb, "path", None), grid.name
    file = str(path) if path is not None else None
    if header is None:
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(
            f"不是{schema.title}：在前{HEADER_SCAN_ROWS}行没有找到“{req.label}”列", file=path, sheet=name,
            reason="not_ledger")
    values = grid.values
    nrows_all, ncols = values.shape
    top = _filled_top(grid, min(nrows_all, header.start + header.span))
    hdr_end = header.start + header.span  # first data row, 0-based

    # sheet-level facts from the title, unit note and header
    unit_name, note_factor = _unit_note(top, hdr_end)
    title = _title(top, header.start)
    year = None
    month = None
    texts = ([title] if title else []) + [c for c in top[header.start:hdr_end].ravel() if c]
    for t in texts:
        nt = to_simplified(_norm(t))
        if year is None and (m := _YEAR_ANY.search(nt)):
            year = int(m[1])
    # the report month: the completed-to-date column's "1-N月" first, then the title, then any header
    ytd_headers = [header.raw[c] for c, k in enumerate(header.keys) if k == "ytd_completed"]
    header_cells = [c for c in top[header.start:hdr_end].ravel() if c]
    for t in [*ytd_headers, *([title] if title else []), *header_cells]:
        nt = to_simplified(_norm(t))
        wide = t == title or t in ytd_headers  # "截至7月" counts there, not in any header
        m = _REPORT_MONTH.search(nt) or (_REPORT_MONTH_TITLE.search(nt) if wide else None)
        if m and 1 <= int(m[1]) <= 12:
            month = int(m[1])
            break

    data = values[hdr_end:]
    nonempty = (data != "") if data.size else np.zeros((0, ncols), dtype=bool)
    header_used = np.array([bool(r) for r in header.raw])
    last_col = max(_last_used_col(nonempty), _last_used_col(header_used[None, :]))
    fields = schema.by_key
    owned_norm = {_norm(o) for o in OWNED_COLUMNS}

    columns: list[ColumnMap] = []
    owned: list[ColumnMap] = []
    issues: list[Issue] = []
    seen: dict[str, ColumnMap] = {}
    winner: dict[str, int] = {}  # field → the column that keeps it: most specific header, then first
    for c in range(last_col):
        k = header.keys[c]
        if k is not None and (k not in winner or header.specs[c] > header.specs[winner[k]]):
            winner[k] = c
    for c in range(last_col):
        letter = get_column_letter(c + 1)
        raw = header.raw[c]
        key = header.keys[c]
        if raw and _norm(raw.split("/")[-1]) in owned_norm:
            owned.append(ColumnMap(letter, c, raw, None))
            continue
        if key is not None and winner[key] != c:
            kept = get_column_letter(winner[key] + 1)
            issues.append(Issue("warning", f"“{raw}”与{kept}列都对应“{fields[key].label}”，只读取{kept}列，"
                                "本列按其他列保留", name, header.start + 1, letter, file))
            key = None
        factor = 1.0
        if key is not None and fields[key].kind == "amount":
            own = next((f for p in reversed(header.raw[c].split("/")) if (f := _header_text(p)[1])), None)
            factor = own if own is not None else (note_factor or 1.0)
        cm = ColumnMap(letter, c, raw, key, factor)
        if key is not None:
            seen[key] = cm
        if key is not None or raw or nonempty[:, c].any():
            columns.append(cm)

    # which rows are records
    first_req = next((f.key for f in schema.fields if f.required), None)
    name_col = seen[first_req].index if first_req in seen else None
    n = data.shape[0]
    if n:
        first_idx = nonempty.argmax(axis=1)
        label = _norm_series(_text_column(data[np.arange(n), first_idx]))
        names = (_text_column(data[:, name_col]) if name_col is not None
                 else pd.Series([None] * n, dtype="str"))
        name_norm = _norm_series(names)
        skip1, note1 = _classify(label)
        skip2, note2 = _classify(name_norm)
        skip_label, is_note = pd.Series(skip1 | skip2), pd.Series(note1 | note2)
        header_names = {_header_text(x)[0] for x in fields[first_req].names} if first_req else set()
        repeated_header = name_norm.isin(header_names).to_numpy()
        in_notes = is_note.cumsum().to_numpy() > 0
        has_name = names.notna().to_numpy()
        amount_cols = [cm.index for cm in columns if cm.key and fields[cm.key].kind == "amount"]
        has_number = np.zeros(n, dtype=bool)
        for c in amount_cols:
            has_number |= _is_number(data[:, c])
        keep = (has_name & ~skip_label.to_numpy() & ~is_note.to_numpy() & ~repeated_header
                & ~(in_notes & ~has_number))
        orphan = ~has_name & has_number & ~skip_label.to_numpy() & ~in_notes
        for i in np.flatnonzero(orphan):
            issues.append(Issue("warning", "这一行有金额但没有项目名称，未读取", name, hdr_end + i + 1, None,
                                file))
    else:
        keep = np.zeros(0, dtype=bool)
    rows_idx = np.flatnonzero(keep)
    body = data[rows_idx]
    excel_rows = rows_idx + hdr_end + 1
    body = _fill_merged_text(body, grid.merged, hdr_end, rows_idx, columns, fields)

    frame: dict[str, Any] = {"row": pd.array(excel_rows, dtype="Int64"),
                             "sheet": pd.Series([name] * len(excel_rows), dtype="str")}
    for cm in columns:
        if cm.key is None:
            continue
        f = fields[cm.key]
        col = body[:, cm.index]
        if f.kind == "amount":
            vals, probs = _amount_column(col, cm.factor)
            frame[cm.key] = vals
        elif f.kind == "date":
            out, probs = _generic_column(col, lambda v: parse_date(v, year))
            dates = pd.to_datetime(pd.Series(out, dtype=object), errors="coerce")
            frame[cm.key] = dates.astype("datetime64[us]")
        elif f.kind == "rate":
            out, probs = _generic_column(col, parse_rate)
            frame[cm.key] = np.array([np.nan if v is None else v for v in out], dtype=float)
        else:
            frame[cm.key] = _text_column(col)
            probs = []
        for positions, sev, msg in probs:
            for p in positions.tolist():
                row = int(excel_rows[p])
                issues.append(Issue(sev, f"“{f.label}”：{msg}", name, row, cm.letter, file))
    # "8月完成投资" in a 1-8月 report is the month's completion: say so when no 当月 column exists
    this_month = f"m{month:02d}" if month else None
    if schema is LEDGER and "month_completed" not in frame and this_month in frame:
        frame["month_completed"] = frame[this_month]
    projects = conform(pd.DataFrame(frame), schema)

    taken: set[str] = set()
    extras = pd.DataFrame(
        {_unique_header(cm.header, taken, cm.letter): pd.Series(
            [None if v == "" else v for v in body[:, cm.index].tolist()], dtype=object)
         for cm in columns if cm.key is None},
        index=projects.index)
    if schema is LEDGER:
        issues += _duplicates(projects, seen, name, file)
    issues.sort(key=lambda i: (i.row or 0, len(i.column or ""), i.column or ""))
    amount_units = {cm.factor for cm in columns if cm.key and fields[cm.key].kind == "amount"}
    unit = unit_name or ("亿元" if amount_units == {10000.0} else "万元")
    if unit in ("亿", "万"):
        unit += "元"
    return Ledger(
        path=path, sheet=name, header_rows=list(range(header.start + 1, hdr_end + 1)), columns=columns,
        unit=unit, report_month=month, report_year=year, projects=projects, extras=extras, issues=issues,
        title=title, owned_columns=owned, last_column=last_col)


def _fill_merged_text(body: np.ndarray, merged: Iterable[tuple[int, int, int, int]], hdr_end: int,
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
        for c in range(c0, c1 + 1):
            if c not in text_cols:
                continue
            value = body[anchor_row, c] if anchor_row is not None else ""
            if anchor_row is None:
                continue
            for r in range(r0 + 1, r1 + 1):
                if r in pos and body[pos[r], c] == "":
                    body[pos[r], c] = value
    return body


def _duplicates(projects: pd.DataFrame, seen: dict[str, ColumnMap], sheet: str, file: str) -> list[Issue]:
    out = []
    for key, what in (("name", "项目名称"), ("code", "项目编号")):
        if key not in seen:
            continue
        col = projects[key]
        dup = col.notna() & col.duplicated(keep=False)
        if not dup.any():
            continue
        first_row = projects.loc[dup].groupby(col[dup])["row"].transform("min")
        for i in np.flatnonzero(dup.to_numpy() & col.duplicated(keep="first").to_numpy()):
            row = int(projects["row"].iat[i])
            first = int(first_row.loc[projects.index[i]])
            msg = f"{what}“{col.iat[i]}”与第{first}行重复"
            out.append(Issue("warning", msg, sheet, row, seen[key].letter, file))
    return out


# ---------------------------------------------------------------------------------------------
# sheet choice and the public functions


def _choose_sheet(wb: Workbook, schema: Schema, sheet: str | None) -> tuple[SheetGrid, _Header | None]:
    if sheet is not None:
        grid = wb.grid(wb.info.sheet(sheet).name)
        return grid, _find_header(grid, schema)
    preferred = [s for s in schema.sheet_names if s in wb.sheet_names]
    others_reserved = {n for s in sch.SCHEMAS.values() if s is not schema for n in s.sheet_names}
    others_reserved |= set(SETTINGS_SHEETS)
    others_reserved |= wb.info.owned_sheets  # keyproject's own output sheets are never input
    preferred = [s for s in preferred if s not in wb.info.owned_sheets]
    rest = [s for s in wb.sheet_names if s not in preferred and s not in others_reserved]
    # hidden sheets (old copies, lookups) only when no visible sheet is a ledger
    order = sorted(preferred + rest, key=lambda s: wb.info.sheet(s).state != "visible")
    best: tuple[int, SheetGrid, _Header] | None = None
    for s in order:
        if wb.info.sheet(s).too_large:
            continue
        grid = wb.grid(s)
        h = _find_header(grid, schema)
        if h is None:
            continue
        if s in preferred and h.score >= 3:
            return grid, h
        hidden = wb.info.sheet(s).state != "visible"
        if best is None or (h.score > best[0] and not (hidden and best[0] >= 3)):
            best = (h.score, grid, h)
    if best is None:
        for s in wb.sheet_names:
            if wb.info.sheet(s).too_large:
                wb.grid(s)  # raises the clear error about the sheet's extent
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(f"不是{schema.title}：没有哪个工作表有“{req.label}”列", file=wb.path,
                              reason="not_ledger")
    return best[1], best[2]


def read_table(
    path: str | Path | Workbook | MemoryWorkbook, schema: Schema, sheet: str | None = None
) -> Ledger:
    """Read one table of ``schema`` (problems, milestones, a ledger) from a workbook.

    The result is a ``Ledger`` whose ``projects`` holds the table's records (every field of
    ``schema`` as a column) and whose ``issues`` locate what could not be read.
    """
    wb = path if isinstance(path, (Workbook, MemoryWorkbook)) else Workbook(path)
    grid, header = _choose_sheet(wb, schema, sheet)
    return _read_sheet(wb, grid, schema, header)


@dataclass(frozen=True)
class _InMemory:
    path: Path | None


def read_grid(grid: SheetGrid, schema: Schema = LEDGER, file: str | Path | None = None) -> Ledger:
    """Read a table from a grid already in memory (values from A1, e.g. handed over by Excel).

    The same machinery as ``read_table``; ``file`` only names the source in messages.
    """
    src = _InMemory(Path(file) if file is not None else None)
    return _read_sheet(src, grid, schema, _find_header(grid, schema))


def read_settings(wb: Workbook, sheet: str) -> dict[str, Any]:
    """Key/value rows (column A: key, column B: value) of a settings sheet."""
    grid = wb.grid(sheet)
    out: dict[str, Any] = {}
    for row in grid.values.tolist():
        if len(row) < 2:
            continue
        key = _text_of(row[0])
        if not key:
            continue
        v = row[1]
        if v == "":
            value: Any = None
        elif isinstance(v, float) and v.is_integer():
            value = int(v)
        elif isinstance(v, str):
            value = v.strip()
        elif isinstance(v, dt.datetime) and v.time() == dt.time():
            value = v.date()  # a date cell, as calamine gives it; Excel hands over midnight datetimes
        else:
            value = v
        if not out and _norm(key) in _SETTINGS_HEADER and isinstance(value, str):
            continue  # a header row
        out[key.strip()] = value
    return out


def read_ledger(path: str | Path | Workbook | MemoryWorkbook, sheet: str | None = None) -> Ledger:
    """Read a key-project ledger (台账) from an .xlsx/.xlsm workbook (or sheets in memory).

    Also reads the workbook's problem list (a sheet named as in ``schema.PROBLEMS.sheet_names``,
    not one keyproject wrote itself) into ``Ledger.problems`` and the key/value rows of a 设置 sheet
    into ``Ledger.settings``. Raises ``LedgerFileError`` when the file is unsafe or unreadable or
    holds no ledger.
    """
    wb = path if isinstance(path, (Workbook, MemoryWorkbook)) else Workbook(path)
    ledger = read_table(wb, LEDGER, sheet)
    problem_sheet = next((s for s in PROBLEMS.sheet_names
                          if s in wb.sheet_names and s not in wb.info.owned_sheets), None)
    if problem_sheet and problem_sheet != ledger.sheet:
        try:
            table = read_table(wb, PROBLEMS, problem_sheet)
        except LedgerFileError as exc:
            msg = f"问题清单无法读取：{exc.message}"
            ledger.issues.append(Issue("warning", msg, problem_sheet, None, None, str(wb.path)))
        else:
            ledger.problems = table.projects
            ledger.issues.extend(table.issues)
    settings_sheet = next((s for s in SETTINGS_SHEETS if s in wb.sheet_names), None)
    if settings_sheet:
        ledger.settings = read_settings(wb, settings_sheet)
    return ledger
