"""The sample sources a benchmark reads: generated once per (scale, seed, generator version), then reused.

They live in bench/out/sources/<scale>-seed<seed>/ (gitignored). A marker file written after a complete
generation says what is there (with a hash of etl/sample.py); a folder without it is regenerated, and so
is one made by another generator version when `regenerate=True` (otherwise it is reused with a note).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.measure import ROOT, run_measured

OUT = ROOT / "bench" / "out"
MARKER = ".bench-sources.json"
DEFAULT_SEED = 0

_GENERATE = """
import inspect, json, sys, time
from pathlib import Path
from etl.sample import generate
out, scale, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
kw = {"scale": scale}
if "seed" in inspect.signature(generate).parameters:
    kw["seed"] = seed
t0 = time.perf_counter()
summary = generate(out, **kw)
info = {"seconds": time.perf_counter() - t0, "seed_used": "seed" in kw}
for name in ("rows", "files", "bad_rows"):
    if hasattr(summary, name):
        info[name] = getattr(summary, name)
print(json.dumps(info, default=str))
"""


def generator_hash() -> str:
    """Short hash of the generator's source: a changed generator means new sources."""
    path = ROOT / "etl" / "sample.py"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "none"


def source_dir(scale: str, seed: int, root: Path = OUT) -> Path:
    return root / "sources" / f"{scale}-seed{seed}"


def inventory(src: Path) -> dict[str, Any]:
    """Files per kind (by extension) with their bytes."""
    files = [p for p in src.rglob("*") if p.is_file() and p.name != MARKER]
    kinds: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for p in files:
        ext = p.suffix.lower().lstrip(".") or "other"
        kinds[ext] += 1
        sizes[ext] += p.stat().st_size
    return {"files": dict(kinds), "bytes": dict(sizes), "total_bytes": sum(sizes.values())}


def ensure_sources(scale: str, seed: int = DEFAULT_SEED, root: Path = OUT, *, regenerate: bool = False,
                   log: Path | None = None) -> dict:
    """Generate the sources for (scale, seed) unless a complete copy exists; return their description."""
    src = source_dir(scale, seed, root)
    marker = src / MARKER
    gen_hash = generator_hash()
    if marker.is_file():
        info = json.loads(marker.read_text())
        if not regenerate or info.get("generator") == gen_hash:
            info["reused"] = True
            info["generator_changed_since"] = info.get("generator") != gen_hash
            return info
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    m = run_measured([sys.executable, "-c", _GENERATE, str(src), scale, str(seed)], log=log)
    if m.returncode != 0:
        raise RuntimeError(f"sample generation failed ({scale}, seed {seed}):\n{m.stderr[-3000:]}")
    gen = json.loads(m.stdout.strip().splitlines()[-1])
    info = {"scale": scale, "seed": seed, "generator": gen_hash, "path": str(src),
            "generate_s": m.wall_s, "generate_peak_mb": m.peak_mb, "rows": gen.get("rows", {}),
            "seed_used": gen.get("seed_used", False), **inventory(src)}
    marker.write_text(json.dumps(info, indent=1, default=str))
    info["reused"] = False
    info["generator_changed_since"] = False
    return info


def generate_signature() -> str:
    """The generator's signature, for the report (empty when it is missing)."""
    try:
        from etl.sample import generate
    except Exception:  # noqa: BLE001 - the generator may be mid-edit by its owner
        return ""
    return str(inspect.signature(generate))
