"""``python -m keyproject.formulas [--check]``: write (or check) the files made from the declaration."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from keyproject.formulas.render import ADDIN_DIR, COMMAND, stale, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND,
                                     description="Generate addin/ files from the formula declaration.")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 if stale")
    parser.add_argument("--out", type=Path, default=ADDIN_DIR,
                        help="the addin/ folder (default: the repository's)")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale(args.out)
        if bad:
            print(f"stale in {args.out}: {', '.join(bad)}; run `{COMMAND}` and commit", file=sys.stderr)
            return 1
        print(f"up to date: {args.out}")
        return 0
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
