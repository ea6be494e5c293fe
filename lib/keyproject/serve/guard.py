"""The service trusts no other host and no other origin, and the refresh route wants the token.

Any web page the user opens could try to reach a service on 127.0.0.1, so ``LoopbackGuard`` (a
plain ASGI middleware, outermost) refuses, with a Chinese JSON error:
- a Host header other than the loopback name and port the service was started with (a page on
  ``evil.example`` whose name was made to resolve to 127.0.0.1 still sends ``Host: evil.example``:
  DNS rebinding);
- an ``Origin`` header that is not the service's own origin or one the user allowed with
  ``--allow-origin`` (a cross-site page's fetch or form post carries its origin; the browser's
  same-origin policy alone would still let a simple POST run, it only hides the answer).
Requests without an Origin header come from programs on this machine, not from web pages.

The token lives in a file only the user can read (0600, in a 0700 folder); ``kp serve`` prints it
at start. It is kept across restarts, so the WPS task pane needs it once, unless the file is gone,
is not the user's own, or others could read it (then a new one is made), or ``--new-token`` asks
for a new one. A request proves it with ``Authorization: Bearer …``.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the parser of kp imports this module without the serve extra
    from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")


def host_header(host: str, port: int) -> str:
    """The Host header a browser sends for this service: 127.0.0.1:8867, [::1]:8867."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def origin_of(host: str, port: int) -> str:
    return f"http://{host_header(host, port)}"


def _error(status: int, message: str) -> tuple[dict[str, object], bytes]:
    body = json.dumps({"error": message, "status": status}, ensure_ascii=False).encode("utf-8")
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json; charset=utf-8"),
                         (b"content-length", str(len(body)).encode("ascii")), (b"vary", b"Origin")]}
    return start, body


class LoopbackGuard:
    """Refuse requests whose Host is not this service or whose Origin is not allowed."""

    def __init__(self, app: ASGIApp, host: str, port: int, allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.hosts = {host_header(host, port).lower()}
        self.origins = {origin_of(host, port), *(o.rstrip("/") for o in allowed_origins)}
        self.expected = host_header(host, port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host.lower() not in self.hosts:
            shown = host or "（空）"
            await self._refuse(send, 403, f"拒绝访问：请求的主机名“{shown}”不是本服务的地址"
                                          f"（只接受 {self.expected}）")
            return
        origin = headers.get("origin")
        if origin is not None and origin.rstrip("/") not in self.origins:
            await self._refuse(send, 403, f"拒绝访问：来自“{origin}”的网页不能使用本机的 keyproject 服务"
                                          "（如需允许，请用 kp serve --allow-origin 指定）")
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(send: Send, status: int, message: str) -> None:
        start, body = _error(status, message)
        await send(start)
        await send({"type": "http.response.body", "body": body})


# -- the token --------------------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def default_token_file() -> Path:
    return Path.home() / ".keyproject" / "serve_token"


def write_token(path: Path, token: str) -> None:
    """Write the token so that only this user can read it: the folder 0700, the file 0600, never
    through a symbolic link."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # an older file with wider permissions is narrowed too
        os.write(fd, (token + "\n").encode("ascii"))
    finally:
        os.close(fd)


def _private(path: Path) -> bool:
    """A regular file of this user that nobody else can read (always true where POSIX modes do not
    apply: a Windows profile folder is the user's own)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if os.name != "posix":
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def token_for(path: Path, fresh: bool = False) -> str:
    """The service's token: the one in ``path`` when it is private and well formed, else a new one
    written there."""
    if not fresh and _private(path):
        try:
            old = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            old = ""
        if len(old) >= 32 and all(c.isalnum() or c in "-_" for c in old):
            return old
    token = new_token()
    write_token(path, token)
    return token


def token_matches(authorization: str | None, token: str) -> bool:
    if not authorization or not authorization.startswith("Bearer "):
        return False
    return hmac.compare_digest(authorization[len("Bearer "):].strip().encode(), token.encode())
