"""Source records of the sample workbooks, built deterministically from fixed seeds.

Everything here is plain Python data: canonical field keys of ``keyproject.schema`` (LEDGER,
PROBLEMS, MILESTONES), amounts in 万元, dates as ``datetime.date``. The workbook builders lay these
records out; tests compare what the reader reads with them.

The county (富顺县, 2023, 1-7月) and its seven command posts follow the 2023 Fushun review in the
source articles; the five projects visited there are among the records. People are fictional
("张某某"), companies and codes are invented.
"""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from typing import Any

COUNTY_SEED = 20230731
CITY_SEED = 20240930
SUBMISSION_SEED = 20230831

COUNTY_YEAR = 2023
COUNTY_MONTH = 7  # a 1-7月 report
COUNTY_AS_OF = date(2023, 7, 31)

# The seven command posts (七大项目指挥部), in sheet order.
COMMAND_POSTS: tuple[str, ...] = (
    "工业项目指挥部",
    "交通项目指挥部",
    "城市建设项目指挥部",
    "社会事业项目指挥部",
    "农业农村项目指挥部",
    "水利项目指挥部",
    "文旅商贸项目指挥部",
)
SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六", "七")

LEADERS: tuple[str, ...] = (
    "张某某",
    "李某某",
    "王某某",
    "刘某某",
    "陈某某",
    "杨某某",
    "赵某某",
    "黄某某",
    "周某某",
    "吴某某",
    "徐某某",
    "孙某某",
)

