"""Snapshots of every refresh in a database, so a bulletin can say what changed.

By default the database is an SQLite file beside the workbook (``<stem>.keyproject.sqlite``);
``History.open(url, scope)`` takes any SQLAlchemy URL, e.g. one PostgreSQL database that the
offices of a city's counties share (``postgresql+psycopg://user:pass@host/db``, driver in the
``postgres`` extra). ``scope`` keeps their ledgers apart: every read and write is for one scope.

- One snapshot per (scope, as_of). Recording a date again replaces its snapshot in one
  transaction (``Recorded.replaced`` says so), never duplicates it.
- History never runs backwards silently: recording a date earlier than the newest snapshot is
  refused (``PeriodError``) unless the report's date was asked for explicitly.
- Each snapshot keeps the totals, and per project the figures, light, stage, milestones and
  whether a submission updated it that period (``reporting``), so a later refresh of the same
  period keeps the 本期报送 status.
- Writers in several processes (counties writing at the same time) are safe: tables are created
  under a database lock, and a snapshot is written in one transaction under a per-scope lock on
  PostgreSQL (SQLite serialises writers itself).
- ``History.open`` checks the URL, the driver and the connection at once and raises
  ``HistoryError`` (exit 2, Chinese) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import sqlalchemy as sa

from keyproject.dates import cn_date, parse_date
from keyproject.errors import HistoryError, PeriodError
from keyproject.names import project_keys

if TYPE_CHECKING:
    from keyproject.engine.context import Context
    from keyproject.engine.reporting import Reporting

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
    sa.Column("reporting_period", sa.String(7)),  # "2023-08" when submissions were consolidated for it
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
    sa.Column("reported", sa.Boolean),  # updated by a submission this period (None: not known)
    sa.Index("ix_project_snapshots_key", "scope", "project_key"),
)

_PROJECT_COLUMNS = ["name", "unit", "annual_plan", "ytd_completed", "completion_rate", "gap_points",
                    "light", "stage", "actual_start", "actual_completion", "reported"]
_FLOATS = ["annual_plan", "ytd_completed", "completion_rate", "gap_points"]
_DATES = ["actual_start", "actual_completion"]
_TEXTS = ["name", "unit", "light", "stage"]
# columns later versions added: (table, column) → DDL type, added to older databases on open
_ADDED = {("snapshots", "reporting_period"): "VARCHAR(7)", ("project_snapshots", "reported"): "BOOLEAN"}
_LIGHTS = ("red", "yellow", "green")
_CREATE_LOCK = 0x6B70_0001  # PostgreSQL advisory lock key while creating keyproject's tables


class ReportLike(Protocol):
    """What history needs of ``keyproject.engine.report.Report``."""

    as_of: dt.date
    time_progress: float
    projects: pd.DataFrame
    totals: dict[str, Any]
    context: Context | None  # whether the date was asked for explicitly
    reporting: Reporting | None  # who reported this period


@dataclass(frozen=True)
class Snapshot:
    as_of: dt.date
    taken_at: dt.datetime
    source: str | None
    time_progress: float | None
    totals: dict[str, Any]
    projects: pd.DataFrame  # index project_key; columns _PROJECT_COLUMNS
    reporting_period: tuple[int, int] | None = None

    @property
    def lights(self) -> dict[str, int]:
        """Projects per light: red, yellow, green and none (no light)."""
        light = self.projects["light"]
        out = {k: int((light == k).sum()) for k in _LIGHTS}
        out["none"] = int(len(light) - sum(out.values()))
        return out

    def aligned(self, projects: pd.DataFrame, column: str) -> pd.Series:
        """This snapshot's ``column`` for each of the ledger ``projects`` (matched by project key;
        NaN for a project the snapshot does not have)."""
        values = ledger_keys(projects).map(self.projects[column])
        return pd.Series(values.to_numpy(), index=projects.index)

    def reporting(self, projects: pd.DataFrame) -> Reporting | None:
        """This snapshot's 本期报送 statuses for the ledger ``projects`` (matched by project key),
        or None when the snapshot's period had no consolidated submissions."""
        if self.reporting_period is None:
            return None
        from keyproject.engine.reporting import Reporting

        done = self.projects.index[self.projects["reported"].fillna(False).astype(bool)]
        keys = ledger_keys(projects)
        return Reporting.from_keys(self.reporting_period, keys, set(done))


