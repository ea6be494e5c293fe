"""Synthetic ledgers of any size for the benchmarks: realistic shape, deterministic by seed.

About 32 columns (12 of them monthly), Chinese names and text, a title row, a unit note, a merged
two-row header, dates, and a sprinkling of amounts and dates typed as text, as offices type them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.cell_range import CellRange

POSTS = ["工业项目指挥部", "交通项目指挥部", "城建项目指挥部", "农业农村指挥部", "社会事业指挥部",
         "文旅康养指挥部", "水利能源指挥部"]
UNITS = ["县发改局", "县经信局", "县交通运输局", "县住建局", "县教体局", "县卫健局", "县水务局",
         "县农业农村局", "县文广旅局", "县自然资源局"]
TOWNS = ["富世街道", "东湖街道", "琵琶镇", "赵化镇", "童寺镇", "怀德镇", "长滩镇", "代寺镇", "永年镇"]
KINDS = ["工业", "基础设施", "社会民生", "服务业", "农业"]
LEVELS = ["省重点", "市重点", "县重点"]
WORDS = ["新材料", "智能制造", "物流园", "污水处理厂", "产业园", "学校改扩建", "人民医院", "安置房",
         "道路提升", "冷链仓储", "光伏电站", "农旅融合", "标准化厂房", "电池回收", "食品加工"]
NOTES = ["主体结构施工中", "完成基础施工", "设备安装调试", "正在办理施工许可", "场地平整", "已完成60%"]
PROBLEMS = ["", "", "", "用地指标未落实", "资金到位不足", "环评审批滞后", "征地拆迁进度慢"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"

TOP = ["序号", "项目编号", "项目名称", "项目级别", "项目类别", "建设性质", "指挥部", "包保领导",
       "责任单位", "业主单位", "乡镇", "总投资"]
YEAR_GROUP = ["年度计划投资", "1-7月完成投资", "完成率"]
TAIL = ["计划开工时间", "实际开工时间", "计划竣工时间", "形象进度", "存在问题"]
REPORT_MONTH = 7


def _amount_text(rng: random.Random, value: float) -> object:
    """Mostly numbers; now and then text the way offices type it."""
    r = rng.random()
    if r < 0.02:
        return f"{value:,.0f}"
    if r < 0.03 and value >= 10000:  # big figures only, as offices write 亿
        return f"{value / 10000:.2f}亿"
    return round(value, 1)


def _date_cell(rng: random.Random, d: dt.date) -> object:
    r = rng.random()
    if r < 0.03:
        return f"{d.year}.{d.month}.{d.day}"
    if r < 0.05:
        return f"{d.year}年{d.month}月{d.day}日"
    return dt.datetime(d.year, d.month, d.day)


def generate(path: Path, projects: int, seed: int = 2023, year: int = 2023, sheets: int = 1) -> Path:
    """Write a ledger of ``projects`` rows to ``path`` (write-only openpyxl: flat memory).

    ``sheets`` > 1 writes that many sheets of ``projects`` rows each, one per 指挥部 (named after it,
    the layout of the single sheet on each), as offices keep a ledger per command post."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    posts = len(MULTI_POSTS)
    names = ["项目台账"] if sheets == 1 else [
        MULTI_POSTS[i % posts] + (f"{i // posts + 1}" if i >= posts else "") for i in range(sheets)]
    for k, name in enumerate(names):
        _sheet(wb.create_sheet(name), rng, projects, k * projects, year, None if sheets == 1 else name)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


MULTI_POSTS = [*POSTS, "招商引资指挥部", "生态环保指挥部", "城乡融合指挥部"]


