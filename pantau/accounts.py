"""Local accounts: a JSON file outside the repository (PANTAU_USERS, default ~/.config/pantau/users.json),
argon2id hashes (argon2-cffi), written atomically with mode 0600; and the sign-in check with its rate limit.
No Streamlit here."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pantau.access import Role, User
from pantau.filters import Scope

_HASHER = PasswordHasher()
#: A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _HASHER.hash("pantau-dummy-password")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A command about accounts that cannot be done, said in one sentence."""


def users_path() -> Path:
    """PANTAU_USERS, or $XDG_CONFIG_HOME/pantau/users.json (~/.config/pantau/users.json)."""
    env = os.environ.get("PANTAU_USERS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pantau" / "users.json"


def load(path: Path | None = None) -> dict[str, dict]:
    """name -> record {role, scope, hash, disabled}; {} when the file does not exist."""
    p = path or users_path()
    if not p.exists():
        return {}
    data = json.loads(p.read_text(encoding="utf-8"))
    return dict(data.get("users", {}))


def save(records: dict[str, dict], path: Path | None = None) -> None:
    """Write atomically (a temporary file in the same folder, then rename), readable by the owner only."""
    p = path or users_path()
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".users-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"users": records}, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_user(name: str, role: str, scope: str) -> User:
    """A User from the strings a command gets; AccountError on a bad role or scope."""
    try:
        return User(name, Role(role), Scope.parse(scope))
    except ValueError as exc:
        raise AccountError(f"peran atau wilayah tidak sah: {exc}") from exc


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"kata sandi terlalu pendek: minimal {MIN_PASSWORD} karakter")


def add(name: str, role: str, scope: str, password: str, path: Path | None = None) -> User:
    """Add an account; AccountError if the name exists or role, scope or password is not acceptable."""
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise AccountError("nama akun tidak boleh kosong atau berisi spasi")
    records = load(path)
    if name in records:
        raise AccountError(f"akun {name!r} sudah ada")
    user = make_user(name, role, scope)
    _check_password(password)
    records[name] = {"role": user.role.value, "scope": user.scope.param, "hash": _HASHER.hash(password),
                     "disabled": False}
    save(records, path)
    return user


def set_password(name: str, password: str, path: Path | None = None) -> None:
    records = load(path)
    if name not in records:
        raise AccountError(f"akun {name!r} tidak ada")
    _check_password(password)
    records[name]["hash"] = _HASHER.hash(password)
    save(records, path)


def disable(name: str, path: Path | None = None) -> None:
    records = load(path)
    if name not in records:
        raise AccountError(f"akun {name!r} tidak ada")
    records[name]["disabled"] = True
    save(records, path)


def verify(name: str, password: str, path: Path | None = None) -> User | None:
    """The user when name and password match an enabled account, else None (never saying which was wrong)."""
    rec = load(path).get(name.strip())
    try:
        _HASHER.verify(rec["hash"] if rec else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if rec is None or rec.get("disabled"):
        return None
    return make_user(name.strip(), rec["role"], rec["scope"])


def add_oidc(email: str, role: str, scope: str, path: Path | None = None) -> User:
    """An identity provider's person (by e-mail) given a role and scope; no password (it cannot sign in locally)."""
    records = load(path)
    if email in records:
        raise AccountError(f"akun {email!r} sudah ada")
    user = make_user(email, role, scope)
    records[email] = {"role": user.role.value, "scope": user.scope.param, "hash": "", "disabled": False,
                      "oidc": True}
    save(records, path)
    return user


def oidc_user(email: str, path: Path | None = None) -> User | None:
    """The account of an identity provider's e-mail, when there is an enabled one marked oidc."""
    rec = load(path).get(email)
    if not email or not rec or not rec.get("oidc") or rec.get("disabled"):
        return None
    user = make_user(email, rec["role"], rec["scope"])
    return User(user.name, user.role, user.scope, source="oidc")


def is_enabled(name: str, path: Path | None = None) -> bool:
    """Still an enabled account (checked on every run: a disabled account is signed out at once)."""
    rec = load(path).get(name)
    return bool(rec) and not rec.get("disabled")


@dataclass
class RateLimit:
    """At most `attempts` failed sign-ins per account key ('u:name') and `address_attempts` per address key
    ('a:10.0.0.7') within `window` seconds. An address gets more: behind a proxy every office shares one."""

    attempts: int = 5
    window: float = 300.0
    address_attempts: int = 20

    def __post_init__(self) -> None:
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str, now: float | None = None) -> bool:
        """True when any key has used up its attempts."""
        t = time.monotonic() if now is None else now
        with self._lock:
            return any(len(self._recent(k, t)) >= self._limit(k) for k in keys if k)

    def _limit(self, key: str) -> int:
        return self.address_attempts if key.startswith("a:") else self.attempts

    def failed(self, *keys: str, now: float | None = None) -> None:
        t = time.monotonic() if now is None else now
        with self._lock:
            for k in keys:
                if k:
                    self._recent(k, t).append(t)
