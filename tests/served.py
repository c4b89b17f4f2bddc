"""The dashboard as a browser test meets it: `streamlit run dashboard.py` on a free loopback port over a warehouse,
with the environment a test gives (accounts, audit log, open mode); the URL once /_stcore/health answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard(warehouse: Path | str, log: Path, **env: str) -> Iterator[str]:
    """Run the dashboard over `warehouse` with `env` added (PANTAU_OPEN="1", PANTAU_USERS=..., ...); yield its URL;
    stop it afterwards. A server that does not answer within 30 s fails the test with the end of its log."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "PANTAU_WAREHOUSE": str(warehouse), **env},
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace")[-3000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
