"""Measure the ETL on one big activities CSV: peak memory and wall time against the DataFrame size.

    .venv/bin/python tools/bench_stream.py --rows 5000000 --out /tmp/pantau-big

1. writes <out>/src/kegiatan_nasional.csv once (numpy, real region codes, a mix of codes and names,
   Indonesian dates; about 90 bytes a row),
2. reads the same file whole with pandas in a child process and reports
   df.memory_usage(deep=True).sum() and that child's peak RSS,
3. runs `/usr/bin/time -v python -m etl build` on it into a fresh warehouse and reports its peak RSS
   (maximum resident set size) and wall time.
Needs Debian's `time` package (/usr/bin/time). Not a test: a measurement for the issue note.

--stages: instead, run etl.build in this process with a thread sampling VmRSS every 50 ms and print the
peak RSS of each stage (imports, regions, resolver, reading, merge, seats, aggregates): where the peak is.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TYPES = ["pembinaan", "supervisi", "pemantauan", "evaluasi", "Sidak", "sosialisasi", "Sambang Pengawasan",
         "MoU", "Rakor", "pelantikan", "Bimtek"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """rows activities over the real desa list, written in blocks of 500,000 lines."""
    sys.path.insert(0, str(ROOT))
    from etl.regions import regions_table

    regions = regions_table()
    desa = regions[regions["level"] == "desa"]
    desa_codes = desa["code"].to_numpy(dtype=object)
    kab_names = dict(zip(regions["code"], regions["name"], strict=True))
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = np.datetime64("2023-01-02")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id_kegiatan;tanggal;penyelenggara;lokasi;jenis;judul;peserta\n")
        for lo in range(0, rows, 500_000):
            n = min(500_000, rows - lo)
            loc = desa_codes[rng.integers(0, len(desa_codes), n)]
            days = start + rng.integers(0, 700, n).astype("timedelta64[D]")
            types = np.array(TYPES, dtype=object)[rng.integers(0, len(TYPES), n)]
            people = rng.integers(0, 300, n)
            by_name = rng.random(n) < 0.3
            lines = []
            for i in range(n):
                code = loc[i]
                kab = code[:5]
                org = kab_names[kab] if by_name[i] else kab
                d = str(days[i])
                lines.append(f"N{lo + i:08d};{d[8:10]}/{d[5:7]}/{d[0:4]};{org};{code};{types[i]};"
                             f"Kegiatan {types[i]} {i % 97};{people[i]}\n")
            fh.write("".join(lines))


def timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    res = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=ROOT, capture_output=True, text=True)
    stats = dict(re.findall(r"^\s*(.+?): (.*)$", res.stderr, re.MULTILINE))
    return res, stats


def stages(src: Path, wh: Path) -> None:
    """Peak RSS per stage of one in-process build (a sampler thread reads /proc/self/status)."""
    import threading

    def rss() -> int:
        with open("/proc/self/status") as fh:
            return next(int(ln.split()[1]) // 1024 for ln in fh if ln.startswith("VmRSS"))

    stage, peaks, done = ["imports"], {}, threading.Event()

    def sample() -> None:
        while not done.is_set():
            peaks[stage[0]] = max(peaks.get(stage[0], 0), rss())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    sys.path.insert(0, str(ROOT))
    import etl.aggregates
    import etl.build
    import etl.loaders
    import etl.regions

    def mark(name: str, fn):  # noqa: ANN001, ANN202 - a wrapper that names the stage while fn runs
        def wrapped(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if threading.current_thread() is not threading.main_thread():  # beside the merge: counted in it
                return fn(*args, **kwargs)
            before, stage[0] = stage[0], name
            try:
                return fn(*args, **kwargs)
            finally:
                stage[0] = f"{before.split(' (after')[0]} (after {name})"
        return wrapped

    etl.build.merge = mark("merge", etl.build.merge)  # the name build calls
    etl.loaders.derive_seats = mark("seats", etl.loaders.derive_seats)
    etl.aggregates.write_aggregates = mark("aggregates", etl.aggregates.write_aggregates)
    stage[0] = "regions + resolver (+ 1st chunk)"
    etl.regions.default_resolver()
    t0 = time.perf_counter()
    events = {"rows": "reading", "finalize": "finalize", "publish": "publish"}
    etl.build.build(src, wh, progress=lambda event, info: stage.__setitem__(0, events.get(event, stage[0])))
    done.set()
    for name, peak in peaks.items():
        print(f"{name:32s} peak RSS {peak:6,} MiB")
    print(f"wall {time.perf_counter() - t0:.0f} s (build only)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/pantau-big"))
    ap.add_argument("--chunk-rows", type=int, default=None)
    ap.add_argument("--skip-dataframe", action="store_true", help="do not measure the whole-file DataFrame")
    ap.add_argument("--stages", action="store_true", help="peak RSS per stage of an in-process build")
    args = ap.parse_args()
    csv = args.out / "src" / f"kegiatan_nasional_{args.rows}.csv"
    if not csv.exists():
        t0 = time.perf_counter()
        write_csv(csv, args.rows)
        print(f"wrote {csv} ({csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s")
    else:
        print(f"using {csv} ({csv.stat().st_size / 1e6:.0f} MB)")
    src = args.out / f"src-{args.rows}"
    src.mkdir(exist_ok=True)
    link = src / csv.name
    if not link.exists():
        link.symlink_to(csv)
    py = sys.executable
    wh = args.out / f"wh-{args.rows}"
    shutil.rmtree(wh, ignore_errors=True)
    if args.stages:
        stages(src, wh)
        return 0
    if not args.skip_dataframe:
        code = (f"import pandas as pd; df = pd.read_csv({str(csv)!r}, sep=';'); "
                "print(len(df), int(df.memory_usage(deep=True).sum()))")
        res, stats = timed([py, "-c", code])
        n, size = res.stdout.split()
        peak = int(stats["Maximum resident set size (kbytes)"]) / 1024
        print(f"pandas DataFrame of the whole file: {int(n):,} rows, memory_usage(deep=True) = "
              f"{int(size) / 2**20:,.0f} MiB; that process peaked at {peak:,.0f} MiB RSS")
    cmd = [py, "-m", "etl", "build", "--source", str(src), "--warehouse", str(wh)]
    if args.chunk_rows:
        cmd += ["--chunk-rows", str(args.chunk_rows)]
    res, stats = timed(cmd)
    print(res.stdout[-2500:])
    if res.returncode:
        print(res.stderr[-3000:])
        return res.returncode
    print(f"etl build: wall {stats['Elapsed (wall clock) time (h:mm:ss or m:ss)']}, "
          f"peak RSS {int(stats['Maximum resident set size (kbytes)']) / 1024:,.0f} MiB, "
          f"CPU user {stats['User time (seconds)']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
