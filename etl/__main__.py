"""Command line: python -m etl build | check | sample | templates."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl.errors import SourceError
from etl.publish import WarehouseBusy, WarehouseUnwritable

console = Console(stderr=True)
out = Console()

#: Values filled for whole files printed after a build (the rest are in etl_runs).
FILLED_SHOWN = 10
EXIT_SOURCE_ERROR = 2
EXIT_BUSY = 3
EXIT_UNEXPECTED = 4
EXIT_UNWRITABLE = 5
EXIT_PARTIAL = 6  # published, with sources --keep-going set aside
#: Where an unexpected error's details go (beside the warehouse's runs.jsonl for build, else the temp folder).
ERROR_LOG = "etl-error.log"


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def cmd_build(args: argparse.Namespace) -> int:
    from etl.build import build

    t0 = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rows]} baris"), TimeElapsedColumn(), console=console,
                  transient=not console.is_terminal, disable=args.quiet) as bar:
        task = bar.add_task("Sumber", total=None, rows="0")
        rows = 0

        def progress(event: str, info: dict) -> None:
            nonlocal rows
            if event == "start":
                bar.update(task, total=info["sources"])
            elif event == "source":
                bar.update(task, description=f"{info['table']}: {info['name']}"[:70])
            elif event == "rows":
                rows += info["rows"]
                bar.update(task, rows=_fmt(rows))
            elif event == "source_done":
                bar.advance(task)
            elif event in ("finalize", "publish"):
                bar.update(task, description={"finalize": "Menulis Parquet…", "publish": "Menerbitkan…"}[event])
            elif event == "warning":  # shown with --quiet too
                console.print(f"[yellow]Peringatan:[/] {info['message']}")

        from etl.file_values import parse_given

        try:
            given = parse_given(args.set or [])
        except ValueError as exc:
            raise SourceError(str(exc)) from None
        summary = build(args.source, args.warehouse, wait=args.wait, prune=args.prune, progress=progress,
                        chunk_rows=args.chunk_rows, values=given, keep_going=args.keep_going)
    _print_summary(summary, args, time.perf_counter() - t0)
    return EXIT_PARTIAL if summary.refused else 0


def _print_summary(summary, args: argparse.Namespace, seconds: float) -> None:  # noqa: ANN001 - etl.build.RunSummary
    """The run's table (per table: read, loaded, rejected, rows in the warehouse), what filled which column of which
    source, what was reused, replaced, left out or cleaned, and where the version is."""
    table = Table(title=f"ETL {summary.run_id} selesai dalam {seconds:.1f} s"
                        + (" · DATA CONTOH" if summary.sample else ""))
    for col in ("tabel", "dibaca", "dimuat", "ditolak", "baris di gudang"):
        table.add_column(col, justify="left" if col == "tabel" else "right")
    for name, info in sorted(summary.tables.items()):
        table.add_row(name, _fmt(info["read"]), _fmt(info["loaded"]), _fmt(info["rejected"]), _fmt(info["rows"]))
    out.print(table)
    for name, info in sorted(summary.tables.items()):
        if info["loaded"] > info["read"] - info["rejected"]:  # recaps counting men and women in two columns
            out.print(f"{name}: {_fmt(info['loaded'])} baris dimuat dari {_fmt(info['read'])} baris dibaca: rekap "
                      f"yang menghitung L dan P dalam dua kolom dimuat satu baris per jenis kelamin.")
    from etl.file_values import Filled

    lines = [f"{s.name}: {Filled(**f).describe()}" for s in summary.sources if not s.reused for f in s.filled]
    for line in lines[:FILLED_SHOWN]:
        out.print(escape(line), highlight=False, soft_wrap=True)
    if len(lines) > FILLED_SHOWN:
        out.print(f"… dan {len(lines) - FILLED_SHOWN} nilai berkas lainnya, semuanya tersimpan di etl_runs (kolom "
                  f"inputs, 'filled') (all kept in etl_runs)", highlight=False, soft_wrap=True)
    for s in summary.sources:
        if s.encoding_note and not s.reused:
            out.print(f"[bold yellow]{escape(s.name)}: pengodean {escape(s.encoding_note)}[/]", highlight=False,
                      soft_wrap=True)
    reused = sum(s.reused and not s.refused for s in summary.sources)
    out.print(f"{len(summary.sources)} sumber, {reused} tidak berubah (dipakai ulang); "
              f"{_fmt(summary.replaced_rows)} baris digantikan oleh sumber yang lebih baru.")
    if summary.dropped_sample:
        out.print(f"Data contoh dikeluarkan ({summary.dropped_sample} sumber): gudang data kini hanya berisi data "
                  f"yang dimuat, tanpa label DATA CONTOH (the sample was replaced by real data).")
    if summary.cleaned:
        out.print(f"Sisa proses yang terhenti dibersihkan (leftovers of a killed run removed): "
                  f"{', '.join(summary.cleaned)}")
    out.print(f"Gudang data: {summary.version_dir} (versi {summary.run_id})")
    if summary.refused:  # --keep-going: on stderr too, where a cron job's mail looks
        console.print(f"[bold yellow]{len(summary.refused)} sumber tidak dapat dibaca dan dilewati[/] (sources "
                      f"refused); baris yang dimuat sebelumnya dari sumber itu dipertahankan (rows they loaded before "
                      f"are kept):",
                      highlight=False, soft_wrap=True)
        for s in summary.refused:
            kept = f" ({_fmt(s.loaded.get('loaded', 0))} baris lama dipertahankan)" if s.reused else ""
            console.print(f"  - {escape(s.refused)}{kept}", highlight=False, soft_wrap=True)
    rejected = sum(s.rows_rejected for s in summary.sources)
    planted = _planted(summary, args.source) if rejected and summary.sample else set()
    if n := sum(s.rows_rejected for s in summary.sources if s.name in planted):
        out.print(f"{_fmt(n)} baris ditolak adalah kesalahan yang sengaja ditanam di data contoh untuk "
                  "memperlihatkan pemeriksaan (planted errors of the sample, listed in README.txt beside the sample "
                  "files): tidak ada yang perlu diperbaiki.")
    if summary.sample and (real := [s for s in summary.sources if s.rows_rejected and s.name not in planted]):
        out.print(f"{_fmt(sum(s.rows_rejected for s in real))} baris ditolak berasal dari sumber yang bukan bagian "
                  f"data contoh atau sudah diubah ({escape(', '.join(s.name for s in real))}): periksa dan perbaiki "
                  f"(rejects of sources that are not the sample's own: real problems).", highlight=False,
                  soft_wrap=True)
    if rejected:
        out.print("Baris yang ditolak dan alasannya: halaman Kualitas data, atau "
                  f"python -m etl rejects --warehouse {args.warehouse}")


def _planted(summary, source: str) -> set[str]:  # noqa: ANN001 - etl.build.RunSummary
    """The sample's own sources of a run, unchanged since etl/sample.py wrote them (the sha256 its manifest gives
    each, ``sample_sha256``): their rejects are its planted errors. A file someone added to a sample manifest, or a
    sample file written over, is not among them: its rejects are real."""
    from etl.inputs import discover

    own = discover(Path(source)).sample_own
    return {s.name for s in summary.sources if s.sha256 and own.get(s.name) == s.sha256}


def cmd_check(args: argparse.Namespace) -> int:
    from etl.file_values import parse_given
    from etl.intake import check_file
    from etl.readers import Source

    try:
        given = parse_given(args.set or [])
    except ValueError as exc:
        raise SourceError(str(exc)) from None
    report = check_file(Source(path=Path(args.file), scope=_scope(args.scope)), table=args.table, values=given)
    _print_read(report.log)
    out.print(f"{args.file}: tabel {report.table}: {_fmt(report.rows_read)} baris dibaca, "
              f"{_fmt(report.rows_ok)} baik, {_fmt(report.rows_rejected)} ditolak")
    _print_rejects(report.rejects.head(args.limit), str(args.file))
    return 1 if report.rows_rejected else 0


def _scope(code: str | None) -> str | None:
    """``--scope``: a provinsi or kab/kota code (the region of an uploading account: rows outside it are set aside,
    as on the upload page), None for nasional or none given. SourceError naming a code that is no such region."""
    from etl.codes import is_code
    from etl.regions import default_resolver

    code = (code or "").strip()
    if code.lower() in ("", "nasional"):
        return None
    if not (is_code(code, "provinsi") or is_code(code, "kabkota")) or default_resolver().name(code) is None:
        raise SourceError(f"--scope {code}: bukan kode provinsi atau kabupaten/kota yang dikenal (tulis mis. 18 atau "
                          f"18.01; not a known province or regency/city code)")
    return code


def _print_read(log) -> None:  # noqa: ANN001 - etl.readers.ReadLog
    """What the read decided: the encoding of a CSV, headers taken, values for the whole file, rows that are not data,
    columns ignored. What a file wrote is escaped: Rich would read 'Tanggal [kolom C]' as a style and drop it."""
    if log.decoding is not None:
        style = "bold yellow" if log.decoding.mixed else "dim"
        out.print(f"[{style}]pengodean:[/] {escape(log.decoding.describe())}", highlight=False, soft_wrap=True)
    for line in log.title[:3]:
        out.print(f"[dim]judul:[/] {escape(line)}", highlight=False, soft_wrap=True)
    for note in log.notes:
        out.print(f"[cyan]kolom:[/] {escape(note)}", highlight=False, soft_wrap=True)
    for f in log.filled:
        out.print(f"[cyan]nilai berkas:[/] {escape(f.describe())}", highlight=False, soft_wrap=True)
    for why, rows in log.skipped_rows.items():
        listed = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        out.print(f"[dim]dilewati:[/] {len(rows)} {why}: baris {listed}", highlight=False, soft_wrap=True)
    if log.dropped_columns:
        out.print(f"[dim]data pribadi tidak dibaca:[/] {escape(', '.join(log.dropped_columns))}", highlight=False,
                  soft_wrap=True)
    for sheet, why in log.skipped_sheets.items():
        out.print(f"[dim]sheet dilewati:[/] {escape(sheet)}: {escape(why)}", highlight=False, soft_wrap=True)
    if log.unknown_columns:
        out.print(f"[dim]kolom diabaikan:[/] {escape(', '.join(log.unknown_columns))}", highlight=False,
                  soft_wrap=True)


def _print_rejects(frame, default_source: str = "") -> None:
    """One reject a line, file and row first, readable in any terminal width."""
    for rec in frame.itertuples():
        where = f"{rec.source if getattr(rec, 'source', '') else default_source}:{rec.row}"
        out.print(f"[bold]{escape(where)}[/] · kolom [cyan]{escape(str(rec.column))}[/] = "
                  f"{escape(repr(str(rec.value)))}\n    {escape(str(rec.reason))}", highlight=False, soft_wrap=True)


def cmd_sample(args: argparse.Namespace) -> int:
    from etl.sample import generate

    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=args.quiet) as bar:
        task = bar.add_task("Membuat data contoh", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        generate(Path(args.out), scale=args.scale, progress=progress)
    out.print(f"Data contoh ({args.scale}) ditulis ke {args.out} dalam {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from etl.templates import write_templates

    paths = write_templates(Path(args.out))
    out.print(f"{len(paths)} templat ditulis ke {args.out}")
    return 0


def cmd_rejects(args: argparse.Namespace) -> int:
    import pandas as pd

    from etl.publish import current_dir

    cur = current_dir(Path(args.warehouse))
    if cur is None:
        console.print(f"Belum ada gudang data di {args.warehouse} (no warehouse yet)")
        return EXIT_SOURCE_ERROR
    frame = pd.read_parquet(cur / "rejects.parquet")
    out.print(f"{_fmt(len(frame))} baris ditolak (rejected rows) di versi {cur.name}")
    _print_rejects(frame.head(args.limit))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Pantau ETL: sumber (CSV, XLSX, SQL) → gudang "
                                "data Parquet. Source files in, a checked and versioned Parquet warehouse out.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="muat semua sumber ke gudang data (load every source into the warehouse)",
                       description="Read every source (a folder, or a sources.toml manifest listing files and SQL "
                       "tables), check each row, set bad rows aside with their reason, and publish a new warehouse "
                       "version atomically. Unchanged sources are not read again. Exit codes: 0 published; "
                       "2 a source cannot be read (nothing published); 3 another run holds the warehouse lock "
                       "(see --wait); 4 an unexpected error (details in etl-error.log); 5 the warehouse folder "
                       "cannot be written; 6 published, but --keep-going set sources aside (listed).")
    b.add_argument("--source", required=True, help="folder of source files, or a sources.toml manifest")
    b.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    b.add_argument("--wait", type=float, default=0, help="seconds to wait for another run to finish (default 0)")
    b.add_argument("--prune", action="store_true", help="drop rows of sources no longer listed in --source")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--keep-going", action="store_true",
                   help="a source that cannot be read (empty, binary, no known table) is set aside and listed, its "
                        "rows of the previous version kept, and the others publish (exit 6); default: it stops the "
                        "run and nothing is published (exit 2)")
    b.add_argument("--set", action="append", metavar="KOLOM=NILAI",
                   help="one value for a whole column, for every source that has the column (per source: values in "
                        "sources.toml); repeatable")
    b.add_argument("--chunk-rows", type=int, default=None, metavar="N",
                   help="source rows held in memory at once (default 100000); lower it on a small machine")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="periksa satu berkas tanpa memuatnya (validate one file without loading)",
                       description="Validate one source file with the same rules and messages as build; "
                       "writes nothing. Exit code 1 when rows would be rejected, 2 when the file cannot be read.")
    c.add_argument("file")
    c.add_argument("--table", help="source table (default: from the file name or its headers)")
    c.add_argument("--limit", type=int, default=50, help="rejected rows to print (default 50)")
    c.add_argument("--set", action="append", metavar="KOLOM=NILAI",
                   help="one value for a whole column the file lacks or leaves blank, e.g. --set penyelenggara=19.04 "
                        "(repeatable)")
    c.add_argument("--scope", metavar="KODE",
                   help="check as an account of this region uploads: rows outside it (a province 18, a kab/kota "
                        "18.01) are set aside with the upload page's reason; default: anywhere (nasional)")
    c.set_defaults(func=cmd_check)
    s = sub.add_parser("sample", help="buat data contoh (generate labelled sample source files)",
                       description="Write deterministic sample source files (clearly labelled DATA CONTOH) in the "
                       "messy forms offices use. --scale national writes 83,762 kelurahan/desa, ~820,000 TPS and "
                       "over 5 million activities for benchmarks.")
    s.add_argument("--out", required=True, help="output folder")
    s.add_argument("--scale", choices=["sample", "national"], default="sample")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_sample)
    t = sub.add_parser("templates", help="tulis templat XLSX kosong (write blank input templates)")
    t.add_argument("--out", default="data/templates")
    t.set_defaults(func=cmd_templates)
    r = sub.add_parser("rejects", help="tampilkan baris yang ditolak (show rejected rows of the warehouse)")
    r.add_argument("--warehouse", default="data/warehouse")
    r.add_argument("--limit", type=int, default=50)
    r.set_defaults(func=cmd_rejects)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SourceError as exc:
        console.print(f"[bold red]Gagal:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        if args.func is cmd_build:
            console.print("Gudang data tidak diubah (the warehouse was left as it was).")
        return EXIT_SOURCE_ERROR
    except WarehouseBusy as exc:
        console.print(f"[bold yellow]Sibuk:[/] {exc}", highlight=False, soft_wrap=True)
        return EXIT_BUSY
    except WarehouseUnwritable as exc:
        console.print(f"[bold red]Gagal:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_UNWRITABLE
    except KeyboardInterrupt:
        console.print("Dihentikan; gudang data tidak diubah (interrupted; the warehouse was left as it was).")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug or a resource limit: said plainly, the details kept in a file
        log = _write_error_log(args, exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        console.print(f"[bold red]Gagal karena kesalahan tak terduga[/] (unexpected error): {type(exc).__name__}: "
                      f"{first}", highlight=False, soft_wrap=True)
        if args.func is cmd_build:
            console.print("Gudang data tidak diubah (the warehouse was left as it was).")
        where = str(log) if log else "tidak bisa ditulis di mana pun (could not be written anywhere)"
        console.print(f"Rincian untuk tim teknis (details for the technical team): {where}", highlight=False,
                      soft_wrap=True)
        return EXIT_UNEXPECTED


def _write_error_log(args: argparse.Namespace, exc: BaseException) -> Path | None:
    """The traceback, appended to ERROR_LOG in the warehouse folder (build) or in the user's own cache folder
    (XDG_CACHE_HOME or ~/.cache, pantau/, made private), never in the shared temp folder; None when no place can be
    written (the message then says so in one sentence)."""
    import os
    import traceback
    from datetime import UTC, datetime

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pantau"
    warehouse = Path(getattr(args, "warehouse", None) or cache)
    text = "".join(traceback.format_exception(exc))
    for folder in dict.fromkeys((warehouse, cache)):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            log = folder / ERROR_LOG
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"--- {datetime.now(UTC).isoformat()} python -m etl {' '.join(sys.argv[1:])}\n{text}\n")
            return log
        except OSError:
            continue
    return None


if __name__ == "__main__":
    sys.exit(main())
