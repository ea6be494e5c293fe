"""The routes of ``kp serve``: one JSON route per formula, the refresh and the bulletin of a workbook.

Starlette on uvicorn, not FastAPI: the routes are made from the formula declaration at start-up,
every request and error body is keyproject's own Chinese JSON, and the checks that matter (Host,
Origin, token, argument shapes) are ours. FastAPI's additions, pydantic models and automatic
English 422 validation errors, would have to be switched off or translated; Starlette is the part
of it we use, with fewer dependencies.

- ``GET /api/health``: the service is up (``{"service": "keyproject", "version": …}``).
- ``GET /api/formulas``: the declaration (names, parameters, result shapes).
- ``POST /api/formulas/KP_LIGHT`` with ``{"args": [...]}``: ``{"result": [[...]]}``, exactly what
  the xlwings formula gives (dates as serial numbers). A cell that cannot be read is a message in
  its cell, as in Excel.
- ``POST /api/refresh`` (token) with ``{"path": "台账.xlsx"}`` (and optionally ``as_of``,
  ``submissions``, ``out``, ``force``, ``live``): ``keyproject.workbook.refresh_workbook``, as
  ``kp refresh`` (``--live``).
- ``POST /api/bulletin`` (token) with ``{"path": …, "docx": true}``: the 通报 paragraphs, and a
  Word document beside the workbook when asked.
- ``/manifest.xml``, ``/functions.json``, ``/ui/taskpane.html`` …: the WPS add-in's own files at
  the root (as ``wpsjs`` serves one), so WPS can load the add-in from this service; its origin is
  then this service's origin.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from keyproject.engine.context import clock_today
from keyproject.engine.rules import Rules
from keyproject.errors import DateError, KPError, RefreshRefused
from keyproject.formulas import FORMULAS, call, door_context, formula
from keyproject.serve.cells import check_argument, json_grid
from keyproject.serve.guard import LoopbackGuard, token_matches

MAX_BODY = 64 * 1024 * 1024  # 100,000 rows of five columns is about 10 MB of JSON


@dataclass
class ServeConfig:
    host: str
    port: int
    token: str
    rules: Rules | None = None  # --rules; None: each workbook's 设置 sheet (or 设置 range), else the defaults
    allowed_origins: tuple[str, ...] = ()
    wps_dir: Path | None = None  # the WPS add-in's files, served at the root
    today: Callable[[], dt.date] = clock_today  # the door reads the clock, once per request


class BadRequest(KPError):
    """A request keyproject cannot use: a 4xx with a Chinese message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any]:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise BadRequest(f"请求内容过大（超过{MAX_BODY // (1024 * 1024)} MB）", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(f"请求内容过大（超过{MAX_BODY // (1024 * 1024)} MB）", 413)
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("请求内容不是有效的 JSON（应为 UTF-8 编码的 JSON 对象）") from None
    if not isinstance(data, dict):
        raise BadRequest("请求内容应为 JSON 对象，如 {\"args\": [...]}")
    return data


def _require_token(request: Request, config: ServeConfig) -> None:
    if not token_matches(request.headers.get("authorization"), config.token):
        raise BadRequest("缺少或错误的访问令牌：请填写 kp serve 启动时显示的令牌"
                         "（也保存在令牌文件中，仅本用户可读）", 401)


def _path_field(data: dict[str, Any], key: str = "path") -> Path:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"请求中缺少“{key}”（工作簿的完整路径）")
    path = Path(value)
    if not path.is_absolute():
        raise BadRequest(f"“{key}”应为完整路径（如 C:\\台账\\2023年重点项目台账.xlsx），收到“{value}”")
    return path


def _date_field(data: dict[str, Any], key: str) -> dt.date | None:
    from keyproject.dates import optional_date  # the one strict parser of typed dates

    try:
        return optional_date(data.get(key), f"“{key}”的日期")
    except DateError as exc:
        raise BadRequest(exc.message) from None


Handler = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Handler) -> Handler:
    """Every failure becomes a Chinese JSON error: 4xx for the caller's mistakes, never a traceback."""

    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except BadRequest as exc:
            return _error(exc.message, exc.status)
        except RefreshRefused as exc:
            return _error(str(exc), 409)
        except KPError as exc:
            return _error(str(exc), 400)
        except OSError as exc:  # a folder that cannot be written, a file that vanished
            where = f"“{exc.filename}”" if exc.filename else ""
            return _error(f"文件{where}无法读写（{exc.strerror or type(exc).__name__}）", 400)
        except Exception as exc:  # a bug of ours: say so plainly, without the traceback
            return _error(f"keyproject 内部错误（{type(exc).__name__}），请联系维护人员", 500)

    return wrapper


