"""``kp app``: serve the planning notebooks as web pages with Voilà, on this machine only."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from keyproject.errors import KPError

HOST = "127.0.0.1"

HELP = """\
把规划笔记本（情景推演、百日冲刺倒计时、挂图作战）作为网页提供给领导查看：用 Voilà 启动一个只在
本机（127.0.0.1）访问的网页服务，页面中只显示控件和结果，不显示代码。
不指定笔记本时提供整个 notebooks 文件夹（首页列出全部笔记本）；笔记本可写文件路径，
也可只写 notebooks 文件夹中的名称，如 01_scenario_planning。按 Ctrl+C 停止服务。"""


def notebooks_dir() -> Path:
    """The repository's notebooks/ folder (lib/keyproject/cli/app.py → ../../../notebooks)."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def resolve_target(name: str | None) -> Path:
    """The notebook (or folder) to serve; a bare name is looked up in the notebooks folder."""
    folder = notebooks_dir()
    if name is None:
        if not folder.is_dir():
            raise KPError("找不到 notebooks 文件夹，请指定要打开的笔记本文件", file=folder)
        return folder
    path = Path(name)
    candidates = [path]
    if not path.is_absolute():
        stem = name if name.endswith(".ipynb") else f"{name}.ipynb"
        candidates.append(folder / stem)
    for c in candidates:
        if c.is_dir() or (c.is_file() and c.suffix == ".ipynb"):
            return c.resolve()
    if path.exists():
        raise KPError("不是笔记本文件（应为 .ipynb）", file=path)
    raise KPError(f"找不到笔记本“{name}”；notebooks 文件夹中有："
                  + "、".join(p.stem for p in sorted(folder.glob("*.ipynb"))), file=path)


def voila_command(target: Path, port: int, open_browser: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "voila", str(target), f"--port={port}", f"--Voila.ip={HOST}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("app", help="用 Voilà 把规划笔记本作为网页提供（仅本机访问）", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebook", nargs="?", metavar="笔记本",
                   help="笔记本文件或名称（默认：整个 notebooks 文件夹）")
    p.add_argument("--port", type=int, default=8866, metavar="端口", help="网页服务端口（默认 8866）")
    p.add_argument("--open", action="store_true", help="启动后用默认浏览器打开页面")
    p.add_argument("--dry-run", action="store_true", help="只显示将要执行的 voila 命令，不启动")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise KPError(f"端口 {args.port} 无效，应在 1–65535 之间")
    target = resolve_target(args.notebook)
    cmd = voila_command(target, args.port, args.open)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    try:
        import voila  # noqa: F401
    except ImportError:
        raise KPError("没有安装 Voilà：请运行 pip install \"keyproject[notebook]\"") from None
    sys.stderr.write(f"kp：网页地址 http://{HOST}:{args.port}/（按 Ctrl+C 停止）\n")
    sys.stderr.flush()
    if os.name == "posix" and shutil.which(cmd[0]):
        os.execv(cmd[0], cmd)  # the server takes this process's place: one pid to stop
    import subprocess

    return subprocess.call(cmd)
