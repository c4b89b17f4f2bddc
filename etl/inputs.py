"""Which sources a run reads: a manifest (sources.toml) or a folder of files.

A manifest lists files and SQL sources:

    sample = false                      # true: every table is labelled sample data
    [[source]]
    table = "activities"
    path = "kegiatan_lampung.xlsx"      # relative to the manifest
    sheet = "Kegiatan"                  # optional
    values = { penyelenggara = "19.04", tanggal = "2024-07-23" }
                                        # optional: one value for a whole column, where the file has none or
                                        # leaves it blank (``context`` is the older name)
    scope = "18"                        # optional: only rows inside this region load (an upload of a
                                        # provinsi or kabkota account); the others are set aside
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
from etl.file_values import TABLE_WORDS, table_of_name, table_of_path
from etl.readers import safe_url
from etl.spec import SOURCES

MANIFEST_NAME = "sources.toml"
FILE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Inputs:
    """The sources of one run, and whether they are sample data."""

    sources: list[dict] = field(default_factory=list)  # each: keyword arguments of readers.Source
    sample: bool = False
    origin: Path | None = None
    refused: list[dict] = field(default_factory=list)  # {"source", "message"}: files discover(keep_going) set aside
    #: A sample manifest's own sources (name -> sha256 as etl/sample.py wrote them, ``sample_sha256``): their rejects
    #: are its planted errors; any other source's are real.
    sample_own: dict[str, str] = field(default_factory=dict)




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
            raise SourceError(f"{safe_url(url)}: nama skema tidak valid: {schema!r} (invalid schema name)")
        options = f"{options} -c search_path={schema}"
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def read_manifest(path: Path) -> Inputs:
    """Parse a sources.toml manifest; paths inside are relative to its folder."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: manifest tidak dapat dibaca (cannot read manifest): {exc}") from exc
    _known_keys(path, data)
    base = path.parent
    sources, own = [], {}
    for i, entry in enumerate(data.get("source", []), start=1):
        table = entry.get("table")
        if table not in SOURCES:
            raise SourceError(f"{path}: sumber ke-{i}: tabel '{table}' tidak dikenal; pilihan: "
                              f"{', '.join(SOURCES)} (unknown table)")
        values = {**dict(entry.get("context", {})), **dict(entry.get("values", {}))}
        spec: dict = {"table": table, "values": {k: str(v) for k, v in values.items()}}
        if entry.get("scope"):  # an upload of a provinsi/kabkota account: rows outside its region are set aside
            spec["scope"] = str(entry["scope"])
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
                raise SourceError(f"{path}: sumber ke-{i} ({safe_url(url)}): perlu 'sql_table' atau "
                                  f"'query' (needs sql_table or query)")
            label = entry.get("sql_table") or "query"
            spec["name"] = f"{safe_url(written)}#{label}"
        else:
            raise SourceError(f"{path}: sumber ke-{i}: perlu 'path' atau 'url' (needs path or url)")
        if entry.get("sample_sha256"):
            own[spec["name"]] = str(entry["sample_sha256"])
        sources.append(spec)
    return Inputs(sources=sources, sample=bool(data.get("sample", False)), origin=path, sample_own=own)


#: What a manifest may say at its top and in each [[source]] (uploaded_*: who sent an upload, when; kept for people;
#: sample_sha256: a sample's own source, as etl/sample.py wrote it).
MANIFEST_KEYS = ("sample", "source")
SOURCE_KEYS = ("table", "path", "sheet", "url", "url_env", "sql_table", "query", "params", "values", "context",
               "scope", "uploaded_by", "uploaded_at", "sample_sha256")


