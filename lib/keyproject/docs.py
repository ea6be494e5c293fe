"""Reference documentation generated from the code, so it never drifts (as sqlite-utils does).

``python -m keyproject.docs`` writes ``docs/fields.md`` (the ledger schema), ``docs/rules.md``
(the rule settings and presets), ``docs/cli.md`` (every ``kp`` command's help) and
``docs/formulas.md`` (the KP_* formulas, from their declaration in ``keyproject.formulas``).
``--check`` compares instead of writing and exits 1 when a file is stale; the test suite runs the
same comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keyproject.formulas.spec import Formula
    from keyproject.schema import Field

ROOT = Path(__file__).resolve().parents[2]  # the repository, for an editable install
DOCS_DIR = ROOT / "docs"
COMMAND = "python -m keyproject.docs"
HELP_COLUMNS = "100"  # argparse wraps to the terminal width; fix it so the output is the same everywhere

_BANNER = (
    f"<!-- 本文件由 `{COMMAND}` 根据代码生成，请勿手工修改。"
    f" Generated from the code by `{COMMAND}`; do not edit by hand. -->\n"
)


# -- Markdown helpers -------------------------------------------------------------------------------

def _cell(text: str) -> str:
    """Text fit for a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _codes(items: Sequence[str]) -> str:
    # inside a code span a backslash is literal; only the pipe needs escaping in a table
    return "<br>".join("`" + i.replace("|", "\\|") + "`" for i in items)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _doc(*parts: str) -> str:
    text = _BANNER + "\n" + "\n".join(parts)
    return text.rstrip("\n") + "\n"


# -- fields.md --------------------------------------------------------------------------------------

_KIND_TEXT: dict[str, str] = {
    "text": "文本 text",
    "amount": "金额 amount",
    "rate": "比率 rate",
    "int": "整数 int",
    "date": "日期 date",
}


def _unit_text(f: Field) -> str:
    if f.kind == "amount":
        unit = f.unit or "万元"
        return f"{unit}；表头或单位说明为亿元、元时换算为{unit} (converted to {unit})"
    if f.kind == "rate":
        return "小数，50% 记为 0.5 (fraction)"
    if f.kind == "date":
        return "日期，文本日期和 Excel 序列号均可 (date)"
    return f.unit or ""


@functools.cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")  # building a converter takes a while; one is enough


def _traditional(names: Sequence[str]) -> list[str]:
    s2t = _s2t()
    out: list[str] = []
    for name in names:
        t = s2t.convert(name)
        if t != name and t not in out:
            out.append(t)
    return out


def render_fields() -> str:
    from keyproject import schema

    parts = [
        "# 台账字段 Ledger fields\n",
        "keyproject 认识的各表字段（`keyproject.schema`）。读取台账时，表头按“表头”“别名”（简体，"
        "以及由 OpenCC `s2t` 得到的繁体写法）或“模式”（对规范化后表头的整体正则匹配）对应到字段。\n",
        "The fields keyproject knows (`keyproject.schema`). A header maps to a field by its label, an "
        "alias (Simplified, or its Traditional form from OpenCC `s2t`) or a pattern (a regular "
        "expression over the whole normalised header).\n",
    ]
    for s in (schema.LEDGER, schema.PROBLEMS, schema.MILESTONES):
        parts.append(f"## {s.title} {s.name.capitalize()} (`{s.name}`)\n")
        if s.sheet_names:
            parts.append(f"常见工作表名 Usual sheet names: {'、'.join(s.sheet_names)}\n")
        rows = []
        for f in s.fields:
            rows.append([
                f"`{f.key}`",
                _cell(f.label) + ("（必填 required）" if f.required else ""),
                _KIND_TEXT.get(f.kind, f.kind) + f"<br>`{f.dtype}`",
                _cell(_unit_text(f)),
                _cell("、".join(f.aliases)),
                _cell("、".join(_traditional(f.names))),
                _codes(f.patterns),
                _cell(f.description),
            ])
        parts.append(_table(
            ["键 key", "表头 label", "类型 kind", "单位 unit", "别名 aliases（简体）",
             "繁体 Traditional (s2t，仅列不同者 differing only)", "模式 patterns", "说明 description"],
            rows,
        ))
    parts.append("## keyproject 自有列 Columns keyproject owns\n")
    parts.append(
        "`kp refresh` 在台账工作表中写入并维护这些列；读取台账时不把它们当作用户数据。\n\n"
        "`kp refresh` writes these columns into the ledger sheet; they are never read as user data.\n"
    )
    parts.append(_table(["列 column"], [[_cell(c)] for c in schema.OWNED_COLUMNS]))
    parts += _reader_sections()
    return _doc(*parts)


