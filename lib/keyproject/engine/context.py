"""The one context resolver: the report date (as_of), the rules and the working-day calendar a
computation runs with, decided the same way behind every door (``kp`` commands, the formulas'
refresh button, the widgets and notebooks, ``refresh_workbook``).

``resolve(ledger, as_of=…, rules=…, calendar=…)`` returns a ``Context``. Its rules, in order:

as_of
    1. an explicit date (``--as-of``, a formula's or widget's argument), read by the strict
       ``keyproject.dates.parse_date``; it must fit the ledger's period (same year, not before the
       report month, at most one month after it) unless ``any_date=True``;
    2. the period the last refresh recorded in the workbook (``Ledger.recorded_as_of``) — unless
       the title/headers were moved on by hand to a later month, then the end of that month;
    3. the end of the ledger's report month ("1-7月" → 7月31日), or of ``period`` when given
       (the month of newer submissions being consolidated);
    4. without a ledger, ``today`` (a door's clock); else a ``KPError`` asking for ``--as-of``.
    A resolved (not explicit) date earlier than ``latest`` (the newest history snapshot) is refused
    with both dates named: history never runs backwards silently.
rules
    explicit ``Rules`` > a TOML file (``rules`` as a path) > the workbook's 设置 sheet > the defaults;
    ``basis`` (--basis) overrides the 序时口径 of whichever was chosen.
calendar
    an explicit ``WorkCalendar`` > a calendar file (TOML/CSV/xlsx) > ``chinese_calendar`` alone.

Domain code never reads the clock: ``today`` is passed in by a door that may.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from keyproject.dates import cn_date, month_end, month_start, parse_date
from keyproject.engine.calendar import WorkCalendar, load_calendar_file
from keyproject.engine.rules import Rules
from keyproject.errors import KPError, PeriodError
from keyproject.ledger import Ledger

AsOfSource = Literal["explicit", "recorded", "report_month", "period", "today"]
RulesSource = Literal["explicit", "file", "settings", "default"]

# what the Chinese texts call each source of the report date
AS_OF_SOURCES: dict[str, str] = {
    "explicit": "指定的统计截止日期",
    "recorded": "台账记录的报告期",
    "report_month": "台账标题和表头中的报告月份",
    "period": "报送数据的月份",
    "today": "今天",
}

# 设置 sheet words that look like a mistyped rule when they are not one
_RULE_WORDS = ("灯", "榜", "序时", "双过半", "档次", "临期", "阶段目标", "口径")


@dataclass(frozen=True)
class Context:
    """What a computation runs with, and where each part came from."""

    as_of: dt.date
    as_of_source: AsOfSource
    rules: Rules
    rules_source: RulesSource
    calendar: WorkCalendar
    period: tuple[int, int] | None  # the (year, month) of the ledger's figures, when known
    warnings: tuple[str, ...] = field(default_factory=tuple)  # Chinese

    @property
    def explicit(self) -> bool:
        """Whether the report date was asked for explicitly (history may then run backwards)."""
        return self.as_of_source == "explicit"

    def as_of_text(self) -> str:
        """2023年8月31日（台账记录的报告期）."""
        return f"{cn_date(self.as_of)}（{AS_OF_SOURCES[self.as_of_source]}）"


def resolve(
    ledger: Ledger | None = None,
    *,
    as_of: object = None,  # anything a door hands over, read by the strict parser
    rules: Rules | str | Path | None = None,
    basis: str | None = None,
    calendar: WorkCalendar | str | Path | None = None,
    any_date: bool = False,
    latest: dt.date | None = None,
    period: tuple[int, int] | None = None,
    today: dt.date | None = None,
    as_of_name: str = "统计截止日期",
) -> Context:
    """The context for ``ledger`` (see the module docstring for the order of each part).

    ``as_of_name`` names the date in messages (a door passes ``"--as-of"``); ``period`` is a
    (year, month) that replaces the ledger's (newer submissions); ``latest`` is the newest history
    snapshot's date.
    """
    warnings: list[str] = []
    date, source, the_period = resolve_as_of(ledger, as_of, any_date=any_date, latest=latest, period=period,
                                             today=today, name=as_of_name, warnings=warnings)
    chosen, rules_source = resolve_rules(ledger, rules, warnings)
    if basis is not None and basis != chosen.basis:
        try:
            chosen = dataclasses.replace(chosen, basis=basis)
        except ValueError as exc:
            raise KPError(str(exc)) from None
    return Context(as_of=date, as_of_source=source, rules=chosen, rules_source=rules_source,
                   calendar=resolve_calendar(calendar), period=the_period, warnings=tuple(warnings))


# -- as_of ---------------------------------------------------------------------------------------

def ledger_period(ledger: Ledger | None, period: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The (year, month) the ledger's title and headers name, or ``period`` when given."""
    if period is not None:
        return (int(period[0]), int(period[1]))
    if ledger is not None and ledger.report_year and ledger.report_month:
        return (int(ledger.report_year), int(ledger.report_month))
    return None


