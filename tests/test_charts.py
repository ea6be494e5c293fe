"""Charts with Chinese text: each chart is drawn with a CJK font and no glyph is missing, also when
matplotlib's font cache was built before the CJK font was installed (a real machine's state: the
cache is written the first time matplotlib runs)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from test_widgets import battle_ledger, two_projects

from keyproject.fonts import CHART_FONTS, cjk_font_files, font_dirs, matplotlib_cjk_font

ROOT = Path(__file__).resolve().parents[1]


def _missing_glyphs(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_the_system_has_a_cjk_font_file_and_matplotlib_can_use_it() -> None:
    # fonts-noto-cjk is an install step of CI (.ci/run): its absence is a failure, not a skip
    files = cjk_font_files()
    assert files, f"no Chinese font file under {font_dirs()}: install fonts-noto-cjk"
    font = matplotlib_cjk_font()
    assert font in CHART_FONTS
    path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    assert Path(path).name.lower() in {p.name.lower() for p in files} or "CJK" in path


def test_each_chart_draws_chinese_without_a_missing_glyph() -> None:
    from keyproject.widgets.battle_map import chart_png as battle_png
    from keyproject.widgets.scenario_planner import ScenarioPlanner, chart_png

    sp = ScenarioPlanner(two_projects())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = chart_png(sp.baseline, sp.projection)
        from keyproject.engine import battlemap

        led = battle_ledger()
        as_of = dt.date(2023, 7, 31)
        frame = battlemap.battle_frame(led.projects, as_of, battlemap.lights_for(led.projects, as_of),
                                       "command_post")
        battle = battle_png(frame, as_of, "挂图作战：按指挥部分组")
        empty = battle_png(frame.iloc[0:0], as_of, "挂图作战")
    assert scenario.startswith(b"\x89PNG") and battle.startswith(b"\x89PNG") and empty.startswith(b"\x89PNG")
    assert not _missing_glyphs(caught), _missing_glyphs(caught)


def test_the_widget_only_warns_about_fonts_when_there_is_none() -> None:
    from keyproject.widgets.scenario_planner import ScenarioPlanner

    assert "未找到中文字体" not in ScenarioPlanner(two_projects()).summary.value


STALE_CHECK = textwrap.dedent("""
    import json, sys, warnings
    from matplotlib import font_manager
    before = sorted({f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name})
    sys.path.insert(0, sys.argv[1])
    from test_widgets import battle_ledger, two_projects
    import datetime as dt
    from keyproject.engine import battlemap
    from keyproject.widgets._chart import cjk_font
    from keyproject.widgets.battle_map import chart_png as battle_png
    from keyproject.widgets.scenario_planner import ScenarioPlanner, chart_png
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sp = ScenarioPlanner(two_projects())
        chart_png(sp.baseline, sp.projection)
        led = battle_ledger()
        as_of = dt.date(2023, 7, 31)
        frame = battlemap.battle_frame(led.projects, as_of, battlemap.lights_for(led.projects, as_of),
                                       "command_post")
        battle_png(frame, as_of, "挂图作战：按指挥部分组")
    from keyproject.widgets._chart import chinese_text, new_figure, to_png

    def word(text):  # glyphs differ between two words; missing glyphs draw the same boxes
        with chinese_text():
            fig = new_figure(2, 1)
            fig.text(0.1, 0.4, text, fontsize=20)
            return to_png(fig)

    print(json.dumps({"before": before, "font": cjk_font(), "summary": sp.summary.value,
                      "glyphs": word("确保目标") != word("力争完成"),
                      "missing": [str(w.message) for w in caught if "missing from" in str(w.message)]}))
""")


def test_a_font_cache_built_before_the_cjk_font_was_installed(tmp_path: Path) -> None:
    # the cache of this matplotlib, as a machine writes it before fonts-noto-cjk is installed:
    # the same file without any CJK font in it
    cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
    if not cache.exists():
        font_manager.json_dump(font_manager.fontManager, cache)
    data = json.loads(cache.read_text(encoding="utf-8"))
    cjk = {p.name.lower() for p in cjk_font_files()}
    data["ttflist"] = [f for f in data["ttflist"]
                       if Path(f["fname"]).name.lower() not in cjk and "CJK" not in f["name"]]
    stale = tmp_path / "mplconfig"
    stale.mkdir()
    (stale / cache.name).write_text(json.dumps(data), encoding="utf-8")
    env = {**os.environ, "MPLCONFIGDIR": str(stale), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-c", STALE_CHECK, str(Path(__file__).parent)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["before"] == []  # the cache really knew no CJK font
    assert out["font"] in CHART_FONTS  # registered from the font files
    assert out["missing"] == [], out["missing"]
    assert out["glyphs"]  # real glyphs, not boxes
    assert "未找到中文字体" not in out["summary"]
    assert json.loads((stale / cache.name).read_text(encoding="utf-8"))["_version"] == data["_version"]


def test_without_any_cjk_font_the_widget_says_so(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        from matplotlib import font_manager
        fm = font_manager.fontManager
        fm.ttflist = [f for f in fm.ttflist if "CJK" not in f.name]
        import keyproject.fonts as fonts
        fonts.font_dirs = lambda: []  # no font folders either
        from test_widgets import two_projects
        from keyproject.widgets.scenario_planner import ScenarioPlanner
        print("未找到中文字体" in ScenarioPlanner(two_projects()).summary.value)
    """)
    proc = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "True"
    assert matplotlib.get_backend()  # the test process itself is untouched
