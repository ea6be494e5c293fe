"""The planning notebooks run top to bottom in a real kernel (nbclient), are stored without outputs,
and match what notebooks/make_notebooks.py writes; ``kp app`` finds them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_scenario_planning.ipynb", "02_sprint_countdown.ipynb", "03_battle_map.ipynb"]

# appended to a copy of each notebook: the widget was built from the sample and the kernel is ours
CHECKS = {
    "01_scenario_planning.ipynb": "planner = page.content\n"
                                  "assert planner.baseline.months_done == 7 and planner.year_end > 0\n"
                                  "assert 'last_year' in [v for _, v in planner.season_dropdown.options]",
    "02_sprint_countdown.ipynb": "countdown = page.content\n"
                                 "assert countdown.countdown and countdown.target > 0\n"
                                 "assert countdown.status is not None or '年' in countdown.error\n"
                                 "countdown.stop()",
    "03_battle_map.ipynb": "assert page.content.shown == len(page.ledger.projects) > 0",
}


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name: str) -> None:
    nb = load(name)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS[name] + "\nimport sys\nprint(sys.executable)"))
    client = NotebookClient(nb, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown = nb.cells[-2].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown), shown
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    # the kernel runs this environment's python (kernel.json says "python"; jupyter_client maps it)
    assert Path(printed.strip()).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_clean_and_opens_with_chinese_and_a_workbook_path(name: str) -> None:
    nb = load(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    first, second = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first.source)
    assert second.cell_type == "code"
    # the ledger kp app was given, else the sample beside the notebooks
    assert 'WORKBOOK = workbook_path("../sample_workbooks/county_fushun_2023.xlsx")' in second.source
    assert (NOTEBOOKS / "../sample_workbooks/county_fushun_2023.xlsx").resolve().is_file()
    assert any("LedgerPage(WORKBOOK" in c.source for c in nb.cells if c.cell_type == "code")


def test_stored_notebooks_match_the_generator() -> None:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, cells in mod.NOTEBOOKS.items():
        built = json.loads(nbformat.writes(mod.build(name, cells)))
        stored = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        assert built == stored, f"{name} differs from make_notebooks.py: run it to regenerate"


def test_kp_app_resolves_notebooks_and_refuses_unknown_ones() -> None:
    def kp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "keyproject", "app", *args], capture_output=True,
                              text=True)

    proc = kp("--dry-run")
    assert proc.returncode == 0
    cmd = proc.stdout.split()
    assert cmd[1:3] == ["-m", "voila"] and Path(cmd[3]) == NOTEBOOKS
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8866" in cmd and "--no-browser" in cmd
    proc = kp("02_sprint_countdown", "--port", "9123", "--dry-run")
    assert proc.returncode == 0
    assert Path(proc.stdout.split()[3]) == NOTEBOOKS / "02_sprint_countdown.ipynb"
    assert "--port=9123" in proc.stdout
    proc = kp("no_such_notebook")
    assert proc.returncode == 2
    assert "找不到笔记本" in proc.stderr and "01_scenario_planning" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = kp("--port", "70000", "--dry-run")
    assert proc.returncode == 2 and "端口" in proc.stderr


def test_kp_app_opens_the_pages_on_a_ledger(tmp_path: Path) -> None:
    def kp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "keyproject", "app", *args], capture_output=True,
                              text=True)

    city = ROOT / "sample_workbooks" / "city_messy_2024.xlsx"
    proc = kp(str(city), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert Path(lines[0].split()[3]) == NOTEBOOKS
    assert lines[1] == f"KP_LEDGER={city.resolve()}"
    assert "city_messy_2024.xlsx" in proc.stderr and "40个项目" in proc.stderr
    proc = kp(str(city), "--notebook", "03_battle_map", "--dry-run")
    assert Path(proc.stdout.split()[3]) == NOTEBOOKS / "03_battle_map.ipynb"
    # the same checks and Chinese messages as every kp command
    bad = tmp_path / "坏台账.xlsx"
    bad.write_bytes(b"not a workbook")
    proc = kp(str(bad), "--dry-run")
    assert proc.returncode == 2 and "坏台账.xlsx" in proc.stderr and "Traceback" not in proc.stderr
    proc = kp(str(tmp_path / "没有.xlsx"))
    assert proc.returncode == 2 and "文件不存在" in proc.stderr