def resolve_as_of(
    ledger: Ledger | None,
    as_of: object = None,  # anything a door hands over, read by the strict parser
    *,
    any_date: bool = False,
    latest: dt.date | None = None,
    period: tuple[int, int] | None = None,
    today: dt.date | None = None,
    name: str = "统计截止日期",
    warnings: list[str] | None = None,
) -> tuple[dt.date, AsOfSource, tuple[int, int] | None]:
    """(as_of, where it came from, the ledger's period) — the first part of ``resolve``."""
    notes = warnings if warnings is not None else []
    implied, source = _implied(ledger, period, today, notes)
    the_period = (implied.year, implied.month) if implied is not None and source != "today" else None
    if as_of is not None:
        date = parse_date(as_of, name)
        if the_period is not None and not any_date:
            check_fits_period(date, the_period, ledger, name)
        return date, "explicit", the_period
    if implied is None:
        option = name if name.startswith("-") else "--as-of"
        raise KPError(f"台账中看不出报告年月（如“2023年1-7月”），请用 {option} 指定统计截止日期",
                      file=ledger.path if ledger is not None else None,
                      sheet=ledger.sheet if ledger is not None else None)
    if latest is not None and implied < latest:
        raise backwards_error(implied, source, latest, ledger)
    return implied, source, the_period


def _implied(ledger: Ledger | None, period: tuple[int, int] | None, today: dt.date | None,
             warnings: list[str]) -> tuple[dt.date | None, AsOfSource]:
    """The report date a ledger implies without an explicit one."""
    header = ledger_period(ledger, None)
    if period is not None:
        newer = (int(period[0]), int(period[1]))
        return month_end(*newer), "period"
    recorded = ledger.recorded_as_of if ledger is not None else None
    if recorded is not None:
        if header is not None and header > (recorded.year, recorded.month):
            warnings.append(f"台账记录的报告期为{cn_date(recorded)}，而标题和表头已改为{header[1]}月，"
                            f"按{header[1]}月月末计算")
            return month_end(*header), "report_month"
        if header is not None and header < (recorded.year, recorded.month):
            warnings.append(f"台账标题和表头仍为{header[1]}月，按台账记录的报告期{cn_date(recorded)}计算")
        return recorded, "recorded"
    if header is not None:
        return month_end(*header), "report_month"
    if ledger is None and today is not None:  # no ledger: the door's clock
        return today, "today"
    return None, "today"


def check_fits_period(date: dt.date, period: tuple[int, int], ledger: Ledger | None = None,
                      name: str = "统计截止日期") -> None:
    """Refuse a date in another year than ``period``, before its month or more than one month after.

    ``PeriodError`` names the ledger's period and how to accept the date on purpose.
    """
    year, month = period
    first = month_start(year, month)
    last = month_end(year, month + 1) if month < 12 else month_end(year, 12)
    label = f"{year}年1-{month}月"
    if date.year != year:
        why = f"与台账的报告期（{label}）不在同一年"
    elif date < first:
        why = f"早于台账的报告月份（{label}）"
    elif date > last:
        why = f"比台账的报告月份（{label}）晚一个多月"
    else:
        return
    raise PeriodError(f"{name} {cn_date(date)}{why}；请核对日期。如确需按此日期统计，请加 --any-date",
                      as_of=date, period=period,
                      file=ledger.path if ledger is not None else None,
                      sheet=ledger.sheet if ledger is not None else None)


def backwards_error(as_of: dt.date, source: AsOfSource, latest: dt.date,
                    ledger: Ledger | None = None) -> PeriodError:
    """The refusal of a report date earlier than the newest snapshot in the history."""
    return PeriodError(
        f"历史记录中已有{cn_date(latest)}的数据，而本次的统计截止日期为{cn_date(as_of)}"
        f"（取自{AS_OF_SOURCES[source]}），早于已有记录；台账可能是旧的副本或尚未更新。"
        f"如确需按{cn_date(as_of)}统计，请用 --as-of {as_of.isoformat()} 明确指定",
        as_of=as_of, latest=latest, period=(as_of.year, as_of.month),
        file=ledger.path if ledger is not None else None)


