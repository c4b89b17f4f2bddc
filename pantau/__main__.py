"""`python -m pantau COMMAND ...`: a thin dispatcher; each command lives in its own module."""

from __future__ import annotations

import importlib
import os
import sys

COMMANDS = {
    "users": "pantau.users_cli",  # local accounts: add, list, disable, passwords
    "report": "ui.report_cli",  # the meeting deck (needs ui: the same views the pages draw)
}


def main(argv: list[str] | None = None) -> int:
    """Run the command named by the first argument; exit code 2 with one sentence for an unknown one."""
    argv = sys.argv[1:] if argv is None else argv
    name = argv[0] if argv else ""
    if name not in COMMANDS:
        print(f"Perintah '{name}' tidak dikenal; yang diterima: {', '.join(COMMANDS)}.", file=sys.stderr)
        return 2
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no 'no runtime' warnings from ui's caches
    return int(importlib.import_module(COMMANDS[name]).main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
