"""End to end: ``kp app 台账.xlsx`` serves the notebooks with Voilà on that ledger; Debian's chromium
(driven by Playwright) moves a scenario slider, watches the countdown tick, checks Chinese renders,
uploads the city sample through a page's file picker and sees its totals (and a broken file's
Chinese message), saves screenshots into test-artifacts/."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
COUNTY = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"
CITY = ROOT / "sample_workbooks" / "city_messy_2024.xlsx"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f}s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log = (ARTIFACTS / "voila.log").open("wb")
    # kp app execs voila: this pid is the server; its own session lets us stop its kernels with it
    proc = subprocess.Popen([sys.executable, "-m", "keyproject", "app", str(COUNTY), "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/", proc)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        # kernels are in the same session; make sure none is left behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: object, url: str, selector: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1500}, locale="zh-CN")  # type: ignore[attr-defined]
    page.goto(url)
    page.wait_for_selector(selector, timeout=120_000)
    return page


def wan(text: str) -> float:
    """1,065,127万元（106.51亿元） → 1065127.0"""
    return float(text.split("万元")[0].replace(",", ""))


def pixels(png: bytes) -> bytes:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("L").tobytes()


def test_scenario_slider_moves_the_projection(server: str, browser: object) -> None:
    page = open_page(browser, f"{server}/voila/render/01_scenario_planning.ipynb", ".kp-year-end")
    try:
        before = page.inner_text(".kp-year-end")
        assert before.endswith("万元") or "亿元" in before
        page.locator(".noUi-handle").first.click()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("t => document.querySelector('.kp-year-end').innerText !== t", arg=before,
                               timeout=20_000)
        after = page.inner_text(".kp-year-end")
        assert after != before
        # a larger monthly pace gives a larger year-end
        assert wan(after) > wan(before)
        page.wait_for_timeout(800)  # let the debounced chart catch up for the screenshot
        page.screenshot(path=str(ARTIFACTS / "scenario_planner.png"), full_page=True)

        # Chinese renders as glyphs: two different words give different pixels (tofu boxes would not)
        page.evaluate("""() => {
            const words = [['kp-a', '确保目标'], ['kp-b', '力争完成'],
                           ['kp-c', '\\uE000\\uE001\\uE002\\uE003']];
            for (const [id, text] of words) {
                const s = document.createElement('span');
                s.id = id; s.textContent = text;
                s.style.cssText = 'font-size:32px;position:fixed;top:0;left:0;background:#fff;color:#000';
                document.body.appendChild(s);
            }
        }""")
        shots = {}
        for key in ("kp-a", "kp-b", "kp-c"):
            page.evaluate("k => { for (const id of ['kp-a','kp-b','kp-c']) document.getElementById(id)"
                          ".style.visibility = id === k ? 'visible' : 'hidden'; }", key)
            shots[key] = page.locator(f"#{key}").screenshot()
        assert pixels(shots["kp-a"]) != pixels(shots["kp-b"])
        assert pixels(shots["kp-a"]) != pixels(shots["kp-c"])
        family = page.evaluate("() => getComputedStyle(document.querySelector('.kp-year-end')).fontFamily")
        assert family  # recorded for the log: the page's own font stack
        (ARTIFACTS / "scenario_font_family.txt").write_text(family, encoding="utf-8")
    finally:
        page.close()


def test_countdown_ticks_in_the_page(server: str, browser: object) -> None:
    page = open_page(browser, f"{server}/voila/render/02_sprint_countdown.ipynb", ".kp-countdown")
    try:
        first = page.inner_text(".kp-countdown")
        page.wait_for_timeout(3000)
        second = page.inner_text(".kp-countdown")
        assert first != second, "the countdown did not tick"
        assert "天" in second and "秒" in second
        page.screenshot(path=str(ARTIFACTS / "sprint_countdown.png"), full_page=True)
    finally:
        page.close()


def test_battle_map_page_renders(server: str, browser: object) -> None:
    page = open_page(browser, f"{server}/voila/render/03_battle_map.ipynb", ".kp-shown")
    try:
        assert int(page.inner_text(".kp-shown")) > 0
        page.screenshot(path=str(ARTIFACTS / "battle_map.png"), full_page=True)
    finally:
        page.close()


def choose(page, files) -> None:  # type: ignore[no-untyped-def]
    """Click the page's 打开台账 button and pick ``files`` in the browser's file chooser."""
    with page.expect_file_chooser() as chooser:
        page.locator("button.widget-upload").first.click()
    chooser.value.set_files(files)


def _plan(path: Path) -> float:
    from keyproject.reader import read_ledger

    return float(read_ledger(path).projects["annual_plan"].sum())


def test_upload_the_city_ledger_and_see_its_totals(server: str, browser: object) -> None:
    page = open_page(browser, f"{server}/voila/render/01_scenario_planning.ipynb", ".kp-ledger-totals")
    try:
        # kp app opened the pages on the county ledger it was given
        assert page.inner_text(".kp-ledger-name") == COUNTY.name
        assert f"年度计划投资{_plan(COUNTY):,.0f}万元" in page.inner_text(".kp-ledger-totals")
        county_year_end = page.inner_text(".kp-year-end")
        choose(page, str(CITY))
        page.wait_for_function("n => document.querySelector('.kp-ledger-name').innerText === n",
                               arg=CITY.name, timeout=60_000)
        totals = page.inner_text(".kp-ledger-totals")
        assert "2024年1-9月，40个项目" in totals
        assert f"年度计划投资{_plan(CITY):,.0f}万元" in totals  # the 亿元 ledger in 万元
        page.wait_for_function("t => document.querySelector('.kp-year-end').innerText !== t",
                               arg=county_year_end, timeout=20_000)
        intro = page.locator("b", has_text="年 确保").first.inner_text()  # the planner's own heading
        assert intro.startswith(f"2024年 确保 {_plan(CITY):,.0f}万元")
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "scenario_city_upload.png"), full_page=True)
        # a file that is no workbook: the CLI's Chinese message, the city ledger stays
        choose(page, {"name": "坏台账.xlsx", "mimeType": "application/octet-stream",
                      "buffer": b"not a workbook"})
        page.wait_for_selector(".kp-ledger-error", timeout=60_000)
        error = page.inner_text(".kp-ledger-error")
        assert "坏台账.xlsx" in error and "页面仍显示原来的台账" in error
        assert page.inner_text(".kp-ledger-name") == CITY.name
    finally:
        page.close()
