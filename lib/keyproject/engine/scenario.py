"""Scenario engine for the year's investment: what the rest of the year needs and may bring.

Pure and vectorized over 12-month numpy vectors: a ``Baseline`` (the months done, the target tiers,
the lagging projects' share) comes from a ledger once; ``project(baseline, params)`` is then cheap
enough to run on every slider move, Monte Carlo included (N simulations in one array).

Amounts are 万元. Months are 1..12; ``months_done`` months carry actual figures, the rest are
projected from a monthly pace shaped by growth, seasonality, new projects and slip.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from keyproject.errors import KPError

if TYPE_CHECKING:
    from keyproject.dates import DateLike
    from keyproject.engine.rules import Rules
    from keyproject.ledger import Ledger
    from keyproject.xlsx import MemoryWorkbook, Workbook

MONTH_KEYS: tuple[str, ...] = tuple(f"m{m:02d}" for m in range(1, 13))

Season = Literal["flat", "push", "last_year"]
Noise = Literal["lognormal", "normal"]

SEASON_LABELS: dict[str, str] = {"flat": "平均分布", "push": "年底冲刺", "last_year": "上年走势"}

# a year-end push: slow start after the Spring Festival, heavy in November and December
_PUSH = np.array([0.5, 0.6, 0.8, 0.9, 1.0, 1.1, 0.9, 0.9, 1.1, 1.1, 1.3, 1.8])

DEFAULT_STAGED: tuple[tuple[int, float], ...] = ((9, 0.75),)


@dataclass(frozen=True)
class Baseline:
    """What the scenario starts from: the year so far and its targets."""

    year: int
    months_done: int  # 0..12
    plan: float  # 确保: the sum of annual plans
    stretch: float | None  # 力争: the sum of stretch targets, if the ledger has them
    actual: np.ndarray  # (months_done,) monthly completion, 万元
    red_share: float = 0.0  # the red projects' share of the remaining planned work (0..1)
    last_year: np.ndarray | None = None  # (12,) last year's monthly totals
    staged: tuple[tuple[int, float], ...] = DEFAULT_STAGED  # (month, fraction of 确保) checkpoints
    estimated_months: tuple[int, ...] = ()  # months spread from the year-to-date figure

    @property
    def done(self) -> float:
        return float(self.actual.sum())

    @property
    def remaining_months(self) -> int:
        return 12 - self.months_done

    @property
    def observed_pace(self) -> float:
        """The average monthly completion so far (0 before the first month)."""
        return self.done / self.months_done if self.months_done else 0.0

    @property
    def sigma(self) -> float:
        """The spread of the months: the std of month-over-month log ratios (0 with < 2 ratios)."""
        a = self.actual
        ok = (a[1:] > 0) & (a[:-1] > 0)
        if ok.sum() < 2:
            return 0.0
        ratios = np.log(a[1:][ok] / a[:-1][ok])
        return float(np.std(ratios, ddof=1))


@dataclass(frozen=True)
class ScenarioParams:
    """The controls for the rest of the year."""

    pace: float | None = None  # 万元 per month on average over the remaining months; None = observed
    growth: float = 0.0  # % per month, compounding from the first remaining month
    season: Season = "flat"
    new_count: int = 0  # new projects joining
    new_annual: float = 0.0  # their average annual investment (万元 a year, i.e. /12 a month)
    new_start: int | None = None  # the month they start contributing; None = the first remaining
    slip: float = 0.0  # % of the red projects' share of the pace that slips away
    stretch: float | None = None  # 力争 override (when the ledger has none or the user moves it)
    sims: int = 2000
    seed: int = 2023
    sigma: float | None = None  # per-month relative noise; None = the observed spread
    noise: Noise = "lognormal"


@dataclass(frozen=True)
class TierResult:
    key: str  # "plan" | "stretch"
    label: str  # 确保 | 力争
    target: float
    reach_month: int | None  # the month the cumulative total first reaches the target
    shortfall: float  # target − projected year-end when not reached, else 0
    required_pace: float | None  # per remaining month to reach it (None when no month remains)
    probability: float  # Monte Carlo


@dataclass(frozen=True)
class StageCheck:
    month: int
    fraction: float
    target: float
    value: float
    ok: bool
    projected: bool  # the month is not done yet: value is the projection


@dataclass
class Projection:
    """The outcome of one scenario."""

    months: np.ndarray  # 1..12
    monthly: np.ndarray  # (12,) actual months then projected months
    cumulative: np.ndarray  # (12,)
    plan_line: np.ndarray  # (12,) 确保 × m/12 (序时)
    actual_cum: np.ndarray  # (12,) NaN after months_done
    year_end: float
    tiers: list[TierResult]
    double_half: StageCheck | None  # June ≥ 50% of 确保
    staged: list[StageCheck]
    sigma: float
    quantiles: dict[str, float] = field(default_factory=dict)  # p10/p50/p90 of the year-end

    def tier(self, key: str) -> TierResult:
        return next(t for t in self.tiers if t.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "monthly": [round(float(x), 2) for x in self.monthly],
            "cumulative": [round(float(x), 2) for x in self.cumulative],
            "plan_line": [round(float(x), 2) for x in self.plan_line],
            "year_end": round(self.year_end, 2),
            "tiers": [asdict(t) for t in self.tiers],
            "double_half": asdict(self.double_half) if self.double_half else None,
            "staged": [asdict(s) for s in self.staged],
            "sigma": self.sigma,
            "quantiles": self.quantiles,
        }


# ---------------------------------------------------------------------------------------------
# the baseline from a ledger


def monthly_actuals(projects: pd.DataFrame, months_done: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """The monthly totals of the months done.

    Months the ledger keeps (m01..m12 with any figure) are summed; the others share what the
    year-to-date total leaves, evenly. Returns the totals and the months that were estimated.
    """
    if months_done <= 0:
        return np.zeros(0), ()
    keys = list(MONTH_KEYS[:months_done])
    cols = [k for k in keys if k in projects.columns]
    grid = np.full((len(projects), months_done), np.nan)
    for k in cols:
        grid[:, keys.index(k)] = projects[k].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(grid).all(axis=0)
    sums = np.nansum(grid, axis=0)
    sums[~known] = 0.0
    missing = np.flatnonzero(~known)
    if missing.size:
        ytd = 0.0
        if "ytd_completed" in projects.columns:
            ytd = float(np.nansum(projects["ytd_completed"].to_numpy(dtype="float64", na_value=np.nan)))
        rest = max(ytd - float(sums[known].sum()), 0.0)
        sums[missing] = rest / missing.size
    return sums, tuple(int(m) + 1 for m in missing)


def _total(projects: pd.DataFrame, key: str) -> float | None:
    if key not in projects.columns:
        return None
    col = projects[key].to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(col).all():
        return None
    return float(np.nansum(col))


def _stretch_total(projects: pd.DataFrame) -> float | None:
    """力争 for the whole ledger: each project's stretch target, its plan where it has none."""
    if "annual_stretch" not in projects.columns:
        return None
    stretch = projects["annual_stretch"].to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(stretch).all():
        return None
    plan = projects["annual_plan"].to_numpy(dtype="float64", na_value=np.nan)
    return float(np.nansum(np.where(np.isnan(stretch), plan, stretch)))


