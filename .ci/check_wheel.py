"""The wheel built for xlwings Lite is pure Python and carries the package data it needs at run time.

    python .ci/check_wheel.py DIST_DIR
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

NEEDED = ("keyproject/data/t2s.tsv", "keyproject/presets/default.toml", "keyproject/formulas/catalog.py",
          "keyproject/py.typed")


def main(folder: str) -> int:
    wheels = sorted(Path(folder).glob("keyproject-*.whl"))
    if len(wheels) != 1:
        print(f"check_wheel: expected one keyproject wheel in {folder}, found {len(wheels)}", file=sys.stderr)
        return 1
    wheel = wheels[0]
    if not wheel.name.endswith("-py3-none-any.whl"):
        print(f"check_wheel: {wheel.name} is not a pure-Python wheel (Pyodide needs py3-none-any)",
              file=sys.stderr)
        return 1
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED if n not in names]
    if missing:
        print(f"check_wheel: {wheel.name} lacks {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"check_wheel: {wheel.name} ({wheel.stat().st_size // 1024} KB, {len(names)} files) ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))
