"""SprintCountdown: the hundred-day sprint (百日冲刺) as a live countdown with the pace it needs.

The figures are ``keyproject.engine.sprint``'s (``from_ledger`` measures the sprint from its start with
``sprint.sprint_targets``, as ``kp sprint`` does); this widget reads a clock, recomputes on ``tick()`` and,
in a page with a running event loop (Jupyter, Voilà), ticks every second from an asyncio task.
A working-day count the calendar cannot give (a year without holiday data and no override file)
shows the calendar's Chinese error in place of that figure; the countdown keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from keyproject.dates import DateLike
from keyproject.engine import sprint
from keyproject.engine.calendar import WorkCalendar
from keyproject.engine.context import resolve_calendar, resolve_sprint
from keyproject.errors import CalendarError
from keyproject.ledger import Ledger

if TYPE_CHECKING:
    from keyproject.engine.history import History

# China has one time zone and no daylight saving: a fixed offset is exact
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


def _wan(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}万元"


def countdown_text(now: dt.datetime, start: dt.date, end: dt.date) -> str:
    """剩余 38 天 20 小时 3 分 12 秒 (or the time to the start, or that the sprint is over)."""
    if now.date() < start:
        d, h, m, s = sprint.time_left(now, start - dt.timedelta(days=1))
        return f"距冲刺开始还有 {d} 天 {h} 小时 {m} 分 {s} 秒"
    d, h, m, s = sprint.time_left(now, end)
    if (d, h, m, s) == (0, 0, 0, 0):
        return "冲刺已结束"
    return f"剩余 {d} 天 {h} 小时 {m} 分 {s} 秒"


def _basis_html(basis: sprint.SprintTargets | None) -> str:
    """How the sprint was measured, and the warning when its start could not be."""
    if basis is None:
        return ""
    text = f"<p class='kp-sprint-basis'>口径：{html.escape(basis.note)}</p>"
    if basis.warning:
        text += f"<p class='kp-sprint-warning' style='color:#d62728'>{html.escape(basis.warning)}</p>"
    return text


def leaderboard_html(groups: list[dict[str, Any]]) -> str:
    """Groups ranked by sprint completion (done / target), best first."""
    if not groups:
        return ""
    frame = pd.DataFrame(groups)
    target = frame["target"].astype("float64")
    frame["rate"] = (frame["done"].astype("float64") / target).where(target > 0)
    frame = frame.sort_values(["rate", "done"], ascending=[False, False], na_position="last", kind="stable")
    rows = []
    def amount(v: object) -> float | None:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v:  # None, NaN
            return None
        return float(v)

    for rank, r in enumerate(frame.to_dict("records"), start=1):
        rate = amount(r["rate"])
        state = "✔ 达到序时" if r["on_track"] else "✘ 落后"
        rows.append(
            f"<tr><td>{rank}</td><td>{html.escape(str(r['group']))}</td><td>{_wan(amount(r['target']))}</td>"
            f"<td>{_wan(amount(r['done']))}</td><td>{'—' if rate is None else f'{rate:.1%}'}</td>"
            f"<td>{_wan(amount(r['remaining']))}</td><td>{_wan(amount(r['per_day']))}</td><td>{state}</td></tr>"
        )
    return (
        "<table class='kp-leaderboard' style='border-collapse:collapse' border='1' cellpadding='3'>"
        "<tr><th>排名</th><th>单位</th><th>冲刺目标</th><th>已完成</th><th>完成率</th><th>剩余</th>"
        "<th>每天需完成</th><th>状态</th></tr>" + "".join(rows) + "</table>"
    )


class SprintCountdown(widgets.VBox):
    """Days, hours and minutes left, working days left, what remains and the pace it needs."""

    now = traitlets.Instance(dt.datetime, allow_none=True)  # the clock at the last tick
    countdown = traitlets.Unicode("")  # the countdown text
    error = traitlets.Unicode("")  # a Chinese calendar error, when the working days cannot be counted

    def __init__(
        self,
        start: dt.date,
        days: int = 100,
        target: float = 0.0,
        done: float = 0.0,
        groups: pd.DataFrame | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        calendar: WorkCalendar | str | Path | None = None,
        *,
        interval: float = 1.0,
        autostart: bool | None = None,
        title: str = "百日冲刺",
        basis: sprint.SprintTargets | None = None,
        **kwargs: Any,
    ) -> None:
        self.start_date, self.end_date = sprint.sprint_window(start, days)
        self.days = int(days)
        self.target = float(target)
        self.done = float(done)
        self.groups = groups
        self.clock = clock or china_now
        self.calendar = resolve_calendar(calendar)
        self.basis = basis
        self.interval = interval
        self.status: sprint.SprintStatus | None = None
        self._status_date: dt.date | None = None
        self._task: asyncio.Task[None] | None = None

        head = widgets.HTML(
            f"<h3>{html.escape(title)}：{self.start_date:%Y年%m月%d日} 至 {self.end_date:%Y年%m月%d日}"
            f"（共 {self.days} 天）</h3>"
        )
        self.countdown_html = widgets.HTML()
        self.figures_html = widgets.HTML()
        bar = {"description_width": "6em"}
        self.time_bar = widgets.FloatProgress(min=0.0, max=1.0, description="时间进度", style=bar)
        self.task_bar = widgets.FloatProgress(min=0.0, max=1.0, description="任务进度", style=bar)
        self.bars_html = widgets.HTML()
        self.leaderboard = widgets.HTML()
        self.basis_html = widgets.HTML(_basis_html(basis))
        super().__init__(
            children=[head, self.countdown_html, widgets.HBox([widgets.VBox([self.time_bar, self.task_bar]),
                                                               self.bars_html]),
                      self.figures_html, self.basis_html, self.leaderboard],
            **kwargs,
        )
        self.tick()
        if autostart is None:
            autostart = clock is None
        if autostart:
            self.start()

    @classmethod
    def from_ledger(cls, ledger: Ledger, start: DateLike | None = None, days: int | None = None, *,
                    by: str = "unit", history: History | None = None, baseline: Ledger | None = None,
                    **kwargs: Any) -> SprintCountdown:
        """The sprint measured from its start (``sprint.sprint_targets``: the work left when it
        started, what is done since), groups by ``by``; ``start`` and ``days`` default to the
        workbook's 设置 sheet (百日冲刺开始, 冲刺天数)."""
        first, n = resolve_sprint(ledger, start, days, start_name="start")
        by_group = by if by in ledger.projects.columns and ledger.projects[by].notna().any() else None
        measured = sprint.sprint_targets(ledger, first, by=by_group, history=history, baseline=baseline)
        return cls(first, n, measured.target, measured.done, groups=measured.groups, basis=measured,
                   **kwargs)

    # -- the clock -------------------------------------------------------------------------
    def tick(self) -> None:
        """Read the clock and recompute (the date-level figures only when the date changes)."""
        now = self.clock()
        today = now.date()
        if today != self._status_date:
            self._recompute(today)
        self.now = now
        self.countdown = countdown_text(now, self.start_date, self.end_date)
        self.countdown_html.value = f"<h2 class='kp-countdown'>{self.countdown}</h2>"
        total = (self.end_date - self.start_date).days + 1
        begin = dt.datetime.combine(self.start_date, dt.time(), tzinfo=now.tzinfo)
        elapsed = (now - begin).total_seconds() / (total * 86400)
        self.time_bar.value = min(max(elapsed, 0.0), 1.0)

    def _recompute(self, today: dt.date) -> None:
        self._status_date = today
        try:
            st = sprint.sprint_status(self.start_date, self.days, self.target, self.done, today,
                                      calendar=self.calendar, groups=self.groups)
        except CalendarError as exc:
            self.status = None
            self.error = str(exc)
            self._show_without_calendar(today)
            return
        self.status = st
        self.error = ""
        task = st.done / st.target if st.target > 0 else 1.0
        self.task_bar.value = min(max(task, 0.0), 1.0)
        self.task_bar.bar_style = "success" if st.on_track else "danger"
        self.bars_html.value = (
            f"<div>已过 {st.days_elapsed} 天，剩余 <b class='kp-days-left'>{st.days_left}</b> 天"
            f"（工作日 <b class='kp-workdays-left'>{st.working_days_left}</b> 天）</div>"
            f"<div>任务完成 {task:.1%}，序时应完成 {st.expected / st.target:.1%}</div>"
            if st.target > 0 else ""
        )
        state = "<span style='color:#2ca02c'>✔ 进度达到序时要求</span>" if st.on_track else \
            "<span style='color:#d62728'>✘ 进度落后于序时要求</span>"
        self.figures_html.value = (
            "<table class='kp-sprint' cellpadding='3'>"
            f"<tr><td>冲刺目标</td><td>{_wan(st.target)}</td><td>已完成</td><td>{_wan(st.done)}</td></tr>"
            f"<tr><td>剩余任务</td><td class='kp-remaining'>{_wan(st.remaining)}</td>"
            f"<td>状态</td><td>{state}</td></tr>"
            f"<tr><td>每天需完成</td><td class='kp-per-day'>{_wan(st.per_day)}</td>"
            f"<td>每周需完成</td><td>{_wan(st.per_week)}</td></tr>"
            f"<tr><td>每个工作日需完成</td><td class='kp-per-working-day'>{_wan(st.per_working_day)}</td>"
            "<td></td><td></td></tr></table>"
        )
        self.leaderboard.value = leaderboard_html(st.groups)

    def _show_without_calendar(self, today: dt.date) -> None:
        """The figures that need no calendar, and the calendar's error for the working days."""
        # the same day count as sprint.sprint_status (the as_of day counts as elapsed)
        if today < self.start_date:
            elapsed = 0
        elif today > self.end_date:
            elapsed = self.days
        else:
            elapsed = (today - self.start_date).days + 1
        days_left = self.days - elapsed
        remaining = max(self.target - self.done, 0.0)
        per_day = remaining / days_left if days_left else None
        task = self.done / self.target if self.target > 0 else 1.0
        self.task_bar.value = min(max(task, 0.0), 1.0)
        self.bars_html.value = f"<div>剩余 <b class='kp-days-left'>{days_left}</b> 天</div>"
        self.figures_html.value = (
            "<table class='kp-sprint' cellpadding='3'>"
            f"<tr><td>冲刺目标</td><td>{_wan(self.target)}</td><td>已完成</td><td>{_wan(self.done)}</td></tr>"
            f"<tr><td>剩余任务</td><td class='kp-remaining'>{_wan(remaining)}</td>"
            f"<td>每天需完成</td><td class='kp-per-day'>{_wan(per_day)}</td></tr></table>"
            "<p class='kp-calendar-error' style='color:#d62728'>"
            f"无法计算剩余工作日：{html.escape(self.error)}</p>"
        )
        self.leaderboard.value = ""

    # -- live ticking ----------------------------------------------------------------------
    def start(self) -> bool:
        """Tick every ``interval`` seconds from an asyncio task; False when no event loop runs."""
        if self._task is not None and not self._task.done():
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._task = loop.create_task(self._run())
        return True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            with contextlib.suppress(Exception):  # a bad tick must not end the countdown
                self.tick()

    def close(self) -> None:
        self.stop()
        super().close()
