"""Write the planning notebooks (thin: read a workbook, build a widget, show it), without outputs.

Run from anywhere: ``python notebooks/make_notebooks.py``. Edit the cells here, not in the .ipynb.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
WORKBOOK = """from keyproject.widgets import workbook_path

# 要读取的台账工作簿（相对于本笔记本）；用 kp app 台账.xlsx 打开网页时读取该台账
WORKBOOK = workbook_path("../sample_workbooks/county_fushun_2023.xlsx")"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_scenario_planning.ipynb": [
        ("md", """# 年度投资情景推演

本页根据台账已完成的月度投资，推演全年能否完成**确保**和**力争**目标。

**怎么用**：拖动左侧滑块，右侧结果和下方图表随即更新。
- **月均完成**：今后每个月平均完成多少投资（万元/月），默认是今年已过月份的平均数；
- **月增长率**：今后每月比上月增长（或减少）的百分比；
- **季节走势**：平均分布、年底冲刺，或按工作簿“上年月度”表里上年各月的走势分配；
- **新增项目**：新入库项目的个数、平均年投资和开始贡献投资的月份；
- **红灯项目滞后**：红灯（严重滞后）项目的投资再打多少折扣；
- **力争目标**：可直接修改。

结果包括：预计全年完成额、各目标预计达成的月份（或年底缺口）、剩余每月需完成的投资、
双过半和“9月底完成75%”等阶段目标是否达到，以及按各月实际波动随机模拟得到的达成概率。

**换成本单位的台账**：点页面上方的“打开台账”选择工作簿（.xlsx/.xlsm/.xls/.et），页面即按该台账重新测算；
也可以用 `kp app 台账.xlsx` 启动网页，或把下面第一个代码格中的 `WORKBOOK` 改成台账路径。"""),
        ("code", WORKBOOK),
        ("code", """from keyproject.widgets import LedgerPage, ScenarioPlanner

page = LedgerPage(WORKBOOK, ScenarioPlanner)  # page.content is the planner of the ledger shown
page"""),
    ],
    "02_sprint_countdown.ipynb": [
        ("md", """# 百日冲刺倒计时

本页显示百日冲刺还剩多少天、小时、分钟，剩余多少个工作日（按国家法定节假日和调休），
还差多少投资、每天 / 每周 / 每个工作日需要完成多少，并按单位列出冲刺完成率排行。
倒计时每秒自动刷新。

**怎么用**：点页面上方的“打开台账”换成本单位的台账（或用 `kp app 台账.xlsx` 启动网页）；
在下面第一个代码格里可改 `WORKBOOK`（台账工作簿）、`START`（冲刺开始日期）和 `DAYS`（冲刺天数）。
冲刺目标默认取台账的年度计划投资合计，已完成取本年累计完成投资合计；排行按 `BY` 指定的列分组
（`"unit"` 责任单位，`"command_post"` 指挥部）。

示例中的冲刺是“到今年年底的最后100天”；要用工作簿“设置”表里的“百日冲刺开始”和“冲刺天数”，
把 `START` 和 `DAYS` 改为 `None`。冲刺跨入节假日数据尚未覆盖的年份（目前为2027年及以后）时，
工作日一项会提示需要提供节假日文件（`CALENDAR_FILE`），倒计时照常进行。"""),
        ("code", WORKBOOK + """
import datetime as dt

from keyproject.engine.context import clock_today

DAYS = 100  # 冲刺天数；None 表示取“设置”表的“冲刺天数”
# 冲刺开始日期：可写 "2023-08-24" 或 "2023年8月24日"；None 表示取“设置”表的“百日冲刺开始”
START = dt.date(clock_today().year, 12, 31) - dt.timedelta(days=DAYS - 1)
BY = "unit"  # 排行分组：unit 责任单位 / command_post 指挥部
CALENDAR_FILE = None  # 节假日补充文件（TOML、CSV 或 xlsx），例如 "calendar_2027.toml"；不需要时为 None"""),
        ("code", """from keyproject.widgets import LedgerPage, SprintCountdown

page = LedgerPage(WORKBOOK, lambda ledger: SprintCountdown.from_ledger(ledger, START, DAYS, by=BY,
                                                                       calendar=CALENDAR_FILE))
page"""),
    ],
    "03_battle_map.ipynb": [
        ("md", """# 挂图作战

本页把每个项目画成时间轴上的一根横条：从**计划开工**到**计划竣工**（没有计划竣工时间的画到年底并加斜线），
▲ 表示实际开工时间，红色竖线是统计截止日；横条颜色就是项目的红黄绿灯。

**怎么用**：用“分组”选择按指挥部或责任单位分组；在“灯号”和“筛选分组”中选择要看的项目
（不选即显示全部，按住 Ctrl 可多选）。

**换成本单位的台账**：点页面上方的“打开台账”选择工作簿（或用 `kp app 台账.xlsx` 启动网页，
或改下面第一个代码格中的 `WORKBOOK`）；统计截止日默认为台账的报告月末，也可以在 `AS_OF` 中指定。"""),
        ("code", WORKBOOK + """
AS_OF = None  # 统计截止日，例如 "2023-07-31"；None 表示台账记录的报告期或报告月的月末"""),
        ("code", """from keyproject.widgets import BattleMap, LedgerPage

page = LedgerPage(WORKBOOK, lambda ledger: BattleMap(ledger, AS_OF))
page"""),
    ],
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, text) in enumerate(cells):
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell["id"] = f"{Path(name).stem[:2]}-{i}"  # stable ids: regenerating gives the same file
        nb.cells.append(cell)
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(name, cells), HERE / name)
        print(HERE / name)


if __name__ == "__main__":
    main()
