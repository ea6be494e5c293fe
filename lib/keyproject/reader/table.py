"""One sheet → its records: the header, the columns, the rows, the values, the period it states.

``read_sheet`` reads one sheet completely and returns a ``SheetRead``; it never raises for an
ambiguity (the sheet may yet be skipped), it records it (``SheetRead.ambiguities``) for the caller to
raise when the sheet is read. Decisions worth knowing:

- ``Ledger.columns`` lists the table's columns (known and user columns); keyproject's own columns
  (``schema.OWNED_COLUMNS``) are only in ``owned_columns``. ``last_column`` counts all of them.
- Without a 当月 column, ``month_completed`` is the report month's column (m08 in a 1-8月 report).
- Negative and non-numeric amounts are errors and read as missing; Excel error values (#DIV/0!)
  reach us as empty cells (calamine) and read as missing.
- A number typed as text ("3,000") is read, but Excel's SUM leaves it out: when the sheet's own
  合计 row equals the sum without those cells, each one gets a warning so both totals can agree.
- A state typed into a date column ("已开工", "续建", "已竣工") sets the milestone's
  ``schema.DONE_COLUMNS`` flag and is reported as information.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keyproject.ledger import ColumnDecision, ColumnMap, Issue, PeriodSource, ReportPeriod, SheetLayout
from keyproject.reader import cells, columns, period, rows
from keyproject.reader.headers import FACTORS, UNIT_NOTE, Header, filled_top, header_text, norm
from keyproject.schema import DONE_COLUMNS, LEDGER, Schema, conform
from keyproject.values import parse_date, parse_rate
from keyproject.xlsx import SheetGrid

# the milestone a date column records (a state typed into it: "已开工" → started)
_MILESTONE_OF = {"signed_date": "signed", "land_date": "land", "planned_start": "started",
                 "actual_start": "started", "planned_completion": "completed",
                 "actual_completion": "completed", "production_date": "producing"}
# a milestone reached implies the ones before it
_IMPLIES = {"producing": ("completed", "started"), "completed": ("started",)}
_MILESTONE_WORDS = {"started": "已开工", "completed": "已竣工", "producing": "已投产", "signed": "已签约",
                    "land": "已供地"}


@dataclass
class SheetRead:
    """Everything read from one sheet."""

    sheet: str
    header: Header
    layout: SheetLayout
    projects: pd.DataFrame
    extras: pd.DataFrame
    issues: list[Issue]
    decisions: list[ColumnDecision]
    sources: list[PeriodSource]
    period: ReportPeriod
    ambiguities: list[columns.Ambiguity]
    names: list[str]  # normalised project names, in row order
    filled: bool  # holds completion figures (year to date or monthly)
    title: str | None
    unit: str
    fields: set[str] = field(default_factory=set)  # the fields its columns map to


def unit_note(top: np.ndarray, upto: int) -> tuple[str | None, float | None]:
    for r in range(min(upto, top.shape[0])):
        for cell in top[r]:
            if cell:
                m = UNIT_NOTE.search(norm(cell))
                if m:
                    return m[1], FACTORS[m[1]]
    return None, None


def title_cell(top: np.ndarray, upto: int) -> tuple[int, int, str] | None:
    for r in range(min(upto, top.shape[0])):
        seen: set[str] = set()
        for c, t in enumerate(top[r]):
            if not t or t in seen:
                continue
            seen.add(t)
            if not UNIT_NOTE.search(norm(t)) and len(t) >= 4:
                return r, c, t
    return None


def _last_used_col(mask: np.ndarray) -> int:
    used = np.flatnonzero(mask.any(axis=0)) if mask.size else np.zeros(0, dtype=int)
    return int(used[-1]) + 1 if len(used) else 0


def _unique_header(name: str, taken: set[str], letter: str) -> str:
    if not name:
        name = f"{letter}列"
    if name in taken:
        name = f"{name}（{letter}列）"
    taken.add(name)
    return name


def _tail_notes(data: np.ndarray, hdr_end: int, last_record: int) -> list[tuple[int, int, str]]:
    """Text cells under the last record (notes, 截至…) as (row, col, text), 0-based sheet rows."""
    out = []
    for r in range(last_record + 1, min(data.shape[0], last_record + 15)):
        for c, v in enumerate(data[r].tolist()):
            if isinstance(v, str) and v.strip():
                out.append((r + hdr_end, c, v.strip()))
    return out


def read_sheet(path: Path | None, grid: SheetGrid, schema: Schema, header: Header, *,
               overrides: Mapping[str, str] | None = None, fixed: ReportPeriod | None = None,
               year_hint: int | None = None) -> SheetRead:
    """Read one sheet whose header is ``header``. ``fixed``: the ledger's period, when already known
    (a re-read with the period of all sheets); else the sheet's own sources decide."""
    name = grid.name
    file = str(path) if path is not None else None
    values = grid.values
    ncols = values.shape[1] if values.ndim == 2 else 0
    hdr_end = header.end
    top = filled_top(grid, min(values.shape[0], hdr_end))
    unit_name, note_factor = unit_note(top, hdr_end)
    title = title_cell(top, header.start)

    data = values[hdr_end:]
    nonempty = (data != "") if data.size else np.zeros((0, ncols), dtype=bool)
    header_used = np.array([bool(r) for r in header.raw])
    last_col = max(_last_used_col(nonempty), _last_used_col(header_used[None, :]) if len(header_used) else 0)
    has_data = np.zeros(max(ncols, last_col), dtype=bool)
    if nonempty.size:
        has_data[:ncols] = nonempty.any(axis=0)
    fields = schema.by_key

    # the period this sheet states, first from everything but the columns' choice, then again with it
    ytd_candidates = [c for c in range(min(last_col, len(header.keys))) if header.keys[c] == "ytd_completed"]
    plan_cols = {c for c in range(min(last_col, len(header.keys))) if header.keys[c] == "annual_plan"}
    provisional = period.resolve(
        period.sheet_sources(name, top, header, [], title, ytd_candidates, plan_cols), year_hint)
    use = fixed or provisional
    cols = columns.assign(header, last_col, schema, year=use.year, month=use.month,
                          hidden=grid.hidden_columns, has_data=has_data, overrides=overrides or {},
                          note_factor=note_factor, sheet=name, file=file)
    seen = {cm.key: cm for cm in cols.columns if cm.key}
    issues: list[Issue] = list(cols.issues)

    # which rows are records
    first_req = next((f.key for f in schema.fields if f.required), None)
    name_col = seen[first_req].index if first_req in seen else None
    seq_col = seen["seq"].index if "seq" in seen else None
    n = data.shape[0]
    amount_cols = [cm.index for cm in cols.columns if cm.key and fields[cm.key].kind == "amount"]
    label_norm: pd.Series = pd.Series([], dtype=object)
    name_norm: pd.Series = pd.Series([], dtype=object)
    names_series: pd.Series = pd.Series([], dtype="str")
    if n:
        first_idx = nonempty.argmax(axis=1)
        label_norm = _norm_series(cells.text_values(data[np.arange(n), first_idx]))
        names_series = (cells.text_column(data[:, name_col]) if name_col is not None
                        else pd.Series([None] * n, dtype="str"))
        name_norm = _norm_series(names_series.to_numpy(dtype=object))
        skip1, note1 = rows.classify(label_norm)
        skip2, note2 = rows.classify(name_norm)
        skip_label, is_note = skip1 | skip2, note1 | note2
        header_names = {header_text(x)[0] for x in fields[first_req].names} if first_req else set()
        repeated_header = name_norm.isin(header_names).to_numpy()
        in_notes = np.cumsum(is_note) > 0
        has_name = names_series.notna().to_numpy()
        has_number = np.zeros(n, dtype=bool)
        for c in amount_cols:
            has_number |= cells.is_number(data[:, c])
        keep = has_name & ~skip_label & ~is_note & ~repeated_header & ~(in_notes & ~has_number)
        orphan = ~has_name & has_number & ~skip_label & ~in_notes
        for i in np.flatnonzero(orphan):
            issues.append(Issue("warning", "这一行有金额但没有项目名称，未读取", name, int(hdr_end + i + 1),
                                None, file))
        if schema is LEDGER:
            keep = _packages(data, keep, has_number, skip_label, label_norm, names_series, seq_col, hdr_end,
                             name, file, issues, amount_cols, fields, cols.columns)
    else:
        keep = np.zeros(0, dtype=bool)
        skip_label = np.zeros(0, dtype=bool)
    rows_idx = np.flatnonzero(keep)
    body = data[rows_idx]
    excel_rows = rows_idx + hdr_end + 1
    body = cells.fill_merged_text(body, grid.merged, hdr_end, rows_idx, cols.columns, fields)

    # the final period of this sheet: with the completion column that was chosen
    ytd_col = seen["ytd_completed"].index if "ytd_completed" in seen else None
    last_record = int(rows_idx[-1]) if len(rows_idx) else -1
    tail = _tail_notes(data, hdr_end, last_record) if n else []
    sources = period.sheet_sources(name, top, header, tail, title, [ytd_col] if ytd_col is not None else [],
                                   plan_cols)
    own = period.resolve(sources, year_hint)
    use = fixed or own
    year, month = use.year, use.month

    frame: dict[str, Any] = {"row": pd.array(excel_rows, dtype="Int64"),
                             "sheet": pd.Series([name] * len(excel_rows), dtype="str")}
    done = {m: np.zeros(len(rows_idx), dtype=bool) for m in DONE_COLUMNS}
    for cm in cols.columns:
        if cm.key is None:
            continue
        f = fields[cm.key]
        col = body[:, cm.index]
        probs: cells.Problems
        if f.kind == "amount":
            vals, probs, from_text = cells.amount_column(col, cm.factor)
            frame[cm.key] = vals
            if from_text.any() and n:
                issues += _text_amounts_skipped(data, skip_label, label_norm, rows_idx, cm, vals, from_text,
                                                hdr_end, name, file, f.label)
        elif f.kind == "date":
            out, probs, parsed, codes, pos = cells.generic_column(col, lambda v: parse_date(v, year))
            frame[cm.key] = np.array(out, dtype="datetime64[us]")  # dates or None (NaT)
            if schema is LEDGER:
                for k, p in enumerate(parsed):
                    stated = getattr(p, "done", None)  # ParsedDate.done
                    if stated is None:
                        continue
                    milestone = stated or _MILESTONE_OF.get(cm.key)
                    if milestone is None:
                        continue
                    where = pos[codes == k]
                    for m in (milestone, *_IMPLIES.get(milestone, ())):
                        done[m][where] = True
                    word = _MILESTONE_WORDS[milestone]
                    typed = body[where[0], cm.index]
                    probs.append((where, "info", f"写的是“{typed}”，没有日期：按{word}处理"))
        elif f.kind == "rate":
            out, probs, *_ = cells.generic_column(col, parse_rate)
            frame[cm.key] = np.array([np.nan if v is None else v for v in out], dtype=float)
        else:
            frame[cm.key] = cells.text_values(col)
            probs = []
        for positions, sev, msg in probs:
            for p in positions.tolist():
                issues.append(Issue(sev, f"“{f.label}”：{msg}", name, int(excel_rows[p]), cm.letter, file))  # type: ignore[arg-type]
    if schema is LEDGER:
        this_month = f"m{month:02d}" if month else None
        if "month_completed" not in frame and this_month in frame:
            frame["month_completed"] = frame[this_month]
        if "name" in frame and len(rows_idx) and any(isinstance(v, str) and v.startswith("其中")
                                                     for v in frame["name"].tolist()):
            frame["name"] = np.array([rows.sub_name(v) if isinstance(v, str) else v
                                      for v in frame["name"].tolist()], dtype=object)
        for m, col_name in DONE_COLUMNS.items():
            frame[col_name] = done[m]
    projects = conform(frame, schema)

    taken: set[str] = set()
    extras = pd.DataFrame(
        {_unique_header(cm.header, taken, cm.letter): pd.Series(
            [None if v == "" else v for v in body[:, cm.index].tolist()], dtype=object)
         for cm in cols.columns if cm.key is None},
        index=projects.index)
    if schema is LEDGER:
        issues += duplicates(projects, seen, name, file)
    issues.sort(key=lambda i: (i.row or 0, len(i.column or ""), i.column or ""))
    amount_units = {cm.factor for cm in cols.columns if cm.key and fields[cm.key].kind == "amount"}
    unit = unit_name or ("亿元" if amount_units == {10000.0} else "万元")
    if unit in ("亿", "万"):
        unit += "元"
    title_text = title[2] if title else None
    layout = SheetLayout(name, list(range(header.start + 1, hdr_end + 1)), cols.columns, cols.owned, last_col,
                         title_text, unit)
    filled = any(k in projects.columns and projects[k].notna().any()
                 for k in ("ytd_completed", "month_completed", *[f"m{m:02d}" for m in range(1, 13)]))
    if n and name_col is not None:
        names = [t for t in name_norm.to_numpy()[rows_idx].tolist() if t]
    else:
        names = [norm(v) for v in projects["name"].dropna().tolist()] if "name" in projects.columns else []
    return SheetRead(name, header, layout, projects, extras, issues, cols.decisions, sources, own,
                     cols.ambiguities, names, filled, title_text, unit, {k for k in seen if k})