def _reader_sections() -> list[str]:
    """The milestone flags of states typed into date cells, and the reader's 设置 keys."""
    from keyproject import schema
    from keyproject.reader import settings
    from keyproject.values import DONE_WORDS

    words: dict[str, list[str]] = {}
    for word, milestone in DONE_WORDS.items():
        words.setdefault(milestone or "", []).append(word)
    return [
        "## 日期列中的状态 States typed into date columns\n",
        "日期单元格写的是“已开工”“续建”“已竣工”等状态时，读取为没有日期、该节点已完成，并在 `projects` 中"
        "增加以下布尔列（作为提示报告，不是错误）；“已完成”“是”等表示本列的节点。\n\n"
        "A state typed instead of a date marks the milestone done, with no date, in these boolean columns "
        "of `projects` (reported as information, not as an error).\n",
        _table(["节点 milestone", "列 column", "单元格里的写法 words"],
               [[m, f"`{col}`", _cell("、".join(words.get(m, [])))]
                for m, col in schema.DONE_COLUMNS.items()]),
        "## 读取设置 Reader settings (设置 sheet)\n",
        f"读取时不能替用户决定的事，在“设置”表中指定：`{settings.SHEET_KEY}`（台账所在的工作表，多个用顿号或"
        f"逗号分隔，与 `--sheet` 相同）；`<字段>{settings.COLUMN_KEY_SUFFIX}`，如 `年度计划投资列 = H` 或 "
        "`年度计划投资列 = 2025年计划投资`（几列都可能是同一字段时用哪一列；字段可写表头或任一别名）。\n\n"
        f"What the reader cannot decide for the user is set in the 设置 sheet: `{settings.SHEET_KEY}` (the "
        "ledger's sheet or sheets, like `--sheet`) and `<field>列` (the column, by letter or header, that "
        "holds a field when several could).\n",
    ]


# -- rules.md ---------------------------------------------------------------------------------------

def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)