def create_app(config: ServeConfig) -> Starlette:
    refresh_lock = threading.Lock()  # one refresh at a time: two on one file would race

    async def health(request: Request) -> Response:
        from keyproject import __version__

        return JSONResponse({"service": "keyproject", "version": __version__, "formulas": len(FORMULAS)})

    async def formulas(request: Request) -> Response:
        from keyproject.formulas.render import wps_metadata

        return JSONResponse(wps_metadata() | {"namespace": "KP",
                                              "names": [f.name for f in FORMULAS]})

    async def formula_route(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            f = formula(name)
        except KPError as exc:
            raise BadRequest(exc.message, 404) from None
        data = await _json_body(request)
        args = data.get("args", [])
        if not isinstance(args, list):
            raise BadRequest("“args”应为参数列表，如 {\"args\": [[[600]], [[1000]], 45138]}")
        for i, a in enumerate(args):
            check_argument(a, i)
        context = door_context(config.rules, config.today())
        result = await run_in_threadpool(call, f, args, context)
        return JSONResponse({"result": json_grid(result)})

    async def refresh(request: Request) -> Response:
        _require_token(request, config)
        data = await _json_body(request)
        path = _path_field(data)
        out = _path_field(data, "out") if data.get("out") is not None else None
        submissions = data.get("submissions") or []
        if not isinstance(submissions, list) or not all(isinstance(s, str) for s in submissions):
            raise BadRequest("“submissions”应为报送文件路径的列表")
        as_of = _date_field(data, "as_of")
        live = data.get("live", False)
        if not isinstance(live, bool):
            raise BadRequest("“live”应为 true 或 false（true：差距和灯号写成公式，如 kp refresh --live）")

        def work() -> Any:
            from keyproject.workbook import refresh_workbook

            with refresh_lock:
                return refresh_workbook(path, as_of=as_of, submissions=submissions, rules=config.rules,
                                        out=out, force=bool(data.get("force", False)), live=live)

        result = await run_in_threadpool(work)
        return JSONResponse({
            "path": str(result.path), "backup": str(result.backup) if result.backup else None,
            "as_of": result.as_of.isoformat(), "sheet": result.sheet, "columns": result.columns,
            "sheets": result.sheets, "lights": result.lights, "warnings": list(result.warnings),
            "live": result.live is not None,
        })

    async def bulletin(request: Request) -> Response:
        _require_token(request, config)
        data = await _json_body(request)
        path = _path_field(data)
        region = data.get("region") or None  # None: the 设置 sheet's 地区称谓, else 全县 (as kp bulletin)
        if region is not None and not isinstance(region, str):
            raise BadRequest("“region”应为文字，如“全县”")

        def work() -> dict[str, Any]:
            from keyproject.bulletin import bulletin_paragraphs, write_docx
            from keyproject.engine.comparison import comparison_for
            from keyproject.engine.history import History
            from keyproject.engine.report import report_with_history
            from keyproject.reader import read_ledger

            ledger = read_ledger(path)
            changes = None
            history = History.existing_for(path)
            if history is None:
                report = report_with_history(ledger, rules=config.rules)
                comparison = comparison_for(report, None, path)
            else:  # as kp bulletin: never before the newest snapshot, 环比 against it
                with history:
                    report = report_with_history(ledger, history, rules=config.rules)
                    changes = history.changes(report)
                    comparison = comparison_for(report, history, path)
            paragraphs = bulletin_paragraphs(report, changes=changes, region=region, comparison=comparison)
            answer: dict[str, Any] = {"paragraphs": paragraphs}
            if data.get("docx"):
                docx = path.with_name(f"{path.stem}_通报.docx")
                write_docx(report, docx, changes=changes, region=region, comparison=comparison)
                answer["docx"] = str(docx)
            return answer

        return JSONResponse(await run_in_threadpool(work))

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return _error(f"不支持的请求方法 {request.method}", 405)
        return _error(f"没有这个地址：{request.url.path}", 404)

    api = [
        Route("/health", _guarded(health), methods=["GET"]),
        Route("/formulas", _guarded(formulas), methods=["GET"]),
        Route("/formulas/{name}", _guarded(formula_route), methods=["POST"]),
        Route("/refresh", _guarded(refresh), methods=["POST"]),
        Route("/bulletin", _guarded(bulletin), methods=["POST"]),
    ]
    # the API is a router of its own, so that a wrong method is a 405 before the add-in's files
    routes: list[Route | Mount] = [Mount("/api", routes=api)]
    if config.wps_dir is not None:  # at the root, as WPS's own tooling serves an add-in
        routes.append(Mount("/", app=StaticFiles(directory=config.wps_dir, html=True), name="wps"))
    middleware = [
        Middleware(LoopbackGuard, host=config.host, port=config.port, allowed_origins=config.allowed_origins),
        Middleware(CORSMiddleware, allow_origins=list(config.allowed_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Authorization", "Content-Type"], max_age=600),
    ]
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={404: not_found, 405: not_found})