def red_share(projects: pd.DataFrame, lights: pd.Series | np.ndarray | None) -> float:
    """The red projects' share of the remaining planned work (annual_plan − ytd, at least 0)."""
    if lights is None or len(projects) == 0:
        return 0.0
    plan = projects["annual_plan"].to_numpy(dtype="float64", na_value=np.nan)
    ytd = projects["ytd_completed"].to_numpy(dtype="float64", na_value=np.nan)
    rest = np.clip(np.nan_to_num(plan) - np.nan_to_num(ytd), 0.0, None)
    total = rest.sum()
    if total <= 0:
        return 0.0
    red = np.asarray(pd.Series(lights).to_numpy(dtype=object) == "red", dtype=bool)
    return float(rest[red].sum() / total)


def baseline_from_projects(
    projects: pd.DataFrame,
    *,
    year: int,
    months_done: int,
    lights: pd.Series | np.ndarray | None = None,
    last_year: np.ndarray | None = None,
    staged: tuple[tuple[int, float], ...] = DEFAULT_STAGED,
) -> Baseline:
    """Build the baseline from a projects frame (see ``schema.LEDGER``)."""
    if not 0 <= months_done <= 12:
        raise KPError(f"已完成月份数应在0到12之间，实际为{months_done}")
    actual, estimated = monthly_actuals(projects, months_done)
    plan = _total(projects, "annual_plan")
    if plan is None or plan <= 0:
        raise KPError("台账没有年度计划投资（确保）数据，无法进行情景推演")
    ly = None
    if last_year is not None:
        ly = np.asarray(last_year, dtype="float64")
        if ly.shape != (12,) or not np.isfinite(ly).all() or ly.sum() <= 0:
            ly = None
    return Baseline(
        year=year,
        months_done=months_done,
        plan=plan,
        stretch=_stretch_total(projects),
        actual=actual,
        red_share=red_share(projects, lights),
        last_year=ly,
        staged=tuple(staged),
        estimated_months=estimated,
    )


