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


def test_argparse_speaks_chinese_in_usage_help_and_errors() -> None:
    missing = run_kp("report")
    assert missing.returncode == 2 and "缺少必需的参数：台账" in missing.stderr
    assert missing.stderr.startswith("用法：kp report")
    extra = run_kp("report", "a.xlsx", "--nope")
    assert extra.returncode == 2 and "无法识别的参数：--nope" in extra.stderr
    choice = run_kp("report", "a.xlsx", "--basis", "week")
    assert choice.returncode == 2 and "无效的选项：'week'" in choice.stderr
    helped = run_kp("report", "--help")
    assert "选项" in helped.stdout and "显示本帮助并退出" in helped.stdout
    for english in ("usage:", "options:", "unrecognized", "required:", "invalid choice"):
        assert english not in missing.stderr + extra.stderr + choice.stderr + helped.stdout
