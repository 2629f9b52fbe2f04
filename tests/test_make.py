"""The README's first command, ``make lab``, starts JupyterLab for the user running it.

JupyterLab refuses to start as root unless given ``--allow-root``; containers often run as root,
so ``make lab`` adds the flag there, with a warning. The test runs the real target (without the
install step: ``make -o`` treats the stamp as up to date) on a free port, waits for the URL with
its token, and stops the server.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFIX = Path(sys.prefix)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(not (PREFIX / "bin" / "jupyter").exists(), reason="JupyterLab not installed")
def test_make_lab_serves_on_localhost_with_a_token_for_this_user():
    port = _free_port()
    cmd = ["make", "-s", "-o", str(PREFIX / ".bioviz-installed"), "lab", f"PORT={port}", f"VENV={PREFIX}"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    url = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=[0-9a-f]{{16,}}")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(url.search(line) for line in lines):
                break
            time.sleep(0.2)
        running = proc.poll() is None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        reader.join(timeout=5)
    output = "".join(lines)
    assert running, f"make lab exited with {proc.returncode}:\n{output[-2000:]}"
    assert url.search(output), f"no URL with a token on 127.0.0.1:{port}:\n{output[-2000:]}"
    as_root = os.geteuid() == 0
    assert ("running JupyterLab as root" in output) == as_root
    assert "Running as root is not recommended" not in output