# Scenario of each project as of 2023-07-31 (time progress 7/12):
#   green/yellow/red: started, investment gap in that band;
#   b10 / b30: exactly −10.00 / −30.00 points (plan 1200, ytd 580 / 340);
#   late_y / late_r: planned start passed, not started (months late 0–2 / ≥3);
#   future: planned start after the report date, not started, ytd 0;
#   noplan: reserve project with no annual plan; done: completed this year.
# (post, name, category, town, unit, level, nature, scenario, size)
_COUNTY_SPECS: tuple[tuple[int, str, str, str, str, str, str, str, str], ...] = (
    (0, "四川川啤啤酒饮料生产项目", "工业", "东湖街道", "县经信局", "省重点", "续建", "green", "L"),
    (0, "丰聚优能磷酸铁锂电池循环利用项目", "工业", "琵琶镇", "县经信局", "省重点", "新建", "yellow", "L"),
    (0, "兴永圣润滑油生产项目", "工业", "琵琶镇", "县经信局", "市重点", "新建", "green", "M"),
    (0, "晨光新材料产业园扩能项目", "工业", "富世街道", "县经信局", "省重点", "续建", "green", "L"),
    (0, "高性能氟材料产业化项目", "工业", "琵琶镇", "县经信局", "市重点", "续建", "green", "L"),
    (0, "锂电池正极材料前驱体项目", "工业", "琵琶镇", "县经信局", "市重点", "新建", "late_r", "L"),
    (0, "精细化工中间体技改项目", "工业", "琵琶镇", "县经信局", "县重点", "续建", "green", "S"),
    (0, "智能装备制造产业园（一期）", "工业", "东湖街道", "县经信局", "市重点", "新建", "late_y", "M"),
    (0, "富顺县食品饮料产业园标准化厂房", "工业", "东湖街道", "县经信局", "县重点", "续建", "b10", "S"),
    (0, "电子元器件生产线建设项目", "工业", "代寺镇", "县经信局", "县重点", "新建", "red", "M"),
    (1, "S436东湖至富世段", "基础设施", "东湖街道", "县交通运输局", "省重点", "续建", "yellow", "L"),
    (1, "G321富顺过境段改建工程", "基础设施", "富世街道", "县交通运输局", "省重点", "续建", "green", "L"),
    (1, "富顺至荣县快速通道", "基础设施", "童寺镇", "县交通运输局", "市重点", "续建", "green", "L"),
    (1, "沱江富顺港区码头（二期）", "基础设施", "富世街道", "县交通运输局", "市重点", "新建", "late_r", "L"),
    (1, "县城至琵琶镇公路改造工程", "基础设施", "琵琶镇", "县交通运输局", "县重点", "续建", "green", "M"),
    (1, "农村公路提档升级工程", "基础设施", "各镇", "县交通运输局", "县重点", "续建", "green", "M"),
    (1, "赵化至童寺公路改建工程", "基础设施", "赵化镇", "县交通运输局", "县重点", "新建", "late_y", "M"),
    (1, "富顺县客运枢纽站", "基础设施", "东湖街道", "县交通运输局", "县重点", "续建", "b30", "S"),
    (2, "富世街道老旧小区改造项目", "社会民生", "富世街道", "县住建局", "县重点", "续建", "green", "M"),
    (2, "东湖片区城市更新项目", "基础设施", "东湖街道", "县住建局", "市重点", "续建", "green", "L"),
    (2, "县城污水管网提升改造工程", "基础设施", "富世街道", "县住建局", "市重点", "续建", "yellow", "M"),
    (2, "沱江两岸滨江公园", "基础设施", "富世街道", "县住建局", "县重点", "续建", "green", "M"),
    (2, "城区停车场建设项目", "基础设施", "富世街道", "县住建局", "县重点", "新建", "green", "S"),
    (2, "保障性租赁住房项目", "社会民生", "东湖街道", "县住建局", "市重点", "续建", "red", "M"),
    (2, "城市燃气管网更新改造工程", "基础设施", "富世街道", "县住建局", "县重点", "续建", "green", "S"),
    (2, "东湖片区安置房建设项目", "社会民生", "东湖街道", "县住建局", "县重点", "续建", "done", "M"),
    (2, "智慧城市建设项目", "基础设施", "富世街道", "县发改局", "县重点", "新建", "noplan", "M"),
    (3, "富顺一中改扩建项目", "社会民生", "富世街道", "县教体局", "市重点", "续建", "green", "M"),
    (3, "县人民医院医技综合楼", "社会民生", "富世街道", "县卫健局", "市重点", "续建", "green", "M"),
    (3, "县中医医院迁建项目", "社会民生", "东湖街道", "县卫健局", "市重点", "续建", "yellow", "L"),
    (3, "富顺二中新校区建设项目", "社会民生", "东湖街道", "县教体局", "县重点", "续建", "green", "M"),
    (3, "县疾控中心业务用房", "社会民生", "富世街道", "县卫健局", "县重点", "续建", "done", "S"),
    (3, "琵琶镇中心卫生院改扩建项目", "社会民生", "琵琶镇", "县卫健局", "县重点", "续建", "green", "S"),
    (3, "县职业技术学校实训基地", "社会民生", "东湖街道", "县教体局", "县重点", "新建", "future", "S"),
    (3, "县养老服务中心", "社会民生", "富世街道", "县民政局", "县重点", "续建", "green", "S"),
    (3, "全民健身中心建设项目", "社会民生", "东湖街道", "县教体局", "县重点", "续建", "red", "S"),
    (4, "2023年高标准农田建设项目", "农业", "各镇", "县农业农村局", "市重点", "新建", "green", "M"),
    (4, "童寺镇生猪养殖基地", "农业", "童寺镇", "童寺镇", "县重点", "续建", "green", "S"),
    (4, "赵化镇晚熟柑橘产业园", "农业", "赵化镇", "赵化镇", "县重点", "续建", "green", "S"),
    (4, "怀德镇稻渔综合种养基地", "农业", "怀德镇", "怀德镇", "县重点", "续建", "yellow", "S"),
    (4, "农产品冷链物流中心", "农业", "代寺镇", "县农业农村局", "县重点", "新建", "late_r", "S"),
    (4, "农村人居环境整治提升项目", "农业", "各镇", "县农业农村局", "县重点", "续建", "green", "S"),
    (4, "永年镇现代农业园区", "农业", "永年镇", "永年镇", "县重点", "续建", "green", "S"),
    (4, "长滩镇乡村振兴示范片", "农业", "长滩镇", "长滩镇", "县重点", "新建", "noplan", "S"),
    (5, "沱江富顺段防洪治理工程", "基础设施", "富世街道", "县水务局", "省重点", "续建", "green", "L"),
    (5, "县城第二水源工程", "基础设施", "骑龙镇", "县水务局", "市重点", "续建", "green", "L"),
    (5, "中型灌区续建配套与节水改造", "基础设施", "各镇", "县水务局", "市重点", "续建", "green", "M"),
    (5, "城乡供水一体化工程", "基础设施", "各镇", "县水务局", "县重点", "续建", "yellow", "M"),
    (5, "小型水库除险加固工程", "基础设施", "各镇", "县水务局", "县重点", "续建", "green", "S"),
    (5, "东湖水库综合整治", "基础设施", "东湖街道", "县水务局", "县重点", "续建", "green", "S"),
    (5, "狮市镇集中供水工程", "基础设施", "狮市镇", "狮市镇", "县重点", "新建", "late_y", "S"),
    (5, "釜溪河富顺段水环境综合治理", "基础设施", "富世街道", "县水务局", "市重点", "续建", "red", "M"),
    (6, "千年盐都文化旅游区", "服务业", "富世街道", "县文广旅局", "市重点", "续建", "green", "L"),
    (6, "富顺文庙片区保护提升工程", "服务业", "富世街道", "县文广旅局", "县重点", "续建", "green", "S"),
    (6, "西湖片区商业综合体", "服务业", "富世街道", "县商务局", "县重点", "续建", "green", "L"),
    (6, "富顺电商物流园", "服务业", "东湖街道", "县商务局", "县重点", "续建", "yellow", "M"),
    (6, "富顺豆花美食文化街区", "服务业", "富世街道", "县商务局", "县重点", "续建", "green", "S"),
    (6, "温泉康养度假区", "服务业", "怀德镇", "县文广旅局", "县重点", "新建", "red", "L"),
    (6, "赵化古镇保护开发项目", "服务业", "赵化镇", "赵化镇", "县重点", "续建", "green", "M"),
    (6, "富顺县会展中心", "服务业", "东湖街道", "县商务局", "县重点", "新建", "red", "M"),
)