def _known_keys(path: Path, data: dict) -> None:
    """SourceError naming a key the manifest does not know (a '[[sources]]' or 'scop' typo would otherwise build
    nothing, or load a file without its account's region, and say nothing)."""
    unknown = [f"'{k}'" for k in data if k not in MANIFEST_KEYS]
    if not isinstance(data.get("source", []), list):
        unknown.append("'source' (tulis [[source]])")
    for i, entry in enumerate(data.get("source", []) if isinstance(data.get("source", []), list) else [], start=1):
        unknown += [f"'{k}' (sumber ke-{i})" for k in entry if k not in SOURCE_KEYS]
    if unknown:
        raise SourceError(f"{path}: kunci tidak dikenal: {', '.join(unknown)}; yang diterima: "
                          f"{', '.join(MANIFEST_KEYS)} dan di tiap [[source]]: {', '.join(SOURCE_KEYS)} (unknown key)")


def _table_by_headers(path: Path, name: str) -> str:
    """The table a file holds, read from its headers (as ``python -m etl check`` does), or SourceError."""
    from etl.readers import Source, infer_table

    try:
        table = infer_table(Source(path=path, name=name)).table
    except SourceError:
        table = None
    if table is None:
        raise SourceError(f"{name}: jenis data tidak dikenali dari nama berkas, foldernya, maupun judul kolomnya; "
                          f"gunakan {MANIFEST_NAME} atau beri nama yang memuat salah satu kata: "
                          f"{', '.join(sorted(TABLE_WORDS))} (cannot tell which table)")
    return table


def discover(source: Path, keep_going: bool = False) -> Inputs:
    """Sources from a manifest file, a folder holding sources.toml, or a folder of named files.

    A file's table comes from its folders' or its own name (any word of it: 'rekap_pleno_sultra.xlsx'), else from
    its headers, as ``python -m etl check`` finds it. `keep_going`: a file of a folder whose table cannot be told
    is listed in `refused` instead of stopping the run."""
    source = Path(source)
    if not source.exists():
        raise SourceError(f"{source}: tidak ada (does not exist)")
    if source.is_file():
        if source.suffix == ".toml":
            return read_manifest(source)
        table = table_of_name(source.name) or _table_by_headers(source, source.name)
        return Inputs(sources=[{"table": table, "path": source.resolve(), "name": source.name, "values": {}}],
                      origin=source)
    if (source / MANIFEST_NAME).exists():
        return read_manifest(source / MANIFEST_NAME)
    sources, refused = [], []
    for path in sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
                       and not p.name.startswith(("~$", "."))):
        rel = path.relative_to(source)
        try:
            table = table_of_path(rel, reversed(rel.parts[:-1])) or _table_by_headers(path, str(rel))
        except SourceError as exc:
            if not keep_going:
                raise
            refused.append({"source": str(rel), "message": str(exc)})
            continue
        sources.append({"table": table, "path": path.resolve(), "name": str(rel), "values": {}})
    if not sources and not refused:
        raise SourceError(f"{source}: tidak ada berkas sumber (.csv, .xlsx) maupun {MANIFEST_NAME} (no source files)")
    return Inputs(sources=sources, origin=source, refused=refused)


def with_values(inputs: Inputs, values: dict[str, str]) -> Inputs:
    """``inputs`` with ``values`` (``--set``) given to every source whose table has the column, for a source that
    lacks the column (its own blank cells stay blank: a date meant for a personnel recap is no activity's date; a
    source's own values win); SourceError when no source's table has one of the columns."""
    if not values:
        return inputs
    for column in values:
        if not any(column in {c.name for c in SOURCES[s["table"]].columns} for s in inputs.sources):
            raise SourceError(f"--set {column}: tidak ada sumber dengan kolom '{column}' (no source has that column)")
    sources = []
    for spec in inputs.sources:
        have = {c.name for c in SOURCES[spec["table"]].columns}
        given = {k: v for k, v in values.items() if k in have}
        sources.append({**spec, "defaults": given})
    return Inputs(sources=sources, sample=inputs.sample, origin=inputs.origin, refused=inputs.refused,
                  sample_own=inputs.sample_own)
