"""Region boundaries for the maps: where the files are, reading and checking them against the region list,
simplifying them for the screen, and the tile grid (one square a province). No Streamlit here.

Boundaries are a deployment's files, never part of the repository: a folder holding `provinsi.geojson` (38
features) and `kabkota.geojson` (514), keyed by Kemendagri code in `properties.code` (or the feature's `id`),
kab/kota with `properties.provinsi_code`; outer rings clockwise (plotly.js' convention). The folder is
`PANTAU_GEO`, else `data/geo/` of the checkout, else `../shared/geo` beside it (`geo_folder`).
The tile grid (`pantau/tiles.csv`) is the project's own data and always there.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ENV = "PANTAU_GEO"
ROOT = Path(__file__).resolve().parents[1]
#: Where a folder is looked for when PANTAU_GEO is not set: in the checkout, then beside it.
DEFAULT_FOLDERS = (ROOT / "data" / "geo", ROOT.parent / "shared" / "geo")
FILES = {"provinsi": "provinsi.geojson", "kabkota": "kabkota.geojson"}
TILES = Path(__file__).with_name("tiles.csv")
#: Degrees a screen pixel spans, about: the national map (46° over ~1,400 px) and one province's map.
SNAP = {"provinsi": 0.03, "kabkota": 0.002}
#: An island or hole smaller than this many grid cells is left off the screen (the region's largest part stays).
MIN_PIXELS = 3


class GeoError(ValueError):
    """A boundary file that cannot be used, said in one sentence naming the file."""


@dataclass(frozen=True)
class GeoFolder:
    """The folder boundaries are read from (None: none found) and how it was found ('env', 'data', 'shared')."""

    path: Path | None
    origin: str


def geo_folder(env: Mapping[str, str] | None = None) -> GeoFolder:
    """PANTAU_GEO when set (even when it does not exist: the map then says so), else data/geo/, else
    ../shared/geo beside the checkout, else none."""
    env = os.environ if env is None else env
    if env.get(ENV):
        return GeoFolder(Path(env[ENV]).expanduser(), "env")
    for origin, folder in zip(("data", "shared"), DEFAULT_FOLDERS, strict=True):
        if (folder / FILES["provinsi"]).is_file():
            return GeoFolder(folder, origin)
    return GeoFolder(None, "none")


@dataclass(frozen=True)
class Feature:
    """One region's outline: rings of (lng, lat) arrays per polygon (outer first), name, parent province."""

    code: str
    name: str
    provinsi_code: str
    polygons: tuple[tuple[np.ndarray, ...], ...]


@dataclass(frozen=True)
class Boundaries:
    """The features of one level, by code, and what was wrong with the file (features left out, duplicates)."""

    level: str
    path: Path
    features: Mapping[str, Feature]
    problems: tuple[str, ...] = field(default=())


