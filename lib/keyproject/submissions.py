"""Consolidating the monthly submissions of responsible units into the ledger.

Each unit sends its own workbook in its own layout; ``keyproject.reader.read_ledger`` reads any of
them. A submitted row belongs to a ledger project by code, else by normalised name
(``keyproject.names``: NFKC full/half width, no spaces, one kind of bracket, Simplified).

Rules (decided here, shown to users in the issues):
- "Newer": a submission whose report month (year and month) is before the ledger's is stale: the
  whole file is skipped with a warning and its rows are listed. A submission that states no report
  month is taken as current (unit forms often have no title row).
- Only figures the submission has (a column for the field and a non-empty cell) replace the
  ledger's; an empty submitted cell never blanks a ledger value.
- When the exact normalised name matches no project, the name without its bracketed parts
  ("县城污水管网提升改造工程（2023年）") is tried against the ledger's names without theirs; such a
  match must be unique on the ledger's side and is reported as a warning, so a person can check it.
- Two submitted rows for one project (in one file: a duplicate, listed as such; or in two files):
  for each field, the row of the later report month wins (warning naming both when they differ).
  Rows of the same report month that disagree are a conflict: neither wins, the ledger keeps its
  value, and a warning names every place.
- Nothing is dropped silently: every submitted row ends matched (``rows.status == "matched"``),
  unmatched (``.unmatched``) or stale (``.stale``); ``matched_count + len(unmatched) + len(stale)
  == submitted_count``.
- Every submitted file is accounted for (``Consolidation.submitted_files``): consolidated, or
  listed with the reason it could not be used — not a workbook format keyproject reads, a
  password, not a ledger, empty, damaged or unsafe, older than the ledger (stale), or none of its
  projects in the ledger. A folder gives every file in it (hidden files, Office lock files ``~$…``,
  ``Thumbs.db``/``desktop.ini`` and keyproject's own history files excepted), whatever its
  extension: a unit's ``.xls``, ``.et`` or ``.docx`` is listed, never skipped without a word.
- Who reported (``Consolidation.reporting``, see ``keyproject.engine.reporting``): a project is reported
  for the consolidated period when a matched row of a submission for that period (or of one that
  states no month, taken as current) names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keyproject.engine.reporting import Reporting
from keyproject.errors import KPError, LedgerFileError, where
from keyproject.ledger import Issue, Ledger
from keyproject.names import normalise_codes, normalise_names, without_brackets
from keyproject.safety import READABLE_SUFFIXES
from keyproject.schema import LEDGER

# fields a unit's submission may update, in ledger order
UPDATE_FIELDS: tuple[str, ...] = (
    "ytd_completed", "month_completed", *(f"m{m:02d}" for m in range(1, 13)), "signed_date", "land_date",
    "actual_start", "actual_completion", "production_date", "progress_note", "problems",
)

# files a submission is read from (through keyproject.reader.read_ledger, which decides by content);
# any other file in a submissions folder is listed as a format keyproject does not read
WORKBOOK_SUFFIXES = READABLE_SUFFIXES
# files a folder may hold that are nobody's submission
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})
_OWN_SUFFIXES = (".keyproject.sqlite", ".keyproject.sqlite-journal", ".keyproject.sqlite-wal",
                 ".keyproject.sqlite-shm")

# what users read about each submitted file (``SubmittedFile.status``)
FILE_STATUS: dict[str, str] = {
    "used": "已汇总",
    "format": "格式无法读取",
    "password": "设置了密码",
    "not_ledger": "不是项目报表",
    "empty": "没有项目数据",
    "damaged": "文件已损坏",
    "unsafe": "超出安全限制",
    "missing": "文件不存在",
    "unreadable": "无法读取",
    "stale": "报送月份早于台账",
    "unmatched": "项目均未与台账匹配",
}

_ROW_COLUMNS = ["file", "sheet", "row", "code", "name", "status", "project", "reason"]
_UPDATE_COLUMNS = ["project", "row", "name", "field", "label", "column", "old", "new", "file", "sheet",
                   "source_row"]


@dataclass(frozen=True)
class SubmittedFile:
    """One submitted file and what became of it."""

    path: Path
    status: str  # "used" or why not: a key of FILE_STATUS
    message: str | None = None  # Chinese detail (the reader's message)
    rows: int = 0  # submitted project rows read
    matched: int = 0  # rows matched to a ledger project and applied
    period: tuple[int, int] | None = None  # the submission's report month (year may be the ledger's)

    @property
    def used(self) -> bool:
        return self.status == "used"

    def __str__(self) -> str:
        text = f"文件“{self.path.name}”：{FILE_STATUS[self.status]}"
        if self.used:
            return f"{text}（{self.matched}/{self.rows}行与台账匹配）"
        return f"{text}（{self.message}）" if self.message else text


@dataclass
class Consolidation:
    """The ledger's projects with the submitted figures applied, and the account of every row."""

    projects: pd.DataFrame  # ledger.projects with updates applied (same index)
    updates: pd.DataFrame  # one row per changed cell; index = project label in ledger.projects
    issues: list[Issue]
    unmatched: pd.DataFrame  # file, sheet, row, code, name, reason
    matched_count: int
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ROW_COLUMNS))
    stale: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ROW_COLUMNS))
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ROW_COLUMNS))
    files: list[Path] = field(default_factory=list)
    # the newest report month among the ledger and the applied submissions, (year, month)
    report_period: tuple[int, int] | None = None
    # every submitted file, consolidated or with the reason it was not (see the module docstring)
    submitted_files: list[SubmittedFile] = field(default_factory=list)
    # which ledger projects a submission for report_period updated
    reporting: Reporting | None = None

    @property
    def submitted_count(self) -> int:
        return len(self.rows)

    @property
    def unused_files(self) -> list[SubmittedFile]:
        """The submitted files that could not be used (a refresh then exits 1)."""
        return [f for f in self.submitted_files if not f.used]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def summary(self) -> str:
        """One Chinese line for the CLI."""
        return (f"报送{len(self.files)}个文件共{self.submitted_count}行：匹配{self.matched_count}行，"
                f"未匹配{len(self.unmatched)}行，过期{len(self.stale)}行，重复{len(self.duplicates)}行；"
                f"更新{len(self.updates)}处")