def baseline_from_ledger(
    ledger: Ledger,
    as_of: DateLike | None = None,
    rules: Rules | str | Path | None = None,
    *,
    last_year: np.ndarray | None = None,
    staged: tuple[tuple[int, float], ...] | None = None,
) -> Baseline:
    """The baseline of a ``keyproject.ledger.Ledger``.

    The months done are the ledger's report month (else ``as_of``'s month); ``as_of`` defaults to
    the ledger's own date (``keyproject.engine.context``: the recorded period, else the end of the report
    month), whose month is then the months done; it dates the lights that decide which projects
    are red. Last
    year's monthly shape comes from the workbook's 上年月度 sheet when there is one; the staged
    targets from the rules when they carry them, else 75% by the end of September.
    """
    from keyproject.dates import parse_date
    from keyproject.engine.context import resolve_as_of

    if as_of is None:  # the ledger's own date, as every door takes it (recorded period, report month)
        try:
            as_of = resolve_as_of(ledger)[0]
        except KPError:
            raise KPError("台账没有报告月份，请指定截止日期（as_of）", file=ledger.path,
                          sheet=ledger.sheet) from None
        year, months = as_of.year, as_of.month
    else:
        as_of = parse_date(as_of, "截止日期（as_of）")  # the one strict parser of typed dates
        year = ledger.report_year or as_of.year
        months = ledger.report_month or as_of.month
    from keyproject.engine.context import resolve_rules

    chosen = resolve_rules(ledger, rules)[0]  # the rules every door uses (keyproject.engine.context)
    lights = None
    if len(ledger.projects):
        from keyproject.engine import lights as lights_mod

        lights = lights_mod.evaluate(ledger.projects, as_of, chosen)["light"]
    if staged is None:
        staged = tuple(chosen.staged_targets or DEFAULT_STAGED)
    if last_year is None:
        last_year = last_year_of(ledger.path)
    return baseline_from_projects(
        ledger.projects, year=year, months_done=months, lights=lights, last_year=last_year, staged=staged
    )


_MONTH_LABEL = re.compile(r"^\s*(\d{1,2})\s*月")


LAST_YEAR_SHEET = "上年月度"