def render_rules() -> str:
    from keyproject.engine.rules import SETTINGS, Rules, preset_names

    default = Rules().to_dict()
    rows = [
        [
            f"`{s.name}`",
            _cell(s.zh),
            _cell("、".join(s.aliases)),
            f"`{_cell(_toml_value(default[s.name]))}`",
            _cell(s.doc),
        ]
        for s in SETTINGS
    ]
    parts = [
        "# 规则与阈值 Rules and thresholds\n",
        "红黄绿灯、红黑榜、双过半、阶段目标等所用的全部阈值（`keyproject.rules.Rules`，由 "
        "`keyproject.rules.SETTINGS` 声明）。可在规则文件（TOML，`kp report --rules 文件`）中按 TOML 键"
        "或中文设置项设定，也可在工作簿的“设置”表中逐行写“设置项、值”。写 `preset = \"名称\"`"
        "（设置表中写“预设”）以某个预设为基础。\n",
        "Every threshold of the lights, the red/black lists, 双过半 and the staged targets "
        "(`keyproject.rules.Rules`, declared in `keyproject.rules.SETTINGS`). Set them in a TOML rules "
        "file by TOML key or Chinese key, or as key/value rows of a workbook's 设置 sheet; "
        "`preset = \"name\"` starts from a preset.\n",
        "## 设置项 Settings\n",
        _table(["TOML 键 key", "设置表中的键 设置 sheet key", "也可写作 aliases", "默认值 default",
                "含义 meaning"], rows),
        "## 预设 Presets\n",
        "随 keyproject 提供的预设（`lib/keyproject/presets/*.toml`），用 `preset = \"名称\"` 引用。\n",
        "Presets shipped in `lib/keyproject/presets/*.toml`; use one with `preset = \"name\"`.\n",
    ]
    for name in preset_names():
        text = resources.files("keyproject").joinpath("presets", f"{name}.toml").read_text(encoding="utf-8")
        values = Rules.preset(name).to_dict()
        changed = [
            [f"`{s.name}`", _cell(s.zh), f"`{_cell(_toml_value(values[s.name]))}`",
             f"`{_cell(_toml_value(default[s.name]))}`"]
            for s in SETTINGS
            if values[s.name] != default[s.name]
        ]
        parts.append(f"### `{name}`\n")
        if changed:
            parts.append("与默认值不同的设置 Settings that differ from the defaults:\n")
            parts.append(_table(["TOML 键 key", "设置项", "本预设 this preset", "默认 default"], changed))
        else:
            parts.append("与默认值相同 Same as the defaults.\n")
        parts.append("```toml\n" + text.rstrip("\n") + "\n```\n")
    return _doc(*parts)


# -- cli.md -----------------------------------------------------------------------------------------

