"""The formula declaration (keyproject.formulas): one table, the files made from it, ``call``."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import sys
from pathlib import Path

import pytest

from keyproject.engine.calendar import WorkCalendar
from keyproject.engine.rules import Rules
from keyproject.errors import CalendarError
from keyproject.formulas import FORMULAS, Context, calendar_message, call, formula
from keyproject.formulas import render as r
from keyproject.formulas.__main__ import main as generate_main
from keyproject.formulas.spec import blank_zeros

ADDIN = Path(__file__).resolve().parents[1] / "addin"
CTX = Context(rules=Rules(), today=dt.date(2023, 9, 6))
JULY = 45138  # 2023-07-31


@pytest.fixture(scope="module")
def udfs():
    sys.path.insert(0, str(ADDIN))
    try:
        yield importlib.import_module("keyproject_udfs")
    finally:
        sys.path.remove(str(ADDIN))


def test_generated_files_are_current() -> None:
    assert r.stale(ADDIN) == [], "run `python -m keyproject.formulas` and commit addin/"


def test_check_mode_reports_stale_and_fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate_main(["--check", "--out", str(tmp_path)]) == 1
    assert generate_main(["--out", str(tmp_path)]) == 0
    assert generate_main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "wps" / "functions.json").write_text("{}", encoding="utf-8")
    assert r.stale(tmp_path) == ["wps/functions.json"]
    capsys.readouterr()


def test_xlwings_module_is_the_declaration(udfs) -> None:
    assert [n for n in udfs.__all__ if n.startswith("KP_")] == sorted(f.name for f in FORMULAS)
    for f in FORMULAS:
        fn = getattr(udfs, f.name)
        params = inspect.signature(fn).parameters
        assert list(params) == [p.name for p in f.params]
        for p in f.params:
            assert (params[p.name].default is None) == p.optional
            assert (params[p.name].default is inspect.Parameter.empty) == (not p.optional)
        assert inspect.getdoc(fn) == f.zh


def test_wps_metadata_is_the_declaration() -> None:
    meta = json.loads((ADDIN / "wps" / "functions.json").read_text(encoding="utf-8"))
    by_name = {m["name"]: m for m in meta["functions"]}
    assert list(by_name) == [f.short_name for f in FORMULAS]
    for f in FORMULAS:
        m = by_name[f.short_name]
        assert m["description"] == f.zh
        assert [p["name"] for p in m["parameters"]] == [p.zh for p in f.params]
        assert [p["type"].endswith("?") for p in m["parameters"]] == [p.optional for p in f.params]
    js = (ADDIN / "wps" / "js" / "functions.js").read_text(encoding="utf-8")
    for f in FORMULAS:
        assert f"function {f.short_name}({', '.join(p.zh for p in f.params)})" in js
        assert f'KP_CLIENT.call("{f.name}"' in js


def test_formula_lookup_and_arity_messages() -> None:
    assert formula("kp_light").name == "KP_LIGHT" and formula("LIGHT").name == "KP_LIGHT"
    assert call("KP_NOPE", [], CTX)[0][0].startswith("没有名为“KP_NOPE”的公式")
    assert call("KP_LIGHT", [1, 2], CTX) == [["KP_LIGHT缺少参数“截止日期”"]]
    assert call("KP_RATE", [1, 2, 3], CTX) == [["KP_RATE最多有2个参数，给了3个"]]
    # optional parameters left out are blanks
    assert call("KP_LIGHT", [600, 1000, JULY], CTX) == call("KP_LIGHT", [600, 1000, JULY, None, None], CTX)


def test_blank_zeros_only_where_zero_means_blank() -> None:
    assert blank_zeros([[0], [0.0], [5], [None], ["0"], [False]], "date") == [[None], [None], [5], [None],
                                                                             ["0"], [False]]
    assert blank_zeros(0, "amount") is None and blank_zeros(0, "count") == 0
    column = [[1.0], [2.0]]
    assert blank_zeros(column, "date") is column  # nothing to change: no copy


@pytest.mark.parametrize("blank", [None, "", 0, 0.0])
def test_blank_cells_arrive_as_none_empty_text_or_zero(blank) -> None:
    """Desktop Excel's Office.js and WPS send blank cells as 0; Excel on the web sends null."""
    done = [[600], [blank], [300]]
    plan = [[1000], [800], [blank]]
    planned = [[44986], [blank], [44941]]
    started = [[blank], [blank], [44950]]
    expect_light = call("KP_LIGHT", [[[600], [None], [300]], [[1000], [800], [None]], JULY,
                                     [[44986], [None], [44941]], [[None], [None], [44950]]], CTX)
    assert call("KP_LIGHT", [done, plan, JULY, planned, started], CTX) == expect_light
    assert not any(isinstance(v, str) and "超出范围" in v for row in expect_light for v in row)
    three = call("KP_THREECLASS", [[[44941], [blank]], [[blank], [blank]], [[blank], [blank]],
                                   [[blank], [blank]]], CTX)
    assert three == [["已签约未供地"], [""]]
    assert call("KP_SPRINT", ["2023-08-24", 100, [[30000], [blank]], [[blank], [12000]], blank], CTX) == \
        call("KP_SPRINT", ["2023-08-24", 100, 30000, 12000, None], CTX)


def test_calendar_error_carries_its_year() -> None:
    with pytest.raises(CalendarError) as info:
        WorkCalendar().workdays_between(dt.date(2027, 1, 4), dt.date(2027, 1, 8))
    assert info.value.year == 2027
    assert calendar_message(info.value) == "2027年没有节假日数据，请传入节假日表（日期、班/休两列）"
    assert calendar_message(CalendarError("x")) == "该年份没有节假日数据，请传入节假日表（日期、班/休两列）"
    assert call("KP_WORKDAYS", ["2027-01-04", "2027-01-08"], CTX) == [[calendar_message(info.value)]]


def test_today_comes_from_the_door() -> None:
    from keyproject.engine.sprint import sprint_status

    got = dict(call("KP_SPRINT", ["2023-08-24", 100, 50000, 20000], CTX)[1:])
    assert got["已过天数"] == sprint_status(dt.date(2023, 8, 24), 100, 50000, 20000, CTX.today).days_elapsed
    later = Context(rules=CTX.rules, today=dt.date(2023, 10, 6))
    assert dict(call("KP_SPRINT", ["2023-08-24", 100, 50000, 20000], later)[1:])["已过天数"] \
        == got["已过天数"] + 30