def _norm_series(values: np.ndarray) -> pd.Series:
    """Texts (None for empty) normalised as headers are ("" for empty), each distinct one once."""
    codes, uniques = cells.factorize(values)
    normed = np.array([norm(u) if isinstance(u, str) else "" for u in uniques.tolist()], dtype=object)
    return pd.Series(normed[codes], dtype=object)


def _packages(data: np.ndarray, keep: np.ndarray, has_number: np.ndarray, skip_label: np.ndarray,
              label_norm: pd.Series, names: pd.Series, seq_col: int | None, hdr_end: int, sheet: str,
              file: str | None, issues: list[Issue], amount_cols: list[int], fields: dict[str, Any],
              column_maps: list[ColumnMap]) -> np.ndarray:
    """Parent and sub rows (rows.packages): never counted twice."""
    seq_text = cells.text_values(data[:, seq_col]).tolist() if seq_col is not None else None
    sub_seqs = seq_text is not None and any(isinstance(t, str) and rows.SUB_SEQ.match(t)
                                            for t in set(seq_text))
    hint = rows.PACKAGE_OR_QIZHONG.search
    if not sub_seqs and not any(isinstance(t, str) and hint(t) for t in set(names.tolist())) \
            and not any(t.startswith("其中") for t in set(label_norm.tolist())):
        return keep
    name_list = [None if v is None or v != v else norm(str(v)) for v in names.tolist()]
    seqs: list[str | None] = ([None if t is None else norm(str(t)) for t in seq_text]
                              if seq_text is not None else [None] * len(name_list))
    found = rows.packages(label_norm.tolist(), name_list, seqs, keep, has_number, skip_label)
    if not found.groups:
        return keep
    keep = keep.copy()
    keep[found.not_read] = False
    keep[found.headings] = False
    keep[found.now_read] = True
    plan = next((cm for cm in column_maps if cm.key == "annual_plan"), None)
    for parent, subs, own in found.groups:
        first, last = hdr_end + subs[0] + 1, hdr_end + subs[-1] + 1
        where = f"第{first}行" if first == last else f"第{first}-{last}行"
        if own:
            msg = f"这是打包项目，其下{len(subs)}个子项目（{where}）不重复计入"
            if plan is not None:
                pv = cells.amount_column(data[[parent], plan.index], plan.factor)[0][0]
                sv = cells.amount_column(data[subs, plan.index], plan.factor)[0]
                subs_total = float(np.nansum(sv))
                differs = abs(subs_total - pv) > max(0.5, abs(pv) * 1e-4)
                if not np.isnan(pv) and not np.isnan(sv).all() and differs:
                    issues.append(Issue("warning", f"打包项目的“{fields['annual_plan'].label}”为{pv:g}万元，"
                                        f"其子项目合计为{subs_total:g}万元，两者不一致", sheet,
                                        hdr_end + parent + 1, plan.letter, file))
        else:
            msg = f"这一行是打包项目的标题（本行没有金额），按其下{len(subs)}个子项目（{where}）分别读取"
        issues.append(Issue("info", msg, sheet, hdr_end + parent + 1, None, file))
    return keep