_OWNERS = {
    "县经信局": None,  # industrial projects: the company
    "县交通运输局": "富顺县交通建设投资有限公司",
    "县住建局": "富顺县城市建设投资集团有限公司",
    "县发改局": "富顺县国有资产经营有限公司",
    "县教体局": "富顺县教育和体育局",
    "县卫健局": "富顺县卫生健康局",
    "县民政局": "富顺县民政局",
    "县农业农村局": "富顺县农业投资发展有限公司",
    "县水务局": "富顺县水务投资有限公司",
    "县文广旅局": "富顺县文化旅游投资有限公司",
    "县商务局": "富顺县商贸发展有限公司",
}
_COMPANIES = {
    "四川川啤啤酒饮料生产项目": "四川川啤啤酒有限公司",
    "丰聚优能磷酸铁锂电池循环利用项目": "四川丰聚优能新能源科技有限公司",
    "兴永圣润滑油生产项目": "四川兴永圣石化有限公司",
}

_PROGRESS = {
    "green": (
        "主体结构已完成，正在进行二次结构施工",
        "路基完成85%，桥梁下部结构完成70%",
        "厂房钢结构吊装完成，设备基础施工中",
        "完成总工程量的60%",
        "主体工程已封顶，正在进行装饰装修",
        "管网铺设完成12公里",
        "按计划推进，完成年度计划过半",
    ),
    "yellow": (
        "征地拆迁尚未完成，部分路段未进场",
        "设备采购招标中，厂房基础施工",
        "受雨季影响，土石方工程滞后",
        "资金到位不足，施工进度放缓",
    ),
    "red": ("仅完成场地平整", "施工单位进场，临建设施搭建中", "桩基施工刚启动", "方案调整，暂停施工"),
    "late": ("用地手续办理中", "施工许可办理中", "环评批复待取得", "施工图审查中"),
    "future": ("初步设计已批复，正在开展施工图设计",),
    "noplan": ("可研编制中，争取纳入明年计划",),
    "done": ("已完工，正在办理竣工验收",),
}
_PROBLEMS = {
    "yellow": (
        "征地拆迁推进缓慢，需属地镇街加大协调力度",
        "原材料来源问题尚未解决",
        "项目资本金到位不足",
        "施工用电接入滞后",
    ),
    "red": (
        "融资未落实，需协调政策性银行贷款",
        "规划方案调整未获批",
        "施工单位组织不力，需约谈",
        "专项债券资金未到位",
    ),
    "late": ("用地报批未完成", "环评批复未取得", "林地占用手续待省厅审批"),
}
_FUNDING = (
    "中省预算内资金",
    "专项债券",
    "政策性基金",
    "银行贷款",
    "企业自筹",
    "中省预算内资金+县级配套",
    "专项债券+银行贷款",
)

