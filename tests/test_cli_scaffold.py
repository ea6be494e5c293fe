"""The kp command's frame: usage errors and input errors exit 2 with Chinese text, no traceback."""

import subprocess
import sys


def run_kp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keyproject", *args], capture_output=True, text=True)


def test_unknown_command_is_usage_error_in_chinese() -> None:
    proc = run_kp("no-such-command")
    assert proc.returncode == 2
    assert "命令参数有误" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_command_prints_help_and_exits_2() -> None:
    proc = run_kp()
    assert proc.returncode == 2
    assert "keyproject" in proc.stderr
