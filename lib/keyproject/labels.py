"""One vocabulary for what users read: field, report, group, light and stage names.

Field names come from the schema (``schema.LEDGER``), light names from the rules
(``Rules.light_names``: 绿/黄/红, 蓝/黄/红 under the Zhaoqing preset); this module adds the names of
the report's own figures and says once how a group and "no light" are called. Every door (sheets,
the Excel/WPS button, the bulletin, ``kp report``'s text, the widgets) labels through it.
"""

from __future__ import annotations

from keyproject.engine.rules import LIGHTS, Rules
from keyproject.schema import LEDGER

NO_LIGHT = "未评灯"  # a project without a light (no annual plan, nothing to judge)
# the order lights are listed in wherever they are counted or offered: red first; "none" is a
# project without a light
LIGHT_ORDER: tuple[str, ...] = ("red", "yellow", "green", "none")

# the group columns rankings, lists and breakdowns use: their labels are the schema's
GROUP_KEYS: tuple[str, ...] = ("unit", "town", "command_post", "leader", "category", "level", "stage")

# the report's figures; each is shown under this name everywhere (amounts in 万元)
REPORT_LABELS: dict[str, str] = {
    "as_of": "截至日期",
    "time_progress": "序时进度",
    "projects": "项目个数",
    "count": "项目个数",
    "total_investment": "总投资（万元）",
    "annual_plan": "年度计划投资（万元）",
    "ytd_completed": "本年累计完成投资（万元）",
    "completion_rate": "完成率",
    "gap_points": "差距（百分点）",
    "double_half": "双过半",
    "spi": "进度绩效指数SPI",
    "pv": "计划价值PV",
    "ev": "挣值EV",
    "rank": "名次",
    "group": "分组",  # a group column the caller names no field for (=KP_RANK over any range)
    "indicator": "指标",
    "value": "数值",
    "light": "灯号",
    "light_reasons": "原因",
    "three_class": "三类项目",
    "stage": "项目阶段",
    "band": "规模",
    "min": "下限（万元）",
    "seq": "序号",
    "row": "行号",
    "sheet": "工作表",
    # 开工率 / 竣工率
    "start_rate": "开工率",
    "completion_rate_projects": "竣工率",
    "planned_starts": "应开工",
    "done_starts": "已开工",
    "planned_completions": "应竣工",
    "done_completions": "已竣工",
    # problems
    "problems_total": "问题总数",
    "open": "未销号",
    "closed": "已销号",
    "overdue": "已超期",
    "due_soon": "即将到期",
    "closure_rate": "销号率",
    "project": "项目名称",
    "problem": "问题描述",
    "deadline": "完成时限",
    "status": "办理状态",
    "days_overdue": "超期天数",
    "problems": "存在问题",
}


def field_label(key: str) -> str:
    """The schema's header of a ledger field ("unit" → 责任单位); the key itself when unknown."""
    f = LEDGER.by_key.get(key)
    return f.label if f is not None else key


def group_label(key: str) -> str:
    """What a group column is called: 责任单位, 乡镇, 指挥部, 包保领导, 项目类别, 项目级别, 项目阶段."""
    return REPORT_LABELS["stage"] if key == "stage" else field_label(key)


def label(key: str) -> str:
    """The label of a report figure, else of a ledger field."""
    return REPORT_LABELS.get(key) or field_label(key)


def light_name(light: str | None, rules: Rules) -> str:
    """A light's word as the rules name it, with 灯: 红灯, 黄灯, 绿灯 (蓝灯); "no light" is NO_LIGHT."""
    if light is None or light not in LIGHTS:
        return NO_LIGHT
    return f"{rules.light_label(light)}灯"


def light_names(rules: Rules) -> dict[str, str]:
    """Every light's word in ``LIGHT_ORDER``: {"red": "红灯", …, "none": NO_LIGHT}."""
    return {k: light_name(k, rules) for k in LIGHT_ORDER}


__all__ = ["GROUP_KEYS", "LIGHT_ORDER", "NO_LIGHT", "REPORT_LABELS", "field_label", "group_label", "label",
           "light_name", "light_names"]
