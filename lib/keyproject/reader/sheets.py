"""Which sheets of a workbook hold the ledger.

Offices keep a ledger on one sheet, or on one sheet per 指挥部 / category / town (often with a 汇总
sheet of cross-sheet formulas in front), or as one copy per month (5月, 6月, 7月). Every worksheet is
looked at (chart, dialog and macro sheets and VBA modules are listed and skipped); each that has a
项目名称 header is read, and then:

1. a sheet with no project rows is skipped (unless it is the only one);
2. a summary is skipped: its names (or most of its amounts) are formulas citing other sheets, its rows
   are named after the other sheets, or a sheet named 汇总/总表 repeats the other sheets' projects;
3. a hidden sheet is skipped while visible sheets hold the ledger;
4. of month copies (two or more sheets named 5月, 6月, "2024年7月"…), the latest is the ledger and
   the others are skipped; a latest copy with no completion figures yet gives way to the one before
   it, with a warning; two copies of the same month are ambiguous;
5. a sheet whose columns have little in common with the main ledger sheet (a sheet named as the
   schema expects, else the one naming most fields) is skipped, with a warning;
6. sheets that hold mostly the same projects are copies, and the reader will not guess which copy is
   right: ``AmbiguousLedgerError`` lists them and names ``--sheet``;
7. every sheet left is read, in workbook order. When there are several and a sheet has no 指挥部 /
   类别 / 乡镇 / 责任单位 column, its name fills that field for its projects: 指挥部 names
   (…指挥部, …专班) fill command_post, category names (工业项目, 基础设施, 社会民生) fill category,
   town names (…镇, …街道, …园区) fill town, bureau names (…局, …委) fill unit, any other name fills
   command_post, and generic names (Sheet1) fill nothing.

``--sheet`` (or the 设置 key 台账工作表) names the sheet or sheets and bypasses all of this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from keyproject.errors import AmbiguousLedgerError, LedgerFileError
from keyproject.ledger import Issue, SheetDecision
from keyproject.reader.headers import HEADER_SCAN_ROWS, find_header, norm
from keyproject.reader.period import sheet_name_period
from keyproject.reader.settings import SETTINGS_SHEETS
from keyproject.reader.table import SheetRead, read_sheet
from keyproject.safety import KIND_LABELS, SheetInfo
from keyproject.schema import LEDGER, MILESTONES, PROBLEMS, Schema
from keyproject.xlsx import MemoryWorkbook, Workbook

SUMMARY_NAME = re.compile(r"汇总|总表|总台账|合计|总览|概况|全部项目|目录|封面")
_POST = re.compile(r"(?:指挥部|专班|推进组|工作组|攻坚组|战区)$")
_CATEGORY = re.compile(
    r"(?:工业|产业|基础设施|社会民生|民生|服务业|现代服务业|农业|农业农村|文旅|文化旅游|交通|水利|能源|城建|城镇建设|"
    r"房地产|生态环保|教育|卫生|社会事业|科技|商贸|物流|新基建|招商引资)(?:项目|类|类项目|领域)?")
_TOWN = re.compile(r"(?:镇|乡|街道|园区|开发区|高新区|新区|片区|社区)$")
_BUREAU = re.compile(r"(?:局|委|办|中心|公司|集团)$")
_GENERIC = re.compile(r"(?:sheet|工作表|表|台账|项目台账|重点项目|项目表|数据|第)\d*页?|\d+", re.I)
# fields that say what a ledger sheet is about; sheets that share few of them are different tables
_CORE = frozenset(("annual_plan", "ytd_completed", "total_investment", "month_completed", "planned_start",
                   "actual_start", "unit", "leader", "command_post", "progress_note", "ytd_plan",
                   *[f"m{m:02d}" for m in range(1, 13)]))


def name_field(sheet: str) -> str | None:
    """The field a project sheet's name stands for (see the module docstring)."""
    t = norm(sheet)
    if _POST.search(t):
        return "command_post"
    if _CATEGORY.fullmatch(t):
        return "category"
    if _TOWN.search(t):
        return "town"
    if _BUREAU.search(t):
        return "unit"
    if _GENERIC.fullmatch(t):
        return None
    return "command_post"


