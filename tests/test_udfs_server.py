"""xlwings' own custom-function path (xlwings Server / Lite) without Excel.

``XLWINGS_ON_SERVER`` must be set before xlwings is imported, and it changes what ``xlwings.func``
is for the whole process, so every check here runs in a child Python process; this module's own
process keeps the pass-through decorators the other tests rely on. The child receives the JSON
Excel's Office.js add-in would send (2-D arguments, dates as serial numbers, null blanks) and
answers with what xlwings returns; the answers are compared with the library, computed here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keyproject import excel_shapes as xs
from keyproject.engine.backplan import backward_plan
from keyproject.engine.lights import evaluate
from keyproject.engine.progress import time_progress
from keyproject.engine.rules import Rules
from keyproject.engine.sprint import sprint_status

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "addin"

CHILD = r"""
import asyncio, json, sys
import xlwings
import xlwings.server as server
import keyproject_udfs as module

request = json.load(sys.stdin)
out = {"meta": server.custom_functions_meta(module), "scripts": server.custom_scripts_meta(module),
       "on_server": xlwings.on_server, "results": []}
for name, args in request:
    data = {"func_name": name, "args": args, "caller_address": "Sheet1!B2", "content_language": "zh-CN",
            "version": xlwings.__version__, "runtime": "1.4", "client": "Office.js"}
    out["results"].append(asyncio.run(server.custom_functions_call(data, module)))
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def run_child(calls: list[tuple[str, list]]) -> dict:
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial",
               PYTHONPATH=os.pathsep.join([str(ADDIN), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(calls), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def serial(d: dt.date) -> float:
    return float(xs.datetime_to_serial(np.array([d], dtype="datetime64[us]"))[0])


JULY = dt.date(2023, 7, 31)
DONE = [[600], [100], [None], [900], [50]]
PLAN = [[1000], [1000], [800], [None], [1000]]
PLANNED = [[serial(dt.date(2023, 3, 1))], [None], [serial(dt.date(2023, 1, 10))], [None], [None]]
STARTED = [[serial(dt.date(2023, 3, 5))], [None], [None], [None], ["2023年2月1日"]]
LEDGER = [["项目名称", "责任单位", "年度计划投资", "1-7月完成投资"], ["甲", "发改局", 1000, 600],
          ["乙", "住建局", 2000, 300], ["合计", None, 3000, 900]]

CALLS = [
    ("KP_TIMEPROGRESS", [[[serial(JULY)]]]),
    ("KP_TIMEPROGRESS", [[[serial(JULY)], [None], ["2023-06-30"]], [["按日"]]]),
    ("KP_LIGHT", [DONE, PLAN, [[serial(JULY)]], PLANNED, STARTED]),
    ("KP_RATE", [DONE, PLAN]),
    ("KP_SPRINT", [[[serial(dt.date(2023, 8, 24))]], [[100]], [[50000]], [[20000]],
                   [[serial(dt.date(2023, 9, 6))]]]),
    ("KP_BACKPLAN", [[[serial(dt.date(2024, 5, 1))]]]),
    ("KP_SUMMARY", [LEDGER, [[serial(JULY)]]]),
    ("KP_WORKDAYS", [[["2027-01-04"]], [["2027-01-08"]]]),
    ("KP_RATE", [[[1], [2]], [[1], [2], [3]]]),
]


def blanks_as(blank):
    """Arguments with their blank cells as ``blank``: desktop Excel sends 0, the web sends null."""
    def b(v):
        return blank if v is None else v

    def grid(rows):
        return [[b(v) for v in r] for r in rows]

    ledger = [["项目名称", "年度计划投资", "1-7月完成投资", "计划开工时间", "实际开工时间"],
              ["甲", 1000, 600, serial(dt.date(2023, 3, 1)), None],
              ["乙", 2000, None, None, serial(dt.date(2023, 2, 1))],
              [None, None, None, None, None]]
    return [
        ("KP_LIGHT", [grid(DONE), grid(PLAN), [[serial(JULY)]], grid(PLANNED), grid(STARTED)]),
        ("KP_THREECLASS", [grid(PLANNED), grid(STARTED), grid(STARTED), grid([[None]] * 5)]),
        ("KP_GAP", [grid(DONE), grid(PLAN), [[serial(JULY)]]]),
        ("KP_SUMMARY", [grid(ledger), [[serial(JULY)]]]),
        ("KP_RANK", [grid([["发改局"], [None], ["住建局"]]), grid([[600], [None], [300]]),
                     grid([[1000], [500], [None]]), [[serial(JULY)]]]),
    ]


BLANKS = (None, "", 0)
BLANK_CALLS = [call for blank in BLANKS for call in blanks_as(blank)]


@pytest.fixture(scope="module")
def child():
    return run_child(CALLS + BLANK_CALLS)


def test_blank_cells_sent_as_zero_empty_text_or_null_are_blanks(child):
    """Measured on desktop Excel: blank cells reach Office.js custom functions as 0. They must give
    what null (Excel on the web) gives, and no "数值超出范围" for a blank date."""
    results = child["results"][len(CALLS):]
    n = len(blanks_as(None))
    by_blank = [results[i * n:(i + 1) * n] for i in range(len(BLANKS))]
    assert by_blank[0] == by_blank[1] == by_blank[2]
    cells = [v for result in by_blank[0] for row in result for v in row]
    assert not any(isinstance(v, str) and ("超出范围" in v or "出错" in v) for v in cells), cells
    light, three, _gap, summary, rank = by_blank[0]
    assert [r[0] for r in light] == [r[0] for r in child["results"][2]]
    assert three[1] == [""] and three[0] == ["已动工未竣工"]
    assert dict((r[0], r[1]) for r in summary[1:])["项目个数"] == 2
    assert [r[1] for r in rank[1:]] == ["发改局", "住建局"]  # a blank group (sent as 0) is no group "0"


def test_env_reaches_the_server_decorators(child):
    assert child["on_server"] is True


def test_meta_lists_every_function_with_its_parameters(child):
    sys.path.insert(0, str(ADDIN))
    try:
        import inspect

        import keyproject_udfs as kp
    finally:
        sys.path.remove(str(ADDIN))
    funcs = {f["name"]: f for f in child["meta"]["functions"]}
    expected = {n for n in kp.__all__ if n.startswith("KP_")}
    assert set(funcs) == expected
    for name in expected:
        params = inspect.signature(getattr(kp, name)).parameters
        meta = funcs[name]["parameters"]
        assert [p["name"] for p in meta] == list(params)
        for p in meta:
            assert p.get("optional", False) == (params[p["name"]].default is not inspect.Parameter.empty)
            assert p["dimensionality"] == "matrix"
        assert funcs[name]["result"]["dimensionality"] == "matrix"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in funcs[name]["description"])  # Chinese help text
    assert [s["function_name"] for s in child["scripts"]] == ["refresh_workbook"]


def test_timeprogress_over_the_wire(child):
    one, column = child["results"][0], child["results"][1]
    assert one == [[time_progress(JULY)]]
    assert column == [[time_progress(JULY, "day")], [""], [time_progress(dt.date(2023, 6, 30), "day")]]


def test_light_column_over_the_wire(child):
    def days(*values):
        return pd.to_datetime(list(values)).astype("datetime64[us]")

    frame = pd.DataFrame({
        "ytd_completed": [600, 100, np.nan, 900, 50], "annual_plan": [1000, 1000, 800, np.nan, 1000],
        "planned_start": days("2023-03-01", None, "2023-01-10", None, None),
        "actual_start": days("2023-03-05", None, None, None, "2023-02-01"),
    })
    rules = Rules()
    expect = [[rules.light_label(v)] for v in evaluate(frame, JULY, rules)["light"]]
    assert child["results"][2] == expect
    rate = child["results"][3]
    assert rate[0] == [0.6] and rate[2] == [0.0] and rate[3] == [""]  # blanks come back as ""


def test_spilled_tables_carry_dates_as_serials(child):
    sprint = child["results"][4]
    st = sprint_status(dt.date(2023, 8, 24), 100, 50000, 20000, dt.date(2023, 9, 6))
    assert sprint[0] == ["指标", "值"]
    rows = dict((r[0], r[1]) for r in sprint[1:])
    assert rows["结束日期"] == serial(st.end)
    assert rows["剩余工作日"] == st.working_days_left and rows["剩余任务"] == st.remaining
    plan = backward_plan(dt.date(2024, 5, 1))
    back = child["results"][5]
    assert back[0] == ["节点", "工作日", "最晚开始", "最晚完成"]
    assert [r[0] for r in back[1:]] == plan["step"].tolist()
    assert [r[2] for r in back[1:]] == [serial(d.date()) for d in plan["latest_start"]]


def test_summary_and_messages_over_the_wire(child):
    summary = dict((r[0], r[1]) for r in child["results"][6][1:])
    assert summary["项目个数"] == 2 and summary["年度计划投资（万元）"] == 3000
    calendar_message = child["results"][7]
    assert len(calendar_message) == 1
    assert "2027" in calendar_message[0][0] and "节假日" in calendar_message[0][0]
    size_message = child["results"][8]
    assert "不一致" in size_message[0][0]


# -- the refresh script through xlwings' remote Book (the object model xlwings Lite/Server drive) --
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"

REFRESH_CHILD = r"""
import asyncio, datetime as dt, json, sys
import xlwings as xw
import xlwings.server as server
import keyproject_udfs as module
from openpyxl import load_workbook

EPOCH = dt.datetime(1899, 12, 30)

def cell(v):  # what Office.js sends: "" for empty cells, serial numbers for dates
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return (v - EPOCH).days
    return v

def refresh(path):
    wb = load_workbook(path, data_only=True)
    sheets = [{"name": ws.title, "values": [[cell(v) for v in r] for r in ws.iter_rows(values_only=True)],
               "pictures": [], "tables": []} for ws in wb]
    book = xw.Book(json={"version": xw.__version__, "client": "Office.js", "names": [], "sheets": sheets,
                         "book": {"name": "county.xlsx", "active_sheet_index": 0, "selection": "A1"}})
    asyncio.run(server.custom_scripts_call(module, "refresh_workbook", typehint_to_value={xw.Book: book}))
    return book.json()["actions"]

json.dump([refresh(p) for p in sys.argv[1:]], sys.stdout, ensure_ascii=False, default=str)
"""


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """Actions of a refresh of the sample, and of a copy whose problem sheet is called 问题清单."""
    if not SAMPLE.exists():
        pytest.skip("sample workbook not generated")
    from openpyxl import load_workbook

    wb = load_workbook(SAMPLE)
    problems = next(ws for ws in wb if ws.title in ("问题台账", "问题清单"))
    problems.title = "问题清单"
    renamed = tmp_path_factory.mktemp("refresh") / "renamed.xlsx"
    wb.save(renamed)
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial",
               PYTHONPATH=os.pathsep.join([str(ADDIN), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", REFRESH_CHILD, str(SAMPLE), str(renamed)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def refresh_actions(refreshed):
    return refreshed[0]


def test_refresh_writes_columns_with_the_engines_lights(refresh_actions):
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger

    ledger = read_ledger(SAMPLE)
    report = build_report(ledger)
    sets = [a for a in refresh_actions if a["func"] == "setValues" and a["sheet_position"] == 0]
    header = {a["values"][0][0]: a for a in sets if a["row_count"] == 1 and a["column_count"] == 1}
    assert {"差距(百分点)", "灯号"} <= set(header)
    for name in header:  # Office.js rows and columns are 0-based; the header's first row, as in the file
        assert header[name]["start_row"] == min(ledger.header_rows) - 1
        assert header[name]["start_column"] >= ledger.last_column
    light_col = header["灯号"]["start_column"]
    block = next(a for a in sets if a["start_column"] == light_col and a["row_count"] > 1)
    first = block["start_row"] + 1  # back to Excel's 1-based rows
    got = {first + i: v[0] for i, v in enumerate(block["values"])}
    label = report.rules.light_label
    expect = {int(r): label(v) if isinstance(v, str) else "" for r, v in
              zip(report.projects["row"], report.projects["light"], strict=True)}
    assert {r: got[r] for r in expect} == expect
    assert all(got[r] == "" for r in got if r not in expect)  # subtotal rows stay empty
    fills = [a for a in refresh_actions if a["func"] == "setRangeColor" and a["start_column"] == light_col
             and a["row_count"] == 1]
    lit = {r for r, v in expect.items() if v}
    assert {a["start_row"] + 1 for a in fills} == lit


def test_refresh_adds_keyprojects_sheets_and_spares_the_users(refreshed):
    refresh_actions, renamed_actions = refreshed
    added = [a["args"][1] for a in refresh_actions if a["func"] == "addSheet"]
    assert added == ["汇总", "红黄绿灯", "排名", "问题清单", "通报"]
    # a workbook whose own (input) problem sheet is called 问题清单: keyproject writes beside it
    added = [a["args"][1] for a in renamed_actions if a["func"] == "addSheet"]
    assert added == ["汇总", "红黄绿灯", "排名", "问题清单(keyproject)", "通报"]
    texts = [str(a["values"]) for a in refresh_actions
             if a["func"] == "setValues" and a["sheet_position"] != 0]
    assert any("重点项目推进情况汇总（截至2023年7月31日）" in t for t in texts)
    assert any("通报" in t for t in texts)
