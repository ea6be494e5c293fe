"""Snapshots of every refresh in a small database, so a bulletin can say what changed.

By default the database is an SQLite file beside the workbook (``<stem>.keyproject.sqlite``);
``History.open(url)`` takes any SQLAlchemy URL for a shared database. One snapshot per ``as_of``:
recording the same date again replaces it in one transaction, never duplicates it. ``scope``
separates ledgers that share one database (the workbook's file name by default for a shared URL is
the caller's choice; a workbook's own file needs none).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import sqlalchemy as sa

from keyproject.names import project_keys

_META = sa.MetaData()

SNAPSHOTS = sa.Table(
    "snapshots",
    _META,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("taken_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.String(500)),
    sa.Column("time_progress", sa.Float),
    sa.Column("totals", sa.Text, nullable=False),  # JSON of report.totals
)

PROJECT_SNAPSHOTS = sa.Table(
    "project_snapshots",
    _META,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("project_key", sa.String(300), primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("unit", sa.Text),
    sa.Column("annual_plan", sa.Float),
    sa.Column("ytd_completed", sa.Float),
    sa.Column("completion_rate", sa.Float),
    sa.Column("gap_points", sa.Float),
    sa.Column("light", sa.String(10)),
    sa.Column("stage", sa.Text),
    sa.Column("actual_start", sa.Date),
    sa.Column("actual_completion", sa.Date),
    sa.Index("ix_project_snapshots_key", "scope", "project_key"),
)

_PROJECT_COLUMNS = ["name", "unit", "annual_plan", "ytd_completed", "completion_rate", "gap_points",
                    "light", "stage", "actual_start", "actual_completion"]
_FLOATS = ["annual_plan", "ytd_completed", "completion_rate", "gap_points"]
_DATES = ["actual_start", "actual_completion"]
_TEXTS = ["name", "unit", "light", "stage"]


class ReportLike(Protocol):
    """What history needs of ``keyproject.report.Report``."""

    as_of: dt.date
    time_progress: float
    projects: pd.DataFrame
    totals: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    as_of: dt.date
    taken_at: dt.datetime
    source: str | None
    time_progress: float | None
    totals: dict[str, Any]
    projects: pd.DataFrame  # index project_key; columns _PROJECT_COLUMNS


@dataclass(frozen=True)
class LightChange:
    key: str
    name: str
    unit: str | None
    old: str | None  # "green" / "yellow" / "red" / None
    new: str | None


@dataclass
class Changes:
    """What changed between the previous snapshot and this report (names as in this report)."""

    as_of: dt.date
    previous_as_of: dt.date
    newly_red: list[str] = field(default_factory=list)
    turned_green: list[str] = field(default_factory=list)  # was yellow or red, now green
    newly_started: list[str] = field(default_factory=list)
    newly_completed: list[str] = field(default_factory=list)
    light_changes: list[LightChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # projects not in the previous snapshot
    removed: list[str] = field(default_factory=list)  # projects gone since (previous names)
    totals_delta: dict[str, float] = field(default_factory=dict)  # numeric totals: now − before

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "previous_as_of": self.previous_as_of.isoformat(),
            "newly_red": self.newly_red,
            "turned_green": self.turned_green,
            "newly_started": self.newly_started,
            "newly_completed": self.newly_completed,
            "light_changes": [vars(c) for c in self.light_changes],
            "added": self.added,
            "removed": self.removed,
            "totals_delta": self.totals_delta,
        }


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (dt.date, dt.datetime, pd.Timestamp)):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    if isinstance(obj, pd.DataFrame):
        return None  # frames are not totals
    return str(obj)


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf → None (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _as_date(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def project_frame(report: ReportLike) -> pd.DataFrame:
    """The per-project rows a snapshot keeps, indexed by project key."""
    p = report.projects
    n = len(p)
    cols: dict[str, Any] = {}
    for c in _PROJECT_COLUMNS:
        cols[c] = p[c] if c in p.columns else pd.Series([None] * n, index=p.index, dtype=object)
    out = pd.DataFrame(cols, index=p.index)
    code = p["code"] if "code" in p.columns else pd.Series([None] * n, index=p.index, dtype=object)
    out.index = pd.Index(project_keys(code, p["name"]).to_numpy(), name="project_key")
    for c in _FLOATS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in _DATES:
        out[c] = pd.to_datetime(out[c], errors="coerce").astype("datetime64[us]")
    for c in _TEXTS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _rows(frame: pd.DataFrame, scope: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Insert parameters for the project rows: NaN/NaT → None, dates as ``date``."""
    out = pd.DataFrame({"scope": scope, "as_of": as_of, "project_key": frame.index.to_numpy()})
    for c in _PROJECT_COLUMNS:
        col = frame[c].reset_index(drop=True)
        if c in _DATES:
            col = pd.Series(col.dt.date.to_numpy(dtype=object), dtype=object)
        col = col.astype(object)
        out[c] = col.where(col.notna(), None)
    return out.to_dict("records")


