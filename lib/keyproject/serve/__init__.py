"""``kp serve``: a local HTTP service over the formulas and the refresh, for the WPS add-in.

It listens on a loopback address only, trusts no other host or origin (``guard``) and wants the
token it prints for anything that touches files. ``app`` holds the routes; ``run`` starts uvicorn
and stops cleanly on Ctrl+C (SIGINT) or SIGTERM: open requests finish, the port is released.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproject.errors import KPError
from keyproject.serve.guard import LOOPBACK_NAMES, origin_of, token_for

if TYPE_CHECKING:
    from keyproject.serve.app import ServeConfig, create_app

_SERVE_EXTRA = "没有安装 kp serve 所需的组件：请运行 pip install \"keyproject[serve]\""


def __getattr__(name: str) -> object:
    """``ServeConfig`` and ``create_app`` on first use: the app needs Starlette (the serve extra),
    and ``kp``'s parser imports this package for every command."""
    if name in ("ServeConfig", "create_app"):
        try:
            from keyproject.serve import app
        except ImportError:
            raise KPError(_SERVE_EXTRA) from None
        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["LOOPBACK_NAMES", "ServeConfig", "create_app", "run", "token_for", "wps_addin_dir"]


def wps_addin_dir() -> Path | None:
    """The repository's addin/wps folder (for an editable install or a checkout), if present."""
    folder = Path(__file__).resolve().parents[3] / "addin" / "wps"
    return folder if (folder / "manifest.xml").is_file() else None


def _check_port(host: str, port: int) -> None:
    """A clear Chinese message for a port that is taken, before uvicorn logs its own English one."""
    if not 1 <= port <= 65535:
        raise KPError(f"端口 {port} 无效，应在 1–65535 之间")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            raise KPError(f"端口 {port} 已被占用（可能 kp serve 已在运行），请用 --port 换一个") from None


def run(config: ServeConfig, token_file: Path, announce: Callable[[str], None] | None = None) -> int:
    """Serve until interrupted; returns the exit code (0 after a clean shutdown)."""
    if config.host not in LOOPBACK_NAMES:
        names = "、".join(LOOPBACK_NAMES)
        raise KPError(f"kp serve 只能在本机地址上提供服务（{names}），不能用“{config.host}”")
    try:
        import uvicorn

        from keyproject.serve.app import create_app
    except ImportError:
        raise KPError(_SERVE_EXTRA) from None
    _check_port(config.host, config.port)
    say = announce or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:  # announce only once the port is really listening
                base = origin_of(config.host, config.port)
                say(f"kp serve 已启动：{base}/（只接受本机访问，按 Ctrl+C 停止）")
                say(f"访问令牌：{config.token}")
                say(f"令牌文件：{token_file}（仅本用户可读）")
                if config.wps_dir is not None:
                    say(f"WPS 加载项：{base}/")

    settings = uvicorn.Config(create_app(config), host=config.host, port=config.port, log_level="warning",
                              access_log=False, lifespan="off", server_header=False)
    server = Server(settings)
    # uvicorn exits when it cannot bind (the port was just taken); after a graceful shutdown on
    # Ctrl+C it raises the signal again, which Python turns into KeyboardInterrupt
    with contextlib.suppress(SystemExit, KeyboardInterrupt):
        server.run()
    if not server.started:
        where = origin_of(config.host, config.port)
        raise KPError(f"无法在 {where} 启动服务：端口可能已被占用，请用 --port 换一个")
    say("kp serve 已停止")
    return 0
