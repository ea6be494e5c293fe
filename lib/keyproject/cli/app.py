"""``kp app``: serve the planning notebooks as web pages with Voilà, on this machine only, on the
office's own ledger."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from keyproject.errors import KPError
from keyproject.ledger import Ledger

HOST = "127.0.0.1"
LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".xltx", ".xltm")

HELP = """\
把规划笔记本（情景推演、百日冲刺倒计时、挂图作战）作为网页提供给领导查看：用 Voilà 启动一个只在
本机（127.0.0.1）访问的网页服务，页面中只显示控件和结果，不显示代码。
给出台账工作簿（如 kp app 台账.xlsx）时，各页面按该台账测算（先按 kp 的同样规则检查和读取，
有错误时给出中文提示）；不给出时使用示例台账。每个页面上方都有“打开台账”按钮，可在网页中换成
其他台账。不指定笔记本时提供整个 notebooks 文件夹（首页列出全部笔记本）；笔记本可写文件路径，
也可只写 notebooks 文件夹中的名称，如 01_scenario_planning。按 Ctrl+C 停止服务。"""


def notebooks_dir() -> Path:
    """The repository's notebooks/ folder (lib/keyproject/cli/app.py → ../../../notebooks)."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def voila_config_dir() -> Path:
    """keyproject's voila.json: uploads up to the ledger size limit (tornado allows 10 MB a message)."""
    return Path(str(resources.files("keyproject").joinpath("data")))


def is_ledger(name: str) -> bool:
    """Whether a command-line argument names a workbook rather than a notebook."""
    return Path(name).suffix.lower() in LEDGER_SUFFIXES


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
        raise KPError("不是笔记本文件（应为 .ipynb）或台账工作簿（.xlsx/.xlsm/.xls/.et）", file=path)
    raise KPError(f"找不到笔记本“{name}”；notebooks 文件夹中有："
                  + "、".join(p.stem for p in sorted(folder.glob("*.ipynb"))), file=path)


def check_ledger(name: str) -> tuple[Path, Ledger]:
    """Read the ledger as every ``kp`` command reads it (safety checks, Chinese errors)."""
    from keyproject.reader import read_ledger

    path = Path(name).resolve()
    return path, read_ledger(path)


def voila_command(target: Path, port: int, open_browser: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "voila", str(target), f"--port={port}", f"--Voila.ip={HOST}",
           f"--Voila.config_file_paths={voila_config_dir()}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("app", help="用 Voilà 把规划笔记本作为网页提供（仅本机访问），按本单位台账测算",
                              description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="?", metavar="台账或笔记本",
                   help="台账工作簿（.xlsx/.xlsm/.xls/.et），或笔记本文件或名称"
                        "（默认：notebooks 文件夹、示例台账）")
    p.add_argument("--notebook", metavar="笔记本", help="与台账一起给出时，只提供这个笔记本")
    p.add_argument("--port", type=int, default=8866, metavar="端口", help="网页服务端口（默认 8866）")
    p.add_argument("--open", action="store_true", help="启动后用默认浏览器打开页面")
    p.add_argument("--dry-run", action="store_true", help="只显示将要执行的 voila 命令，不启动")
    p.set_defaults(handler=run)


_NOTEBOOK_EXTRA = ("没有安装 kp app 所需的组件（Voilà、ipywidgets）："
                   "请运行 pip install \"keyproject[notebook]\"")


def run(args: argparse.Namespace) -> int:
    try:
        from keyproject.widgets.ledger_page import LEDGER_ENV
    except ImportError:  # the widgets need ipywidgets: the notebook extra
        raise KPError(_NOTEBOOK_EXTRA) from None

    if not 1 <= args.port <= 65535:
        raise KPError(f"端口 {args.port} 无效，应在 1–65535 之间")
    ledger_path = None
    notebook = args.notebook
    if args.target is not None and is_ledger(args.target):
        ledger_path, ledger = check_ledger(args.target)
        sys.stderr.write(f"kp：网页按台账“{ledger_path.name}”测算（{len(ledger.projects)}个项目）\n")
    elif args.target is not None:
        if notebook is not None:
            raise KPError("笔记本只能给出一个：写 kp app 台账.xlsx --notebook 名称")
        notebook = args.target
    target = resolve_target(notebook)
    cmd = voila_command(target, args.port, args.open)
    if args.dry_run:
        print(" ".join(cmd))
        if ledger_path is not None:
            print(f"{LEDGER_ENV}={ledger_path}")
        return 0
    try:
        import voila  # noqa: F401
    except ImportError:
        raise KPError(_NOTEBOOK_EXTRA) from None
    if ledger_path is not None:
        os.environ[LEDGER_ENV] = str(ledger_path)  # the server's kernels inherit it
    sys.stderr.write(f"kp：网页地址 http://{HOST}:{args.port}/（按 Ctrl+C 停止）\n")
    sys.stderr.flush()
    if os.name == "posix" and shutil.which(cmd[0]):
        os.execv(cmd[0], cmd)  # the server takes this process's place: one pid to stop
    import subprocess

    return subprocess.call(cmd)
