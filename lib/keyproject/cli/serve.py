"""``kp serve``: the local service the WPS add-in calls (formulas, refresh, bulletin)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = """\
在本机启动 keyproject 服务，供 WPS 加载项（KP.LIGHT 等自定义函数、“刷新台账”“打开通报”按钮）调用。
服务只监听本机地址，只接受本机地址作为主机名，拒绝其他网站的网页访问；刷新和通报需要访问令牌：
启动时显示，并保存在只有当前用户能读的令牌文件中；令牌在重启后不变，在加载项的任务窗格中填写一次即可。
公式的结果和出错说明与 Excel 中的同名公式完全相同。按 Ctrl+C 停止服务。"""

DEFAULT_PORT = 8867


def register(subparsers: Any) -> None:
    from keyproject.serve.guard import LOOPBACK_NAMES

    p = subparsers.add_parser("serve", help="启动本机服务，供 WPS 加载项调用公式和刷新台账", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口",
                   help=f"服务端口（默认 {DEFAULT_PORT}；WPS 加载项默认连接此端口）")
    p.add_argument("--host", default="127.0.0.1", choices=LOOPBACK_NAMES, metavar="地址",
                   help="本机地址：127.0.0.1（默认）、localhost 或 ::1")
    p.add_argument("--rules", metavar="文件",
                   help="规则文件（TOML），用于公式、刷新和通报；默认取各工作簿的“设置”表"
                   "（公式以最后一个参数传入设置表区域），没有时为默认规则")
    p.add_argument("--token-file", metavar="文件",
                   help="访问令牌写入的文件（默认：用户目录下 .keyproject/serve_token）")
    p.add_argument("--new-token", action="store_true", help="换一个新的访问令牌（旧令牌随即失效）")
    p.add_argument("--allow-origin", action="append", default=[], metavar="来源",
                   help="另外允许访问的网页来源，如 http://127.0.0.1:3889（加载项不由本服务提供时；可重复）")
    p.add_argument("--wps-addin", metavar="文件夹",
                   help="本服务同时提供的 WPS 加载项文件夹（默认：代码仓库中的 addin/wps）")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from keyproject.engine.context import resolve_rules
    from keyproject.errors import KPError
    from keyproject.serve import ServeConfig, wps_addin_dir
    from keyproject.serve import run as serve
    from keyproject.serve.guard import default_token_file, token_for

    for origin in args.allow_origin:
        if origin == "null":  # pages from local files; sandboxed frames of any site say null too
            sys.stderr.write("kp serve：注意，已允许来源“null”（本地文件中的网页）；"
                             "任何网站的沙箱框架也使用这个来源，仅在离线部署的加载项确实需要时使用\n")
            continue
        if not origin.startswith(("http://", "https://")) or origin.rstrip("/").count("/") != 2:
            raise KPError(f"--allow-origin 的来源“{origin}”无效，应写成 http://主机:端口（或 null）")
    wps_dir = Path(args.wps_addin) if args.wps_addin else wps_addin_dir()
    if wps_dir is not None and not (wps_dir / "manifest.xml").is_file():
        raise KPError("不是 WPS 加载项文件夹（缺少 manifest.xml）", file=wps_dir)
    # --rules for every workbook; without it each workbook's own 设置 (keyproject.engine.context)
    rules = resolve_rules(None, args.rules)[0] if args.rules else None
    token_file = Path(args.token_file) if args.token_file else default_token_file()
    try:
        token = token_for(token_file, fresh=args.new_token)
    except OSError as exc:
        raise KPError(f"无法写入令牌文件（{exc.strerror}）", file=token_file) from None
    config = ServeConfig(host=args.host, port=args.port, token=token, rules=rules,
                         allowed_origins=tuple(o.rstrip("/") for o in args.allow_origin), wps_dir=wps_dir)
    return serve(config, token_file)
