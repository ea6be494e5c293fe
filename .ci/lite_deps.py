"""Can xlwings Lite (Pyodide, in the browser) install every run-time dependency of keyproject?

    python .ci/lite_deps.py [--offline-ok] [--json]

Pyodide installs a package from PyPI when PyPI has a pure-Python wheel (``*-none-any.whl``) or a
wheel built for Emscripten (``pyemscripten``/``pyodide`` platform tags), and otherwise from
Pyodide's own distribution (the packages listed in its ``pyodide-lock.json``). For each run-time
requirement in ``pyproject.toml`` and, recursively, each of theirs that applies on Emscripten, this
script asks:

- PyPI's JSON API, ``GET https://pypi.org/pypi/<name>/json``: the latest release's files and its
  ``requires_dist``;
- the npm registry for the ``pyodide`` package (``GET https://registry.npmjs.org/pyodide/latest``,
  then its tarball) for ``pyodide-lock.json``: the packages Pyodide ships built (numpy, lxml, …).
  Which Pyodide version xlwings Lite runs is Lite's choice; the report says which one was checked.

A dependency keyproject can run without in Lite (``python-calamine``: ``keyproject.xlsx`` reads
through openpyxl when it is absent) is reported, not failed. Exit codes: 0 every dependency is
installable, 1 some is not, 3 a registry could not be reached (nothing was checked; ``--offline-ok``
turns this into 0 with the same message, for machines without network; CI has PyPI and npm).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPI = "https://pypi.org/pypi"
NPM = "https://registry.npmjs.org"
TIMEOUT = 60

# run-time dependencies keyproject works without in Lite, and how
FALLBACKS: dict[str, str] = {
    "python-calamine": "keyproject.xlsx reads workbooks through openpyxl when python-calamine is absent",
}


class Unreachable(Exception):
    """A registry did not answer: nothing can be said about the dependencies."""


def emscripten_environment(python: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update({"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32",
                "os_name": "posix", "python_version": python, "python_full_version": f"{python}.0",
                "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""})
    return env


def get_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise Unreachable(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Unreachable(f"{url}: {exc}") from None


def pyodide_packages(npm: str) -> tuple[str, str | None, dict[str, str]]:
    """(Pyodide version, its Python version, {canonical name: version}) from the npm package's
    pyodide-lock.json."""
    meta = get_json(f"{npm}/pyodide/latest")
    if not meta:
        raise Unreachable(f"{npm}/pyodide/latest: no such package")
    try:
        with urllib.request.urlopen(meta["dist"]["tarball"], timeout=TIMEOUT) as resp:
            data = resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Unreachable(f"{meta['dist']['tarball']}: {exc}") from None
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/pyodide-lock.json")
        if member is None:
            raise Unreachable("the pyodide package has no pyodide-lock.json")
        lock = json.load(member)
    packages = {canonicalize_name(p.get("name", key)): str(p.get("version", ""))
                for key, p in lock.get("packages", {}).items()}
    python = lock.get("info", {}).get("python")
    return str(meta.get("version", "?")), (".".join(str(python).split(".")[:2]) if python else None), packages


@dataclass
class Finding:
    name: str
    version: str
    how: str  # pure / emscripten / pyodide / fallback / missing
    detail: str
    required_by: str


def wheels(files: list[dict[str, Any]]) -> list[str]:
    return [str(f["filename"]) for f in files if str(f.get("filename", "")).endswith(".whl")]


def pure_wheel(files: list[dict[str, Any]]) -> str | None:
    return next((w for w in wheels(files) if w.endswith("-none-any.whl")), None)


def emscripten_wheel(files: list[dict[str, Any]], python: str) -> str | None:
    """A wheel built for Emscripten and for Pyodide's Python (cp312 for 3.12)."""
    tag = "cp" + python.replace(".", "")
    return next((w for w in wheels(files) if ("emscripten" in w or "pyodide" in w) and f"-{tag}-" in w), None)


def runtime_requirements(pyproject: Path) -> list[Requirement]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return [Requirement(r) for r in data["project"]["dependencies"]]


def check(requirements: list[Requirement], pypi: str, npm: str,
          python: str | None = None) -> tuple[str, list[Finding]]:
    pyodide_version, pyodide_python, built = pyodide_packages(npm)
    python = python or pyodide_python or "3.12"
    env = emscripten_environment(python)
    findings: list[Finding] = []
    seen: set[str] = set()
    queue = [(r, "keyproject") for r in requirements]
    while queue:
        req, parent = queue.pop(0)
        name = canonicalize_name(req.name)
        if name in seen or (req.marker is not None and not req.marker.evaluate(env)):
            continue
        seen.add(name)
        meta = get_json(f"{pypi}/{name}/json")
        version, requires = "?", []
        how, detail = "missing", "not on PyPI"
        if meta is not None:
            version = meta["info"]["version"]
            requires = meta["info"].get("requires_dist") or []
            files = meta.get("urls", [])
            pure, wasm = pure_wheel(files), emscripten_wheel(files, python)
            ours = built.get(name)
            if pure:
                how, detail = "pure", pure
            elif ours is not None and req.specifier.contains(ours, prereleases=True):
                how, detail = "pyodide", f"built in Pyodide {pyodide_version} ({ours})"
            elif wasm:
                how, detail = "emscripten", wasm
            else:
                has = f"Pyodide has {ours}, {parent} needs {req.specifier}; " if ours else ""
                how, detail = "missing", f"{has}no pure wheel and no Emscripten wheel for Python {python}"
        if how == "missing" and name in FALLBACKS:
            how, detail = "fallback", f"{detail}; {FALLBACKS[name]}"
        findings.append(Finding(name, version, how, detail, parent))
        for spec in requires:
            try:
                sub = Requirement(spec)
            except InvalidRequirement:
                continue
            queue.append((sub, name))
    return pyodide_version, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check keyproject's run-time dependencies for xlwings Lite.")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--pypi-url", default=PYPI, help="PyPI JSON API base (default: %(default)s)")
    parser.add_argument("--npm-url", default=NPM, help="npm registry base (default: %(default)s)")
    parser.add_argument("--python", help="Pyodide's Python version (default: from its lock file)")
    parser.add_argument("--offline-ok", action="store_true", help="exit 0 when a registry cannot be reached")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    try:
        pyodide_version, findings = check(runtime_requirements(args.pyproject), args.pypi_url.rstrip("/"),
                                          args.npm_url.rstrip("/"), args.python)
    except Unreachable as exc:
        print(f"lite_deps: a registry could not be reached, dependencies NOT checked: {exc}", file=sys.stderr)
        return 0 if args.offline_ok else 3
    missing = [f for f in findings if f.how == "missing"]
    if args.json:
        print(json.dumps({"pyodide": pyodide_version, "findings": [f.__dict__ for f in findings]}, indent=2))
    else:
        print(f"keyproject's run-time dependencies for xlwings Lite (Pyodide {pyodide_version}, "
              "latest on PyPI):")
        for f in findings:
            print(f"  {f.how:<10} {f.name} {f.version}  [{f.required_by}]  {f.detail}")
    if missing:
        print("lite_deps: not installable in Pyodide: " + ", ".join(f.name for f in missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
