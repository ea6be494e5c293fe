"""``kp``: the command line, a thin layer over the library.

Each module in this package that defines ``register(subparsers)`` adds one command; the command's
handler returns an exit code. Errors of the user's input (``KPError``) print a Chinese message on
stderr and exit 2; nothing prints a traceback unless ``KP_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from keyproject.cli import _argparse_zh
from keyproject.errors import KPError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's words are translated by _argparse_zh
        self.print_usage(sys.stderr)
        sys.stderr.write(f"kp：命令参数有误：{message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    _argparse_zh.install()  # before the parser exists: its group titles are looked up on creation
    parser = _Parser(prog="kp", description="keyproject：重点项目台账工具")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except KPError as exc:
        sys.stderr.write(f"kp：{exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("kp：已中断\n")
        return 130
    except BrokenPipeError:  # the reader of our output went away (kp … | head): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 141  # 128 + SIGPIPE, as shell tools exit
    except Exception as exc:  # a bug of ours: say so plainly, traceback only on request
        if os.environ.get("KP_DEBUG"):
            raise
        sys.stderr.write(f"kp：内部错误（{type(exc).__name__}：{exc}）。设置 KP_DEBUG=1 可查看详细信息。\n")
        return 3


def run() -> None:
    sys.exit(main())
