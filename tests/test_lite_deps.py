""".ci/lite_deps.py against registries on loopback that answer as PyPI's JSON API and npm do."""

from __future__ import annotations

import http.server
import io
import json
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import serve_helpers as sh

SCRIPT = sh.ROOT / ".ci" / "lite_deps.py"


def release(name: str, version: str, files: list[str], requires: list[str] | None = None) -> dict:
    return {"info": {"name": name, "version": version, "requires_dist": requires},
            "urls": [{"filename": f, "packagetype": "bdist_wheel" if f.endswith(".whl") else "sdist"}
                     for f in files]}


def pyodide_tarball(packages: dict[str, str]) -> bytes:
    lock = {"info": {"python": "3.12.7"},
            "packages": {n: {"name": n, "version": v, "file_name": f"{n}-{v}.whl"}
                         for n, v in packages.items()}}
    data = json.dumps(lock).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/pyodide-lock.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def registry() -> Iterator[str]:
    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pypi = {
        "pure-one": release("pure-one", "2.0", ["pure_one-2.0-py3-none-any.whl", "pure_one-2.0.tar.gz"],
                            ["wasm-one>=1", "native-only; sys_platform != 'emscripten'",
                             "docs-only; extra == 'docs'"]),
        "wasm-one": release("wasm-one", "1.5", ["wasm_one-1.5-cp312-cp312-pyemscripten_2024_0_wasm32.whl",
                                                "wasm_one-1.5-cp312-cp312-manylinux_2_17_x86_64.whl"]),
        "built-one": release("built-one", "3.0", ["built_one-3.0-cp312-cp312-manylinux_2_17_x86_64.whl"]),
        "too-new": release("too-new", "5.0", ["too_new-5.0-cp312-cp312-manylinux_2_17_x86_64.whl"]),
        "python-calamine": release("python-calamine", "0.9.1",
                                   ["python_calamine-0.9.1-cp314-cp314-pyemscripten_2026_0_wasm32.whl"]),
    }
    for name, meta in pypi.items():
        pages[f"/pypi/{name}/json"] = json.dumps(meta).encode()
    pages["/npm/pyodide/latest"] = json.dumps({"version": "0.27.9",
                                               "dist": {"tarball": base + "/pyodide.tgz"}}).encode()
    pages["/pyodide.tgz"] = pyodide_tarball({"built-one": "3.0", "too-new": "4.1"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def run(tmp_path: Path, base: str, deps: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'x'\ndependencies = " + json.dumps(deps) + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, str(SCRIPT), "--pyproject", str(pyproject), "--pypi-url",
                           base + "/pypi", "--npm-url", base + "/npm", "--json", *extra],
                          capture_output=True, text=True, timeout=120, check=False)


def test_each_kind_of_availability(registry, tmp_path):
    out = run(tmp_path, registry, ["pure-one", "built-one>=2", "python-calamine>=0.9"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["pyodide"] == "0.27.9"
    how = {f["name"]: (f["how"], f["required_by"]) for f in data["findings"]}
    assert how == {"pure-one": ("pure", "keyproject"), "wasm-one": ("emscripten", "pure-one"),
                   "built-one": ("pyodide", "keyproject"), "python-calamine": ("fallback", "keyproject")}
    calamine = next(f for f in data["findings"] if f["name"] == "python-calamine")
    assert "openpyxl" in calamine["detail"] and "3.12" in calamine["detail"]  # its wheel is for 3.14 only


def test_a_dependency_pyodide_cannot_install_fails(registry, tmp_path):
    out = run(tmp_path, registry, ["pure-one", "too-new>=5", "not-on-pypi"])
    assert out.returncode == 1
    assert "too-new" in out.stderr and "not-on-pypi" in out.stderr
    found = {f["name"]: f for f in json.loads(out.stdout)["findings"]}
    assert found["too-new"]["how"] == "missing" and "Pyodide has 4.1" in found["too-new"]["detail"]


def test_an_unreachable_registry_is_said_plainly(tmp_path):
    closed = f"http://127.0.0.1:{sh.free_port()}"
    out = run(tmp_path, closed, ["pure-one"])
    assert out.returncode == 3 and "NOT checked" in out.stderr and out.stdout == ""
    assert run(tmp_path, closed, ["pure-one"], "--offline-ok").returncode == 0
