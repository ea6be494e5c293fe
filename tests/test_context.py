"""The one context resolver (keyproject.engine.context) and the one strict date parser (keyproject.dates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keyproject.dates import optional_date, parse_date
from keyproject.engine.calendar import WorkCalendar
from keyproject.engine.context import check_fits_period, resolve, resolve_sprint
from keyproject.engine.rules import Rules
from keyproject.errors import DateError, KPError, PeriodError
from keyproject.ledger import Ledger
from keyproject.schema import LEDGER, conform

D = dt.date


def _ledger(month: int | None = 7, recorded: dt.date | None = None, settings: dict | None = None,
            year: int = 2023) -> Ledger:
    projects = conform(pd.DataFrame({"name": ["甲", "乙"], "annual_plan": [100.0, 100.0],
                                     "ytd_completed": [60.0, 20.0], "row": [5, 6]}), LEDGER)
    return Ledger(path=Path("台账.xlsx"), sheet="项目台账", header_rows=[4], columns=[], unit="万元",
                  report_month=month, report_year=year if month else None, projects=projects,
                  settings=settings, recorded_as_of=recorded)


@pytest.mark.parametrize("text", ["2023-07-31", "2023/7/31", "2023.7.31", "2023年7月31日", "20230731",
                                  "２０２３－０７－３１", " 2023 年 7 月 31 日 ", "2023-07-31 00:00:00"])
def test_typed_dates_accepted(text: str) -> None:
    assert parse_date(text, "--as-of") == D(2023, 7, 31)


def test_date_objects_and_excel_serials() -> None:
    for value in (D(2023, 7, 31), dt.datetime(2023, 7, 31, 15, 30), pd.Timestamp("2023-07-31 08:00"),
                  np.datetime64("2023-07-31"), 45138, 45138.75, np.int64(45138)):
        assert parse_date(value) == D(2023, 7, 31)
    assert optional_date(None) is None and optional_date("  ") is None and optional_date(pd.NaT) is None


@pytest.mark.parametrize(("text", "why"), [("2023-07", "没有写明具体是哪一天"), ("7月底", "没有年份"),
                                           ("2023-02-30", "不存在"), ("July 31 2023", "不是可识别的日期"),
                                           ("已开工", "没有写明具体是哪一天"), ("", "为空"), (0, "日期序号"),
                                           (True, "不是日期")])
def test_everything_else_refused_in_chinese(text: object, why: str) -> None:
    with pytest.raises(DateError, match=why) as exc:
        parse_date(text, "--as-of")
    assert exc.value.what == "--as-of" and exc.value.value == text
    assert "请写成 2023-07-31 或 2023年7月31日" in exc.value.message


def test_as_of_order_explicit_recorded_report_month() -> None:
    assert resolve(_ledger()).as_of == D(2023, 7, 31)
    assert resolve(_ledger()).as_of_source == "report_month"
    # a refresh recorded 20 July: later reads keep it
    ctx = resolve(_ledger(recorded=D(2023, 7, 20)))
    assert (ctx.as_of, ctx.as_of_source, ctx.warnings) == (D(2023, 7, 20), "recorded", ())
    # headers still say 1-7月 (kept on purpose) but the refresh was for August: the recorded period
    ctx = resolve(_ledger(recorded=D(2023, 8, 31)))
    assert ctx.as_of == D(2023, 8, 31) and "仍为7月" in ctx.warnings[0]
    # the user moved the headers on to 1-9月 by hand: their month wins, said so
    ctx = resolve(_ledger(month=9, recorded=D(2023, 8, 31)))
    assert ctx.as_of == D(2023, 9, 30) and ctx.as_of_source == "report_month"
    assert "已改为9月" in ctx.warnings[0]
    # explicit beats everything; newer submissions' period beats the ledger's
    assert resolve(_ledger(recorded=D(2023, 7, 20)), as_of="2023年7月25日").as_of_source == "explicit"
    assert resolve(_ledger(), period=(2023, 8)).as_of == D(2023, 8, 31)
    # no ledger: the door's today; a ledger without a period needs --as-of
    assert resolve(None, today=D(2023, 9, 1)).as_of == D(2023, 9, 1)
    with pytest.raises(KPError, match="--as-of"):
        resolve(_ledger(month=None), today=D(2023, 9, 1))


@pytest.mark.parametrize(("as_of", "why"), [(D(2022, 7, 31), "不在同一年"), (D(2023, 12, 31), "晚一个多月"),
                                            (D(2023, 6, 30), "早于台账的报告月份"),
                                            (D(2023, 9, 1), "晚一个多月")])
def test_a_wrong_date_is_refused_with_the_period_named(as_of: dt.date, why: str) -> None:
    with pytest.raises(PeriodError, match=why) as exc:
        resolve(_ledger(), as_of=as_of, as_of_name="--as-of")
    assert "2023年1-7月" in exc.value.message and "--any-date" in exc.value.message
    assert exc.value.period == (2023, 7) and exc.value.as_of == as_of and exc.value.file == "台账.xlsx"
    assert resolve(_ledger(), as_of=as_of, any_date=True).as_of == as_of


def test_dates_that_fit_the_period() -> None:
    for as_of in (D(2023, 7, 1), D(2023, 7, 31), D(2023, 8, 15), D(2023, 8, 31)):
        check_fits_period(as_of, (2023, 7))
    check_fits_period(D(2023, 12, 31), (2023, 12))


def test_history_never_runs_backwards_silently() -> None:
    with pytest.raises(PeriodError) as exc:
        resolve(_ledger(), latest=D(2023, 8, 31))
    assert "2023年8月31日" in exc.value.message and "2023年7月31日" in exc.value.message
    assert "--as-of 2023-07-31" in exc.value.message and exc.value.latest == D(2023, 8, 31)
    # asked for explicitly: allowed
    assert resolve(_ledger(), as_of="2023-07-31", latest=D(2023, 8, 31)).explicit
    # the same date again (a second refresh of the period) is fine
    assert resolve(_ledger(), latest=D(2023, 7, 31)).as_of == D(2023, 7, 31)


def test_rules_order_explicit_file_settings_default(tmp_path: Path) -> None:
    settings = {"红灯差距": -8, "黄灯差距": -4, "百日冲刺开始": D(2023, 8, 24)}
    ctx = resolve(_ledger(settings=settings))
    assert (ctx.rules.red_gap, ctx.rules_source) == (-8.0, "settings")
    toml = tmp_path / "r.toml"
    toml.write_text('preset = "zhaoqing"\n', encoding="utf-8")
    ctx = resolve(_ledger(settings=settings), rules=toml)
    assert ctx.rules_source == "file" and ctx.rules.light_names[0] == "蓝"
    assert resolve(_ledger(settings=settings), rules=Rules()).rules_source == "explicit"
    assert resolve(_ledger()).rules_source == "default"
    assert resolve(_ledger(), basis="day").rules.basis == "day"
    typo = resolve(_ledger(settings={"红灯差据": -20}))
    assert "红灯差据" in typo.warnings[0]


def test_calendar_explicit_or_file_or_package(tmp_path: Path) -> None:
    assert isinstance(resolve(None, today=D(2023, 9, 1)).calendar, WorkCalendar)
    f = tmp_path / "c.toml"
    f.write_text('[2027]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    assert resolve(None, today=D(2027, 1, 4), calendar=f).calendar.covers(2027)
    cal = WorkCalendar()
    assert resolve(None, today=D(2023, 9, 1), calendar=cal).calendar is cal


def test_sprint_window_from_settings() -> None:
    led = _ledger(settings={"百日冲刺开始": "2023年8月24日", "冲刺天数": "60天"})
    assert resolve_sprint(led) == (D(2023, 8, 24), 60)
    assert resolve_sprint(led, "2023-09-01", 30) == (D(2023, 9, 1), 30)
    assert resolve_sprint(_ledger(settings={"百日冲刺开始": D(2023, 8, 24)})) == (D(2023, 8, 24), 100)
    with pytest.raises(KPError, match="--start"):
        resolve_sprint(_ledger())
    with pytest.raises(KPError, match="设置"):
        resolve_sprint(_ledger(settings={"百日冲刺开始": "8月底"}))


def test_every_door_reads_one_date_the_same_way(tmp_path: Path) -> None:
    """The library, the CLI's options, the calendar tables and the history all accept and refuse
    the same texts (they call keyproject.dates.parse_date)."""
    from keyproject._arrays import as_of_date
    from keyproject.cli._common import parse_date_arg
    from keyproject.engine.calendar import to_date
    from keyproject.engine.sprint import sprint_window

    for text in ("2023年7月31日", "2023/7/31"):
        assert as_of_date(text) == to_date(text) == parse_date_arg(text, "--as-of") == D(2023, 7, 31)
        assert sprint_window(text, 1)[0] == D(2023, 7, 31)
    for bad in ("2023-07", "July 31 2023"):
        with pytest.raises(KPError):
            as_of_date(bad)
        with pytest.raises(KPError):
            parse_date_arg(bad, "--as-of")
        with pytest.raises(ValueError):
            to_date(bad)


def test_the_settings_sheet_gives_the_same_lights_behind_every_door(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 14: with 红灯差距 −8 in the 设置 sheet, kp report and the battle-map notebook disagreed
    (20 red projects against 10). Both now take the rules from keyproject.engine.context."""
    import json
    import shutil

    import openpyxl

    from keyproject.cli import main
    from keyproject.engine.scenario import baseline_from_ledger
    from keyproject.reader import read_ledger
    from keyproject.widgets import BattleMap

    sample = Path(__file__).resolve().parents[1] / "sample_workbooks" / "county_fushun_2023.xlsx"
    path = Path(shutil.copy(sample, tmp_path / "台账.xlsx"))
    wb = openpyxl.load_workbook(path)
    for key, cell in ((r[0].value, r[1]) for r in wb["设置"].iter_rows(min_col=1, max_col=2)):
        if key in ("红灯差距", "黄灯差距"):
            cell.value = -8 if key == "红灯差距" else -4
    wb.save(path)
    ledger = read_ledger(path)
    assert main(["report", str(path), "--json"]) == 0
    cli_red = {p["name"] for p in json.loads(capsys.readouterr().out)["projects"] if p["light"] == "red"}
    widget = BattleMap(ledger)
    widget_red = set(ledger.projects.loc[widget.lights == "red", "name"])
    assert widget_red == cli_red and len(cli_red) > 10
    default_red = set(ledger.projects.loc[BattleMap(ledger, rules=Rules()).lights == "red", "name"])
    assert default_red < cli_red
    assert baseline_from_ledger(ledger).red_share > baseline_from_ledger(ledger, rules=Rules()).red_share


def test_a_formulas_typed_date_is_read_the_same_way() -> None:
    """A date typed as text into a formula's argument cell: the strict parser, as on the command line."""
    from keyproject.excel_shapes import ShapeError, one_date

    assert one_date([["2023年7月31日"]], "统计截止日期") == D(2023, 7, 31)
    assert one_date([[45138]], "统计截止日期") == D(2023, 7, 31)
    with pytest.raises(ShapeError, match="统计截止日期“2023-07”无法识别：没有写明具体是哪一天"):
        one_date([["2023-07"]], "统计截止日期")