_SIZE = {"S": (3000, 20000), "M": (20000, 100000), "L": (100000, 500000)}


def _weights(rng: random.Random, n: int) -> list[float]:
    return [rng.uniform(0.6, 1.6) for _ in range(n)]


def split_months(total: int, months: list[int], rng: random.Random) -> dict[int, int]:
    """Split an integer total over the given months, integers summing exactly to it."""
    if not months or total == 0:
        return dict.fromkeys(months, 0)
    w = _weights(rng, len(months))
    s = sum(w)
    parts = [int(total * x / s) for x in w]
    parts[-1] += total - sum(parts)
    return dict(zip(months, parts, strict=True))


def time_progress(month: int) -> float:
    return month / 12


def gap_points(ytd: float, plan: float, month: int) -> float:
    """The DOMAIN gap in points, rounded to 2 decimals (used to place the scenarios)."""
    return round((ytd / plan - time_progress(month)) * 100, 2)


def _code(rng: random.Random, year: int) -> str:
    trade = rng.choice(("36", "39", "48", "52", "78", "83", "84", "01"))
    return f"{year}-510322-{trade}-{rng.choice(('01', '03'))}-{rng.randint(100000, 999999)}"


def _date(year: int, month: int, rng: random.Random, lo: int = 1, hi: int = 28) -> date:
    return date(year, month, rng.randint(lo, hi))


def _ytd_for(scenario: str, plan: int, rng: random.Random) -> int:
    tp = time_progress(COUNTY_MONTH)
    bands = {"green": (-9.0, 22.0), "yellow": (-28.5, -11.5), "red": (-52.0, -32.0), "late_y": (-8.0, 10.0)}
    lo, hi = bands[scenario]
    while True:
        ytd = round(plan * (tp + rng.uniform(lo, hi) / 100))
        g = gap_points(ytd, plan, COUNTY_MONTH)
        if lo <= g <= hi:
            return ytd