def _polygons(geom: Mapping[str, Any]) -> tuple[tuple[np.ndarray, ...], ...]:
    kind, coords = geom.get("type"), geom.get("coordinates")
    polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not polys:
        raise ValueError(f"geometry {kind!r} is not a Polygon or MultiPolygon")
    return tuple(tuple(np.asarray(ring, dtype="float64")[:, :2] for ring in poly if len(ring) >= 4)
                 for poly in polys)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeoError(f"{path} tidak ada.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GeoError(f"{path} tidak dapat dibaca ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise GeoError(f"{path} bukan GeoJSON yang sah: baris {exc.lineno}, kolom {exc.colno}: {exc.msg}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise GeoError(f"{path} bukan GeoJSON FeatureCollection (tidak ada daftar 'features').")
    return data


def _features(path: Path, level: str, data: dict[str, Any]) -> tuple[dict[str, Feature], list[str]]:
    features: dict[str, Feature] = {}
    problems: list[str] = []
    for i, raw in enumerate(data["features"], start=1):
        props = raw.get("properties") or {} if isinstance(raw, dict) else {}
        code = str(props.get("code") or raw.get("id") or "").strip() if isinstance(raw, dict) else ""
        if not code:
            problems.append(f"{path.name}: fitur ke-{i} tanpa kode (properties.code atau id), dilewati.")
            continue
        if code in features:
            problems.append(f"{path.name}: kode {code} muncul lebih dari sekali; yang pertama dipakai.")
            continue
        try:
            polygons = _polygons(raw.get("geometry") or {})
        except (ValueError, TypeError, IndexError) as exc:
            problems.append(f"{path.name}: fitur {code} tanpa batas yang terbaca ({exc}), dilewati.")
            continue
        parent = str(props.get("provinsi_code") or code[:2]) if level == "kabkota" else code
        features[code] = Feature(code, str(props.get("name") or code), parent, polygons)
    return features, problems


@lru_cache(maxsize=8)
def _load(path: Path, level: str, mtime_ns: int) -> Boundaries:
    features, problems = _features(path, level, _read_json(path))
    return Boundaries(level, path, features, tuple(problems))


def load(folder: Path, level: str) -> Boundaries:
    """The boundaries of `level` ('provinsi' or 'kabkota') in `folder`, read once per file version."""
    path = Path(folder) / FILES[level]
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise GeoError(f"{path} tidak ada.") from None
    return _load(path, level, mtime)


def check(boundaries: Iterable[Boundaries], regions: pd.DataFrame) -> pd.DataFrame:
    """Codes of the boundary files against the region list (code, name, level, parent_code: provinsi and
    kab/kota): one row per problem, columns level, code, name, issue ('hilang': in the list, no boundary;
    'lebih': a boundary the list does not have; 'tidak_cocok': a kab/kota placed under another province or
    a code of another level), detail."""
    rows: list[dict[str, str]] = []
    for b in boundaries:
        listed = regions[regions["level"] == b.level]
        names = dict(zip(listed["code"], listed["name"], strict=True))
        parents = dict(zip(listed["code"], listed["parent_code"], strict=True))
        other_level = set(regions.loc[regions["level"] != b.level, "code"])
        for code in sorted(set(names) - set(b.features)):
            rows.append({"level": b.level, "code": code, "name": names[code], "issue": "hilang",
                         "detail": f"tidak ada di {b.path.name}"})
        for code, feat in sorted(b.features.items()):
            if code in other_level:
                rows.append({"level": b.level, "code": code, "name": feat.name, "issue": "tidak_cocok",
                             "detail": f"kode tingkat lain di {b.path.name}"})
            elif code not in names:
                rows.append({"level": b.level, "code": code, "name": feat.name, "issue": "lebih",
                             "detail": f"tidak ada di daftar wilayah ({b.path.name})"})
            elif b.level == "kabkota" and parents.get(code) and feat.provinsi_code != parents[code]:
                rows.append({"level": b.level, "code": code, "name": feat.name, "issue": "tidak_cocok",
                             "detail": f"provinsi_code {feat.provinsi_code} di {b.path.name}, "
                                       f"daftar wilayah: {parents[code]}"})
    return pd.DataFrame(rows, columns=["level", "code", "name", "issue", "detail"])


# ---------------------------------------------------------------------------
# For the screen: simplified GeoJSON of a set of features
# ---------------------------------------------------------------------------


def _area2(ring: np.ndarray) -> float:
    """Twice the signed area (shoelace; negative: clockwise)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _keep(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: which points of an open polyline to keep so that none strays more than `tolerance`."""
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = ring[j] - ring[i]
        rel = ring[i + 1:j] - ring[i]
        norm = float(np.hypot(*seg))
        dist = (np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm if norm > 0
                else np.hypot(rel[:, 0], rel[:, 1]))
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return keep


def snap_ring(ring: np.ndarray, step: float) -> np.ndarray | None:
    """The ring simplified to `step` degrees (Douglas-Peucker; a pixel's detail is all a screen shows); None when
    it collapses, its winding turns or it is smaller than a few pixels (an islet)."""
    if len(ring) < 4:
        return None
    far = int(np.argmax(np.hypot(*(ring[:-1] - ring[0]).T)))  # split a closed ring at its farthest point
    first, second = ring[: far + 1], ring[far:]
    out = np.vstack([first[_keep(first, step)], second[_keep(second, step)][1:]])
    area = _area2(out)
    if len(out) < 4 or np.sign(area) != np.sign(_area2(ring)) or abs(area) < 2 * MIN_PIXELS * step * step:
        return None
    return np.round(out, 4)


def _feature_geometry(feat: Feature, step: float) -> dict[str, Any] | None:
    polys = []
    for poly in feat.polygons:
        outer = snap_ring(poly[0], step) if poly else None
        if outer is None:
            continue
        holes = [h for h in (snap_ring(r, step) for r in poly[1:]) if h is not None]
        polys.append([outer.tolist(), *[h.tolist() for h in holes]])
    if not polys:  # smaller than the grid everywhere (a city on the national map): its largest part unsnapped
        biggest = max(feat.polygons, key=lambda p: abs(_area2(p[0])))
        polys = [[np.round(biggest[0], 4).tolist()]]
    return {"type": "MultiPolygon", "coordinates": polys}


@lru_cache(maxsize=64)
def _screen_geojson(path: Path, level: str, mtime_ns: int, codes: tuple[str, ...], step: float) -> dict[str, Any]:
    b = _load(path, level, mtime_ns)
    feats = [{"type": "Feature", "id": c, "properties": {"code": c, "name": b.features[c].name},
              "geometry": _feature_geometry(b.features[c], step)} for c in codes if c in b.features]
    return {"type": "FeatureCollection", "features": feats}


def screen_geojson(b: Boundaries, codes: Iterable[str], step: float | None = None) -> dict[str, Any]:
    """GeoJSON of the features of `codes` snapped for the screen (made once per file version, codes and
    step; shared: do not change it)."""
    return _screen_geojson(b.path, b.level, b.path.stat().st_mtime_ns, tuple(sorted(codes)),
                           SNAP[b.level] if step is None else step)


def bounds(geojson: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """lon_min, lon_max, lat_min, lat_max of a FeatureCollection (of the outer rings)."""
    pts = [pt for f in geojson["features"] for poly in f["geometry"]["coordinates"] for pt in poly[0]]
    arr = np.asarray(pts, dtype="float64") if pts else np.zeros((1, 2))
    return float(arr[:, 0].min()), float(arr[:, 0].max()), float(arr[:, 1].min()), float(arr[:, 1].max())


# ---------------------------------------------------------------------------
# The tile grid: one square a province, placed to keep Indonesia's shape
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    code: str
    row: int
    col: int
    short: str


@lru_cache(maxsize=1)
def tiles() -> tuple[Tile, ...]:
    """The tile grid (pantau/tiles.csv: code, row, col, short; row 0 at the top, col 0 at the left)."""
    with TILES.open(encoding="utf-8", newline="") as fh:
        return tuple(Tile(r["code"], int(r["row"]), int(r["col"]), r["short"]) for r in csv.DictReader(fh))


TILE_SIZE = 0.92  # of a cell: the white gap between squares reads as the border


@lru_cache(maxsize=64)
def tile_geojson(codes: tuple[str, ...]) -> dict[str, Any]:
    """The tiles of `codes` as square polygons (x = col, y = -row, clockwise), for the same map builder."""
    h = TILE_SIZE / 2
    feats = []
    for t in tiles():
        if t.code in codes:
            x, y = float(t.col), float(-t.row)
            ring = [[x - h, y - h], [x - h, y + h], [x + h, y + h], [x + h, y - h], [x - h, y - h]]
            feats.append({"type": "Feature", "id": t.code, "properties": {"code": t.code, "name": t.short},
                          "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}})
    return {"type": "FeatureCollection", "features": feats}
