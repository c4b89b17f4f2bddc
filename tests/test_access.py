"""Access (issue 16): roles and scope clamped in the query wrapper, local accounts, sign-in, open mode."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pantau import accounts, activity, audit, compare, coverage, quality
from pantau.access import OPEN, Role, User, allowed, clamp, clamp_codes
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import tiny_warehouse
from ui import auth
from ui.data import cached

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
LAMPUNG, BENGKULU = Scope("provinsi", "18"), Scope("provinsi", "19")
YEAR = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
AS_OF = dt.date(2024, 12, 31)
PASSWORD = "rahasia-panjang-1"


@pytest.fixture(scope="module")
def wh_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_warehouse(tmp_path_factory.mktemp("access") / "wh")


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An accounts file with one user of each role (and the audit log beside it)."""
    path = tmp_path / "cfg" / "users.json"
    monkeypatch.setenv("PANTAU_USERS", str(path))
    monkeypatch.setenv("PANTAU_AUDIT", str(tmp_path / "audit.jsonl"))
    accounts.add("pusat", "nasional", "nasional", PASSWORD)
    accounts.add("lampung", "provinsi", "18", PASSWORD)
    accounts.add("selatan", "kabkota", "18.01", PASSWORD)
    accounts.add("baca", "pembaca", "18", PASSWORD)
    auth.limiter.clear()
    return path


@pytest.fixture
def session():
    """The bare-mode session state, emptied after the test."""
    yield st.session_state
    for key in list(st.session_state.keys()):
        del st.session_state[key]


# --- the rule ---------------------------------------------------------------------------------------------------

def test_every_role_is_clamped_to_its_scope() -> None:
    nas = User("a", Role.NASIONAL, Scope())
    prov = User("b", Role.PROVINSI, LAMPUNG)
    kab = User("c", Role.KABKOTA, Scope("kabkota", "18.01"))
    reader = User("d", Role.PEMBACA, BENGKULU)
    assert clamp(nas, BENGKULU) == (BENGKULU, None)
    assert clamp(prov, BENGKULU) == (LAMPUNG, "scope_clamped")
    assert clamp(prov, Scope()) == (LAMPUNG, "scope_clamped")
    assert clamp(prov, Scope("kabkota", "18.72")) == (Scope("kabkota", "18.72"), None)
    assert clamp(kab, LAMPUNG) == (Scope("kabkota", "18.01"), "scope_clamped")  # cannot widen to its province
    assert clamp(kab, Scope("kabkota", "18.72"))[0] == Scope("kabkota", "18.01")
    assert clamp(reader, LAMPUNG)[0] == BENGKULU and not reader.may_download
    assert not allowed(None, LAMPUNG) and allowed(OPEN, BENGKULU)
    assert clamp_codes(prov, ["18.01", "19.04", "18.72", "180"]) == ["18.01", "18.72"]
    with pytest.raises(PermissionError):
        clamp(None, LAMPUNG)
    with pytest.raises(ValueError):
        User("x", Role.PROVINSI, Scope())  # a provinsi role needs a provinsi scope


def test_query_wrapper_returns_only_the_users_rows(wh_root: Path, users: Path, session) -> None:
    wh = open_warehouse(wh_root)
    auth.sign_in(accounts.verify("lampung", PASSWORD))
    asked = cached(coverage.fill_rate)(wh, BENGKULU, AS_OF, "pemilu_2024")
    own = coverage.fill_rate(wh, LAMPUNG, AS_OF, "pemilu_2024")
    pd.testing.assert_frame_equal(asked, own)
    assert not asked.empty and all(c.startswith("18.") for c in asked["region_code"])
    by_kw = cached(activity.activity_list)(wh, scope=Scope(), period=YEAR)  # a keyword Scope too
    assert set(by_kw["region_code"].str[:2]) <= {"18"} and not by_kw.empty
    cmp = cached(compare.compare_kabkota)(wh, ["18.01", "19.04"], YEAR, AS_OF, "pemilu_2024")
    assert set(cmp["region_code"]) == {"18.01"}
    assert cached(quality.rejects)(wh).empty and not quality.rejects(wh).empty  # row-level rejects: nasional only

    auth.sign_in(accounts.verify("selatan", PASSWORD))
    kab = cached(coverage.gaps)(wh, LAMPUNG, AS_OF, "pemilu_2024")
    assert set(kab["region_code"].str[:5]) <= {"18.01"}
    pd.testing.assert_frame_equal(kab, coverage.gaps(wh, Scope("kabkota", "18.01"), AS_OF, "pemilu_2024"))

    auth.sign_out()
    with pytest.raises(PermissionError):  # accounts exist, nobody signed in: no rows at all
        cached(coverage.fill_rate)(wh, LAMPUNG, AS_OF, "pemilu_2024")


