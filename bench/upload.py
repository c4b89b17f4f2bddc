"""Issue 18's figures: the full national rebuild against the floor build, and one province's weekly upload.

    python bench/run.py --scale national --only upload

In one run: (1) the national sources built into a fresh warehouse as real data (a copy of their manifest with
``sample = false``: the same files and checks; an upload into a sample warehouse would leave the sample out, as the
CLI does) by ``python -m etl build``; (2) ``bench/experiments/floor.py --repeat 1`` on the same sources (its
"minimal, sorted": the fewest checks made natively, sorted as the warehouse is); (3) a province's weekly activities
XLSX of about 2,000 rows (Lampung's kab/kota offices, names not codes, Indonesian dates), made here, dropped: the
page's preview (``etl.uploads.stage`` + ``changes``) timed cold (the first in a process: imports and region list
loaded) and warm, then published (``publish_uploads``) until a fresh reader of ``current`` finds its rows (what
Kegiatan's query does after its next rerun).
"""

from __future__ import annotations

import io
import json
import re
import statistics
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from bench.measure import ROOT, run_measured

PROVINCE = "18"
ROWS = 2_000
TYPES = ("Sosialisasi", "Supervisi", "Pemantauan", "Rapat Koordinasi", "Sambang Pengawasan", "Pembinaan")
DAYS = ("Senin, 2 Desember 2024", "03/12/2024", "4 Desember 2024", "05/12/2024", "Jumat, 6 Desember 2024")


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def real_manifest(sources: Path, out: Path) -> Path:
    """The sources' manifest with absolute paths and ``sample = false`` (the files themselves untouched)."""
    data = tomllib.loads((sources / "sources.toml").read_text(encoding="utf-8"))
    lines = ["sample = false", ""]
    for entry in data["source"]:
        entry = dict(entry)
        if "path" in entry:
            entry["path"] = str((sources / entry["path"]).resolve())
        url = str(entry.get("url", ""))
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            entry["url"] = "sqlite:///" + str((sources / url[len("sqlite:///"):]).resolve())
        lines += ["[[source]]", *(f"{k} = {_toml(v)}" for k, v in entry.items()), ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def province_xlsx(warehouse: Path, variant: int = 0) -> bytes:
    """About ROWS activities of the province's kab/kota offices in the week of 2 Dec 2024, as an office keeps them
    (``variant`` changes the participant counts: a corrected re-send, read anew)."""
    import pandas as pd
    import xlsxwriter

    regions = pd.read_parquet(warehouse / "current" / "regions.parquet", columns=["code", "name", "level"])
    regions = regions[regions["code"].str.startswith(PROVINCE + ".")]
    names = dict(zip(regions["code"], regions["name"], strict=True))
    desa = regions[regions["level"] == "desa"]["code"].tolist()
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Kegiatan")
    sheet.write_string(0, 0, "REKAP KEGIATAN PENGAWASAN MINGGUAN BAWASLU KABUPATEN/KOTA SE-LAMPUNG")
    header = ["No", "Tanggal", "Penyelenggara", "Jenis Kegiatan", "Nama Kegiatan", "Kecamatan", "Desa/Kelurahan",
              "Jumlah Peserta"]
    for c, head in enumerate(header):
        sheet.write_string(2, c, head)
    step = max(1, len(desa) // ROWS)
    for i in range(ROWS):
        code = desa[(i * step) % len(desa)]
        kab, kec = code[:5], code[:8]
        kind = TYPES[i % len(TYPES)]
        row = [str(i + 1), DAYS[i % len(DAYS)], f"Bawaslu {names[kab]}", kind, f"{kind} di {names[code]} #{i + 1}",
               names[kec], names[code], str(10 + (i + variant) % 40)]
        for c, cell in enumerate(row):
            sheet.write_string(3 + i, c, cell)
    book.close()
    return buf.getvalue()


def _floor(sources: Path, log_dir: Path | None) -> dict[str, Any]:
    m = run_measured([sys.executable, str(ROOT / "bench" / "experiments" / "floor.py"), str(sources), "--repeat", "1"],
                     log=log_dir / "floor" if log_dir else None)
    found = re.search(r"minimal, sorted\s+([\d.]+) s", m.stdout or "")
    plain = re.search(r"plain\s+([\d.]+) s", m.stdout or "")
    return {"wall_s": m.wall_s, "minimal_sorted_s": float(found.group(1)) if found else None,
            "plain_s": float(plain.group(1)) if plain else None, "returncode": m.returncode}


def _visible(warehouse: Path, source: str) -> int:
    """Rows of ``source`` a fresh reader of `current` finds (the query a page runs after its rerun)."""
    from pantau.warehouse import open_warehouse

    wh = open_warehouse(warehouse)
    return int(wh.sql("SELECT count(*) AS n FROM activities WHERE source = $s", {"s": source})["n"].iloc[0])


def bench_upload(sources: Path, work: Path, *, repeats: int = 2, log_dir: Path | None = None,
                 echo: Any = None) -> dict[str, Any]:
    """The national rebuild and the floor in one run, then drop -> preview and publish -> visible; seconds."""
    import shutil

    from etl import uploads

    out: dict[str, Any] = {"province": PROVINCE, "rows": ROWS}
    manifest = real_manifest(sources, work / "upload" / "sources.toml")
    wh = work / "upload" / "warehouse"
    shutil.rmtree(wh, ignore_errors=True)
    m = run_measured([sys.executable, "-m", "etl", "build", "--source", str(manifest), "--warehouse", str(wh),
                      "--quiet"], log=log_dir / "upload-national-build" if log_dir else None)
    out["national_build"] = {"wall_s": m.wall_s, "cpu_s": m.user_s + m.sys_s, "peak_mb": m.peak_mb,
                             "returncode": m.returncode}
    out["floor"] = _floor(sources, log_dir)
    if out["floor"]["minimal_sorted_s"]:
        out["build_over_floor"] = m.wall_s / out["floor"]["minimal_sorted_s"]
    if echo:
        echo({"what": "national build vs floor", "build_s": m.wall_s, "floor_s": out["floor"]["minimal_sorted_s"]})
    previews, publishes = [], []
    for rep in range(repeats + 1):  # the first preview is cold (imports, region list), kept apart
        data = province_xlsx(wh, rep)
        t = time.perf_counter()
        staged = uploads.stage("kegiatan_lampung_minggu_1_desember_2024.xlsx", data, work / "upload" / "drops")
        uploads.changes(staged, wh)
        previews.append(time.perf_counter() - t)
        if rep == 0:
            out["preview_cold_s"] = previews.pop()
            out["checked"] = {"read": staged.report.rows_read, "ok": staged.report.rows_ok,
                              "rejected": staged.report.rows_rejected}
            continue
        t = time.perf_counter()
        uploads.publish_uploads([staged], wh, who="bench")
        seen = _visible(wh, staged.source_name)
        publishes.append(time.perf_counter() - t)
        out["visible_rows"] = seen
        if echo:
            echo({"what": "upload", "rep": rep, "preview_s": previews[-1], "publish_s": publishes[-1]})
    out["preview_s"] = {"median": statistics.median(previews), "runs": previews}
    out["publish_visible_s"] = {"median": statistics.median(publishes), "runs": publishes}
    return out