def clock_today() -> dt.date:
    """Today, for a door whose date is left out (a formula's, a widget's, ``kp sprint``'s): the one
    place keyproject reads the clock; the engine takes the date as an argument."""
    return dt.date.today()


# -- rules and calendar --------------------------------------------------------------------------

def resolve_rules(ledger: Ledger | None, rules: Rules | str | Path | None = None,
                  warnings: list[str] | None = None,
                  settings: Mapping[str, object] | None = None) -> tuple[Rules, RulesSource]:
    """Explicit rules > a TOML file > the workbook's 设置 sheet > the defaults.

    ``settings`` stands for the 设置 sheet where there is no ``Ledger`` (a formula's 设置 range)."""
    if isinstance(rules, Rules):
        return rules, "explicit"
    if rules is not None:
        return Rules.from_toml(rules), "file"
    if settings:
        unknown = [k for k in Rules.unknown_settings(settings) if any(w in k for w in _RULE_WORDS)]
        if unknown and warnings is not None:
            warnings.append(f"设置表中以下项目不是可识别的进度规则，已忽略：{'、'.join(unknown)}")
        return Rules.from_settings(settings, strict=False), "settings"
    if ledger is not None and ledger.settings:
        # the 设置 sheet also holds other tools' settings (百日冲刺开始 …): warn only about keys
        # that look like a mistyped rule
        unknown = [k for k in Rules.unknown_settings(ledger.settings) if any(w in k for w in _RULE_WORDS)]
        if unknown and warnings is not None:
            warnings.append(f"设置表中以下项目不是可识别的进度规则，已忽略：{'、'.join(unknown)}")
        try:
            return Rules.from_settings(ledger.settings, strict=False), "settings"
        except KPError as exc:
            raise KPError(exc.message, file=ledger.path, sheet="设置") from None
    return Rules(), "default"


def resolve_calendar(calendar: WorkCalendar | str | Path | None = None) -> WorkCalendar:
    """An explicit calendar > a calendar file > chinese_calendar alone."""
    if isinstance(calendar, WorkCalendar):
        return calendar
    if calendar is not None:
        return load_calendar_file(calendar)
    return WorkCalendar()


def check_sprint_date(as_of: dt.date, start: dt.date, end: dt.date, name: str = "--as-of") -> None:
    """Refuse a sprint's date in a year the sprint does not touch (a typo such as 2032 for 2023)."""
    if as_of.year not in (start.year, end.year):
        raise PeriodError(f"{name} {cn_date(as_of)}与冲刺（{cn_date(start)}至{cn_date(end)}）不在同一年；"
                          "请核对日期。如确需按此日期统计，请加 --any-date", as_of=as_of,
                          period=(start.year, start.month))


# -- the sprint's window from the 设置 sheet -----------------------------------------------------

SPRINT_START_KEYS: tuple[str, ...] = ("百日冲刺开始", "冲刺开始", "冲刺开始日期")
SPRINT_DAYS_KEYS: tuple[str, ...] = ("冲刺天数", "百日冲刺天数")


def resolve_sprint(ledger: Ledger | None, start: object = None, days: int | None = None,
                   start_name: str = "--start") -> tuple[dt.date, int]:
    """(start, days) of the sprint: explicit values > the 设置 sheet (百日冲刺开始, 冲刺天数) > 100 days."""
    settings = (ledger.settings or {}) if ledger is not None else {}
    if start is None:
        key = next((k for k in SPRINT_START_KEYS if settings.get(k) not in (None, "")), None)
        if key is None:
            raise KPError(f"请用 {start_name} 给出冲刺开始日期（或在工作簿“设置”表中填写“百日冲刺开始”）")
        try:
            first = parse_date(settings[key], f"设置表“{key}”")
        except KPError as exc:
            raise KPError(exc.message, file=ledger.path if ledger else None, sheet="设置") from None
    else:
        first = parse_date(start, start_name)
    if days is None:
        key = next((k for k in SPRINT_DAYS_KEYS if settings.get(k) not in (None, "")), None)
        days = 100
        if key is not None:
            raw = settings[key]
            try:
                days = int(str(raw).strip().removesuffix("天"))
            except ValueError:
                raise KPError(f"设置表“{key}”的值“{raw}”应为天数", file=ledger.path if ledger else None,
                              sheet="设置") from None
    if int(days) < 1:
        raise KPError(f"冲刺天数应为正整数，而不是 {days}")
    return first, int(days)