def test_without_accounts_sample_is_open_real_data_refused(tmp_path: Path, session,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sample = open_warehouse(tiny_warehouse(tmp_path / "s"))
    real = open_warehouse(tiny_warehouse(tmp_path / "r", sample=False))
    assert not cached(coverage.fill_rate)(sample, BENGKULU, AS_OF, "pemilu_2024").empty
    with pytest.raises(PermissionError):
        cached(coverage.fill_rate)(real, BENGKULU, AS_OF, "pemilu_2024")
    monkeypatch.setenv("PANTAU_OPEN", "1")
    assert not cached(coverage.fill_rate)(real, BENGKULU, AS_OF, "pemilu_2024").empty


# --- accounts --------------------------------------------------------------------------------------------------

def test_accounts_file_hashes_and_refusals(users: Path) -> None:
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    text = users.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert accounts.verify("lampung", PASSWORD) == User("lampung", Role.PROVINSI, LAMPUNG)
    assert accounts.verify("lampung", "salah-sekali-123") is None
    assert accounts.verify("tidak-ada", PASSWORD) is None
    accounts.disable("lampung")
    assert accounts.verify("lampung", PASSWORD) is None and not accounts.is_enabled("lampung")
    accounts.set_password("pusat", "kata-sandi-baru-9")
    assert accounts.verify("pusat", "kata-sandi-baru-9") and accounts.verify("pusat", PASSWORD) is None
    for bad in (lambda: accounts.add("x", "provinsi", "nasional", PASSWORD),
                lambda: accounts.add("y", "raja", "18", PASSWORD),
                lambda: accounts.add("z", "provinsi", "18", "pendek"),
                lambda: accounts.add("pusat", "nasional", "nasional", PASSWORD)):
        with pytest.raises(accounts.AccountError):
            bad()


def test_rate_limit_per_account_and_per_address() -> None:
    limit = accounts.RateLimit(attempts=3, window=60, address_attempts=5)
    for i in range(3):
        assert not limit.blocked("u:a", "a:1.2.3.4", now=i)
        limit.failed("u:a", "a:1.2.3.4", now=i)
    assert limit.blocked("u:a", now=10) and not limit.blocked("u:other", "a:1.2.3.4", now=10)
    limit.failed("u:b", "a:1.2.3.4", now=11)
    limit.failed("u:c", "a:1.2.3.4", now=12)
    assert limit.blocked("u:other", "a:1.2.3.4", now=13)  # five from one address, whatever the names
    assert not limit.blocked("u:b", "a:5.6.7.8", now=13)
    assert not limit.blocked("u:a", "a:1.2.3.4", now=100)  # the window passed


def test_users_command(tmp_path: Path) -> None:
    env = {**os.environ, "PANTAU_USERS": str(tmp_path / "u.json")}

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pantau", "users", *args], input=stdin, text=True,
                              capture_output=True, env=env, cwd=ROOT, timeout=60)

    assert cli("add", "lampung", "--role", "provinsi", "--scope", "18", "--password-stdin",
               stdin=PASSWORD + "\n").returncode == 0
    bad = cli("add", "x", "--role", "provinsi", "--scope", "18.1", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "Gagal" in bad.stderr
    assert cli("disable", "lampung").returncode == 0
    assert cli("list").stdout.split() == ["lampung", "provinsi", "18", "nonaktif"]


# --- the app ---------------------------------------------------------------------------------------------------

def app(wh_root: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("PANTAU_WAREHOUSE", str(wh_root))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button[-1].click().run()


def test_sign_in_then_another_province_by_url_falls_back(wh_root: Path, users: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(wh_root, monkeypatch, wilayah="19", periode="tahun_pemilu_2024")
    assert not at.exception and [t.value for t in at.title] == ["Masuk ke Pantau"] and not at.metric
    at = sign_in(at, "lampung", "salah-sekali-123")
    assert [e.value for e in at.error] == ["Nama akun atau kata sandi salah."]
    wrong_name = sign_in(app(wh_root, monkeypatch), "lampungx", PASSWORD)
    assert [e.value for e in wrong_name.error] == ["Nama akun atau kata sandi salah."]  # the same words
    at = sign_in(at, "lampung", PASSWORD)
    assert not at.exception and not at.error
    assert at.query_params["wilayah"] == "18"
    assert any("di luar wilayah akun Anda" in i.value for i in at.info)
    assert at.selectbox(key="w_prov").options == ["Lampung"]
    events = audit.read()
    assert list(events["action"])[:2] == ["signin", "signin_failed"] and events["who"].iloc[0] == "lampung"


def test_rate_limited_sign_in(wh_root: Path, users: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(wh_root, monkeypatch)
    for _ in range(5):
        at = sign_in(at, "pusat", "salah-sekali-123")
    at = sign_in(at, "pusat", PASSWORD)  # the right password, too late
    assert [e.value for e in at.error][-1].startswith("Terlalu banyak percobaan")
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]


def test_idle_session_expires_and_disabled_account_is_signed_out(wh_root: Path, users: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_IDLE_MINUTES", str(1.5 / 60))  # 1.5 s
    at = sign_in(app(wh_root, monkeypatch), "pusat", PASSWORD)
    assert not at.error and at.metric
    time.sleep(1.7)
    at.run()
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]
    assert any("lama tidak aktif" in i.value for i in at.info)
    at = sign_in(at, "pusat", PASSWORD)
    assert at.metric
    accounts.disable("pusat")
    at.run()
    assert [t.value for t in at.title] == ["Masuk ke Pantau"] and not at.metric


def test_real_data_without_accounts_is_refused_unless_open_on_purpose(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real = tiny_warehouse(tmp_path / "real", sample=False)
    at = app(real, monkeypatch)
    assert not at.exception and not at.metric
    assert "data sungguhan" in at.error[0].value and "python -m pantau users add" in at.code[0].value
    monkeypatch.setenv("PANTAU_OPEN", "1")
    at = app(real, monkeypatch)
    assert at.metric and "PANTAU_OPEN=1" in at.warning[0].value


def test_open_on_the_sample_says_so(wh_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(wh_root, monkeypatch)
    assert at.metric and any("Mode terbuka" in w.value for w in at.warning)


def test_pembaca_sees_no_download_and_a_download_is_audited(wh_root: Path, users: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(wh_root, monkeypatch, periode="tahun_pemilu_2024"), "baca", PASSWORD)
    assert at.metric and not at.get("download_button")  # no table file and no slide deck (issue 14)
    assert "Tambah ke slide" not in [b.label for b in at.button]
    assert "Peran pembaca tidak dapat mengunduh." in [c.value for c in at.caption]
    at = sign_in(app(wh_root, monkeypatch, periode="tahun_pemilu_2024"), "lampung", PASSWORD)
    assert at.get("download_button")  # a provinsi account downloads (what the file holds: tests/test_browser_access)


def test_kualitas_audit_and_rejects_for_nasional_only_unggah_within_the_region(wh_root: Path, users: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    prov = sign_in(app(wh_root, monkeypatch), "lampung", PASSWORD)
    prov.switch_page("pages/7_kualitas.py").run()
    heads = [s.value for s in prov.subheader]
    assert "Log audit" not in heads and "Baris ditolak" not in " ".join(heads)
    prov.switch_page("pages/8_unggah.py").run()
    assert prov.get("file_uploader") and any("Lampung saja" in c.value for c in prov.caption)  # issue 18 point 3
    nas = sign_in(app(wh_root, monkeypatch), "pusat", PASSWORD)
    nas.switch_page("pages/7_kualitas.py").run()
    assert not nas.exception and "Log audit" in [s.value for s in nas.subheader]
    log = next(d.value for d in nas.dataframe if "action" in d.value.columns)
    assert {"lampung", "pusat"} <= set(log["who"]) and "signin" in set(log["action"])


def test_script_in_a_text_field_is_shown_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factory import tiny_tables, write_warehouse

    tables = tiny_tables()
    hostile = "<script>alert('x')</script><b>tebal</b>"
    tables["activities"].loc[tables["activities"]["title"] == "Sosialisasi netralitas", "title"] = hostile
    root = write_warehouse(tmp_path / "wh", tables)
    at = app(root, monkeypatch, wilayah="18", periode="tahun_pemilu_2024")
    at.switch_page("pages/4_kegiatan.py").run()
    assert not at.exception
    listed = next(d.value for d in at.dataframe if hostile in set(d.value.astype(str).stack()))
    assert len(listed)
    for md in at.markdown:  # no element renders the title as live HTML
        assert "<script" not in md.value or not md.proto.allow_html


def test_with_an_identity_provider_the_sign_in_page_offers_it_and_shows_no_data(
        wh_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_USERS", str(tmp_path / "none.json"))  # no local accounts: only the provider
    monkeypatch.setenv("PANTAU_WAREHOUSE", str(wh_root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "pantau", "client_secret": "s",
                          "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at.run()
    assert not at.exception and not at.metric and not at.get("plotly_chart")
    assert [b.label for b in at.button] == ["Masuk dengan penyedia identitas"] and not at.text_input
    # the provider's person gets the role and scope an admin gave their e-mail, never more
    accounts.add_oidc("rina@bawaslu.go.id", "provinsi", "18", path=tmp_path / "none.json")
    user = accounts.oidc_user("rina@bawaslu.go.id", path=tmp_path / "none.json")
    assert user is not None and user.scope.param == "18" and user.source == "oidc"
    assert accounts.oidc_user("other@example.org", path=tmp_path / "none.json") is None
