"""Who may see what: a user's role and scope, and the one rule every query obeys (`clamp`). No Streamlit here.

Roles: nasional (everything), provinsi (one province), kabkota (one kab/kota), pembaca (a reader: its scope,
no downloads). A requested Scope outside the user's falls back to the user's own, with a notice key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pantau.filters import Scope


class Role(StrEnum):
    """What a user may do; the scope says where."""

    NASIONAL = "nasional"
    PROVINSI = "provinsi"
    KABKOTA = "kabkota"
    PEMBACA = "pembaca"


#: The scope level each role's scope must have (pembaca: any).
ROLE_LEVEL = {Role.NASIONAL: "nasional", Role.PROVINSI: "provinsi", Role.KABKOTA: "kabkota"}


@dataclass(frozen=True)
class User:
    """A signed-in person (or OPEN, the app running without accounts on the sample)."""

    name: str
    role: Role
    scope: Scope
    source: str = "local"  # "local", "oidc" or "open"

    def __post_init__(self) -> None:
        want = ROLE_LEVEL.get(self.role)
        if want is not None and self.scope.level != want:
            raise ValueError(f"role {self.role.value} needs a {want} scope, got {self.scope.param!r}")

    @property
    def may_download(self) -> bool:
        """pembaca reads on screen only."""
        return self.role is not Role.PEMBACA

    @property
    def reads_audit(self) -> bool:
        """Only the national office reads the audit log and the row-level rejects."""
        return self.role is Role.NASIONAL


#: The app running open (no accounts, sample data or PANTAU_OPEN=1): sees everything, as before.
OPEN = User("-", Role.NASIONAL, Scope(), source="open")


def code_within(code: str | None, outer: Scope) -> bool:
    """True when region `code` (None: the whole nation) lies in `outer` ('18.01' within '18' within nasional)."""
    if outer.code is None:
        return True
    if code is None:
        return False
    return code == outer.code or code.startswith(outer.code + ".")


def within(inner: Scope, outer: Scope) -> bool:
    """True when every row of `inner` is a row of `outer`."""
    return code_within(inner.code, outer)


def allowed(user: User | None, scope: Scope) -> bool:
    """May `user` see `scope`? Nobody (None) sees anything."""
    return user is not None and within(scope, user.scope)


def clamp(user: User | None, requested: Scope) -> tuple[Scope, str | None]:
    """The scope to query: `requested` when allowed, else the user's own with the i18n key of a notice
    ('scope_clamped'). PermissionError when there is no user at all."""
    if user is None:
        raise PermissionError("no signed-in user")
    if within(requested, user.scope):
        return requested, None
    return user.scope, "scope_clamped"


def clamp_codes(user: User | None, codes: Iterable[str]) -> list[str]:
    """The region codes (e.g. kab/kota to compare) the user may see, in order; the others dropped."""
    if user is None:
        raise PermissionError("no signed-in user")
    return [c for c in codes if code_within(str(c), user.scope)]
