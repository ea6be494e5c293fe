"""A real PostgreSQL server for tests: Debian's ``postgresql`` package (installed by ``.ci/run``),
its own cluster made with ``initdb`` in a temporary folder, listening on 127.0.0.1 on a free port,
stopped and removed afterwards. As root (CI) the server runs as the ``postgres`` user through
``runuser``, since PostgreSQL refuses to run as root. Missing binaries are an error of the machine's
setup, not a reason to skip."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "kp"  # the database superuser initdb creates (trust authentication on 127.0.0.1 only)


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise FileNotFoundError("PostgreSQL server binaries are missing: apt-get install postgresql "
                                "(.ci/run does this)")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away cluster; yield a ``postgresql+psycopg://`` URL of its ``keyproject`` database."""
    bindir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="kp-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    port = free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    started = False
    try:
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                                        "-E", "UTF8", "--locale=C.UTF-8"]), **run)
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                                        "-o", f"-k {root} -h 127.0.0.1 -p {port}", "-w", "start"]), **run)
        started = True
        subprocess.run(_as_server_user([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                                        "-U", USER, "keyproject"]), **run)
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/keyproject"
    finally:
        if started:
            subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                            "stop"]), capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)
