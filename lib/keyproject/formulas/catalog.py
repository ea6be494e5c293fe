"""The KP_* formulas, declared once. Every door and the docs are generated from this table."""

from __future__ import annotations

from keyproject.formulas import functions as fn
from keyproject.formulas.spec import Formula, Param


def _p(name: str, zh: str, help: str, en: str, kind: str, optional: bool = False,
       column: bool = True) -> Param:
    return Param(name, zh, help, en, kind, optional, column)  # type: ignore[arg-type]


AS_OF = _p("as_of", "截止日期", "统计截止日期（可选一列）", "report date (a cell or a column)", "date")
DONE = _p("done", "完成投资", "累计完成投资（万元，可选一列）", "year-to-date completed investment (万元)", "amount")
PLAN = _p("plan", "计划投资", "年度计划投资（万元，可选一列）", "annual planned investment (万元)", "amount")
SETTINGS = _p("settings_range", "设置表", "设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则", "the workbook's 设置 sheet (optional): setting and value columns, e.g. 设置!$A$1:$B$30",
              "table", optional=True)
CALENDAR = _p("calendar_range", "节假日表", "节假日表（可选）：两列，日期、班/休",
              "holiday table (optional): two columns, date and 班/休", "table", optional=True)

FORMULAS: tuple[Formula, ...] = (
    Formula(
        "KP_TIMEPROGRESS", "序时进度：1-7月报表（2023-07-31）为 7/12 = 0.5833。",
        "Time progress: 7/12 = 0.5833 for a 1-7月 report (2023-07-31).",
        (AS_OF,
         _p("basis", "口径", "序时口径：按月（默认）或按日", "basis: 按月 (default, month/12) or 按日 (day of year)",
            "choice", optional=True, column=False),
         SETTINGS),
        "column", fn.timeprogress,
        ("口径填“按日”时为当年已过天数 ÷ 全年天数；省略时取设置表的“序时进度口径”，默认按月。",),
    ),
    Formula(
        "KP_RATE", "完成率 = 累计完成投资 ÷ 年度计划投资（没有计划的项目为空）。",
        "Completion rate = completed ÷ planned (blank without a plan).",
        (DONE, PLAN), "column", fn.rate,
    ),
    Formula(
        "KP_GAP", "与序时进度的差距（百分点，保留2位小数）：完成率 − 序时进度。",
        "Gap to time progress in percentage points, 2 decimals.",
        (_p("done", "完成投资", "累计完成投资（万元）", "completed investment (万元)", "amount"),
         _p("plan", "计划投资", "年度计划投资（万元）", "planned investment (万元)", "amount"),
         _p("as_of", "截止日期", "统计截止日期", "report date", "date"),
         SETTINGS),
        "column", fn.gap,
        ("序时口径取设置表的“序时进度口径”（默认按月）。",),
    ),
    Formula(
        "KP_LIGHT", "红黄绿灯：投资进度灯与开工灯取最差者，返回“绿”“黄”“红”，无规则适用时为空。",
        "The light: the worse of the investment light and the start light; blank when no rule applies.",
        (_p("done", "完成投资", "累计完成投资（万元）", "completed investment (万元)", "amount"),
         _p("plan", "计划投资", "年度计划投资（万元）", "planned investment (万元)", "amount"),
         _p("as_of", "截止日期", "统计截止日期", "report date", "date"),
         _p("planned_start", "计划开工", "计划开工时间（可选）", "planned start (optional)", "date", optional=True),
         _p("actual_start", "实际开工", "实际开工时间（可选）", "actual start (optional)", "date", optional=True),
         SETTINGS),
        "column", fn.light,
        ("规则与 `kp report` 完全相同（阈值见 docs/rules.md）：传入设置表时按设置表的阈值和灯号名称，"
         "与 `kp report` 读同一工作簿的结果一致。",),
    ),
    Formula(
        "KP_THREECLASS", "三类项目：已签约未供地 / 已供地未动工 / 已动工未竣工，其余为空。",
        "Three classes: signed without land / land without start / started without completion.",
        (_p("signed", "签约时间", "签约时间", "signing date", "date"),
         _p("land", "供地时间", "供地时间", "land supply date", "date"),
         _p("started", "开工时间", "实际开工时间", "actual start", "date"),
         _p("completed", "竣工时间", "竣工时间", "completion date", "date"),
         _p("as_of", "截止日期", "统计截止日期（可选：此后的日期不计）", "report date (optional: later dates do not count)",
            "date", optional=True, column=False)),
        "column", fn.threeclass,
    ),
    Formula(
        "KP_WORKDAYS", "两个日期之间（含首尾）的工作日天数，按中国法定节假日和调休计算。",
        "Working days between two dates, both included, with Chinese holidays and make-up days.",
        (_p("start", "开始日期", "开始日期（可选一列）", "start date (a cell or a column)", "date"),
         _p("end", "结束日期", "结束日期（可选一列）", "end date (a cell or a column)", "date"),
         CALENDAR),
        "column", fn.workdays,
        ("内置日历只到 chinese_calendar 覆盖的最后一年，之后的年份请传入“日期、班/休”两列的节假日表。",),
    ),
    Formula(
        "KP_SPRINT", "百日冲刺：结束日期、已过天数、剩余天数、剩余工作日、剩余任务、日均/周均需完成、是否达序时。",
        "Hundred-day sprint: end, days gone and left, working days left, remaining task, pace needed.",
        (_p("start", "开始日期", "冲刺开始日期", "sprint start", "date", column=False),
         _p("days", "天数", "冲刺天数（如100）", "sprint length in days (e.g. 100)", "count", column=False),
         _p("target", "目标", "冲刺目标（万元，可选一列，求和）", "target (万元; a column is summed)", "amount"),
         _p("done", "已完成", "已完成（万元，可选一列，求和）", "done so far (万元; a column is summed)", "amount"),
         _p("as_of", "统计日期", "统计日期（可选，默认今天）", "as of (optional, default today)", "date",
            optional=True, column=False)),
        "table", fn.sprint,
    ),
    Formula(
        "KP_BACKPLAN", "倒排工期：从目标日期倒推每个节点的最晚开始和最晚完成日期（按工作日）。",
        "Backward plan: latest start and finish of each step before a target date, in working days.",
        (_p("target_date", "目标日期", "目标日期（如开工日期）", "target date (e.g. the start)", "date", column=False),
         _p("steps_range", "节点表", "节点表（可选）：节点名称、所需工作日", "steps (optional): name, working days",
            "table", optional=True),
         CALENDAR),
        "table", fn.backplan,
        ("节点表省略时用默认的 注册→备案/核准→规划→用地→环评→施工许可。",),
    ),
    Formula(
        "KP_SUMMARY", "台账汇总：项目数、计划投资、完成投资、完成率、序时进度、差距、红黄绿灯个数、双过半。",
        "Ledger summary: projects, plan, completed, rate, time progress, gap, lights, 双过半.",
        (_p("ledger_range", "台账区域", "台账区域（含标题行）", "ledger range with its header row", "table"),
         _p("as_of", "截止日期", "统计截止日期", "report date", "date", column=False),
         SETTINGS),
        "table", fn.summary,
        ("区域要含标题行，标题按台账的常见写法识别（与 `kp` 读文件的规则相同），合计/小计行不计。",),
    ),
    Formula(
        "KP_RANK", "比学赶超排名：按分组汇总计划和完成投资，按完成率排名。",
        "Ranking by group: plan and completion summed per group, ranked by completion rate.",
        (_p("group_range", "分组列", "分组列（责任单位、乡镇、指挥部……）", "group column (unit, town, command post…)",
            "text"),
         _p("done_range", "完成投资列", "累计完成投资列", "completed investment column", "amount"),
         _p("plan_range", "计划投资列", "年度计划投资列", "planned investment column", "amount"),
         _p("as_of", "截止日期", "统计截止日期（可选，用于差距；默认今天）", "report date (optional, default today)",
            "date", optional=True, column=False),
         SETTINGS),
        "table", fn.rank,
    ),
)

BY_NAME: dict[str, Formula] = {f.name: f for f in FORMULAS}
assert len(BY_NAME) == len(FORMULAS), "each formula is declared once"
