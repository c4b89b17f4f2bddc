"""Who may publish an upload, and publishing as a signed-in account (issue 18 point 3's role rule). No Streamlit.

nasional publishes anywhere; provinsi and kabkota publish rows of their own region only: a staged row placed outside
it (its region, kab/kota or desa; an activity's location and organiser) is set aside with the reason 'di luar
wilayah akun Anda (...)' like any other problem (etl.loaders), at the check and again at the build. pembaca never
publishes. The seats reference (the members each Bawaslu has by law) is the nation's: nasional only. Every publish
is an audit line (action "publish", the file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from etl import uploads
from etl.file_values import FILLED_BY_FILE
from etl.uploads import Published, Staged, UploadRefused
from pantau import audit, i18n
from pantau.access import Role, User

#: Kinds only a nasional account publishes.
NATIONAL_KINDS = frozenset({"seats_reference"})


def upload_scope(user: User) -> str | None:
    """The region code an account's uploads must lie in: None for nasional (anywhere), its own region otherwise."""
    return None if user.role is Role.NASIONAL else user.scope.code


def account_values(user: User, table: str) -> dict[str, str]:
    """What an account's own office stands for in a file that names none: its region as the office that wrote it
    (the organiser of activities, the evaluator of plenos: FILLED_BY_FILE's 'office' columns). None for nasional."""
    own = upload_scope(user)
    if own is None:
        return {}
    return {column: own for column, kind in FILLED_BY_FILE.get(table, {}).items() if kind == "office"}


def may_upload(user: User | None) -> bool:
    """May this account publish at all? (pembaca and nobody may not)."""
    return user is not None and user.role is not Role.PEMBACA


class NotAllowed(UploadRefused):
    """A refusal for the account's rights, not the file's content: one sentence (i18n ``key``), said in the page's
    language by ``said``; ``str()`` is the Indonesian."""

    def __init__(self, key: str, name: str = "") -> None:
        self.key, self.name = key, name
        super().__init__(self.said(i18n.DEFAULT_LANG))

    def said(self, lang: str) -> str:
        text = i18n.t(self.key, lang)
        return f"{self.name}: {text}" if self.name else text


def said(refused: UploadRefused, lang: str) -> str:
    """What the page says of a refusal: an account's (NotAllowed) in ``lang``; a file's as etl.uploads wrote it."""
    return refused.said(lang) if isinstance(refused, NotAllowed) else str(refused)


def refusal(user: User | None, table: str) -> str | None:
    """The i18n key of why ``user`` may not publish data of kind ``table``, or None."""
    if not may_upload(user):
        return "up_reader"
    if table in NATIONAL_KINDS and user.role is not Role.NASIONAL:  # type: ignore[union-attr]
        return "up_national_only"
    return None


def stage_as(user: User, name: str, data: bytes, workdir: Path | str, *, table: str | None = None,
             values: dict[str, str] | None = None, today: dt.date | None = None) -> Staged:
    """``etl.uploads.stage`` for this account: rows outside its region set aside; a kind it may not publish, or no
    right to publish at all, refused in one sentence (NotAllowed)."""
    if (why := refusal(user, table or "")) is not None:
        raise NotAllowed(why)
    staged = uploads.stage(name, data, workdir, table=table, values=values, today=today, scope=upload_scope(user))
    if (why := refusal(user, staged.table)) is not None:
        uploads.discard(staged)
        raise NotAllowed(why, staged.name)
    return staged


def publish_as(user: User, items: Sequence[Staged], warehouse: Path | str, *, who: str | None = None,
               address: str | None = None, today: dt.date | None = None) -> Published:
    """Publish checked uploads as ``user`` (``etl.uploads.publish_uploads``), each an audit line 'publish'.
    Refuses (NotAllowed, nothing changed) a kind the account may not publish, or an upload checked for another
    region than the account's. ``who`` is the sender's name (the account's unless the app runs open)."""
    for s in items:
        if (why := refusal(user, s.table)) is not None:
            raise NotAllowed(why, s.name)
        if s.scope != upload_scope(user):
            raise NotAllowed("up_other_region", s.name)
    done = uploads.publish_uploads(items, warehouse, who=who or user.name, today=today)
    for source in done.sources:
        audit.record(who or user.name, address, user.scope.param, "publish", source)
    return done
