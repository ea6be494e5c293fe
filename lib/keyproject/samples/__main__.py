"""python -m keyproject.samples [--out DIR]: regenerate the sample workbooks."""

from __future__ import annotations

import argparse

from keyproject.samples import build_all, default_out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keyproject.samples", description="重新生成示例工作簿")
    parser.add_argument("--out", default=None, help=f"输出目录（默认 {default_out_dir()}）")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