@contextlib.contextmanager
def _columns(width: str) -> Iterator[None]:
    """argparse reads COLUMNS (through shutil.get_terminal_size) when it formats help."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def commands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, short help, parser) of each subcommand, in the parser's order."""
    out: list[tuple[str, str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:  # an alias of a command already listed
                    continue
                seen.add(id(sub))
                out.append((name, helps.get(name, ""), sub))
    return out


def render_cli() -> str:
    with _columns(HELP_COLUMNS):
        from keyproject.cli import build_parser

        parser = build_parser()
        parts = [
            "# 命令行 Command line (`kp`)\n",
            "各命令的帮助文本（`kp 命令 --help`），按命令行解析器中的顺序。\n",
            "The help of every `kp` command (`kp COMMAND --help`), in the parser's order.\n",
            "```text\n" + parser.format_help().rstrip("\n") + "\n```\n",
        ]
        for name, short, sub in commands(parser):
            parts.append(f"## kp {name}\n")
            if short:
                parts.append(_cell(short) + "\n")
            parts.append("```text\n" + sub.format_help().rstrip("\n") + "\n```\n")
    return _doc(*parts)


# -- formulas.md ------------------------------------------------------------------------------------

_KIND_ZH: dict[str, str] = {
    "date": "日期 date", "amount": "金额 amount", "rate": "比率 rate", "text": "文本 text",
    "choice": "选项 choice", "count": "整数 count", "table": "区域 range",
}
_RESULT_ZH: dict[str, str] = {
    "column": "一列：与输入同样大小，每行一个值 a column, one value per input cell",
    "table": "表格：含标题行，自动溢出到相邻单元格 a table with its header row (spills)",
}


def _formula_section(f: Formula) -> str:
    from keyproject.formulas.render import NAMESPACE

    lines = [
        f"### {f.name}\n",
        "```text\n"
        f"={f.signature()}\n"
        f"WPS: ={f.signature_zh(NAMESPACE)}\n"
        f"kp serve: POST /api/formulas/{f.name}\n"
        "```\n",
        f"{f.zh}\n",
        f"{f.en}\n",
    ]
    lines += [f"{note}\n" for note in f.notes]
    lines.append(f"结果 Result: {_RESULT_ZH[f.result]}。库函数 Library function: `{f.function_path}`\n")
    rows = [[f"`{p.name}`", _cell(p.zh), _KIND_ZH[p.kind],
             "可省略 optional" if p.optional else "必填 required",
             "整列 column" if p.column else "单元格 cell", _cell(p.help), _cell(p.en)] for p in f.params]
    lines.append(_table(["参数 parameter", "中文名", "类型 kind", "必填 required", "区域 range", "说明",
                         "description"], rows))
    return "\n".join(lines)


def render_formulas() -> str:
    """docs/formulas.md, from the formula declaration (``keyproject.formulas.catalog``)."""
    from keyproject.formulas import FORMULAS
    from keyproject.formulas.render import NAMESPACE

    parts = [
        "# 公式 Formulas (`KP_*`)\n",
        "公式在 `keyproject.formulas.catalog` 中声明一次，以下各处都由它生成：Excel 的 xlwings 模块"
        "（`addin/keyproject_udfs.py`，经典加载项与 xlwings Server/Lite 通用）、WPS 加载项的 "
        f"`addin/wps/functions.json` 和 `functions.js`（在 WPS 中写作 `{NAMESPACE}.LIGHT(...)`，经本机的 "
        "`kp serve` 计算）、`kp serve` 的接口和本文档。各处的结果和出错说明完全相同。\n",
        "The formulas are declared once in `keyproject.formulas.catalog`; the xlwings module, the WPS "
        "add-in's functions, `kp serve`'s routes and this page are generated from it, and give the same "
        "results and messages everywhere.\n",
        "参数按位置填写，方括号中的可省略；每个参数可以是一个单元格，也可以是整列区域（“区域”一栏为“单元格”的"
        "除外），一个公式算完一万行。空单元格按空值处理；桌面版 Excel（Office.js）和 WPS 会把空单元格传成 0，"
        "因此日期、金额、比率、文本类参数中的 0 一律按空值处理（日期 0 即 1899-12-30，不会是真实日期）。"
        "某一行读不懂时该行显示一句中文说明，其余行照常计算；整个调用无法进行时只返回一句说明。\n",
        "Arguments are positional; brackets mark optional ones. Blank cells are blanks; desktop Excel "
        "(Office.js) and WPS send blank cells as 0, so a 0 in a date, amount, rate or text argument is "
        "read as blank. A cell that cannot be read gets a Chinese message, the other rows are computed.\n",
        "## 一览 Overview\n",
        _table(["公式 formula", "WPS", "结果 result", "用途 purpose"], [
            [f"[`{f.name}`](#{f.name.lower()})", f"`{NAMESPACE}.{f.short_name}`",
             "一列 column" if f.result == "column" else "表格 table", _cell(f.zh)]
            for f in FORMULAS
        ]),
    ]
    parts += [_formula_section(f) for f in FORMULAS]
    parts += [
        "## 刷新按钮 The refresh button\n",
        "Excel（xlwings）：宏 `refresh_workbook` 通过 Excel 的对象模型刷新当前工作簿（只写值）："
        "`keyproject.open_book.refresh_open_book`。WPS：功能区“重点项目”选项卡的“刷新台账”按钮保存并关闭工作簿，"
        "请本机的 `kp serve` 用 `keyproject.workbook.refresh_workbook` 刷新文件"
        "（与 `kp refresh` 相同，先备份），"
        "再重新打开；“打开通报”显示刷新后写入的通报。\n",
        "Excel (xlwings): the macro `refresh_workbook` refreshes the open workbook through Excel's object "
        "model (values only). WPS: the 刷新台账 button saves and closes the workbook, has `kp serve` refresh "
        "the file exactly as `kp refresh` does (after a backup) and opens it again; 打开通报 shows the "
        "bulletin.\n",
    ]
    parts += _live_section()
    return _doc(*parts)


def _live_section() -> list[str]:
    """The live lights of ``kp refresh --live``, with the formulas of an example row as written."""
    import datetime as dt

    from keyproject.engine.rules import SETTINGS, Rules
    from keyproject.formulas.live import (
        NEEDS_REFRESH,
        LiveColumns,
        LiveRow,
        Threshold,
        Thresholds,
        gap_formula,
        light_formula,
    )
    from keyproject.workbook.settings_sheet import THRESHOLDS

    rules = Rules()
    zh = {st.name: st.zh for st in SETTINGS}
    keys = "、".join(zh[n] for n in THRESHOLDS)
    cells = Thresholds(*(Threshold(float(getattr(rules, n)), f"'设置'!$B${i}", float(getattr(rules, n)),
                                   getattr(rules, n)) for i, n in enumerate(THRESHOLDS, start=2)))
    columns = LiveColumns(annual_plan="M", ytd=("O",), planned_start="AA", started=("AB",), nature="E")
    row, as_of = LiveRow(8), dt.date(2023, 7, 31)
    return [
        "## 实时灯号 Live lights (`kp refresh --live`)\n",
        "`kp refresh 台账.xlsx --live`（WPS 任务窗格中勾选“灯号写成公式”后刷新也一样）把“差距(百分点)”和"
        "“灯号”写成表格自带的公式（附计算结果），不需要任何加载项：公式引用本行的年度计划、累计完成、计划和"
        f"实际开工日期、项目阶段、建设性质单元格，以及“设置”表中的{keys}（没有“设置”表或缺少这几行时自动添加，"
        "已有的值不改；用 --rules 时为常数）。灯号颜色由条件格式给出，随公式结果变化。报告日期、序时进度、"
        "序时口径和灯号名称在刷新时确定，下一期请再刷新。单元格改成公式读不懂的内容（如文本日期“2023.7.5”）时"
        f"显示“{NEEDS_REFRESH}”。公式的结果与 `kp report` 完全相同（在 LibreOffice 中逐行检验）。\n",
        "`kp refresh LEDGER --live` writes 差距(百分点) and 灯号 as native formulas (their results cached) "
        f"over the row's own cells and the 设置 sheet's {keys}, added when missing; the colours are "
        "conditional formats. The report date and time progress are fixed at the refresh. Example (row 8, "
        "plan in M, completion in O, planned and actual start in AA and AB, 建设性质 in E, as of "
        "2023-07-31):\n",
        "```text\n"
        f"差距(百分点) {gap_formula(columns, row, as_of, rules)}\n"
        f"灯号 {light_formula(columns, row, as_of, rules, cells)}\n"
        "```\n",
        "库函数 Library: `keyproject.workbook.refresh_workbook(path, live=True)`；公式文本 formula text: "
        "`keyproject.formulas.live`。\n",
    ]


# -- the generator ----------------------------------------------------------------------------------

RENDERERS: dict[str, Callable[[], str]] = {
    "fields.md": render_fields,
    "rules.md": render_rules,
    "cli.md": render_cli,
    "formulas.md": render_formulas,
}


def generate() -> dict[str, str]:
    """File name → Markdown text of every generated document."""
    return {name: render() for name, render in RENDERERS.items()}


def write(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate().items():
        path = out_dir / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def stale(out_dir: Path) -> list[str]:
    """Names of the documents in ``out_dir`` that differ from what the code generates now."""
    return [
        name for name, text in generate().items()
        if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != text.encode("utf-8")
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Generate docs/*.md from the code.")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 if stale")
    parser.add_argument("--out", type=Path, help="output folder (default: docs/ of the repository)")
    args = parser.parse_args(argv)
    if args.out is None:
        if not (ROOT / "pyproject.toml").is_file():  # installed without the repository around it
            parser.error("not run from a source checkout: give --out")
        args.out = DOCS_DIR
    if args.check:
        bad = stale(args.out)
        if bad:
            print(f"stale docs in {args.out}: {', '.join(bad)}; run `{COMMAND}` and commit docs/",
                  file=sys.stderr)
            return 1
        print(f"docs up to date: {args.out}")
        return 0
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
