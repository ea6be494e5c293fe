"""Consolidation of units' submissions into the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from keyproject.ledger import ColumnMap, Ledger
from keyproject.schema import LEDGER, conform
from keyproject.submissions import consolidate, consolidate_ledgers, submission_files


def make_ledger(path: str, sheet: str, rows: list[dict[str, Any]], month: int | None = 7,
                first_row: int = 4, year: int | None = 2023) -> Ledger:
    """A Ledger as the reader returns it, from plain rows (keys are field keys)."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    df = pd.DataFrame(rows, columns=keys)
    df["row"] = range(first_row, first_row + len(df))
    projects = conform(df, LEDGER)
    columns = [ColumnMap(get_column_letter(i + 1), i, LEDGER[k].label, k) for i, k in enumerate(keys)]
    return Ledger(path=Path(path), sheet=sheet, header_rows=[first_row - 1], columns=columns, unit="万元",
                  report_month=month, report_year=year if month else None, projects=projects)


def _ledger() -> Ledger:
    return make_ledger("台账.xlsx", "项目台账", [
        {"code": "2023-510322-01", "name": "富顺一中改扩建项目（一期）", "unit": "教体局",
         "annual_plan": 5000.0, "ytd_completed": 1000.0, "m07": None, "progress_note": "主体施工",
         "actual_start": None},
        {"code": None, "name": "四川川啤啤酒饮料生产项目", "unit": "经信局", "annual_plan": 20000.0,
         "ytd_completed": 8000.0, "m07": 500.0, "progress_note": "设备安装", "actual_start": "2023-03-01"},
        {"code": None, "name": "兴永圣润滑油生产项目", "unit": "经信局", "annual_plan": 3000.0,
         "ytd_completed": 900.0, "m07": None, "progress_note": None, "actual_start": None},
        {"code": None, "name": "S436东湖至富世段", "unit": "交通局", "annual_plan": 12000.0,
         "ytd_completed": 7000.0, "m07": None, "progress_note": "路基", "actual_start": "2023-01-10"},
    ])


def test_match_by_code_and_by_normalised_name():
    led = _ledger()
    sub = make_ledger("教体局.xlsx", "7月报送", [
        # code with full-width digits and spaces; name different on purpose: code wins
        {"code": "２０２３-510322 -01", "name": "一中改扩建", "ytd_completed": 1800.0, "m07": 800.0},
        # full-width, spaces, other brackets, Traditional characters
        {"name": "四川川啤 啤酒飲料生產項目", "ytd_completed": 9000.0, "progress_note": "试生产",
         "actual_start": "2023-03-01"},
        {"name": "兴永圣润滑油生产项目 ", "ytd_completed": None, "actual_start": "2023-07-15"},
    ])
    c = consolidate_ledgers(led, [sub])
    assert c.matched_count == 3 and c.unmatched.empty
    p = c.projects
    assert p.index.equals(led.projects.index)
    assert p.loc[0, "ytd_completed"] == 1800.0 and p.loc[0, "m07"] == 800.0
    assert p.loc[1, "ytd_completed"] == 9000.0 and p.loc[1, "progress_note"] == "试生产"
    # an empty submitted cell never blanks the ledger's value
    assert p.loc[2, "ytd_completed"] == 900.0
    assert p.loc[2, "actual_start"] == pd.Timestamp("2023-07-15")
    # untouched project unchanged
    assert p.loc[3].equals(led.projects.loc[3])
    # updates name only real changes (actual_start of 川啤 is the same date)
    got = {(r.project, r.field): (r.old, r.new, r.source_row) for r in c.updates.itertuples()}
    assert set(got) == {(0, "ytd_completed"), (0, "m07"), (1, "ytd_completed"), (1, "progress_note"),
                        (2, "actual_start")}
    assert got[(0, "ytd_completed")] == (1000.0, 1800.0, 4)
    assert got[(1, "progress_note")] == ("设备安装", "试生产", 5)
    assert c.updates.loc[0, "row"].tolist() == [4, 4]  # the ledger's Excel row
    assert list(c.updates.index) == c.updates["project"].tolist()
    assert set(c.updates["column"]) <= {c.letter for c in led.columns}