@cache
def _county() -> tuple[dict[str, Any], ...]:
    rng = random.Random(COUNTY_SEED)
    out: list[dict[str, Any]] = []
    for i, (post, name, category, town, unit, level, nature, scenario, size) in enumerate(_COUNTY_SPECS):
        lo, hi = _SIZE[size]
        total = round(rng.uniform(lo, hi) / 100) * 100
        if scenario in ("b10", "b30"):
            total = 4800
        share = {"S": (0.35, 0.8), "M": (0.2, 0.5), "L": (0.08, 0.22)}[size]
        planned = max(1000, round(total * rng.uniform(*share) / 10) * 10)
        if planned > 50000:  # 年度计划 of a county project stays within 5亿
            planned = round(rng.uniform(30000, 50000) / 100) * 100
        plan: int | None = planned
        if scenario in ("b10", "b30"):
            plan = 1200
        start_year = 2023 if nature == "新建" else rng.choice((2021, 2022))
        actual_start: date | None = None
        actual_completion: date | None = None
        months_active = list(range(1, COUNTY_MONTH + 1))
        if scenario == "late_y":
            planned_start = _date(2023, rng.choice((5, 6, 7)), rng)
        elif scenario == "late_r":
            planned_start = _date(2023, rng.choice((2, 3, 4)), rng)
        elif scenario == "future":
            planned_start = _date(2023, rng.choice((9, 10)), rng)
        elif scenario == "noplan":
            planned_start = _date(2024, rng.choice((3, 4, 5)), rng)
        elif nature == "新建":
            planned_start = _date(2023, rng.choice((2, 3, 4)), rng)
            actual_start = _date(2023, min(planned_start.month + rng.choice((0, 0, 1)), 5), rng)
            months_active = list(range(actual_start.month, COUNTY_MONTH + 1))
        else:
            planned_start = _date(start_year, rng.randint(2, 10), rng)
            actual_start = _date(start_year, planned_start.month, rng)
        span_years = {"S": 1, "M": 2, "L": 3}[size]
        if scenario == "done":
            planned_completion = date(2023, 6, 30)
            actual_completion = _date(2023, 6, rng, 10, 28)
            months_active = list(range(1, 7))
        else:
            py = max(2023, planned_start.year + span_years)
            planned_completion = _date(py, rng.choice((6, 9, 12)), rng)
        if scenario == "b10":
            ytd = 580
        elif scenario == "b30":
            ytd = 340
        elif scenario in ("late_r", "future"):
            ytd = 0
        elif scenario == "noplan":
            ytd = 0
            plan = None
        elif scenario == "done":
            assert plan is not None
            ytd = plan - round(plan * rng.uniform(0.0, 0.08))
        else:
            assert plan is not None
            ytd = _ytd_for(scenario, plan, rng)
        # not-started projects with spend (land acquisition) put it in the last months
        if scenario == "late_y":
            months_active = list(range(max(1, planned_start.month - 3), COUNTY_MONTH + 1))
        months = split_months(ytd, months_active, rng)
        stretch = round(plan * 1.2 / 10) * 10 if plan is not None and rng.random() < 0.6 else None
        signed = land = None
        if category == "工业":
            signed = _date(start_year - 1 if nature == "续建" else 2022, rng.randint(3, 11), rng)
            if actual_start is not None or scenario == "late_y":
                land = _date(
                    signed.year if nature == "续建" else 2023,
                    min(12, signed.month + 1) if nature == "续建" else 1,
                    rng,
                )
        kind = {"b10": "green", "b30": "yellow", "late_y": "late", "late_r": "late"}.get(scenario, scenario)
        progress = rng.choice(_PROGRESS[kind])
        problems = rng.choice(_PROBLEMS[kind]) if kind in _PROBLEMS else ""
        if name == "S436东湖至富世段":
            progress, problems = "路基工程完成60%，征地拆迁完成80%", "征地拆迁进度滞后，部分地块未交付"
        if name == "丰聚优能磷酸铁锂电池循环利用项目":
            problems = "原材料（废旧电池）来源问题尚未解决"
        rec: dict[str, Any] = {
            "seq": None,  # filled when laid out
            "code": None if scenario == "noplan" else _code(rng, start_year if start_year < 2023 else 2022),
            "name": name,
            "level": level,
            "category": category,
            "nature": nature,
            "command_post": COMMAND_POSTS[post],
            "leader": LEADERS[(i * 5 + post) % len(LEADERS)],
            "unit": unit,
            "owner": _COMPANIES.get(name) or _OWNERS.get(unit) or f"{unit}",
            "town": town,
            "total_investment": float(total),
            "annual_plan": None if plan is None else float(plan),
            "annual_stretch": None if stretch is None else float(stretch),
            "ytd_completed": float(ytd),
            "month_completed": float(months.get(COUNTY_MONTH, 0)),
            **{f"m{m:02d}": float(months.get(m, 0)) for m in range(1, COUNTY_MONTH + 1)},
            "signed_date": signed,
            "land_date": land,
            "planned_start": planned_start,
            "actual_start": actual_start,
            "planned_completion": planned_completion,
            "actual_completion": actual_completion,
            "progress_note": progress,
            "problems": problems or None,
            "funding_source": rng.choice(_FUNDING[4:5] if category == "工业" else _FUNDING),
            "备注": None,
            "scenario": scenario,
        }
        if rec["owner"] == "县经信局":
            rec["owner"] = f"富顺{name[:4]}有限公司"
        elif rec["owner"].endswith("镇"):
            rec["owner"] = f"富顺县{unit}人民政府"
        out.append(rec)
    return tuple(out)


