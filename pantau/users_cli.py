"""`python -m pantau users add NAME --role ROLE --scope CODE | list | disable NAME | passwd NAME`: local accounts
(pantau/accounts.py). Passwords come from a prompt (asked twice) or one line of standard input (--password-stdin)."""

from __future__ import annotations

import argparse
import getpass
import sys

from pantau import accounts
from pantau.access import Role


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        raise accounts.AccountError("kedua kata sandi tidak sama")
    return first


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pantau users", description="Akun lokal Pantau "
                                "(berkas: PANTAU_USERS, bawaan ~/.config/pantau/users.json).")
    sub = p.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="tambah akun")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--scope", default="nasional", help="kode wilayah: nasional, 18 atau 18.01")
    add.add_argument("--password-stdin", action="store_true")
    add.add_argument("--oidc", action="store_true", help="orang dari penyedia identitas (NAME = e-mail), tanpa sandi")
    sub.add_parser("list", help="daftar akun")
    dis = sub.add_parser("disable", help="nonaktifkan akun")
    dis.add_argument("name")
    pw = sub.add_parser("passwd", help="ganti kata sandi")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a refused one prints one sentence and returns 1."""
    args = parser().parse_args(argv)
    try:
        if args.cmd == "add":
            user = (accounts.add_oidc(args.name, args.role, args.scope) if args.oidc
                    else accounts.add(args.name, args.role, args.scope, _password(args.password_stdin)))
            print(f"Akun {user.name} ({user.role.value}, {user.scope.param}) ditambahkan ke {accounts.users_path()}")
        elif args.cmd == "list":
            for name, rec in sorted(accounts.load().items()):
                state = "nonaktif" if rec.get("disabled") else "aktif"
                print(f"{name}\t{rec['role']}\t{rec['scope']}\t{state}")
        elif args.cmd == "disable":
            accounts.disable(args.name)
            print(f"Akun {args.name} dinonaktifkan")
        else:
            accounts.set_password(args.name, _password(args.password_stdin))
            print(f"Kata sandi {args.name} diganti")
    except (accounts.AccountError, OSError, ValueError) as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    return 0
