"""Which sources a run reads: a manifest (sources.toml) or a folder of files."""

from __future__ import annotations

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
        elif "url" in entry:
            url = entry["url"]
            if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
                url = "sqlite:///" + str((base / url[len("sqlite:///"):]).resolve())
            spec["url"] = url
            if "sql_table" in entry:
                spec["sql_table"] = entry["sql_table"]
            elif "query" in entry:
                spec["query"] = entry["query"]
            else:
                raise SourceError(f"{path}: sumber ke-{i} ({_password_free(url)}): perlu 'sql_table' atau "
                                  f"'query' (needs sql_table or query)")
            label = entry.get("sql_table") or "query"
            spec["name"] = f"{_password_free(entry['url'])}#{label}"
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
