"""Deterministic sample workbooks, and the records they are built from.

``python -m keyproject.samples [--out DIR]`` regenerates ``sample_workbooks/``. The records are
exposed as plain data (canonical field keys, amounts in 万元, ``datetime.date`` dates, the Excel
``row`` each lands on) so tests can compare what the reader reads with the truth.
"""

from __future__ import annotations

from pathlib import Path

from keyproject.samples.city import city_expected_issues, city_projects
from keyproject.samples.data import (
    COUNTY_AS_OF,
    county_messy_cells,
    county_milestones,
    county_problems,
    county_projects,
    county_settings,
    county_totals,
    last_year_monthly,
)
from keyproject.samples.september import september_rows
from keyproject.samples.submissions import submission_rows

__all__ = [
    "COUNTY_AS_OF",
    "build_all",
    "city_expected_issues",
    "city_projects",
    "county_messy_cells",
    "county_milestones",
    "county_problems",
    "county_projects",
    "county_settings",
    "county_totals",
    "default_out_dir",
    "last_year_monthly",
    "september_rows",
    "submission_rows",
]


def default_out_dir() -> Path:
    """The repository's sample_workbooks/ (this file is lib/keyproject/samples/__init__.py)."""
    return Path(__file__).resolve().parents[3] / "sample_workbooks"


def build_all(out_dir: Path | None = None) -> list[Path]:
    """Write every sample workbook into ``out_dir`` (default: the repository's sample_workbooks/)."""
    from keyproject.samples import city, county, september, submissions

    out = Path(out_dir) if out_dir is not None else default_out_dir()
    return [county.build(out), city.build(out), *submissions.build(out), *september.build(out)]
