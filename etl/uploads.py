"""Uploads from the browser (the Unggah data page): screen a file, check it exactly as ``python -m etl check`` does,
compare the rows it would load with the published warehouse per kab/kota, and publish it through the CLI's own door
(``etl.build.build``: atomic, locked, logged).

An upload is kept as a source of the warehouse, under ``<warehouse>/sources/``: the file at
``uploads/<table>/<name>``, listed in ``sources.toml`` with the values given for the whole file and who sent it when,
and one line of ``uploads.jsonl`` per publish. So ``python -m etl build --source <warehouse>/sources/sources.toml
--warehouse <warehouse>`` rebuilds the uploads' rows, and a later file of the same name and kind replaces its rows.
No Streamlit here: the page lays out what these functions return.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import publish, spec
from etl.errors import SourceError
from etl.file_values import FILLED_BY_FILE, Filled
from etl.intake import CheckReport, check_file
from etl.layout import find_header
from etl.readers import Source, infer_table, is_spreadsheet
from etl.sheet_size import max_sheet_bytes

#: The kinds of data an office can upload, in the order the page offers them.
KINDS = ("activities", "personnel", "pleno", "tps", "seats_reference")
#: Largest upload accepted (PANTAU_UPLOAD_MAX_MB to change).
MAX_UPLOAD_MB = 50
ACCEPTED = (".csv", ".txt", ".xlsx")
SOURCES_DIR = "sources"
UPLOADS_DIR = "uploads"
MANIFEST = "sources.toml"
LOG = "uploads.jsonl"
#: The column placing a row of each table (its kab/kota is the first 5 characters of the code).
REGION_COLUMN = {"tps": "desa_code"}
DATE_KEYS = ("as_of", "week_start")
MASALAH = "masalah"
_UNSAFE = re.compile(r"[^\w.\- ()]+")


class UploadRefused(Exception):  # noqa: N818 - said to the user as it is
    """An upload that cannot be checked or published, in one sentence; nothing was changed."""


class NeedsValues(UploadRefused):
    """A file lacking a column the whole file shares (the organiser, the date...) that neither its title rows nor
    its name give: checked once the user gives it."""

    def __init__(self, message: str, table: str, columns: list[str]) -> None:
        super().__init__(message)
        self.table, self.columns = table, columns


def max_upload_bytes() -> int:
    """The size limit of one upload in bytes: PANTAU_UPLOAD_MAX_MB, else MAX_UPLOAD_MB."""
    try:
        mb = float(os.environ.get("PANTAU_UPLOAD_MAX_MB", MAX_UPLOAD_MB))
    except ValueError:
        mb = MAX_UPLOAD_MB
    return int(mb * 1024 * 1024)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def safe_name(name: str) -> str:
    """The file name kept on the server: its last path part, with characters other than letters, digits, space,
    ``.-_()`` replaced by ``_`` (the words of the name stay: they may say the table, the office, the date)."""
    base = Path(str(name).replace("\\", "/")).name.strip().lstrip(".")
    return _UNSAFE.sub("_", base) or "unggahan.csv"


def screen(name: str, data: bytes) -> None:
    """Refuse, in one sentence, a file Pantau must not read: empty, over the size limit, a macro workbook, a renamed
    binary, an XLSX that would inflate past the sheet limit. Raises UploadRefused."""
    suffix = Path(name).suffix.lower()
    if not data:
        raise UploadRefused(f"{name}: berkas kosong, tidak ada yang bisa diperiksa (an empty file).")
    if len(data) > max_upload_bytes():
        raise UploadRefused(f"{name}: berkas {_mb(len(data))} MB, lebih besar dari batas {_mb(max_upload_bytes())} "
                            f"MB; bagi menjadi beberapa berkas (over the size limit: split it).")
    if suffix == ".xlsm":
        raise UploadRefused(f"{name}: berkas .xlsm (berisi makro) tidak diterima; simpan sebagai .xlsx lalu "
                            f"unggah lagi (a macro workbook: save it as .xlsx).")
    if suffix not in ACCEPTED:
        raise UploadRefused(f"{name}: hanya berkas CSV atau XLSX yang diterima, bukan "
                            f"{suffix or 'tanpa ekstensi'} (only CSV or XLSX).")
    zipped = data[:4] == b"PK\x03\x04"
    if suffix == ".xlsx":
        if not zipped:
            raise UploadRefused(f"{name}: isinya bukan spreadsheet XLSX, mungkin berkas lain yang diganti "
                                f"namanya (not an XLSX inside).")
        _screen_zip(name, data)
    elif zipped or data[:4] == b"\xd0\xcf\x11\xe0" or _binary(data[:65536]):
        raise UploadRefused(f"{name}: isinya bukan teks CSV, mungkin berkas lain yang diganti namanya "
                            f"(not CSV text inside).")


def _binary(head: bytes) -> bool:
    control = bytes([*range(0, 9), 11, 12, *range(14, 32)])
    return len(head) - len(head.translate(None, control)) > 0.05 * len(head)


def _screen_zip(name: str, data: bytes) -> None:
    """An XLSX's zip: readable, no macros, and not inflating past the sheet limit (etl.sheet_size) once opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise UploadRefused(f"{name}: berkas XLSX rusak, tidak bisa dibuka (a broken XLSX).") from None
    if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
        raise UploadRefused(f"{name}: berkas ini berisi makro; simpan sebagai .xlsx tanpa makro lalu unggah "
                            f"lagi (macros inside).")
    inflated = sum(i.file_size for i in infos)
    if inflated > max_sheet_bytes():
        raise UploadRefused(f"{name}: berkas XLSX ini akan membengkak menjadi {_mb(inflated)} MB saat dibuka, "
                            f"lebih dari batas {_mb(max_sheet_bytes())} MB (would inflate past the limit).")