class History:
    """Snapshots of refreshes in one database (SQLAlchemy Core)."""

    def __init__(self, engine: sa.Engine, scope: str = "") -> None:
        self.engine = engine
        self.scope = scope
        _META.create_all(engine)

    @staticmethod
    def path_for(workbook: str | Path) -> Path:
        """The SQLite file that keeps a workbook's history: ``<stem>.keyproject.sqlite`` beside it."""
        p = Path(workbook)
        return p.with_name(f"{p.stem}.keyproject.sqlite")

    @classmethod
    def for_workbook(cls, workbook: str | Path) -> History:
        return cls.open(f"sqlite:///{cls.path_for(workbook).resolve()}")

    @classmethod
    def exists_for(cls, workbook: str | Path) -> bool:
        return cls.path_for(workbook).exists()

    @classmethod
    def open(cls, url: str, scope: str = "") -> History:
        return cls(sa.create_engine(url), scope=scope)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------
    def record(self, report: ReportLike, source: str | Path | None = None,
               taken_at: dt.datetime | None = None) -> None:
        """Store the report as the snapshot for its ``as_of``, replacing an earlier one of that date."""
        as_of = _as_date(report.as_of)
        if taken_at is None:  # history is the I/O edge: the wall clock is the record's own time
            taken_at = dt.datetime.now().replace(microsecond=0)
        totals = json.dumps(_clean(dict(report.totals or {})), ensure_ascii=False, default=_json_default)
        frame = project_frame(report)
        rows = _rows(frame, self.scope, as_of)
        tp = getattr(report, "time_progress", None)
        with self.engine.begin() as conn:
            where_snap = (SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of == as_of)
            where_proj = (PROJECT_SNAPSHOTS.c.scope == self.scope) & (PROJECT_SNAPSHOTS.c.as_of == as_of)
            conn.execute(sa.delete(PROJECT_SNAPSHOTS).where(where_proj))
            conn.execute(sa.delete(SNAPSHOTS).where(where_snap))
            conn.execute(sa.insert(SNAPSHOTS).values(
                scope=self.scope, as_of=as_of, taken_at=taken_at,
                source=str(source) if source is not None else None,
                time_progress=float(tp) if tp is not None and not pd.isna(tp) else None, totals=totals,
            ))
            if rows:
                conn.execute(sa.insert(PROJECT_SNAPSHOTS), rows)

    # -- reading -------------------------------------------------------------------------
    def dates(self) -> list[dt.date]:
        """Every snapshot date, oldest first."""
        q = sa.select(SNAPSHOTS.c.as_of).where(SNAPSHOTS.c.scope == self.scope).order_by(SNAPSHOTS.c.as_of)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def get(self, as_of: dt.date) -> Snapshot | None:
        as_of = _as_date(as_of)
        q = sa.select(SNAPSHOTS).where((SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of == as_of))
        with self.engine.connect() as conn:
            snap = conn.execute(q).mappings().first()
            if snap is None:
                return None
            pq = sa.select(PROJECT_SNAPSHOTS).where(
                (PROJECT_SNAPSHOTS.c.scope == self.scope) & (PROJECT_SNAPSHOTS.c.as_of == as_of))
            recs = conn.execute(pq).mappings().all()
        projects = pd.DataFrame([dict(r) for r in recs], columns=["project_key", *_PROJECT_COLUMNS])
        projects = projects.set_index("project_key")
        for c in _FLOATS:
            projects[c] = pd.to_numeric(projects[c], errors="coerce").astype("float64")
        for c in _DATES:
            projects[c] = pd.to_datetime(projects[c], errors="coerce").astype("datetime64[us]")
        return Snapshot(as_of=snap["as_of"], taken_at=snap["taken_at"], source=snap["source"],
                        time_progress=snap["time_progress"], totals=json.loads(snap["totals"]),
                        projects=projects)

    def previous(self, as_of: dt.date) -> Snapshot | None:
        """The latest snapshot strictly before ``as_of``."""
        as_of = _as_date(as_of)
        q = (sa.select(sa.func.max(SNAPSHOTS.c.as_of))
             .where((SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of < as_of)))
        with self.engine.connect() as conn:
            prev = conn.execute(q).scalar()
        return self.get(prev) if prev is not None else None

    def changes(self, report: ReportLike) -> Changes | None:
        """What changed since the latest snapshot before ``report.as_of``; None when there is none."""
        prev = self.previous(report.as_of)
        if prev is None:
            return None
        return compare(prev, report)

    def trend(self, project_key: str | None = None) -> pd.DataFrame:
        """Totals over time (index as_of, one column per numeric total plus time_progress), or one
        project's figures over time when ``project_key`` is given."""
        with self.engine.connect() as conn:
            if project_key is None:
                q = (sa.select(SNAPSHOTS.c.as_of, SNAPSHOTS.c.time_progress, SNAPSHOTS.c.totals)
                     .where(SNAPSHOTS.c.scope == self.scope).order_by(SNAPSHOTS.c.as_of))
                rows = []
                for as_of, tp, totals in conn.execute(q):
                    t = json.loads(totals)
                    rec = {"as_of": as_of, "time_progress": tp}
                    rec.update({k: v for k, v in t.items()
                                if isinstance(v, (int, float)) and not isinstance(v, bool)})
                    rows.append(rec)
                frame = pd.DataFrame(rows)
                if frame.empty:
                    return pd.DataFrame(index=pd.DatetimeIndex([], name="as_of"))
            else:
                q = (sa.select(PROJECT_SNAPSHOTS)
                     .where((PROJECT_SNAPSHOTS.c.scope == self.scope)
                            & (PROJECT_SNAPSHOTS.c.project_key == project_key))
                     .order_by(PROJECT_SNAPSHOTS.c.as_of))
                frame = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()],
                                     columns=["as_of", *_PROJECT_COLUMNS])
        frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
        return frame.set_index("as_of")


