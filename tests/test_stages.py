"""Stage ladder, 三类项目, 开工率 / 竣工率, size bands and counts."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from keyproject.engine.rules import Rules
from keyproject.engine.stages import (
    completion_rate_projects,
    counts_by,
    derive_stage,
    milestones,
    size_bands,
    stage_step,
    start_rate,
    three_class,
    three_class_frame,
)

JULY = dt.date(2023, 7, 31)


def test_three_class_from_booleans() -> None:
    out = three_class([True, True, True, False, True, False],
                      [False, True, True, False, True, False],
                      [False, False, True, True, True, False],
                      [False, False, False, False, True, False])
    assert out.tolist() == ["已签约未供地", "已供地未动工", "已动工未竣工", "已动工未竣工", None, None]


def test_three_class_from_dates_respects_as_of() -> None:
    signed = pd.to_datetime(["2023-01-05", "2023-01-05", "2023-09-01"])
    land = pd.to_datetime(["2023-03-01", "2023-08-15", None])
    none = pd.to_datetime([None, None, None])
    out = three_class(signed, land, none, none, as_of=JULY)
    # land after as_of does not count yet; a signing after as_of neither
    assert out.tolist() == ["已供地未动工", "已签约未供地", None]
    assert three_class(signed, land, none, none).tolist() == ["已供地未动工", "已供地未动工", "已签约未供地"]


def test_three_class_from_excel_shaped_values() -> None:
    # serial dates, blanks as "", and yes/no words
    out = three_class([44930, "", "是"], ["", "", "否"], ["", 45000, ""], ["", "", ""], as_of=45138)
    assert out.tolist() == ["已签约未供地", "已动工未竣工", "已签约未供地"]


@pytest.mark.parametrize(
    ("text", "step"),
    [("储备", 0), ("谋划", 0), ("前期手续办理中", 1), ("未开工", 1), ("在谈", 2), ("已签约", 3),
     ("已供地未开工", 4), ("在建", 5), ("续建", 5), ("已动工未竣工", 5), ("主体施工", 5), ("已竣工", 6),
     ("未竣工", np.nan), ("投产", 7), ("达产", 8)],
)
def test_stage_words(text: str, step: float) -> None:
    got = stage_step(pd.Series([text], dtype="str"))[0]
    if isinstance(step, float) and np.isnan(step):
        assert np.isnan(got)
    else:
        assert got == step


def _ladder() -> pd.DataFrame:
    d = pd.to_datetime
    return pd.DataFrame({
        "name": list("ABCDEFGH"),
        "stage": [None, None, None, None, None, None, "前期", None],
        "signed_date": d(["2022-05-01", "2022-05-01", "2022-05-01", "2022-05-01", None, None, None, None]),
        "land_date": d([None, "2022-09-01", "2022-09-01", "2022-09-01", None, None, None, None]),
        "actual_start": d([None, None, "2023-02-01", "2022-10-01", None, "2023-09-01", None, None]),
        "actual_completion": d([None, None, None, "2023-06-30", None, None, None, None]),
        "planned_start": d(["2023-09-01", "2023-05-01", "2023-01-01", "2022-10-01", "2023-03-01",
                            "2023-06-01", None, None]),
        "planned_completion": d([None, None, "2024-12-31", "2023-06-30", None, "2023-07-31", None, None]),
        "total_investment": [3000.0, 4999.0, 5000.0, 10000.0, 60000.0, 120000.0, np.nan, 2999.0],
        "annual_plan": [100.0] * 8,
        "ytd_completed": [10.0] * 8,
        "category": ["工业", "工业", "基础设施", None, "工业", "社会民生", "工业", "工业"],
    })


def test_derive_stage_from_dates_and_text() -> None:
    expected = ["签约", "供地", "在建", "竣工", "前期", "前期", "前期", "储备"]
    assert derive_stage(_ladder(), JULY).tolist() == expected


def test_milestones_and_three_classes_of_a_frame() -> None:
    m = milestones(_ladder(), JULY)
    assert m["started"].tolist() == [False, False, True, True, False, False, False, False]
    assert three_class_frame(_ladder(), JULY).tolist() == [
        "已签约未供地", "已供地未动工", "已动工未竣工", None, None, None, None, None]


def test_start_and_completion_rates() -> None:
    sr = start_rate(_ladder(), JULY)
    # planned by 31 July: B, C, D, E, F (A is September); started: C and D (F starts in September)
    assert sr == {"planned": 5, "done": 2, "rate": 0.4}
    cr = completion_rate_projects(_ladder(), JULY)
    assert cr == {"planned": 2, "done": 1, "rate": 0.5}  # D done on time; F due 31 July, not done
    assert start_rate(pd.DataFrame({"name": ["x"]}), JULY) == {"planned": 0, "done": 0, "rate": None}


def test_size_bands_are_cumulative_at_their_lower_bounds() -> None:
    bands = size_bands(_ladder())
    assert bands["band"].tolist() == ["≥3000万", "≥5000万", "≥1亿", "≥5亿", "≥10亿"]
    assert bands["count"].tolist() == [6, 4, 3, 2, 1]
    assert bands["total_investment"].iloc[4] == 120000.0
    custom = size_bands(_ladder(), Rules(size_bands=(5000.0,)))
    assert custom["count"].tolist() == [4]


def test_counts_by_group() -> None:
    c = counts_by(_ladder(), "category")
    counts = dict(zip(c["group"], c["count"], strict=True))
    assert counts == {"工业": 5, "基础设施": 1, "未填写": 1, "社会民生": 1}
    assert c["group"].iloc[0] == "工业"
    assert counts_by(_ladder(), "command_post").empty
