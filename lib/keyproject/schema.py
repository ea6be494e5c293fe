"""The ledger's fields, declared once as data.

Every canonical field of a key-project ledger (DOMAIN.md) is one ``Field``: its key, the Chinese
header it is written under, the aliases offices use (Simplified; Traditional forms are derived
from them with OpenCC), header patterns, its kind and how its unit is handled. The reader maps
headers with it, validation messages name fields with it, the writers and the docs read it.

Other tables an office keeps beside the ledger (问题清单, 节点/倒排工期) are declared the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

Kind = Literal["text", "amount", "date", "rate", "int"]

# pandas dtypes for each kind; the projects DataFrame always has these.
DTYPES: dict[str, str] = {
    "text": "str",
    "amount": "float64",
    "rate": "float64",
    "int": "Int64",
    "date": "datetime64[us]",
}


@dataclass(frozen=True)
class Field:
    """One canonical column of a table."""

    key: str
    label: str  # the header keyproject writes and shows (Simplified Chinese)
    kind: Kind = "text"
    aliases: tuple[str, ...] = ()  # other Simplified headers that mean this field
    patterns: tuple[str, ...] = ()  # regexes over the normalised header (full match)
    required: bool = False
    # amounts: headers and unit notes may say 亿元 / 元; values are converted to 万元
    unit: str | None = None
    description: str = ""

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every Simplified header that maps to this field, label first."""
        return (self.label, *self.aliases)

    @cached_property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.patterns)

    @property
    def dtype(self) -> str:
        return DTYPES[self.kind]


@dataclass(frozen=True)
class Schema:
    """A table's fields, in their usual order."""

    name: str  # English id: "ledger", "problems", "milestones"
    title: str  # Chinese name used in messages: 项目台账, 问题清单
    fields: tuple[Field, ...]
    sheet_names: tuple[str, ...] = ()  # sheet names that usually hold this table
    extra: dict[str, str] = field(default_factory=dict)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def __getitem__(self, key: str) -> Field:
        return self.by_key[key]

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def keys_of(self, kind: Kind) -> list[str]:
        return [f.key for f in self.fields if f.kind == kind]

    def empty(self, index: pd.Index | None = None) -> pd.DataFrame:
        """An empty frame with every field as a column of its dtype (plus ``row``)."""
        return conform(pd.DataFrame(index=index), self)


_MONTH_FIELDS = tuple(
    Field(
        f"m{m:02d}",
        f"{m}月完成投资",
        "amount",
        aliases=(f"{m}月", f"{m}月完成", f"{m}月份完成投资", f"{m}月份", f"{m}月份完成", f"{m}月实际完成",
                 f"{m}月实际完成投资"),
        unit="万元",
        description=f"{m}月当月完成投资",
    )
    for m in range(1, 13)
)

# monthly plans: "N月计划 | N月完成" pairs under a merged month header; the cumulative plan to the
# report month is what offices measure against ("完成1-N月投资计划的X%", Rules.basis = "plan")
MONTH_PLAN_KEYS: tuple[str, ...] = tuple(f"p{m:02d}" for m in range(1, 13))
_MONTH_PLAN_FIELDS = tuple(
    Field(
        f"p{m:02d}",
        f"{m}月计划投资",
        "amount",
        aliases=(f"{m}月计划", f"{m}月份计划", f"{m}月份计划投资", f"{m}月计划完成投资", f"{m}月计划完成"),
        unit="万元",
        description=f"{m}月当月计划投资",
    )
    for m in range(1, 13)
)

