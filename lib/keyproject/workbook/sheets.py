"""keyproject's own sheets, replaced on every refresh: 汇总, 红黄绿灯, 排名, 问题清单, 通报.

Which sheets are keyproject's is recorded in a custom document property of the workbook, so a later
refresh replaces exactly those. A user's sheet that happens to carry one of these names is never
touched: keyproject writes its sheet under "名称(keyproject)" instead and says so.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from keyproject.schema import LEDGER, OWNED_COLUMNS_PROPERTY, OWNED_SHEETS_PROPERTY
from keyproject.workbook.cells import (
    BORDER,
    FMT_AMOUNT,
    FMT_DATE,
    FMT_POINTS,
    FMT_RATE,
    HEADER_ALIGN,
    HEADER_FILL,
    HEADER_FONT,
    LIGHT_FILLS,
    LIGHT_FONTS,
    LIGHT_LABELS,
    TITLE_FONT,
    WRAP_ALIGN,
    put,
    restyle,
)

SUMMARY, LIGHTS, RANKING, PROBLEMS, BULLETIN = "汇总", "红黄绿灯", "排名", "问题清单", "通报"
SHEETS = (SUMMARY, LIGHTS, RANKING, PROBLEMS, BULLETIN)
PROP_SHEETS = OWNED_SHEETS_PROPERTY
PROP_COLUMNS = OWNED_COLUMNS_PROPERTY

# Chinese labels of report keys (fields of the ledger come from the schema)
LABELS: dict[str, str] = {f.key: f.label for f in LEDGER.fields}
LABELS.update({
    "projects": "项目个数", "count": "项目个数", "total_investment": "总投资（万元）",
    "annual_plan": "年度计划投资（万元）", "ytd_completed": "本年累计完成投资（万元）",
    "plan": "年度计划投资（万元）",
    "completed": "本年累计完成投资（万元）", "completion_rate": "完成率", "gap_points": "差距（百分点）",
    "gap": "差距（百分点）", "double_half": "双过半", "spi": "进度绩效指数SPI", "time_progress": "序时进度",
    "green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "未评灯", "rank": "名次", "group": "分组",
    "unit": "责任单位", "town": "乡镇", "command_post": "指挥部", "leader": "包保领导", "name": "项目名称",
    "start_rate": "开工率", "completion_rate_projects": "竣工率", "light": "灯号", "light_reasons": "原因",
    "open": "未销号", "closed": "已销号", "overdue": "已超期", "due_soon": "即将到期", "total": "合计",
    "closure_rate": "销号率", "three_class": "三类项目", "stage": "阶段", "band": "规模", "label": "项目",
    "value": "数值", "planned": "应开工", "started": "已开工", "problem": "问题描述", "project": "项目名称",
    "deadline": "完成时限", "status": "办理状态", "days_overdue": "超期天数", "state": "状态",
    "pv": "计划价值PV", "ev": "挣值EV", "as_of": "截至日期", "min": "下限（万元）", "done": "已完成",
    "source": "来源",
})
GROUP_LABELS = {"unit": "责任单位", "command_post": "指挥部", "town": "乡镇", "leader": "包保领导",
                "category": "项目类别", "level": "项目级别"}


def label(key: Any) -> str:
    return LABELS.get(str(key), str(key))


def _fmt_for(key: str, value: Any) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return FMT_DATE if isinstance(value, (dt.date, dt.datetime)) else None
    k = str(key)
    if "rate" in k or k in ("time_progress", "share"):
        return FMT_RATE
    if "gap" in k:
        return FMT_POINTS
    if k == "spi":
        return "0.00"
    if k in ("projects", "count", "rank", "green", "yellow", "red", "none") or isinstance(value, int):
        return "0"
    return FMT_AMOUNT


def _clean(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# -- ownership -------------------------------------------------------------------------------------
def _prop(wb: Workbook, name: str) -> Any:
    for p in wb.custom_doc_props.props:
        if p.name == name:
            try:
                return json.loads(p.value)
            except (TypeError, ValueError):
                return None
    return None


def _set_prop(wb: Workbook, name: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    props = wb.custom_doc_props
    for p in list(props.props):
        if p.name == name:
            props.props.remove(p)
    props.append(StringProperty(name=name, value=text))


def owned_sheets(wb: Workbook) -> list[str]:
    value = _prop(wb, PROP_SHEETS)
    return [str(v) for v in value] if isinstance(value, list) else []


def recorded_columns(wb: Workbook, sheet: str) -> dict[str, str]:
    value = _prop(wb, PROP_COLUMNS)
    if isinstance(value, dict) and isinstance(value.get(sheet), dict):
        return {str(k): str(v) for k, v in value[sheet].items()}
    return {}


def record_columns(wb: Workbook, sheet: str, letters: Mapping[str, str]) -> None:
    value = _prop(wb, PROP_COLUMNS)
    value = value if isinstance(value, dict) else {}
    value[sheet] = dict(letters)
    _set_prop(wb, PROP_COLUMNS, value)


def _fresh_sheet(wb: Workbook, name: str, owned: set[str], warnings: list[str]) -> Worksheet:
    """An empty sheet for ``name``: keyproject's old one replaced in place, a user's left alone."""
    candidate = name
    n = 0
    while candidate in wb.sheetnames and candidate not in owned:
        n += 1
        candidate = f"{name}(keyproject)" if n == 1 else f"{name}(keyproject{n})"
    if candidate != name:
        warnings.append(f"工作簿中已有用户自己的工作表“{name}”，未作改动；"
                        f"keyproject 的{name}写在“{candidate}”")
    if candidate in wb.sheetnames:
        old = wb[candidate]
        index = wb.sheetnames.index(candidate)
        wb.remove(old)
        return wb.create_sheet(candidate, index)
    return wb.create_sheet(candidate)


# -- layout helpers --------------------------------------------------------------------------------
def _width(value: Any, limit: int = 60) -> float:
    """Display width in Excel character units (a CJK character counts two)."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else (f"{value:,.2f}" if isinstance(value, float) else str(value))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:limit]) + 2