def last_year_of(workbook: str | Path | Workbook | MemoryWorkbook | None) -> np.ndarray | None:
    """Last year's monthly totals of a ledger's workbook (its 上年月度 sheet), or None: no workbook, a
    file format without such sheets (.xls/.et), or no sheet. ``workbook`` is a path, or a workbook
    already open (the refresh's, the Excel button's values). Every door that shows 同比 or last
    year's shape asks here."""
    if workbook is None:
        return None
    if isinstance(workbook, (str, Path)):
        path = Path(workbook)
        if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
            return None
        return read_last_year(path)
    if LAST_YEAR_SHEET not in workbook.sheet_names:
        return None
    return last_year_from_rows([list(r) for r in workbook.grid(LAST_YEAR_SHEET).values[:200, :40]])


def read_last_year(path: str | Path, sheet: str = LAST_YEAR_SHEET) -> np.ndarray | None:
    """Last year's 12 monthly totals from a sheet of the workbook, or None when it has none (see
    ``last_year_from_rows``). The workbook is read as a ledger is, after the safety checks."""
    from keyproject.xlsx import Workbook  # the safety checks first, as for every workbook

    wb = Workbook(path)
    if sheet not in wb.sheet_names:
        return None
    return last_year_from_rows([list(r) for r in wb.grid(sheet).values[:200, :40]])


def last_year_from_rows(rows: list[list[object]]) -> np.ndarray | None:
    """Last year's 12 monthly totals from a sheet's rows: month labels (1月..12月) down a column with
    the figure beside them, or across a row with the figures in the row below; None unless all 12."""
    out = np.full(12, np.nan)

    def month_of(v: object) -> int | None:
        if isinstance(v, str) and (m := _MONTH_LABEL.match(v)) and 1 <= int(m.group(1)) <= 12:
            return int(m.group(1))
        return None

    def number(v: object) -> float | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        return None

    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            m = month_of(v)
            if m is None or not np.isnan(out[m - 1]):
                continue
            right = next((number(x) for x in row[c + 1:] if number(x) is not None), None)
            below = number(rows[r + 1][c]) if r + 1 < len(rows) and c < len(rows[r + 1]) else None
            # a row of labels reads downwards; a column of labels reads to the right
            across = sum(month_of(x) is not None for x in row) >= 6
            value = below if across else right
            if value is not None:
                out[m - 1] = value
    if np.isnan(out).any():
        return None
    return out


# ---------------------------------------------------------------------------------------------
# the projection


def season_factors(baseline: Baseline, season: Season) -> np.ndarray:
    """Factors for the remaining months, averaging 1 (the pace is the remaining months' mean)."""
    k = baseline.remaining_months
    if k == 0:
        return np.zeros(0)
    if season == "flat":
        shape = np.ones(12)
    elif season == "push":
        shape = _PUSH
    elif season == "last_year":
        if baseline.last_year is None:
            raise KPError("没有上年各月完成数据（工作表“上年月度”），不能使用“上年走势”")
        shape = np.clip(baseline.last_year, 0.0, None)
    else:
        raise KPError(f"未知的季节走势：{season}")
    rest = shape[baseline.months_done:]
    mean = rest.mean()
    if mean <= 0:
        return np.ones(k)
    return rest / mean


def projected_months(baseline: Baseline, params: ScenarioParams) -> np.ndarray:
    """The expected figures of the remaining months, shape (remaining_months,)."""
    k = baseline.remaining_months
    if k == 0:
        return np.zeros(0)
    pace = baseline.observed_pace if params.pace is None else float(params.pace)
    steps = np.arange(k)
    growth = (1.0 + params.growth / 100.0) ** steps
    slip = 1.0 - baseline.red_share * min(max(params.slip, 0.0), 100.0) / 100.0
    base = pace * growth * season_factors(baseline, params.season) * slip
    months = np.arange(baseline.months_done + 1, 13)
    start = baseline.months_done + 1 if params.new_start is None else int(params.new_start)
    new = np.where(months >= start, params.new_count * params.new_annual / 12.0, 0.0)
    return np.clip(base, 0.0, None) + new


