"""Who is signed in, for this session: local accounts (our sign-in form) or OIDC (st.login / st.user), idle
expiry, the rate limit, and open mode (no accounts: the sample only, or PANTAU_OPEN=1). `current_user()` is what
ui.data.cached clamps every query to; `gate()` runs before any page draws."""

from __future__ import annotations

import os
import time

import streamlit as st

from pantau import accounts, audit
from pantau.access import OPEN, User
from pantau.i18n import label, t
from pantau.warehouse import Warehouse

_USER, _SEEN = "pantau_user", "pantau_seen"
FIRST_USER = "python -m pantau users add NAMA --role nasional --scope nasional"


def idle_seconds() -> float:
    """PANTAU_IDLE_MINUTES (default 30) in seconds."""
    try:
        return max(1.0, float(os.environ.get("PANTAU_IDLE_MINUTES", "30")) * 60)
    except ValueError:
        return 1800.0


def oidc_configured() -> bool:
    """An [auth] section in .streamlit/secrets.toml (Streamlit's built-in OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def accounts_configured() -> bool:
    """Local accounts exist, or an identity provider is set up."""
    return bool(accounts.load()) or oidc_configured()


def open_allowed(wh: Warehouse) -> bool:
    """Open mode (no sign-in): only without accounts, and only on the sample unless PANTAU_OPEN=1."""
    return not accounts_configured() and (wh.is_sample or os.environ.get("PANTAU_OPEN") == "1")


def address() -> str:
    """The browser's address as Streamlit sees it (behind a proxy: the proxy's, unless it forwards it)."""
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session (bare mode)
        return ""
    return ip if isinstance(ip, str) else ""  # AppTest has no address


def sign_in(user: User) -> None:
    """Make `user` this session's user (after the password or the identity provider said so)."""
    st.session_state[_USER] = user
    st.session_state[_SEEN] = time.monotonic()


def sign_out(action: str = "signout") -> None:
    user = st.session_state.pop(_USER, None)
    st.session_state.pop(_SEEN, None)
    if user is not None:
        audit.record(user.name, address(), user.scope.param, action)


def _session_user() -> tuple[User | None, str | None]:
    """The signed-in user still valid (not idle too long, not disabled since), and the notice key if it lapsed."""
    user: User | None = st.session_state.get(_USER)
    if user is None:
        return None, None
    if time.monotonic() - st.session_state.get(_SEEN, 0.0) > idle_seconds():
        sign_out("expired")
        return None, "signin_expired"
    if user.source == "local" and not accounts.is_enabled(user.name):
        sign_out("disabled")
        return None, None
    st.session_state[_SEEN] = time.monotonic()
    return user, None


#: The account a command line run acts as (`python -m pantau report --as NAME`); None in the app.
_cli_user: User | None = None


def act_as(user: User | None) -> None:
    """Make `user` the user of this process's command-line run (no browser session to hold it)."""
    global _cli_user
    _cli_user = user


def current_user(wh: Warehouse) -> User | None:
    """This session's user: the signed-in one (or a command line's `act_as`), OPEN in open mode, else None."""
    user = _cli_user or st.session_state.get(_USER)
    if user is not None:
        return user
    return OPEN if open_allowed(wh) else None


@st.cache_resource(show_spinner=False)
def limiter() -> accounts.RateLimit:
    """One rate limit for the whole process (every session), so a new tab does not reset it; per address
    PANTAU_SIGNIN_ADDRESS_LIMIT failures (default 20) in five minutes."""
    try:
        per_address = int(os.environ.get("PANTAU_SIGNIN_ADDRESS_LIMIT", "20"))
    except ValueError:
        per_address = 20
    return accounts.RateLimit(address_attempts=per_address)


def try_password(name: str, password: str) -> str | None:
    """Sign in with a local account; None on success, else the i18n key of the one message shown."""
    ip = address()
    keys = (f"u:{name.strip().lower()}", f"a:{ip}" if ip else "")
    if limiter().blocked(*keys):
        audit.record(name, address(), "", "signin_blocked")
        return "signin_blocked"
    user = accounts.verify(name, password)
    if user is None:
        limiter().failed(*keys)
        audit.record(name, address(), "", "signin_failed")
        return "signin_failed"
    sign_in(user)
    audit.record(user.name, address(), user.scope.param, "signin")
    return None


def _oidc_user(lang: str) -> User | None:
    """The identity provider's signed-in person mapped to an account of the users file (role and scope)."""
    if not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email") or "")
    user = accounts.oidc_user(email)
    if user is None:
        st.error(t("oidc_no_account", lang, email=email or "?"), icon=":material/no_accounts:")
        st.button(t("signout", lang), on_click=st.logout)
        st.stop()
    sign_in(user)
    audit.record(user.name, address(), user.scope.param, "signin_oidc")
    return user


def _form(lang: str, notice: str | None) -> None:
    """Our own sign-in page: name and password, one message on failure whichever was wrong."""
    st.title(t("signin_title", lang))
    if notice:
        st.info(t(notice, lang), icon=":material/timer_off:")
    if oidc_configured():
        st.button(t("signin_oidc", lang), on_click=st.login, icon=":material/login:")
    if not accounts.load():
        return
    with st.form("signin", border=True, width=420):
        name = st.text_input(t("signin_name", lang), key="signin_name")
        password = st.text_input(t("signin_password", lang), type="password", key="signin_password")
        submitted = st.form_submit_button(t("signin_button", lang), type="primary")
    if submitted:
        problem = try_password(name or "", password or "")
        if problem is None:
            st.rerun()
        st.error(t(problem, lang), icon=":material/lock:")


def gate(wh: Warehouse, lang: str) -> User:
    """Before any page draws: the user this run serves, or the sign-in page / the open-mode refusal (run stops)."""
    if not accounts_configured():
        if open_allowed(wh):
            st.warning(t("open_mode" if wh.is_sample else "open_mode_real", lang), icon=":material/lock_open:")
            return OPEN
        st.title(t("app_title", lang))
        st.error(t("open_refused", lang), icon=":material/lock:")
        st.code(FIRST_USER, language="bash")
        st.stop()
    user, notice = _session_user()
    if user is None and oidc_configured():
        user = _oidc_user(lang)
    if user is None:
        _form(lang, notice)
        st.stop()
    with st.sidebar:
        st.caption(t("signed_in_as", lang, name=user.name, role=label("role", user.role.value, lang),
                     scope=user.scope.param))
        st.button(t("signout", lang), key="signout", on_click=_sign_out_everywhere, icon=":material/logout:")
    return user


def _sign_out_everywhere() -> None:
    """Sign out of Pantau and, for an identity provider's user, of Streamlit's OIDC cookie too."""
    user = st.session_state.get(_USER)
    sign_out()
    if user is not None and user.source == "oidc":
        st.logout()

