"""ScenarioPlanner: the year's target tiers against what the rest of the year may bring.

The numbers come from ``keyproject.engine.scenario``; this widget only holds the controls, calls
``scenario.project`` on every change and shows the result. The summary updates at once; the chart
is redrawn once the controls have been still for ``debounce`` seconds (when an event loop runs, as
in Jupyter or Voilà; without one, e.g. in tests, it is redrawn at once).
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FuncFormatter

from keyproject.dates import DateLike
from keyproject.engine import scenario
from keyproject.engine.rules import Rules
from keyproject.engine.scenario import Baseline, Projection, ScenarioParams
from keyproject.ledger import Ledger
from keyproject.widgets._chart import chinese_text, cjk_font, encode_png, new_figure

_WIDE = {"description_width": "11em"}
_LAYOUT = {"width": "32em"}


def _wan(x: float) -> str:
    """万元 with thousands separators; 亿元 in brackets for big figures."""
    text = f"{x:,.0f}万元"
    if abs(x) >= 10000:
        text += f"（{x / 10000:.2f}亿元）"
    return text


def summary_html(baseline: Baseline, proj: Projection) -> str:
    """The Chinese summary of a projection (plain function: tests read it without a browser)."""
    rows = []
    for t in proj.tiers:
        reach = f"{t.reach_month}月" if t.reach_month else f"年底差 {_wan(t.shortfall)}"
        need = "—" if t.required_pace is None else f"{t.required_pace:,.0f}万元/月"
        rows.append(
            f"<tr><td>{t.label}</td><td>{_wan(t.target)}</td>"
            f"<td>{proj.year_end / t.target:.1%}</td><td class='kp-reach-{t.key}'>{reach}</td>"
            f"<td class='kp-need-{t.key}'>{need}</td>"
            f"<td class='kp-prob-{t.key}'>{t.probability:.0%}</td></tr>"
        )
    checks = []
    for c in [proj.double_half, *proj.staged]:
        if c is None:
            continue
        name = "双过半（6月底完成50%）" if c is proj.double_half else f"{c.month}月底完成{c.fraction:.0%}"
        mark = "✔ 达到" if c.ok else "✘ 未达到"
        when = "预计" if c.projected else "实际"
        checks.append(f"<li>{name}：{when}累计 {_wan(c.value)}，目标 {_wan(c.target)}，{mark}</li>")
    notes = []
    if baseline.estimated_months:
        months = "、".join(f"{m}月" for m in baseline.estimated_months)
        notes.append(f"台账没有{months}的分月数据，已按累计完成数平均分摊。")
    notes.append(
        f"已完成 {baseline.months_done} 个月，累计 {_wan(baseline.done)}；"
        f"月度波动 {proj.sigma:.1%}（达成概率按此随机模拟）；"
        f"年底预计区间 {_wan(proj.quantiles['p10'])} ～ {_wan(proj.quantiles['p90'])}（10%～90%）。"
    )
    if cjk_font() is None:
        notes.append("未找到中文字体，图表中的中文可能显示为方框。")
    return (
        "<div class='kp-scenario'>"
        f"<h3>预计全年完成 <span class='kp-year-end'>{_wan(proj.year_end)}</span></h3>"
        "<table class='kp-tiers' style='border-collapse:collapse' border='1' cellpadding='4'>"
        "<tr><th>目标</th><th>金额</th><th>预计完成比例</th><th>达成月份</th><th>剩余每月需完成</th>"
        "<th>达成概率</th></tr>" + "".join(rows) + "</table>"
        "<ul class='kp-checks'>" + "".join(checks) + "</ul>"
        "<p class='kp-notes' style='color:#555'>" + html.escape("".join(notes)) + "</p></div>"
    )


class ScenarioChart:
    """Cumulative plan vs actual vs projection, Chinese labels; one figure redrawn on each change."""

    def __init__(self, baseline: Baseline, proj: Projection) -> None:
        self.baseline = baseline
        b = baseline
        m = proj.months
        with chinese_text():
            self.fig = fig = new_figure(7.5, 3.8, constrained=False)
            fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.1)
            ax = self.ax = fig.add_subplot()
            ax.plot(m, proj.plan_line, color="#888", linestyle=":", label="序时计划（确保）")
            if b.months_done:
                ax.plot(m[: b.months_done], proj.actual_cum[: b.months_done], color="#1f77b4", marker="o",
                        label="实际累计")
            # the projection line is drawn over a cached background (blitting); a full redraw,
            # which lays out every Chinese label again, only when the y range or a target changes
            (self.projection_line,) = ax.plot([], [], color="#d62728", linestyle="--", marker=".",
                                              label="预测累计", animated=True)
            self.tier_lines = {}
            self.tier_labels = {}
            for key, color in (("plan", "#2ca02c"), ("stretch", "#9467bd")):
                self.tier_lines[key] = ax.axhline(0.0, color=color, linewidth=0.8, visible=False)
                self.tier_labels[key] = ax.text(12.4, 0.0, "", fontsize=8, ha="right", va="bottom",
                                                visible=False)
            self._background: Any = None
            self._targets: tuple[float, ...] = ()
            ax.set_xticks(m, [f"{i}月" for i in m])
            ax.set_xlim(0.5, 12.5)
            big = b.plan >= 100_000  # show 亿元 on the axis when the figures run to six digits
            scale = 10000.0 if big else 1.0
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v / scale:,.{1 if big else 0}f}"))
            ax.set_ylabel("累计完成投资（亿元）" if big else "累计完成投资（万元）")
            ax.set_title(f"{b.year}年投资进度推演")
            ax.grid(alpha=0.3)
            ax.legend(loc="upper left", fontsize=8)
        self.update(proj)

    def update(self, proj: Projection) -> None:
        done = self.baseline.months_done
        if done < 12:
            xs = np.concatenate([[done], proj.months[done:]]) if done else np.concatenate([[0], proj.months])
            first = proj.cumulative[done - 1] if done else 0.0
            self.projection_line.set_data(xs, np.concatenate([[first], proj.cumulative[done:]]))
        top = max(float(np.nanmax(proj.cumulative)), float(proj.plan_line[-1]))
        targets = tuple(t.target for t in proj.tiers)
        if targets != self._targets:
            self._targets = targets
            self._background = None
        for key, line in self.tier_lines.items():
            tier = next((t for t in proj.tiers if t.key == key), None)
            label = self.tier_labels[key]
            line.set_visible(tier is not None)
            label.set_visible(tier is not None)
            if tier is not None:
                line.set_ydata([tier.target, tier.target])
                label.set_y(tier.target)
                label.set_text(f"{tier.label} {_wan(tier.target)}")
                top = max(top, tier.target)
        # keep the axes still while a slider is dragged: grow with headroom, shrink only when the
        # lines would sit in the bottom half (each change of range costs a full redraw)
        want = top * 1.08
        _, high = self.ax.get_ylim()
        if self._background is None or want > high or want < 0.5 * high:
            if self._background is not None and want > high:
                want *= 1.25
            step = _nice_step(want / 10)
            self.ax.set_ylim(0.0, np.ceil(want / step) * step)
            self._background = None

    def png(self) -> bytes:
        with chinese_text():
            canvas = self.fig.canvas
            assert isinstance(canvas, FigureCanvasAgg)  # new_figure made it
            if self._background is None:
                canvas.draw()  # everything but the animated artists
                self._background = canvas.copy_from_bbox(self.fig.bbox)
            else:
                canvas.restore_region(self._background)
            self.ax.draw_artist(self.projection_line)
            return encode_png(canvas)


def chart_png(baseline: Baseline, proj: Projection) -> bytes:
    """The chart of one projection as PNG bytes."""
    return ScenarioChart(baseline, proj).png()


class ScenarioPlanner(widgets.VBox):
    """Controls for the rest of the year, a summary and a chart."""

    year_end = traitlets.Float(0.0)  # projected year-end, 万元
    probabilities = traitlets.Dict()  # tier key → probability

    def __init__(
        self,
        ledger: Ledger,
        as_of: DateLike | None = None,
        *,
        rules: Rules | str | Path | None = None,
        last_year: np.ndarray | None = None,
        debounce: float = 0.15,
        sims: int = 2000,
        seed: int = 2023,
        **kwargs: Any,
    ) -> None:
        self.baseline = scenario.baseline_from_ledger(ledger, as_of, rules, last_year=last_year)
        self.debounce = debounce
        self.sims = sims
        self.seed = seed
        self._pending: asyncio.TimerHandle | None = None
        self._quiet = False
        b = self.baseline
        pace0 = round(b.observed_pace, 1)
        top = max(pace0, b.plan / 12, 1.0) * 3
        step = _nice_step(top / 300)
        rest = b.remaining_months == 0
        first = min(b.months_done + 1, 12)
        n_projects = max(len(ledger.projects), 1)

        self.pace_slider = widgets.FloatSlider(
            value=pace0, min=0.0, max=round(top, 0), step=step, description="月均完成（万元/月）",
            style=_WIDE, layout=_LAYOUT, disabled=rest, readout_format=",.0f",
        )
        self.growth_slider = widgets.FloatSlider(
            value=0.0, min=-10.0, max=10.0, step=0.5, description="月增长率（%）",
            style=_WIDE, layout=_LAYOUT, disabled=rest,
        )
        options = [(scenario.SEASON_LABELS["flat"], "flat"), (scenario.SEASON_LABELS["push"], "push")]
        if b.last_year is not None:
            options.append((scenario.SEASON_LABELS["last_year"], "last_year"))
        self.season_dropdown = widgets.Dropdown(
            options=options, value="flat", description="季节走势", style=_WIDE, layout=_LAYOUT, disabled=rest,
        )
        self.new_count_slider = widgets.IntSlider(
            value=0, min=0, max=50, description="新增项目（个）", style=_WIDE, layout=_LAYOUT, disabled=rest,
        )
        avg = b.plan / n_projects
        self.new_annual_slider = widgets.FloatSlider(
            value=round(avg, 0), min=0.0, max=round(max(avg * 5, 100.0), 0), step=_nice_step(avg / 50),
            description="新项目年均投资（万元）", style=_WIDE, layout=_LAYOUT, disabled=rest,
            readout_format=",.0f",
        )
        self.new_start_slider = widgets.IntSlider(
            value=first, min=first, max=12, description="新项目开始月份", style=_WIDE, layout=_LAYOUT,
            disabled=rest,
        )
        self.slip_slider = widgets.FloatSlider(
            value=0.0, min=0.0, max=100.0, step=5.0, description="红灯项目滞后（%）",
            style=_WIDE, layout=_LAYOUT, disabled=rest or b.red_share == 0,
        )
        stretch0 = b.stretch if b.stretch else round(b.plan * 1.1, 0)
        self.stretch_input = widgets.FloatText(
            value=stretch0, description="力争目标（万元）", style=_WIDE, layout=_LAYOUT,
        )
        self.summary = widgets.HTML(layout={"flex": "1 1 30em"})
        self.chart = widgets.Image(format="png", layout={"max_width": "760px"})
        self.controls = [
            self.pace_slider, self.growth_slider, self.season_dropdown, self.new_count_slider,
            self.new_annual_slider, self.new_start_slider, self.slip_slider, self.stretch_input,
        ]
        intro = widgets.HTML(
            f"<b>{b.year}年 确保 {_wan(b.plan)}"
            + (f"，力争 {_wan(b.stretch)}" if b.stretch else "")
            + f"；红灯项目占剩余计划 {b.red_share:.0%}</b>"
        )
        super().__init__(
            children=[intro, widgets.HBox([widgets.VBox(self.controls, layout={"flex": "0 0 34em"}),
                                           self.summary], layout={"flex_flow": "row wrap"}), self.chart],
            **kwargs,
        )
        for c in self.controls:
            c.observe(self._on_change, names="value")
        self.projection = self.compute()
        self._chart = ScenarioChart(b, self.projection)
        self._show_summary()
        self.render_chart()

    # -- state -----------------------------------------------------------------------------
    @property
    def params(self) -> ScenarioParams:
        return ScenarioParams(
            pace=self.pace_slider.value,
            growth=self.growth_slider.value,
            season=self.season_dropdown.value,
            new_count=self.new_count_slider.value,
            new_annual=self.new_annual_slider.value,
            new_start=self.new_start_slider.value,
            slip=self.slip_slider.value,
            stretch=self.stretch_input.value or None,
            sims=self.sims,
            seed=self.seed,
        )

    def compute(self) -> Projection:
        return scenario.project(self.baseline, self.params)

    # -- updates ---------------------------------------------------------------------------
    def _on_change(self, _change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self.projection = self.compute()
        self._show_summary()
        self._schedule_chart()

    def _show_summary(self) -> None:
        proj = self.projection
        self.summary.value = summary_html(self.baseline, proj)
        self.year_end = proj.year_end
        self.probabilities = {t.key: t.probability for t in proj.tiers}

    def _schedule_chart(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self.debounce <= 0 or loop is None:
            self.render_chart()
            return
        self._pending = loop.call_later(self.debounce, self.render_chart)

    def render_chart(self) -> None:
        self._pending = None
        self._chart.update(self.projection)
        self.chart.value = self._chart.png()

    def update_now(self, *, chart: bool = True, **values: Any) -> Projection:
        """Set controls by name (pace, growth, season, new_count, new_annual, new_start, slip, stretch)
        and recompute at once: one update, as the benchmark measures it."""
        names = {
            "pace": self.pace_slider, "growth": self.growth_slider, "season": self.season_dropdown,
            "new_count": self.new_count_slider, "new_annual": self.new_annual_slider,
            "new_start": self.new_start_slider, "slip": self.slip_slider, "stretch": self.stretch_input,
        }
        self._quiet = True
        try:
            for key, value in values.items():
                names[key].value = value
        finally:
            self._quiet = False
        self.projection = self.compute()
        self._show_summary()
        if chart:
            self.render_chart()
        return self.projection


def _nice_step(x: float) -> float:
    """A round slider step near ``x`` (1, 2, 5 × 10^k)."""
    if x <= 0:
        return 1.0
    exp = 10 ** np.floor(np.log10(x))
    for m in (1, 2, 5, 10):
        if x <= m * exp:
            return float(m * exp)
    return float(10 * exp)
