"""`symgrad serve` as a command: it starts on the port it prints and Ctrl-C stops it with
exit 0 (the server itself: tests/test_serve.py)."""

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.slow  # a server in a child process


def test_ctrl_c_stops_cleanly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "symgrad", "serve", "--port", "0", "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stderr.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        assert get(f"http://127.0.0.1:{port}", "/")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def get(base: str, path: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