def _own_or_system(f: Path) -> bool:
    name = f.name.lower()
    return (name.startswith(("~$", ".")) or name in _SYSTEM_FILES or name.endswith(_OWN_SUFFIXES))


def submission_files(sources: Sequence[str | Path], exclude: Sequence[str | Path] = ()) -> list[Path]:
    """The files named by ``sources``: files as given, every file of a folder (sorted; hidden files,
    lock files, system files and keyproject's history files skipped). ``exclude`` (e.g. the ledger
    itself) is left out."""
    skip = {Path(p).resolve() for p in exclude}
    out: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and not _own_or_system(f)))
        elif p.is_file():
            out.append(p)
        else:
            raise KPError("报送文件或文件夹不存在", file=p)
    seen: set[Path] = set()
    result = []
    for f in out:
        r = f.resolve()
        if r in skip or r in seen:
            continue
        seen.add(r)
        result.append(f)
    return result


def consolidate(ledger: Ledger, sources: Sequence[str | Path],
                read: Callable[[Path], Ledger] | None = None) -> Consolidation:
    """Read every submitted file in ``sources`` and consolidate them into ``ledger``.

    A file that cannot be used is listed in ``submitted_files`` with its reason and becomes an
    error issue; the others still count.
    """
    if read is None:
        from keyproject.reader import read_ledger

        read = read_ledger
    exclude = [ledger.path] if ledger.path is not None else []
    files = submission_files(sources, exclude=exclude)
    subs: list[Ledger] = []
    issues: list[Issue] = []
    refused: dict[Path, SubmittedFile] = {}
    for f in files:
        if f.suffix.lower() not in WORKBOOK_SUFFIXES:
            kind = f.suffix or "无扩展名"
            refused[f] = SubmittedFile(f, "format",
                                       f"不是能读取的工作簿格式（{kind}），请另存为 .xlsx 后重新报送")
        else:
            try:
                sub = read(f)
            except LedgerFileError as exc:
                refused[f] = SubmittedFile(f, exc.reason or "unreadable", exc.message)
            except KPError as exc:
                refused[f] = SubmittedFile(f, "unreadable", exc.message)
            else:
                if len(sub.projects) == 0:
                    refused[f] = SubmittedFile(f, "empty", "没有找到项目行")
                else:
                    subs.append(sub)
                    issues.extend(i for i in sub.issues if i.severity == "error")
        if f in refused:
            r = refused[f]
            issues.append(Issue("error", f"报送文件未能汇总（{FILE_STATUS[r.status]}）：{r.message}",
                                None, None, None, str(f)))
    result = consolidate_ledgers(ledger, subs)
    result.issues[:0] = issues
    result.files = files
    used = {f.path: f for f in result.submitted_files}
    result.submitted_files = [refused.get(f) or used.get(f) or SubmittedFile(f, "used") for f in files]
    return result


