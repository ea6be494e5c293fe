"""The README's main job on a core install (``pip install -e .``, no extras): the extras' packages
are made unimportable in a child process, which then runs ``kp`` as a user would."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
EXTRAS = ("starlette", "uvicorn", "xlwings", "ipywidgets", "voila", "matplotlib", "jupyterlab",
          "ipykernel", "psycopg", "opencc", "httpx", "playwright", "XlsxWriter", "xlsxwriter")

BLOCKER = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (an extra, not installed)")
        return None
sys.meta_path.insert(0, Block())
from keyproject.cli import main
sys.exit(main(sys.argv[1:]))
"""


def kp_core(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCKER, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_the_main_job_runs_without_any_extra(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "sample_workbooks")
    proc = kp_core("refresh", "sample_workbooks/county_fushun_2023.xlsx", "--submissions",
                   "sample_workbooks/submissions", "--out", "county_fushun_2023_refreshed.xlsx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "已刷新" in proc.stdout and (tmp_path / "county_fushun_2023_refreshed.xlsx").is_file()
    commands = ("inspect", "report", "bulletin", "history", "sprint", "backplan", "app", "serve", "refresh")
    for command in commands:
        helped = kp_core(command, "--help", cwd=tmp_path)
        assert helped.returncode == 0 and "用法：kp " + command in helped.stdout, (command, helped.stderr)
    report = kp_core("report", "county_fushun_2023_refreshed.xlsx", cwd=tmp_path)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr


def test_a_door_whose_extra_is_missing_says_what_to_install(tmp_path: Path) -> None:
    proc = kp_core("serve", "--port", "0", cwd=tmp_path)
    assert proc.returncode == 2 and "keyproject[serve]" in proc.stderr and "Traceback" not in proc.stderr
    pages = kp_core("app", "--dry-run", cwd=tmp_path)
    assert pages.returncode == 2 and "keyproject[notebook]" in pages.stderr
    assert "Traceback" not in pages.stderr