class _Writer:
    """Writes blocks (titles, key/value lists, tables) down a sheet, tracking column widths."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, float]] = []  # (row, column, text width) of wrapping cells

    def _note(self, col: int, value: Any, cap: float = 40) -> None:
        self.widths[col] = min(max(self.widths.get(col, 8), _width(value)), cap)

    def title(self, text: str) -> None:
        put(self.ws.cell(row=self.row, column=1), text).font = TITLE_FONT
        self.row += 2

    def heading(self, text: str) -> None:
        put(self.ws.cell(row=self.row, column=1), text).font = HEADER_FONT
        self.row += 1

    def header(self, labels: Sequence[str]) -> int:
        for j, text in enumerate(labels, start=1):
            c = put(self.ws.cell(row=self.row, column=j), text)
            c.font, c.fill, c.alignment, c.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, BORDER
            self._note(j, text, 12)  # headers wrap; the data sets the width
            self.wrapped.append((self.row, j, _width(text)))
        self.row += 1
        return self.row - 1

    def cell(self, col: int, value: Any, key: str = "", wrap: bool = False) -> Any:
        value = _clean(value)
        c = put(self.ws.cell(row=self.row, column=col), value)
        fmt = _fmt_for(key, c.value)
        restyle(c, ("cell", fmt, wrap), _cell_style(fmt, wrap))
        if wrap:
            self._note(col, value, 36)
            self.wrapped.append((self.row, col, _width(c.value, 2000)))
        else:
            self._note(col, c.value if fmt is None else (f"{c.value:,.2f}" if fmt == FMT_AMOUNT else c.value))
        return c

    def pairs(self, items: Iterable[tuple[str, Any]], key_header: str = "项目",
              value_header: str = "数值") -> None:
        self.header([key_header, value_header])
        for key, value in items:
            self.cell(1, label(key))
            self.cell(2, value, key)
            self.row += 1
        self.row += 1

    def table(self, records: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None,
              lights: bool = True, wrap: Sequence[str] = (), names: Mapping[str, str] | None = None) -> None:
        if not records:
            put(self.ws.cell(row=self.row, column=1), "（无）")
            self.row += 2
            return
        keys = list(keys or [k for k in records[0] if not isinstance(records[0][k], (dict, list))])
        self.header([(names or {}).get(k) or label(k) for k in keys])
        for rec in records:
            for j, k in enumerate(keys, start=1):
                v = rec.get(k)
                if k == "light" and lights:
                    light_cell(self.cell(j, LIGHT_LABELS.get(v, v) if isinstance(v, str) else None), v)
                else:
                    self.cell(j, v, k, wrap=k in wrap)
            self.row += 1
        self.row += 1

    def block(self, title: str, obj: Any) -> None:
        """Any JSON-like structure: a dict of scalars, a list of records, or nested of those."""
        if obj is None:
            return
        if isinstance(obj, pd.DataFrame):
            obj = _records(obj)
        if isinstance(obj, Mapping):
            scalars = [(k, v) for k, v in obj.items() if not isinstance(v, (Mapping, list, pd.DataFrame))]
            if scalars:
                self.heading(title)
                self.pairs(scalars)
            for k, v in obj.items():
                if isinstance(v, (Mapping, list, pd.DataFrame)):
                    self.block(f"{title}：{label(k)}", v)
        elif isinstance(obj, list):
            self.heading(title)
            if obj and all(isinstance(r, Mapping) for r in obj):
                self.table(obj, wrap=("problem", "light_reasons", "problems", "note"))
            else:
                for v in obj:
                    self.cell(1, v)
                    self.row += 1
                self.row += 1

    def finish(self, freeze: str | None = None, print_rows: str | None = None) -> None:
        for col, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = round(w, 1)
        # spreadsheet programs do not grow rows for wrapped text written by openpyxl: set heights
        lines: dict[int, int] = {}
        for r, col, need in self.wrapped:
            have = max(self.widths.get(col, 8) - 1, 1)
            lines[r] = max(lines.get(r, 1), math.ceil(need / have))
        for r, n in lines.items():
            if n > 1:
                self.ws.row_dimensions[r].height = 14.5 * n
        if freeze:
            self.ws.freeze_panes = freeze
        if print_rows:
            self.ws.print_title_rows = print_rows
        print_well(self.ws)


def print_well(ws: Worksheet) -> None:
    """Landscape A4, fit to one page wide, centred."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _cell_style(fmt: str | None, wrap: bool) -> Callable[[Any], None]:
    def apply(c: Any) -> None:
        c.border = BORDER
        if fmt:
            c.number_format = fmt
        if wrap:
            c.alignment = WRAP_ALIGN

    return apply