# leaders and units are named by role, not from a fixed list: 包保/包抓/包联/挂联/联系/牵头/分管/责任
# (optionally with 县级/市级/区级 or 县/市/区) + 领导; 牵头/责任/主责/主管… + 单位/部门
_ROLE = "(?:包保|包抓|包联|挂联|挂包|挂钩|联系|牵头|分管|责任|主要|帮扶|督导|包片|推进|协调|主抓)"
_LEVEL = "(?:县级|市级|区级|镇级|乡级|县|市|区|镇)"
LEADER_PATTERNS: tuple[str, ...] = (
    f"{_LEVEL}?{_ROLE}+{_LEVEL}?领导(?:姓名|及职务|职务)?",
    f"{_LEVEL}领导(?:姓名|及职务)?",
)
UNIT_PATTERNS: tuple[str, ...] = (
    "(?:县级|市级|区级|县直|市直)?(?:牵头|责任|主责|主管|主办|承办|推进|落实|协调|监管|行业主管)+(?:单位|部门)"
    "(?:及责任人|名称)?",
)

LEDGER = Schema(
    name="ledger",
    title="项目台账",
    sheet_names=("项目台账", "台账", "重点项目", "重大项目", "项目表"),
    fields=(
        Field("seq", "序号", "text", aliases=("编号", "序"), description="row number; not an id"),
        Field("code", "项目编号", "text", aliases=("项目代码", "统一项目代码", "项目统一代码", "备案代码", "项目赋码")),
        Field("name", "项目名称", "text", aliases=("项目", "名称", "项目全称"), required=True),
        Field("level", "项目级别", "text", aliases=("重点类别", "级别", "项目层级")),
        Field("category", "项目类别", "text", aliases=("类别", "行业", "产业类别", "项目类型", "行业类别")),
        Field("nature", "建设性质", "text", aliases=("性质", "新建/续建", "新建续建")),
        Field("command_post", "指挥部", "text", aliases=("推进组", "专班", "所属指挥部", "项目指挥部", "工作专班")),
        Field(
            "leader",
            "包保领导",
            "text",
            aliases=("挂联领导", "责任领导", "县级领导", "联系领导", "包联领导", "牵头领导", "市级领导", "挂包领导"),
            patterns=LEADER_PATTERNS,
        ),
        Field("unit", "责任单位", "text", aliases=("牵头单位", "主责单位", "责任部门", "牵头部门"),
              patterns=UNIT_PATTERNS),
        Field("owner", "业主单位", "text", aliases=("建设单位", "项目业主", "业主", "项目单位", "项目业主单位",
                                                  "实施单位", "建设主体")),
        Field("town", "乡镇", "text", aliases=("属地", "建设地点", "所在乡镇", "镇街", "所在地", "乡镇（街道）"),
              patterns=("(?:所在|所属|项目所在)?(?:乡镇|镇街|乡镇街道|乡镇\\(街道\\)|镇\\(街道\\)|镇\\(乡、街道\\))",)),
        Field("stage", "项目阶段", "text", aliases=("建设阶段", "阶段", "项目状态")),
        Field("total_investment", "总投资", "amount", aliases=("计划总投资", "项目总投资", "估算总投资"), unit="万元"),
        Field(
            "annual_plan",
            "年度计划投资",
            "amount",
            aliases=("年计划投资", "确保", "计划投资", "年度计划", "年度投资计划", "本年计划投资", "年度计划完成投资"),
            patterns=(r"\d{4}年(度)?计划(完成)?投资", r"1[-－—~～至到]12月(份)?(累计)?计划(完成)?(投资)?"),
            unit="万元",
            description="the baseline target (确保)",
        ),
        Field("annual_stretch", "力争", "amount", aliases=("力争目标", "力争投资", "年度力争投资"), unit="万元"),
        Field(
            "prior_completed",
            "开工至上年底累计完成投资",
            "amount",
            aliases=("至上年底累计完成投资", "至上年底累计完成", "以前年度累计完成", "截至上年底累计完成投资"),
            unit="万元",
        ),
        Field(
            "ytd_completed",
            "本年累计完成投资",
            "amount",
            aliases=("累计完成投资", "本年完成", "本年累计完成", "本年完成投资", "本年度完成投资", "本年度累计完成投资", "年度累计完成", "完成投资"),
            patterns=(r"1[-－—~～至到](\d{1,2})月(份)?(累计)?完成(投资)?(额)?", r"\d{4}年1[-－—~～至到](\d{1,2})月(份)?(累计)?完成(投资)?"),
            unit="万元",
            description="completed this year up to the report month",
        ),
        Field("month_completed", "当月完成投资", "amount", aliases=("当月完成", "本月完成", "本月完成投资"), unit="万元"),
        Field(
            "ytd_plan",
            "本年累计计划投资",
            "amount",
            aliases=("累计计划投资", "累计计划", "序时计划投资", "本年累计计划"),
            patterns=(r"1[-－—~～至到]([1-9]|1[01])月(份)?(累计)?计划(完成)?(投资)?(额)?",),
            unit="万元",
            description="the plan to the report month (sum of the monthly plans)",
        ),
        *_MONTH_FIELDS,
        *_MONTH_PLAN_FIELDS,
        Field("reported_rate", "完成率", "rate", aliases=("投资完成率", "年度完成率", "计划完成率")),
        Field("signed_date", "签约时间", "date", aliases=("签约日期",)),
        Field("land_date", "供地时间", "date", aliases=("供地日期", "土地供应时间", "摘牌时间")),
        Field("planned_start", "计划开工时间", "date", aliases=("计划开工日期", "计划开工")),
        Field("actual_start", "实际开工时间", "date", aliases=("开工时间", "开工日期", "实际开工", "实际开工日期")),
        Field("planned_completion", "计划竣工时间", "date", aliases=("计划竣工日期", "计划竣工", "计划完工时间")),
        Field("actual_completion", "竣工时间", "date", aliases=("实际竣工时间", "竣工日期", "实际竣工", "完工时间")),
        Field("production_date", "投产时间", "date", aliases=("投产日期", "实际投产时间")),
        Field("progress_note", "形象进度", "text", aliases=("项目进展情况", "进展情况", "工程进度", "项目进度", "目前进展")),
        Field("problems", "存在问题", "text", aliases=("需协调解决的问题", "存在的问题", "问题及建议", "存在困难和问题")),
        Field("funding_source", "资金来源", "text"),
    ),
)

