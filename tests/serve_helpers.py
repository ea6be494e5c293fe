"""A real ``kp serve`` for tests: started on a free loopback port, stopped with SIGINT (Ctrl+C)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "county_fushun_2023.xlsx"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    base: str
    port: int
    token: str
    token_file: Path
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 20) -> tuple[int, str]:
        """SIGINT, as Ctrl+C sends; the exit code and what it printed since start."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return int(self.proc.returncode), "".join(self.lines) + (out or "")


def start(tmp: Path, *args: str, port: int | None = None, timeout: float = 60) -> Service:
    port = port or free_port()
    token_file = tmp / "token" / "serve_token"
    cmd = [sys.executable, "-m", "keyproject", "serve", "--port", str(port), "--token-file", str(token_file),
           *args]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=tmp)
    lines: list[str] = []
    token = ""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("访问令牌："):
            token = line.split("：", 1)[1].strip()
        if line.startswith("令牌文件：") and token:
            return Service(f"http://127.0.0.1:{port}", port, token, token_file, proc, lines)
    proc.kill()
    out = proc.communicate()[0]
    raise AssertionError(f"kp serve did not start: {''.join(lines)}{out}")


@contextlib.contextmanager
def running(tmp: Path, *args: str) -> Iterator[Service]:
    service = start(tmp, *args)
    try:
        yield service
    finally:
        service.stop()