def _light_style(light: str) -> Callable[[Any], None]:
    def apply(c: Any) -> None:
        c.fill = LIGHT_FILLS[light]
        c.font = LIGHT_FONTS[light]

    return apply


def light_cell(cell: Any, light: Any) -> None:
    if isinstance(light, str) and light in LIGHT_FILLS:
        restyle(cell, ("light_cell", light), _light_style(light))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    if df is None or len(df) == 0:
        return []
    frame = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return out


def _as_of_text(as_of: Any) -> str:
    d = pd.Timestamp(as_of)
    return f"{d.year}年{d.month}月{d.day}日"


# -- the sheets ------------------------------------------------------------------------------------
def write_summary(ws: Worksheet, report: Any, data: Mapping[str, Any]) -> None:
    w = _Writer(ws)
    w.title(f"重点项目推进情况汇总（截至{_as_of_text(report.as_of)}）")
    totals = dict(data.get("totals") or {})
    items = [("time_progress", data.get("time_progress")), *totals.items()]
    w.heading("总体情况")
    w.pairs(items)
    w.heading("红黄绿灯")
    lights = data.get("lights") or {}
    w.header(["灯号", "项目个数"])
    for key in ("red", "yellow", "green", "none"):
        if key in lights:
            light_cell(w.cell(1, label(key)), key)
            w.cell(2, lights[key], "count")
            w.row += 1
    w.row += 1
    for key, title in (("size_bands", "规模"), ("three_classes", "三类项目")):
        if data.get(key) is not None:
            w.block(title, data[key])
    projects = report.projects
    if "stage" in projects.columns:
        counts = projects["stage"].fillna("（未填）").value_counts(sort=False)
        w.heading("项目阶段")
        w.pairs([(str(k), int(v)) for k, v in counts.items()], "阶段", "项目个数")
    rates = [(k, data.get(k)) for k in ("start_rate", "completion_rate_projects") if data.get(k) is not None]
    for key, value in rates:
        w.block(label(key), value if isinstance(value, (Mapping, list)) else {key: value})
    w.finish()