def test_duplicate_conflict_unmatched_and_accounting():
    led = _ledger()
    a = make_ledger("经信局.xlsx", "报表", [
        {"name": "四川川啤啤酒饮料生产项目", "ytd_completed": 9000.0},
        {"name": "兴永圣润滑油生产项目", "ytd_completed": 1200.0},
        {"name": "四川川啤啤酒饮料生产项目", "ytd_completed": 9000.0},  # duplicate, same figure
        {"name": "不存在的项目", "ytd_completed": 10.0},
    ], first_row=6)
    b = make_ledger("交通局.xlsx", "Sheet1", [
        {"name": "兴永圣润滑油生产项目", "ytd_completed": 1300.0},  # conflicts with 经信局 row 7
        {"name": "S436 东湖至富世段", "ytd_completed": 7600.0},
    ], first_row=3)
    c = consolidate_ledgers(led, [a, b])
    submitted = len(a.projects) + len(b.projects)
    assert c.submitted_count == submitted
    assert c.matched_count + len(c.unmatched) + len(c.stale) == submitted
    listed = c.unmatched[["file", "sheet", "row", "name"]].values.tolist()
    assert listed == [["经信局.xlsx", "报表", 9, "不存在的项目"]]
    assert c.duplicates[["file", "row"]].values.tolist() == [["经信局.xlsx", 8]]
    # the conflict: neither wins, the ledger keeps 900, and the issue names both places
    assert c.projects.loc[2, "ytd_completed"] == 900.0
    conflict = [i for i in c.issues if "不一致" in i.message]
    assert len(conflict) == 1
    msg = conflict[0].message
    assert "经信局.xlsx" in msg and "第7行" in msg and "交通局.xlsx" in msg and "第3行" in msg
    assert "1200" in msg and "1300" in msg
    assert c.projects.loc[1, "ytd_completed"] == 9000.0
    assert c.projects.loc[3, "ytd_completed"] == 7600.0
    assert any("重复" in i.message and i.row == 8 for i in c.issues)
    assert any("不存在的项目" in i.message and i.row == 9 and i.file == "经信局.xlsx" for i in c.issues)


def test_duplicate_in_one_file_with_different_figures_is_a_conflict():
    led = _ledger()
    a = make_ledger("经信局.xlsx", "报表", [
        {"name": "兴永圣润滑油生产项目", "ytd_completed": 1200.0},
        {"name": "兴永圣润滑油生产项目", "ytd_completed": 1250.0},
    ])
    c = consolidate_ledgers(led, [a])
    assert c.projects.loc[2, "ytd_completed"] == 900.0
    assert c.updates.empty
    assert len(c.duplicates) == 1


def test_later_report_month_wins_and_stale_file_is_listed():
    led = _ledger()
    july = make_ledger("经信局7月.xlsx", "报表", [{"name": "兴永圣润滑油生产项目", "ytd_completed": 1200.0}])
    august = make_ledger("经信局8月.xlsx", "报表",
                         [{"name": "兴永圣润滑油生产项目", "ytd_completed": 1500.0}], month=8)
    june = make_ledger("经信局6月.xlsx", "报表", [{"name": "四川川啤啤酒饮料生产项目", "ytd_completed": 1.0}],
                       month=6)
    c = consolidate_ledgers(led, [august, july, june])
    assert c.projects.loc[2, "ytd_completed"] == 1500.0
    assert any("采用报送月份较新" in i.message for i in c.issues)
    assert c.stale["file"].tolist() == ["经信局6月.xlsx"]
    assert c.projects.loc[1, "ytd_completed"] == 8000.0
    assert c.matched_count + len(c.unmatched) + len(c.stale) == 3
    assert c.report_period == (2023, 8)


def test_ledger_without_column_keeps_value_for_computation_and_warns():
    led = _ledger()
    sub = make_ledger("教体局.xlsx", "报送", [{"name": "富顺一中改扩建项目(一期)", "month_completed": 300.0}])
    c = consolidate_ledgers(led, [sub])
    assert c.projects.loc[0, "month_completed"] == 300.0
    assert c.updates["column"].isna().all()
    assert any("台账没有“当月完成投资”列" in i.message for i in c.issues)