@dataclass
class Staged:
    """One uploaded file, checked and not yet published."""

    name: str                      # the file name kept (safe_name)
    path: Path                     # the file as uploaded, in a work folder
    table: str
    report: CheckReport
    values: dict[str, str] = field(default_factory=dict)  # given for the whole file (the page's form)
    sha256: str = ""
    scope: str | None = None       # the region its rows must lie in (a provinsi/kabkota account's); None: anywhere

    @property
    def source_name(self) -> str:
        """Its name in the warehouse (rejects, etl_runs, the sources manifest): an account's upload under its
        region's folder, so a file of the same name from another region never replaces its rows."""
        return f"{UPLOADS_DIR}/{self.table}/{self.scope + '/' if self.scope else ''}{self.name}"

    @property
    def problems(self) -> pd.DataFrame:
        """Each set-aside cell: row (as the spreadsheet shows it), column (its header), value, reason."""
        rej = self.report.rejects
        return rej[["row", "column", "value", "reason"]].sort_values("row", kind="stable").reset_index(drop=True)

    @property
    def headers(self) -> pd.DataFrame:
        """Which header of the file was taken for which column of Pantau: column, header."""
        cols = self.report.log.columns
        return pd.DataFrame({"column": list(cols), "header": list(cols.values())})

    @property
    def file_values(self) -> dict[str, Filled | None]:
        """The columns a whole file shares that this file has no column for -> what filled them (None: nothing)."""
        have = set(self.report.log.columns)
        filled = {f.column: f for f in self.report.log.filled}
        return {col: filled.get(col) for col in FILLED_BY_FILE.get(self.table, {})
                if col not in have or col in filled}


def stage(name: str, data: bytes, workdir: Path | str, *, table: str | None = None,
          values: dict[str, str] | None = None, today: dt.date | None = None, scope: str | None = None) -> Staged:
    """Screen and check one uploaded file (``check_file``, the rules and messages of ``python -m etl check``);
    keeps the rows it would load for ``changes``. With ``scope`` (a region code) rows outside it are set aside.
    Raises UploadRefused with one sentence."""
    screen(name, data)
    kept = safe_name(name)
    folder = Path(workdir) / secrets.token_hex(8)
    folder.mkdir(parents=True)
    path = folder / kept
    path.write_bytes(data)
    values = {k: v.strip() for k, v in (values or {}).items() if v and v.strip()}
    source = Source(path=path, name=kept, table=table, scope=scope)
    try:
        report = _check(source, table, today, values)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a refused file leaves nothing behind
        raise
    return Staged(kept, path, report.table, report, values, hashlib.sha256(data).hexdigest(), scope)


def _check(source: Source, table: str | None, today: dt.date | None, values: dict[str, str]) -> CheckReport:
    kept = source.name
    try:
        report = check_file(source, table, today=today, values=values, keep_rows=True)
    except SourceError as exc:
        raise _needs_values(source, table, str(exc)) or UploadRefused(_wrong_kind(source, table) or str(exc)) \
            from None
    if report.table not in KINDS:
        raise UploadRefused(f"{kept}: jenis data tidak dikenali; pilih jenisnya (kind of data not "
                            f"recognised: pick it).")
    if not report.rows_read:
        raise UploadRefused(f"{kept}: tidak ada baris data di bawah judul kolom (no data rows under the header).")
    return report


