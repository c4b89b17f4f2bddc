"""SQL sources against a real PostgreSQL server: a table and a query, read-only, password never shown.

Needs PANTAU_PG_URL (e.g. postgresql+psycopg://pantau:pantau@127.0.0.1:5432/pantau_test; .ci/run starts
the server and sets it). Skipped without it; with PANTAU_REQUIRE_PG=1 (CI) a missing or unreachable
server fails the tests instead. Each run works in its own schema, dropped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import date

import pandas as pd
import pytest
from test_build import TODAY, activities, runs

from etl.build import build
from etl.errors import SourceError

PG_URL = os.environ.get("PANTAU_PG_URL", "")
REQUIRE = os.environ.get("PANTAU_REQUIRE_PG") == "1"


@pytest.fixture(scope="module")
def pg():
    """(engine, schema): a fresh schema holding two source tables and a function that writes."""
    if not PG_URL:
        if REQUIRE:
            pytest.fail("PANTAU_REQUIRE_PG=1 but PANTAU_PG_URL is not set")
        pytest.skip("no PostgreSQL server: set PANTAU_PG_URL=postgresql+psycopg://user:pw@host:port/db to run")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(PG_URL)
    try:
        conn = engine.connect()
    except Exception as exc:  # noqa: BLE001
        where = make_url(PG_URL).render_as_string(hide_password=True)
        if REQUIRE:
            pytest.fail(f"PANTAU_REQUIRE_PG=1 but PostgreSQL at {where} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {where} is unreachable: {exc}")
    schema = f"pantau_src_{secrets.token_hex(4)}"
    with conn.begin():
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        for name in ("kegiatan", "kegiatan_lain"):
            conn.execute(text(f"CREATE TABLE {schema}.{name} (id_kegiatan text PRIMARY KEY, tanggal date, "
                              f"penyelenggara text, lokasi text, jenis text, judul text, peserta integer)"))
        rows = [("P1", date(2023, 2, 20), "19.04", "19.04.01", "mou", "MoU Sambang Pengawasan Koba", 12),
                ("P2", date(2023, 2, 20), "Kabupaten Bangka Tengah", "Lubuk Besar", "MoU", "MoU Lubuk Besar", 10),
                ("P3", date(2024, 8, 22), "74", "74.71", "evaluasi", "Evaluasi pleno mingguan", None)]
        conn.execute(text(f"INSERT INTO {schema}.kegiatan VALUES (:i, :d, :o, :r, :t, :j, :p)"),
                     [dict(zip("idortjp", r, strict=True)) for r in rows])
        other = [("Q1", date(2024, 7, 23), "18", "18.72", "pembinaan", "Pembinaan aparatur", 55),
                 ("Q2", date(2023, 10, 18), "18", "18.71", "pembinaan", "Pembinaan Kasek", 40),
                 ("Q3", date(2024, 1, 8), "18", "18.71", "sosialisasi", "Sosialisasi", 80)]
        conn.execute(text(f"INSERT INTO {schema}.kegiatan_lain VALUES (:i, :d, :o, :r, :t, :j, :p)"),
                     [dict(zip("idortjp", r, strict=True)) for r in other])
        conn.execute(text(f"CREATE TABLE {schema}.log (n integer)"))
        conn.execute(text(f"CREATE FUNCTION {schema}.bump() RETURNS integer LANGUAGE sql AS "
                          f"$$ INSERT INTO {schema}.log VALUES (1) RETURNING n $$"))
    try:
        yield engine, schema
    finally:
        with conn.begin():
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        conn.close()
        engine.dispose()


def _manifest(tmp_path, *entries: str) -> object:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
    return src


def _scalar(engine, sql: str):
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_a_table_and_a_query_load_and_are_reused_until_they_change(pg, tmp_path):
    engine, schema = pg
    src = _manifest(
        tmp_path,
        f'[[source]]\ntable = "activities"\nurl_env = "PANTAU_PG_URL"\nsql_table = "{schema}.kegiatan"\n',
        f'[[source]]\ntable = "activities"\nurl_env = "PANTAU_PG_URL"\n'
        f'query = "SELECT * FROM {schema}.kegiatan_lain WHERE jenis = \'pembinaan\' ORDER BY id_kegiatan"\n')
    wh = tmp_path / "wh"
    first = build(src, wh, today=TODAY)

    got = activities(wh).set_index("activity_id")
    assert got.index.tolist() == ["P1", "P2", "P3", "Q1", "Q2"]  # Q3 is not pembinaan
    assert got.loc["P2", "region_code"] == "19.04.06"  # "Lubuk Besar" inside Kabupaten Bangka Tengah
    assert got.loc["P2", "type"] == "mou"
    assert pd.Timestamp(got.loc["P1", "date"]).date() == date(2023, 2, 20)
    assert got.loc["P3", "region_code"] == "74.71" and got.loc["Q1", "participants"] == 55
    password = (PG_URL.split("://", 1)[1].split("@", 1)[0].split(":", 1) + [""])[1]
    names = [s.name for s in first.sources]
    assert names[0].endswith(f"#{schema}.kegiatan") and names[1].endswith("#query")
    manifest = (wh / "current" / "manifest.json").read_text()
    if password:
        assert all(f":{password}@" not in n for n in names)
        assert f":{password}@" not in manifest and f":{password}@" not in runs(wh)["inputs"].str.cat()
    assert [s.rows_read for s in first.sources] == [3, 2]

    second = build(src, wh, today=TODAY)
    assert [(s.reused, s.rows_read) for s in second.sources] == [(True, 0), (True, 0)]

    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {schema}.kegiatan SET peserta = 30 WHERE id_kegiatan = 'P3'"))
    third = build(src, wh, today=TODAY)
    assert [(s.reused, s.rows_read) for s in third.sources] == [(False, 3), (True, 0)]
    assert activities(wh).set_index("activity_id").loc["P3", "participants"] == 30
    assert len(activities(wh)) == 5
    assert json.loads(runs(wh)["inputs"].iloc[-1])[0]["sha256"] != json.loads(runs(wh)["inputs"].iloc[0])[0]["sha256"]


def test_the_source_connection_is_read_only(pg, tmp_path):
    engine, schema = pg
    # a SELECT that writes through a function: PostgreSQL refuses it in a read-only session
    src = _manifest(tmp_path, f'[[source]]\ntable = "activities"\nurl_env = "PANTAU_PG_URL"\n'
                              f'query = "SELECT k.*, {schema}.bump() AS n FROM {schema}.kegiatan k"\n')
    with pytest.raises(SourceError, match="read-only transaction") as err:
        build(src, tmp_path / "wh", today=TODAY)
    assert "#query" in str(err.value)
    assert _scalar(engine, f"SELECT count(*) FROM {schema}.log") == 0
    assert not (tmp_path / "wh" / "current").exists()


def test_query_parameters_are_bound(pg, tmp_path):
    from etl.readers import Source

    if "params" not in Source.__dataclass_fields__:
        pytest.skip("etl.readers.Source has no `params` yet: bound query parameters wait for the reader")
    engine, schema = pg
    src = _manifest(tmp_path, f'[[source]]\ntable = "activities"\nurl_env = "PANTAU_PG_URL"\n'
                              f'query = "SELECT * FROM {schema}.kegiatan_lain WHERE tanggal >= :since"\n'
                              f'params = {{ since = "2024-01-01" }}\n')
    build(src, tmp_path / "wh", today=TODAY)
    assert activities(tmp_path / "wh")["activity_id"].tolist() == ["Q1", "Q3"]


@pytest.mark.parametrize("where", ["wrong password", "no server"])
def test_a_connection_failure_names_the_url_without_its_password(pg, tmp_path, where):
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(password="Rahasia-Sekali-42")
    if where == "no server":
        url = url.set(port=1)
    src = _manifest(tmp_path, f'[[source]]\ntable = "activities"\n'
                              f'url = "{url.render_as_string(hide_password=False)}"\nsql_table = "kegiatan"\n')
    with pytest.raises(SourceError) as err:
        build(src, tmp_path / "wh", today=TODAY)
    message = str(err.value)
    assert "Rahasia-Sekali-42" not in message
    assert f"{url.host}:{url.port}/{url.database}" in message and "***" in message
    assert "tidak bisa terhubung" in message
    assert "Rahasia-Sekali-42" not in (tmp_path / "wh" / "runs.jsonl").read_text()