_LIGHT_KEYS = ["light", "name", "unit", "leader", "command_post", "annual_plan", "ytd_completed",
               "completion_rate", "gap_points", "light_reasons", "problems"]


def write_lights(ws: Worksheet, report: Any, light_label: Callable[[str], str]) -> int:
    """Every red and yellow project with its reasons; returns how many."""
    w = _Writer(ws)
    w.title(f"红黄灯项目（截至{_as_of_text(report.as_of)}）")
    p = report.projects
    keys = [k for k in _LIGHT_KEYS if k in p.columns]
    order = {"red": 0, "yellow": 1}
    sel = p[p["light"].isin(order)] if "light" in p.columns else p.iloc[0:0]
    sel = sel.assign(_o=sel["light"].map(order))
    sort = ["_o", "gap_points"] if "gap_points" in sel.columns else ["_o"]
    sel = sel.sort_values(sort, kind="stable", na_position="last")
    head = w.header(["序号", *(label(k) for k in keys)])
    cols = {k: sel[k].to_numpy(dtype=object) for k in keys}
    wrap = {"light_reasons", "problems"}
    for i in range(len(sel)):
        w.cell(1, i + 1)
        for j, k in enumerate(keys, start=2):
            v = cols[k][i]
            if k == "light":
                light_cell(w.cell(j, light_label(v)), v)
            elif k in wrap:
                w.cell(j, v if not isinstance(v, float) else None, k, wrap=True)
            else:
                w.cell(j, v, k)
        w.row += 1
    w.finish(freeze=f"C{head + 1}", print_rows=f"{head}:{head}")
    return len(sel)


def write_ranking(ws: Worksheet, report: Any, data: Mapping[str, Any]) -> None:
    w = _Writer(ws)
    w.title(f"比学赶超排名（截至{_as_of_text(report.as_of)}）")
    rankings = report.rankings if isinstance(getattr(report, "rankings", None), Mapping) else {}
    for group, frame in (rankings or data.get("rankings") or {}).items():
        w.heading(f"按{GROUP_LABELS.get(group, label(group))}排名")
        records = _records(frame) if isinstance(frame, pd.DataFrame) else list(frame or [])
        w.table(records, names={"group": GROUP_LABELS.get(group, label(group))})
    for key, title in (("red_list", "红榜"), ("black_list", "黑榜")):
        value = getattr(report, key, None)
        if value is None:
            value = data.get(key)
        records = _records(value) if isinstance(value, pd.DataFrame) else value
        w.heading(title)
        if isinstance(records, list) and records and isinstance(records[0], Mapping):
            by = getattr(getattr(report, "rules", None), "list_by", "unit")
            w.table(records, names={"group": GROUP_LABELS.get(by, label(by))})
        elif records:
            for v in records:
                w.cell(1, v)
                w.row += 1
            w.row += 1
        else:
            put(ws.cell(row=w.row, column=1), "（无）")
            w.row += 2
    w.finish()


_PROBLEM_KEYS = ["project", "problem", "unit", "deadline", "status", "days_overdue"]


