"""``kp serve``: a real service on a free loopback port, reached over HTTP as WPS and browsers do."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import serve_helpers as sh
from openpyxl import load_workbook

from keyproject.engine.rules import Rules
from keyproject.formulas import Context, call
from keyproject.serve.cells import json_grid

JULY = 45138


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    s = sh.start(tmp_path_factory.mktemp("serve"))
    yield s
    code, out = s.stop()
    assert code == 0, out
    assert "kp serve 已停止" in out


def post(service, path, json=None, headers=None, content=None):
    return httpx.post(service.base + path, json=json, headers=headers, content=content, timeout=60)


def auth(service):
    return {"Authorization": f"Bearer {service.token}"}


def is_chinese_error(response, status):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"error", "status"} and body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]) and "Traceback" not in body["error"]
    return body["error"]


def test_health_and_declaration(service):
    r = httpx.get(service.base + "/api/health")
    assert r.json()["service"] == "keyproject"
    names = httpx.get(service.base + "/api/formulas").json()["names"]
    assert names[0] == "KP_TIMEPROGRESS" and "KP_LIGHT" in names and len(names) == 10


CASES = [
    ("KP_LIGHT", [[[600], [100], [None], ["abc"]], [[1000], [1000], [800], [10]], JULY,
                  [[44986], [None], [44941], [None]], [[None], [None], [None], [None]]]),
    ("KP_TIMEPROGRESS", [[[JULY], [None], ["2023-06-30"]], "按日"]),
    ("KP_SPRINT", ["2023-08-24", 100, [[30000], [20000]], [[12000], [8000]], JULY + 37]),
    ("KP_BACKPLAN", [45413]),
    ("KP_WORKDAYS", ["2027-01-04", "2027-01-08"]),
    ("KP_RATE", [[[1], [2]], [[1], [2], [3]]]),
]


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_formula_routes_give_what_the_library_gives(service, name, args):
    r = post(service, f"/api/formulas/{name}", {"args": args})
    assert r.status_code == 200
    expected = json_grid(call(name, args, Context(rules=Rules(), today=dt.date.today())))
    assert r.json()["result"] == expected


def test_bad_requests_get_a_chinese_error_and_a_4xx(service):
    assert "KP_NOPE" in is_chinese_error(post(service, "/api/formulas/KP_NOPE", {"args": []}), 404)
    is_chinese_error(post(service, "/api/formulas/KP_RATE", content=b"{not json"), 400)
    is_chinese_error(post(service, "/api/formulas/KP_RATE", json=[1, 2]), 400)
    is_chinese_error(post(service, "/api/formulas/KP_RATE", {"args": {"a": 1}}), 400)
    is_chinese_error(post(service, "/api/formulas/KP_RATE", {"args": [[[[1]]]]}), 400)  # three levels deep
    is_chinese_error(httpx.get(service.base + "/api/formulas/KP_RATE"), 405)
    is_chinese_error(httpx.get(service.base + "/nowhere"), 404)
    is_chinese_error(post(service, "/api/refresh", {"path": "relative.xlsx"}, auth(service)), 400)
    missing = post(service, "/api/refresh", {"path": str(Path("/nonexistent/台账.xlsx"))}, auth(service))
    assert "找不到台账工作簿" in is_chinese_error(missing, 400)
    # an argument-count mistake is a message in the cell, as in Excel
    assert post(service, "/api/formulas/KP_LIGHT", {"args": [1]}).json()["result"] == \
        [["KP_LIGHT缺少参数“计划投资”"]]


def test_other_hosts_and_origins_are_refused(service):
    rebinding = httpx.get(service.base + "/api/health", headers={"Host": f"evil.example:{service.port}"})
    assert "evil.example" in is_chinese_error(rebinding, 403)
    wrong_port = httpx.get(service.base + "/api/health", headers={"Host": "127.0.0.1:1"})
    is_chinese_error(wrong_port, 403)
    for origin in ("http://evil.example", "null", f"http://localhost:{service.port}", "http://127.0.0.1:1"):
        r = post(service, "/api/formulas/KP_RATE", {"args": [1, 2]}, {"Origin": origin})
        assert origin in is_chinese_error(r, 403)
        assert "access-control-allow-origin" not in r.headers
    preflight = httpx.options(service.base + "/api/refresh", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    is_chinese_error(preflight, 403)
    # the add-in's own origin (served by this service) is allowed
    own = post(service, "/api/formulas/KP_RATE", {"args": [1, 2]}, {"Origin": service.base})
    assert own.status_code == 200 and own.json()["result"] == [[0.5]]


def test_refresh_needs_the_token(service, tmp_path):
    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    before = copy.read_bytes()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": service.token}):
        is_chinese_error(post(service, "/api/refresh", {"path": str(copy)}, headers), 401)
        is_chinese_error(post(service, "/api/bulletin", {"path": str(copy)}, headers), 401)
    assert copy.read_bytes() == before
    assert not list(tmp_path.glob("backups/*"))


def test_refresh_and_bulletin_of_a_copy_of_the_sample(service, tmp_path):
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger

    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    r = post(service, "/api/refresh", {"path": str(copy)}, auth(service))
    assert r.status_code == 200, r.text
    body = r.json()
    report = build_report(read_ledger(sh.SAMPLE))
    assert body["as_of"] == "2023-07-31" and body["lights"] == report.lights
    assert Path(body["backup"]).is_file() and Path(body["path"]) == copy
    wb = load_workbook(copy, read_only=True)
    assert {"汇总", "红黄绿灯", "排名", "通报"} <= set(wb.sheetnames)
    wb.close()
    assert read_ledger(copy).owned_columns, "灯号 and 差距 columns were written"

    b = post(service, "/api/bulletin", {"path": str(copy), "docx": True}, auth(service))
    assert b.status_code == 200, b.text
    answer = b.json()
    assert any("重点项目" in p for p in answer["paragraphs"])
    assert Path(answer["docx"]).is_file() and Path(answer["docx"]).parent == tmp_path

    lock = tmp_path / ("~$" + copy.name)  # the workbook is open in Excel/WPS
    lock.write_bytes(b"")
    refused = post(service, "/api/refresh", {"path": str(copy)}, auth(service))
    assert "锁文件" in is_chinese_error(refused, 409)


def test_bulletin_takes_the_region_from_the_settings_sheet_unless_asked(service, tmp_path):
    copy = tmp_path / "市台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    wb = load_workbook(copy)
    settings = wb["设置"]
    settings.append(["地区称谓", "全市"])
    wb.save(copy)
    default = post(service, "/api/bulletin", {"path": str(copy)}, auth(service)).json()["paragraphs"]
    text = "".join(default)
    assert "全市" in text and "全县" not in text
    asked = post(service, "/api/bulletin", {"path": str(copy), "region": "全区"}, auth(service)).json()
    assert "全区" in "".join(asked["paragraphs"]) and "全市" not in "".join(asked["paragraphs"])
    is_chinese_error(post(service, "/api/bulletin", {"path": str(copy), "region": 3}, auth(service)), 400)


def test_token_file_is_private_and_kept(tmp_path):
    s = sh.start(tmp_path)
    try:
        mode = stat.S_IMODE(s.token_file.stat().st_mode)
        assert mode == 0o600
        assert stat.S_IMODE(s.token_file.parent.stat().st_mode) == 0o700
        assert s.token_file.read_text().strip() == s.token
    finally:
        code, out = s.stop()
    assert code == 0 and "kp serve 已停止" in out
    again = sh.start(tmp_path)  # a restart keeps the token: the task pane needs it once
    assert again.token == s.token
    again.stop()
    fresh = sh.start(tmp_path, "--new-token")
    assert fresh.token != s.token
    fresh.stop()
    os.chmod(fresh.token_file, 0o644)  # readable by others: not trusted any more
    widened = sh.start(tmp_path)
    assert widened.token != fresh.token and stat.S_IMODE(widened.token_file.stat().st_mode) == 0o600
    widened.stop()


def test_ctrl_c_stops_cleanly_and_frees_the_port(tmp_path):
    s = sh.start(tmp_path)
    assert httpx.get(s.base + "/api/health").status_code == 200
    code, out = s.stop()
    assert code == 0, out
    assert "kp serve 已停止" in out and "Traceback" not in out
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", s.port))  # released


def test_a_taken_port_and_a_non_loopback_host_are_input_errors(tmp_path):
    s = sh.start(tmp_path)
    try:
        second = subprocess.run([sys.executable, "-m", "keyproject", "serve", "--port", str(s.port),
                                 "--token-file", str(tmp_path / "t2")], capture_output=True, text=True,
                                timeout=60, check=False)
        assert second.returncode == 2 and "已被占用" in second.stderr and "Traceback" not in second.stderr
    finally:
        s.stop()
    outside = subprocess.run([sys.executable, "-m", "keyproject", "serve", "--host", "0.0.0.0"],
                             capture_output=True, text=True, timeout=60, check=False)
    assert outside.returncode == 2 and "0.0.0.0" in outside.stderr


def test_an_allowed_origin_gets_cors_headers(tmp_path):
    other = "http://127.0.0.1:3889"
    s = sh.start(tmp_path, "--allow-origin", other)
    try:
        pre = httpx.options(s.base + "/api/refresh", headers={
            "Origin": other, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == other
        r = post(s, "/api/formulas/KP_RATE", {"args": [1, 4]}, {"Origin": other})
        assert r.json()["result"] == [[0.25]] and r.headers["access-control-allow-origin"] == other
        assert post(s, "/api/formulas/KP_RATE", {"args": [1, 4]}, {"Origin": "http://evil.example"}) \
            .status_code == 403
    finally:
        s.stop()


def test_help(tmp_path):
    out = subprocess.run([sys.executable, "-m", "keyproject", "serve", "--help"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 0
    for option in ("--port", "--host", "--token-file", "--new-token", "--allow-origin", "--rules"):
        assert option in out.stdout
    assert "访问令牌" in out.stdout


def test_the_wps_add_in_is_served_at_the_root(service):
    wps = sh.ROOT / "addin" / "wps"
    names = ("manifest.xml", "functions.json", "ribbon.xml", "main.js", "js/functions.js", "ui/taskpane.html")
    for name in names:
        r = httpx.get(f"{service.base}/{name}")
        assert r.status_code == 200 and r.content == (wps / name).read_bytes(), name
    assert "<Namespace>KP</Namespace>" in httpx.get(service.base + "/manifest.xml").text


def test_the_bulletin_route_gives_kp_bulletins_text(service, tmp_path, capsys):
    """The WPS add-in's 打开通报 and ``kp bulletin`` compose one 通报: the same 环比 (the history the
    refresh recorded), 同比 (the 上年月度 sheet) and 地区称谓 (the 设置 sheet)."""
    from keyproject.cli import main

    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    assert post(service, "/api/refresh", {"path": str(copy)}, auth(service)).status_code == 200
    b = post(service, "/api/bulletin", {"path": str(copy)}, auth(service))
    assert b.status_code == 200, b.text
    paragraphs = b.json()["paragraphs"]
    capsys.readouterr()
    assert main(["bulletin", str(copy), "--text"]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [p.strip() for p in paragraphs if p.strip()] == lines[1:]  # the text's first line is the title
    assert any("同比" in p for p in paragraphs)


def test_refresh_live_writes_formulas_and_refuses_a_flag_that_is_not_true_or_false(service, tmp_path):
    copy = tmp_path / "台账.xlsx"
    shutil.copy(sh.SAMPLE, copy)
    before = copy.read_bytes()
    for bad in ("yes", 1):
        assert "live" in is_chinese_error(post(service, "/api/refresh", {"path": str(copy), "live": bad},
                                               auth(service)), 400)
    assert copy.read_bytes() == before
    r = post(service, "/api/refresh", {"path": str(copy), "live": True}, auth(service))
    assert r.status_code == 200, r.text
    assert r.json()["live"] is True
    letter = r.json()["columns"]["灯号"]
    ws = load_workbook(copy)[r.json()["sheet"]]
    formulas = [c.value for c in ws[letter] if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(formulas) >= 40 and all(f.startswith("=IFERROR(") for f in formulas)
