"""倒排工期 (backward scheduling): latest dates for a project's approval steps, and their status.

From a target date (e.g. "start before 1 May") and ordered steps with durations in working days,
``backward_plan`` walks back through the Chinese working-day calendar: the last step finishes on
the last working day on or before the target; each step starts ``days − 1`` working days before
it finishes; each earlier step finishes on the working day before the next one starts.

``milestone_status`` marks a milestone sheet (schema.MILESTONES: project, step, deadline,
done_date, reason, revised_deadline) done / overdue / due_soon / pending as of a date.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keyproject.dates import parse_date
from keyproject.engine.calendar import WorkCalendar
from keyproject.errors import KPError
from keyproject.schema import MILESTONES, conform

# the usual approval chain before a start, in working days (user editable: ``load_steps``)
DEFAULT_STEPS: tuple[tuple[str, int], ...] = (
    ("项目注册", 5),
    ("备案/核准", 10),
    ("规划许可", 15),
    ("用地批复", 20),
    ("环评批复", 20),
    ("施工许可", 10),
)

STATUS_LABELS: dict[str, str] = {
    "done": "已完成",
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "pending": "未到期",
}

_STEP_HEADERS = ("step", "name", "节点", "环节", "事项", "步骤", "手续", "前期手续", "名称")
_DAYS_HEADERS = ("days", "工作日", "工作日数", "天数", "工期", "时长", "所需工作日", "办理时限", "用时")


def normalize_steps(steps: Any, source: str | Path | None = None) -> list[tuple[str, int]]:
    """Steps as a list of (name, working days) from pairs, a mapping, or a frame (step, days)."""
    if steps is None:
        return list(DEFAULT_STEPS)
    if isinstance(steps, pd.DataFrame):
        name_col = _find_col(steps.columns, _STEP_HEADERS, 0)
        days_col = _find_col(steps.columns, _DAYS_HEADERS, 1)
        pairs: Iterable[Any] = zip(steps[name_col].tolist(), steps[days_col].tolist(), strict=True)
    elif isinstance(steps, Mapping):
        pairs = steps.items()
    else:
        pairs = steps
    out: list[tuple[str, int]] = []
    for i, pair in enumerate(pairs, start=1):
        name, days = pair[0], pair[1]
        if (name is None or (isinstance(name, float) and np.isnan(name)) or str(name).strip() == "") and (
                days is None or (isinstance(days, float) and np.isnan(days)) or str(days).strip() == ""):
            continue  # a blank row
        name = str(name).strip() if name is not None else ""
        if not name or name == "nan":
            raise KPError(f"第{i}个步骤缺少名称", file=source)
        try:
            value = float(str(days).strip())
        except ValueError:
            raise KPError(f"步骤“{name}”的工作日数“{days}”不是数字", file=source) from None
        if not value.is_integer() or value < 1:
            raise KPError(f"步骤“{name}”的工作日数应为正整数，而不是“{days}”", file=source)
        out.append((name, int(value)))
    if not out:
        raise KPError("没有任何步骤", file=source)
    return out


def _find_col(columns: pd.Index, names: tuple[str, ...], fallback: int) -> Any:
    for c in columns:
        if str(c).strip().lower() in names:
            return c
    if len(columns) <= fallback:
        raise KPError("步骤表需要两列：步骤名称、工作日数")
    return columns[fallback]


def backward_plan(target: dt.date, steps: Any = None, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Latest start and finish of each step to be done by ``target``.

    Returns a frame with columns step, days, latest_start, latest_finish (datetime64), in the
    steps' order. Raises ``CalendarError`` when the plan reaches a year without holiday data.
    """
    cal = calendar if calendar is not None else WorkCalendar()
    pairs = normalize_steps(steps)
    target = parse_date(target, "目标日期")
    starts: list[dt.date] = []
    finishes: list[dt.date] = []
    finish = cal.workday_on_or_before(target)
    for _name, days in reversed(pairs):
        start = cal.subtract_workdays(finish, days - 1)
        starts.append(start)
        finishes.append(finish)
        finish = cal.subtract_workdays(start, 1)
    starts.reverse()
    finishes.reverse()
    return pd.DataFrame({
        "step": pd.Series([p[0] for p in pairs], dtype="str"),
        "days": pd.Series([p[1] for p in pairs], dtype="int64"),
        "latest_start": pd.Series(pd.to_datetime(starts), dtype="datetime64[us]"),
        "latest_finish": pd.Series(pd.to_datetime(finishes), dtype="datetime64[us]"),
    })