def simulate_year_end(
    baseline: Baseline, expected: np.ndarray, sigma: float, sims: int, seed: int, noise: Noise
) -> np.ndarray:
    """Year-end totals of ``sims`` simulated years: each remaining month gets its own noise."""
    if expected.size == 0 or sigma <= 0 or sims <= 0:
        return np.full(max(sims, 1), baseline.done + float(expected.sum()))
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((sims, expected.size))
    # lognormal with mean 1, so the noise does not move the expected year-end
    factor = np.exp(sigma * z - 0.5 * sigma * sigma) if noise == "lognormal" else 1.0 + sigma * z
    return baseline.done + (factor * expected).sum(axis=1)


def _reach_month(cumulative: np.ndarray, target: float) -> int | None:
    hit = np.flatnonzero(cumulative >= target - 1e-9)
    return int(hit[0]) + 1 if hit.size else None


def _check(baseline: Baseline, cumulative: np.ndarray, month: int, fraction: float) -> StageCheck:
    target = baseline.plan * fraction
    value = float(cumulative[month - 1])
    ok = bool(value >= target - 1e-9)
    return StageCheck(month, fraction, target, value, ok, month > baseline.months_done)


def project(baseline: Baseline, params: ScenarioParams | None = None) -> Projection:
    """Run one scenario."""
    params = params or ScenarioParams()
    expected = projected_months(baseline, params)
    monthly = np.concatenate([baseline.actual, expected])
    cumulative = np.cumsum(monthly)
    months = np.arange(1, 13)
    plan_line = baseline.plan * months / 12.0
    actual_cum = np.full(12, np.nan)
    actual_cum[: baseline.months_done] = cumulative[: baseline.months_done]
    year_end = float(cumulative[-1])

    sigma = baseline.sigma if params.sigma is None else float(params.sigma)
    sims = simulate_year_end(baseline, expected, sigma, params.sims, params.seed, params.noise)

    stretch = params.stretch if params.stretch is not None else baseline.stretch
    tiers_in = [("plan", "确保", baseline.plan)]
    if stretch is not None and stretch > 0:
        tiers_in.append(("stretch", "力争", float(stretch)))
    k = baseline.remaining_months
    tiers = []
    for key, label, target in tiers_in:
        need = max(target - baseline.done, 0.0)
        tiers.append(
            TierResult(
                key=key,
                label=label,
                target=target,
                reach_month=_reach_month(cumulative, target),
                shortfall=max(target - year_end, 0.0),
                required_pace=need / k if k else None,
                probability=float(np.mean(sims >= target - 1e-9)),
            )
        )
    double_half = _check(baseline, cumulative, 6, 0.5)
    staged = [_check(baseline, cumulative, m, f) for m, f in baseline.staged if 1 <= m <= 12]
    q = np.quantile(sims, [0.1, 0.5, 0.9])
    return Projection(
        months=months,
        monthly=monthly,
        cumulative=cumulative,
        plan_line=plan_line,
        actual_cum=actual_cum,
        year_end=year_end,
        tiers=tiers,
        double_half=double_half,
        staged=staged,
        sigma=sigma,
        quantiles={"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])},
    )


def normal_probability(mean: float, sd: float, target: float) -> float:
    """P(X ≥ target) for X ~ N(mean, sd²): the analytic counterpart of the normal-noise case."""
    if sd <= 0:
        return 1.0 if mean >= target else 0.0
    return 0.5 * math.erfc((target - mean) / (sd * math.sqrt(2.0)))


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


__all__ = [
    "DEFAULT_STAGED",
    "MONTH_KEYS",
    "SEASON_LABELS",
    "Baseline",
    "Projection",
    "ScenarioParams",
    "StageCheck",
    "TierResult",
    "baseline_from_ledger",
    "baseline_from_projects",
    "last_year_of",
    "month_end",
    "monthly_actuals",
    "normal_probability",
    "project",
    "projected_months",
    "read_last_year",
    "red_share",
    "season_factors",
    "simulate_year_end",
]