def _period(year: int | None, month: int | None, ref_year: int) -> float:
    """Months since year 0 (a missing year is the ledger's); NaN without a month."""
    if month is None:
        return np.nan
    return float((year or ref_year) * 12 + month)


def _unique_map(keys: pd.Series) -> tuple[dict[str, Any], set[str]]:
    """key → index label for keys that occur once; the set of keys that occur more than once."""
    k = keys.dropna()
    counts = k.value_counts()
    dup = set(counts.index[counts > 1])
    single = k[~k.isin(dup)]
    return dict(zip(single.to_numpy(), single.index, strict=True)), dup


def _rows_frame(sub: Ledger, ledger_period: float, ref_year: int) -> pd.DataFrame:
    p = sub.projects
    file = str(sub.path) if sub.path is not None else ""
    # a submission without a report month is taken as current: the ledger's own period
    period = _period(sub.report_year, sub.report_month, ref_year)
    dated = not np.isnan(period)
    if not dated:
        period = ledger_period
    frame = pd.DataFrame({
        "file": file,
        "sheet": sub.sheet,
        "row": p["row"].astype("Int64") if "row" in p.columns else pd.array([pd.NA] * len(p), "Int64"),
        "code": p["code"] if "code" in p.columns else None,
        "name": p["name"],
        "period": period,
        "dated": dated,
    }, index=pd.RangeIndex(len(p)))
    present = [f for f in UPDATE_FIELDS if sub.column_of(f) is not None and f in p.columns]
    for f in present:
        frame[f] = p[f].to_numpy()
    return frame


def _vkey(values: pd.Series, kind: str) -> pd.Series:
    """A comparable text form of each value (None when missing or blank)."""
    if kind == "amount":
        v = pd.to_numeric(values, errors="coerce").round(4)
        return v.map(lambda x: repr(float(x)), na_action="ignore")
    if kind == "date":
        v = pd.to_datetime(values, errors="coerce")
        return v.dt.strftime("%Y-%m-%d")
    s = values.astype("str").str.strip()
    return s.where(s.notna() & (s != ""))


