"""The audit log: one JSON line per sign-in, failed sign-in, sign-out, download, export, publish (who, when, from
which address, scope, action, file), appended and never rewritten. PANTAU_AUDIT, or audit.jsonl in the warehouse
folder. No Streamlit here."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

COLUMNS = ["time", "who", "address", "scope", "action", "file"]


def audit_path() -> Path:
    """PANTAU_AUDIT, or <PANTAU_WAREHOUSE or data/warehouse>/audit.jsonl."""
    env = os.environ.get("PANTAU_AUDIT")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("PANTAU_WAREHOUSE") or "data/warehouse") / "audit.jsonl"


def record(who: str, address: str | None, scope: str, action: str, file: str | None = None,
           path: Path | None = None) -> None:
    """Append one event (a single write on an O_APPEND descriptor: lines of several processes never mix)."""
    p = path or audit_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "who": who,
                       "address": address or "", "scope": scope, "action": action, "file": file or ""},
                      ensure_ascii=False) + "\n"
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read(path: Path | None = None, limit: int = 5000) -> pd.DataFrame:
    """The newest `limit` events, newest first (COLUMNS); empty when there is no log; a damaged line is skipped."""
    p = path or audit_path()
    if not p.exists():
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for line in p.read_text(encoding="utf-8", errors="replace").splitlines()[-limit:]:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return pd.DataFrame(rows, columns=COLUMNS).iloc[::-1].reset_index(drop=True)