def load_steps(path: str | Path) -> list[tuple[str, int]]:
    """Steps from a file.

    TOML: ``[steps]`` with ``"项目注册" = 5`` lines (in order), or ``[[steps]]`` tables with
    ``name``/``step`` and ``days``. CSV / a workbook (.xlsx/.xlsm/.xls/.et, its first sheet): two
    columns, step name and working days (a header row such as 节点 / 工作日 is recognised).
    """
    from keyproject.safety import READABLE_SUFFIXES, check_text_file

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:  # a workbook gets the workbook checks below
        check_text_file(path, "步骤文件")
    if suffix == ".toml":
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KPError(f"步骤文件不是有效的 TOML（{exc}）", file=path) from None
        if "steps" not in data:
            raise KPError("步骤文件缺少 steps：写成 [steps] 下 \"项目注册\" = 5 的形式", file=path)
        raw = data["steps"]
        if isinstance(raw, dict):
            return normalize_steps(raw, path)
        if isinstance(raw, list):
            pairs = []
            for i, item in enumerate(raw, start=1):
                if not isinstance(item, dict):
                    raise KPError(f"steps 第{i}项应为含 name 与 days 的表", file=path)
                unknown = set(item) - {"name", "step", "days"}
                if unknown:
                    bad = "、".join(sorted(unknown))
                    raise KPError(f"steps 第{i}项中的键“{bad}”无法识别（应为 name、days）", file=path)
                pairs.append((item.get("name", item.get("step")), item.get("days")))
            return normalize_steps(pairs, path)
        raise KPError("steps 应为表或表数组", file=path)
    if suffix in (".csv", ".txt"):
        try:
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise KPError(f"步骤文件无法读取（{exc}）", file=path) from None
        rows = frame.values.tolist()
    elif suffix in READABLE_SUFFIXES:  # a workbook: read after the safety checks, as a ledger is
        from keyproject.xlsx import table_rows  # calamine: imported only for a workbook

        rows = [list(r) for r in table_rows(path, 2, 500, "步骤表")]
    else:
        raise KPError("步骤文件应为 .toml、.csv 或工作簿（.xlsx/.xls）", file=path)
    if rows and str(rows[0][1]).strip().lower() in _DAYS_HEADERS:
        rows = rows[1:]
    return normalize_steps(rows, path)


def milestone_status(milestones: pd.DataFrame, as_of: dt.date, due_within_days: int = 7) -> pd.DataFrame:
    """Each milestone's status as of ``as_of``.

    Adds columns: ``effective_deadline`` (revised_deadline when given, else deadline),
    ``days_to_deadline`` (Int64, negative when past), ``status`` (done / overdue / due_soon /
    pending), ``status_label`` (已完成 / 已逾期 / 即将到期 / 未到期) and ``done_late`` (done after the
    deadline in force). A milestone is done when its done_date is on or before ``as_of``; overdue
    when the deadline in force is before ``as_of``; due_soon when it falls within
    ``due_within_days`` days from ``as_of`` (the deadline day itself included); else pending (also
    when it has no deadline).
    """
    frame = conform(milestones, MILESTONES)
    day = pd.Timestamp(parse_date(as_of, "截至日期"))
    deadline = frame["revised_deadline"].fillna(frame["deadline"]).dt.normalize()
    done_date = frame["done_date"].dt.normalize()
    to_go = (deadline - day).dt.days
    done = (done_date <= day).fillna(False).to_numpy(dtype=bool)
    overdue = (to_go < 0).fillna(False).to_numpy(dtype=bool) & ~done
    soon = ((to_go >= 0) & (to_go <= due_within_days)).fillna(False).to_numpy(dtype=bool) & ~done
    status = np.select([done, overdue, soon], ["done", "overdue", "due_soon"], default="pending")
    out = frame.copy()
    out["effective_deadline"] = deadline.astype("datetime64[us]")
    out["days_to_deadline"] = to_go.astype("Int64")
    out["status"] = pd.Series(status, index=frame.index, dtype="str")
    out["status_label"] = out["status"].map(STATUS_LABELS).astype("str")
    out["done_late"] = pd.Series(done & (done_date > deadline).fillna(False).to_numpy(dtype=bool),
                                 index=frame.index)
    return out


def milestone_counts(statuses: pd.DataFrame) -> dict[str, int]:
    """How many milestones are in each status (every status present, 0 when none)."""
    counts = statuses["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_LABELS}
