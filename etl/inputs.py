"""Which sources a run reads: a manifest (sources.toml) or a folder of files.

A manifest lists files and SQL sources:

    sample = false                      # true: every table is labelled sample data
    [[source]]
    table = "activities"
    path = "kegiatan_lampung.xlsx"      # relative to the manifest
    sheet = "Kegiatan"                  # optional
    context = { provinsi = "18" }       # optional: a value for a column the file lacks
    [[source]]
    table = "pleno"
    url_env = "PANTAU_PG_URL"           # or url = "postgresql+psycopg://user:pw@host/db"
    sql_table = "bawaslu.pleno"         # or query = "SELECT ... WHERE week_start >= :since"
    params = { since = "2024-01-01" }   # bound parameters of the query (never pasted into SQL)

SQL sources are opened read-only (PostgreSQL: default_transaction_read_only=on for the session).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import SourceError
from etl.spec import SOURCE_ALIASES, SOURCES

MANIFEST_NAME = "sources.toml"
FILE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Inputs:
    """The sources of one run, and whether they are sample data."""

    sources: list[dict] = field(default_factory=list)  # each: keyword arguments of readers.Source
    sample: bool = False
    origin: Path | None = None


def table_for_name(name: str) -> str | None:
    """The source table a file or folder name points to ('kegiatan_lampung.csv' -> 'activities')."""
    stem = Path(name).stem.lower()
    for alias in sorted(SOURCE_ALIASES, key=len, reverse=True):
        if re.match(rf"{re.escape(alias)}(?:$|[_\-\s.0-9])", stem):
            return SOURCE_ALIASES[alias]
    return None


def _password_free(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def read_only_url(url: str, schema: str | None = None) -> str:
    """The URL with the session made read-only where the driver allows it in the URL.

    PostgreSQL: `options=-c default_transaction_read_only=on` (every transaction of the connection is
    read-only, so a query that tries to write, even through a function, fails), and with `schema`
    `-c search_path=<schema>` (a plain identifier only). Other databases: unchanged.
    """
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - the reader reports an unparsable URL
        return url
    if parsed.get_backend_name() != "postgresql":
        return url
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    if "default_transaction_read_only" not in options:
        options = f"{options} -c default_transaction_read_only=on".strip()
    if schema:
        if not _IDENTIFIER.match(schema):
            raise SourceError(f"{_password_free(url)}: nama skema tidak valid: {schema!r} (invalid schema name)")
        options = f"{options} -c search_path={schema}"
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def read_manifest(path: Path) -> Inputs:
    """Parse a sources.toml manifest; paths inside are relative to its folder."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: manifest tidak dapat dibaca (cannot read manifest): {exc}") from exc
    base = path.parent
    sources = []
    for i, entry in enumerate(data.get("source", []), start=1):
        table = entry.get("table")
        if table not in SOURCES:
            raise SourceError(f"{path}: sumber ke-{i}: tabel '{table}' tidak dikenal; pilihan: "
                              f"{', '.join(SOURCES)} (unknown table)")
        spec: dict = {"table": table, "context": dict(entry.get("context", {}))}
        if "path" in entry:
            spec["path"] = (base / entry["path"]).resolve()
            spec["name"] = entry["path"]
            if "sheet" in entry:
                spec["sheet"] = entry["sheet"]
        elif "url" in entry or "url_env" in entry:
            if "url_env" in entry:
                env = str(entry["url_env"])
                if not os.environ.get(env):
                    raise SourceError(f"{path}: sumber ke-{i}: variabel lingkungan {env} kosong (environment "
                                      f"variable {env} with the database URL is not set)")
                url = os.environ[env]
            else:
                url = entry["url"]
            written = url
            if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
                url = "sqlite:///" + str((base / url[len("sqlite:///"):]).resolve())
            spec["url"] = url
            if "sql_table" in entry:
                spec["sql_table"] = entry["sql_table"]
            elif "query" in entry:
                spec["query"] = entry["query"]
                if "params" in entry:
                    spec["params"] = dict(entry["params"])
            else:
                raise SourceError(f"{path}: sumber ke-{i} ({_password_free(url)}): perlu 'sql_table' atau "
                                  f"'query' (needs sql_table or query)")
            label = entry.get("sql_table") or "query"
            spec["name"] = f"{_password_free(written)}#{label}"
        else:
            raise SourceError(f"{path}: sumber ke-{i}: perlu 'path' atau 'url' (needs path or url)")
        sources.append(spec)
    return Inputs(sources=sources, sample=bool(data.get("sample", False)), origin=path)


def discover(source: Path) -> Inputs:
    """Sources from a manifest file, a folder holding sources.toml, or a folder of named files."""
    source = Path(source)
    if not source.exists():
        raise SourceError(f"{source}: tidak ada (does not exist)")
    if source.is_file():
        if source.suffix == ".toml":
            return read_manifest(source)
        table = table_for_name(source.name)
        if table is None:
            raise SourceError(f"{source}: jenis data tidak dikenali dari nama berkas; awali nama dengan salah satu "
                              f"dari {', '.join(sorted(SOURCE_ALIASES))} (cannot tell which table)")
        return Inputs(sources=[{"table": table, "path": source.resolve(), "name": source.name, "context": {}}],
                      origin=source)
    if (source / MANIFEST_NAME).exists():
        return read_manifest(source / MANIFEST_NAME)
    sources = []
    for path in sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES):
        rel = path.relative_to(source)
        table = next((t for part in rel.parts[:-1] if (t := table_for_name(part))), None) or table_for_name(path.name)
        if table is None:
            raise SourceError(f"{rel}: jenis data tidak dikenali dari nama berkas atau foldernya; gunakan "
                              f"{MANIFEST_NAME} atau awali nama dengan {', '.join(sorted(SOURCE_ALIASES))} "
                              f"(cannot tell which table)")
        sources.append({"table": table, "path": path.resolve(), "name": str(rel), "context": {}})
    if not sources:
        raise SourceError(f"{source}: tidak ada berkas sumber (.csv, .xlsx) maupun {MANIFEST_NAME} (no source files)")
    return Inputs(sources=sources, origin=source)