@dataclass
class Choice:
    reads: list[SheetRead]
    decisions: dict[str, SheetDecision]
    issues: list[Issue] = field(default_factory=list)
    fills: dict[str, str] = field(default_factory=dict)  # sheet → field its name fills


def _decision(s: SheetInfo, action: str, reason: str, message: str, read: SheetRead | None = None,
              fills: str | None = None) -> SheetDecision:
    rows = tuple(read.layout.header_rows) if read is not None else ()
    named = sheet_name_period(s.name)
    per = None
    if named is not None:
        per = f"{named[0]}年{named[1]}月" if named[0] else f"{named[1]}月"
    return SheetDecision(s.name, action, reason, message, s.kind, s.state, rows,  # type: ignore[arg-type]
                         len(read.projects) if read is not None and action == "read" else 0, fills, per)


def _overlap(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def _cross_share(wb: Workbook | MemoryWorkbook, read: SheetRead, keys: set[str] | None) -> float:
    """Share of a sheet's cells in the given columns (None: the amount columns) that are formulas
    citing other sheets."""
    cross_cells = wb.formula_stats(read.sheet)[1]
    if not cross_cells:  # the common case: no formula cites another sheet
        return 0.0
    cols = [cm for cm in read.layout.columns if cm.key and (cm.key in keys if keys is not None
                                                             else LEDGER[cm.key].kind == "amount")]
    valued = sum(int(read.projects[cm.key].notna().sum()) for cm in cols if cm.key in read.projects.columns)
    cross = sum(cross_cells.get(cm.index, 0) for cm in cols)
    return cross / valued if valued else (1.0 if cross else 0.0)


def choose(wb: Workbook | MemoryWorkbook, schema: Schema, sheet: str | list[str] | None, *,
           overrides: Mapping[str, str], year_hint: int | None) -> Choice:
    info = wb.info
    path = wb.path
    decisions: dict[str, SheetDecision] = {}
    for e in info.others:
        label = KIND_LABELS.get(e.kind, "非数据工作表")
        decisions[e.name] = _decision(e, "skipped", "not_worksheet", f"{label}，不含项目数据，跳过")

    def read_one(s: SheetInfo, required: bool) -> SheetRead | None:
        grid = wb.grid(s.name)
        header = find_header(grid, schema)
        if header is None:
            if required:
                req = next((f for f in schema.fields if f.required), schema.fields[0])
                raise LedgerFileError(f"不是{schema.title}：在前{HEADER_SCAN_ROWS}行没有找到“{req.label}”列",
                                      file=path, sheet=s.name, reason="not_ledger")
            return None
        return read_sheet(path, grid, schema, header, overrides=overrides, year_hint=year_hint)

    if sheet:
        named = sheet if isinstance(sheet, list) else [sheet]
        reads = []
        for n in named:
            s = info.sheet(n)
            r = read_one(s, True)
            assert r is not None
            reads.append(r)
            decisions[s.name] = _decision(s, "read", "selected", "按指定读取", r)
        for s in info.sheets:
            decisions.setdefault(s.name, _decision(s, "skipped", "not_selected", "未指定，未读取"))
        return Choice(reads, decisions)

    problems = set(PROBLEMS.sheet_names)
    milestones = set(MILESTONES.sheet_names)
    candidates: list[tuple[SheetInfo, SheetRead]] = []
    issues: list[Issue] = []
    too_large: list[SheetInfo] = []
    for s in info.sheets:
        if s.name in info.owned_sheets:
            decisions[s.name] = _decision(s, "skipped", "owned",
                                          "keyproject 之前刷新时生成的工作表，不是用户数据")
        elif s.name in SETTINGS_SHEETS:
            decisions[s.name] = _decision(s, "side", "settings", "设置表：读取其中的规则和读取设置")
        elif s.name in problems:
            decisions[s.name] = _decision(s, "side", "problems", "问题清单：作为问题台账读取")
        elif s.name in milestones:
            decisions[s.name] = _decision(s, "side", "milestones", "节点清单：不是项目台账")
        elif s.too_large:
            too_large.append(s)
            decisions[s.name] = _decision(s, "skipped", "too_large",
                                          f"数据范围过大（远到{s.far_cell}），为安全未读取；如其中有项目，请删除远处的多余内容后再试")
        else:
            r = read_one(s, False)
            if r is None:
                decisions[s.name] = _decision(s, "skipped", "no_header",
                                              f"前{HEADER_SCAN_ROWS}行没有“项目名称”列，不是台账")
            else:
                candidates.append((s, r))
    if not candidates:
        for s in too_large:
            wb.grid(s.name)  # raises the clear error about the sheet's extent
        req = next((f for f in schema.fields if f.required), schema.fields[0])
        raise LedgerFileError(f"不是{schema.title}：没有哪个工作表有“{req.label}”列", file=path,
                              reason="not_ledger")
    for s in too_large:
        issues.append(Issue("warning", decisions[s.name].message, s.name, None, None, str(path)))

    def drop(s: SheetInfo, r: SheetRead, reason: str, message: str, warn: bool = False) -> None:
        decisions[s.name] = _decision(s, "skipped", reason, message, r)
        if warn:
            issues.append(Issue("warning", f"未作为台账读取：{message}", s.name, None, None, str(path)))

    # 1. sheets with no projects
    if len(candidates) > 1:
        with_rows = [(s, r) for s, r in candidates if len(r.projects)]
        for s, r in candidates:
            if not len(r.projects) and with_rows:
                drop(s, r, "no_projects", "有表头但没有项目行")
        candidates = with_rows or candidates[:1]

    # 2. summaries
    if len(candidates) > 1:
        sheet_names = {norm(s.name) for s, _ in candidates} | {norm(n) for n in info.sheet_names}
        kept = []
        for s, r in candidates:
            others = [o for o, _ in candidates if o is not s]
            union = [n for o, orr in candidates if o is not s for n in orr.names]
            is_summary_name = bool(SUMMARY_NAME.search(norm(s.name)))
            names_are_sheets = sum(n in sheet_names for n in r.names) >= max(1, len(r.names) / 2)
            if _cross_share(wb, r, {"name"}) >= 0.5:
                why = "项目名称是引用其他工作表的公式，是汇总表"
            elif names_are_sheets:
                why = "各行是其他工作表的汇总（行名是工作表名），是汇总表"
            elif is_summary_name and (_cross_share(wb, r, None) >= 0.3 or _overlap(r.names, union) >= 0.8):
                why = "是汇总表（金额引用其他工作表或重复了其他工作表的项目）"
            elif _cross_share(wb, r, None) >= 0.5 and _overlap(r.names, union) >= 0.5:
                why = "金额是引用其他工作表的公式，且项目与其他工作表重复，是汇总表"
            else:
                kept.append((s, r))
                continue
            if others:
                drop(s, r, "summary", f"{why}，不计为项目")
            else:
                kept.append((s, r))
        candidates = kept or candidates

    # 3. hidden sheets
    visible = [(s, r) for s, r in candidates if s.state == "visible"]
    if visible and len(visible) < len(candidates):
        for s, r in candidates:
            if s.state != "visible":
                drop(s, r, "hidden", "隐藏的工作表，可见工作表中已有台账，未读取；如需读取请用 --sheet 指定",
                     warn=True)
        candidates = visible

    # 4. month copies
    months = [(s, r, sheet_name_period(s.name)) for s, r in candidates]
    dated = [(s, r, p) for s, r, p in months if p is not None]
    if len(dated) >= 2:
        years = [p[0] for _, _, p in dated if p[0] is not None]
        top_year = max(years) if years else None
        if not years and {p[1] for _, _, p in dated} >= {12, 1}:
            _ambiguous_sheets(path, "几个月份的工作表跨了年（有12月也有1月），看不出哪个最新",
                              [s for s, _, _ in dated])
        ordered = sorted(dated, key=lambda t: ((t[2][0] or top_year or 0), t[2][1]), reverse=True)
        latest_key = (ordered[0][2][0] or top_year, ordered[0][2][1])
        same = [t for t in ordered if (t[2][0] or top_year, t[2][1]) == latest_key]
        if len(same) > 1:
            _ambiguous_sheets(path, "有两个同一月份的工作表", [s for s, _, _ in same])
        chosen = ordered[0]
        if not chosen[1].filled:
            earlier = next((t for t in ordered[1:] if t[1].filled), None)
            if earlier is not None:
                drop(chosen[0], chosen[1], "unfilled_month",
                     f"是最新月份的工作表，但还没有填报完成投资，改按“{earlier[0].name}”读取", warn=True)
                chosen = earlier
        for s, r, _p in ordered:
            if s is chosen[0] or decisions.get(s.name) is not None:
                continue
            missing = sorted(set(r.names) - set(chosen[1].names))
            extra = f"；其中{len(missing)}个项目不在“{chosen[0].name}”中" if missing else ""
            drop(s, r, "older_month", f"较早月份的工作表，以最新的“{chosen[0].name}”为准{extra}")
        candidates = [(s, r) for s, r in candidates if s.name not in decisions or s is chosen[0]]
        decisions[chosen[0].name] = _decision(chosen[0], "read", "latest_month",
                                              "最新月份的工作表，作为台账读取", chosen[1])

    # 5. different layouts
    if len(candidates) > 1:
        preferred = [(s, r) for s, r in candidates if s.name in schema.sheet_names]
        ranked = sorted(candidates, key=lambda t: (-t[1].header.score, -len(t[1].projects)))
        primary = (preferred or ranked)[0]
        core = primary[1].fields & _CORE
        kept = []
        for s, r in candidates:
            mine = r.fields & _CORE
            if s is primary[0] or not core or len(mine & core) >= max(1, len(core | mine) / 2) \
                    or (mine and mine <= core) or (core <= mine):
                kept.append((s, r))
            else:
                drop(s, r, "different_layout",
                     f"也有“项目名称”列，但各列与台账工作表“{primary[0].name}”不同，不是同一种表；"
                     "如需读取请用 --sheet 指定",
                     warn=True)
        candidates = kept

    # 6. copies
    for i, (s, r) in enumerate(candidates):
        for s2, r2 in candidates[i + 1:]:
            if _overlap(r.names, r2.names) >= 0.5:
                _ambiguous_sheets(path, "几个工作表中的项目大部分相同（像是同一台账的副本），"
                                  "看不出以哪个为准", [s, s2])

    # 7. the sheets read
    reads = [r for _, r in candidates]
    fills: dict[str, str] = {}
    if len(candidates) > 1:
        for s, r in candidates:
            f = name_field(s.name)
            if f is not None and f not in r.fields:
                fills[s.name] = f
                note = f"本表没有“{LEDGER[f].label}”列，按工作表名“{s.name}”填写"
                issues.append(Issue("info", note, s.name, None, None, str(path)))
    for s, r in candidates:
        if s.name not in decisions:
            decisions[s.name] = _decision(s, "read", "projects", "作为台账读取", r, fills.get(s.name))
    return Choice(reads, decisions, issues, fills)


def _ambiguous_sheets(path: str | Path | None, message: str, sheets: list[SheetInfo]) -> None:
    names = tuple(s.name for s in sheets)
    labels = tuple(f"“{n}”" for n in names)
    raise AmbiguousLedgerError(message, what="sheet", candidates=names, labels=labels, option="--sheet",
                               setting="台账工作表", file=path)