def _text_amounts_skipped(data: np.ndarray, skip_label: np.ndarray, label_norm: pd.Series,
                          rows_idx: np.ndarray, cm: ColumnMap, vals: np.ndarray, from_text: np.ndarray,
                          hdr_end: int, sheet: str, file: str | None, label: str) -> list[Issue]:
    """Numbers typed as text that the sheet's own 合计 leaves out (Excel's SUM skips text)."""
    labels = label_norm.tolist()
    total_row = next((i for i in np.flatnonzero(skip_label).tolist()
                      if rows.GRAND_TOTAL.match(labels[i] or "")), None)
    if total_row is None:
        return []
    total = cells.amount_column(data[[total_row], cm.index], cm.factor)[0][0]
    if np.isnan(total) or not cells.is_number(data[[total_row], cm.index])[0]:
        return []
    numeric = float(np.nansum(np.where(from_text, np.nan, vals)))
    ours = float(np.nansum(vals))
    tol = max(0.5, abs(total) * 1e-4)
    if abs(total - numeric) > tol or abs(total - ours) <= tol:
        return []
    out = []
    for p in np.flatnonzero(from_text).tolist():
        excel_row = int(rows_idx[p]) + hdr_end + 1
        typed = data[rows_idx[p], cm.index]
        out.append(Issue("warning", f"“{label}”：“{typed}”是文本格式的数字，本表第{total_row + hdr_end + 1}行"
                         f"的合计没有计入它，keyproject按{vals[p]:g}万元计入；请把单元格改为数字格式，"
                         "使两处合计一致", sheet, excel_row, cm.letter, file))
    return out


def duplicates(projects: pd.DataFrame, seen: Mapping[str, ColumnMap], sheet: str,
               file: str | None) -> list[Issue]:
    out = []
    for key, what in (("name", "项目名称"), ("code", "项目编号")):
        if key not in seen:
            continue
        col = projects[key]
        dup = col.notna() & col.duplicated(keep=False)
        if not dup.any():
            continue
        values = col.tolist()
        rows_of = [int(r) for r in projects["row"].tolist()]
        first: dict[object, int] = {}
        for i in np.flatnonzero(dup.to_numpy()).tolist():
            if values[i] not in first:
                first[values[i]] = rows_of[i]
                continue
            msg = f"{what}“{values[i]}”与第{first[values[i]]}行重复"
            out.append(Issue("warning", msg, sheet, rows_of[i], seen[key].letter, file))
    return out
