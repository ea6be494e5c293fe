"""The files made from the formula declaration: the xlwings module and the WPS add-in's functions.

``python -m keyproject.formulas`` writes them into ``addin/`` (``--check`` compares and exits 1
when one is stale; a test does the same):

- ``addin/keyproject_udfs.py``: one xlwings function per formula (classic add-in, xlwings Server
  and Lite share the decorators), each a one-line call of ``keyproject.formulas.call``;
- ``addin/wps/functions.json``: the WPS custom-function metadata, in the shape the ``wpsjs``
  tool's ``functionsScanner`` writes (``{"functions": [{name, description, parameters, result}]}``);
- ``addin/wps/js/functions.js``: one synchronous JavaScript function per formula (``KP.LIGHT``),
  each a call of ``KP_CLIENT.call`` (``js/kp_client.js``, hand-written) and registered with
  ``wps.AddCustomFunction``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from keyproject.formulas.catalog import FORMULAS
from keyproject.formulas.spec import Formula, Param

NAMESPACE = "KP"  # WPS calls the formulas KP.LIGHT(...)
COMMAND = "python -m keyproject.formulas"
_PY_BANNER = (f"# Generated from keyproject.formulas.catalog by `{COMMAND}`; do not edit by hand.\n"
              "# 本文件由公式声明生成，请勿手工修改。\n")

# -- the xlwings module -----------------------------------------------------------------------------

_XLWINGS_HEAD = '''"""keyproject as Excel formulas (xlwings): =KP_LIGHT(D5:D64, E5:E64, $B$2, ...).

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

'''

_XLWINGS_IMPORTS = '''from __future__ import annotations

import xlwings as xw
from xlwings import arg, func, script

from keyproject.errors import KPError
from keyproject.formulas import call, door_context

__all__ = [
{names}
]
'''

_XLWINGS_SCRIPT = '''

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
'''


def _py_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _xlwings_function(f: Formula) -> str:
    lines = ["", "", "@func"]
    for p in f.params:
        ndim = "ndim=2, " if p.column else ""
        lines.append(f"@arg({_py_str(p.name)}, {ndim}doc={_py_str(p.help)})")
    params = ", ".join(f"{p.name}=None" if p.optional else p.name for p in f.params)
    names = ", ".join(p.name for p in f.params)
    lines.append(f"def {f.name}({params}):")
    lines.append(f'    """{f.zh}"""')
    lines.append(f"    return call({_py_str(f.name)}, [{names}], door_context())")
    return "\n".join(lines)


def render_xlwings(formulas: tuple[Formula, ...] = FORMULAS) -> str:
    names = "\n".join(f"    {_py_str(n)}," for n in sorted([*(f.name for f in formulas), "refresh_workbook"]))
    body = "".join(_xlwings_function(f) + "\n" for f in formulas)
    return _PY_BANNER + _XLWINGS_HEAD + _XLWINGS_IMPORTS.format(names=names) + body.rstrip("\n") + "\n" \
        + _XLWINGS_SCRIPT


# -- WPS: functions.json and functions.js -----------------------------------------------------------

def _wps_type(p: Param) -> str:
    # wpsjs' scanner: "string" / "number" / "bool" / "any", "any[][]" for a range, "?" when optional
    base = "any[][]" if p.column else "any"
    return base + ("?" if p.optional else "")


def wps_metadata(formulas: tuple[Formula, ...] = FORMULAS) -> dict[str, object]:
    return {
        "functions": [
            {
                "name": f.short_name,
                "description": f.zh,
                "parameters": [{"name": p.zh, "description": p.help, "type": _wps_type(p)} for p in f.params],
                "result": {"type": "any[][]"},
            }
            for f in formulas
        ]
    }


def render_functions_json(formulas: tuple[Formula, ...] = FORMULAS) -> str:
    return json.dumps(wps_metadata(formulas), ensure_ascii=False, indent=2) + "\n"


_JS_HEAD = """// Generated from keyproject.formulas.catalog by `{command}`; do not edit by hand.
// 本文件由公式声明生成，请勿手工修改。
// keyproject 的 WPS 自定义函数：每个函数把参数原样交给本机的 kp serve（同步请求，WPS 的自定义函数只能同步），
// 结果和出错说明与 Excel（xlwings）中的同名公式完全相同。KP_CLIENT 在 js/kp_client.js 中。
/* global KP_CLIENT, wps */
"""

_JS_TAIL = """
var KP_FUNCTIONS = {{
{table}
}};

if (typeof wps !== "undefined" && wps && wps.AddCustomFunction) {{
  for (var kpName in KP_FUNCTIONS) {{
    wps.AddCustomFunction("{namespace}", kpName, KP_FUNCTIONS[kpName]);
  }}
}}

if (typeof module !== "undefined" && module.exports) {{
  module.exports = KP_FUNCTIONS;
}}
"""


def _js_function(f: Formula) -> str:
    doc = ["/**", f" * {f.zh}", " * @customfunction"]
    for p in f.params:
        name = f"[{p.zh}]" if p.optional else p.zh
        doc.append(f" * @param {{{'any[][]' if p.column else 'any'}}} {name} - {p.help}")
    doc.append(" * @returns {any[][]}")
    doc.append(" */")
    params = ", ".join(p.zh for p in f.params)
    return "\n".join([
        *doc,
        f"function {f.short_name}({params}) {{",
        f"  return KP_CLIENT.call({json.dumps(f.name)}, [{params}]);",
        "}",
    ])


def render_functions_js(formulas: tuple[Formula, ...] = FORMULAS) -> str:
    body = "\n\n".join(_js_function(f) for f in formulas)
    table = ",\n".join(f"  {f.short_name}: {f.short_name}" for f in formulas)
    return (_JS_HEAD.format(command=COMMAND) + "\n" + body + "\n"
            + _JS_TAIL.format(table=table, namespace=NAMESPACE))


# -- the generator ----------------------------------------------------------------------------------

ADDIN_DIR = Path(__file__).resolve().parents[3] / "addin"  # the repository's addin/, for an editable install

RENDERERS: dict[str, Callable[[], str]] = {
    "keyproject_udfs.py": render_xlwings,
    "wps/functions.json": render_functions_json,
    "wps/js/functions.js": render_functions_js,
}


def generate() -> dict[str, str]:
    return {name: render() for name, render in RENDERERS.items()}


def stale(addin_dir: Path = ADDIN_DIR) -> list[str]:
    """Generated files under ``addin_dir`` that differ from what the declaration gives now."""
    return [name for name, text in generate().items()
            if not (addin_dir / name).is_file() or (addin_dir / name).read_bytes() != text.encode("utf-8")]


def write(addin_dir: Path = ADDIN_DIR) -> list[Path]:
    out = []
    for name, text in generate().items():
        path = addin_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        out.append(path)
    return out