PROBLEMS = Schema(
    name="problems",
    title="问题清单",
    sheet_names=("问题清单", "问题台账", "问题"),
    fields=(
        Field("seq", "序号", "text"),
        Field("code", "项目编号", "text", aliases=("项目代码",)),
        Field("project", "项目名称", "text", aliases=("项目", "所属项目"), required=True),
        Field("problem", "问题描述", "text", aliases=("存在问题", "问题", "问题内容", "需协调解决的问题"), required=True),
        Field("unit", "责任单位", "text", aliases=("牵头单位", "主责单位", "责任部门")),
        Field("leader", "责任领导", "text", aliases=("包保领导", "牵头领导")),
        Field("raised_date", "提出时间", "date", aliases=("交办时间", "提出日期", "交办日期")),
        Field("deadline", "完成时限", "date", aliases=("办结时限", "时限", "解决时限", "完成时间要求")),
        Field("status", "办理状态", "text", aliases=("状态", "是否销号", "进展状态", "办理情况")),
        Field("closed_date", "销号时间", "date", aliases=("办结时间", "销号日期", "解决时间")),
        Field("note", "备注", "text"),
    ),
)

MILESTONES = Schema(
    name="milestones",
    title="节点清单",
    sheet_names=("节点清单", "倒排工期", "前期节点"),
    fields=(
        Field("project", "项目名称", "text", aliases=("项目",), required=True),
        Field("step", "节点", "text", aliases=("环节", "事项", "手续", "前期手续"), required=True),
        Field("deadline", "完成时限", "date", aliases=("计划完成时间", "时限", "截止时间")),
        Field("done_date", "完成时间", "date", aliases=("实际完成时间", "办结时间")),
        Field("reason", "滞后原因", "text", aliases=("原因", "未完成原因")),
        Field("revised_deadline", "调整后时限", "date", aliases=("调整时限", "新时限")),
    ),
)