def _show(value: Any, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "空"
    if kind == "amount":
        return f"{float(value):g}"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    text = str(value)
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def _text(value: object) -> str | None:
    """A file or sheet name from a frame's cell (blank: None)."""
    return str(value) if isinstance(value, str) and value else None


def _line(row: object) -> int | None:
    """An Excel row number from a frame's cell (missing: None)."""
    if isinstance(row, (int, float, np.integer, np.floating)) and not isinstance(row, bool) and row == row:
        return int(row)
    return None


def _at(message: str, file: object, sheet: object, row: object) -> Issue:
    """A warning located at a submitted row."""
    return Issue("warning", message, _text(sheet), _line(row), None, _text(file))


def _place(file: object, sheet: object, row: object) -> str:
    return where(_text(file), _text(sheet), _line(row))


def consolidate_ledgers(ledger: Ledger, submissions: Sequence[Ledger]) -> Consolidation:
    """Consolidate already-read submissions into ``ledger`` (see the module docstring for the rules)."""
    projects = ledger.projects
    issues: list[Issue] = []
    ledger_file = str(ledger.path) if ledger.path is not None else None
    ref_year = ledger.report_year or next((s.report_year for s in submissions if s.report_year), 0)
    ledger_period = _period(ledger.report_year, ledger.report_month, ref_year)

    codes = normalise_codes(projects["code"]) if "code" in projects.columns else pd.Series(
        None, index=projects.index, dtype=object)
    names = normalise_names(projects["name"])
    code_map, code_dup = _unique_map(codes)
    name_map, name_dup = _unique_map(names)
    loose_map, _ = _unique_map(without_brackets(names))

    frames = [_rows_frame(s, ledger_period, ref_year) for s in submissions]
    if frames:
        rows = pd.concat(frames, ignore_index=True)
    else:
        rows = pd.DataFrame(columns=["file", "sheet", "row", "code", "name", "period", "dated"])

    # match: code first, then name
    scode = normalise_codes(rows["code"].astype(object)) if len(rows) else pd.Series(dtype=object)
    sname = normalise_names(rows["name"].astype(object)) if len(rows) else pd.Series(dtype=object)
    by_code = scode.map(code_map)
    by_name = sname.map(name_map)
    project = by_code.where(by_code.notna(), by_name)
    by_loose = without_brackets(sname).map(loose_map).where(project.isna() & ~sname.isin(name_dup))
    project = project.where(project.notna(), by_loose)
    reason = pd.Series("", index=rows.index, dtype=object)
    unmatched_mask = project.isna()
    reason[unmatched_mask] = "台账中没有编号或名称相同的项目"
    reason[unmatched_mask & sname.isin(name_dup)] = "台账中有多个同名项目，且无可用的项目编号"
    reason[unmatched_mask & scode.isin(code_dup)] = "台账中有多个项目使用此编号"
    reason[unmatched_mask & sname.isna()] = "项目名称为空"

    stale_mask = ~unmatched_mask & (rows["period"] < ledger_period) if len(rows) else unmatched_mask
    status = pd.Series("matched", index=rows.index, dtype=object)
    status[unmatched_mask] = "unmatched"
    status[stale_mask] = "stale"
    reason[stale_mask] = "报送月份早于台账月份，未采用"
    rows = rows.assign(status=status, project=project, reason=reason)

    # stale files: one warning each
    for file, grp in rows[rows["status"] == "stale"].groupby("file", sort=False):
        sub = next(s for s in submissions if (str(s.path) if s.path is not None else "") == file)
        issues.append(Issue("warning", f"报送数据为{sub.report_year or ''}年{sub.report_month}月，早于台账的"
                            f"{ledger.report_year}年{ledger.report_month}月，{len(grp)}行未采用",
                            sub.sheet, None, None, _text(file)))
    for _, r in rows[rows["status"] == "unmatched"].iterrows():
        issues.append(_at(f"报送项目“{r['name']!s}”未能与台账匹配（{r['reason']!s}）",
                          r["file"], r["sheet"], r["row"]))

    for i in by_loose.index[by_loose.notna()]:
        r = rows.loc[i]
        target = projects.at[r["project"], "name"]
        issues.append(_at(f"报送项目“{r['name']!s}”按去掉括号内容后的名称与台账项目“{target!s}”匹配，请核对",
                          r["file"], r["sheet"], r["row"]))

    # duplicates within one file
    live = rows[rows["status"] == "matched"]
    dup_mask = live.duplicated(["file", "project"], keep="first")
    first_row = live[~dup_mask].set_index(["file", "project"])["row"]
    dup_rows = live[dup_mask]
    for i, r in dup_rows.iterrows():
        first = first_row.loc[(r["file"], r["project"])]
        issues.append(_at(f"重复报送：与第{first}行为同一项目“{r['name']}”", r["file"], r["sheet"], r["row"]))
        rows.loc[i, "reason"] = f"与第{first}行重复"

    updates, field_issues = _resolve(live, projects, ledger)
    issues.extend(field_issues)

    new_projects = projects.copy()
    for f, grp in updates.groupby("field", sort=False):
        new_projects.loc[grp["project"].to_list(), f] = pd.Series(
            grp["new"].to_list(), index=grp["project"].to_list()).astype(projects[f].dtype)

    missing_cols = updates.loc[updates["column"].isna(), "field"].value_counts()
    for key, n in missing_cols.items():
        name = LEDGER[str(key)].label
        issues.append(Issue("warning", f"台账没有“{name}”列：{n}个项目的报送数值只用于本次计算，"
                            f"未写回台账", ledger.sheet, None, None, ledger_file))

    periods = [p for p in [ledger_period, *live["period"].tolist()] if not np.isnan(p)]
    report_period = None
    if periods and ref_year:
        top = int(max(periods))
        report_period = ((top - 1) // 12, (top - 1) % 12 + 1)

    def _listing(mask: pd.Series) -> pd.DataFrame:
        return rows.loc[mask, _ROW_COLUMNS].reset_index(drop=True)

    reporting = None
    if report_period is not None:
        top_period = float(report_period[0] * 12 + report_period[1])
        current = live[(live["period"] == top_period) | ~live["dated"].astype(bool)]
        reporting = Reporting(report_period, pd.Series(projects.index.isin(set(current["project"])),
                                                       index=projects.index, dtype=bool))

    return Consolidation(
        projects=new_projects,
        updates=updates,
        issues=issues,
        unmatched=_listing(rows["status"] == "unmatched")[["file", "sheet", "row", "code", "name", "reason"]],
        matched_count=int((rows["status"] == "matched").sum()),
        rows=rows[_ROW_COLUMNS].reset_index(drop=True),
        stale=_listing(rows["status"] == "stale"),
        duplicates=rows.loc[dup_rows.index, _ROW_COLUMNS].reset_index(drop=True),
        report_period=report_period,
        submitted_files=_file_outcomes(submissions, rows),
        reporting=reporting,
    )


def _file_outcomes(submissions: Sequence[Ledger], rows: pd.DataFrame) -> list[SubmittedFile]:
    """Each read submission: used when a row of it matched, else stale or unmatched."""
    out = []
    for sub in submissions:
        if sub.path is None:
            continue
        mine = rows[rows["file"] == str(sub.path)]
        matched = int((mine["status"] == "matched").sum())
        period = (sub.report_year or 0, sub.report_month) if sub.report_month else None
        if matched:
            status, message = "used", None
        elif len(mine) and (mine["status"] == "stale").all():
            status, message = "stale", f"报送的是{sub.report_month}月数据，早于台账，未采用"
        else:
            status, message = "unmatched", f"{len(mine)}个项目均未能与台账匹配"
        out.append(SubmittedFile(Path(sub.path), status, message, rows=len(mine), matched=matched,
                                 period=period))
    return out


def _resolve(live: pd.DataFrame, projects: pd.DataFrame, ledger: Ledger) -> tuple[pd.DataFrame, list[Issue]]:
    """Per project and field: the value that wins, conflicts reported; returns the changed cells."""
    issues: list[Issue] = []
    out: list[pd.DataFrame] = []
    for f in UPDATE_FIELDS:
        if f not in live.columns:
            continue
        kind = LEDGER[f].kind
        vals = live[["file", "sheet", "row", "name", "project", "period", f]].rename(columns={f: "value"})
        vals = vals.assign(key=_vkey(vals["value"], kind).to_numpy())
        vals = vals[vals["key"].notna()]
        if vals.empty:
            continue
        # later report month wins; older rows that differ are reported
        top = vals.groupby("project")["period"].transform("max")
        newest = vals[vals["period"] == top]
        older = vals[vals["period"] < top]
        nkeys = newest.groupby("project")["key"].nunique()
        conflicted = set(nkeys.index[nkeys > 1])
        label = LEDGER[f].label
        for proj, grp in newest[newest["project"].isin(conflicted)].groupby("project", sort=False):
            places = "；".join(f"{_place(r.file, r.sheet, r.row)}为{_show(r.value, kind)}"
                              for r in grp.itertuples())
            old = projects.at[proj, f]
            first = grp.iloc[0]
            issues.append(_at(
                f"项目“{projects.at[proj, 'name']!s}”的“{label}”报送不一致：{places}；均未采用，保留台账原值"
                f"{_show(old, kind)}", first["file"], first["sheet"], first["row"]))
        winners = newest[~newest["project"].isin(conflicted)].drop_duplicates("project", keep="last")
        if not older.empty:
            w = winners.set_index("project")
            for r in older[older["project"].isin(w.index)].itertuples():
                win = w.loc[r.project]  # type: ignore[index]  # itertuples' fields are untyped
                if win["key"] != r.key:
                    issues.append(_at(
                        f"项目“{projects.at[r.project, 'name']!s}”的“{label}”有两份报送："
                        f"{_place(r.file, r.sheet, r.row)}为{_show(r.value, kind)}，"
                        f"{_place(win['file'], win['sheet'], win['row'])}为{_show(win['value'], kind)}；"
                        f"采用报送月份较新的后者", r.file, r.sheet, r.row))
        old_vals = projects.loc[winners["project"].to_list(), f]
        old_keys = pd.Series(_vkey(old_vals, kind).to_numpy(), index=winners.index, dtype=object)
        changed = winners[winners["key"] != old_keys]  # NaN (no old value) compares unequal
        if changed.empty:
            continue
        col = ledger.column_of(f)
        new = changed["value"]
        if kind == "amount":
            new = pd.to_numeric(new, errors="coerce").astype("float64")
        elif kind == "date":
            new = pd.to_datetime(new, errors="coerce").astype("datetime64[us]")
        else:
            new = new.astype("str").str.strip()
        out.append(pd.DataFrame({
            "project": changed["project"].to_numpy(),
            "row": projects.loc[changed["project"].to_list(), "row"].to_numpy()
            if "row" in projects.columns else pd.NA,
            "name": projects.loc[changed["project"].to_list(), "name"].to_numpy(),
            "field": f,
            "label": label,
            "column": col.letter if col is not None else None,
            "old": projects.loc[changed["project"].to_list(), f].astype(object).to_numpy(),
            "new": new.astype(object).to_numpy(),
            "file": changed["file"].to_numpy(),
            "sheet": changed["sheet"].to_numpy(),
            "source_row": changed["row"].to_numpy(),
        }))
    updates = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=_UPDATE_COLUMNS)
    updates["old"] = updates["old"].astype(object)
    updates["new"] = updates["new"].astype(object)
    updates.index = pd.Index(updates["project"].to_list())
    return updates, issues