def test_submission_files_expand_folders(tmp_path):
    (tmp_path / "subs").mkdir()
    for n in ("b.xlsx", "a.xlsm", "c.xls", "d.et", "~$a.xlsx", "notes.txt", ".hidden.xlsx", "Thumbs.db",
              "台账.keyproject.sqlite"):
        (tmp_path / "subs" / n).write_bytes(b"x")
    (tmp_path / "subs" / "backups").mkdir()
    ledger = tmp_path / "subs" / "台账.xlsx"
    ledger.write_bytes(b"x")
    files = submission_files([tmp_path / "subs", tmp_path / "subs" / "b.xlsx"], exclude=[ledger])
    # every file a unit may have sent, whatever its format; not lock, hidden, system or keyproject files
    assert [f.name for f in files] == ["a.xlsm", "b.xlsx", "c.xls", "d.et", "notes.txt"]
    from keyproject.errors import KPError

    with pytest.raises(KPError):
        submission_files([tmp_path / "nope"])


def test_consolidate_reads_files_and_lists_unreadable(tmp_path):
    from keyproject.errors import LedgerFileError

    good = tmp_path / "good.xlsx"
    bad = tmp_path / "bad.xlsx"
    good.write_bytes(b"x")
    bad.write_bytes(b"x")
    subs = {good: make_ledger(str(good), "报送", [{"name": "S436东湖至富世段", "ytd_completed": 7100.0}])}

    def read(path: Path) -> Ledger:  # the reader's contract: a Ledger or a KPError
        if path in subs:
            return subs[path]
        raise LedgerFileError("不是有效的Excel文件", file=path)

    c = consolidate(_ledger(), [tmp_path], read=read)
    assert c.projects.loc[3, "ytd_completed"] == 7100.0
    assert [i.file for i in c.errors] == [str(bad)]
    assert len(c.files) == 2
    assert [(f.path.name, f.status) for f in c.submitted_files] == [("bad.xlsx", "unreadable"),
                                                                    ("good.xlsx", "used")]
    assert [f.path for f in c.unused_files] == [bad] and "不是有效的Excel文件" in str(c.unused_files[0])


def test_loose_match_without_brackets_is_reported():
    led = _ledger()
    sub = make_ledger("交通局.xlsx", "报送",
                      [{"name": "S436东湖至富世段（2023年）", "ytd_completed": 7100.0}])
    c = consolidate_ledgers(led, [sub])
    assert c.projects.loc[3, "ytd_completed"] == 7100.0
    assert any("去掉括号" in i.message for i in c.issues)


SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"


@pytest.mark.skipif(not (SAMPLES / "submissions").is_dir(), reason="sample workbooks not generated")
def test_sample_submissions_against_their_truth():
    from keyproject.reader import read_ledger
    from keyproject.samples.submissions import submission_rows

    led = read_ledger(SAMPLES / "county_fushun_2023.xlsx")
    c = consolidate(led, [SAMPLES / "submissions"])
    truth = submission_rows()
    assert c.submitted_count == len(truth)
    assert c.matched_count + len(c.unmatched) + len(c.stale) == len(truth)
    got = c.rows.assign(file=[Path(f).name for f in c.rows["file"]]).set_index(["file", "row"])
    ledger_row = led.projects["row"]
    dup = {(Path(f).name, int(r)) for f, r in zip(c.duplicates["file"], c.duplicates["row"], strict=True)}
    for t in truth:
        key = (Path(t["file"]).name, t["row"])
        r = got.loc[key]
        if t["match_row"] is None or pd.isna(t["match_row"]):
            assert r["status"] == "unmatched", key
            continue
        assert r["status"] == "matched", key
        assert ledger_row[r["project"]] == t["match_row"], key
        assert (key in dup) == bool(t["duplicate"]), key
        p = c.projects.loc[r["project"]]
        if t["conflict"]:  # two files disagree: the ledger keeps its value and the issue names both
            assert p["ytd_completed"] == led.projects.loc[r["project"], "ytd_completed"]
            assert any("不一致" in i.message and Path(t["file"]).name in i.message
                       and f"第{t['row']}行" in i.message for i in c.issues)
        else:
            assert p["ytd_completed"] == t["ytd_completed"], key
            if isinstance(t["progress_note"], str):
                assert p["progress_note"] == t["progress_note"], key
            if t["actual_start"] is not None:
                assert p["actual_start"] == pd.Timestamp(t["actual_start"]), key
    unmatched_truth = {(Path(t["file"]).name, t["row"]) for t in truth
                       if t["match_row"] is None or pd.isna(t["match_row"])}
    assert {(Path(f).name, int(r)) for f, r in zip(c.unmatched["file"], c.unmatched["row"], strict=True)} \
        == unmatched_truth
    assert dup == {(Path(t["file"]).name, t["row"]) for t in truth if t["duplicate"]}