# --- layout of the county sheet: rows are fixed here so records can carry them ----------------
COUNTY_TITLE_ROW = 1
COUNTY_UNIT_ROW = 2
COUNTY_HEADER_ROWS = (4, 5)
COUNTY_TOTAL_ROW = 6  # 合计 at the top, as many offices keep it


def county_layout() -> list[tuple[str, int, Any]]:
    """Rows of the ledger sheet below the header: (kind, excel_row, payload).

    kind is "total", "section" (payload: post index), "project" (payload: record index) or
    "subtotal" (payload: (post index, first project row, last project row)).
    """
    recs = _county()
    rows: list[tuple[str, int, Any]] = [("total", COUNTY_TOTAL_ROW, None)]
    r = COUNTY_TOTAL_ROW + 1
    for p in range(len(COMMAND_POSTS)):
        rows.append(("section", r, p))
        r += 1
        first = r
        for i, rec in enumerate(recs):
            if rec["command_post"] == COMMAND_POSTS[p]:
                rows.append(("project", r, i))
                r += 1
        rows.append(("subtotal", r, (p, first, r - 1)))
        r += 1
    return rows


# Cells typed the messy way offices type them: (project name, field key, style). The text is
# derived from the true value: "3,000" (thousands separator), "2023.8.30" (dotted date),
# "2023年4月" (month only: the reader takes the 1st and warns).
COUNTY_MESSY: tuple[tuple[str, str, str], ...] = (
    ("童寺镇生猪养殖基地", "total_investment", "thousands"),
    ("富顺县食品饮料产业园标准化厂房", "planned_completion", "dotted"),
    ("温泉康养度假区", "actual_start", "month_only"),
)


def _messy_text(value: Any, style: str) -> tuple[str, Any]:
    """(text written in the cell, the value the reader should get)."""
    if style == "thousands":
        return f"{int(value):,}", float(value)
    if style == "dotted":
        return f"{value.year}.{value.month}.{value.day}", value
    return f"{value.year}年{value.month}月", date(value.year, value.month, 1)


def county_projects() -> list[dict[str, Any]]:
    """The county ledger's projects as the reader should read them (one dict per project).

    Keys: the LEDGER field keys present in the sheet, ``row`` (Excel row), ``备注`` (the user
    column keyproject does not know) and ``scenario`` (why the numbers are what they are; not in
    the sheet). Amounts in 万元 (float), dates ``datetime.date``, missing values ``None``.
    The 完成率 column holds formulas (no cached value), so ``reported_rate`` is not given.
    """
    recs = [dict(r) for r in _county()]
    seq = 0
    for kind, row, payload in county_layout():
        if kind == "project":
            seq += 1
            recs[payload]["row"] = row
            recs[payload]["seq"] = str(seq)
    # the messy cells' true values
    for name, key, style in COUNTY_MESSY:
        rec = next(r for r in recs if r["name"] == name)
        rec[key] = _messy_text(rec[key], style)[1]
    recs.sort(key=lambda r: r["row"])
    recs[3]["备注"] = "省“重大项目百日攻坚”项目"
    recs[12]["备注"] = "需县政府常务会研究"
    return recs