def discard(staged: Staged) -> None:
    """Remove a staged upload's work folder (published, or abandoned by its session)."""
    shutil.rmtree(staged.path.parent, ignore_errors=True)


def sweep(workdir: Path | str, *, older_than: dt.timedelta = dt.timedelta(days=1),
          now: dt.datetime | None = None) -> int:
    """Remove the staged uploads under ``workdir`` last changed more than ``older_than`` ago (sessions that ended
    without publishing); returns how many folders went."""
    limit = (now or dt.datetime.now(dt.UTC)).timestamp() - older_than.total_seconds()
    gone = 0
    for folder in Path(workdir).iterdir() if Path(workdir).is_dir() else []:
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder)
                gone += 1
        except OSError:  # another process removed it first
            continue
    return gone


def _needs_values(source: Source, table: str | None, message: str) -> NeedsValues | None:
    """The refusal of a file whose only fault may be a file-wide column nobody gave (etl.layout's 'kolom wajib tidak
    ada: ...'), as NeedsValues naming those columns; else None."""
    missing = re.search(r"kolom wajib tidak ada: ([^()]*)", message)
    if missing is None:
        return None
    try:
        table = table or infer_table(Source(path=source.path, name=source.name)).table
    except SourceError:
        return None
    needs = [c for c in FILLED_BY_FILE.get(table or "", {}) if re.search(rf"\b{c}\b", missing.group(1))]
    if not needs:
        return None
    return NeedsValues(f"{source.name}: berkas ini tidak punya kolom {', '.join(needs)}, dan judul maupun nama "
                       f"berkasnya tidak menyebutnya; isi nilainya di bawah (fill in the values below).", table,
                       needs)  # type: ignore[arg-type]


def _wrong_kind(source: Source, table: str | None) -> str | None:
    """'holds activities, not pleno' when a kind was chosen and the headers (not the name) say another."""
    if not table:
        return None
    path = Path(source.path)  # type: ignore[arg-type]
    neutral = path.with_name(f"berkas{path.suffix}")  # a name that points to no table: the headers decide
    try:
        os.link(path, neutral)
        found = infer_table(Source(path=neutral, name=source.name)).table
    except (SourceError, OSError):
        return None
    finally:
        neutral.unlink(missing_ok=True)
    if found and found != table:
        return (f"{source.name}: berkas ini berisi {spec.SOURCES[found].title.lower()}, bukan "
                f"{spec.SOURCES[table].title.lower()}; pilih jenis data yang sesuai (another kind of data).")
    return None


