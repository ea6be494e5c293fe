"""The WPS add-in's custom functions (addin/wps/js/functions.js) run by node against a real kp serve.

node loads ``kp_client.js`` and ``functions.js`` with a stand-in for the ``wps`` object WPS gives an
add-in (``AddCustomFunction``, ``PluginStorage``) and for the browser's synchronous XMLHttpRequest
(each request made by a child node process over real HTTP). Every result must equal what the
xlwings formula of the same name gives, blank cells arriving as "", 0 or null.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import serve_helpers as sh

from keyproject.formulas import FORMULAS
from keyproject.serve.cells import to_serial

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "addin"
RUNNER = ROOT / "tests" / "wps" / "run_functions.js"
NODE = shutil.which("node")
JULY = 45138


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    assert NODE, "node is installed by .ci/run (Debian's nodejs)"
    s = sh.start(tmp_path_factory.mktemp("wps"))
    yield s
    code, out = s.stop()
    assert code == 0, out


@pytest.fixture(scope="module")
def udfs():
    sys.path.insert(0, str(ADDIN))
    try:
        yield importlib.import_module("keyproject_udfs")
    finally:
        sys.path.remove(str(ADDIN))


def run_node(tmp_path: Path, service_url: str, cases: list[dict]) -> dict:
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps({"service": service_url, "cases": cases}, ensure_ascii=False),
                    encoding="utf-8")
    proc = subprocess.run([NODE, str(RUNNER), str(ADDIN / "wps"), str(spec)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def as_wps(grid: list[list]) -> list[list]:
    """An xlwings (classic) result as the WPS function shows it: dates as serials, blanks as ""."""
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, (dt.date, dt.datetime)):
            return to_serial(v)
        return v

    return [[cell(v) for v in row] for row in grid]


def blanks(rows: list[list], blank) -> list[list]:
    return [[blank if v is None else v for v in r] for r in rows]


DONE = [[600], [100], [None], [900], [50], ["1,200"], ["很多"]]
PLAN = [[1000], [1000], [800], [None], [1000], [2000], [100]]
PLANNED = [[44986], [None], [44941], [None], [None], ["2023年3月"], [None]]
STARTED = [[44990], [None], [None], [None], ["2023年2月1日"], [None], [None]]
LEDGER = [["项目名称", "责任单位", "年度计划投资", "1-7月完成投资", "计划开工时间", "实际开工时间"],
          ["甲", "发改局", 1000, 600, 44986, None], ["乙", "住建局", 2000, 300, None, 44958],
          ["合计", None, 3000, 900, None, None], [None, None, None, None, None, None]]


def formula_cases(blank) -> list[tuple[str, list]]:
    b = lambda rows: blanks(rows, blank)  # noqa: E731
    return [
        ("KP_TIMEPROGRESS", [b([[JULY], [None], ["2023-06-30"]]), "按日"]),
        ("KP_TIMEPROGRESS", [JULY, "按年"]),
        ("KP_RATE", [b(DONE), b(PLAN)]),
        ("KP_GAP", [b(DONE), b(PLAN), JULY]),
        ("KP_LIGHT", [b(DONE), b(PLAN), JULY, b(PLANNED), b(STARTED)]),
        ("KP_LIGHT", [b(DONE), b(PLAN[:3]), JULY]),
        ("KP_THREECLASS", [b(PLANNED), b(STARTED), b(STARTED), b([[None]] * 7)]),
        ("KP_WORKDAYS", [b([[45197], [45200], [None]]), b([["2023.10.31"], [45230], [None]])]),
        ("KP_WORKDAYS", ["2027-01-04", "2027-01-08"]),
        ("KP_SPRINT", ["2023-08-24", 100, b([[30000], [20000], [None]]), b([[12000], [None], [8000]]),
                       JULY + 37]),
        ("KP_BACKPLAN", [45413, b([["节点", "工作日"], ["项目注册", 3], [None, None], ["施工许可", 5]])]),
        ("KP_SUMMARY", [b(LEDGER), JULY]),
        ("KP_RANK", [b([["发改局"], ["住建局"], [None], ["发改局"]]), b([[600], [300], [None], [50]]),
                     b([[1000], [2000], [500], [None]]), JULY]),
    ]


def test_every_formula_is_registered_in_the_kp_namespace(service, tmp_path):
    out = run_node(tmp_path, service.base, [])
    assert out["registered"] == [f.short_name for f in FORMULAS]


@pytest.mark.parametrize("blank", [None, "", 0], ids=["null", "empty", "zero"])
def test_results_and_messages_equal_the_xlwings_formulas(service, udfs, tmp_path, blank):
    cases = formula_cases(blank)
    out = run_node(tmp_path, service.base, [{"name": n.removeprefix("KP_"), "args": a} for n, a in cases])
    assert out["requests"] == len(cases)
    reference = formula_cases(None)  # what Excel's classic add-in gets for blank cells: None
    for (name, _args), (_, ref_args), got in zip(cases, reference, out["results"], strict=True):
        expected = as_wps(getattr(udfs, name)(*ref_args))
        assert got == expected, (name, blank)
    texts = [v for r in out["results"] for row in r for v in row if isinstance(v, str)]
    assert "2027年没有节假日数据，请传入节假日表（日期、班/休两列）" in texts
    assert any("很多" in t for t in texts)  # the unreadable amount names itself in its cell
    assert not any("超出范围" in t or "计算出错" in t for t in texts)


def test_js_dates_are_excel_dates(service, udfs, tmp_path):
    out = run_node(tmp_path, service.base, [
        {"name": "TIMEPROGRESS", "args": [{"__date__": [2023, 7, 31]}]},
        {"name": "WORKDAYS", "args": [{"__date__": [2023, 9, 28]}, {"__date__": [2023, 10, 8]}]},
    ])
    assert out["results"][0] == as_wps(udfs.KP_TIMEPROGRESS(dt.date(2023, 7, 31)))
    assert out["results"][1] == as_wps(udfs.KP_WORKDAYS(dt.date(2023, 9, 28), dt.date(2023, 10, 8)))


def test_ten_thousand_rows_in_one_call(service, udfs, tmp_path):
    n = 10_000
    rng = np.random.default_rng(3)
    plan = rng.uniform(100, 50_000, n).round(1)
    done = (plan * rng.uniform(0, 1.2, n)).round(1)
    planned = JULY - rng.integers(-60, 300, n)
    started = np.where(rng.uniform(size=n) < 0.5, planned + rng.integers(0, 40, n), 0)
    plan_rows = [[None if i % 23 == 0 else float(p)] for i, p in enumerate(plan)]
    done_rows = [[float(d)] for d in done]
    planned_rows = [[int(p)] for p in planned]
    started_none = [[int(s) if s else None] for s in started]
    cases = [{"name": "LIGHT", "args": [done_rows, blanks(plan_rows, blank), JULY, planned_rows,
                                        blanks(started_none, blank)]} for blank in (None, "", 0)]
    out = run_node(tmp_path, service.base, cases)
    expected = as_wps(udfs.KP_LIGHT(done_rows, plan_rows, JULY, planned_rows, started_none))
    assert len(expected) == n and {"绿", "黄", "红", ""} <= {r[0] for r in expected}
    for got in out["results"]:
        assert got == expected


def test_a_stopped_service_gives_a_clear_message_in_the_cell(tmp_path):
    assert NODE
    port = sh.free_port()  # nothing listens there
    out = run_node(tmp_path, f"http://127.0.0.1:{port}", [
        {"name": "LIGHT", "args": [[[600]], [[1000]], JULY]},
        {"name": "SUMMARY", "args": [LEDGER, JULY]},
    ])
    message = f"keyproject 服务未启动：请先在命令行运行 kp serve（http://127.0.0.1:{port}）"
    assert out["results"] == [[[message]], [[message]]]