def write_problems(ws: Worksheet, report: Any, data: Mapping[str, Any]) -> None:
    """Counts, per unit, then the overdue, the other open and the closed problems."""
    w = _Writer(ws)
    w.title(f"问题清单（截至{_as_of_text(report.as_of)}）")
    summary = data.get("problems") or {}
    if not summary or not summary.get("total"):
        put(ws.cell(row=w.row, column=1), "（未发现问题记录）")
        w.finish()
        return
    w.heading("问题办理情况")
    w.pairs([(k, summary.get(k)) for k in ("total", "open", "closed", "overdue", "due_soon", "closure_rate")
             if k in summary])
    if summary.get("by_unit"):
        w.heading("按责任单位")
        w.table(summary["by_unit"])
    items = getattr(getattr(report, "problems", None), "items", None)
    if isinstance(items, pd.DataFrame) and len(items) and {"closed", "overdue"} <= set(items.columns):
        closed = items["closed"].fillna(False).astype(bool)
        overdue = items["overdue"].fillna(False).astype(bool) & ~closed
        if "days_overdue" in items.columns:
            items = items.sort_values("days_overdue", ascending=False, na_position="last", kind="stable")
            closed, overdue = closed.loc[items.index], overdue.loc[items.index]
        keys = [k for k in _PROBLEM_KEYS if k in items.columns]
        parts = (("超期未销号问题", overdue, keys), ("其他未销号问题", ~closed & ~overdue, keys),
                 ("已销号问题", closed, [k for k in keys if k != "days_overdue"]))
        for title, mask, cols in parts:
            w.heading(f"{title}（{int(mask.sum())}个）")
            w.table(_records(items.loc[mask, cols]), cols, wrap=("problem",))
    elif summary.get("overdue_items"):
        w.heading("超期未销号问题")
        w.table(summary["overdue_items"], wrap=("problem",))
    w.finish()


BULLETIN_WIDTH = 70  # characters of column A: an A4 portrait page


def write_bulletin(ws: Worksheet, text: str) -> None:
    """One paragraph a row, wrapped to the page, ready to copy into a document."""
    ws.column_dimensions["A"].width = BULLETIN_WIDTH
    r = 1
    for para in (p.strip() for p in text.splitlines()):
        if not para:
            continue
        c = put(ws.cell(row=r, column=1), para)
        c.alignment = WRAP_ALIGN
        if r == 1:
            c.font = TITLE_FONT
        else:
            ws.row_dimensions[r].height = 15 * math.ceil(_width(para, 4000) / (BULLETIN_WIDTH - 4)) + 4
        r += 1
    print_well(ws)
    ws.page_setup.orientation = "portrait"
    ws.print_options.horizontalCentered = False


def write_sheets(wb: Workbook, report: Any, bulletin: str, light_label: Callable[[str], str],
                 warnings: list[str]) -> dict[str, str]:
    """Replace keyproject's sheets; return {canonical name: sheet name used}."""
    owned = set(owned_sheets(wb))
    active = wb.active.title if wb.active is not None else None
    data = report.to_dict() if hasattr(report, "to_dict") else {}
    names: dict[str, str] = {}
    for name in SHEETS:
        ws = _fresh_sheet(wb, name, owned, warnings)
        names[name] = ws.title
        if name == SUMMARY:
            write_summary(ws, report, data)
        elif name == LIGHTS:
            write_lights(ws, report, light_label)
        elif name == RANKING:
            write_ranking(ws, report, data)
        elif name == PROBLEMS:
            write_problems(ws, report, data)
        else:
            write_bulletin(ws, bulletin)
    # sheets keyproject made earlier under another name (e.g. "问题清单(keyproject)") that it no
    # longer uses are its own to remove
    for stale in owned - set(names.values()):
        if stale in wb.sheetnames:
            wb.remove(wb[stale])
    _set_prop(wb, PROP_SHEETS, [names[n] for n in SHEETS])
    if active in wb.sheetnames:
        wb.active = wb.sheetnames.index(active)
    for title in names.values():  # a new sheet is selected only when it is the active one
        wb[title].sheet_view.tabSelected = title == wb.active.title
    return names


def keyproject_marks(path: str | Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """keyproject's sheets and columns recorded in a workbook file by an earlier refresh, read
    straight from ``docProps/custom.xml`` (cheap: no workbook load); ([], {}) when there are none."""
    import zipfile

    from keyproject.safety import read_marks

    try:
        with zipfile.ZipFile(path) as zf:
            return read_marks(zf)
    except (OSError, zipfile.BadZipFile):
        return [], {}