def _key_text(series: pd.Series) -> pd.Series:
    """Key values as text, dates as YYYY-MM-DD, so the upload's rows and the warehouse's compare alike."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    return series.astype("string").str.slice(0, 10 if series.name in DATE_KEYS else None)


def changes(staged: Staged | Sequence[Staged], warehouse: Path | str) -> pd.DataFrame:
    """What publishing would change, per kab/kota (a province's own rows under its code): rows ``new`` to the
    warehouse, rows ``replaced`` (same key), and rows of an earlier upload of the same file ``removed`` (the new
    file no longer has them). Columns: table, kabkota_code, kabkota_name, new, replaced, removed."""
    items = [staged] if isinstance(staged, Staged) else list(staged)
    cur = publish.current_dir(Path(warehouse))
    parts = [_changes_of(s, cur) for s in items]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["table", "kabkota_code", "new", "replaced", "removed"])
    names = _names(cur, out["kabkota_code"].unique().tolist())
    out.insert(2, "kabkota_name", out["kabkota_code"].map(lambda c: names.get(c, c)))
    return out


def _changes_of(s: Staged, cur: Path | None) -> pd.DataFrame:
    keys, region = spec.KEYS[s.table], REGION_COLUMN.get(s.table, "region_code")
    good = s.report.good if s.report.good is not None else pd.DataFrame(columns=[*keys, region])
    up = pd.DataFrame({k: _key_text(good[k]) for k in keys}).assign(region=good[region].astype("string"))
    old = pd.DataFrame(columns=[*keys, "region", "source"])
    path = cur / f"{s.table}.parquet" if cur else None
    if path is not None and path.exists() and len(up):
        con = duckdb.connect()
        try:
            con.register("up_keys", up)
            cols = ", ".join(f'CAST("{k}" AS VARCHAR) AS "{k}"' for k in keys)
            old = con.execute(f"SELECT {cols}, CAST({region} AS VARCHAR) AS region, source FROM read_parquet(?) "
                              f'WHERE source = ? OR CAST("{keys[0]}" AS VARCHAR) IN '  # a date key as text
                              f'(SELECT DISTINCT "{keys[0]}" FROM up_keys)',
                              [str(path), s.source_name]).df()
        finally:
            con.close()
    for k in keys:
        old[k] = old[k].astype("string").str.slice(0, 10) if k in DATE_KEYS else old[k].astype("string")
    matched = up.merge(old[keys].drop_duplicates(), on=keys, how="left", indicator=True)["_merge"].eq("both")
    mine = old[old["source"] == s.source_name]
    gone = mine.merge(up[keys], on=keys, how="left", indicator=True)
    removed = mine[gone["_merge"].eq("left_only").to_numpy()]
    frame = pd.concat([
        pd.DataFrame({"region": up["region"], "new": ~matched.to_numpy(), "replaced": matched.to_numpy(),
                      "removed": False}),
        pd.DataFrame({"region": removed["region"], "new": False, "replaced": False, "removed": True}),
    ], ignore_index=True)
    frame["kabkota_code"] = frame["region"].astype("string").str.slice(0, 5)
    out = frame.groupby("kabkota_code", as_index=False)[["new", "replaced", "removed"]].sum()
    return out.assign(table=s.table)[["table", "kabkota_code", "new", "replaced", "removed"]]


def _names(cur: Path | None, codes: list[str]) -> dict[str, str]:
    if cur is None or not (cur / "regions.parquet").exists() or not codes:
        return {}
    frame = pd.read_parquet(cur / "regions.parquet", columns=["code", "name"], filters=[("code", "in", codes)])
    return dict(zip(frame["code"], frame["name"], strict=True))


def replaces_sample(warehouse: Path | str) -> bool:
    """True when the published warehouse holds the sample: publishing real data leaves the sample out (as the CLI)."""
    return bool(publish.read_manifest(publish.current_dir(Path(warehouse))).get("sample"))


# -- the set-aside rows, as the office wrote them ------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _grid(s: Staged) -> list[list[str]]:
    """The rows of the file as the office wrote them (the sheet read, else the first; a CSV as decoded)."""
    log = s.report.log
    if is_spreadsheet(s.path):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(s.path))
        sheet = wb.get_sheet_by_name(log.sheets[0] if log.sheets else wb.sheet_names[0])
        return [[_cell(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
    text = s.path.read_text(encoding=log.encoding or "utf-8", errors="replace").lstrip("\ufeff")
    return [list(row) for row in csv.reader(text.splitlines(), delimiter=log.separator or ",")]


def set_aside_rows(s: Staged) -> pd.DataFrame:
    """The set-aside rows with the office's own columns (as headed in the file) plus ``masalah``: the row number
    and every problem of the row, so the office can fix them and send them again."""
    grid = _grid(s)
    found = find_header(grid, spec.SOURCES[s.table])
    if found is None or s.report.rejects.empty:
        return pd.DataFrame(columns=[MASALAH])
    _rank, at, used, headers, _match = found
    width = max(len(headers), *(len(r) for r in grid[at:]))
    names: list[str] = []
    for i in range(width):
        name = (headers[i] if i < len(headers) else "").strip() or f"kolom {i + 1}"
        names.append(name if name not in names else f"{name} ({i + 1})")
    problems = s.problems
    rows, notes = [], []
    for row, group in problems.groupby("row", sort=True):
        if not 1 <= int(row) <= len(grid):
            continue
        cells = grid[int(row) - 1]
        rows.append([*cells, *[""] * (width - len(cells))][:width])
        notes.append(f"baris {int(row)} · " + "; ".join(f"{c}: {r}" for c, r in zip(group["column"],
                                                                                   group["reason"], strict=True)))
    frame = pd.DataFrame(rows, columns=names)
    frame[MASALAH] = notes
    return frame


def set_aside_xlsx(s: Staged) -> bytes:
    """``set_aside_rows`` as an XLSX (sheet 'perbaiki', header frozen, widths to fit)."""
    frame = set_aside_rows(s)
    buf = io.BytesIO()
    # the rows are an office's own text: a cell written '=...' stays text, never a formula or a link
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        frame.to_excel(xl, sheet_name="perbaiki", index=False)
        ws = xl.sheets["perbaiki"]
        for i, col in enumerate(frame.columns):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
            ws.set_column(i, i, min(80, max(8, width)))
        ws.freeze_panes(1, 0)
    return buf.getvalue()


# -- publishing ----------------------------------------------------------------------------------------------------


@dataclass
class Published:
    """What a publish did: the run (etl.build.RunSummary) and the uploads it kept."""

    run_id: str
    summary: object
    sources: list[str]


def sources_dir(warehouse: Path | str) -> Path:
    return Path(warehouse) / SOURCES_DIR


def _entries(manifest: Path) -> list[dict]:
    if not manifest.exists():
        return []
    return list(tomllib.loads(manifest.read_text(encoding="utf-8")).get("source", []))


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)


def _write_manifest(manifest: Path, entries: list[dict]) -> None:
    lines = ["# Unggahan halaman Unggah data Pantau (uploads of the dashboard's Unggah data page).",
             "# Bangun ulang: python -m etl build --source <gudang>/sources/sources.toml --warehouse <gudang>",
             "sample = false", ""]
    for e in entries:
        lines.append("[[source]]")
        lines += [f"{k} = {_toml(e[k])}" for k in ("table", "path", "scope", "values", "uploaded_by", "uploaded_at")
                  if k in e]
        lines.append("")
    tmp = manifest.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.replace(tmp, manifest)


def publish_uploads(items: Sequence[Staged], warehouse: Path | str, *, who: str, now: dt.datetime | None = None,
                    today: dt.date | None = None) -> Published:
    """Keep each upload under <warehouse>/sources/ and load the accepted rows through ``etl.build.build`` (the CLI's
    atomic, locked path). Refuses (UploadRefused, nothing changed) when another run holds the warehouse or a user may
    not publish; on any failure the sources folder is put back as it was. Who may publish what is
    pantau.uploading's rule (this loads what it is given)."""
    from etl.build import build

    warehouse = Path(warehouse)
    try:  # one clear sentence before anything is written; build takes the lock again
        publish.lock(warehouse, wait=0).release()
    except publish.WarehouseBusy:
        raise UploadRefused("Gudang data sedang diperbarui oleh unggahan atau proses ETL lain; tidak ada yang "
                            "berubah. Coba terbitkan lagi sebentar lagi.") from None
    folder = sources_dir(warehouse)
    manifest = folder / MANIFEST
    folder.mkdir(parents=True, exist_ok=True)
    before = {manifest: manifest.read_bytes() if manifest.exists() else None}
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    entries = {e["path"]: e for e in _entries(manifest)}
    for s in items:
        target = folder / s.source_name
        before.setdefault(target, target.read_bytes() if target.exists() else None)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s.path.read_bytes())
        entries[s.source_name] = {"table": s.table, "path": s.source_name, "values": s.values,
                                  "uploaded_by": who, "uploaded_at": when} | ({"scope": s.scope} if s.scope else {})
    try:
        _write_manifest(manifest, list(entries.values()))
        summary = build(manifest, warehouse, today=today)
    except BaseException as exc:
        _restore(before)
        if isinstance(exc, publish.WarehouseBusy):
            raise UploadRefused("Gudang data sedang diperbarui oleh proses lain; tidak ada yang berubah. Coba lagi "
                                "sebentar lagi.") from None
        if isinstance(exc, SourceError):
            raise UploadRefused(str(exc)) from None
        raise
    _log(folder, items, who, when, summary.run_id)
    return Published(summary.run_id, summary, [s.source_name for s in items])


def _restore(before: dict[Path, bytes | None]) -> None:
    for path, data in before.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)


def _log(folder: Path, items: Sequence[Staged], who: str, when: str, run_id: str) -> None:
    with open(folder / LOG, "a", encoding="utf-8") as fh:
        for s in items:
            rec = {"source": s.source_name, "table": s.table, "uploaded_by": who, "uploaded_at": when,
                   "sha256": s.sha256, "run_id": run_id, "rows_ok": s.report.rows_ok,
                   "rows_rejected": s.report.rows_rejected, "values": s.values, "scope": s.scope or ""}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def template_bytes(table: str) -> bytes:
    """The blank XLSX template of a kind (``python -m etl templates``) as bytes, for a download."""
    import tempfile

    from etl.templates import write_template

    with tempfile.TemporaryDirectory() as tmp:
        return write_template(table, Path(tmp) / f"{table}.xlsx").read_bytes()