def county_messy_cells() -> list[dict[str, Any]]:
    """Cells typed as text in the county ledger: row, field key, the text, the value it means, and
    whether the reader should warn (month-only dates)."""
    raw = {r["name"]: r for r in _county()}
    rows = {r["name"]: r["row"] for r in county_projects()}
    out = []
    for name, key, style in COUNTY_MESSY:
        text, value = _messy_text(raw[name][key], style)
        out.append(
            {
                "name": name,
                "row": rows[name],
                "key": key,
                "text": text,
                "value": value,
                "warning": style == "month_only",
            }
        )
    return out


def county_totals() -> dict[str, float]:
    """Sums over the county projects (what the 合计 row's formulas compute)."""
    recs = county_projects()
    keys = (
        "total_investment",
        "annual_plan",
        "annual_stretch",
        "ytd_completed",
        "month_completed",
        *(f"m{m:02d}" for m in range(1, COUNTY_MONTH + 1)),
    )
    return {k: float(sum(r[k] or 0 for r in recs)) for k in keys}


# --- problems (问题台账) -----------------------------------------------------------------------

_PROBLEM_TEXTS = (
    ("征地拆迁", "剩余{n}户拆迁户未签约，影响施工进场"),
    ("用地", "项目用地指标未落实，需争取省级统筹"),
    ("资金", "项目资本金到位不足{n}00万元"),
    ("手续", "施工许可证办理滞后"),
    ("环评", "环评批复尚未取得"),
    ("电力", "施工用电增容未完成"),
    ("管线", "地下管线迁改协调难度大"),
    ("原材料", "原材料来源问题尚未解决"),
    ("融资", "政策性银行贷款审批未完成"),
    ("规划", "规划方案调整需重新报批"),
)


@cache
def _problems() -> tuple[dict[str, Any], ...]:
    rng = random.Random(COUNTY_SEED + 1)
    projects = county_projects()
    troubled = [p for p in projects if p["scenario"] in ("yellow", "red", "late_y", "late_r", "b30")]
    others = [p for p in projects if p["scenario"] == "green"]
    chosen = troubled + rng.sample(others, 25 - len(troubled))
    out = []
    # states cycle so every kind is present: open & overdue, open & not due, in progress, closed
    states = ("未销号", "已销号", "办理中", "已销号", "未销号")
    for i, p in enumerate(chosen):
        _kind, text = _PROBLEM_TEXTS[i % len(_PROBLEM_TEXTS)]
        if p["name"] == "丰聚优能磷酸铁锂电池循环利用项目":
            text = "原材料来源问题尚未解决"
        elif p["name"] == "S436东湖至富世段":
            text = "征地拆迁进度滞后，部分地块未交付"
        raised = date(2023, rng.randint(1, 6), rng.randint(1, 28))
        status = states[i % len(states)]
        # every other open item is not yet due on 2023-07-31; the rest are overdue
        deadline_month = raised.month + rng.choice((1, 2, 3))
        if status != "已销号" and i % 2 == 1:
            deadline_month = rng.choice((8, 9))
        deadline = date(2023, min(deadline_month, 9), rng.choice((10, 15, 20, 28)))
        closed = None
        if status == "已销号":
            closed = date(2023, min(7, deadline.month + rng.choice((-1, 0, 0, 1))), rng.randint(1, 28))
            closed = max(closed, raised)
        out.append(
            {
                "seq": str(i + 1),
                "project": p["name"],
                "problem": text.format(n=rng.randint(3, 30)),
                "unit": p["unit"],
                "leader": p["leader"],
                "raised_date": raised,
                "deadline": deadline,
                "status": status,
                "closed_date": closed,
                "note": "纳入县委督查" if status == "未销号" and deadline < COUNTY_AS_OF else None,
            }
        )
    return tuple(out)


