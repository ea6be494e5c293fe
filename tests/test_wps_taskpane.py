"""The WPS add-in's task pane in headless Chromium, with a stand-in ``wps`` object, against a real
kp serve: its refresh button refreshes a copy of the sample through the service; a page of another
origin cannot reach the service, even with the token."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import serve_helpers as sh

from keyproject.engine.report import build_report
from keyproject.reader import read_ledger

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
ARTIFACTS = sh.ROOT / "test-artifacts"

STAND_IN = """
window.__kpCalls = [];
(function () {
  var path = %s;
  var store = {};
  function workbook() {
    return {
      FullName: path, Name: path.split("/").pop(),
      Save: function () { window.__kpCalls.push("Save"); },
      Close: function (save) { window.__kpCalls.push("Close:" + save); app.ActiveWorkbook = null; }
    };
  }
  var app = {
    ActiveWorkbook: workbook(),
    Workbooks: { Open: function (p) { window.__kpCalls.push("Open:" + p); app.ActiveWorkbook = workbook();
                                      return app.ActiveWorkbook; } },
    PluginStorage: { getItem: function (k) { return k in store ? store[k] : null; },
                     setItem: function (k, v) { store[k] = v; } },
    OAAssist: { ShellExecute: function (p) { window.__kpCalls.push("ShellExecute:" + p); } }
  };
  window.Application = app;
  window.wps = app;
})();
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[sh.Service]:
    s = sh.start(tmp_path_factory.mktemp("pane"))
    yield s
    code, out = s.stop()
    assert code == 0, out


@pytest.fixture(scope="module")
def browser(service):
    assert CHROMIUM.exists(), "Debian's chromium is installed by .ci/run"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def pane(browser, service: sh.Service, workbook: Path):
    page = browser.new_page(locale="zh-CN", viewport={"width": 420, "height": 900})
    page.add_init_script(STAND_IN % json.dumps(str(workbook)))
    page.goto(service.base + "/ui/taskpane.html")
    page.wait_for_selector("#status.ok", timeout=30_000)
    return page


def test_the_pane_refreshes_a_copy_of_the_sample_through_the_service(browser, service, tmp_path):
    copy = tmp_path / "富顺县台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    page = pane(browser, service, copy)
    assert "已连接" in page.inner_text("#status")
    assert page.inner_text("#workbook") == str(copy)
    page.fill("#token", service.token)
    page.click("#save-token")
    page.click("#refresh")
    page.wait_for_function("document.querySelector('#message').textContent.startsWith('已刷新')",
                           timeout=120_000)
    message = page.inner_text("#message")
    report = build_report(read_ledger(sh.SAMPLE))
    assert f"红灯{report.lights['red']}个" in message and "备份" in message
    # saved and closed before the service touched it, opened again after
    assert page.evaluate("window.__kpCalls") == ["Save", "Close:false", f"Open:{copy}"]
    refreshed = read_ledger(copy)
    assert refreshed.owned_columns, "灯号 and 差距 columns were written"
    assert build_report(refreshed).lights == report.lights
    assert list((tmp_path / "backups").glob("*.xlsx"))

    page.click("#bulletin-button")
    page.wait_for_selector("#bulletin p", timeout=120_000)
    calls = page.evaluate("window.__kpCalls")
    docx = Path(calls[-1].removeprefix("ShellExecute:"))
    assert calls[-1].startswith("ShellExecute:") and docx.is_file() and docx.suffix == ".docx"
    assert "重点项目" in page.inner_text("#bulletin")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wps_taskpane.png"), full_page=True)
    page.close()


def test_the_pane_without_the_right_token_changes_nothing(browser, service, tmp_path):
    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    before = copy.read_bytes()
    page = pane(browser, service, copy)
    page.click("#refresh")  # no token saved yet: the pane says so and does not close the workbook
    page.wait_for_selector("#message.bad")
    assert "访问令牌" in page.inner_text("#message")
    assert page.evaluate("window.__kpCalls") == []
    page.fill("#token", "not-the-token")
    page.click("#save-token")
    page.click("#refresh")
    page.wait_for_function("document.querySelector('#message').textContent.includes('令牌')")
    assert page.evaluate("window.__kpCalls")[-1] == f"Open:{copy}"  # the workbook is open again
    assert copy.read_bytes() == before and not (tmp_path / "backups").exists()
    page.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_a_page_of_another_origin_cannot_use_the_service(browser, service, tmp_path):
    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    before = copy.read_bytes()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><meta charset='utf-8'><title>别的网站</title>",
                                     encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(site))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/index.html")
        outcome = page.evaluate("""async ([base, token, path]) => {
            const body = JSON.stringify({path});
            const out = {};
            try {  // a CORS request, even with the token
                const r = await fetch(base + "/api/refresh", {method: "POST", body,
                    headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"}});
                out.cors = r.status;
            } catch (e) { out.cors = "blocked"; }
            try {  // a "simple" request the browser sends without asking first
                await fetch(base + "/api/refresh", {method: "POST", mode: "no-cors", body});
                out.simple = "sent";
            } catch (e) { out.simple = "blocked"; }
            try {
                const r = await fetch(base + "/api/formulas/KP_RATE", {method: "POST",
                    body: JSON.stringify({args: [1, 2]})});
                out.formula = await r.text();
            } catch (e) { out.formula = "blocked"; }
            return out;
        }""", [service.base, service.token, str(copy)])
        page.close()
    finally:
        other.shutdown()
        other.server_close()
    assert outcome["cors"] == "blocked" and outcome["formula"] == "blocked"
    assert copy.read_bytes() == before and not (tmp_path / "backups").exists()


def test_the_live_box_refreshes_with_formulas_and_is_remembered(browser, service, tmp_path):
    import zipfile

    from openpyxl import load_workbook

    from keyproject.package.marks import read_marks

    copy = tmp_path / "实时台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    page = pane(browser, service, copy)
    page.fill("#token", service.token)
    page.click("#save-token")
    assert not page.is_checked("#live")
    page.check("#live")
    assert page.evaluate("KP_CLIENT.live()") is True  # kept for the ribbon's 刷新台账 button too
    page.click("#refresh")
    page.wait_for_function("document.querySelector('#message').textContent.startsWith('已刷新')",
                           timeout=120_000)
    assert "写成公式" in page.inner_text("#message")
    refreshed = read_ledger(copy)
    with zipfile.ZipFile(copy) as zf:
        letter = read_marks(zf).columns_of(refreshed.sheet)["灯号"]
    ws = load_workbook(copy)[refreshed.sheet]
    formulas = [c.value for c in ws[letter] if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(formulas) == len(refreshed.projects) and all("'设置'!$B$" in f for f in formulas[:3])
    page.uncheck("#live")
    assert page.evaluate("KP_CLIENT.live()") is False
    page.close()
