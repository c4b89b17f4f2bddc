"""`python -m pantau COMMAND ...`: a thin dispatcher; each command lives in its own module."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    commands = {"users": "pantau.users_cli"}
    if not argv or argv[0] not in commands:
        print(f"usage: python -m pantau {{{','.join(commands)}}} ...", file=sys.stderr)
        return 64
    import importlib

    return int(importlib.import_module(commands[argv[0]]).main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
