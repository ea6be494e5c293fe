"""Without python-calamine (xlwings Lite on a Pyodide release without its wheel) keyproject still
imports, computes the formulas, and reads workbooks through openpyxl with the same result."""

from __future__ import annotations

import json
import subprocess
import sys

import serve_helpers as sh

from keyproject.engine.report import build_report
from keyproject.reader import read_ledger

CHILD = r"""
import json, sys
sys.modules["python_calamine"] = None  # import python_calamine now raises ImportError
import keyproject.xlsx
assert keyproject.xlsx.pc is None
import datetime as dt
from keyproject.formulas import Context, call
from keyproject.reader import read_ledger
from keyproject.engine.report import build_report
from keyproject.engine.rules import Rules

ctx = Context(Rules(), dt.date.today())
out = {"formula": call("KP_LIGHT", [[[600], [100]], [[1000], [1000]], 45138], ctx)}
for path in sys.argv[1:]:
    ledger = read_ledger(path)
    out[path] = {"report": build_report(ledger).to_dict(), "issues": [str(i) for i in ledger.issues],
                 "rows": ledger.projects["row"].tolist()}
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
"""


def test_reading_without_calamine_gives_the_same_reports():
    samples = [sh.SAMPLE, sh.ROOT / "sample_workbooks" / "city_messy_2024.xlsx"]
    proc = subprocess.run([sys.executable, "-c", CHILD, *map(str, samples)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    assert got["formula"] == [["绿"], ["红"]]
    for path in samples:
        ledger = read_ledger(path)
        expected = json.loads(json.dumps({"report": build_report(ledger).to_dict(),
                                          "issues": [str(i) for i in ledger.issues],
                                          "rows": ledger.projects["row"].tolist()},
                                         ensure_ascii=False, default=str))
        assert got[str(path)] == expected, path.name