def compare(prev: Snapshot, report: ReportLike) -> Changes:
    """Changes from a snapshot to a report, matched by project key."""
    now = project_frame(report)
    before = prev.projects
    joined = now.join(before, how="left", suffixes=("", "_prev"))
    known = now.index.isin(before.index)
    light, old = joined["light"], joined["light_prev"]
    newly_red = (light == "red") & (old != "red")
    turned_green = (light == "green") & old.isin(["yellow", "red"])
    started = known & joined["actual_start"].notna() & joined["actual_start_prev"].isna()
    completed = known & joined["actual_completion"].notna() & joined["actual_completion_prev"].isna()
    changed = known & (light.fillna("") != old.fillna(""))
    names = joined["name"].fillna("")

    def _opt(v: Any) -> Any:
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    light_changes = [
        LightChange(key=k, name=n, unit=_opt(u), old=_opt(o), new=_opt(w))
        for k, n, u, o, w in zip(joined.index[changed], names[changed], joined["unit"][changed],
                                 old[changed], light[changed], strict=True)
    ]
    before_totals = {k: v for k, v in prev.totals.items() if isinstance(v, (int, float)) and v is not None}
    delta: dict[str, float] = {}
    for k, v in (report.totals or {}).items():
        v = _clean(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        b = before_totals.get(k)
        if b is not None and not isinstance(b, bool):
            delta[k] = float(v) - float(b)
    return Changes(
        as_of=_as_date(report.as_of),
        previous_as_of=prev.as_of,
        newly_red=names[newly_red].tolist(),
        turned_green=names[turned_green].tolist(),
        newly_started=names[started].tolist(),
        newly_completed=names[completed].tolist(),
        light_changes=light_changes,
        added=names[~known].tolist(),
        removed=before.loc[~before.index.isin(now.index), "name"].fillna("").tolist(),
        totals_delta=delta,
    )