PROBLEM_HEADER_ROW = 2  # row 1 is the title


def county_problems() -> list[dict[str, Any]]:
    """The 问题台账 sheet's rows (schema.PROBLEMS keys, dates ``datetime.date``) with ``row``."""
    return [dict(p, row=PROBLEM_HEADER_ROW + 1 + i) for i, p in enumerate(_problems())]


# --- settings, last year's months, milestones --------------------------------------------------


def county_settings() -> list[tuple[str, Any, str]]:
    """The 设置 sheet: (项目, 值, 说明)."""
    return [
        ("黄灯差距", -10, "完成率低于序时进度超过该百分点数（不含）亮黄灯"),
        ("红灯差距", -30, "完成率低于序时进度超过该百分点数（不含）亮红灯"),
        ("开工滞后红灯月数", 3, "超过计划开工时间未开工满该月数亮红灯，不足亮黄灯"),
        ("红榜数量", 3, "红榜取达到序时进度单位的前N名"),
        ("黑榜数量", 3, "黑榜取未达到序时进度单位的后N名"),
        ("序时进度口径", "按月", "按月：报告月份/12；按日：当年已过天数/全年天数"),
        ("百日冲刺开始", date(2023, 8, 24), "百日冲刺起始日期"),
        ("冲刺天数", 100, "冲刺天数（含起始日）"),
    ]


def last_year_monthly() -> list[float]:
    """2022's monthly completed investment (万元), January first: a year-end push shape."""
    shape = (3.1, 4.6, 8.2, 7.4, 7.9, 10.8, 6.5, 7.0, 9.6, 8.8, 9.7, 16.4)
    rng = random.Random(COUNTY_SEED + 2)
    total = 412000
    return [float(round(total * s / sum(shape) * rng.uniform(0.97, 1.03))) for s in shape]


MILESTONE_STEPS = ("项目注册", "备案/核准", "规划许可", "用地批复", "环评批复", "施工许可")


def county_milestones() -> list[dict[str, Any]]:
    """节点清单 rows (schema.MILESTONES keys) with ``row``; header on row 1."""
    rng = random.Random(COUNTY_SEED + 3)
    projects = [
        p
        for p in county_projects()
        if p["scenario"] in ("late_y", "late_r", "future", "noplan")
        or p["name"] in ("丰聚优能磷酸铁锂电池循环利用项目", "富顺县会展中心")
    ]
    projects = projects[:8]
    out = []
    row = 2
    for p in projects:
        start = p["planned_start"]
        # deadlines step back from the planned start (about a month per step, 施工许可 last)
        deadlines = [
            date(
                start.year if start.month > 6 - k else start.year - 1,
                (start.month - (6 - k) - 1) % 12 + 1,
                min(start.day, 28),
            )
            for k in range(6)
        ]
        done_upto = {"late_y": 4, "late_r": 2, "future": 3, "noplan": 1}.get(p["scenario"], 6)
        for k, step in enumerate(MILESTONE_STEPS):
            dl = deadlines[k]
            done = reason = revised = None
            if k < done_upto:
                done = date(dl.year, dl.month, max(1, min(28, dl.day + rng.randint(-10, 5))))
            elif dl < COUNTY_AS_OF:
                reason = rng.choice(
                    ("资料不齐，补正中", "等待上级部门审批", "专家评审意见未回复", "用地报批卡在省厅")
                )
                revised = date(2023, rng.choice((8, 9, 10)), rng.choice((15, 30)))
            out.append(
                {
                    "project": p["name"],
                    "step": step,
                    "deadline": dl,
                    "done_date": done,
                    "reason": reason,
                    "revised_deadline": revised,
                    "row": row,
                }
            )
            row += 1
    return out