def _sheet(ws: object, rng: random.Random, projects: int, first: int, year: int, post: str | None) -> None:
    months = [f"{m}月" for m in range(1, 13)]
    ncols = len(TOP) + len(YEAR_GROUP) + len(months) + len(TAIL)
    title = f"{year}年{post or ''}重点项目推进情况表（1-{REPORT_MONTH}月）"
    ws.append([title])  # type: ignore[attr-defined]
    ws.append([None] * (ncols - 1) + ["单位：万元"])  # type: ignore[attr-defined]
    head1 = TOP + [f"{year}年", None, None, f"{year}年各月完成投资"] + [None] * 11 + TAIL
    head2 = [None] * len(TOP) + YEAR_GROUP + months + [None] * len(TAIL)
    ws.append(head1)  # type: ignore[attr-defined]
    ws.append(head2)  # type: ignore[attr-defined]
    # merges: single headers span both rows; the two groups span their children
    from openpyxl.utils import get_column_letter as L

    merged = ws.merged_cells  # type: ignore[attr-defined]
    for i in range(len(TOP)):
        merged.add(CellRange(f"{L(i + 1)}3:{L(i + 1)}4"))
    g1 = len(TOP) + 1
    merged.add(CellRange(f"{L(g1)}3:{L(g1 + 2)}3"))
    g2 = g1 + 3
    merged.add(CellRange(f"{L(g2)}3:{L(g2 + 11)}3"))
    t0 = g2 + 12
    for i in range(len(TAIL)):
        merged.add(CellRange(f"{L(t0 + i)}3:{L(t0 + i)}4"))

    for n in range(first + 1, first + projects + 1):
        total = rng.choice([3000, 5000, 8000, 12000, 30000, 60000, 150000]) * rng.uniform(0.8, 1.5)
        plan = total * rng.uniform(0.15, 0.5)
        pace = rng.choice([1.0, 0.9, 0.7, 0.5, 0.2])
        ytd_target = plan * REPORT_MONTH / 12 * pace * rng.uniform(0.85, 1.15)
        weights = [rng.uniform(0.5, 1.5) for _ in range(REPORT_MONTH)]
        monthly = [round(ytd_target * w / sum(weights), 1) for w in weights]
        ytd = round(sum(monthly), 1)
        start = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        started = start.month <= REPORT_MONTH and rng.random() < 0.9
        name = f"{rng.choice(TOWNS)}{rng.choice(WORDS)}项目（{n}期）"
        row = [
            n - first,
            f"{year}-510322-{n:06d}",
            name,
            rng.choice(LEVELS),
            rng.choice(KINDS),
            rng.choice(["新建", "续建"]),
            post or rng.choice(POSTS),
            rng.choice(SURNAMES) + rng.choice(SURNAMES) + "某",
            rng.choice(UNITS),
            f"四川{rng.choice(WORDS)}有限公司",
            rng.choice(TOWNS),
            _amount_text(rng, total),
            _amount_text(rng, plan),
            _amount_text(rng, ytd),
            round(ytd / plan, 4),
            *monthly,
            *([None] * (12 - REPORT_MONTH)),
            _date_cell(rng, start),
            _date_cell(rng, start + dt.timedelta(days=rng.randint(0, 40))) if started else None,
            _date_cell(rng, dt.date(year + rng.randint(1, 3), rng.randint(1, 12), 28)),
            rng.choice(NOTES),
            rng.choice(PROBLEMS) or None,
        ]
        ws.append(row)  # type: ignore[attr-defined]
    ws.append(["合计"])  # type: ignore[attr-defined]
    ws.append(["填报单位：县发改局", None, "审核人：", None, "联系电话："])  # type: ignore[attr-defined]


def cached(projects: int, seed: int = 2023, folder: Path | None = None, sheets: int = 1) -> Path:
    """The synthetic ledger for a size (``sheets`` sheets of ``projects`` rows), generated once into
    benchmarks/out/."""
    folder = folder or Path(__file__).resolve().parent / "out"
    size = f"{projects}" if sheets == 1 else f"{sheets}x{projects}"
    path = folder / f"synthetic_{size}_{seed}.xlsx"
    if not path.exists():
        tmp = path.with_suffix(".tmp.xlsx")
        generate(tmp, projects, seed, sheets=sheets)
        tmp.replace(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description="Generate a synthetic ledger")
    ap.add_argument("projects", type=int)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sheets", type=int, default=1, help="sheets of PROJECTS rows each, one per 指挥部")
    a = ap.parse_args()
    generate(a.out, a.projects, a.seed, sheets=a.sheets)


if __name__ == "__main__":
    main()
