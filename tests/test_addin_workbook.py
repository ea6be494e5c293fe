"""The shipped example workbook (addin/keyproject_formulas.xlsx): its xlwings.conf sheet and answers."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

ADDIN = Path(__file__).resolve().parents[1] / "addin"
WORKBOOK = ADDIN / "keyproject_formulas.xlsx"


@pytest.fixture(scope="module")
def addin_path():
    sys.path.insert(0, str(ADDIN))
    try:
        yield ADDIN
    finally:
        sys.path.remove(str(ADDIN))


@pytest.fixture(scope="module")
def wb():
    return load_workbook(WORKBOOK)


def _conf(wb) -> dict[str, str]:
    ws = wb["xlwings.conf"]
    return {str(r[0]): r[1] for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0] and r[1]}


def test_conf_sheet_names_a_module_that_exists_and_imports(wb, addin_path):
    modules = [m.strip() for m in str(_conf(wb)["UDF Modules"]).split(";") if m.strip()]
    assert modules == ["keyproject_udfs"]
    for name in modules:
        assert (addin_path / f"{name}.py").is_file()
        assert importlib.util.find_spec(name) is not None
        module = importlib.import_module(name)
        assert callable(module.KP_LIGHT)


def _examples(wb) -> list[tuple[str, int]]:
    ws = wb["公式示例"]
    return [(c.value, c.row) for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("=KP_")]


def test_formula_text_is_stored_as_text(wb):
    ws = wb["公式示例"]
    for _formula, row in _examples(wb):
        assert ws.cell(row=row, column=1).data_type == "s"


def test_every_formula_has_an_example(wb, addin_path):
    module = importlib.import_module("keyproject_udfs")
    from formula_text import parse

    used = {parse(f)[0] for f, _row in _examples(wb)}
    assert used == {n for n in module.__all__ if n.startswith("KP_")}


def test_each_answer_is_what_the_formula_gives_now(wb, addin_path):
    from formula_text import evaluate_formula

    ws = wb["公式示例"]
    examples = _examples(wb)
    assert len(examples) >= 10
    for formula, row in examples:
        result = evaluate_formula(formula, wb)
        texts = [v for r in result for v in r if isinstance(v, str)]
        assert not any("出错" in v or "无法" in v for v in texts), formula
        for i, values in enumerate(result):
            for j, expected in enumerate(values):
                cell = ws.cell(row=row + i, column=3 + j).value
                if expected is None or expected == "":
                    assert cell in (None, ""), (formula, i, j, cell)
                elif isinstance(expected, float):
                    assert cell == pytest.approx(expected, rel=1e-12), (formula, i, j)
                else:
                    assert cell == expected, (formula, i, j)
        # nothing below the block belongs to it
        assert ws.cell(row=row + len(result), column=3).value is None


def test_generator_is_deterministic(tmp_path, addin_path):
    import make_workbook

    a = make_workbook.build(out=tmp_path / "a.xlsx")
    b = make_workbook.build(out=tmp_path / "b.xlsx")
    wa, wb_ = load_workbook(a), load_workbook(b)
    shipped = load_workbook(WORKBOOK)
    for other in (wb_, shipped):
        assert wa.sheetnames == other.sheetnames
        for name in wa.sheetnames:
            assert [list(r) for r in wa[name].iter_rows(values_only=True)] == \
                   [list(r) for r in other[name].iter_rows(values_only=True)], name