@dataclass(frozen=True)
class Recorded:
    """What ``History.record`` did."""

    as_of: dt.date
    replaced: bool  # a snapshot of this date existed and was replaced
    earlier_than_latest: dt.date | None = None  # recorded on purpose before this newer snapshot

    def message(self) -> str:
        """Chinese: what the history now holds for this date."""
        text = f"已记录{cn_date(self.as_of)}的快照"
        if self.replaced:
            text = f"已替换{cn_date(self.as_of)}原有的快照"
        if self.earlier_than_latest is not None:
            text += f"（按指定日期记录，早于已有的{cn_date(self.earlier_than_latest)}快照）"
        return text


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


def ledger_keys(projects: pd.DataFrame) -> pd.Series:
    """The history key of each project (``names.project_keys``), on the frame's index."""
    n = len(projects)
    code = projects["code"] if "code" in projects.columns else pd.Series([None] * n, index=projects.index,
                                                                           dtype=object)
    keys = project_keys(code, projects["name"])
    return pd.Series(keys.to_numpy(), index=projects.index, dtype=object)


def project_frame(report: ReportLike) -> pd.DataFrame:
    """The per-project rows a snapshot keeps, indexed by project key."""
    p = report.projects
    n = len(p)
    cols: dict[str, Any] = {}
    for c in _PROJECT_COLUMNS:
        cols[c] = p[c] if c in p.columns else pd.Series([None] * n, index=p.index, dtype=object)
    if report.reporting is not None:
        cols["reported"] = report.reporting.reported.reindex(p.index, fill_value=False).astype(object)
    out = pd.DataFrame(cols, index=p.index)
    out.index = pd.Index(ledger_keys(p).to_numpy(), name="project_key")
    for c in _FLOATS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in _DATES:
        out[c] = pd.to_datetime(out[c], errors="coerce").astype("datetime64[us]")
    for c in _TEXTS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    out["reported"] = out["reported"].astype(object).where(out["reported"].notna(), None)
    return out


