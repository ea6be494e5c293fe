"""BattleMap (挂图作战): every project as a bar on the time line, coloured by light, filterable."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib.dates as mdates
import pandas as pd
import traitlets
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from keyproject.dates import DateLike
from keyproject.engine import battlemap
from keyproject.engine.battlemap import GROUP_FIELDS, LIGHT_COLORS, LIGHT_ORDER
from keyproject.engine.rules import Rules
from keyproject.labels import light_names
from keyproject.ledger import Ledger
from keyproject.widgets._chart import chinese_text, new_figure, to_png

_STYLE = {"description_width": "5em"}


def chart_png(frame: pd.DataFrame, as_of: dt.date, title: str, names: dict[str, str] | None = None) -> bytes:
    """Bars from planned start to planned completion, ▲ at the actual start, a red line for today."""
    n = len(frame)
    with chinese_text():
        fig = new_figure(10.0, max(2.2, 0.9 + 0.24 * n))
        ax = fig.add_subplot()
        if n == 0:
            ax.text(0.5, 0.5, "没有符合筛选条件的项目", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return to_png(fig)
        y = list(range(n))[::-1]  # the first project at the top
        has = frame["bar_start"].notna().to_numpy()
        start = mdates.date2num(frame["bar_start"].where(has, pd.Timestamp(as_of)).to_numpy())
        end = mdates.date2num(frame["bar_end"].where(has, pd.Timestamp(as_of)).to_numpy())
        colors = [LIGHT_COLORS[k] for k in frame["light"]]
        width = [(e - s) if h else 0.0 for s, e, h in zip(start, end, has, strict=True)]
        ax.barh(y, width, left=start, height=0.6, color=colors, edgecolor="#444", linewidth=0.3)
        hatch_rows = frame["open_end"].to_numpy() & has
        if hatch_rows.any():  # no planned completion: the bar runs to the year end, hatched
            ax.barh([y[i] for i in range(n) if hatch_rows[i]], [width[i] for i in range(n) if hatch_rows[i]],
                    left=[start[i] for i in range(n) if hatch_rows[i]], height=0.6, fill=False, hatch="//",
                    edgecolor="#666", linewidth=0)
        act = frame["actual_start"].notna().to_numpy()
        if act.any():
            ys = [y[i] for i in range(n) if act[i]]
            ax.plot(mdates.date2num(frame["actual_start"][act].to_numpy()), ys, "k^", markersize=4)
        ax.axvline(mdates.date2num(pd.Timestamp(as_of)), color="#c00", linewidth=1.2)
        ax.set_yticks(y, list(frame["name"]), fontsize=7)
        # group blocks: a separator line and the group's name on the right
        groups = frame["group"].to_numpy()
        bounds = [0, *[i for i in range(1, n) if groups[i] != groups[i - 1]], n]
        side = blended_transform_factory(ax.transAxes, ax.transData)
        for a, b in itertools.pairwise(bounds):
            if a:
                ax.axhline(y[a] + 0.5, color="#bbb", linewidth=0.6)
            ax.text(1.01, (y[a] + y[b - 1]) / 2, str(groups[a]), transform=side, fontsize=8,
                    fontweight="bold", va="center", ha="left")
        locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y.%m"))
        # dates on top as well: a long map is read from the top
        ax.tick_params(axis="x", labelsize=8, top=n > 25, labeltop=n > 25)
        ax.set_ylim(-0.7, n - 0.3)
        ax.grid(axis="x", alpha=0.3)
        names = names or light_names(Rules())
        handles: list[Artist] = [Patch(color=LIGHT_COLORS[k], label=names[k]) for k in LIGHT_ORDER]
        handles += [Line2D([], [], color="k", marker="^", linestyle="", label="实际开工"),
                    Line2D([], [], color="#c00", label=f"今天（{as_of:%Y-%m-%d}）")]
        fig.legend(handles=handles, loc="outside upper center", ncol=6, fontsize=8, frameon=False)
        ax.set_title(title, fontsize=11)
        return to_png(fig)


class BattleMap(widgets.VBox):
    """Projects on a time line; group by command post or unit, filter by light and group."""

    shown = traitlets.Int(0)  # projects on the chart after filtering

    def __init__(self, ledger: Ledger, as_of: DateLike | None = None, *,
                 rules: Rules | str | Path | None = None, group_by: str | None = None, **kwargs: Any) -> None:
        from keyproject.engine.context import clock_today, ledger_period, resolve

        # the date and rules every door uses (keyproject.engine.context); a ledger without any period
        # is shown as of today (a door may read the clock; the engine never does)
        undated = as_of is None and ledger_period(ledger) is None and ledger.recorded_as_of is None
        context = resolve(ledger, as_of=clock_today() if undated else as_of, rules=rules, any_date=undated)
        self.as_of = context.as_of
        self.rules = context.rules
        self.light_names = light_names(self.rules)  # 红灯 … 未评灯, or 蓝灯 under the Zhaoqing preset
        self.projects = ledger.projects
        self.lights = battlemap.lights_for(self.projects, self.as_of, self.rules)
        present = [k for k in GROUP_FIELDS if k in self.projects.columns and self.projects[k].notna().any()]
        options = [(GROUP_FIELDS[k], k) for k in present] or [(GROUP_FIELDS["command_post"], "command_post")]
        if group_by is None:
            group_by = options[0][1]
        self.group_dropdown = widgets.Dropdown(options=options, value=group_by, description="分组",
                                               style=_STYLE)
        self.light_select = widgets.SelectMultiple(
            options=[(self.light_names[k], k) for k in LIGHT_ORDER], value=(), description="灯号",
            rows=4, style=_STYLE,
        )
        self.group_select = widgets.SelectMultiple(options=[], value=(), description="筛选分组", rows=6,
                                                   style=_STYLE, layout={"width": "22em"})
        self.summary = widgets.HTML()
        self.chart = widgets.Image(format="png")
        hint = widgets.HTML("<span style='color:#555'>不选即显示全部；按住 Ctrl 可多选。</span>")
        super().__init__(
            children=[widgets.HBox([self.group_dropdown, self.light_select, self.group_select]), hint,
                      self.summary, self.chart],
            **kwargs,
        )
        self._build_frame()
        self.group_dropdown.observe(self._on_group_by, names="value")
        self.light_select.observe(self._on_filter, names="value")
        self.group_select.observe(self._on_filter, names="value")
        self.refresh()

    def _build_frame(self) -> None:
        self.frame = battlemap.battle_frame(self.projects, self.as_of, self.lights, self.group_dropdown.value)
        self.group_select.value = ()
        self.group_select.options = list(dict.fromkeys(self.frame["group"]))

    def _on_group_by(self, _change: dict[str, Any]) -> None:
        self._building = True
        try:
            self._build_frame()
        finally:
            self._building = False
        self.refresh()

    def _on_filter(self, _change: dict[str, Any]) -> None:
        if getattr(self, "_building", False):
            return
        self.refresh()

    @property
    def visible(self) -> pd.DataFrame:
        return battlemap.filter_frame(self.frame, self.light_select.value, self.group_select.value)

    def refresh(self) -> None:
        shown = self.visible
        self.shown = len(shown)
        counts = battlemap.light_counts(shown)
        parts = "，".join(f"{self.light_names[k]} {counts[k]} 个" for k in LIGHT_ORDER)
        late = int(shown["not_started_late"].sum())
        overdue = int(shown["overdue"].sum())
        self.summary.value = (
            f"<div class='kp-battle'>截至 {self.as_of:%Y年%m月%d日}，"
            f"显示 <b class='kp-shown'>{len(shown)}</b> 个项目"
            f"（共 {len(self.frame)} 个）：{parts}；逾期未开工 {late} 个，逾期未竣工 {overdue} 个。</div>"
        )
        title = f"挂图作战：按{self.group_dropdown.label}分组"
        self.chart.value = chart_png(shown, self.as_of, title, self.light_names)
