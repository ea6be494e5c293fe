# Generated from keyproject.formulas.catalog by `python -m keyproject.formulas`; do not edit by hand.
# 本文件由公式声明生成，请勿手工修改。
"""keyproject as Excel formulas (xlwings): =KP_LIGHT(D5:D64, E5:E64, $B$2, ...).

One module serves three runtimes through the same decorators:
- the classic xlwings add-in on Windows desktop Excel (an ``xlwings.conf`` sheet with
  ``UDF Modules`` = ``keyproject_udfs``, then Import Functions on the xlwings ribbon tab);
- xlwings Server and xlwings Lite custom functions (Excel 365 on Windows, Mac and the web);
- plain Python: elsewhere the decorators are pass-through, so tests call the functions directly.

Each function is one call of ``keyproject.formulas.call``: the formulas are declared once in
``keyproject.formulas.catalog`` and their logic lives in ``keyproject.formulas.functions``. The
rules are the workbook's when its 设置 range is passed as the last argument (=KP_LIGHT(…, 设置!$A$1:$B$30)),
decided as ``kp report`` decides them (``keyproject.engine.context``); a date left out is today.
Arguments are positional (xlwings has no keyword arguments); each takes whole columns as well as
single cells, so one formula serves 10,000 rows. A cell that cannot be read gets a short Chinese
message in its result cell; a call that cannot be made returns the message in one cell.

Parameters carry no type annotations on purpose: xlwings turns annotations into converters, and
the conversions here (serial dates, date text, amounts typed as text, blanks sent as 0) are
keyproject's own.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import arg, func, script

from keyproject.errors import KPError
from keyproject.formulas import call, door_context

__all__ = [
    "KP_BACKPLAN",
    "KP_GAP",
    "KP_LIGHT",
    "KP_RANK",
    "KP_RATE",
    "KP_SPRINT",
    "KP_SUMMARY",
    "KP_THREECLASS",
    "KP_TIMEPROGRESS",
    "KP_WORKDAYS",
    "refresh_workbook",
]


@func
@arg("as_of", ndim=2, doc="统计截止日期（可选一列）")
@arg("basis", doc="序时口径：按月（默认）或按日")
@arg("settings_range", ndim=2, doc="设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则")
def KP_TIMEPROGRESS(as_of, basis=None, settings_range=None):
    """序时进度：1-7月报表（2023-07-31）为 7/12 = 0.5833。"""
    return call("KP_TIMEPROGRESS", [as_of, basis, settings_range], door_context())


@func
@arg("done", ndim=2, doc="累计完成投资（万元，可选一列）")
@arg("plan", ndim=2, doc="年度计划投资（万元，可选一列）")
def KP_RATE(done, plan):
    """完成率 = 累计完成投资 ÷ 年度计划投资（没有计划的项目为空）。"""
    return call("KP_RATE", [done, plan], door_context())


@func
@arg("done", ndim=2, doc="累计完成投资（万元）")
@arg("plan", ndim=2, doc="年度计划投资（万元）")
@arg("as_of", ndim=2, doc="统计截止日期")
@arg("settings_range", ndim=2, doc="设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则")
def KP_GAP(done, plan, as_of, settings_range=None):
    """与序时进度的差距（百分点，保留2位小数）：完成率 − 序时进度。"""
    return call("KP_GAP", [done, plan, as_of, settings_range], door_context())


@func
@arg("done", ndim=2, doc="累计完成投资（万元）")
@arg("plan", ndim=2, doc="年度计划投资（万元）")
@arg("as_of", ndim=2, doc="统计截止日期")
@arg("planned_start", ndim=2, doc="计划开工时间（可选）")
@arg("actual_start", ndim=2, doc="实际开工时间（可选）")
@arg("settings_range", ndim=2, doc="设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则")
def KP_LIGHT(done, plan, as_of, planned_start=None, actual_start=None, settings_range=None):
    """红黄绿灯：投资进度灯与开工灯取最差者，返回“绿”“黄”“红”，无规则适用时为空。"""
    return call("KP_LIGHT", [done, plan, as_of, planned_start, actual_start, settings_range], door_context())


@func
@arg("signed", ndim=2, doc="签约时间")
@arg("land", ndim=2, doc="供地时间")
@arg("started", ndim=2, doc="实际开工时间")
@arg("completed", ndim=2, doc="竣工时间")
@arg("as_of", doc="统计截止日期（可选：此后的日期不计）")
def KP_THREECLASS(signed, land, started, completed, as_of=None):
    """三类项目：已签约未供地 / 已供地未动工 / 已动工未竣工，其余为空。"""
    return call("KP_THREECLASS", [signed, land, started, completed, as_of], door_context())


@func
@arg("start", ndim=2, doc="开始日期（可选一列）")
@arg("end", ndim=2, doc="结束日期（可选一列）")
@arg("calendar_range", ndim=2, doc="节假日表（可选）：两列，日期、班/休")
def KP_WORKDAYS(start, end, calendar_range=None):
    """两个日期之间（含首尾）的工作日天数，按中国法定节假日和调休计算。"""
    return call("KP_WORKDAYS", [start, end, calendar_range], door_context())


@func
@arg("start", doc="冲刺开始日期")
@arg("days", doc="冲刺天数（如100）")
@arg("target", ndim=2, doc="冲刺目标（万元，可选一列，求和）")
@arg("done", ndim=2, doc="已完成（万元，可选一列，求和）")
@arg("as_of", doc="统计日期（可选，默认今天）")
def KP_SPRINT(start, days, target, done, as_of=None):
    """百日冲刺：结束日期、已过天数、剩余天数、剩余工作日、剩余任务、日均/周均需完成、是否达序时。"""
    return call("KP_SPRINT", [start, days, target, done, as_of], door_context())


@func
@arg("target_date", doc="目标日期（如开工日期）")
@arg("steps_range", ndim=2, doc="节点表（可选）：节点名称、所需工作日")
@arg("calendar_range", ndim=2, doc="节假日表（可选）：两列，日期、班/休")
def KP_BACKPLAN(target_date, steps_range=None, calendar_range=None):
    """倒排工期：从目标日期倒推每个节点的最晚开始和最晚完成日期（按工作日）。"""
    return call("KP_BACKPLAN", [target_date, steps_range, calendar_range], door_context())


@func
@arg("ledger_range", ndim=2, doc="台账区域（含标题行）")
@arg("as_of", doc="统计截止日期")
@arg("settings_range", ndim=2, doc="设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则")
def KP_SUMMARY(ledger_range, as_of, settings_range=None):
    """台账汇总：项目数、计划投资、完成投资、完成率、序时进度、差距、红黄绿灯个数、双过半。"""
    return call("KP_SUMMARY", [ledger_range, as_of, settings_range], door_context())


@func
@arg("group_range", ndim=2, doc="分组列（责任单位、乡镇、指挥部……）")
@arg("done_range", ndim=2, doc="累计完成投资列")
@arg("plan_range", ndim=2, doc="年度计划投资列")
@arg("as_of", doc="统计截止日期（可选，用于差距；默认今天）")
@arg("settings_range", ndim=2, doc="设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则")
def KP_RANK(group_range, done_range, plan_range, as_of=None, settings_range=None):
    """比学赶超排名：按分组汇总计划和完成投资，按完成率排名。"""
    return call("KP_RANK", [group_range, done_range, plan_range, as_of, settings_range], door_context())


# -- the refresh button -----------------------------------------------------------------------------
@script
def refresh_workbook(book: xw.Book = None):  # type: ignore[assignment]
    """刷新本工作簿：重算台账的差距、灯号、三类项目列和汇总、红黄绿灯、排名、问题清单、通报各表。"""
    from keyproject.open_book import refresh_open_book

    if book is None:  # classic add-in: called from a button or RunPython
        book = xw.Book.caller()
    try:
        refresh_open_book(book)
    except KPError as exc:  # scripts have no cell to write to: Excel shows the message
        raise KPError(f"keyproject 刷新失败：{exc}") from None