def _rows(frame: pd.DataFrame, scope: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Insert parameters for the project rows: NaN/NaT → None, dates as ``date``.

    Built column by column and zipped (``DataFrame.to_dict`` boxes every cell: 3× slower at 30,000)."""
    n = len(frame)
    columns: dict[str, list[Any]] = {"scope": [scope] * n, "as_of": [as_of] * n,
                                     "project_key": frame.index.tolist()}
    for c in _PROJECT_COLUMNS:
        col = frame[c]
        present = col.notna()
        if c in _DATES:
            col = pd.Series(col.dt.date.to_numpy(dtype=object), index=col.index, dtype=object)
        values = col.astype(object).where(present, None).tolist()
        if c == "reported":
            values = [None if v is None else bool(v) for v in values]
        columns[c] = values
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _period_text(period: tuple[int, int] | None) -> str | None:
    return None if period is None else f"{period[0]}-{period[1]:02d}"


def _period_of(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    y, _, m = text.partition("-")
    return (int(y), int(m))


def hidden_url(url: str) -> str:
    """The URL as it may be shown: any password replaced by ***; an SQLite file's path as it is
    (not percent-encoded)."""
    try:
        parsed = sa.make_url(url)
    except Exception:  # not even a URL: show what was given, it has no password to hide
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return f"sqlite:///{parsed.database}"
    return parsed.render_as_string(hide_password=True)


def _engine(url: str) -> sa.Engine:
    """An engine for ``url`` with connect timeouts, or ``HistoryError`` for a bad URL or driver."""
    shown = hidden_url(url)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise HistoryError(f"历史记录数据库地址“{shown}”无效：应为 SQLAlchemy 地址，如 sqlite:///历史.sqlite"
                           " 或 postgresql+psycopg://用户:密码@主机/数据库", url=shown) from None
    kwargs: dict[str, Any] = {}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": 60}  # concurrent writers wait for each other
    elif backend == "postgresql" and "connect_timeout" not in parsed.query:
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        return sa.create_engine(parsed, **kwargs)
    except sa.exc.NoSuchModuleError:
        raise HistoryError(f"历史记录数据库地址“{shown}”无效：不支持的数据库类型“{parsed.drivername}”"
                           "（可用 sqlite、postgresql+psycopg 等）", url=shown) from None
    except ImportError as exc:
        name = exc.name or parsed.get_driver_name()
        hint = "pip install \"keyproject[postgres]\"" if backend == "postgresql" else f"pip install {name}"
        raise HistoryError(f"无法使用历史记录数据库“{shown}”：缺少数据库驱动“{name}”，请先安装（{hint}）",
                           url=shown) from None
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise HistoryError(f"历史记录数据库地址“{shown}”无效：{exc}", url=shown) from None


class History:
    """Snapshots of refreshes in one database (SQLAlchemy Core), for one ``scope``."""

    def __init__(self, engine: sa.Engine, scope: str = "", url: str | None = None) -> None:
        self.engine = engine
        self.scope = scope
        self.url = hidden_url(url) if url is not None else hidden_url(str(engine.url))
        self._prepare()

    @staticmethod
    def path_for(workbook: str | Path) -> Path:
        """The SQLite file that keeps a workbook's history: ``<stem>.keyproject.sqlite`` beside it."""
        p = Path(workbook)
        return p.with_name(f"{p.stem}.keyproject.sqlite")

    @classmethod
    def for_workbook(cls, workbook: str | Path, scope: str = "") -> History:
        return cls.open(f"sqlite:///{cls.path_for(workbook).resolve()}", scope=scope)

    @classmethod
    def exists_for(cls, workbook: str | Path) -> bool:
        return cls.path_for(workbook).exists()

    @classmethod
    def existing_for(cls, workbook: str | Path, scope: str = "") -> History | None:
        """The history beside ``workbook`` when there is one (None: nothing is created)."""
        return cls.for_workbook(workbook, scope=scope) if cls.exists_for(workbook) else None

    @classmethod
    def open(cls, url: str, scope: str = "") -> History:
        """The history at ``url``: the URL, driver, connection and tables are checked now, so a
        command fails (``HistoryError``) before it writes anything."""
        engine = _engine(url)
        try:
            return cls(engine, scope=scope, url=url)
        except HistoryError:
            engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise HistoryError(f"无法连接历史记录数据库“{hidden_url(url)}”：{reason}",
                               url=hidden_url(url)) from None

    def _prepare(self) -> None:
        """Connect, create keyproject's tables if missing and add the columns later versions
        introduced. Several processes may open one new database at once: PostgreSQL creates under
        an advisory lock; SQLite, which has none, retries when another process created a table
        between the check and the creation."""
        for attempt in range(3):
            try:
                self._create()
                return
            except sa.exc.OperationalError:
                # the race shows as a table that exists now; SQLite's error has no code for it
                if attempt == 2 or not self._tables_appeared():
                    raise

    def _tables_appeared(self) -> bool:
        """Whether another process created one of keyproject's tables meanwhile."""
        have = set(sa.inspect(self.engine).get_table_names())
        return bool(have & set(_META.tables))

    def _create(self) -> None:
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK)))
            _META.create_all(conn)
            inspector = sa.inspect(conn)
            for table in ("snapshots", "project_snapshots"):
                have = {c["name"] for c in inspector.get_columns(table)}
                wanted = {c.name for c in _META.tables[table].columns}
                if not {"scope", "as_of"} <= have:
                    raise HistoryError(f"数据库“{self.url}”中的表“{table}”不是 keyproject 的历史记录",
                                       url=self.url)
                for name in sorted(wanted - have):
                    conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {name} {_ADDED[(table, name)]}"))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """One transaction holding this scope's write lock (PostgreSQL; SQLite locks the file)."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                key = zlib.crc32(self.scope.encode("utf-8"))
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK, key - (1 << 31))))
            yield conn

    # -- writing -------------------------------------------------------------------------
    def record(self, report: ReportLike, source: str | Path | None = None,
               taken_at: dt.datetime | None = None, *, explicit: bool | None = None,
               projects: pd.DataFrame | None = None) -> Recorded:
        """Store the report as the snapshot for its ``as_of``, replacing an earlier one of that date.

        A date before the newest snapshot is refused (``PeriodError``) unless ``explicit`` (default:
        whether ``report.context`` says the date was asked for).
        """
        as_of = parse_date(report.as_of, "统计截止日期")
        if explicit is None:
            explicit = report.context is not None and report.context.explicit
        if taken_at is None:  # history is the I/O edge: the wall clock is the record's own time
            taken_at = dt.datetime.now().replace(microsecond=0)
        totals = json.dumps(_clean(dict(report.totals or {})), ensure_ascii=False, default=_json_default)
        frame = project_frame(report) if projects is None else projects  # given: snapshot_of's, made once
        rows = _rows(frame, self.scope, as_of)
        reporting = report.reporting
        tp = report.time_progress
        with self._writing() as conn:
            latest = conn.execute(sa.select(sa.func.max(SNAPSHOTS.c.as_of))
                                  .where(SNAPSHOTS.c.scope == self.scope)).scalar()
            if latest is not None and as_of < latest and not explicit:
                raise PeriodError(f"历史记录中已有{cn_date(latest)}的快照，不能记录更早的{cn_date(as_of)}；"
                                  f"如确需记录，请用 --as-of {as_of.isoformat()} 明确指定",
                                  as_of=as_of, latest=latest, period=(as_of.year, as_of.month))
            where_snap = (SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of == as_of)
            where_proj = (PROJECT_SNAPSHOTS.c.scope == self.scope) & (PROJECT_SNAPSHOTS.c.as_of == as_of)
            conn.execute(sa.delete(PROJECT_SNAPSHOTS).where(where_proj))
            replaced = conn.execute(sa.delete(SNAPSHOTS).where(where_snap)).rowcount > 0
            conn.execute(sa.insert(SNAPSHOTS).values(
                scope=self.scope, as_of=as_of, taken_at=taken_at,
                source=str(source) if source is not None else None,
                time_progress=float(tp) if tp is not None and not pd.isna(tp) else None, totals=totals,
                reporting_period=_period_text(reporting.period if reporting is not None else None),
            ))
            if rows:
                conn.execute(sa.insert(PROJECT_SNAPSHOTS), rows)
        earlier = latest if latest is not None and as_of < latest else None
        return Recorded(as_of=as_of, replaced=replaced, earlier_than_latest=earlier)

    # -- reading -------------------------------------------------------------------------
    def scopes(self) -> list[str]:
        """Every scope with at least one snapshot in this database."""
        q = sa.select(SNAPSHOTS.c.scope).distinct().order_by(SNAPSHOTS.c.scope)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def dates(self) -> list[dt.date]:
        """Every snapshot date, oldest first."""
        q = sa.select(SNAPSHOTS.c.as_of).where(SNAPSHOTS.c.scope == self.scope).order_by(SNAPSHOTS.c.as_of)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def latest(self) -> dt.date | None:
        """The newest snapshot's date (None for an empty history)."""
        q = sa.select(sa.func.max(SNAPSHOTS.c.as_of)).where(SNAPSHOTS.c.scope == self.scope)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    def get(self, as_of: dt.date) -> Snapshot | None:
        as_of = parse_date(as_of, "统计截止日期")
        q = sa.select(SNAPSHOTS).where((SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of == as_of))
        with self.engine.connect() as conn:
            snap = conn.execute(q).mappings().first()
            if snap is None:
                return None
            cols = [PROJECT_SNAPSHOTS.c.project_key, *(PROJECT_SNAPSHOTS.c[c] for c in _PROJECT_COLUMNS)]
            pq = sa.select(*cols).where(
                (PROJECT_SNAPSHOTS.c.scope == self.scope) & (PROJECT_SNAPSHOTS.c.as_of == as_of))
            recs = conn.execute(pq).all()  # tuples, not dicts: quicker for 30,000 projects
        projects = pd.DataFrame.from_records(recs, columns=["project_key", *_PROJECT_COLUMNS])
        projects = projects.set_index("project_key")
        for c in _FLOATS:
            projects[c] = pd.to_numeric(projects[c], errors="coerce").astype("float64")
        for c in _DATES:
            projects[c] = pd.to_datetime(projects[c], errors="coerce").astype("datetime64[us]")
        projects["reported"] = projects["reported"].astype(object)
        return Snapshot(as_of=snap["as_of"], taken_at=snap["taken_at"], source=snap["source"],
                        time_progress=snap["time_progress"], totals=json.loads(snap["totals"]),
                        projects=projects, reporting_period=_period_of(snap["reporting_period"]))

    def reporting(self, as_of: dt.date, projects: pd.DataFrame) -> Reporting | None:
        """The 本期报送 statuses the snapshot of ``as_of`` holds, for the ledger ``projects`` (None
        when there is no such snapshot or its period had no consolidated submissions). Reads only
        the reported keys, not the whole snapshot."""
        as_of = parse_date(as_of, "统计截止日期")
        q = sa.select(SNAPSHOTS.c.reporting_period).where(
            (SNAPSHOTS.c.scope == self.scope) & (SNAPSHOTS.c.as_of == as_of))
        with self.engine.connect() as conn:
            period = _period_of(conn.execute(q).scalar())
            if period is None:
                return None
            kq = sa.select(PROJECT_SNAPSHOTS.c.project_key).where(
                (PROJECT_SNAPSHOTS.c.scope == self.scope) & (PROJECT_SNAPSHOTS.c.as_of == as_of)
                & PROJECT_SNAPSHOTS.c.reported.is_(True))
            keys = {r[0] for r in conn.execute(kq)}
        from keyproject.engine.reporting import Reporting

        return Reporting.from_keys(period, ledger_keys(projects), keys)

    def _nearest(self, condition: sa.ColumnElement[bool]) -> Snapshot | None:
        q = sa.select(sa.func.max(SNAPSHOTS.c.as_of)).where((SNAPSHOTS.c.scope == self.scope) & condition)
        with self.engine.connect() as conn:
            found = conn.execute(q).scalar()
        return self.get(found) if found is not None else None

    def previous(self, as_of: dt.date) -> Snapshot | None:
        """The latest snapshot strictly before ``as_of``."""
        return self._nearest(SNAPSHOTS.c.as_of < parse_date(as_of, "统计截止日期"))

    def at_or_before(self, as_of: dt.date) -> Snapshot | None:
        """The latest snapshot on or before ``as_of`` (e.g. the sprint's start)."""
        return self._nearest(SNAPSHOTS.c.as_of <= parse_date(as_of, "统计截止日期"))

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot of this scope, oldest first."""
        return [s for d in self.dates() if (s := self.get(d)) is not None]

    def changes(self, report: ReportLike, projects: pd.DataFrame | None = None) -> Changes | None:
        """What changed since the latest snapshot before ``report.as_of``; None when there is none.
        ``projects``: the report's ``project_frame`` when the caller has it already."""
        prev = self.previous(report.as_of)
        if prev is None:
            return None
        return compare(prev, report, projects)

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
                frame = frame.drop(columns=["reported"]).assign(
                    reported=frame["reported"].astype(object))
        frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
        return frame.set_index("as_of")


def compare(prev: Snapshot, report: ReportLike, projects: pd.DataFrame | None = None) -> Changes:
    """Changes from a snapshot to a report, matched by project key."""
    now = project_frame(report) if projects is None else projects
    before = prev.projects
    joined = now.join(before, how="left", suffixes=("", "_prev"))  # type: ignore[call-arg]  # pandas 3 API
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
        as_of=parse_date(report.as_of, "统计截止日期"),
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


def snapshot_of(report: ReportLike, taken_at: dt.datetime | None = None) -> Snapshot:
    """The snapshot ``History.record`` would store for ``report`` (for comparisons before recording)."""
    reporting = report.reporting
    return Snapshot(as_of=parse_date(report.as_of, "统计截止日期"),
                    taken_at=taken_at or dt.datetime.combine(report.as_of, dt.time()), source=None,
                    time_progress=report.time_progress, totals=_clean(dict(report.totals or {})),
                    projects=project_frame(report),
                    reporting_period=reporting.period if reporting is not None else None)
