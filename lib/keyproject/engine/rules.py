"""Every threshold of the progress engine, with the defaults of issue 3, configurable; and how the
figures and the 通报 are presented (decimals, the 公文's issuing office, 主送, fonts).

The settings are declared once as data (``SETTINGS``): the English field name (also the TOML key),
the Chinese key used in a workbook's 设置 sheet (also accepted in TOML), how a value is parsed and
what it means. ``Rules.from_toml``, ``Rules.from_settings`` and ``settings_doc`` all read it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from keyproject.errors import KPError
from keyproject.schema import LEDGER

LIGHTS: tuple[str, ...] = ("green", "yellow", "red")
# 序时进度 bases: month/12, day of year / days, each project's cumulative monthly plan / annual plan
BASES: tuple[str, ...] = ("month", "day", "plan")
# the group columns a ranking or 红黑榜 can use; a 设置 value names one by its key, by a header the
# schema knows for the field (label or alias) or by the short word offices write (GROUP_SHORT_WORDS)
GROUP_COLUMNS: tuple[str, ...] = ("unit", "town", "command_post", "leader", "category", "level")
GROUP_SHORT_WORDS: dict[str, tuple[str, ...]] = {"unit": ("单位",), "leader": ("领导",)}


def group_words(key: str) -> tuple[str, ...]:
    """The words that name group column ``key`` in a 设置 sheet, its schema header first."""
    return (*LEDGER[key].names, *GROUP_SHORT_WORDS.get(key, ()))


@dataclass(frozen=True)
class Rules:
    """Thresholds of the lights, the lists and the targets (gaps in percentage points), and how the
    figures and the 通报 are presented."""

    # 序时进度: "month" = month/12, "day" = day of year / days in year, "plan" = each project's plan to
    # the report month (1-N月计划, or its monthly plans summed) / its annual plan (month/12 without one)
    basis: str = "month"
    green_gap: float = -10.0  # gap ≥ green_gap → green investment light
    red_gap: float = -30.0  # gap < red_gap → red; in between → yellow
    start_red_months: int = 3  # start overdue by fewer months → yellow, by at least this many → red
    double_half_month: int = 6  # 双过半 is judged from this report month on
    double_half_rate: float = 0.5
    size_bands: tuple[float, ...] = (3000.0, 5000.0, 10000.0, 50000.0, 100000.0)  # 万元, lower bounds
    red_list_size: int = 3
    black_list_size: int = 3
    list_by: str = "unit"  # the group column of the 红黑榜
    problem_due_days: int = 7  # an open problem whose deadline is this close is "due soon"
    staged_targets: tuple[tuple[int, float], ...] = ((9, 0.75), (12, 1.0))  # (month, share of plan)
    light_names: tuple[str, str, str] = ("绿", "黄", "红")  # labels of green, yellow, red
    # rankings: a group with fewer projects gets no rank and is on no list (Mianyang exempts small units)
    rank_min_projects: int = 2
    # the units ranked as 乡镇（街道） rather than as 部门; empty: told apart by name (ranking.TOWN_PATTERN)
    town_units: tuple[str, ...] = ()
    # presentation: decimals shown (万元: None = as the ledger's own amounts need)
    yi_decimals: int = 2
    rate_decimals: int = 1
    points_decimals: int = 1
    amount_decimals: int | None = None
    # the 通报 as a 公文; empty texts are derived from ``region``
    region: str = "全县"
    issuer: str = ""  # 发文机关 (版头 and 落款)
    doc_number: str = ""  # 发文字号, e.g. 富重项办〔2023〕12号
    recipients: str = ""  # 主送
    signer: str = ""  # 落款 (default: the issuer)
    requirements: str = ""  # 下步工作要求, paragraphs separated by line breaks
    title_font: str = "方正小标宋简体"
    heading_font: str = "黑体"
    subheading_font: str = "楷体_GB2312"
    body_font: str = "仿宋_GB2312"

    def __post_init__(self) -> None:
        _validate(self)

    # -- labels -------------------------------------------------------------------------------
    def light_label(self, light: str | None) -> str:
        """Chinese label of a light: "red" → "红" ("蓝" for green under the Zhaoqing preset)."""
        if light is None or light != light:  # None or NaN
            return ""
        try:
            return self.light_names[LIGHTS.index(light)]
        except ValueError:
            raise KPError(f"未知的灯号“{light}”，应为 green / yellow / red") from None

    @property
    def size_band_labels(self) -> tuple[str, ...]:
        """Chinese labels of the size bands: ≥3000万, ≥1亿 …"""
        return tuple(band_label(b) for b in self.size_bands)

    def staged_target(self, month: int) -> tuple[int, float] | None:
        """The staged target due at or after ``month`` (e.g. month 7 → (9, 0.75))."""
        due = [t for t in self.staged_targets if t[0] >= month]
        return min(due) if due else None

    # -- the 公文 ---------------------------------------------------------------------------------
    @property
    def level(self) -> str:
        """The administrative level of ``region``: 县, 市 or 区 (全县 → 县; 自贡市 → 市)."""
        for ch in reversed(self.region.strip()):
            if ch in "县市区旗":
                return "县" if ch == "旗" else ch
        return "县"

    @property
    def issuing_office(self) -> str:
        """发文机关: the 设置 value, else the key-project office of the region's level."""
        return self.issuer.strip() or f"{self.level}重点项目推进工作领导小组办公室"

    @property
    def main_recipients(self) -> str:
        """主送, ending in a full-width colon, as a 通报 is addressed."""
        text = self.recipients.strip()
        if not text:
            text = {"县": "各乡镇人民政府、街道办事处，县级各部门",
                    "区": "各镇人民政府、街道办事处，区级各部门",
                    "市": "各县（市、区）人民政府，市级各部门"}[self.level]
        return text.rstrip("：:") + "："

    @property
    def signature(self) -> str:
        """落款: the 设置 value, else the issuing office."""
        return self.signer.strip() or self.issuing_office

    @property
    def unit_class_labels(self) -> dict[str, str]:
        """What the two kinds of ranked units are called at this level: 乡镇（街道）/县直部门 …"""
        return {"县": {"town": "乡镇（街道）", "department": "县直部门"},
                "区": {"town": "镇（街道）", "department": "区直部门"},
                "市": {"town": "县（市、区）", "department": "市直部门"}}[self.level]

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, base: Rules | None = None,
                     source: str | None = None, sheet: str | None = None) -> Rules:
        """Rules from keys (English field names or the Chinese 设置 keys) to values."""
        values: dict[str, Any] = {}
        for key, raw in mapping.items():
            spec = _BY_KEY.get(_norm_key(str(key)))
            if spec is None:
                raise KPError(f"未知的规则设置项“{key}”；可用的设置项：{'、'.join(s.zh for s in SETTINGS)}",
                              file=source, sheet=sheet)
            try:
                values[spec.name] = spec.parse(raw)
            except (ValueError, TypeError) as exc:
                raise KPError(f"规则设置项“{spec.zh}”的值“{raw}”无效：{exc}",
                              file=source, sheet=sheet) from None
        try:
            return dataclasses.replace(base or cls(), **values)
        except ValueError as exc:
            raise KPError(f"规则设置有误：{exc}", file=source, sheet=sheet) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> Rules:
        """Rules from a TOML file; ``preset = "zhaoqing"`` starts from a preset."""
        from keyproject.safety import check_text_file

        path = check_text_file(path, "规则文件")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KPError(f"规则文件不是有效的 TOML：{exc}", file=path) from None
        return cls._from_toml_data(data, source=str(path))

    @classmethod
    def _from_toml_data(cls, data: dict[str, Any], source: str | None) -> Rules:
        data = dict(data)
        base = None
        preset = data.pop("preset", None)
        if preset is not None:
            base = cls.preset(str(preset))
        return cls.from_mapping(data, base=base, source=source)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, strict: bool = True) -> Rules:
        """Rules from the key/value rows of a 设置 sheet (Chinese keys such as 黄灯差距).

        With ``strict=False`` keys that are not rules (other tools' settings) are skipped; see
        ``unknown_settings`` to report them.
        """
        if not strict:
            settings = {k: v for k, v in settings.items() if _norm_key(str(k)) in _BY_KEY}
        settings = {k: v for k, v in settings.items() if not _blank(v)}
        preset = next((v for k, v in settings.items() if _norm_key(str(k)) in ("preset", "预设")), None)
        base = cls.preset(_preset_name(str(preset))) if preset is not None else None
        rest = {k: v for k, v in settings.items() if _norm_key(str(k)) not in ("preset", "预设")}
        return cls.from_mapping(rest, base=base, sheet="设置")

    @staticmethod
    def unknown_settings(settings: Mapping[str, Any]) -> list[str]:
        """Keys of a 设置 sheet that are not rule settings."""
        return [str(k) for k in settings if _norm_key(str(k)) not in _BY_KEY
                and _norm_key(str(k)) not in ("preset", "预设")]

    @classmethod
    def preset(cls, name: str) -> Rules:
        """A named preset shipped in ``keyproject/presets`` (default, zhaoqing)."""
        names = preset_names()
        if name not in names:
            raise KPError(f"没有名为“{name}”的规则预设；可用：{'、'.join(names)}")
        text = resources.files("keyproject").joinpath("presets", f"{name}.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
        if data.get("preset") == name:
            raise KPError(f"规则预设“{name}”引用了自身")
        return cls._from_toml_data(data, source=f"{name}.toml")

    def to_dict(self) -> dict[str, Any]:
        """The rules as TOML-able values keyed by field name."""
        d = dataclasses.asdict(self)
        d["size_bands"] = list(self.size_bands)
        d["staged_targets"] = {str(m): r for m, r in self.staged_targets}
        d["light_names"] = list(self.light_names)
        d["town_units"] = list(self.town_units)
        d["amount_decimals"] = "自动" if self.amount_decimals is None else self.amount_decimals
        return d


def preset_names() -> list[str]:
    files = resources.files("keyproject").joinpath("presets")
    return sorted(p.name[:-5] for p in files.iterdir() if p.name.endswith(".toml"))


def band_label(amount: float) -> str:
    """≥3000万, ≥1亿, ≥0.5亿 for a lower bound in 万元."""
    if amount >= 10000:
        return f"≥{amount / 10000:g}亿"
    return f"≥{amount:g}万"


# -- value parsing ----------------------------------------------------------------------------

def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    t = unicodedata.normalize("NFKC", str(v)).strip()
    return t.replace("−", "-").replace("–", "-").replace("—", "-")


def _number(v: Any, *units: str) -> float:
    if isinstance(v, bool):
        raise ValueError("应为数字")
    if isinstance(v, (int, float)):
        return float(v)
    t = _text(v)
    for u in (*units, "个百分点", "百分点"):
        if t.endswith(u):
            t = t[: -len(u)].strip()
    t = t.replace(",", "")
    if t.startswith("落后"):  # "落后10个百分点" = −10
        t = "-" + t[2:]
    try:
        return float(t)
    except ValueError:
        raise ValueError("应为数字") from None


def _points(v: Any) -> float:
    return _number(v)


def _int(v: Any, unit: str = "") -> int:
    x = _number(v, *( (unit,) if unit else ()), "个")
    if x != int(x):
        raise ValueError("应为整数")
    return int(x)


def _rate(v: Any) -> float:
    if isinstance(v, str) and _text(v).endswith("%"):
        return _number(_text(v)[:-1]) / 100
    x = _number(v)
    if x > 1.5:
        raise ValueError("比例请写成 50% 或 0.5")
    return x


def _split(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v]
    return [p for p in re.split(r"[,，、;；/\s]+", _text(v)) if p]


def _amount(t: Any) -> float:
    if isinstance(t, (int, float)) and not isinstance(t, bool):
        return float(t)
    s = _text(t).lstrip("≥>").replace(",", "")
    factor = 1.0
    for suffix, f in (("亿元", 10000.0), ("亿", 10000.0), ("万元", 1.0), ("万", 1.0)):
        if s.endswith(suffix):
            s, factor = s[: -len(suffix)], f
            break
    return float(s) * factor


def _bands(v: Any) -> tuple[float, ...]:
    items = v if isinstance(v, (list, tuple)) else _split(v)
    return tuple(_amount(x) for x in items)


def _staged(v: Any) -> tuple[tuple[int, float], ...]:
    if isinstance(v, Mapping):
        pairs = [(_int(k, "月"), _rate(r)) for k, r in v.items()]
    else:  # "9月:75%,12月:100%"
        pairs = []
        for part in _split(v) if not isinstance(v, (list, tuple)) else [str(x) for x in v]:
            m, sep, r = re.sub(r"[:：=]", ":", part).partition(":")
            if not sep:
                raise ValueError("应写成“9月:75%,12月:100%”")
            pairs.append((_int(m, "月底"), _rate(r)) if m.endswith("月底") else (_int(m, "月"), _rate(r)))
    return tuple(sorted(pairs))


def parse_basis(v: Any) -> str:
    """A 序时口径 as a user writes it (按月, 按日, 按月度计划, month …) → ``BASES``; ValueError otherwise.
    The 设置 sheet, TOML files and the formulas' 口径 argument all read it here."""
    t = _text(v).lower()
    found = {"month": "month", "按月": "month", "月": "month", "day": "day", "按日": "day", "日": "day",
             "按天": "day", "天": "day", "plan": "plan", "按计划": "plan", "计划": "plan",
             "按月度计划": "plan", "月度计划": "plan", "累计计划": "plan", "按累计计划": "plan"}.get(t)
    if found is None:
        raise ValueError("应为 按月、按日 或 按月度计划（month / day / plan）")
    return found


def _names(v: Any) -> tuple[str, str, str]:
    items = v if isinstance(v, (list, tuple)) else re.split(r"[,，、/;；\s]+", _text(v))
    parts = [str(p).strip() for p in items]
    parts = [p for p in parts if p]
    if len(parts) != 3:
        raise ValueError("应为三个名称，如“绿/黄/红”")
    return (parts[0], parts[1], parts[2])


def _group(v: Any) -> str:
    t = _text(v)
    if t in GROUP_COLUMNS:
        return t
    for key in GROUP_COLUMNS:
        if t in group_words(key):
            return key
    raise ValueError(f"应为 {'、'.join(LEDGER[k].label for k in GROUP_COLUMNS)} 之一")


def _units(v: Any) -> tuple[str, ...]:
    # unit names as typed (no NFKC: "（" stays full-width, as the ledger has it)
    items = v if isinstance(v, (list, tuple)) else re.split(r"[,，、;；/\s]+", str(v))
    return tuple(dict.fromkeys(p for p in (str(x).strip() for x in items) if p))


def _decimals(v: Any) -> int:
    n = _int(v, "位")
    if not 0 <= n <= 4:
        raise ValueError("小数位数应在 0 至 4 之间")
    return n


def _auto_decimals(v: Any) -> int | None:
    if v is None or (isinstance(v, str) and _text(v) in ("自动", "auto", "")):
        return None
    return _decimals(v)


def _line(v: Any) -> str:
    return str(v).strip() if v is not None else ""  # text of a 公文: kept as typed, full-width marks too


def _paragraphs(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        v = "\n".join(str(x) for x in v)
    lines = [ln.strip() for ln in str(v).replace("\r", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _font(v: Any) -> str:
    t = str(v).strip()
    if not t or any(c in t for c in '<>&"'):
        raise ValueError("应为字体名称，如“仿宋_GB2312”")
    return t


@dataclass(frozen=True)
class Setting:
    """One rule setting: field name, Chinese key, parser, meaning (Chinese, for the docs)."""

    name: str
    zh: str
    parse: Callable[[Any], Any]
    doc: str
    aliases: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("basis", "序时口径", parse_basis,
            "序时进度的算法：按月（月份÷12）、按日（年内第几天÷全年天数）或按月度计划（各项目1-N月计划÷年度计划，"
            "即“完成1-N月投资计划的X%”；没有月度计划的项目按月计算并提示）", ("序时进度口径",)),
    Setting("green_gap", "黄灯差距", _points, "完成率低于序时进度超过此数（百分点，负数）亮黄灯；默认 -10",
            ("绿灯差距",)),
    Setting("red_gap", "红灯差距", _points, "完成率低于序时进度超过此数（百分点，负数）亮红灯；默认 -30"),
    Setting("start_red_months", "开工滞后红灯月数", lambda v: _int(v, "个月"),
            "计划开工已过而未开工：滞后少于此月数亮黄灯，达到此月数亮红灯；默认 3", ("开工滞后月数",)),
    Setting("double_half_month", "双过半月份", lambda v: _int(v, "月"), "从此月起判断双过半；默认 6"),
    Setting("double_half_rate", "双过半完成率", _rate, "双过半要求的完成率；默认 50%", ("双过半比例",)),
    Setting("size_bands", "规模档次", _bands, "按总投资统计的档次下限（万元，可写 1亿）",
            ("投资规模档次",)),
    Setting("red_list_size", "红榜数量", lambda v: _int(v, "名"), "红榜取达到序时进度的前几名；默认 3"),
    Setting("black_list_size", "黑榜数量", lambda v: _int(v, "名"), "黑榜取低于序时进度的后几名；默认 3"),
    Setting("list_by", "红黑榜分组", _group, "红黑榜按哪一列排名：责任单位、乡镇、指挥部或包保领导",
            ("排名分组",)),
    Setting("problem_due_days", "问题临期天数", lambda v: _int(v, "天"),
            "距完成时限不超过此天数的未销号问题为临期",
            ("临期天数",)),
    Setting("staged_targets", "阶段目标", _staged, "阶段性目标，如“9月:75%,12月:100%”"),
    Setting("light_names", "灯号名称", _names, "绿、黄、红三灯的名称，如“蓝/黄/红”（肇庆）；默认 绿/黄/红"),
    Setting("rank_min_projects", "参与排名最少项目数", lambda v: _int(v, "个"),
            "项目少于此数的单位不参与排名、不上红黑榜（在通报中列明）；默认 2，写 1 则全部参与",
            ("排名最少项目数", "最少项目数")),
    Setting("town_units", "乡镇单位", _units,
            "红黑榜中按乡镇（街道）排名的单位，用顿号或逗号分隔，其余单位按部门排名；不填时按名称识别："
            "以镇、乡、街道、办事处、区、县、市、旗结尾（可再带“人民政府”“政府”“管委会”“办事处”等）的为乡镇（街道），"
            "如“赵化镇”“富世街道办事处”“高新区管委会”，其余（县经信局、县委办……）为部门",
            ("乡镇街道名单", "乡镇名单", "属地单位")),
    Setting("yi_decimals", "亿元小数位数", _decimals, "通报中亿元金额的小数位数；默认 2"),
    Setting("rate_decimals", "百分比小数位数", _decimals, "完成率、序时进度等百分比的小数位数；默认 1",
            ("比率小数位数",)),
    Setting("points_decimals", "百分点小数位数", _decimals, "差距（百分点）的小数位数；默认 1"),
    Setting("amount_decimals", "万元小数位数", _auto_decimals,
            "万元金额的小数位数；默认“自动”：台账金额都是整数时显示整数，否则按台账所需（最多 2 位）"),
    Setting("region", "地区称谓", _line, "通报中的地区称谓，如“全县”“全市”“全区”；也决定默认的发文机关、"
            "主送和乡镇/部门的称谓；默认 全县", ("地区",)),
    Setting("issuer", "发文机关", _line,
            "通报版头和落款的发文机关；默认按地区称谓，如“县重点项目推进工作领导小组办公室”",
            ("发文单位", "版头")),
    Setting("doc_number", "发文字号", _line, "版头下的发文字号，如“富重项办〔2023〕12号”；默认不写",
            ("文号",)),
    Setting("recipients", "主送", _line,
            "主送机关；默认按地区称谓，如“各乡镇人民政府、街道办事处，县级各部门：”", ("主送机关",)),
    Setting("signer", "落款", _line, "正文后的发文机关署名；默认同发文机关", ("署名", "发文机关署名")),
    Setting("requirements", "工作要求", _paragraphs, "通报最后一节“下步工作要求”的内容（每段一行）；默认不写",
            ("下步工作要求",)),
    Setting("title_font", "标题字体", _font,
            "通报标题和版头的字体；默认 方正小标宋简体（没有时按宋体类替代）"),
    Setting("heading_font", "一级标题字体", _font, "“一、”级标题的字体；默认 黑体"),
    Setting("subheading_font", "二级标题字体", _font, "“（一）”级标题的字体；默认 楷体_GB2312"),
    Setting("body_font", "正文字体", _font, "正文的字体；默认 仿宋_GB2312（没有时用仿宋）"),
)


def _norm_key(key: str) -> str:
    return _text(key).replace(" ", "").lower()


_BY_KEY: dict[str, Setting] = {}
for _s in SETTINGS:
    for _k in (_s.name, _s.zh, *_s.aliases):
        _BY_KEY[_norm_key(_k)] = _s

_FIELD_NAMES = {f.name for f in dataclasses.fields(Rules)}
assert {s.name for s in SETTINGS} == _FIELD_NAMES, "every Rules field is declared once in SETTINGS"


def _preset_name(text: str) -> str:
    t = _text(text)
    return {"肇庆": "zhaoqing", "默认": "default"}.get(t, t.lower())


def settings_doc() -> str:
    """A Markdown table of the settings (for README and the 设置 sheet's help)."""
    d = Rules().to_dict()
    lines = ["| 设置项（设置表） | TOML 键 | 默认值 | 说明 |", "|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| {s.zh} | `{s.name}` | `{d[s.name]}` | {s.doc} |")
    return "\n".join(lines)


def _validate(r: Rules) -> None:
    if r.basis not in BASES:
        raise ValueError("序时口径应为 month、day 或 plan")
    if not r.red_gap <= r.green_gap:
        raise ValueError(f"红灯差距（{r.red_gap:g}）应不高于黄灯差距（{r.green_gap:g}），两者通常为负数")
    if r.start_red_months < 1:
        raise ValueError("开工滞后红灯月数应至少为 1")
    if not 1 <= r.double_half_month <= 12:
        raise ValueError("双过半月份应在 1 至 12 之间")
    if not 0 < r.double_half_rate <= 1.5:
        raise ValueError("双过半完成率应大于 0")
    bands = tuple(r.size_bands)
    if not bands or any(b <= 0 for b in bands) or list(bands) != sorted(set(bands)):
        raise ValueError("规模档次应为递增的正数")
    if r.red_list_size < 0 or r.black_list_size < 0:
        raise ValueError("红榜、黑榜数量不能为负")
    if r.list_by not in GROUP_COLUMNS:
        raise ValueError(f"红黑榜分组“{r.list_by}”无效")
    if r.problem_due_days < 0:
        raise ValueError("问题临期天数不能为负")
    for m, rate in r.staged_targets:
        if not 1 <= m <= 12 or not 0 < rate <= 1.5:
            raise ValueError("阶段目标的月份应在 1 至 12 之间，比例大于 0")
    if len(r.light_names) != 3 or not all(isinstance(n, str) and n for n in r.light_names):
        raise ValueError("灯号名称应为三个非空文字")
    if r.rank_min_projects < 1:
        raise ValueError("参与排名最少项目数应至少为 1")
    for n in (r.yi_decimals, r.rate_decimals, r.points_decimals,
              *(() if r.amount_decimals is None else (r.amount_decimals,))):
        if not 0 <= n <= 4:
            raise ValueError("小数位数应在 0 至 4 之间")
    if not r.region.strip():
        raise ValueError("地区称谓不能为空")
