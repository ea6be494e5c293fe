"""The package's public API: every advertised name resolves, and importing the core stays light."""

import subprocess
import sys

import keyproject


def test_every_public_name_resolves() -> None:
    for name in keyproject.__all__:
        assert getattr(keyproject, name) is not None, name


def test_lazy_names_are_the_library_functions() -> None:
    from keyproject.engine.report import build_report
    from keyproject.reader import read_ledger

    assert keyproject.read_ledger is read_ledger
    assert keyproject.build_report is build_report


def test_unknown_attribute_raises() -> None:
    try:
        keyproject.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_core_import_needs_no_excel_or_jupyter() -> None:
    code = (
        "import sys, keyproject; keyproject.read_ledger; keyproject.build_report; "
        "bad = [m for m in ('xlwings', 'ipywidgets', 'IPython', 'voila', 'matplotlib') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