SCHEMAS: dict[str, Schema] = {s.name: s for s in (LEDGER, PROBLEMS, MILESTONES)}

# keyproject's own columns in the ledger sheet (written by refresh; never read as user data)
REPORTING_COLUMN = "本期报送"  # "8月已报" / "未报送" (keyproject.engine.reporting)
OWNED_COLUMNS: tuple[str, ...] = ("差距(百分点)", "灯号", "三类项目", REPORTING_COLUMN)

# custom document properties in which a refreshed workbook records what keyproject owns: the
# sheets it writes (a JSON list of names) and, per ledger sheet, its columns (JSON object);
# readers skip those sheets, writers replace only them
OWNED_SHEETS_PROPERTY = "keyproject.sheets"
OWNED_COLUMNS_PROPERTY = "keyproject.columns"
# the as_of (ISO date, "2024-07-31") the last refresh was made for: the writer records it, the reader
# exposes it as ``Ledger.recorded_as_of``; which report date wins is the context resolver's policy
PERIOD_PROPERTY = "keyproject.period"

# milestones a date cell can state without a date ("已开工", "续建", "已竣工"): the reader adds one
# boolean column per milestone to ``Ledger.projects`` (True: done, the date unknown); the engine
# counts a milestone as reached when its date has passed or this flag is set
DONE_COLUMNS: dict[str, str] = {"signed": "signed_done", "land": "land_done", "started": "started_done",
                                "completed": "completed_done", "producing": "producing_done"}


def conform(df: pd.DataFrame | Mapping[str, Any], schema: Schema = LEDGER) -> pd.DataFrame:
    """Return ``df`` with every field of ``schema`` present and cast to its dtype.

    ``df`` is a DataFrame, or a mapping of column name to equal-length arrays (the reader's way: one
    frame built once). Missing columns are added as all-null. ``row`` (the Excel row) is kept as Int64
    and ``sheet`` (the sheet the record came from) as str when present. Columns that are not fields
    are kept after them, untouched. Columns already of their dtype are not converted again.
    """
    if isinstance(df, pd.DataFrame):
        cols: dict[str, Any] = {c: df[c] for c in df.columns}
        index = df.index
    else:
        cols = dict(df)
        n0 = len(next(iter(cols.values()))) if cols else 0
        index = pd.RangeIndex(n0)
    n = len(index)

    def series(values: Any, dtype: str) -> Any:
        if isinstance(values, pd.Series):
            return values if str(values.dtype) == dtype else values.astype(dtype)  # type: ignore[call-overload]
        return pd.array(values, dtype=dtype)

    out: dict[str, Any] = {}
    if "row" in cols:
        out["row"] = series(cols["row"], "Int64")
    if "sheet" in cols:
        out["sheet"] = series(cols["sheet"], "str")
    for f in schema.fields:
        v = cols.get(f.key)
        if v is None:
            if f.kind in ("amount", "rate"):
                out[f.key] = np.full(n, np.nan)
            elif f.kind == "date":
                out[f.key] = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
            else:
                out[f.key] = pd.array(np.full(n, None, dtype=object), dtype=f.dtype)  # type: ignore[call-overload]
        elif f.kind == "date":
            if str(getattr(v, "dtype", "")) != "datetime64[us]":
                v = pd.to_datetime(pd.Series(v, index=index) if not isinstance(v, pd.Series) else v,
                                   errors="coerce").astype("datetime64[us]")
            out[f.key] = v
        elif f.kind in ("amount", "rate"):
            out[f.key] = v if isinstance(v, pd.Series) and v.dtype == "float64" else np.asarray(v, dtype="float64")
        else:
            out[f.key] = series(v, f.dtype)
    for c, v in cols.items():  # columns that are not fields, after them, untouched
        if c not in out:
            out[c] = v
    return pd.DataFrame(out, index=index)
